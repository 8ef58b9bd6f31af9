/* test_grad.c — finite-difference gradient checks of every backward pass: the dense layer (dx, dW,
 * db), each activation, dropout with a fixed mask, flatten/reshape, the BCE loss in all its
 * modes (d loss / d z), and two small whole networks through clg_net_forward/clg_net_backward.
 *
 * Method. The pseudo-loss is L = sum_i r_i y_i with fixed random r, so the backward pass is run
 * with dy = r. L is computed in double on the host from the device's forward outputs; each
 * input or parameter value v is perturbed to the floats v+-h and v+-2h (the whole buffer is
 * rewritten each time) and
 *     D(h) = (L(v+h) - L(v-h)) / (actual step),
 * compared with the analytic gradient g from the device's backward pass:
 *     |D(h) - g| <= 2 noise(h) + 2 trunc + rtol |g|
 *   noise(h): the forward outputs are floats, each within `ulps` * 2^-24 * max(1, |y_i|) of the
 *             exact value (ulps = 4 for elementwise layers and the loss, 4 (K+1) for a K-term
 *             GEMM, 16 for the networks: <= 3 GEMMs of <= 6 terms and 2 activations on any
 *             path, with weights and activations <= 1), so L(v+h) - L(v-h) carries at most
 *             ulps * 2^-24 * sum over changed outputs of |r_i| (max(1,|y+_i|) + max(1,|y-_i|));
 *   trunc = |D(2h) - D(h)| / 3: the O(h^2) truncation error of D(h), estimated by Richardson
 *             (exactly zero for the piecewise-linear layers, away from kinks);
 *   rtol = 1e-4: the float rounding of the analytic gradient itself (GEMM sums, <= K * 2^-24).
 * Every check also asserts trunc <= 1e-3 max(|g|, 1e-2) + 2 noise, so a perturbation that crossed
 * a kink (the inputs are kept away from them) or a non-smooth forward pass fails instead of
 * widening the tolerance. The program prints, per section, the median and largest tolerance
 * relative to |g| (over |g| >= 1% of the largest entry of that gradient); a negative control
 * checks that an error of 1% of the largest dW entry is caught on every element.
 *
 * The loss: for each element j, the batch loss (1/n) sum_i L_i is formed on the host from
 * single-element launches of the bce kernel (L_i = its loss statistic for z_i alone), and its
 * finite difference in z_j is compared with dz_j from one launch over the whole batch.
 *
 * $CLGAN_TEST_SMALL (the Oclgrind run): every buffer is <= 100 elements anyway; to stay within
 * about a minute there it drops one dense shape, checks every 8th loss element of the 65-element
 * batch (and not its mean), every other element of the networks, and skips the negative control.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "layers/layer.h"
#include "model/network.h"
#include "ref.h"
#include "testutil.h"

#define RTOL 1e-4
#define EPS24 (1.0 / 16777216.0)

static clg_ctx *ctx;
static int small_mode;
static double worst, worst_rel; /* max error/tolerance, max tolerance/|g| of the running section */
static double rels[20000];       /* tolerance/|g| of each check of the running section */
static size_t nrels;
static size_t fd_step = 1;       /* check every fd_step-th element (2 for the networks under Oclgrind) */

/* ---- helpers ------------------------------------------------------------------------------------ */

/* keep |v| >= m (away from the kinks of relu/leaky_relu) */
static void away_from_zero(float *v, size_t n, float m)
{
    for (size_t i = 0; i < n; i++)
        if (fabsf(v[i]) < m) v[i] = v[i] < 0 ? -m - fabsf(v[i]) : m + fabsf(v[i]);
}

/* Oclgrind's shadow-memory quirk: see test_shadow_sync in testutil.h. */
static void shadow_sync(const clg_buf *root) { test_shadow_sync(ctx, root); }
static void net_sync(clg_net *net) { test_net_sync(ctx, net); }
static int on_oclgrind(void) { return test_on_oclgrind(ctx); }

/* ---- the finite-difference engine --------------------------------------------------------------- */

typedef struct fd_fn {
    int (*forward)(void *u); /* runs the device forward pass that produces y */
    void *u;
    const clg_buf *y;
    size_t ny;
    const float *r; /* L = sum r_i y_i */
    double ulps;    /* rounding budget of each y_i, in units of 2^-24 max(1, |y_i|) */
} fd_fn;

static double eval(const fd_fn *f, float *ybuf)
{
    CHECK_OK(ctx, f->forward(f->u));
    CHECK_OK(ctx, clg_buf_read(ctx, ybuf, f->y, f->ny));
    double L = 0;
    for (size_t i = 0; i < f->ny; i++) L += (double)f->r[i] * ybuf[i];
    return L;
}

/* Check ana[0..count) = dL/d host[off + j], where host mirrors the whole device buffer root
 * (nroot floats). With `shift` != 0 it is a negative control: ana + shift must fail on every
 * element; returns the number of elements that failed. */
static int fd_check(const char *what, const fd_fn *f, clg_buf *root, float *host, size_t nroot, size_t off,
                    size_t count, const float *ana, double h, double shift)
{
    float *yp = malloc(f->ny * sizeof *yp), *ym = malloc(f->ny * sizeof *ym);
    int failed = 0;
    double gmax = 0; /* the scale of this gradient, for reporting tolerances relative to it */
    for (size_t j = 0; j < count; j++) gmax = fmax(gmax, fabs(ana[j]));
    for (size_t j = 0; j < count; j += fd_step) {
        size_t idx = off + j;
        float v = host[idx];
        double D[2], noise[2];
        for (int s = 1; s <= 2; s++) {
            float hp = (float)(v + s * h), hm = (float)(v - s * h);
            host[idx] = hp;
            CHECK_OK(ctx, clg_buf_write(ctx, root, host, nroot, 1));
            double Lp = eval(f, yp);
            host[idx] = hm;
            CHECK_OK(ctx, clg_buf_write(ctx, root, host, nroot, 1));
            double Lm = eval(f, ym);
            double step = (double)hp - (double)hm, S = 0;
            for (size_t i = 0; i < f->ny; i++)
                if (yp[i] != ym[i]) S += fabs(f->r[i]) * (fmax(1, fabs(yp[i])) + fmax(1, fabs(ym[i])));
            D[s - 1] = (Lp - Lm) / step;
            noise[s - 1] = f->ulps * EPS24 * S / step;
        }
        host[idx] = v;
        CHECK_OK(ctx, clg_buf_write(ctx, root, host, nroot, 1));
        double g = (double)ana[j] + shift;
        double trunc = fabs(D[1] - D[0]) / 3;
        double tol = 2 * noise[0] + 2 * trunc + RTOL * fabs(g) + 1e-12;
        double err = fabs(D[0] - g);
        if (shift != 0.0) {
            failed += !(err <= tol);
            continue;
        }
        if (!(err / tol <= worst)) worst = err / tol;
        double rel = tol / fmax(fabs(g), 1e-2 * gmax);
        if (gmax > 0 && !(rel <= worst_rel)) worst_rel = rel;
        if (gmax > 0 && nrels < sizeof rels / sizeof rels[0]) rels[nrels++] = rel;
        if (getenv("GRAD_DEBUG") && rel > 1e-3)
            printf("  %s [%zu]: g %.6g D(h) %.8g D(2h) %.8g noise %.3g tol %.3g\n", what, j, g, D[0], D[1], noise[0], tol);
        CHECK(err <= tol, "%s [%zu]: finite difference %.8g, backward %.8g (err %.3g, tol %.3g)", what, j, D[0], g, err,
              tol);
        CHECK(trunc <= 1e-3 * fmax(fabs(g), 1e-2) + 2 * noise[0],
              "%s [%zu]: not smooth at this point (D(h) %.8g, D(2h) %.8g)", what, j, D[0], D[1]);
    }
    free(yp), free(ym);
    return failed;
}

/* ---- single layers through the ops table -------------------------------------------------------- */

typedef struct layer_case {
    clg_layer l;
    clg_buf x, dx, dy;
    int n, train;
    uint32_t fixed_key; /* dropout: the key forward starts from, every time */
} layer_case;

static int layer_forward(void *u)
{
    layer_case *c = u;
    c->l.key = c->fixed_key;
    return c->l.ops->forward(&c->l, ctx, &c->l.y, &c->x, c->n, c->train);
}

static int layer_make(layer_case *c, const char *text, clg_shape in, int n, const float *xv)
{
    clg_err e;
    memset(c, 0, sizeof *c);
    c->n = n;
    c->train = 1;
    c->fixed_key = 0x2545f491u;
    if (clg_layer_create(&c->l, text, "test:1", in, n, 0, &e) != CLG_OK) return fprintf(stderr, "%s\n", e.msg), -1;
    size_t nin = (size_t)n * clg_shape_size(in), nout = (size_t)n * clg_shape_size(c->l.out);
    for (int j = 0; j < c->l.nparams; j++) {
        float *z = calloc(c->l.params[j].count, sizeof *z);
        c->l.params[j].value = test_upload(ctx, z, c->l.params[j].count);
        c->l.params[j].grad = test_upload(ctx, z, c->l.params[j].count);
        free(z);
    }
    float *z = calloc(nin > nout ? nin : nout, sizeof *z);
    c->l.y = test_upload(ctx, z, nout);
    c->dx = test_upload(ctx, z, nin);
    c->dy = test_upload(ctx, z, nout);
    c->x = test_upload(ctx, xv, nin);
    free(z);
    return 0;
}

static void layer_free(layer_case *c)
{
    for (int j = 0; j < c->l.nparams; j++) clg_buf_release(&c->l.params[j].value), clg_buf_release(&c->l.params[j].grad);
    clg_buf_release(&c->l.y), clg_buf_release(&c->x), clg_buf_release(&c->dx), clg_buf_release(&c->dy);
    c->l.ops->destroy(&c->l);
}

/* Run forward and backward with dy = r, then check dx and every parameter gradient. */
static void check_layer(const char *text, clg_shape in, int n, float *xv, double h, double ulps, unsigned seed)
{
    layer_case c;
    if (layer_make(&c, text, in, n, xv) != 0) {
        CHECK(0, "cannot create %s", text);
        return;
    }
    size_t nin = (size_t)n * clg_shape_size(in), nout = (size_t)n * clg_shape_size(c.l.out);
    float *r = test_randu(nout, seed, -1, 1);
    float *pv[CLG_MAX_PARAMS];
    for (int j = 0; j < c.l.nparams; j++) {
        pv[j] = test_randu(c.l.params[j].count, seed + 1 + j, -0.8f, 0.8f);
        CHECK_OK(ctx, clg_buf_write(ctx, &c.l.params[j].value, pv[j], c.l.params[j].count, 1));
    }
    CHECK_OK(ctx, clg_buf_write(ctx, &c.dy, r, nout, 1));
    CHECK_OK(ctx, layer_forward(&c));
    CHECK_OK(ctx, c.l.ops->backward(&c.l, ctx, &c.dx, &c.dy, &c.x, &c.l.y, n, 1));
    float *dx = test_download(ctx, &c.dx, nin);
    fd_fn f = {layer_forward, &c, &c.l.y, nout, r, ulps};
    char what[128];
    snprintf(what, sizeof what, "%s dx", text);
    fd_check(what, &f, &c.x, xv, nin, 0, nin, dx, h, 0);
    for (int j = 0; j < c.l.nparams; j++) {
        clg_param *p = &c.l.params[j];
        float *g = test_download(ctx, &p->grad, p->count);
        snprintf(what, sizeof what, "%s d%s", text, p->name);
        fd_check(what, &f, &p->value, pv[j], p->count, 0, p->count, g, h, 0);
        if (j == 0 && !strncmp(text, "dense", 5) && !small_mode) {
            /* negative control: the same check must reject dW off by 1% of its largest entry */
            double gmax = 0;
            for (size_t i = 0; i < p->count; i++) gmax = fmax(gmax, fabs(g[i]));
            int failed = fd_check(what, &f, &p->value, pv[j], p->count, 0, p->count, g, h, 0.01 * gmax);
            CHECK(failed == (int)p->count, "%s: a 1%% error in dW went unnoticed on %d of %zu elements", text,
                  (int)p->count - failed, p->count);
        }
        free(g), free(pv[j]);
    }
    free(dx), free(r);
    layer_free(&c);
}

static void test_dense(void)
{
    /* (n, in, out): odd sizes; GEMM over K = in or n terms, so ulps = 4 * K */
    static const int cases[][3] = {{3, 7, 5}, {1, 4, 1}, {5, 2, 9}};
    for (int k = 0; k < (small_mode ? 2 : 3); k++) {
        int n = cases[k][0], in = cases[k][1], out = cases[k][2];
        char text[64];
        snprintf(text, sizeof text, "dense units=%d", out);
        float *xv = test_randu((size_t)n * in, 10 + k, -1, 1);
        int K = in > n ? in : n;
        check_layer(text, (clg_shape){in, 1, 1}, n, xv, 0.25, 4.0 * (K + 1), 20 + k);
        free(xv);
    }
    float *xv = test_randu(12, 30, -1, 1);
    check_layer("dense units=3 bias=0", (clg_shape){4, 1, 1}, 3, xv, 0.25, 32, 31);
    free(xv);
}

static void test_activations(void)
{
    static const char *const texts[] = {"relu", "leaky_relu", "leaky_relu slope=0.2", "tanh", "sigmoid"};
    const clg_shape in = {3, 2, 2};
    const int n = 3; /* 36 elements */
    for (int t = 0; t < 5; t++) {
        float *xv = test_randu(36, 40 + t, -4, 4);
        double h = 1e-2;
        if (t < 3) away_from_zero(xv, 36, 0.1f); /* the kink: |x| > 2h */
        check_layer(texts[t], in, n, xv, h, 4, 50 + t);
        free(xv);
    }
}

static void test_dropout_reshape(void)
{
    /* dropout: the layer draws its key from l->key, which is reset before every forward, so
     * the mask is fixed; backward must use that same mask */
    float *xv = test_randu(60, 60, -2, 2);
    check_layer("dropout p=0.5", (clg_shape){5, 3, 1}, 4, xv, 0.25, 4, 61);
    check_layer("dropout p=0.2", (clg_shape){15, 1, 1}, 4, xv, 0.25, 4, 62);
    check_layer("flatten", (clg_shape){5, 3, 1}, 4, xv, 0.25, 4, 63);
    check_layer("reshape c=3 h=5 w=1", (clg_shape){15, 1, 1}, 4, xv, 0.25, 4, 64);
    free(xv);
}

/* ---- the loss ----------------------------------------------------------------------------------- */

typedef struct loss_case {
    clg_buf z1, dz1, st; /* one element, its dz and its statistics (loss, mean p, accuracy) */
    float y, sign;
    int from_logits, real;
} loss_case;

static int loss_forward(void *u)
{
    loss_case *c = u;
    return CLG_LAUNCH_GROUP(ctx, CLG_K_BCE, KA_MEM(c->dz1.sub), KA_MEM(c->st.sub), KA_MEM(c->z1.sub), KA_INT(1),
                            KA_FLT(c->y), KA_FLT(c->sign), KA_INT(c->from_logits), KA_INT(c->real), KA_INT(0));
}

static void test_loss(void)
{
    /* (y, sign, real): D on real, D on fake, smoothed label, minimax G (sign -1), non-saturating G */
    static const float modes[][3] = {{1, 1, 1}, {0, 1, 0}, {0.9f, 1, 1}, {0, -1, 0}, {1, 1, 0}};
    static const int ns[] = {7, 65};
    for (int ni = 0; ni < 2; ni++) {
        int n = ns[ni];
        for (int fl = 0; fl <= 1; fl++) {
            /* logits in [-6, 6]; probabilities in [0.05, 0.95] (away from the log clamp) */
            float *z = fl ? test_randu(n, 70 + n, -6, 6) : test_randu(n, 71 + n, 0.05f, 0.95f);
            clg_buf zb = test_upload(ctx, z, n), dz = test_upload(ctx, z, n), st = test_upload(ctx, z, 3);
            for (int m = 0; m < 5; m++) {
                loss_case c = {test_upload(ctx, z, 1), test_upload(ctx, z, 1), test_upload(ctx, z, 3), modes[m][0],
                               modes[m][1], fl, (int)modes[m][2]};
                CHECK_OK(ctx, CLG_LAUNCH_GROUP(ctx, CLG_K_BCE, KA_MEM(dz.sub), KA_MEM(st.sub), KA_MEM(zb.sub), KA_INT(n),
                                               KA_FLT(c.y), KA_FLT(c.sign), KA_INT(fl), KA_INT(c.real), KA_INT(0)));
                float *g = test_download(ctx, &dz, n), *s = test_download(ctx, &st, 3);
                /* the batch loss is the mean of the single-element losses L_i */
                double Lsum = 0;
                float l1[3];
                for (int i = 0; i < n && (!small_mode || n <= 7); i++) {
                    CHECK_OK(ctx, clg_buf_write(ctx, &c.z1, &z[i], 1, 1));
                    CHECK_OK(ctx, loss_forward(&c));
                    CHECK_OK(ctx, clg_buf_read(ctx, l1, &c.st, 3));
                    Lsum += l1[0];
                    if (i == n - 1)
                        CHECK(fabs(s[0] - Lsum / n) <= 1e-5 * fmax(1, fabs(Lsum / n)), "bce n=%d: batch loss %g, mean %g",
                              n, s[0], Lsum / n);
                }
                /* d(batch loss)/dz_j = d(L_j / n)/dz_j: "y" is the statistics, r = (1/n, 0, 0) */
                float rr[3] = {1.0f / (float)n, 0, 0};
                fd_fn f = {loss_forward, &c, &c.st, 3, rr, 4};
                char what[96];
                int stride = small_mode && n > 7 ? 8 : 1;
                for (int j = 0; j < n; j += stride) {
                    float zj = z[j];
                    snprintf(what, sizeof what, "bce logits=%d y=%g sign=%g real=%d n=%d dz[%d]", fl, c.y, c.sign,
                             c.real, n, j);
                    fd_check(what, &f, &c.z1, &zj, 1, 0, 1, &g[j], fl ? 1e-2 : 1e-3, 0);
                }
                free(g), free(s);
                clg_buf_release(&c.z1), clg_buf_release(&c.dz1), clg_buf_release(&c.st);
            }
            free(z);
            clg_buf_release(&zb), clg_buf_release(&dz), clg_buf_release(&st);
        }
    }
}

/* ---- whole networks ----------------------------------------------------------------------------- */

typedef struct net_case {
    clg_net net;
    clg_net_cfg cfg;
    clg_buf x;
    int B;
    uint32_t keys[CLG_MAX_LAYERS]; /* dropout keys, fixed */
} net_case;

static int net_forward(void *u)
{
    net_case *c = u;
    for (int i = 0; i < c->net.nlayers; i++) c->net.layers[i].key = c->keys[i];
    return clg_net_forward(&c->net, ctx, &c->x, c->B, 1, c->net.nlayers);
}

/* Build `layers` on input `in` with batch B, parameters uniform in +-0.8 and inputs in +-1, and check
 * dx and every parameter gradient through clg_net_backward. `kink` names the layer whose input
 * must stay >= 0.05 away from 0 (relu/leaky: a perturbation of 2h = 0.02 of one weight or input,
 * all <= 1 in size, moves a pre-activation by at most 0.02); inputs are redrawn until it holds. */
static void check_net(const char *name, const char *const *layers, int nl, clg_shape in, int B, int kink, unsigned seed)
{
    net_case *c = calloc(1, sizeof *c);
    memset(&c->cfg, 0, sizeof c->cfg);
    c->cfg.opt.kind = CLG_OPT_SGD;
    c->cfg.nlayers = nl;
    for (int i = 0; i < nl; i++) {
        snprintf(c->cfg.layers[i].text, sizeof c->cfg.layers[i].text, "%s", layers[i]);
        snprintf(c->cfg.layers[i].where, sizeof c->cfg.layers[i].where, "test:%d", i + 1);
    }
    clg_rng rng = {seed};
    int st = clg_net_build(&c->net, ctx, name, &c->cfg, in, B, &rng);
    CHECK(st == CLG_OK, "%s: clg_net_build: %s", name, clg_last_error(ctx));
    if (st != CLG_OK) {
        free(c);
        return;
    }
    net_sync(&c->net);
    c->B = B;
    for (int i = 0; i < nl; i++) c->keys[i] = 0x9e3779b9u * (uint32_t)(i + 1);
    clg_net *net = &c->net;
    const clg_layer *last = &net->layers[nl - 1];
    size_t nx = (size_t)B * clg_shape_size(in), ny = (size_t)B * clg_shape_size(last->out), npar = net->params.n;

    /* parameters: the whole arena (padding included, never read), values in +-0.8 */
    float *pv = test_randu(npar, seed + 1, -0.8f, 0.8f), *xv = NULL;
    CHECK_OK(ctx, clg_buf_write(ctx, &net->params, pv, npar, 1));
    c->x = test_upload(ctx, NULL, nx);
    for (unsigned tries = 0;; tries++) {
        free(xv);
        xv = test_randu(nx, seed + 2 + 17 * tries, -1, 1);
        CHECK_OK(ctx, clg_buf_write(ctx, &c->x, xv, nx, 1));
        CHECK_OK(ctx, net_forward(c));
        if (kink < 1) break;
        const clg_layer *pre = &net->layers[kink - 1];
        size_t m = (size_t)B * clg_shape_size(pre->out);
        float *a = test_download(ctx, &pre->y, m);
        float amin = INFINITY;
        for (size_t i = 0; i < m; i++) amin = fminf(amin, fabsf(a[i]));
        free(a);
        if (amin >= 0.05f) break;
        CHECK(tries < 1000, "%s: no input keeps layer %d's input away from 0", name, kink);
        if (tries >= 1000) break;
    }

    /* analytic gradients: dy = r */
    float *r = test_randu(ny, seed + 3, -1, 1);
    clg_buf dy = test_upload(ctx, r, ny);
    CHECK_OK(ctx, clg_net_zero_grad(net, ctx));
    shadow_sync(&net->grads);
    const clg_buf *dxb = NULL;
    CHECK_OK(ctx, clg_net_backward(net, ctx, &dxb, &dy, &c->x, B, 1, nl));
    float *dx = test_download(ctx, dxb, nx);
    float *g = test_download(ctx, &net->grads, npar);

    fd_fn f = {net_forward, c, &last->y, ny, r, 16};
    fd_step = small_mode ? 2 : 1;
    char what[128];
    snprintf(what, sizeof what, "%s dx", name);
    fd_check(what, &f, &c->x, xv, nx, 0, nx, dx, 1e-2, 0);
    for (int i = 0; i < nl; i++)
        for (int j = 0; j < net->layers[i].nparams; j++) {
            clg_param *p = &net->layers[i].params[j];
            size_t off = p->value.off - net->params.off;
            snprintf(what, sizeof what, "%s layer %d (%s) d%s", name, i, net->layers[i].ops->type, p->name);
            fd_check(what, &f, &net->params, pv, npar, off, p->count, g + off, 1e-2, 0);
        }
    fd_step = 1;
    free(pv), free(xv), free(r), free(dx), free(g);
    clg_buf_release(&dy), clg_buf_release(&c->x);
    clg_net_free(net);
    free(c);
}

static void test_networks(void)
{
    const char *a[] = {"flatten", "dense units=5", "leaky_relu slope=0.2", "dense units=3", "tanh", "dense units=1"};
    clg_shape in = {2, 3, 1};
    if (on_oclgrind()) a[0] = "leaky_relu slope=1", in = (clg_shape){6, 1, 1}; /* see on_oclgrind */
    check_net("mlp", a, 6, in, 4, 2, 100);
    const char *b[] = {"dense units=6", "relu", "dropout p=0.3", "dense units=2 bias=0", "sigmoid"};
    check_net("mlp+dropout", b, 5, (clg_shape){5, 1, 1}, 3, 1, 200);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(void)
{
    small_mode = getenv("CLGAN_TEST_SMALL") != NULL;
    ctx = test_ctx();
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("device: %s%s\n", clg_ctx_device_desc(ctx), small_mode ? " (small sizes)" : "");
    static const struct {
        const char *name;
        void (*fn)(void);
    } sections[] = {{"dense", test_dense},
                    {"activations", test_activations},
                    {"dropout/flatten/reshape", test_dropout_reshape},
                    {"bce loss", test_loss},
                    {"networks", test_networks}};
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++) {
        int f0 = t_fail;
        worst = worst_rel = 0;
        nrels = 0;
        double t0 = test_now();
        sections[i].fn();
        qsort(rels, nrels, sizeof rels[0], cmp_double);
        printf("  %-24s %s  worst error/tolerance %.3g; tolerance/|g| median %.2g, max %.2g  %.2f s\n", sections[i].name,
               t_fail > f0 ? "FAIL" : "ok  ", worst, nrels ? rels[nrels / 2] : 0.0, worst_rel, test_now() - t0);
    }
    clg_ctx_free(ctx);
    return test_summary("grad");
}
