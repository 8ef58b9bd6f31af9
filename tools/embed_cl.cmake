# embed_cl.cmake — turns the OpenCL C sources in cl/ into one C file of byte arrays, so the
# kernels travel inside libclgan. Run by CMake at build time:
#   cmake -DOUT=cl_sources.c -DCL_DIR=cl -P embed_cl.cmake
file(GLOB SRCS ${CL_DIR}/*.cl)
list(SORT SRCS)
set(body "/* Generated from the kernels in cl/ by tools/embed_cl.cmake; do not edit. */\n#include <stddef.h>\n")
set(table "")
foreach(src ${SRCS})
  get_filename_component(name ${src} NAME_WE)
  file(READ ${src} hex HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(REGEX REPLACE "((0x..,){24})" "\\1\n" bytes "${bytes}")
  string(APPEND body "static const char src_${name}[] = {\n${bytes}0x00};\n")
  string(APPEND table "  {\"${name}\", src_${name}, sizeof src_${name} - 1},\n")
endforeach()
string(APPEND body "const struct clg_cl_source { const char *name; const char *text; size_t len; } clg_cl_sources[] = {\n${table}  {NULL, NULL, 0}};\n")
file(WRITE ${OUT}.tmp "${body}")
file(RENAME ${OUT}.tmp ${OUT})
