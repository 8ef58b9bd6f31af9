#!/usr/bin/env bash
# setup.sh — installs what clgan needs to build, test and train on Debian 12: compiler and CMake,
# the OpenCL ICD loader and headers, PoCL (the CPU OpenCL device), CLBlast, stb, zlib, cJSON,
# libpng and libjpeg-turbo (image folders), Oclgrind and Mesa's rusticl (the kernel tests on two more
# CPU OpenCL implementations), clang (libFuzzer harnesses, sanitizer builds), the Fashion-MNIST
# data set, and for the Python package and its tests: NumPy, pytest, venv and pip, nbconvert with
# an IPython kernel and matplotlib (the example notebook), groff (the man page check).
set -euo pipefail
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
  build-essential cmake pkg-config \
  ocl-icd-opencl-dev opencl-headers pocl-opencl-icd clinfo \
  libclblast-dev libstb-dev zlib1g-dev libcjson-dev libpng-dev libjpeg-dev libopenmpi-dev openmpi-bin \
  clang libclang-rt-14-dev mesa-opencl-icd \
  oclgrind dataset-fashion-mnist oxygen-icon-theme chromium \
  python3 python3-numpy python3-pytest python3-venv python3-pip python3-setuptools \
  python3-nbconvert python3-ipykernel python3-matplotlib groff-base procps >/dev/null
