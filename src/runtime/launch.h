/* launch.h — kernel launches: typed arguments, launch shapes (local sizes from the tunables) for
 * elementwise, single-group, 2-D and 3-D kernels, and waiting for the queue.
 */
#ifndef CLGAN_RUNTIME_LAUNCH_H
#define CLGAN_RUNTIME_LAUNCH_H

#include "runtime/core.h"

typedef struct clg_karg {
    size_t size;
    const void *ptr;
} clg_karg;

#define KA_MEM(m) ((clg_karg){sizeof(cl_mem), &(m)})
#define KA_INT(v) ((clg_karg){sizeof(cl_int), &(cl_int){(cl_int)(v)}})
#define KA_LONG(v) ((clg_karg){sizeof(cl_long), &(cl_long){(cl_long)(v)}})
#define KA_UINT(v) ((clg_karg){sizeof(cl_uint), &(cl_uint){(cl_uint)(v)}})
#define KA_FLT(v) ((clg_karg){sizeof(cl_float), &(cl_float){(cl_float)(v)}})
#define KA_LOCAL(bytes) ((clg_karg){(bytes), NULL})


/* Wait for every command queued so far (a failure inside one is reported here). */
int clg_finish(clg_ctx *ctx);

/* Set the arguments and enqueue (skipped while planning, ctx->dry_run). */
int clg_launch(clg_ctx *ctx, int kernel, int dims, const size_t *global, const size_t *local,
               int nargs, const clg_karg *args);

/* The local sizes below are the context's tunables (tunables.h). */
#define CLG_NARGS_(...) (int)(sizeof((clg_karg[]){__VA_ARGS__}) / sizeof(clg_karg))
/* n work-items (rounded up to WG) of a 1-D elementwise kernel. */
#define CLG_LAUNCH1(ctx, k, n, ...)                                                                    \
    clg_launch((ctx), (k), 1, (size_t[]){clg_round_up((size_t)(n), (size_t)clg_tunable((ctx), CLG_T_WG))}, \
               (size_t[]){(size_t)clg_tunable((ctx), CLG_T_WG)}, CLG_NARGS_(__VA_ARGS__), (clg_karg[]){__VA_ARGS__})
/* One work-group of RED_WG items (reductions that loop over their input). */
#define CLG_LAUNCH_GROUP(ctx, k, ...)                                                                  \
    clg_launch((ctx), (k), 1, (size_t[]){(size_t)clg_tunable((ctx), CLG_T_RED_WG)},                    \
               (size_t[]){(size_t)clg_tunable((ctx), CLG_T_RED_WG)}, CLG_NARGS_(__VA_ARGS__), (clg_karg[]){__VA_ARGS__})
/* 2-D launch: (x, y) work-items, rounded up to (WG2_X, WG2_Y) groups. */
#define CLG_LAUNCH2(ctx, k, nx, ny, ...)                                                               \
    clg_launch((ctx), (k), 2,                                                                          \
               (size_t[]){clg_round_up((size_t)(nx), (size_t)clg_tunable((ctx), CLG_T_WG2_X)),            \
                          clg_round_up((size_t)(ny), (size_t)clg_tunable((ctx), CLG_T_WG2_Y))},           \
               (size_t[]){(size_t)clg_tunable((ctx), CLG_T_WG2_X), (size_t)clg_tunable((ctx), CLG_T_WG2_Y)}, \
               CLG_NARGS_(__VA_ARGS__), (clg_karg[]){__VA_ARGS__})
/* 3-D launch: (x, y, z) work-items in (WG3_X, WG3_Y, 1) groups. */
#define CLG_LAUNCH3(ctx, k, nx, ny, nz, ...)                                                           \
    clg_launch((ctx), (k), 3,                                                                          \
               (size_t[]){clg_round_up((size_t)(nx), (size_t)clg_tunable((ctx), CLG_T_WG3_X)),            \
                          clg_round_up((size_t)(ny), (size_t)clg_tunable((ctx), CLG_T_WG3_Y)), (size_t)(nz)}, \
               (size_t[]){(size_t)clg_tunable((ctx), CLG_T_WG3_X), (size_t)clg_tunable((ctx), CLG_T_WG3_Y), 1}, \
               CLG_NARGS_(__VA_ARGS__), (clg_karg[]){__VA_ARGS__})

#endif
