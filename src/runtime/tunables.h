/* tunables.h — the kernels' tunables, the CLBlast way: one table, grouped by program, that is
 * the only place their values live. Each program is built with its rows as -DNAME=value (so they
 * are part of the build options and of the binary cache's key; the kernel files hold no defaults
 * and refuse to build without them), and the launch code reads local sizes and tiles from the
 * context (clg_tunable), whose copy may differ per device: rows marked STORED may come from the
 * device's tuning record (tune.c) before the programs are built.
 */
#ifndef CLGAN_RUNTIME_TUNABLES_H
#define CLGAN_RUNTIME_TUNABLES_H

#include <stddef.h>

struct clg_ctx;

/* Where a row's value may come from besides the table: a device's tuning record. */
#define CLG_TUN_FIXED 0  /* the same on every device (host code sizes scratch from it without a context) */
#define CLG_TUN_STORED 1 /* per device: a tuning record may set it */
#define CLG_TUN_DEVICE 2 /* per device: set when the context opens from what the device reports */

/* T(id, programs it is passed to ("*" = all), value, origin, what it sets). */
#define CLG_TUNABLES(T)                                                                                        \
    /* every program: launch shapes of the kernels that take no reqd_work_group_size */                        \
    T(WG, "*", 64, CLG_TUN_FIXED, "local size of 1-D elementwise launches and batch norm's (C*hw, n) ones")    \
    T(WG2_X, "*", 16, CLG_TUN_FIXED, "local size, dimension 0, of 2-D launches (im2col, col2im) and of upsampling")    \
    T(WG2_Y, "*", 4, CLG_TUN_FIXED, "local size, dimension 1, of 2-D launches and of upsampling")              \
    T(WG3_X, "*", 8, CLG_TUN_FIXED, "local size, dimension 0, of 3-D launches (pack_cn, unpack_cn)")   \
    T(WG3_Y, "*", 4, CLG_TUN_FIXED, "local size, dimension 1, of 3-D launches (dimension 2: 1)")               \
    /* cl/reduce.cl, cl/loss.cl */                                                                             \
    T(RED_WG, "reduce loss", 64, CLG_TUN_FIXED, "work-group size of the reductions (a power of two)")          \
    /* cl/conv.cl */                                                                                           \
    T(COL2IM_BX, "conv", 16, CLG_TUN_FIXED, "pixels of one image row per col2im work-item")                    \
    /* cl/dconv.cl */                                                                                          \
    T(DCONV_RW, "dconv", 16, CLG_TUN_FIXED, "values of one row per direct-convolution work-item (SIMD lanes)")   \
    /* cl/upsample.cl */                                                                                       \
    T(UPS_PLANES, "upsample", 8, CLG_TUN_FIXED, "planes per upsampling work-item")                             \
    /* cl/bench.cl */                                                                                          \
    T(PEAK_VW, "bench", 16, CLG_TUN_DEVICE, "vector width of the FMA peak kernel's chains (the device's native)") \
    T(PEAK_CHAINS, "bench", 16, CLG_TUN_FIXED, "independent FMA chains per work-item (latency x pipes)")   \
    /* cl/gemm.cl (measured on PoCL 3.1, 2-core Skylake-AVX512) */                                            \
    T(TILE_M, "gemm", 6, CLG_TUN_STORED, "rows of the register tile of gemm_nn, gemm_tn, gemm_tt")             \
    T(TILE_N, "gemm", 64, CLG_TUN_STORED, "columns of that tile (a multiple of VW)")                           \
    T(VW, "gemm", 16, CLG_TUN_STORED, "vector width of that tile (4, 8 or 16)")                                \
    T(NT_TILE_M, "gemm", 4, CLG_TUN_STORED, "rows of gemm_nt's register tile")                                 \
    T(NT_TILE_N, "gemm", 4, CLG_TUN_STORED, "columns of gemm_nt's register tile")                              \
    T(NT_VW, "gemm", 16, CLG_TUN_STORED, "gemm_nt's vector width along K (4, 8 or 16)")                        \
    T(TR_TILE, "gemm", 16, CLG_TUN_STORED, "gemm_transpose's block side")                                      \
    T(WG_M, "gemm", 8, CLG_TUN_STORED, "local size, dimension 0 (rows of C), of every GEMM kernel")            \
    T(WG_N, "gemm", 1, CLG_TUN_STORED, "local size, dimension 1 (columns of C), of every GEMM kernel")         \
    T(GEMM_K_CHUNK, "gemm", 512, CLG_TUN_STORED, "K per launch: longer K runs as equal launches of at most this") \
    T(GEMM_USE_FMA, "gemm", 0, CLG_TUN_DEVICE, "1: multiply-add by fma() (the device has FMA), 0: by mad()")

typedef enum clg_tunable_id {
#define T(id, progs, v, origin, what) CLG_T_##id,
    CLG_TUNABLES(T)
#undef T
    CLG_NTUNABLES
} clg_tunable_id;

/* The table's values as constants, for host code that sizes things without a context (the
 * reduction scratch): CLG_TUNED_RED_WG and so on. Only FIXED rows may be used this way. */
enum {
#define T(id, progs, v, origin, what) CLG_TUNED_##id = (v),
    CLG_TUNABLES(T)
#undef T
};

typedef struct clg_tunable_def {
    const char *name, *programs;
    int value, origin;
    const char *what;
} clg_tunable_def;
extern const clg_tunable_def clg_tunable_defs[CLG_NTUNABLES];

/* The context's value of tunable `id`. */
int clg_tunable(const struct clg_ctx *ctx, clg_tunable_id id);
/* Fill values[] with the table's values and the device's (GEMM_USE_FMA); ctx has its device. */
void clg_tunables_init(const struct clg_ctx *ctx, int *values);
/* The tunable named `name` (e.g. "TILE_M"), or -1. */
int clg_tunable_find(const char *name);
/* Whether values[] may build and launch the kernels on this context's device; 0, or -1 with a
 * reason in why (e.g. "TILE_N = 60 is not a multiple of VW = 16"). */
int clg_tunables_check(const struct clg_ctx *ctx, const int *values, char *why, size_t n);
/* The build options of program `program`: " -DNAME=value" for each of its rows (the context's
 * values). Returns the length, or -1 when `out` is too small. */
int clg_tunables_options(const struct clg_ctx *ctx, const char *program, char *out, size_t n);

#endif
