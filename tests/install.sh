#!/usr/bin/env bash
# install.sh — clgan as others get it: `cmake --install` to a prefix, then
#   - the installed files are all there, bin/clgan runs and finds its library, the man page renders;
#   - libclgan.so exports only the public API (the clg_* functions of clgan.h);
#   - the example at the top of clgan.h, built with `pkg-config --cflags --libs clgan` and with
#     find_package(clgan) in a CMake project, trains 20 steps;
#   - a project that adds the source tree with add_subdirectory configures and builds;
#   - `pip install ./python` into a venv, and `import clgan` finds the installed library.
# Usage: install.sh BUILD_DIR SOURCE_DIR SCRATCH
build=$1 src=$2 scratch=$3
. "$(dirname "$0")/clitest.sh" install "$build/clgan" "$src" "$scratch"
prefix="$scratch/prefix"
# succeeds COMMAND...: exits 0 (whatever it prints)
succeeds() { local out rc; out=$("$@" 2>&1); rc=$?; [ $rc -eq 0 ] && ok || bad "$* exited $rc: $out"; }
data=/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz

succeeds cmake --install "$build" --prefix "$prefix"
libdir=$(cd "$prefix" && ls -d lib*/ | head -1) libdir=${libdir%/}
for f in bin/clgan "$libdir/libclgan.so" "$libdir/libclgan.so.0" "$libdir/libclgan.a" include/clgan/clgan.h \
         "$libdir/pkgconfig/clgan.pc" "$libdir/cmake/clgan/clganConfig.cmake" \
         "$libdir/cmake/clgan/clganConfigVersion.cmake" share/clgan/configs/mlp_gan.ini share/man/man1/clgan.1; do
  if [ -e "$prefix/$f" ]; then ok; else bad "not installed: $f"; fi
done
[ "$(readlink "$prefix/$libdir/libclgan.so.0")" = libclgan.so.0.1.0 ] && ok || bad "SONAME link libclgan.so.0 -> $(readlink "$prefix/$libdir/libclgan.so.0")"
expect 0 'libclgan\.so\.0' -- objdump -p "$prefix/$libdir/libclgan.so"
# the installed CLI finds the installed library by itself (RUNPATH $ORIGIN/../lib)
expect 0 'commands:' -- env -u LD_LIBRARY_PATH "$prefix/bin/clgan" --help
warn=$(groff -man -Tutf8 -ww -z "$prefix/share/man/man1/clgan.1" 2>&1)
[ -z "$warn" ] && ok || bad "the man page has groff warnings: $warn"
expect 0 'train generative adversarial networks' -- groff -man -Tutf8 "$prefix/share/man/man1/clgan.1"

# exported symbols: clg_* functions that clgan.h declares, nothing else
exported=$(nm -D --defined-only "$prefix/$libdir/libclgan.so" | awk '$2 ~ /[TDBR]/ {print $3}' | sort)
declared=$(grep -oE '\bclg_[a-z0-9_]+\(' "$src/include/clgan/clgan.h" | tr -d '(' | sort -u)
extra=$(comm -23 <(echo "$exported") <(echo "$declared"))
if [ -z "$extra" ]; then ok; else bad "libclgan.so exports symbols that are not in clgan.h: $(echo $extra | head -c 400)"; fi
missing=$(comm -13 <(echo "$exported") <(echo "$declared"))
if [ -z "$missing" ]; then ok; else bad "clgan.h declares functions libclgan.so does not export: $missing"; fi

# the example program from clgan.h's opening comment (the lines between its two ``` marks)
mkdir -p "$scratch/example"
sed -n '/^ \* ```c$/,/^ \* ```$/p' "$src/include/clgan/clgan.h" | sed '1d;$d' | sed -E 's/^ \* ?//' > "$scratch/example/example.c"
[ -s "$scratch/example/example.c" ] && ok || bad "no example found in clgan.h"
cfg="$scratch/example/tiny.ini"
sed -e "s#^limit = .*#limit = 1280#" "$src/configs/test_mlp.ini" > "$cfg"
export PKG_CONFIG_PATH="$prefix/$libdir/pkgconfig"
flags=$(pkg-config --cflags --libs clgan) && ok || bad "pkg-config --cflags --libs clgan failed"
succeeds cc -std=c11 -Wall -Wextra -Werror -o "$scratch/example/ex_pc" "$scratch/example/example.c" $flags
# statically: libclgan.a with what `pkg-config --static` lists (MPI and stb included)
succeeds cc -std=c11 -o "$scratch/example/ex_static" "$scratch/example/example.c" $(pkg-config --cflags clgan) \
  "$prefix/$libdir/libclgan.a" $(pkg-config --static --libs clgan | sed 's/-lclgan//')
rows() { [ -f "$1/metrics.csv" ] && echo $(($(wc -l < "$1/metrics.csv") - 1)) || echo none; }
expect 0 'step 20' -- env LD_LIBRARY_PATH="$prefix/$libdir" "$scratch/example/ex_pc" "$cfg" "$scratch/run_pc" "$CLGAN_TEST_DEVICE"
[ "$(rows "$scratch/run_pc")" = 20 ] && ok || bad "pkg-config example: $(rows "$scratch/run_pc") rows in metrics.csv, expected 20"

mkdir -p "$scratch/user_pkg"
cat > "$scratch/user_pkg/CMakeLists.txt" <<CM
cmake_minimum_required(VERSION 3.22)
project(user C)
find_package(clgan 0.1 REQUIRED)
add_executable(ex $scratch/example/example.c)
target_link_libraries(ex PRIVATE clgan::clgan)
CM
succeeds cmake -S "$scratch/user_pkg" -B "$scratch/user_pkg/build" -DCMAKE_PREFIX_PATH="$prefix"
succeeds cmake --build "$scratch/user_pkg/build"
# find_package's target carries the library's path in its RUNPATH: no LD_LIBRARY_PATH needed
expect 0 'step 20' -- "$scratch/user_pkg/build/ex" "$cfg" "$scratch/run_cmake" "$CLGAN_TEST_DEVICE"
[ "$(rows "$scratch/run_cmake")" = 20 ] && ok || bad "find_package example: $(rows "$scratch/run_cmake") rows, expected 20"

mkdir -p "$scratch/user_sub"
cat > "$scratch/user_sub/CMakeLists.txt" <<CM
cmake_minimum_required(VERSION 3.22)
project(user_sub C)
add_subdirectory($src clgan)
add_executable(ex $scratch/example/example.c)
target_link_libraries(ex PRIVATE clgan::clgan)
CM
succeeds cmake -S "$scratch/user_sub" -B "$scratch/user_sub/build" -DCMAKE_BUILD_TYPE=Release
succeeds cmake --build "$scratch/user_sub/build" -j"$(nproc)" --target ex
[ ! -e "$scratch/user_sub/build/clgan/tests" ] && ok || bad "add_subdirectory built clgan's tests into the parent project"

# the Python package, installed with pip (no network: the system's setuptools builds it)
py=/usr/bin/python3
succeeds "$py" -m venv --system-site-packages "$scratch/venv"
# (from a copy: building the package writes build/ and *.egg-info beside its sources)
cp -r "$src/python" "$scratch/python-src" && rm -rf "$scratch/python-src/build" "$scratch/python-src"/*.egg-info
expect 0 'Successfully installed clgan' -- "$scratch/venv/bin/pip" install --no-deps --no-build-isolation --no-index "$scratch/python-src"
expect 0 '^0\.1\.0' -- env CLGAN_LIBRARY="$prefix/$libdir/libclgan.so" "$scratch/venv/bin/python" -c \
  'import clgan; print(clgan.__version__, clgan._lib.path)'
# without $CLGAN_LIBRARY the package finds a library installed to ~/.local
succeeds cmake --install "$build" --prefix "$scratch/home/.local"
expect 0 "home/\.local/$libdir/libclgan\.so" -- env -u CLGAN_LIBRARY HOME="$scratch/home" "$scratch/venv/bin/python" -c \
  'import clgan; print(clgan._lib.path)'
finish
