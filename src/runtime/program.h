/* program.h — the OpenCL programs of a context: built from cl/ (or loaded from the binary cache)
 * once, with every kernel of the table created.
 */
#ifndef CLGAN_RUNTIME_PROGRAM_H
#define CLGAN_RUNTIME_PROGRAM_H

#include "runtime/core.h"

/* Each kernel's program (cl/<program>.cl) and function name, by kernel id. */
struct clg_kernel_name {
    const char *program, *kernel;
};
extern const struct clg_kernel_name clg_kernel_names[CLG_NKERNELS];

/* Build (or load from the cache) every program and create every kernel. `options` are extra
 * build options (e.g. "-DTILE=8"); called when a context opens. */
int clg_build_kernels(clg_ctx *ctx, const char *options);
/* Build program `name` (e.g. "gemm") again with the context's current tunables and put its
 * kernels in place of the old ones, after the queue drains; on failure the old ones stay.
 * Tuning tries tile sets this way. */
int clg_rebuild_program(clg_ctx *ctx, const char *name);

#endif
