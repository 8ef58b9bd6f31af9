/* test_kernels.c — every kernel of the CLG_KERNELS table, clg_gemm, the layers (through their ops
 * table) and a small clg_net (forward, backward, optimizer update) against the double-precision
 * references of tests/ref.h, on sizes that include odd ones and ones that do not divide the
 * work-group size (1, 3, 7, 63, 64, 65, 1000, ...).
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
 *
 * With $CLGAN_TEST_SMALL set (the Oclgrind run) only sizes <= 100 elements and GEMMs <= 16 are
 * used, and the statistical checks use 100 samples with correspondingly wider bounds.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "layers/layer.h"
#include "layers/reduce.h"
#include "model/network.h"
#include "ref.h"
#include "train/trainer.h"
#include "testutil.h"

#define TOL_ELEM 1e-5
#define TOL_OPT 1e-6
#define TOL_RED 1e-4
#define PAD 67
#define SENTINEL 12345.0f

static clg_ctx *ctx;
static int small_mode;
static double worst; /* the largest error / tolerance of the running section */

/* A tolerance check that also records how close to its tolerance the section came. */
#define CHECK_ERR(e, tol, ...)                                                                         \
    do {                                                                                               \
        double e_ = (e), t_ = (tol);                                                                   \
        if (!(e_ / t_ <= worst)) worst = e_ / t_;                                                      \
        CHECK(e_ <= t_, __VA_ARGS__);                                                                  \
    } while (0)

/* ---- helpers ------------------------------------------------------------------------------------ */

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
static void shadow_sync(const clg_buf *root) { test_shadow_sync(ctx, root); }
static void net_sync(clg_net *net) { test_net_sync(ctx, net); }
static int on_oclgrind(void) { return test_on_oclgrind(ctx); }

/* Elementwise sizes: odd ones, ones around the work-group size, and a large one. */
static const size_t sizes_full[] = {1, 3, 7, 63, 64, 65, 1000, 4099};
static const size_t sizes_small[] = {1, 3, 7, 63, 64, 65, 100};
static size_t nsizes(void) { return small_mode ? sizeof sizes_small / sizeof(size_t) : sizeof sizes_full / sizeof(size_t); }
static size_t size_at(size_t i) { return small_mode ? sizes_small[i] : sizes_full[i]; }
#define FOR_SIZES(n)                                                                                   \
    for (size_t si_ = 0; si_ < nsizes(); si_++)                                                        \
        for (size_t n = size_at(si_), once_ = 1; once_; once_ = 0)

/* ---- common.cl ---------------------------------------------------------------------------------- */

static void test_fill_axpby(void)
{
    FOR_SIZES(n) {
        clg_buf y = up_pad(NULL, n);
        CHECK_OK(ctx, CLG_LAUNCH1(ctx, CLG_K_FILL, n, KA_MEM(y.sub), KA_INT(n), KA_FLT(-2.5f)));
        float *h = down_pad(&y, n, "fill");
        double *r = dalloc(n);
        for (size_t i = 0; i < n; i++) r[i] = -2.5;
        CHECK(errv(h, r, n, 1) == 0, "fill n=%zu", n);
        free(h);
        clg_buf_release(&y);

        float *xv = test_randu(n, 11 + (unsigned)n, -3, 3), *yv = test_randu(n, 12 + (unsigned)n, -3, 3);
        clg_buf x = up_pad(xv, n);
        y = up_pad(yv, n);
        CHECK_OK(ctx, CLG_LAUNCH1(ctx, CLG_K_AXPBY, n, KA_MEM(y.sub), KA_MEM(x.sub), KA_INT(n), KA_FLT(0.75f),
                                  KA_FLT(-1.25f)));
        h = down_pad(&y, n, "axpby");
        ref_axpby(r, yv, xv, n, 0.75, -1.25);
        double e = errv(h, r, n, 1);
        CHECK_ERR(e, TOL_ELEM, "axpby n=%zu err %g", n, e);
        float *xb = down_pad(&x, n, "axpby x");
        CHECK(!memcmp(xb, xv, n * sizeof *xv), "axpby n=%zu modified x", n);
        free(xb), free(h), free(r), free(xv), free(yv);
        clg_buf_release(&x), clg_buf_release(&y);
    }
}

static void test_bias(void)
{
    /* (N, F, inner) */
    static const int full[][3] = {{1, 1, 1}, {3, 7, 1}, {5, 3, 7}, {1, 65, 1}, {64, 1, 1}, {2, 63, 3}, {10, 100, 1}, {7, 13, 49}};
    static const int small[][3] = {{1, 1, 1}, {3, 7, 1}, {5, 3, 7}, {1, 65, 1}, {2, 9, 5}};
    int nc = small_mode ? (int)(sizeof small / sizeof small[0]) : (int)(sizeof full / sizeof full[0]);
    for (int c = 0; c < nc; c++) {
        const int *s = small_mode ? small[c] : full[c];
        int N = s[0], F = s[1], inner = s[2];
        size_t total = (size_t)N * F * inner;
        float *yv = test_randu(total, 100 + c, -2, 2), *bv = test_randu(F, 200 + c, -2, 2);
        clg_buf y = up_pad(yv, total), b = up_pad(bv, F);
        CHECK_OK(ctx, CLG_LAUNCH1(ctx, CLG_K_ADD_BIAS, total, KA_MEM(y.sub), KA_MEM(b.sub), KA_INT(total), KA_INT(F),
                                  KA_INT(inner)));
        float *h = down_pad(&y, total, "add_bias");
        double *r = dalloc(total);
        ref_add_bias(r, yv, bv, total, F, inner);
        double e = errv(h, r, total, 1);
        CHECK_ERR(e, TOL_ELEM, "add_bias N=%d F=%d inner=%d err %g", N, F, inner, e);
        free(h), free(r);

        /* the bias gradient (a per-channel sum) accumulates onto db */
        clg_buf dy = up_pad(yv, total), sc = up_pad(NULL, clg_sum_scratch(F, (size_t)N * inner));
        CHECK_OK(ctx, clg_chan_sums(ctx, &b, 0, 1, &sc, 0, CLG_SUM_X, &dy, NULL, NULL, 0, 1.0f, N, F, inner));
        clg_buf_release(&sc);
        h = down_pad(&b, F, "bias_grad");
        r = dalloc(F);
        ref_bias_grad(r, bv, yv, N, F, inner);
        e = errv(h, r, F, 1);
        CHECK_ERR(e, TOL_RED, "bias_grad N=%d F=%d inner=%d err %g", N, F, inner, e);
        free(h), free(r), free(yv), free(bv);
        clg_buf_release(&y), clg_buf_release(&b), clg_buf_release(&dy);
    }
}

/* ---- reduce.cl ---------------------------------------------------------------------------------- */

/* Per-channel sums (layers/reduce.h) in every mode against double sums, on shapes below, at and
 * past one group's span (CLG_RED_SPAN = 4096 values), with two passes (> 4096 values), hw below
 * and above the group size, written at an offset (neighbours untouched) and accumulated; twice,
 * for bit-identical results. Every shape also runs with a span of 128 values, which takes up to
 * four passes (1048581 values: 8193, 65, 1 partial sums; hw = 1 takes 4 rows per item, so
 * 1025 rows take six). */
static void test_reductions(void)
{
    static const int full[][3] = {{1, 1, 1},  {1, 1, 1023}, {1, 1, 1024}, {1, 1, 1025},    {3, 2, 700},
                                  {64, 3, 1}, {1025, 2, 1}, {5, 2, 65},   {1, 1, 1048581}, {17, 3, 4099},
                                  {1, 2, 4095}, {4096, 1, 1}, {1, 1, 4097}, {3, 2, 1367}};
    static const int small[][3] = {{1, 1, 1}, {3, 2, 7}, {1, 1, 1025}, {70, 2, 1}, {2, 3, 33}};
    int ncase = small_mode ? (int)(sizeof small / sizeof small[0]) : (int)(sizeof full / sizeof full[0]);
    const size_t off = 5;
    for (int ci = 0; ci < ncase; ci++) {
        const int *sh = small_mode ? small[ci] : full[ci];
        size_t n = (size_t)sh[0], hw = (size_t)sh[2], m = n * hw;
        int C = sh[1];
        size_t total = n * C * hw;
        float *xv = test_randu(total, 1300 + ci, -1, 1), *x2v = test_randu(total, 1400 + ci, -2, 2);
        float *auxv = test_randu(2 * C, 1500 + ci, -1, 1);
        clg_buf x = test_upload(ctx, xv, total), x2 = test_upload(ctx, x2v, total), aux = test_upload(ctx, auxv, 2 * C);
        for (int mode = CLG_SUM_X; mode <= CLG_SUM_DY_DYX; mode++) {
            int rows = mode == CLG_SUM_DY_DYX ? 2 * C : C;
            float div = mode == CLG_SUM_SQDEV ? (float)m : 1.0f;
            double *r = dalloc(rows);
            for (int c = 0; c < C; c++) {
                float mu = auxv[C + c] / div; /* aux_off = C */
                for (size_t b = 0; b < n; b++)
                    for (size_t k = 0; k < hw; k++) {
                        size_t i = (b * C + c) * hw + k;
                        double v = xv[i], d = (double)xv[i] - mu;
                        r[c] += mode == CLG_SUM_X ? v : mode == CLG_SUM_SQ ? v * v : mode == CLG_SUM_SQDEV ? d * d : v;
                        if (mode == CLG_SUM_DY_DYX) r[C + c] += v * ((double)x2v[i] - mu);
                    }
            }
            for (int si = 0; si < 2; si++) {
                size_t span = si ? 2 * CLG_RED_WG : CLG_RED_SPAN, nsc = clg_sum_scratch_span(rows, m, span);
                float *init = malloc((off + rows) * sizeof *init);
                for (size_t i = 0; i < off + rows; i++) init[i] = i < off ? -7.0f : 0.5f;
                float *first = NULL;
                for (int rep = 0; rep < 2; rep++)
                    for (int acc = 0; acc <= 1; acc++) {
                        clg_buf out = up_pad(init, off + rows), sc = up_pad(NULL, off + nsc);
                        CHECK_OK(ctx, clg_chan_sums_span(ctx, span, &out, off, acc, &sc, off, mode, &x, &x2, &aux, C, div, n,
                                                         C, hw));
                        float *h = down_pad(&out, off + rows, "chan_sums");
                        float *hs = down_pad(&sc, off + nsc, "chan_sums scratch");
                        double e = 0;
                        for (int j = 0; j < rows; j++) {
                            double want = r[j] + (acc ? 0.5 : 0.0);
                            double d = fabs(h[off + j] - want) / fmax(1.0, fabs(want));
                            if (!(d <= e)) e = d;
                        }
                        CHECK_ERR(e, TOL_RED, "chan_sums mode %d n=%zu C=%d hw=%zu span %zu acc=%d: err %g", mode, n, C, hw,
                                  span, acc, e);
                        for (size_t i = 0; i < off; i++) {
                            CHECK(h[i] == -7.0f, "chan_sums mode %d n=%zu C=%d hw=%zu wrote before out_off", mode, n, C, hw);
                            CHECK(hs[i] == 0.0f, "chan_sums mode %d n=%zu C=%d hw=%zu wrote before scratch_off", mode, n, C,
                                  hw);
                        }
                        if (!acc && !rep) first = h;
                        else {
                            if (!acc) CHECK(!memcmp(first + off, h + off, rows * sizeof *h),
                                            "chan_sums mode %d n=%zu C=%d hw=%zu: a second run differs", mode, n, C, hw);
                            free(h);
                        }
                        free(hs);
                        clg_buf_release(&out), clg_buf_release(&sc);
                    }
                free(first), free(init);
            }
            free(r);
        }
        free(xv), free(x2v), free(auxv);
        clg_buf_release(&x), clg_buf_release(&x2), clg_buf_release(&aux);
    }
}

/* ---- activation.cl ------------------------------------------------------------------------------ */

static void test_activations(void)
{
    static const float slopes[] = {0.0f, 0.01f, 0.3f};
    FOR_SIZES(n) {
        float *xv = test_randu(n, 300 + (unsigned)n, -6, 6), *dyv = test_randu(n, 400 + (unsigned)n, -2, 2);
        if (n >= 3) xv[1] = 0.0f; /* the kink: x > 0 is false at 0 */
        clg_buf x = up_pad(xv, n), dy = up_pad(dyv, n), y = up_pad(NULL, n), dx = up_pad(NULL, n);
        double *r = dalloc(n);
        for (int s = 0; s < 3; s++) {
            float sl = slopes[s];
            CHECK_OK(ctx, CLG_LAUNCH1(ctx, CLG_K_LEAKY_FWD, n, KA_MEM(y.sub), KA_MEM(x.sub), KA_INT(n), KA_FLT(sl)));
            float *h = down_pad(&y, n, "leaky_fwd");
            for (size_t i = 0; i < n; i++) r[i] = ref_leaky(xv[i], sl);
            double e = errv(h, r, n, 1);
            CHECK_ERR(e, TOL_ELEM, "leaky_fwd slope=%g n=%zu err %g", sl, n, e);
            free(h);
            CHECK_OK(ctx, CLG_LAUNCH1(ctx, CLG_K_LEAKY_BWD, n, KA_MEM(dx.sub), KA_MEM(dy.sub), KA_MEM(x.sub), KA_INT(n),
                                      KA_FLT(sl)));
            h = down_pad(&dx, n, "leaky_bwd");
            for (size_t i = 0; i < n; i++) r[i] = ref_leaky_bwd(dyv[i], xv[i], sl);
            e = errv(h, r, n, 1);
            CHECK_ERR(e, TOL_ELEM, "leaky_bwd slope=%g n=%zu err %g", sl, n, e);
            free(h);
        }
        /* tanh and sigmoid: forward, then backward from the device's y */
        for (int k = 0; k < 2; k++) {
            const char *name = k ? "sigmoid" : "tanh";
            CHECK_OK(ctx, CLG_LAUNCH1(ctx, k ? CLG_K_SIGMOID_FWD : CLG_K_TANH_FWD, n, KA_MEM(y.sub), KA_MEM(x.sub),
                                      KA_INT(n)));
            float *h = down_pad(&y, n, name);
            for (size_t i = 0; i < n; i++) r[i] = k ? ref_sigmoid(xv[i]) : ref_tanh(xv[i]);
            double e = errv(h, r, n, 1);
            CHECK_ERR(e, TOL_ELEM, "%s_fwd n=%zu err %g", name, n, e);
            CHECK_OK(ctx, CLG_LAUNCH1(ctx, k ? CLG_K_SIGMOID_BWD : CLG_K_TANH_BWD, n, KA_MEM(dx.sub), KA_MEM(dy.sub),
                                      KA_MEM(y.sub), KA_INT(n)));
            float *g = down_pad(&dx, n, name);
            for (size_t i = 0; i < n; i++) r[i] = k ? ref_sigmoid_bwd(dyv[i], h[i]) : ref_tanh_bwd(dyv[i], h[i]);
            e = errv(g, r, n, 1);
            CHECK_ERR(e, TOL_ELEM, "%s_bwd n=%zu err %g", name, n, e);
            free(h), free(g);
        }
        free(r), free(xv), free(dyv);
        clg_buf_release(&x), clg_buf_release(&dy), clg_buf_release(&y), clg_buf_release(&dx);
    }
    /* saturation: no NaN or overflow at large |x| */
    float big[6] = {-100.0f, -30.0f, -0.0f, 0.0f, 30.0f, 100.0f};
    double r[6];
    clg_buf x = up_pad(big, 6), y = up_pad(NULL, 6);
    for (int k = 0; k < 2; k++) {
        CHECK_OK(ctx, CLG_LAUNCH1(ctx, k ? CLG_K_SIGMOID_FWD : CLG_K_TANH_FWD, 6, KA_MEM(y.sub), KA_MEM(x.sub),
                                  KA_INT(6)));
        float *h = down_pad(&y, 6, "saturation");
        for (int i = 0; i < 6; i++) r[i] = k ? ref_sigmoid(big[i]) : ref_tanh(big[i]);
        double e = errv(h, r, 6, 1);
        CHECK_ERR(e, TOL_ELEM, "%s at +-100 err %g", k ? "sigmoid" : "tanh", e);
        free(h);
    }
    clg_buf_release(&x), clg_buf_release(&y);
}

/* ---- random.cl ---------------------------------------------------------------------------------- */

static void test_dropout_kernels(void)
{
    static const float ps[] = {0.0f, 0.3f, 0.5f, 0.9f};
    FOR_SIZES(n) {
        float *xv = test_randu(n, 500 + (unsigned)n, 0.5f, 2.0f), *dyv = test_randu(n, 600 + (unsigned)n, 0.5f, 2.0f);
        for (size_t i = 0; i < n; i += 2) xv[i] = -xv[i], dyv[i] = -dyv[i]; /* nonzero: zero means dropped */
        clg_buf x = up_pad(xv, n), dy = up_pad(dyv, n), y = up_pad(NULL, n), dx = up_pad(NULL, n);
        double *r = dalloc(n);
        for (int k = 0; k < 4; k++) {
            float p = ps[k];
            uint32_t key = 0x9e3779b9u * (uint32_t)(k + 1) + (uint32_t)n;
            CHECK_OK(ctx, CLG_LAUNCH1(ctx, CLG_K_DROPOUT_FWD, n, KA_MEM(y.sub), KA_MEM(x.sub), KA_INT(n), KA_FLT(p),
                                      KA_UINT(key)));
            CHECK_OK(ctx, CLG_LAUNCH1(ctx, CLG_K_DROPOUT_BWD, n, KA_MEM(dx.sub), KA_MEM(dy.sub), KA_INT(n), KA_FLT(p),
                                      KA_UINT(key)));
            float *h = down_pad(&y, n, "dropout_fwd"), *g = down_pad(&dx, n, "dropout_bwd");
            int mask_ok = 1, same = 1;
            for (size_t i = 0; i < n; i++) {
                int keep = ref_dropout_keep(key, (uint32_t)i, p);
                mask_ok &= (h[i] != 0.0f) == keep;
                same &= (h[i] != 0.0f) == (g[i] != 0.0f);
                r[i] = ref_dropout(xv[i], key, (uint32_t)i, p);
            }
            CHECK(mask_ok, "dropout_fwd p=%g n=%zu: mask differs from ref", p, n);
            CHECK(same, "dropout p=%g n=%zu: backward mask differs from forward", p, n);
            double e = errv(h, r, n, 1);
            CHECK_ERR(e, TOL_ELEM, "dropout_fwd p=%g n=%zu err %g", p, n, e);
            for (size_t i = 0; i < n; i++) r[i] = ref_dropout(dyv[i], key, (uint32_t)i, p);
            e = errv(g, r, n, 1);
            CHECK_ERR(e, TOL_ELEM, "dropout_bwd p=%g n=%zu err %g", p, n, e);
            if (p == 0.0f) CHECK(!memcmp(h, xv, n * sizeof *h), "dropout p=0 n=%zu is not the identity", n);
            free(h), free(g);
        }
        free(r), free(xv), free(dyv);
        clg_buf_release(&x), clg_buf_release(&dy), clg_buf_release(&y), clg_buf_release(&dx);
    }
    /* kept fraction: binomial(N, 1-p) within 5 standard deviations */
    size_t N = small_mode ? 100 : 100000;
    float *ones = malloc(N * sizeof *ones);
    for (size_t i = 0; i < N; i++) ones[i] = 1.0f;
    clg_buf x = test_upload(ctx, ones, N), y = test_upload(ctx, NULL, N);
    for (int k = 1; k < 4; k++) {
        float p = ps[k];
        CHECK_OK(ctx, CLG_LAUNCH1(ctx, CLG_K_DROPOUT_FWD, N, KA_MEM(y.sub), KA_MEM(x.sub), KA_INT(N), KA_FLT(p),
                                  KA_UINT(777u + k)));
        float *h = test_download(ctx, &y, N);
        size_t kept = 0;
        int scaled = 1;
        for (size_t i = 0; i < N; i++) {
            if (h[i] != 0.0f) kept++, scaled &= fabs(h[i] - 1.0 / (1.0 - p)) <= 1e-6 / (1.0 - p);
        }
        double frac = (double)kept / N, sd = sqrt(p * (1.0 - p) / N);
        CHECK(fabs(frac - (1.0 - p)) <= 5 * sd, "dropout p=%g: kept %.4f of %zu, expected %.4f +- %.4f", p, frac, N,
              1.0 - p, 5 * sd);
        CHECK(scaled, "dropout p=%g: kept values are not 1/(1-p)", p);
        free(h);
    }
    free(ones);
    clg_buf_release(&x), clg_buf_release(&y);
}

static void test_noise(void)
{
    FOR_SIZES(n) {
        clg_buf z = up_pad(NULL, n);
        uint32_t key = 0xabcdef01u ^ (uint32_t)n;
        CHECK_OK(ctx, CLG_LAUNCH1(ctx, CLG_K_NOISE_NORMAL, n, KA_MEM(z.sub), KA_INT(n), KA_UINT(key), KA_FLT(0.5f),
                                  KA_FLT(2.0f)));
        float *h = down_pad(&z, n, "noise_normal");
        double *r = dalloc(n);
        for (size_t i = 0; i < n; i++) r[i] = ref_noise_normal(key, (uint32_t)i, 0.5, 2.0);
        double e = errv(h, r, n, 1);
        CHECK_ERR(e, TOL_ELEM, "noise_normal n=%zu err %g", n, e);
        free(h);
        CHECK_OK(ctx, CLG_LAUNCH1(ctx, CLG_K_NOISE_UNIFORM, n, KA_MEM(z.sub), KA_INT(n), KA_UINT(key), KA_FLT(-1.5f),
                                  KA_FLT(2.5f)));
        h = down_pad(&z, n, "noise_uniform");
        for (size_t i = 0; i < n; i++) r[i] = ref_noise_uniform(key, (uint32_t)i, -1.5, 2.5);
        e = errv(h, r, n, 1);
        CHECK_ERR(e, TOL_ELEM, "noise_uniform n=%zu err %g", n, e);
        free(h), free(r);
        clg_buf_release(&z);
    }

    /* statistics over N samples: mean within 5 standard errors, std within 5 of its standard
     * error sqrt(1/(2N)) relative (normal), plus a kurtosis-free check for the uniform */
    size_t N = small_mode ? 100 : 100000;
    clg_buf z = test_upload(ctx, NULL, N), z2 = test_upload(ctx, NULL, N);
    const double mean = -0.75, sd = 1.5;
    CHECK_OK(ctx, CLG_LAUNCH1(ctx, CLG_K_NOISE_NORMAL, N, KA_MEM(z.sub), KA_INT(N), KA_UINT(42u), KA_FLT(mean),
                              KA_FLT(sd)));
    CHECK_OK(ctx, CLG_LAUNCH1(ctx, CLG_K_NOISE_NORMAL, N, KA_MEM(z2.sub), KA_INT(N), KA_UINT(42u), KA_FLT(mean),
                              KA_FLT(sd)));
    float *a = test_download(ctx, &z, N), *b = test_download(ctx, &z2, N);
    CHECK(!memcmp(a, b, N * sizeof *a), "noise_normal: same key gives different values");
    double s = 0, s2 = 0;
    int finite = 1;
    for (size_t i = 0; i < N; i++) s += a[i], finite &= isfinite(a[i]);
    double m = s / N;
    for (size_t i = 0; i < N; i++) s2 += (a[i] - m) * (a[i] - m);
    double sdev = sqrt(s2 / (N - 1));
    CHECK(finite, "noise_normal: non-finite values");
    CHECK(fabs(m - mean) <= 5 * sd / sqrt((double)N), "noise_normal: mean %g, expected %g", m, mean);
    CHECK(fabs(sdev / sd - 1) <= 5 / sqrt(2.0 * N), "noise_normal: std %g, expected %g", sdev, sd);
    /* another key: different values */
    CHECK_OK(ctx, CLG_LAUNCH1(ctx, CLG_K_NOISE_NORMAL, N, KA_MEM(z2.sub), KA_INT(N), KA_UINT(43u), KA_FLT(mean),
                              KA_FLT(sd)));
    free(b);
    b = test_download(ctx, &z2, N);
    size_t same = 0;
    for (size_t i = 0; i < N; i++) same += a[i] == b[i];
    CHECK(same <= N / 100, "noise_normal: keys 42 and 43 share %zu of %zu values", same, N);
    free(a), free(b);

    const double lo = -1.0, hi = 3.0;
    CHECK_OK(ctx, CLG_LAUNCH1(ctx, CLG_K_NOISE_UNIFORM, N, KA_MEM(z.sub), KA_INT(N), KA_UINT(7u), KA_FLT(lo),
                              KA_FLT(hi)));
    CHECK_OK(ctx, CLG_LAUNCH1(ctx, CLG_K_NOISE_UNIFORM, N, KA_MEM(z2.sub), KA_INT(N), KA_UINT(7u), KA_FLT(lo),
                              KA_FLT(hi)));
    a = test_download(ctx, &z, N), b = test_download(ctx, &z2, N);
    CHECK(!memcmp(a, b, N * sizeof *a), "noise_uniform: same key gives different values");
    int inb = 1;
    float mn = a[0], mx = a[0];
    s = 0;
    for (size_t i = 0; i < N; i++) {
        inb &= a[i] >= lo && a[i] < hi;
        s += a[i];
        mn = fminf(mn, a[i]), mx = fmaxf(mx, a[i]);
    }
    m = s / N;
    double usd = (hi - lo) / sqrt(12.0);
    CHECK(inb, "noise_uniform: values outside [%g, %g): min %g max %g", lo, hi, mn, mx);
    CHECK(fabs(m - 0.5 * (lo + hi)) <= 5 * usd / sqrt((double)N), "noise_uniform: mean %g", m);
    /* the range is covered: min and max within 20/N of the ends (P(miss) = e^-20 for N = 1e5) */
    if (!small_mode) CHECK(mn - lo < 20 * (hi - lo) / N && hi - mx < 20 * (hi - lo) / N, "noise_uniform: range %g..%g", mn, mx);
    free(a), free(b);
    clg_buf_release(&z), clg_buf_release(&z2);
}

/* ---- data.cl ------------------------------------------------------------------------------------ */

static void test_gather(void)
{
    static const int cases[][4] = {{1, 1, 0, 1}, {3, 7, 2, 5}, {7, 13, 1, 9}, {65, 1, 3, 70}, {10, 100, 0, 12}};
    int nc = small_mode ? 4 : 5;
    for (int c = 0; c < nc; c++) {
        int n = cases[c][0], item = cases[c][1], base = cases[c][2], nitems = cases[c][3];
        int nidx = base + n + 2;
        uint8_t *data = malloc((size_t)nitems * item);
        int *idx = malloc(nidx * sizeof *idx);
        unsigned s = 99 + c;
        for (int i = 0; i < nitems * item; i++) data[i] = (uint8_t)(i * 37 + (i >> 3));
        data[0] = 0, data[nitems * item - 1] = 255;
        for (int i = 0; i < nidx; i++) idx[i] = (int)((test_rand(&s) + 1.0f) * 0.5f * nitems) % nitems;
        idx[base] = nitems - 1;
        cl_int e1, e2;
        cl_mem dm = clCreateBuffer(ctx->context, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, (size_t)nitems * item, data, &e1);
        cl_mem im = clCreateBuffer(ctx->context, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, nidx * sizeof(int), idx, &e2);
        CHECK_OK(ctx, e1 == CL_SUCCESS && e2 == CL_SUCCESS ? CLG_OK : CLG_ERR_NOMEM);
        size_t total = (size_t)n * item;
        clg_buf out = up_pad(NULL, total);
        const float scale = 1.0f / 127.5f, shift = -1.0f;
        CHECK_OK(ctx, CLG_LAUNCH1(ctx, CLG_K_GATHER_U8, total, KA_MEM(out.sub), KA_MEM(dm), KA_MEM(im), KA_INT(n),
                                  KA_INT(item), KA_INT(base), KA_FLT(scale), KA_FLT(shift)));
        float *h = down_pad(&out, total, "gather_u8");
        double *r = dalloc(total);
        ref_gather_u8(r, data, idx, n, item, base, scale, shift);
        double e = errv(h, r, total, 1);
        CHECK_ERR(e, TOL_ELEM, "gather_u8 n=%d item=%d base=%d err %g", n, item, base, e);
        free(h), free(r), free(data), free(idx);
        clReleaseMemObject(dm), clReleaseMemObject(im);
        clg_buf_release(&out);
    }
}

/* ---- loss.cl ------------------------------------------------------------------------------------ */

static void test_bce(void)
{
    static const int ns_full[] = {1, 3, 64, 65, 200}, ns_small[] = {1, 3, 64, 65};
    /* (y, sign, real): D on real, D on fake, smoothed real label, minimax G, non-saturating G */
    static const float modes[][3] = {{1, 1, 1}, {0, 1, 0}, {0.9f, 1, 1}, {0, -1, 0}, {1, 1, 0}};
    int nn = small_mode ? 4 : 5;
    for (int ni = 0; ni < nn; ni++) {
        int n = small_mode ? ns_small[ni] : ns_full[ni];
        for (int fl = 0; fl <= 1; fl++) {
            float *z = fl ? test_randu(n, 700 + n, -8, 8) : test_randu(n, 800 + n, 0.001f, 0.999f);
            for (int i = 0; i < n; i++) { /* keep p away from 0.5 so float and double agree on accuracy */
                float c = fl ? 0.0f : 0.5f;
                if (fabsf(z[i] - c) < 1e-3f) z[i] = c + (z[i] < c ? -1e-3f : 1e-3f);
            }
            if (fl && n >= 3) z[0] = 60.0f, z[2] = -60.0f;         /* stable for large |s| */
            if (!fl && n >= 3) z[0] = 0.0f, z[2] = 1.0f;           /* log clamped at -100 */
            clg_buf zb = test_upload(ctx, z, n), dz = up_pad(NULL, n);
            for (int m = 0; m < 5; m++) {
                float y = modes[m][0], sign = modes[m][1];
                int real = (int)modes[m][2], off = 3 * (m % 2);
                clg_buf st = up_pad(NULL, 6);
                CHECK_OK(ctx, CLG_LAUNCH_GROUP(ctx, CLG_K_BCE, KA_MEM(dz.sub), KA_MEM(st.sub), KA_MEM(zb.sub), KA_INT(n),
                                               KA_FLT(y), KA_FLT(sign), KA_INT(fl), KA_INT(real), KA_INT(off)));
                float *g = down_pad(&dz, n, "bce dz"), *s = down_pad(&st, 6, "bce stats");
                double *rg = dalloc(n), rs[3];
                ref_bce(rg, rs, z, n, y, sign, fl, real);
                double e = errv(g, rg, n, 1.0 / n); /* relative to the 1/n scale of dz */
                CHECK_ERR(e, TOL_ELEM, "bce dz n=%d logits=%d y=%g sign=%g err %g", n, fl, y, sign, e);
                e = errv(s + off, rs, 2, 1);
                CHECK_ERR(e, TOL_RED, "bce loss/mean p n=%d logits=%d y=%g sign=%g: %g %g vs %g %g", n, fl, y, sign,
                      s[off], s[off + 1], rs[0], rs[1]);
                CHECK(fabs(s[off + 2] - rs[2]) <= 1e-6, "bce accuracy n=%d logits=%d real=%d: %g vs %g", n, fl, real,
                      s[off + 2], rs[2]);
                CHECK(s[3 - off] == 0.0f && s[4 - off] == 0.0f && s[5 - off] == 0.0f,
                      "bce n=%d wrote stats outside off=%d", n, off);
                free(g), free(s), free(rg);
                clg_buf_release(&st);
            }
            free(z);
            clg_buf_release(&zb), clg_buf_release(&dz);
        }
    }
}

/* The trainer's statistics ring: each loss launch writes 3 values at its slot offset; on the last
 * step of the ring none may land past the ring (guards after it, in the same allocation, so a
 * write past the end shows on any device, and Oclgrind reports it on the sub-buffer). */
static void test_bce_ring(void)
{
    const int ring = 2, n = 5, guard = 8;
    const int offs[] = {S_D_LOSS_REAL, S_D_LOSS_FAKE, S_G_LOSS};
    float *z = test_randu(n, 901, -3, 3);
    clg_buf zb = test_upload(ctx, z, n), dz = up_pad(NULL, n);
    size_t total = (size_t)ring * S_NSTATS + guard;
    float *init = malloc(total * sizeof *init);
    for (size_t i = 0; i < total; i++) init[i] = SENTINEL;
    clg_buf all = test_upload(ctx, init, total), ringb;
    CHECK_OK(ctx, clg_buf_view(ctx, &ringb, &all, 0, (size_t)ring * S_NSTATS, "ring"));
    for (int k = 0; k < 3; k++) {
        int off = (ring - 1) * S_NSTATS + offs[k];
        CHECK(offs[k] + 3 <= S_NSTATS, "bce ring: slot %d + 3 values pass the %d per step", offs[k], S_NSTATS);
        CHECK_OK(ctx, CLG_LAUNCH_GROUP(ctx, CLG_K_BCE, KA_MEM(dz.sub), KA_MEM(ringb.sub), KA_MEM(zb.sub), KA_INT(n),
                                       KA_FLT(1.0f), KA_FLT(1.0f), KA_INT(1), KA_INT(1), KA_INT(off)));
    }
    float *h = test_download(ctx, &all, total);
    for (int i = ring * S_NSTATS; i < (int)total; i++)
        CHECK(h[i] == SENTINEL, "bce on the last ring slot wrote %g past the ring (index %d of %d)", h[i], i,
              ring * S_NSTATS);
    free(h), free(init), free(z);
    clg_buf_release(&ringb), clg_buf_release(&all), clg_buf_release(&zb), clg_buf_release(&dz);
}

/* ---- optim.cl ----------------------------------------------------------------------------------- */

static void to_double(double *d, const float *f, size_t n)
{
    for (size_t i = 0; i < n; i++) d[i] = f[i];
}

static void test_optimizers(void)
{
    FOR_SIZES(n) {
        for (int opt = 0; opt < 3; opt++)
            for (int variant = 0; variant < 2; variant++) {
                const char *name = opt == 0 ? "sgd" : opt == 1 ? "adam" : "rmsprop";
                float *pv = test_randu(n, 900 + (unsigned)n, -1, 1);
                double *rp = dalloc(n), *rm = dalloc(n), *rv = dalloc(n), *rgr = dalloc(n);
                to_double(rp, pv, n);
                clg_buf p = up_pad(pv, n), m = up_pad(NULL, n), v = up_pad(NULL, n), g = up_pad(NULL, n);
                const double lr = 0.1, mom = variant ? 0.9 : 0.0, b1 = 0.9, b2 = 0.999, rho = 0.9;
                const double eps = variant ? 1e-3 : 1e-8; /* 1e-3 is comparable to sqrt(v): eps placement */
                for (long t = 1; t <= 3; t++) {
                    float *gv = test_randu(n, 1000 * (unsigned)t + (unsigned)n, -1, 1);
                    if (variant) for (size_t i = 0; i < n; i++) gv[i] *= 1e-2f;
                    CHECK_OK(ctx, clg_buf_write(ctx, &g, gv, n, 1));
                    to_double(rgr, gv, n);
                    if (opt == 0) {
                        CHECK_OK(ctx, CLG_LAUNCH1(ctx, CLG_K_SGD, n, KA_MEM(p.sub), KA_MEM(g.sub), KA_MEM(m.sub),
                                                  KA_LONG(n), KA_FLT(lr), KA_FLT(mom)));
                        ref_sgd(rp, rm, rgr, n, (float)lr, (float)mom);
                    } else if (opt == 1) {
                        double c1, c2;
                        ref_adam_consts(lr, (float)b1, (float)b2, t, &c1, &c2);
                        CHECK_OK(ctx, CLG_LAUNCH1(ctx, CLG_K_ADAM, n, KA_MEM(p.sub), KA_MEM(g.sub), KA_MEM(m.sub),
                                                  KA_MEM(v.sub), KA_LONG(n), KA_FLT(c1), KA_FLT(b1), KA_FLT(b2),
                                                  KA_FLT(c2), KA_FLT(eps)));
                        ref_adam(rp, rm, rv, rgr, n, (float)c1, (float)b1, (float)b2, (float)c2, (float)eps);
                    } else {
                        CHECK_OK(ctx, CLG_LAUNCH1(ctx, CLG_K_RMSPROP, n, KA_MEM(p.sub), KA_MEM(g.sub), KA_MEM(v.sub),
                                                  KA_LONG(n), KA_FLT(lr), KA_FLT(rho), KA_FLT(eps)));
                        ref_rmsprop(rp, rv, rgr, n, (float)lr, (float)rho, (float)eps);
                    }
                    float *hp = down_pad(&p, n, name), *hm = down_pad(&m, n, name), *hv = down_pad(&v, n, name);
                    double e = errv(hp, rp, n, 1);
                    CHECK_ERR(e, TOL_OPT, "%s variant %d n=%zu t=%ld: params err %g", name, variant, n, t, e);
                    if (opt <= 1) {
                        e = errv(hm, rm, n, variant ? 1e-3 : 0.1); /* m cancels: floor 0.1 |g| */
                        CHECK_ERR(e, TOL_ELEM, "%s variant %d n=%zu t=%ld: m err %g", name, variant, n, t, e);
                    }
                    if (opt >= 1) {
                        e = errv(hv, rv, n, 1e-9);
                        CHECK_ERR(e, TOL_ELEM, "%s variant %d n=%zu t=%ld: v err %g", name, variant, n, t, e);
                    }
                    free(hp), free(hm), free(hv), free(gv);
                }
                free(pv), free(rp), free(rm), free(rv), free(rgr);
                clg_buf_release(&p), clg_buf_release(&m), clg_buf_release(&v), clg_buf_release(&g);
            }
    }
}

static void test_clipping(void)
{
    FOR_SIZES(n) {
        float *gv = test_randu(n, 1100 + (unsigned)n, -2, 2);
        double *r = dalloc(n);
        /* clip_value */
        clg_buf g = up_pad(gv, n);
        CHECK_OK(ctx, CLG_LAUNCH1(ctx, CLG_K_CLIP_VALUE, n, KA_MEM(g.sub), KA_LONG(n), KA_FLT(0.5f)));
        float *h = down_pad(&g, n, "clip_value");
        to_double(r, gv, n);
        ref_clip_value(r, n, 0.5);
        CHECK(errv(h, r, n, 1) == 0, "clip_value n=%zu", n);
        free(h);
        /* the squared norm, as clg_net_update takes it: result then partial sums in one buffer */
        clg_buf sq = up_pad(NULL, 1 + clg_sum_scratch(1, n));
        CHECK_OK(ctx, clg_buf_write(ctx, &g, gv, n, 1));
        CHECK_OK(ctx, clg_chan_sums(ctx, &sq, 0, 0, &sq, 1, CLG_SUM_SQ, &g, NULL, NULL, 0, 1.0f, 1, 1, n));
        h = down_pad(&sq, 1 + clg_sum_scratch(1, n), "sumsq");
        to_double(r, gv, n);
        double rs = ref_sumsq(r, n);
        CHECK(fabs(h[0] - rs) <= TOL_RED * fmax(1, rs), "sumsq n=%zu: %g vs %g", n, h[0], rs);
        free(h);
        /* clip_scale: once scaling (max_norm below the norm), once not (above: unchanged) */
        for (int k = 0; k < 2; k++) {
            double norm = sqrt(rs), maxn = k ? 2 * norm + 1 : 0.5 * norm;
            CHECK_OK(ctx, clg_buf_write(ctx, &g, gv, n, 1));
            CHECK_OK(ctx, clg_chan_sums(ctx, &sq, 0, 0, &sq, 1, CLG_SUM_SQ, &g, NULL, NULL, 0, 1.0f, 1, 1, n));
            CHECK_OK(ctx, CLG_LAUNCH1(ctx, CLG_K_CLIP_SCALE, n, KA_MEM(g.sub), KA_MEM(sq.sub), KA_LONG(n),
                                      KA_FLT(maxn)));
            h = down_pad(&g, n, "clip_scale");
            to_double(r, gv, n);
            ref_clip_norm(r, n, (float)maxn);
            double e = errv(h, r, n, 1);
            CHECK_ERR(e, TOL_ELEM, "clip_scale n=%zu max_norm=%g err %g", n, maxn, e);
            if (k) CHECK(!memcmp(h, gv, n * sizeof *h), "clip_scale n=%zu: changed g below max_norm", n);
            else {
                double s2 = 0;
                for (size_t i = 0; i < n; i++) s2 += (double)h[i] * h[i];
                CHECK(fabs(sqrt(s2) - maxn) <= TOL_RED * maxn, "clip_scale n=%zu: norm %g, max %g", n, sqrt(s2), maxn);
            }
            free(h);
        }
        free(gv), free(r);
        clg_buf_release(&g), clg_buf_release(&sq);
    }
}

/* ---- clg_gemm ----------------------------------------------------------------------------------- */

/* One GEMM with leading dimensions padded by `ldpad` and the operands placed at offset `off`
 * floats inside bigger buffers (views, as in the network arenas) when `view` is set. */
static void gemm_case(int ta, int tb, size_t M, size_t N, size_t K, float alpha, float beta, size_t ldpad, int view)
{
    size_t ar = ta ? K : M, ac = ta ? M : K, br = tb ? N : K, bc = tb ? K : N;
    size_t lda = ac + ldpad, ldb = bc + ldpad, ldc = N + ldpad;
    size_t na = ar * lda, nb = br * ldb, nc = M * ldc;
    unsigned seed = (unsigned)(M * 131 + N * 17 + K + ta * 2 + tb);
    float *av = test_randu(na, seed, -1, 1), *bv = test_randu(nb, seed + 1, -1, 1), *cv = test_randu(nc, seed + 2, -1, 1);
    if (beta == 0.0f) /* BLAS: C is not read when beta = 0 (the layers rely on it: NaN must not leak in) */
        for (size_t i = 0; i < M; i++)
            for (size_t j = 0; j < N; j++) cv[i * ldc + j] = NAN;
    clg_buf A, B, C, pa, pb, pc;
    size_t off = view ? clg_align_floats(ctx) : 0;
    if (view) { /* each parent written whole (see shadow_sync), then views into it */
        float *t = calloc(2 * off + na + nb + nc + PAD, sizeof *t);
        memcpy(t + off, av, na * sizeof *av);
        pa = test_upload(ctx, t, off + na + PAD);
        memset(t, 0, 2 * off * sizeof *t);
        memcpy(t + 2 * off, bv, nb * sizeof *bv);
        pb = test_upload(ctx, t, 2 * off + nb);
        memset(t, 0, off * sizeof *t);
        memcpy(t + off, cv, nc * sizeof *cv);
        free(t);
        pc = up_pad(NULL, off + nc);
        t = test_download(ctx, &pc, off + nc + PAD);
        memcpy(t + off, cv, nc * sizeof *cv);
        CHECK_OK(ctx, clg_buf_write(ctx, &pc, t, off + nc + PAD, 1));
        free(t);
        CHECK_OK(ctx, clg_buf_view(ctx, &A, &pa, off, na, "A"));
        CHECK_OK(ctx, clg_buf_view(ctx, &B, &pb, 2 * off, nb, "B"));
        CHECK_OK(ctx, clg_buf_view(ctx, &C, &pc, off, nc, "C"));
    } else {
        A = test_upload(ctx, av, na), B = test_upload(ctx, bv, nb), C = up_pad(cv, nc);
    }
    CHECK_OK(ctx, clg_gemm(ctx, ta, tb, M, N, K, alpha, &A, lda, &B, ldb, beta, &C, ldc));
    float *h = view ? down_pad(&pc, off + nc, "gemm") : down_pad(&C, nc, "gemm");
    float *hc = h + off;
    double *r = dalloc(nc);
    ref_gemm(ta, tb, M, N, K, alpha, av, lda, bv, ldb, beta, cv, r, ldc);
    /* only the (M, N) block; the padding columns of C must be untouched */
    double e = 0;
    int pad_ok = 1;
    for (size_t i = 0; i < M; i++) {
        double ei = errv(hc + i * ldc, r + i * ldc, N, 1);
        if (!(ei <= e)) e = ei;
        for (size_t j = N; j < ldc; j++) pad_ok &= hc[i * ldc + j] == cv[i * ldc + j];
    }
    int front_ok = 1;
    for (size_t i = 0; i < off; i++) front_ok &= h[i] == 0.0f;
    CHECK_ERR(e, TOL_RED, "gemm %c%c M=%zu N=%zu K=%zu alpha=%g beta=%g ldpad=%zu view=%d: err %g", ta ? 'T' : 'N',
          tb ? 'T' : 'N', M, N, K, alpha, beta, ldpad, view, e);
    CHECK(pad_ok && front_ok, "gemm %c%c M=%zu N=%zu K=%zu: wrote outside C's block", ta ? 'T' : 'N', tb ? 'T' : 'N',
          M, N, K);
    free(h), free(r), free(av), free(bv), free(cv);
    clg_buf_release(&A), clg_buf_release(&B), clg_buf_release(&C);
    if (view) clg_buf_release(&pa), clg_buf_release(&pb), clg_buf_release(&pc);
}

static void test_gemm(void)
{
    /* up to a real MLP GAN layer (batch 64, 784 -> 257), and one above CLBlast's default
     * XGEMM_MIN_INDIRECT_SIZE (384^3 multiply-adds), where it switches from its direct kernels to
     * the indirect path (pad/transpose copies, then the tiled kernel) */
    static const size_t full[][3] = {{1, 1, 1},    {3, 7, 5},    {7, 1, 13},     {17, 13, 9},   {64, 64, 64},
                                     {65, 33, 63}, {100, 70, 131}, {64, 257, 784}, {128, 520, 1031}};
    static const size_t small[][3] = {{1, 1, 1}, {3, 7, 5}, {7, 1, 13}, {16, 15, 9}};
    int nc = small_mode ? 4 : 9;
    for (int c = 0; c < nc; c++) {
        const size_t *s = small_mode ? small[c] : full[c];
        for (int ta = 0; ta < 2; ta++)
            for (int tb = 0; tb < 2; tb++)
                for (int beta = 0; beta < 2; beta++) gemm_case(ta, tb, s[0], s[1], s[2], 1.0f, (float)beta, 0, 0);
    }
    /* strided, at an offset inside a bigger buffer, alpha != 1 */
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++) {
            gemm_case(ta, tb, 5, 3, 7, -0.5f, 1.0f, 3, 1);
            gemm_case(ta, tb, 9, 11, 2, 2.0f, 0.0f, 1, 1);
        }
}

/* ---- layers through the ops table --------------------------------------------------------------- */

/* Create layer `text` on input shape `in` for a batch of n, with its parameters and output in
 * buffers of its own. Returns the create status (so that errors can be tested). */
static int layer_make(clg_layer *l, const char *text, clg_shape in, int n, char *err, size_t errlen)
{
    clg_err e;
    int st = clg_layer_create(l, text, "test:1", in, n, 0, &e);
    if (st != CLG_OK) { /* the head of the message, as much as err holds */
        size_t m = strnlen(e.msg, errlen - 1);
        memcpy(err, e.msg, m);
        err[m] = 0;
        return st;
    }
    l->key = 0x1234567u;
    for (int j = 0; j < l->nparams; j++) {
        l->params[j].value = test_upload(ctx, NULL, l->params[j].count);
        l->params[j].grad = test_upload(ctx, NULL, l->params[j].count);
    }
    l->y = up_pad(NULL, (size_t)n * clg_shape_size(l->out));
    if (l->scratch_floats) l->scratch = up_pad(NULL, l->scratch_floats); /* e.g. the bias gradient's passes */
    return CLG_OK;
}

static void layer_free(clg_layer *l)
{
    for (int j = 0; j < l->nparams; j++) clg_buf_release(&l->params[j].value), clg_buf_release(&l->params[j].grad);
    clg_buf_release(&l->y);
    if (l->scratch_floats) clg_buf_release(&l->scratch);
    l->ops->destroy(l);
}

static void test_dense_layer(void)
{
    static const int full[][4] = {{1, 1, 1, 1}, {3, 7, 5, 1}, {4, 6, 3, 0}, {65, 33, 17, 1}, {64, 100, 1, 1}};
    static const int small[][4] = {{1, 1, 1, 1}, {3, 7, 5, 1}, {4, 6, 3, 0}, {9, 10, 7, 1}};
    int nc = small_mode ? 4 : 5;
    char err[512], text[64];
    for (int c = 0; c < nc; c++) {
        const int *s = small_mode ? small[c] : full[c];
        int n = s[0], in = s[1], out = s[2], bias = s[3];
        clg_layer l;
        snprintf(text, sizeof text, "dense units=%d bias=%d", out, bias);
        int st = layer_make(&l, text, (clg_shape){in, 1, 1}, n, err, sizeof err);
        CHECK(st == CLG_OK, "%s: %s", text, err);
        if (st != CLG_OK) continue;
        CHECK(l.out.c == out && l.out.h == 1 && l.out.w == 1 && l.nparams == 1 + bias, "%s: shape/params", text);
        CHECK(l.params[0].count == (size_t)out * in && (!bias || l.params[1].count == (size_t)out), "%s: counts", text);
        float *w = test_randu((size_t)out * in, 40 + c, -1, 1), *b = test_randu(out, 41 + c, -1, 1);
        float *xv = test_randu((size_t)n * in, 42 + c, -1, 1), *dyv = test_randu((size_t)n * out, 43 + c, -1, 1);
        float *g0 = test_randu((size_t)out * in, 44 + c, -1, 1), *gb0 = test_randu(out, 45 + c, -1, 1);
        CHECK_OK(ctx, clg_buf_write(ctx, &l.params[0].value, w, (size_t)out * in, 1));
        CHECK_OK(ctx, clg_buf_write(ctx, &l.params[0].grad, g0, (size_t)out * in, 1));
        if (bias) CHECK_OK(ctx, clg_buf_write(ctx, &l.params[1].value, b, out, 1));
        if (bias) CHECK_OK(ctx, clg_buf_write(ctx, &l.params[1].grad, gb0, out, 1));
        clg_buf x = test_upload(ctx, xv, (size_t)n * in), dy = test_upload(ctx, dyv, (size_t)n * out);
        clg_buf dx = up_pad(NULL, (size_t)n * in);
        CHECK_OK(ctx, l.ops->forward(&l, ctx, &l.y, &x, n, 1));
        float *h = down_pad(&l.y, (size_t)n * out, "dense forward");
        double *r = dalloc((size_t)n * out);
        ref_dense_fwd(r, xv, w, bias ? b : NULL, n, in, out);
        double e = errv(h, r, (size_t)n * out, 1);
        CHECK_ERR(e, TOL_RED, "%s n=%d in=%d forward err %g", text, n, in, e);
        free(h), free(r);

        /* backward twice: dx overwritten, dW and db accumulated onto their initial values */
        CHECK_OK(ctx, l.ops->backward(&l, ctx, &dx, &dy, &x, &l.y, n, 1));
        CHECK_OK(ctx, l.ops->backward(&l, ctx, NULL, &dy, &x, &l.y, n, 1));
        double *rdx = dalloc((size_t)n * in), *rdw = dalloc((size_t)out * in), *rdb = dalloc(out);
        to_double(rdw, g0, (size_t)out * in);
        to_double(rdb, gb0, out);
        ref_dense_bwd(rdx, rdw, rdb, dyv, xv, w, n, in, out);
        ref_dense_bwd(NULL, rdw, rdb, dyv, xv, w, n, in, out);
        h = down_pad(&dx, (size_t)n * in, "dense dx");
        e = errv(h, rdx, (size_t)n * in, 1);
        CHECK_ERR(e, TOL_RED, "%s n=%d in=%d dx err %g", text, n, in, e);
        free(h);
        h = test_download(ctx, &l.params[0].grad, (size_t)out * in);
        e = errv(h, rdw, (size_t)out * in, 1);
        CHECK_ERR(e, TOL_RED, "%s n=%d in=%d dW err %g", text, n, in, e);
        free(h);
        if (bias) {
            h = test_download(ctx, &l.params[1].grad, out);
            e = errv(h, rdb, out, 1);
            CHECK_ERR(e, TOL_RED, "%s n=%d in=%d db err %g", text, n, in, e);
            free(h);
        }
        /* param_grads = 0 leaves the gradients alone */
        float *before = test_download(ctx, &l.params[0].grad, (size_t)out * in);
        CHECK_OK(ctx, l.ops->backward(&l, ctx, &dx, &dy, &x, &l.y, n, 0));
        h = test_download(ctx, &l.params[0].grad, (size_t)out * in);
        CHECK(!memcmp(h, before, (size_t)out * in * sizeof *h), "%s: param_grads=0 changed dW", text);
        free(h), free(before);
        free(w), free(b), free(xv), free(dyv), free(g0), free(gb0), free(rdx), free(rdw), free(rdb);
        clg_buf_release(&x), clg_buf_release(&dy), clg_buf_release(&dx);
        layer_free(&l);
    }
    /* configuration errors */
    clg_layer l;
    CHECK(layer_make(&l, "dense units=3", (clg_shape){2, 3, 1}, 2, err, sizeof err) == CLG_ERR_CONFIG,
          "dense on a non-flat input must fail");
    CHECK(layer_make(&l, "dense units=0", (clg_shape){4, 1, 1}, 2, err, sizeof err) == CLG_ERR_CONFIG,
          "dense units=0 must fail");
    CHECK(layer_make(&l, "dense units=3 colour=red", (clg_shape){4, 1, 1}, 2, err, sizeof err) == CLG_ERR_CONFIG,
          "unknown option must fail");
}

static void test_elementwise_layers(void)
{
    static const char *texts[] = {"relu", "leaky_relu", "leaky_relu slope=0.3", "tanh", "sigmoid"};
    static const int kind[] = {0, 0, 0, 1, 2};
    static const double slope[] = {0.0, 0.01, 0.3, 0, 0};
    const clg_shape in = {3, 2, 5}; /* any shape: elementwise */
    const int n = 5;
    size_t total = (size_t)n * clg_shape_size(in);
    char err[512];
    float *xv = test_randu(total, 50, -4, 4), *dyv = test_randu(total, 51, -1, 1);
    clg_buf x = test_upload(ctx, xv, total), dy = test_upload(ctx, dyv, total), dx = up_pad(NULL, total);
    double *r = dalloc(total);
    for (int t = 0; t < 5; t++) {
        clg_layer l;
        int st = layer_make(&l, texts[t], in, n, err, sizeof err);
        CHECK(st == CLG_OK, "%s: %s", texts[t], err);
        if (st != CLG_OK) continue;
        CHECK(l.out.c == in.c && l.out.h == in.h && l.out.w == in.w && l.nparams == 0, "%s: shape", texts[t]);
        CHECK_OK(ctx, l.ops->forward(&l, ctx, &l.y, &x, n, 1));
        float *y = down_pad(&l.y, total, texts[t]);
        for (size_t i = 0; i < total; i++)
            r[i] = kind[t] == 0 ? ref_leaky(xv[i], (float)slope[t]) : kind[t] == 1 ? ref_tanh(xv[i]) : ref_sigmoid(xv[i]);
        double e = errv(y, r, total, 1);
        CHECK_ERR(e, TOL_ELEM, "%s layer forward err %g", texts[t], e);
        CHECK_OK(ctx, l.ops->backward(&l, ctx, &dx, &dy, &x, &l.y, n, 1));
        float *g = down_pad(&dx, total, texts[t]);
        for (size_t i = 0; i < total; i++)
            r[i] = kind[t] == 0   ? ref_leaky_bwd(dyv[i], xv[i], (float)slope[t])
                   : kind[t] == 1 ? ref_tanh_bwd(dyv[i], y[i])
                                  : ref_sigmoid_bwd(dyv[i], y[i]);
        e = errv(g, r, total, 1);
        CHECK_ERR(e, TOL_ELEM, "%s layer backward err %g", texts[t], e);
        CHECK_OK(ctx, l.ops->backward(&l, ctx, NULL, &dy, &x, &l.y, n, 1)); /* no dx: a no-op */
        free(y), free(g);
        layer_free(&l);
    }
    clg_layer l;
    CHECK(layer_make(&l, "relu slope=0.2", in, n, err, sizeof err) == CLG_ERR_CONFIG, "relu takes no slope");

    /* dropout: a new key per training forward, backward with the same mask, eval = identity */
    CHECK(layer_make(&l, "dropout p=0.4", in, n, err, sizeof err) == CLG_OK, "dropout: %s", err);
    uint32_t k0 = l.key;
    CHECK_OK(ctx, l.ops->forward(&l, ctx, &l.y, &x, n, 1));
    uint32_t k1 = l.key;
    CHECK(k1 != k0, "dropout: forward did not draw a new key");
    float *y = down_pad(&l.y, total, "dropout layer");
    int mask_ok = 1;
    for (size_t i = 0; i < total; i++) {
        r[i] = ref_dropout(xv[i], k1, (uint32_t)i, 0.4f);
        mask_ok &= (y[i] != 0.0f) == ref_dropout_keep(k1, (uint32_t)i, 0.4f);
    }
    CHECK(mask_ok, "dropout layer: mask differs from ref");
    double e = errv(y, r, total, 1);
    CHECK_ERR(e, TOL_ELEM, "dropout layer forward err %g", e);
    CHECK_OK(ctx, l.ops->backward(&l, ctx, &dx, &dy, &x, &l.y, n, 1));
    float *g = down_pad(&dx, total, "dropout layer dx");
    for (size_t i = 0; i < total; i++) r[i] = ref_dropout(dyv[i], k1, (uint32_t)i, 0.4f);
    e = errv(g, r, total, 1);
    CHECK_ERR(e, TOL_ELEM, "dropout layer backward err %g", e);
    free(y), free(g);
    CHECK_OK(ctx, l.ops->forward(&l, ctx, &l.y, &x, n, 1));
    CHECK(l.key != k1, "dropout: second forward reused the key");
    CHECK_OK(ctx, l.ops->forward(&l, ctx, &l.y, &x, n, 0));
    CHECK_OK(ctx, l.ops->backward(&l, ctx, &dx, &dy, &x, &l.y, n, 1));
    y = down_pad(&l.y, total, "dropout eval"), g = down_pad(&dx, total, "dropout eval dx");
    CHECK(!memcmp(y, xv, total * sizeof *y) && !memcmp(g, dyv, total * sizeof *g), "dropout eval is not the identity");
    free(y), free(g);
    layer_free(&l);
    CHECK(layer_make(&l, "dropout p=1", in, n, err, sizeof err) == CLG_ERR_CONFIG, "dropout p=1 must fail");

    /* flatten and reshape: the same values, new shape */
    CHECK(layer_make(&l, "flatten", in, n, err, sizeof err) == CLG_OK, "flatten: %s", err);
    CHECK(l.out.c == 30 && l.out.h == 1 && l.out.w == 1, "flatten shape %dx%dx%d", l.out.c, l.out.h, l.out.w);
    CHECK_OK(ctx, l.ops->forward(&l, ctx, &l.y, &x, n, 1));
    CHECK_OK(ctx, l.ops->backward(&l, ctx, &dx, &dy, &x, &l.y, n, 1));
    y = down_pad(&l.y, total, "flatten"), g = down_pad(&dx, total, "flatten dx");
    CHECK(!memcmp(y, xv, total * sizeof *y) && !memcmp(g, dyv, total * sizeof *g), "flatten is not a copy");
    free(y), free(g);
    layer_free(&l);
    CHECK(layer_make(&l, "reshape c=5 h=2 w=3", in, n, err, sizeof err) == CLG_OK, "reshape: %s", err);
    CHECK(l.out.c == 5 && l.out.h == 2 && l.out.w == 3, "reshape shape");
    CHECK_OK(ctx, l.ops->forward(&l, ctx, &l.y, &x, n, 1));
    CHECK_OK(ctx, l.ops->backward(&l, ctx, &dx, &dy, &x, &l.y, n, 1));
    y = down_pad(&l.y, total, "reshape"), g = down_pad(&dx, total, "reshape dx");
    CHECK(!memcmp(y, xv, total * sizeof *y) && !memcmp(g, dyv, total * sizeof *g), "reshape is not a copy");
    free(y), free(g);
    layer_free(&l);
    CHECK(layer_make(&l, "reshape c=4 h=2 w=3", in, n, err, sizeof err) == CLG_ERR_CONFIG, "bad reshape must fail");

    free(r), free(xv), free(dyv);
    clg_buf_release(&x), clg_buf_release(&dy), clg_buf_release(&dx);
}

/* ---- a small network: build, forward, backward, optimizer update -------------------------------- */

static void net_cfg(clg_net_cfg *cfg, const char *const *layers, int nl)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->opt.kind = CLG_OPT_ADAM;
    cfg->opt.lr = 0.1f, cfg->opt.beta1 = 0.5f, cfg->opt.beta2 = 0.999f, cfg->opt.eps = 1e-8f, cfg->opt.rho = 0.9f,
    cfg->opt.momentum = 0.9f;
    cfg->nlayers = nl;
    for (int i = 0; i < nl; i++) {
        snprintf(cfg->layers[i].text, sizeof cfg->layers[i].text, "%s", layers[i]);
        snprintf(cfg->layers[i].where, sizeof cfg->layers[i].where, "test:%d", i + 1);
    }
}

/* All trainable values of the network in arena order, read from `value` or `grad` views. */
static double *net_gather(clg_net *net, int grads, size_t *count)
{
    size_t n = 0;
    for (int i = 0; i < net->nlayers; i++)
        for (int j = 0; j < net->layers[i].nparams; j++) n += net->layers[i].params[j].count;
    double *d = dalloc(n);
    size_t k = 0;
    for (int i = 0; i < net->nlayers; i++)
        for (int j = 0; j < net->layers[i].nparams; j++) {
            clg_param *p = &net->layers[i].params[j];
            float *h = test_download(ctx, grads ? &p->grad : &p->value, p->count);
            to_double(d + k, h, p->count);
            k += p->count;
            free(h);
        }
    *count = n;
    return d;
}

static void net_scatter(clg_net *net, int grads, const float *v)
{
    size_t k = 0;
    for (int i = 0; i < net->nlayers; i++)
        for (int j = 0; j < net->layers[i].nparams; j++) {
            clg_param *p = &net->layers[i].params[j];
            CHECK_OK(ctx, clg_buf_write(ctx, grads ? &p->grad : &p->value, v + k, p->count, 1));
            k += p->count;
        }
}

static void test_network(void)
{
    const char *layers[] = {"flatten", "dense units=5", "leaky_relu slope=0.2", "dense units=3 bias=0",
                            "tanh", "dense units=2", "sigmoid"};
    clg_shape in = {2, 3, 1};
    if (on_oclgrind()) layers[0] = "leaky_relu slope=1", in = (clg_shape){6, 1, 1}; /* see on_oclgrind */
    clg_net_cfg cfg;
    net_cfg(&cfg, layers, 7);
    clg_net net;
    clg_rng rng = {12345};
    char err[1024];
    const int B = 4;
    int st = clg_net_build(&net, ctx, "test", &cfg, in, B, &rng, err, sizeof err);
    CHECK(st == CLG_OK, "clg_net_build: %s", err);
    if (st != CLG_OK) return;
    net_sync(&net);
    CHECK(net.nlayers == 7 && net.nparams == 5 * 6 + 5 + 3 * 5 + 2 * 3 + 2, "net: %d layers, %zu params", net.nlayers,
          net.nparams);
    CHECK(net.layers[6].out.c == 2, "net output shape");
    /* torch init: |w| <= 1/sqrt(fan_in) */
    size_t np;
    double *p0 = net_gather(&net, 0, &np);
    int init_ok = 1;
    for (size_t i = 0; i < 30; i++) init_ok &= fabs(p0[i]) <= 1.0 / sqrt(6.0) + 1e-7;
    CHECK(init_ok, "dense torch init out of bounds");
    free(p0);

    float *pv = test_randu(np, 60, -0.8f, 0.8f);
    net_scatter(&net, 0, pv);
    shadow_sync(&net.params);
    const float *w1 = pv, *b1 = w1 + 30, *w2 = b1 + 5, *w3 = w2 + 15, *b3 = w3 + 6;
    size_t nx = (size_t)B * 6;
    float *xv = test_randu(nx, 61, -1, 1), *dyv = test_randu((size_t)B * 2, 62, -1, 1);
    clg_buf x = test_upload(ctx, xv, nx), dy = test_upload(ctx, dyv, (size_t)B * 2);
    CHECK_OK(ctx, clg_net_forward(&net, ctx, &x, B, 1, net.nlayers));

    /* host forward, in float between layers (each layer's input is the device's previous output) */
    float *a[7];
    for (int i = 0; i < 7; i++) a[i] = test_download(ctx, &net.layers[i].y, (size_t)B * net.layers[i].out.c);
    double r[64], e;
    CHECK(!memcmp(a[0], xv, nx * sizeof *xv), "net flatten");
    ref_dense_fwd(r, a[0], w1, b1, B, 6, 5);
    e = errv(a[1], r, (size_t)B * 5, 1);
    CHECK_ERR(e, TOL_RED, "net dense 1 err %g", e);
    for (int i = 0; i < B * 5; i++) r[i] = ref_leaky(a[1][i], 0.2f);
    e = errv(a[2], r, (size_t)B * 5, 1);
    CHECK_ERR(e, TOL_ELEM, "net leaky err %g", e);
    ref_dense_fwd(r, a[2], w2, NULL, B, 5, 3);
    e = errv(a[3], r, (size_t)B * 3, 1);
    CHECK_ERR(e, TOL_RED, "net dense 2 err %g", e);
    for (int i = 0; i < B * 3; i++) r[i] = tanh(a[3][i]);
    e = errv(a[4], r, (size_t)B * 3, 1);
    CHECK_ERR(e, TOL_ELEM, "net tanh err %g", e);
    ref_dense_fwd(r, a[4], w3, b3, B, 3, 2);
    e = errv(a[5], r, (size_t)B * 2, 1);
    CHECK_ERR(e, TOL_RED, "net dense 3 err %g", e);
    for (int i = 0; i < B * 2; i++) r[i] = ref_sigmoid(a[5][i]);
    e = errv(a[6], r, (size_t)B * 2, 1);
    CHECK_ERR(e, TOL_ELEM, "net sigmoid err %g", e);

    /* backward: reference layer by layer from the device's activations */
    CHECK_OK(ctx, clg_net_zero_grad(&net, ctx));
    shadow_sync(&net.grads);
    const clg_buf *dxb = NULL;
    CHECK_OK(ctx, clg_net_backward(&net, ctx, &dxb, &dy, &x, B, 1, net.nlayers));
    CHECK(dxb != NULL, "net backward gave no dx");
    double d6[8], d5[12], d4[12], d3[20], d2[20], d1[24];
    double gw1[30] = {0}, gb1[5] = {0}, gw2[15] = {0}, gw3[6] = {0}, gb3[2] = {0};
    float f[24];
    for (int i = 0; i < B * 2; i++) d6[i] = ref_sigmoid_bwd(dyv[i], a[6][i]);
    for (int i = 0; i < B * 2; i++) f[i] = (float)d6[i];
    ref_dense_bwd(d5, gw3, gb3, f, a[4], w3, B, 3, 2);
    for (int i = 0; i < B * 3; i++) d4[i] = ref_tanh_bwd(d5[i], a[4][i]);
    for (int i = 0; i < B * 3; i++) f[i] = (float)d4[i];
    ref_dense_bwd(d3, gw2, NULL, f, a[2], w2, B, 5, 3);
    for (int i = 0; i < B * 5; i++) d2[i] = ref_leaky_bwd(d3[i], a[1][i], 0.2f);
    for (int i = 0; i < B * 5; i++) f[i] = (float)d2[i];
    ref_dense_bwd(d1, gw1, gb1, f, a[0], w1, B, 6, 5);
    float *h = test_download(ctx, dxb, nx);
    e = errv(h, d1, nx, 1); /* flatten passes dx through */
    CHECK_ERR(e, TOL_RED, "net dx err %g", e);
    free(h);
    double *g = net_gather(&net, 1, &np);
    double *rg = dalloc(np);
    memcpy(rg, gw1, sizeof gw1), memcpy(rg + 30, gb1, sizeof gb1), memcpy(rg + 35, gw2, sizeof gw2);
    memcpy(rg + 50, gw3, sizeof gw3), memcpy(rg + 56, gb3, sizeof gb3);
    float *gf = malloc(np * sizeof *gf);
    for (size_t i = 0; i < np; i++) gf[i] = (float)g[i];
    e = errv(gf, rg, np, 1);
    CHECK_ERR(e, TOL_RED, "net parameter gradients err %g", e);
    free(g), free(rg), free(gf);
    /* without dx: same parameter gradients (accumulated a second time) */
    CHECK_OK(ctx, clg_net_backward(&net, ctx, NULL, &dy, &x, B, 1, net.nlayers));
    g = net_gather(&net, 1, &np);
    double gmax = 0;
    for (size_t i = 0; i < 30; i++) gmax = fmax(gmax, fabs(g[i] - 2 * gw1[i]));
    CHECK_ERR(gmax, TOL_RED, "net: second backward did not accumulate (err %g)", gmax);
    free(g);

    /* optimizer updates through clg_net_update, with and without clipping, two steps each */
    for (int o = 0; o < 3; o++) /* adam, rmsprop, sgd */
        for (int clip = 0; clip < 3; clip++) {
            cfg.opt.kind = (clg_optimizer)o;
            cfg.opt.clip_value = clip == 1 ? 0.3f : 0.0f;
            cfg.opt.clip_norm = clip == 2 ? 0.5f : 0.0f;
            net_scatter(&net, 0, pv);
            CHECK_OK(ctx, clg_buf_fill(ctx, &net.opt_m, 0.0f, net.opt_m.n));
            CHECK_OK(ctx, clg_buf_fill(ctx, &net.opt_v, 0.0f, net.opt_v.n));
            net.t = 0;
            shadow_sync(&net.params), shadow_sync(&net.opt_m), shadow_sync(&net.opt_v);
            double *rp = dalloc(np), *rm = dalloc(np), *rv = dalloc(np), *rgd = dalloc(np);
            to_double(rp, pv, np);
            for (long t = 1; t <= 2; t++) {
                float *gv = test_randu(np, 70 + (unsigned)(t + 10 * o + 100 * clip), -1, 1);
                CHECK_OK(ctx, clg_net_zero_grad(&net, ctx));
                net_scatter(&net, 1, gv);
                shadow_sync(&net.grads);
                CHECK_OK(ctx, clg_net_update(&net, ctx));
                to_double(rgd, gv, np);
                if (cfg.opt.clip_value > 0) ref_clip_value(rgd, np, cfg.opt.clip_value);
                if (cfg.opt.clip_norm > 0) ref_clip_norm(rgd, np, cfg.opt.clip_norm);
                if (o == 0) {
                    double c1, c2;
                    ref_adam_consts(cfg.opt.lr, cfg.opt.beta1, cfg.opt.beta2, t, &c1, &c2);
                    ref_adam(rp, rm, rv, rgd, np, (float)c1, cfg.opt.beta1, cfg.opt.beta2, (float)c2, cfg.opt.eps);
                } else if (o == 1) ref_rmsprop(rp, rv, rgd, np, cfg.opt.lr, cfg.opt.rho, cfg.opt.eps);
                else ref_sgd(rp, rm, rgd, np, cfg.opt.lr, cfg.opt.momentum);
                double *dp = net_gather(&net, 0, &np);
                float *fp = malloc(np * sizeof *fp);
                for (size_t i = 0; i < np; i++) fp[i] = (float)dp[i];
                e = errv(fp, rp, np, 1);
                CHECK_ERR(e, TOL_OPT, "clg_net_update %s clip=%d t=%ld: params err %g", clg_optimizer_names[o], clip, t, e);
                CHECK(net.t == t, "clg_net_update: t = %ld", net.t);
                free(dp), free(fp), free(gv);
            }
            free(rp), free(rm), free(rv), free(rgd);
        }
    for (int i = 0; i < 7; i++) free(a[i]);
    free(pv), free(xv), free(dyv);
    clg_buf_release(&x), clg_buf_release(&dy);
    clg_net_free(&net);

    /* a config error names the line */
    static const char *const bad[] = {"dense units=4", "conv2d filters=3"};
    net_cfg(&cfg, bad, 2);
    st = clg_net_build(&net, ctx, "bad", &cfg, (clg_shape){3, 1, 1}, 2, &rng, err, sizeof err);
    CHECK(st == CLG_ERR_CONFIG && strstr(err, "test:2") && strstr(err, "conv2d"), "bad layer: %d %s", st, err);
}

/* The kernels this file tests; any other entry of CLG_KERNELS is listed at start-up (those have
 * tests of their own, or none). */
static void print_uncovered(void)
{
    static const int covered[] = {CLG_K_FILL,        CLG_K_AXPBY,       CLG_K_ADD_BIAS,    CLG_K_CHAN_SUMS,
                                  CLG_K_LEAKY_FWD,   CLG_K_LEAKY_BWD,   CLG_K_TANH_FWD,    CLG_K_TANH_BWD,
                                  CLG_K_SIGMOID_FWD, CLG_K_SIGMOID_BWD, CLG_K_DROPOUT_FWD, CLG_K_DROPOUT_BWD,
                                  CLG_K_NOISE_NORMAL, CLG_K_NOISE_UNIFORM, CLG_K_GATHER_U8, CLG_K_BCE,
                                  CLG_K_SGD,         CLG_K_ADAM,        CLG_K_RMSPROP,     CLG_K_CLIP_VALUE,
                                  CLG_K_REDUCE_ROWS, CLG_K_CLIP_SCALE};
    static const char *const names[] = {
#define K(id, prog, fn) #prog "/" #fn,
        CLG_KERNELS(K)
#undef K
    };
    int n = 0;
    for (int k = 0; k < CLG_NKERNELS; k++) {
        int found = 0;
        for (size_t i = 0; i < sizeof covered / sizeof covered[0]; i++) found |= covered[i] == k;
        if (!found) printf("%s%s", n++ ? ", " : "  kernels not tested here: ", names[k]);
    }
    if (n) printf("\n");
}

int main(void)
{
    small_mode = getenv("CLGAN_TEST_SMALL") != NULL;
    ctx = test_ctx();
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("device: %s%s\n", clg_ctx_device_desc(ctx), small_mode ? " (small sizes)" : "");
    print_uncovered();
    static const struct {
        const char *name;
        void (*fn)(void);
    } sections[] = {{"fill/axpby", test_fill_axpby},   {"add_bias/bias_grad", test_bias},
                    {"reductions", test_reductions},
                    {"activations", test_activations}, {"dropout", test_dropout_kernels},
                    {"noise", test_noise},             {"gather_u8", test_gather},
                    {"bce", test_bce},                 {"bce ring", test_bce_ring},
                    {"optimizers", test_optimizers},
                    {"clipping", test_clipping},       {"gemm", test_gemm},
                    {"dense layer", test_dense_layer}, {"other layers", test_elementwise_layers},
                    {"network", test_network}};
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++) {
        int f0 = t_fail;
        worst = 0;
        double t0 = test_now();
        sections[i].fn();
        printf("  %-20s %s  worst error/tolerance %.3g  %.2f s\n", sections[i].name, t_fail > f0 ? "FAIL" : "ok  ",
               worst, test_now() - t0);
    }
    clg_ctx_free(ctx);
    return test_summary("kernels");
}
