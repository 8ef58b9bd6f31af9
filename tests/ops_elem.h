/* ops_elem.h — op runners for the elementwise and random kernels against tests/ref.h: fill,
 * axpby, add_bias and the bias gradient (cl/common.cl, layers/reduce.h), the activations
 * (cl/activation.cl), dropout and the noise generators with their statistics (cl/random.cl),
 * gather_u8 (cl/data.cl) and the FMA peak kernel (cl/bench.cl). Part of test_ops.c (see ops.h).
 */
#ifndef CLGAN_TEST_OPS_ELEM_H
#define CLGAN_TEST_OPS_ELEM_H

#include "ops.h"

/* ---- common.cl ---------------------------------------------------------------------------------- */

static void op_fill_axpby(const op_case *row)
{
    size_t n = (size_t)row->p[0];
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

static void op_bias(const op_case *row)
{
    int N = row->p[0], F = row->p[1], inner = row->p[2], ci = row->p[3]; /* ci: the seed */
    size_t total = (size_t)N * F * inner;
    float *yv = test_randu(total, 100 + ci, -2, 2), *bv = test_randu(F, 200 + ci, -2, 2);
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

/* ---- activation.cl ------------------------------------------------------------------------------ */

static void op_activations(const op_case *row)
{
    static const float slopes[] = {0.0f, 0.01f, 0.3f};
    size_t n = (size_t)row->p[0];
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

/* tanh and sigmoid saturate: no NaN or overflow at large |x| */
static void op_saturation(const op_case *row)
{
    (void)row;
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

/* dropout at a key and a counter base (0, or 3n for every other p: a later part of a split batch), against the
 * host hash, forward and backward on the same mask */
static void op_dropout(const op_case *row)
{
    static const float ps[] = {0.0f, 0.3f, 0.5f, 0.9f};
    size_t n = (size_t)row->p[0];
    float *xv = test_randu(n, 500 + (unsigned)n, 0.5f, 2.0f), *dyv = test_randu(n, 600 + (unsigned)n, 0.5f, 2.0f);
    for (size_t i = 0; i < n; i += 2) xv[i] = -xv[i], dyv[i] = -dyv[i]; /* nonzero: zero means dropped */
    clg_buf x = up_pad(xv, n), dy = up_pad(dyv, n), y = up_pad(NULL, n), dx = up_pad(NULL, n);
    double *r = dalloc(n);
    for (int k = 0; k < 4; k++) {
        float p = ps[k];
        uint32_t key = 0x9e3779b9u * (uint32_t)(k + 1) + (uint32_t)n, base = k & 1 ? 3u * (uint32_t)n : 0u;
        CHECK_OK(ctx, CLG_LAUNCH1(ctx, CLG_K_DROPOUT_FWD, n, KA_MEM(y.sub), KA_MEM(x.sub), KA_INT(n), KA_FLT(p),
                                  KA_UINT(key), KA_UINT(base)));
        CHECK_OK(ctx, CLG_LAUNCH1(ctx, CLG_K_DROPOUT_BWD, n, KA_MEM(dx.sub), KA_MEM(dy.sub), KA_INT(n), KA_FLT(p),
                                  KA_UINT(key), KA_UINT(base)));
        float *h = down_pad(&y, n, "dropout_fwd"), *g = down_pad(&dx, n, "dropout_bwd");
        int mask_ok = 1, same = 1;
        for (size_t i = 0; i < n; i++) {
            int keep = ref_dropout_keep(key, base + (uint32_t)i, p);
            mask_ok &= (h[i] != 0.0f) == keep;
            same &= (h[i] != 0.0f) == (g[i] != 0.0f);
            r[i] = ref_dropout(xv[i], key, base + (uint32_t)i, p);
        }
        CHECK(mask_ok, "dropout_fwd p=%g n=%zu: mask differs from ref", p, n);
        CHECK(same, "dropout p=%g n=%zu: backward mask differs from forward", p, n);
        double e = errv(h, r, n, 1);
        CHECK_ERR(e, TOL_ELEM, "dropout_fwd p=%g n=%zu err %g", p, n, e);
        for (size_t i = 0; i < n; i++) r[i] = ref_dropout(dyv[i], key, base + (uint32_t)i, p);
        e = errv(g, r, n, 1);
        CHECK_ERR(e, TOL_ELEM, "dropout_bwd p=%g n=%zu err %g", p, n, e);
        if (p == 0.0f) CHECK(!memcmp(h, xv, n * sizeof *h), "dropout p=0 n=%zu is not the identity", n);
        free(h), free(g);
    }
    free(r), free(xv), free(dyv);
    clg_buf_release(&x), clg_buf_release(&dy), clg_buf_release(&y), clg_buf_release(&dx);
}

/* the kept fraction: binomial(N, 1-p) within 5 standard deviations */
static void op_dropout_stats(const op_case *row)
{
    static const float ps[] = {0.0f, 0.3f, 0.5f, 0.9f};
    size_t N = (size_t)row->p[0]; /* samples */
    float *ones = malloc(N * sizeof *ones);
    for (size_t i = 0; i < N; i++) ones[i] = 1.0f;
    clg_buf x = test_upload(ctx, ones, N), y = test_upload(ctx, NULL, N);
    for (int k = 1; k < 4; k++) {
        float p = ps[k];
        CHECK_OK(ctx, CLG_LAUNCH1(ctx, CLG_K_DROPOUT_FWD, N, KA_MEM(y.sub), KA_MEM(x.sub), KA_INT(N), KA_FLT(p),
                                  KA_UINT(777u + k), KA_UINT(0u)));
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

static void op_noise(const op_case *row)
{
    size_t n = (size_t)row->p[0];
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

static void op_noise_stats(const op_case *row)
{
    /* statistics over N samples: mean within 5 standard errors, std within 5 of its standard
     * error sqrt(1/(2N)) relative (normal), plus a kurtosis-free check for the uniform */
    size_t N = (size_t)row->p[0]; /* samples */
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

static void op_gather(const op_case *row)
{
    int n = row->p[0], item = row->p[1], base = row->p[2], nitems = row->p[3], ci = row->p[4]; /* ci: the seed */
    int nidx = base + n + 2;
    uint8_t *data = malloc((size_t)nitems * item);
    int *idx = malloc(nidx * sizeof *idx);
    unsigned s = 99 + ci;
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

/* ---- bench.cl ----------------------------------------------------------------------------------- */

/* fma_peak on n work-items (a multiple of its group of 64: the kernel has no bounds check) with
 * `iters` iterations: PEAK_CHAINS chains of PEAK_VW lanes each (the context's values), against the
 * same float fmas on the host (fmaf rounds once, as OpenCL's fma must); each work-item's vector of
 * chain sums at TOL_ELEM */
static void op_fma_peak(const op_case *row)
{
    size_t n = (size_t)row->p[0];
    int iters = row->p[1], vw = clg_tunable(ctx, CLG_T_PEAK_VW), chains = clg_tunable(ctx, CLG_T_PEAK_CHAINS);
    const float a = 0.999f, b = 0.001f;
    clg_buf out = up_pad(NULL, n * (size_t)vw);
    CHECK_OK(ctx, CLG_LAUNCH1(ctx, CLG_K_FMA_PEAK, n, KA_MEM(out.sub), KA_INT(iters), KA_FLT(a), KA_FLT(b)));
    float *h = down_pad(&out, n * (size_t)vw, "fma_peak");
    double *r = dalloc(n * (size_t)vw);
    for (size_t i = 0; i < n; i++) {
        float s = (float)i * 1e-9f, t = 0;
        for (int c = 0; c < chains; c++) {
            float x = s + 0.01f * (float)c;
            for (int it = 0; it < iters; it++) x = fmaf(x, a, b);
            t = c ? t + x : x;
        }
        for (int k = 0; k < vw; k++) r[i * (size_t)vw + (size_t)k] = t;
    }
    double e = errv(h, r, n * (size_t)vw, 1);
    CHECK_ERR(e, TOL_ELEM, "fma_peak n=%zu iters=%d (%d chains of %d) err %g", n, iters, chains, vw, e);
    free(h), free(r);
    clg_buf_release(&out);
}

/* bw_copy of n float4s: an exact copy, nothing written past it */
static void op_bw_copy(const op_case *row)
{
    size_t n = (size_t)row->p[0] * 4;
    float *x = malloc(n * sizeof *x);
    for (size_t i = 0; i < n; i++) x[i] = (float)i * 0.5f - 3.0f;
    clg_buf src = up_pad(x, n), dst = up_pad(NULL, n);
    CHECK_OK(ctx, CLG_LAUNCH1(ctx, CLG_K_BW_COPY, n / 4, KA_MEM(dst.sub), KA_MEM(src.sub), KA_INT((int)(n / 4))));
    float *h = down_pad(&dst, n, "bw_copy");
    CHECK(!memcmp(h, x, n * sizeof *x), "bw_copy n=%zu: not an exact copy", n / 4);
    free(h), free(x);
    clg_buf_release(&src), clg_buf_release(&dst);
}

#endif
