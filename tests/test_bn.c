/* test_bn.c — tests for the batchnorm and upsample layers (src/layers/batchnorm.c, upsample.c,
 * cl/batchnorm.cl, cl/upsample.cl).
 *
 * Usage: test_bn FIXTURE_DIR [--bench]
 *  1. layers vs the double references in ref_bn.h: batch norm train (two steps, with the running
 *     stats after each) and eval, forward and backward, for (N,C,H,W) and (N,F) inputs with
 *     N*H*W in {1, 3*49, 2*33, 5*117, 65, 1000, 128*196} (65 and 1000: (N,F) inputs); N*H*W = 1
 *     must be refused in training. Upsample nearest/bilinear x2, x3 on 7x5, 5x7, 1x1 and 12x12
 *     planes, 11 planes (a partial plane group), bilinear x5 and x8.
 *  2. finite-difference gradient checks of L = sum(r*y): batch norm (train and eval: dx, dweight,
 *     dbias) on the device in fp32 and, tighter, of the double reference itself; upsample (linear,
 *     so the difference quotient is exact up to rounding).
 *  3. agreement with PyTorch 1.13 fixtures written by tools/torch_fixtures_bn.py.
 *  4. the layers inside a network (clg_net_build): parameter names, buffers, initialisation.
 * Errors are max |a-b| / max(1,|b|) (test_maxerr); the tolerances are the *_TOL constants below.
 * With $CLGAN_TEST_SMALL (the Oclgrind run) only tiny sizes run. --bench prints forward+backward
 * times for the sizes of the seed models.
 */
#include <time.h>

#include "fixture.h"
#include "layertest.h"
#include "model/network.h"
#include "ref_bn.h"

/* Tolerances, and the largest errors seen on PoCL (x86-64, AVX-512) when they were set: */
#define BN_TOL 3e-5      /* device BN vs double reference; seen 9e-6 (dbias, a sum of 25088 terms) */
#define UPS_TOL 1e-6     /* device upsample vs double reference; seen 2.4e-7 */
#define FD_DEV_TOL 5e-4  /* fp32 device forward's central differences (step 1e-2) vs backward; seen 4.8e-5 */
#define FD_REF_TOL 1e-6  /* double reference's differences (step 1e-3) vs its backward; seen 1.3e-7 */
#define FD_UPS_TOL 2e-6  /* upsample (linear: differences exact but for rounding); seen 1.9e-7 */
#define TORCH_TOL 2e-5   /* device vs PyTorch fixtures; seen 7.4e-6 (BatchNorm1d dx, N=3) */

/* ---- 1. batch norm vs the reference ------------------------------------------------------ */
static void bn_case(int n, int c, int h, int w, double momentum, double eps, unsigned seed)
{
    char spec[128], what[160];
    snprintf(spec, sizeof spec, "batchnorm momentum=%g eps=%g", momentum, eps);
    lt t;
    lt_make(&t, spec, (clg_shape){c, h, w}, n);
    int hw = h * w;
    size_t tot = t.nin;
    float *wv = scaled_rand((size_t)c, seed + 1, 0.3f, 1.0f), *bv = scaled_rand((size_t)c, seed + 2, 0.5f, 0.0f);
    lt_set(&t, "weight", wv, 0);
    lt_set(&t, "bias", bv, 0);
    double *rm = calloc((size_t)c, sizeof *rm), *rv = malloc((size_t)c * sizeof *rv), *y = malloc(tot * sizeof *y);
    double *dx = malloc(tot * sizeof *dx), *dw = malloc((size_t)c * sizeof *dw), *db = malloc((size_t)c * sizeof *db);
    for (int i = 0; i < c; i++) rv[i] = 1.0;
    float *x = NULL;
    if ((long)n * hw < 2) { /* PyTorch refuses this in training; so do we, with a message */
        x = scaled_rand(tot, seed, 1.0f, 0.0f);
        CHECK_OK(ctx, clg_buf_write(ctx, &t.x, x, tot, 1));
        int st = t.l.ops->forward(&t.l, ctx, &t.y, &t.x, n, 1);
        CHECK(st == CLG_ERR_ARG && strstr(clg_last_error(ctx), "more than one value per channel"),
              "N*H*W=1 in training: status %s, message \"%s\"", clg_status_str(st), clg_last_error(ctx));
    } else
        for (int step = 0; step < 2; step++) { /* two steps: running stats compound */
            free(x);
            x = scaled_rand(tot, seed + 10 * step, 3.0f, step ? -2.0f : 1.5f);
            lt_fwd(&t, x, 1);
            ref_bn_fwd(y, x, wv, bv, n, c, hw, eps, 1, momentum, rm, rv);
            snprintf(what, sizeof what, "bn %dx%dx%dx%d train step %d", n, c, h, w, step + 1);
            cmp(what, test_download(ctx, &t.y, tot), y, tot, BN_TOL);
            cmp(what, lt_get(&t, "running_mean", 0), rm, (size_t)c, BN_TOL);
            cmp(what, lt_get(&t, "running_var", 0), rv, (size_t)c, BN_TOL);
        }
    float *dy = scaled_rand(tot, seed + 7, 1.0f, 0.0f), *g0 = scaled_rand((size_t)c, 1, 0.0f, 0.25f);
    for (int train = (long)n * hw < 2 ? 0 : 1; train >= 0; train--) {
        if (!train) { /* eval: the stats are the running ones, as they are now */
            float *rmf = lt_get(&t, "running_mean", 0), *rvf = lt_get(&t, "running_var", 0);
            for (int i = 0; i < c; i++) rm[i] = rmf[i], rv[i] = rvf[i];
            free(rmf), free(rvf);
            lt_fwd(&t, x, 0);
            ref_bn_fwd(y, x, wv, bv, n, c, hw, eps, 0, momentum, rm, rv);
            snprintf(what, sizeof what, "bn %dx%dx%dx%d eval forward", n, c, h, w);
            cmp(what, test_download(ctx, &t.y, tot), y, tot, BN_TOL);
        }
        lt_set(&t, "weight", g0, 1); /* backward accumulates onto 0.25 */
        lt_set(&t, "bias", g0, 1);
        lt_bwd(&t, dy);
        ref_bn_bwd(dx, dw, db, dy, x, wv, n, c, hw, eps, train, rm, rv);
        snprintf(what, sizeof what, "bn %dx%dx%dx%d %s backward", n, c, h, w, train ? "train" : "eval");
        cmp(what, test_download(ctx, &t.dx, tot), dx, tot, BN_TOL);
        for (int i = 0; i < c; i++) dw[i] += 0.25, db[i] += 0.25;
        cmp(what, lt_get(&t, "weight", 1), dw, (size_t)c, BN_TOL);
        cmp(what, lt_get(&t, "bias", 1), db, (size_t)c, BN_TOL);
    }
    free(wv), free(bv), free(rm), free(rv), free(y), free(dx), free(dw), free(db), free(x), free(dy), free(g0);
    lt_free(&t);
}

/* ---- 2. finite differences ---------------------------------------------------------------- */
/* L = sum(r*y) of the device forward, or of the reference forward (dev = 0). */
static double bn_loss(lt *t, int dev, const float *x, const float *w, const float *b, const double *r, int train)
{
    int c = t->l.in.c, hw = t->l.in.h * t->l.in.w;
    double *y = malloc(t->nout * sizeof *y), rm[64], rv[64], s = 0;
    for (int i = 0; i < c; i++) rm[i] = 0.1 * i, rv[i] = 1.0 + 0.2 * i;
    if (dev) {
        lt_set(t, "weight", w, 0);
        lt_set(t, "bias", b, 0);
        lt_fwd(t, x, train);
        float *yf = test_download(ctx, &t->y, t->nout);
        for (size_t i = 0; i < t->nout; i++) y[i] = yf[i];
        free(yf);
    } else
        ref_bn_fwd(y, x, w, b, t->n, c, hw, 1e-5, train, 0.0, rm, rv);
    for (size_t i = 0; i < t->nout; i++) s += r[i] * y[i];
    free(y);
    return s;
}

/* d/dv[i] of the loss by central differences, with the steps actually taken in fp32. */
static double central(lt *t, int dev, float *x, float *w, float *b, float *v, const double *r, int train, float h)
{
    float v0 = *v, vp = v0 + h, vm = v0 - h;
    *v = vp;
    double lp = bn_loss(t, dev, x, w, b, r, train);
    *v = vm;
    double lm = bn_loss(t, dev, x, w, b, r, train);
    *v = v0;
    return (lp - lm) / ((double)vp - vm);
}

static void bn_gradcheck(int n, int c, int h, int w, int train)
{
    lt t;
    lt_make(&t, "batchnorm", (clg_shape){c, h, w}, n);
    int hw = h * w;
    float rmf[64], rvf[64];
    for (int i = 0; i < c; i++) rmf[i] = 0.1f * i, rvf[i] = 1.0f + 0.2f * i; /* as bn_loss */
    lt_set(&t, "running_mean", rmf, 0);
    lt_set(&t, "running_var", rvf, 0);
    float *x = scaled_rand(t.nin, 5, 2.0f, 0.3f), *wv = scaled_rand((size_t)c, 6, 0.3f, 1.0f);
    float *bv = scaled_rand((size_t)c, 7, 0.5f, 0.0f), *rf = scaled_rand(t.nout, 8, 1.0f, 0.0f);
    double *r = dvec(rf, t.nout, 1, 0), rm[64], rv[64];
    for (int i = 0; i < c; i++) rm[i] = rmf[i], rv[i] = rvf[i];
    double *dx = malloc(t.nin * sizeof *dx), dw[64], db[64];
    lt_set(&t, "weight", wv, 0);
    lt_set(&t, "bias", bv, 0);
    lt_fwd(&t, x, train);
    if (!train) { /* eval normalises with the running stats, which no forward has moved yet */
        lt_set(&t, "running_mean", rmf, 0);
        lt_set(&t, "running_var", rvf, 0);
    }
    lt_bwd(&t, rf);
    float *adx = test_download(ctx, &t.dx, t.nin), *adw = lt_get(&t, "weight", 1), *adb = lt_get(&t, "bias", 1);
    ref_bn_bwd(dx, dw, db, rf, x, wv, n, c, hw, 1e-5, train, rm, rv);
    double edev = 0, eref = 0;
    for (int dev = 0; dev <= 1; dev++) {
        float step = dev ? 1e-2f : 1e-3f;
        double *e = dev ? &edev : &eref;
        for (size_t i = 0; i < t.nin + 2 * (size_t)c; i++) {
            float *v = i < t.nin ? &x[i] : i < t.nin + (size_t)c ? &wv[i - t.nin] : &bv[i - t.nin - c];
            double an = i < t.nin ? (dev ? adx[i] : dx[i])
                                  : i < t.nin + (size_t)c ? (dev ? adw[i - t.nin] : dw[i - t.nin])
                                                          : (dev ? adb[i - t.nin - c] : db[i - t.nin - c]);
            double fd = central(&t, dev, x, wv, bv, v, r, train, step);
            *e = fmax(*e, fabs(fd - an) / fmax(1.0, fabs(an)));
        }
    }
    if (getenv("CLGAN_TEST_VERBOSE"))
        printf("  bn %dx%dx%dx%d train=%d differences: device %.3g, reference %.3g\n", n, c, h, w, train, edev, eref);
    CHECK(edev <= FD_DEV_TOL, "bn %dx%dx%dx%d %s: device gradient vs differences: %.3g > %.3g", n, c, h, w,
          train ? "train" : "eval", edev, FD_DEV_TOL);
    CHECK(eref <= FD_REF_TOL, "bn %dx%dx%dx%d %s: reference gradient vs differences: %.3g > %.3g", n, c, h, w,
          train ? "train" : "eval", eref, FD_REF_TOL);
    free(x), free(wv), free(bv), free(rf), free(r), free(dx), free(adx), free(adw), free(adb);
    lt_free(&t);
}

/* ---- upsample: vs reference, and finite differences ----------------------------------------- */
static void ups_case(int n, int c, int h, int w, int k, int bilinear, int fd)
{
    char spec[96], what[128];
    snprintf(spec, sizeof spec, "upsample scale=%d mode=%s", k, bilinear ? "bilinear" : "nearest");
    snprintf(what, sizeof what, "%s on %dx%dx%dx%d", spec, n, c, h, w);
    lt t;
    lt_make(&t, spec, (clg_shape){c, h, w}, n);
    CHECK(t.l.out.c == c && t.l.out.h == h * k && t.l.out.w == w * k, "%s: output shape", what);
    float *x = scaled_rand(t.nin, (unsigned)(h * 31 + w + k), 1.0f, 0.0f), *dy = scaled_rand(t.nout, 99, 1.0f, 0.0f);
    double *y = malloc(t.nout * sizeof *y), *dx = malloc(t.nin * sizeof *dx);
    lt_fwd(&t, x, 1);
    ref_ups_fwd(y, x, n * c, h, w, k, bilinear);
    cmp(what, test_download(ctx, &t.y, t.nout), y, t.nout, UPS_TOL);
    lt_bwd(&t, dy);
    ref_ups_bwd(dx, dy, n * c, h, w, k, bilinear);
    float *adx = test_download(ctx, &t.dx, t.nin);
    cmp(what, adx, dx, t.nin, UPS_TOL);
    if (fd) { /* linear: (L(x+e) - L(x-e)) / 2 is exact but for rounding */
        adx = test_download(ctx, &t.dx, t.nin);
        double e = 0;
        for (size_t i = 0; i < t.nin; i++) {
            double l[2];
            float x0 = x[i];
            for (int s = 0; s < 2; s++) {
                x[i] = x0 + (s ? -1.0f : 1.0f);
                lt_fwd(&t, x, 1);
                float *yf = test_download(ctx, &t.y, t.nout);
                l[s] = 0;
                for (size_t j = 0; j < t.nout; j++) l[s] += (double)dy[j] * yf[j];
                free(yf);
            }
            double fdv = (l[0] - l[1]) / ((double)(x0 + 1.0f) - (double)(x0 - 1.0f));
            x[i] = x0;
            e = fmax(e, fabs(fdv - adx[i]) / fmax(1.0, fabs(fdv)));
        }
        if (getenv("CLGAN_TEST_VERBOSE")) printf("  %s: differences %.3g\n", what, e);
        CHECK(e <= FD_UPS_TOL, "%s: gradient vs differences: %.3g > %.3g", what, e, FD_UPS_TOL);
        free(adx);
    }
    free(x), free(dy), free(y), free(dx);
    lt_free(&t);
}

/* ---- 3. PyTorch fixtures ---------------------------------------------------------------------- */
static const float *fx(const fixture *f, const char *prefix, const char *name)
{
    char full[64];
    snprintf(full, sizeof full, "%s%s", prefix, name);
    const fix_tensor *t = fixture_get(f, full);
    if (!t) exit(1);
    return t->data;
}

static void cmp_fx(const char *what, float *dev, const fixture *f, const char *prefix, const char *name, size_t n)
{
    char full[160];
    snprintf(full, sizeof full, "%s: %s%s", what, prefix, name);
    double *ref = dvec(fx(f, prefix, name), n, 1, 0);
    cmp(full, dev, ref, n, TORCH_TOL);
    free(ref);
}

/* A BatchNorm training step, its backward, a second training forward (fixture names: bn_case
 * in tools/torch_fixtures_bn.py). */
static void torch_bn_train(const fixture *f, const char *prefix, const char *spec, clg_shape in, int n, int affine)
{
    lt t;
    lt_make(&t, spec, in, n);
    size_t c = (size_t)in.c;
    if (affine) lt_set(&t, "weight", fx(f, prefix, "weight"), 0), lt_set(&t, "bias", fx(f, prefix, "bias"), 0);
    lt_set(&t, "running_mean", fx(f, prefix, "rm0"), 0);
    lt_set(&t, "running_var", fx(f, prefix, "rv0"), 0);
    lt_fwd(&t, fx(f, prefix, "x"), 1);
    lt_bwd(&t, fx(f, prefix, "g"));
    cmp_fx(spec, test_download(ctx, &t.y, t.nout), f, prefix, "y", t.nout);
    cmp_fx(spec, test_download(ctx, &t.dx, t.nin), f, prefix, "dx", t.nin);
    if (affine) cmp_fx(spec, lt_get(&t, "weight", 1), f, prefix, "dweight", c);
    if (affine) cmp_fx(spec, lt_get(&t, "bias", 1), f, prefix, "dbias", c);
    cmp_fx(spec, lt_get(&t, "running_mean", 0), f, prefix, "rm1", c);
    cmp_fx(spec, lt_get(&t, "running_var", 0), f, prefix, "rv1", c);
    lt_fwd(&t, fx(f, prefix, "x2"), 1);
    cmp_fx(spec, test_download(ctx, &t.y, t.nout), f, prefix, "y2", t.nout);
    cmp_fx(spec, lt_get(&t, "running_mean", 0), f, prefix, "rm2", c);
    cmp_fx(spec, lt_get(&t, "running_var", 0), f, prefix, "rv2", c);
    lt_free(&t);
}

static int load(fixture *f, const char *dir, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int ok = fixture_load(f, path) == 0;
    CHECK(ok, "cannot load fixture %s", path);
    return ok;
}

static void torch_tests(const char *dir)
{
    fixture f;
    if (load(&f, dir, "bn_train2d.bin")) {
        torch_bn_train(&f, "", "batchnorm", (clg_shape){3, 5, 7}, 4, 1);
        fixture_free(&f);
    }
    if (load(&f, dir, "bn_train1d.bin")) {
        torch_bn_train(&f, "a.", "batchnorm eps=0.001 momentum=0.01", (clg_shape){5, 1, 1}, 6, 1);
        torch_bn_train(&f, "b.", "batchnorm affine=0", (clg_shape){4, 1, 1}, 3, 0);
        fixture_free(&f);
    }
    if (load(&f, dir, "bn_eval2d.bin")) {
        lt t;
        lt_make(&t, "batchnorm", (clg_shape){3, 3, 4}, 2);
        lt_set(&t, "weight", fx(&f, "", "weight"), 0);
        lt_set(&t, "bias", fx(&f, "", "bias"), 0);
        lt_set(&t, "running_mean", fx(&f, "", "rm"), 0);
        lt_set(&t, "running_var", fx(&f, "", "rv"), 0);
        lt_fwd(&t, fx(&f, "", "x"), 0);
        lt_bwd(&t, fx(&f, "", "g"));
        cmp_fx("batchnorm eval", test_download(ctx, &t.y, t.nout), &f, "", "y", t.nout);
        cmp_fx("batchnorm eval", test_download(ctx, &t.dx, t.nin), &f, "", "dx", t.nin);
        cmp_fx("batchnorm eval", lt_get(&t, "weight", 1), &f, "", "dweight", 3);
        cmp_fx("batchnorm eval", lt_get(&t, "bias", 1), &f, "", "dbias", 3);
        lt_free(&t);
        fixture_free(&f);
    }
    for (int bil = 0; bil <= 1; bil++) {
        if (!load(&f, dir, bil ? "upsample_bilinear.bin" : "upsample_nearest.bin")) continue;
        const char *prefixes[] = {"k2.", "k3.", "one.", "big."};
        for (int i = 0; i < 4; i++) {
            char xn[16], spec[64];
            snprintf(xn, sizeof xn, "%sx", prefixes[i]);
            const fix_tensor *xt = fixture_get(&f, xn), *yt = fixture_get(&f, strcat(strcpy(xn, prefixes[i]), "y"));
            int k = yt->dims[2] / xt->dims[2];
            snprintf(spec, sizeof spec, "upsample scale=%d mode=%s", k, bil ? "bilinear" : "nearest");
            lt t;
            lt_make(&t, spec, (clg_shape){xt->dims[1], xt->dims[2], xt->dims[3]}, xt->dims[0]);
            lt_fwd(&t, xt->data, 1);
            lt_bwd(&t, fx(&f, prefixes[i], "g"));
            cmp_fx(spec, test_download(ctx, &t.y, t.nout), &f, prefixes[i], "y", t.nout);
            cmp_fx(spec, test_download(ctx, &t.dx, t.nin), &f, prefixes[i], "dx", t.nin);
            lt_free(&t);
        }
        fixture_free(&f);
    }
}

/* ---- 4. inside a network, and option errors --------------------------------------------------- */
static void net_tests(void)
{
    static clg_net_cfg cfg;
    static clg_net net;
    memset(&cfg, 0, sizeof cfg);
    cfg.nlayers = 2;
    snprintf(cfg.layers[0].text, sizeof cfg.layers[0].text, "batchnorm init=normal:1:0.02 momentum=0.1");
    snprintf(cfg.layers[1].text, sizeof cfg.layers[1].text, "upsample scale=2 mode=bilinear");
    snprintf(cfg.layers[0].where, CLG_WHERE, "test:1");
    snprintf(cfg.layers[1].where, CLG_WHERE, "test:2");
    clg_rng rng = {42};
    int st = clg_net_build(&net, ctx, "generator", &cfg, (clg_shape){3, 4, 5}, 4, &rng);
    CHECK(st == CLG_OK, "net build: %s", clg_last_error(ctx));
    if (st != CLG_OK) return;
    clg_buf *arenas[] = {&net.params, &net.grads, &net.buffers, &net.acts}; /* see lt_touch */
    for (int i = 0; i < 4; i++) lt_touch(arenas[i]);
    clg_layer *l = &net.layers[0];
    const char *names[] = {"weight", "bias", "running_mean", "running_var"};
    CHECK(l->nparams == 4, "batchnorm has %d params", l->nparams);
    for (int j = 0; j < 4 && j < l->nparams; j++)
        CHECK(!strcmp(l->params[j].name, names[j]) && l->params[j].trainable == (j < 2) && l->params[j].count == 3,
              "param %d: %s trainable=%d", j, l->params[j].name, l->params[j].trainable);
    CHECK(net.nparams == 6, "trainable values %zu", net.nparams);
    CHECK(net.layers[1].out.h == 8 && net.layers[1].out.w == 10 && net.layers[1].nparams == 0, "upsample shape");
    float *v[4];
    for (int j = 0; j < 4; j++) v[j] = test_download(ctx, &l->params[j].value, 3);
    for (int i = 0; i < 3; i++)
        CHECK(fabsf(v[0][i] - 1.0f) < 0.1f && v[0][i] != 1.0f && v[1][i] == 0.0f && v[2][i] == 0.0f &&
                  v[3][i] == 1.0f,
              "init of channel %d: w %g b %g rm %g rv %g", i, v[0][i], v[1][i], v[2][i], v[3][i]);
    float *x = scaled_rand(60 * 4, 3, 1.0f, 2.0f);
    clg_buf xb = test_upload(ctx, x, 60 * 4);
    CHECK_OK(ctx, clg_net_forward(&net, ctx, &xb, 4, 1, 2));
    float *rm = test_download(ctx, &l->params[2].value, 3);
    for (int i = 0; i < 3; i++) { /* after one step, running_mean = 0.1 * batch mean (about 2) */
        double s = 0;
        for (int b = 0; b < 4; b++)
            for (int k = 0; k < 20; k++) s += x[(b * 3 + i) * 20 + k];
        CHECK(fabs(rm[i] - 0.1 * s / 80) < 1e-6, "net running_mean[%d] %g vs %g", i, rm[i], 0.1 * s / 80);
    }
    for (int j = 0; j < 4; j++) free(v[j]);
    free(x), free(rm);
    clg_buf_release(&xb);
    clg_net_free(&net);

    const char *bad[] = {"batchnorm momentum=1.5", "batchnorm eps=0", "batchnorm affine=2", "batchnorm init=bogus",
                         "upsample scale=0", "upsample mode=bicubic", "upsample factor=2"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        clg_layer lay;
        clg_err e;
        st = clg_layer_create(&lay, bad[i], "test", (clg_shape){3, 4, 4}, 2, 0, &e);
        CHECK(st == CLG_ERR_CONFIG, "\"%s\" should be refused", bad[i]);
        if (st == CLG_OK) clg_layer_destroy(&lay);
    }
}

/* ---- timing ------------------------------------------------------------------------------------ */
static double now_ms(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

/* Forward (training) and backward (dx and parameter gradients) of one layer: the fastest of 20
 * runs in wall time (other processes only ever add time), and the CPU time of this process
 * (all of PoCL's threads) in that run, which on a busy machine is the steadier number. */
static void bench(const char *spec, int n, clg_shape in)
{
    lt t;
    lt_make(&t, spec, in, n);
    float *x = scaled_rand(t.nin, 1, 1.0f, 0.5f), *dy = scaled_rand(t.nout, 2, 1.0f, 0.0f);
    lt_fwd(&t, x, 1);
    lt_bwd(&t, dy);
    clFinish(ctx->queue);
    double best[2] = {1e30, 1e30}, cpu[2] = {0, 0};
    for (int r = 0; r < 20; r++)
        for (int pass = 0; pass < 2; pass++) {
            double t0 = now_ms(CLOCK_MONOTONIC), c0 = now_ms(CLOCK_PROCESS_CPUTIME_ID);
            if (pass == 0) CHECK_OK(ctx, t.l.ops->forward(&t.l, ctx, &t.y, &t.x, n, 1));
            else CHECK_OK(ctx, t.l.ops->backward(&t.l, ctx, &t.dx, &t.dy, &t.x, &t.y, n, 1));
            clFinish(ctx->queue);
            double dt = now_ms(CLOCK_MONOTONIC) - t0;
            if (dt < best[pass]) best[pass] = dt, cpu[pass] = now_ms(CLOCK_PROCESS_CPUTIME_ID) - c0;
        }
    printf("bench %-32s %4dx%3dx%2dx%2d: forward %7.2f ms (cpu %7.2f), backward %7.2f ms (cpu %7.2f)\n", spec, n,
           in.c, in.h, in.w, best[0], cpu[0], best[1], cpu[1]);
    free(x), free(dy);
    lt_free(&t);
}

int main(int argc, char **argv)
{
    if (argc < 2) return fprintf(stderr, "usage: test_bn FIXTURE_DIR [--bench]\n"), 2;
    ctx = test_ctx();
    if (argc > 2 && !strcmp(argv[2], "--bench")) {
        bench("batchnorm", 128, (clg_shape){112, 4, 4});
        bench("batchnorm", 128, (clg_shape){28, 14, 14});
        bench("upsample scale=2 mode=bilinear", 128, (clg_shape){128, 12, 12});
        bench("upsample scale=2 mode=nearest", 128, (clg_shape){128, 12, 12});
        clg_ctx_free(ctx);
        return 0;
    }
    int small = getenv("CLGAN_TEST_SMALL") != NULL;
    /* (N, C, H, W): N*H*W = 1, 3*49, 2*33, 65, 5*117 (H*W > work-group), 1000, 128*196 */
    static const int bn_sizes[][4] = {{1, 3, 1, 1}, {3, 4, 7, 7},     {2, 3, 1, 33},   {65, 5, 1, 1},
                                      {5, 2, 9, 13}, {1000, 3, 1, 1}, {128, 2, 14, 14}};
    int nbn = small ? 4 : 7;
    for (int i = 0; i < nbn; i++)
        bn_case(bn_sizes[i][0], bn_sizes[i][1], bn_sizes[i][2], bn_sizes[i][3], i % 2 ? 0.1 : 0.01, i % 2 ? 1e-5 : 1e-3,
                (unsigned)(17 * i + 1));
    bn_gradcheck(small ? 2 : 4, 3, small ? 2 : 3, small ? 1 : 3, 1);
    bn_gradcheck(3, 2, 1, 1, 1); /* BatchNorm1d-like, tiny batch */
    bn_gradcheck(2, 2, 2, 2, 0);
    static const int up_sizes[][4] = {{2, 3, 7, 5}, {1, 2, 5, 7}, {2, 2, 1, 1}, {1, 2, 12, 12}};
    for (int i = 0; i < 4; i++)
        for (int k = 2; k <= 3; k++)
            for (int bil = 0; bil <= 1; bil++)
                ups_case(small ? 1 : up_sizes[i][0], up_sizes[i][1], up_sizes[i][2], up_sizes[i][3], k, bil,
                         i == 1 || i == 2);
    for (int bil = 0; bil <= 1; bil++) /* 11 planes: a second, partial group of UPS_PLANES */
        ups_case(1, 11, 3, 4, 2, bil, 0);
    ups_case(1, 2, 4, 3, 5, 1, 1); /* a larger factor: the gather's candidate range */
    ups_case(1, 1, 3, 2, 8, 1, !small);
    torch_tests(argv[1]);
    net_tests();
    clg_ctx_free(ctx);
    return test_summary("bn");
}
