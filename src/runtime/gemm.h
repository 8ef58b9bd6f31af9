/* gemm.h — the one GEMM entry point and its back ends. A back end is a row of a table (cl/gemm.cl's
 * own kernel, CLBlast) with its variants (CLBlast's parameter sets), its plan-time work (CLBlast
 * sizes its temporary buffer and builds its program while a network plans) and its reset; the
 * dispatcher (gemm.c) and `clgan tune` (tune.c) iterate the table.
 */
#ifndef CLGAN_RUNTIME_GEMM_H
#define CLGAN_RUNTIME_GEMM_H

#include "runtime/buffer.h"

/* One row-major GEMM: C = alpha * op(A) * op(B) + beta * C, with A (M,K), B (K,N) after op. */
typedef struct clg_gemm_args {
    int ta, tb;
    size_t m, n, k;
    float alpha, beta;
    const clg_buf *a, *b;
    clg_buf *c;
    size_t lda, ldb, ldc;
} clg_gemm_args;

/* The back ends, indexed by ctx->gemm_own. */
enum { CLG_GEMM_CLBLAST = 0, CLG_GEMM_OWN = 1, CLG_NGEMM };

typedef struct clg_gemm_backend {
    const char *name;                 /* "clblast", "own" */
    int nvariants;                    /* parameter sets (1: its defaults only) */
    const char *(*variant_name)(int v); /* the name `clgan tune` stores ("clblast-default", "cpu-a", "own") */
    int (*select)(clg_ctx *ctx, int v); /* use variant v from now on */
    /* run one GEMM; while planning (ctx->dry_run) do the plan-time work instead */
    int (*run)(clg_ctx *ctx, const clg_gemm_args *g);
    void (*reset)(clg_ctx *ctx);      /* forget what planning learnt (shapes, temporary sizes) */
    void (*release)(clg_ctx *ctx);    /* free what the back end holds on the context */
} clg_gemm_backend;

extern const clg_gemm_backend clg_gemm_own_backend, clg_gemm_clblast_backend;
extern const clg_gemm_backend *const clg_gemm_backends[CLG_NGEMM];

/* GEMM planning. Between begin and end (a dry run of a network's passes, before the first step)
 * kernel launches and transfers are skipped, and each back end does its plan-time work: CLBlast
 * records each shape with the size of the temporary buffer its indirect kernel needs, grows that
 * buffer to the largest, and runs the GEMM once so it builds its program then and not inside a
 * step. A shape not seen while planning still works (the buffer grows once, counted in
 * ctx->nallocs). */
void clg_gemm_plan_begin(clg_ctx *ctx);
int clg_gemm_plan_end(clg_ctx *ctx);
/* Forget what every back end planned (CLBlast's parameters changed: their temporary sizes may too). */
void clg_gemm_forget(clg_ctx *ctx);
void clg_gemm_release(clg_ctx *ctx);

int clg_gemm(clg_ctx *ctx, int trans_a, int trans_b, size_t m, size_t n, size_t k, float alpha,
             const clg_buf *a, size_t lda, const clg_buf *b, size_t ldb, float beta,
             clg_buf *c, size_t ldc);

/* Device-tuned GEMM (tune.c): clg_tune measures every variant of every back end on the configs'
 * shapes, validates them against a reference, and stores the winner per device and driver;
 * clg_tune_apply (at context creation) applies a stored choice. A corrupt file is ignored, with
 * a warning kept in ctx->warning. */
int clg_tune(clg_ctx *ctx, FILE *log);
/* One shape tuning times: C (m, n) = op(A) op(B) summed over k, A transposed when ta, B when tb. */
typedef struct clg_tune_shape {
    int m, n, k, ta, tb;
} clg_tune_shape;
/* A set of the own GEMM's tiles the search tries: tunables.h's rows of those names, 0 = the table's. */
typedef struct clg_tile_set {
    int tile_m, tile_n, vw, nt_tile_m, nt_tile_n, nt_vw, wg_m, wg_n, k_chunk;
} clg_tile_set;
/* What clg_tune_ex measures; NULL or 0 fields take the built-in ones (clg_tune's). */
typedef struct clg_tune_opts {
    const clg_tune_shape *shapes; /* the configs' GEMM shapes */
    int nshapes;
    const clg_tile_set *grid; /* the own GEMM's tile sets tried besides the table's */
    int ngrid;
    int rounds; /* interleaved timing rounds of the tile search (5) */
    /* called after each GEMM of the tile search is queued, inside its timing, with the set's
     * values in ctx->tun and the GEMM's C of n floats (tests: spoil C, slow a set down) */
    void (*hook)(clg_ctx *ctx, clg_buf *c, size_t n, void *user);
    void *user;
} clg_tune_opts;
/* clg_tune, and before the back ends are compared the own GEMM's tile search: each valid set of
 * the grid is built (cl/gemm.cl with its -D), checked against the reference and timed, rounds
 * interleaved; the fastest correct set is kept (and stored) only when it beats the table's
 * values by 3%. */
int clg_tune_ex(clg_ctx *ctx, FILE *log, const clg_tune_opts *opts);
int clg_tune_apply(clg_ctx *ctx);
/* The tuning file of this device and driver ("" when the context has no cache folder). */
void clg_tune_path(const clg_ctx *ctx, char *out, size_t n);
/* Set ctx->gemm_desc from what runs: the back end, CLBlast's parameters, and why (tuned, forced). */
void clg_gemm_describe(clg_ctx *ctx);

#endif
