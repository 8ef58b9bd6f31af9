/* ops.h — the op-case harness of test_ops.c (in the manner of ggml's test-backend-ops): a case is a
 * row {op, shape params, modes, runs}; the op says how to check it in each mode:
 *   OP_REF   the device result against a plain-C double reference (tests/ref.h, *_ref.h);
 *   OP_GRAD  a backward pass against central finite differences of its forward (ops_grad.h);
 *   OP_GEMM  the row again on every GEMM back end (own kernel cl/gemm.cl, CLBlast), one after
 *            the other in the same context; $CLGAN_GEMM limits it to one.
 * `runs` says whether a row belongs to the full run, the small run ($CLGAN_TEST_SMALL: Oclgrind,
 * sizes <= 100 elements, GEMMs <= 16, statistics over 100 samples) or both.
 * A new kernel or layer adds rows to the table in test_ops.c (and an op here if no runner fits).
 *
 * Every launch through clg_launch is counted per kernel id (the test links with
 * -Wl,--wrap=clg_launch, see tests/ops.cmake), so that the harness can fail when an entry of the
 * runtime's CLG_KERNELS table is launched by no case.
 *
 * Shared by the parts (ops_elem.h, ops_reduce.h, ops_gemm.h, ops_layers.h, ops_grad.h), which are
 * included by test_ops.c only (one program: the check counters of testutil.h are per file).
 *
 * Tolerances, as max |device - ref| / max(floor, |ref|) (floor 1 unless said: absolute near zero):
 *   TOL_ELEM 1e-5  elementwise kernels (a few float roundings, PoCL's exp/tanh/log/cos are within
 *                  4 ulp = 5e-7), dropout values, noise against its reference, gather, clipping.
 *   TOL_OPT  1e-6  optimizer parameters (|p| <= 1, lr = 0.1, so a 1e-6 error is 1e-5 of the
 *                  update); optimizer states at TOL_ELEM, v relative (floor 1e-9, a sum of
 *                  squares), momentum m with floor 0.1 |g| (its terms can cancel).
 *   TOL_RED  1e-4  GEMM, dense, bias_grad, sumsq and the BCE statistics (float sums of up to
 *                  ~1000 terms: n * eps = 6e-5 worst case, typically far less).
 * Discrete results (dropout masks, accuracies, random bits, untouched tails) must match exactly.
 * Every output buffer has a tail of sentinels past n that must survive (guards against writes
 * past n when the launch is rounded up to 64 work-items).
 */
#ifndef CLGAN_TEST_OPS_H
#define CLGAN_TEST_OPS_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layers/layer.h"
#include "layers/reduce.h"
#include "model/network.h"
#include "ref.h"
#include "testutil.h"

#define TOL_ELEM 1e-5
#define TOL_OPT 1e-6
#define TOL_RED 1e-4
#define PAD 67
#define SENTINEL 12345.0f

static clg_ctx *ctx;
static int small_mode;
static double worst; /* the largest error / tolerance of the running op */

/* ---- the case table ------------------------------------------------------------------------- */

enum { OP_REF = 1, OP_GRAD = 2, OP_GEMM = 4 };  /* modes */
enum { OP_FULL = 1, OP_SMALL = 2, OP_BOTH = 3 }; /* runs */

typedef struct op_case op_case;
typedef struct op_def {
    const char *name;
    void (*ref)(const op_case *c);  /* OP_REF, or NULL */
    void (*grad)(const op_case *c); /* OP_GRAD, or NULL */
} op_def;

struct op_case {
    const op_def *op;
    int p[8];           /* shape, seed and flag parameters; their meaning is the op's (see its runner) */
    const char *spec;   /* a layer's config line, for the ops that build layers */
    unsigned modes, runs;
    double step, ulps;  /* OP_GRAD: the finite-difference step and the forward's rounding budget */
};

/* ---- launch counting ------------------------------------------------------------------------ */

static long launches[CLG_NKERNELS];

int __real_clg_launch(clg_ctx *c, int kernel, int dims, const size_t *global, const size_t *local, int nargs,
                      const clg_karg *args);
int __wrap_clg_launch(clg_ctx *c, int kernel, int dims, const size_t *global, const size_t *local, int nargs,
                      const clg_karg *args);
int __wrap_clg_launch(clg_ctx *c, int kernel, int dims, const size_t *global, const size_t *local, int nargs,
                      const clg_karg *args)
{
    if (kernel >= 0 && kernel < CLG_NKERNELS && !c->dry_run) launches[kernel]++;
    return __real_clg_launch(c, kernel, dims, global, local, nargs, args);
}

/* ---- GEMM back ends ------------------------------------------------------------------------- */

/* The back ends a GEMM row runs on: both, unless $CLGAN_GEMM chose one (the Oclgrind run of our
 * kernel leaves out the uninitialised-value check, which crashes on it). 1 = own, 0 = CLBlast. */
static int gemm_backends(int *own)
{
    if (ctx->gemm_forced) return own[0] = ctx->gemm_own, 1;
    own[0] = 1, own[1] = 0;
    return 2;
}

/* Switch the back end as `clgan tune` does while it measures both. */
static void gemm_use(int own)
{
    ctx->gemm_own = own;
    clg_gemm_forget(ctx);
}

/* ---- helpers -------------------------------------------------------------------------------- */

/* A tolerance check that also records how close to its tolerance the op came. */
#define CHECK_ERR(e, tol, ...)                                                                         \
    do {                                                                                               \
        double e_ = (e), t_ = (tol);                                                                   \
        if (!(e_ / t_ <= worst)) worst = e_ / t_;                                                      \
        CHECK(e_ <= t_, __VA_ARGS__);                                                                  \
    } while (0)

/* max over i of |a - ref| / max(floor, |ref|); NaN counts as failure */
static double errv(const float *a, const double *ref, size_t n, double floor)
{
    double m = 0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)a[i] - ref[i]) / fmax(floor, fabs(ref[i]));
        if (!(d <= m)) m = d;
    }
    return m;
}

static double *dalloc(size_t n) { return calloc(n ? n : 1, sizeof(double)); }

static void to_double(double *d, const float *f, size_t n)
{
    for (size_t i = 0; i < n; i++) d[i] = f[i];
}

/* A device buffer of n + PAD floats: host values (or zeros) then sentinels. */
static clg_buf up_pad(const float *h, size_t n)
{
    float *t = malloc((n + PAD) * sizeof *t);
    for (size_t i = 0; i < n; i++) t[i] = h ? h[i] : 0.0f;
    for (size_t i = n; i < n + PAD; i++) t[i] = SENTINEL;
    clg_buf b = test_upload(ctx, t, n + PAD);
    free(t);
    return b;
}

/* Download n values and check the PAD sentinels after them survived. */
static float *down_pad(const clg_buf *b, size_t n, const char *what)
{
    float *t = test_download(ctx, b, n + PAD);
    int ok = 1;
    for (size_t i = n; i < n + PAD; i++) ok &= t[i] == SENTINEL;
    CHECK(ok, "%s n=%zu: wrote past n", what, n);
    return t;
}

/* Oclgrind's shadow-memory quirk: see test_shadow_sync in testutil.h. */
static inline void shadow_sync(const clg_buf *root) { test_shadow_sync(ctx, root); }
static inline void net_sync(clg_net *net) { test_net_sync(ctx, net); }
static inline int on_oclgrind(void) { return test_on_oclgrind(ctx); }

/* Elementwise sizes: odd ones, ones around the work-group size, and a large one (the small run
 * has 100 in place of 1000 and 4099). */
#define OP_SIZE(op, n, runs) {&op, {n}, NULL, OP_REF, runs, 0, 0}
#define OP_SIZES(op)                                                                                   \
    OP_SIZE(op, 1, OP_BOTH), OP_SIZE(op, 3, OP_BOTH), OP_SIZE(op, 7, OP_BOTH), OP_SIZE(op, 63, OP_BOTH),  \
        OP_SIZE(op, 64, OP_BOTH), OP_SIZE(op, 65, OP_BOTH), OP_SIZE(op, 1000, OP_FULL),                \
        OP_SIZE(op, 4099, OP_FULL), OP_SIZE(op, 100, OP_SMALL)

#endif
