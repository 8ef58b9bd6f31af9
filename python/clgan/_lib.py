"""Finding and loading libclgan, and the C signatures the package calls.

The library is looked for in this order: $CLGAN_LIBRARY (a path to libclgan.so), the prefix it
was installed to (the lib folder beside this Python's prefix, ~/.local, /usr/local, /usr), then
the build folder of the source tree this package sits in (build/ next to python/).
"""
import ctypes
import os
import sys
from ctypes import (CFUNCTYPE, POINTER, Structure, c_char, c_char_p, c_double, c_float, c_int, c_long,
                    c_size_t, c_uint, c_uint64, c_ulonglong, c_void_p)

_NAMES = ("libclgan.so.0", "libclgan.so")


def _candidates():
    env = os.environ.get("CLGAN_LIBRARY")
    if env:
        yield env
        return
    prefixes = [sys.prefix, os.path.expanduser("~/.local"), "/usr/local", "/usr"]
    for p in prefixes:
        for lib in ("lib", "lib64", "lib/x86_64-linux-gnu", "lib/aarch64-linux-gnu"):
            for n in _NAMES:
                yield os.path.join(p, lib, n)
    here = os.path.dirname(os.path.abspath(__file__))
    for build in ("build", "build-python"):
        for n in _NAMES:
            yield os.path.join(here, "..", "..", build, n)


def _load():
    tried = []
    for path in _candidates():
        if not os.path.exists(path):
            tried.append(path)
            continue
        try:
            return ctypes.CDLL(path), path
        except OSError as e:
            raise ImportError(f"clgan: cannot load {path}: {e}") from None
    where = "$CLGAN_LIBRARY" if os.environ.get("CLGAN_LIBRARY") else "the installed prefix or the build folder"
    raise ImportError(f"clgan: libclgan.so not found in {where} (looked at {', '.join(tried[:6])}, ...); "
                      "build it (cmake -S . -B build && cmake --build build) or set CLGAN_LIBRARY")


lib, path = _load()


class StepStats(Structure):
    _fields_ = [("step", c_long), ("epoch", c_int), ("steps_total", c_long),
                ("d_loss", c_float), ("g_loss", c_float), ("d_real", c_float), ("d_fake", c_float),
                ("acc_real", c_float), ("acc_fake", c_float), ("seconds", c_double), ("step0", c_long)]


class DeviceInfo(Structure):  # clg_device_info
    _fields_ = [("spec", c_char * 16), ("name", c_char * 256), ("platform", c_char * 256),
                ("vendor", c_char * 256), ("type", c_char * 16), ("compute_units", c_uint), ("mhz", c_uint),
                ("global_mem", c_ulonglong), ("version", c_char * 128), ("driver", c_char * 128)]


class CtxParams(Structure):  # clg_ctx_params
    _fields_ = [("device", c_char_p), ("device_origin", c_char_p), ("profiling", c_int), ("cache_dir", c_char_p),
                ("no_cache", c_int), ("cl_dir", c_char_p), ("gemm", c_char_p), ("gemm_origin", c_char_p),
                ("max_alloc", c_ulonglong), ("global_mem", c_ulonglong)]


PROGRESS = CFUNCTYPE(None, c_void_p, POINTER(StepStats))
ERRBUF = 8192


def _sig(name, restype, *argtypes):
    f = getattr(lib, name)
    f.restype = restype
    f.argtypes = list(argtypes)
    return f


vp = c_void_p
version = _sig("clg_version", c_char_p)
status_str = _sig("clg_status_str", c_char_p, c_int)
last_error = _sig("clg_last_error", c_char_p, vp)
devices = _sig("clg_devices", c_int, POINTER(DeviceInfo), c_int, POINTER(c_int), c_char_p, c_size_t)
ctx_params_init = _sig("clg_ctx_params_init", None, POINTER(CtxParams))
ctx_open = _sig("clg_ctx_open", c_int, POINTER(vp), POINTER(CtxParams))
ctx_warning = _sig("clg_ctx_warning", c_char_p, vp)
ctx_free = _sig("clg_ctx_free", None, vp)
ctx_desc = _sig("clg_ctx_device_desc", c_char_p, vp)
config_load = _sig("clg_config_load", c_int, POINTER(vp), c_char_p, c_char_p, c_size_t)
config_load_text = _sig("clg_config_load_text", c_int, POINTER(vp), c_char_p, c_char_p, c_char_p, c_size_t)
config_set = _sig("clg_config_set", c_int, vp, c_char_p, c_char_p, c_size_t)
config_text = _sig("clg_config_text", c_char_p, vp)
config_free = _sig("clg_config_free", None, vp)
trainer_open = _sig("clg_trainer_open", c_int, POINTER(vp), vp, vp, c_char_p, c_char_p, c_int, vp)
trainer_run = _sig("clg_trainer_run", c_int, vp, PROGRESS, vp)
trainer_request_stop = _sig("clg_trainer_request_stop", None, vp)
trainer_free = _sig("clg_trainer_free", None, vp)
generator_load = _sig("clg_generator_load", c_int, POINTER(vp), vp, c_char_p)
generator_shape = _sig("clg_generator_shape", None, vp, POINTER(c_int), POINTER(c_int), POINTER(c_int),
                       POINTER(c_int))
generator_noise = _sig("clg_generator_noise", None, vp, POINTER(c_float), c_int, c_uint64)
generator_run = _sig("clg_generator_run", c_int, vp, POINTER(c_float), POINTER(c_float), c_int)
generator_range = _sig("clg_generator_range", None, vp, POINTER(c_float), POINTER(c_float))
generator_free = _sig("clg_generator_free", None, vp)
bench_json = _sig("clg_bench_json", c_int, vp, vp, c_int, c_int, POINTER(vp))
free = _sig("clg_free", None, vp)
