/* ops_grad.h — the OP_GRAD runners of test_ops.c: backward passes against central finite
 * differences of the forward pass, for single layers built by clg_layer_create (every parameter
 * and dx), for whole networks through clg_net_forward/clg_net_backward (dx and every parameter)
 * and for the BCE loss in all its modes (d loss / d z).
 *
 * Method. The pseudo-loss is L = sum_i r_i y_i with fixed random r, so the backward pass is run
 * with dy = r. L is computed in double on the host from the device's forward outputs; each
 * input or parameter value v is perturbed to the floats v+-h and v+-2h (the whole buffer is
 * rewritten each time) and
 *     D(h) = (L(v+h) - L(v-h)) / (actual step),
 * compared with the analytic gradient g from the device's backward pass:
 *     |D(h) - g| <= 2 noise(h) + 2 trunc + rtol |g|
 *   noise(h): the forward outputs are floats, each within `ulps` * 2^-24 * max(1, |y_i|) of the
 *             exact value (the row's ulps: 4 for elementwise layers and the loss, 4 (K+1) for a
 *             K-term sum, 16 for the networks: <= 3 GEMMs of <= 6 terms and 2 activations on any
 *             path, with weights and activations <= 1), so L(v+h) - L(v-h) carries at most
 *             ulps * 2^-24 * sum over changed outputs of |r_i| (max(1,|y+_i|) + max(1,|y-_i|));
 *   trunc = |D(2h) - D(h)| / 3: the O(h^2) truncation error of D(h), estimated by Richardson
 *             (exactly zero for the piecewise-linear layers, away from kinks);
 *   rtol = 1e-4: the float rounding of the analytic gradient itself (GEMM sums, <= K * 2^-24).
 * Layers with a plain-C double forward (batch norm, ref_bn.h) take L from it on the host mirrors of
 * their inputs and parameters instead (the device forward is checked against it first): the
 * difference then has no float noise, and the tolerance is 2 trunc + ulps 2^-24 (|g| + max |g|),
 * the backward pass's own rounding, per element (a device forward's noise budget would be ~0.5 |g|
 * on the small entries of batch norm's dx, whose terms cancel; this one catches 1% on nearly all).
 * Every check also asserts trunc <= 1e-3 max(|g|, 1e-2) + 2 noise, so a perturbation that crossed
 * a kink (the inputs are kept away from them) or a non-smooth forward pass fails instead of
 * widening the tolerance. The driver prints, per op, the median and largest tolerance relative to
 * |g| (over |g| >= 1% of the largest entry of that gradient); a negative control checks that an
 * error of 1% of the largest dW entry of a dense layer is caught on every element (full run).
 *
 * The loss: for each element j, the batch loss (1/n) sum_i L_i is formed on the host from
 * single-element launches of the bce kernel (L_i = its loss statistic for z_i alone), and its
 * finite difference in z_j is compared with dz_j from one launch over the whole batch.
 * In the small run (Oclgrind) it checks every 8th loss element of the 65-element batch (and not
 * its mean), every other element of the networks, and skips the negative control.
 */
#ifndef CLGAN_TEST_OPS_GRAD_H
#define CLGAN_TEST_OPS_GRAD_H

#include "ops.h"
#include "ref_bn.h"

#define RTOL 1e-4
#define EPS24 (1.0 / 16777216.0)

static double worst_rel;   /* max tolerance/|g| of the running op */
static double rels[20000]; /* tolerance/|g| of each check of the running op */
static size_t nrels;
static size_t fd_step = 1; /* check every fd_step-th element (2 for the networks under Oclgrind) */

/* ---- helpers ------------------------------------------------------------------------------------ */

/* keep |v| >= m (away from the kinks of relu/leaky_relu) */
static void away_from_zero(float *v, size_t n, float m)
{
    for (size_t i = 0; i < n; i++)
        if (fabsf(v[i]) < m) v[i] = v[i] < 0 ? -m - fabsf(v[i]) : m + fabsf(v[i]);
}

/* ---- the finite-difference engine --------------------------------------------------------------- */

typedef struct fd_fn {
    int (*forward)(void *u); /* runs the device forward pass that produces y */
    void *u;
    const clg_buf *y;
    size_t ny;
    const float *r; /* L = sum r_i y_i */
    double ulps;    /* rounding budget of each y_i, in units of 2^-24 max(1, |y_i|) */
    /* or, for layers with a plain-C double forward: y from the host mirrors in double, so that the
     * finite difference carries no float noise (the device forward is checked against it) */
    void (*ref)(double *y, const void *u);
} fd_fn;

static double eval(const fd_fn *f, float *ybuf)
{
    if (f->ref) {
        double *y = dalloc(f->ny), L = 0;
        f->ref(y, f->u);
        for (size_t i = 0; i < f->ny; i++) L += (double)f->r[i] * y[i];
        free(y);
        return L;
    }
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
            if (!f->ref) CHECK_OK(ctx, clg_buf_write(ctx, root, host, nroot, 1));
            double Lp = eval(f, yp);
            host[idx] = hm;
            if (!f->ref) CHECK_OK(ctx, clg_buf_write(ctx, root, host, nroot, 1));
            double Lm = eval(f, ym);
            double step = (double)hp - (double)hm, S = 0;
            for (size_t i = 0; i < f->ny && !f->ref; i++)
                if (yp[i] != ym[i]) S += fabs(f->r[i]) * (fmax(1, fabs(yp[i])) + fmax(1, fabs(ym[i])));
            D[s - 1] = (Lp - Lm) / step;
            noise[s - 1] = f->ulps * EPS24 * S / step;
        }
        host[idx] = v;
        if (!f->ref) CHECK_OK(ctx, clg_buf_write(ctx, root, host, nroot, 1));
        double g = (double)ana[j] + shift;
        double trunc = fabs(D[1] - D[0]) / 3;
        /* against a double reference, the float rounding of the backward pass alone: `ulps` of
         * the magnitudes it sums, bounded by those of the gradient (its entries are such sums) */
        double tol = f->ref ? 2 * trunc + f->ulps * EPS24 * (fabs(g) + gmax) + 1e-12
                            : 2 * noise[0] + 2 * trunc + RTOL * fabs(g) + 1e-12;
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
    const float *hx, *hp[CLG_MAX_PARAMS]; /* host mirrors of x and the parameters, for a reference */
} layer_case;

/* batch norm (ref_bn.h): parameters weight, bias, running_mean, running_var; eps = 1e-5 (the
 * default; the forward check of check_layer would catch another) */
static void ref_bn_layer(double *y, const void *u)
{
    const layer_case *c = u;
    int ch = c->l.out.c, hw = c->l.out.h * c->l.out.w;
    double *rs = dalloc(2 * (size_t)ch);
    to_double(rs, c->hp[2], ch), to_double(rs + ch, c->hp[3], ch);
    ref_bn_fwd(y, c->hx, c->hp[0], c->hp[1], c->n, ch, hw, 1e-5, c->train, 0.1, rs, rs + ch);
    free(rs);
}

/* The layer types with a plain-C double forward for the finite differences. */
static void (*fd_reference(const char *type))(double *, const void *)
{
    return !strcmp(type, "batchnorm") ? ref_bn_layer : NULL;
}

static int layer_forward(void *u)
{
    layer_case *c = u;
    c->l.key = c->fixed_key;
    return c->l.ops->forward(&c->l, ctx, &c->l.y, &c->x, c->n, c->train);
}

/* The layer of `text` on input `in` for a batch of n, with parameters, scratch, workspace and
 * output of its own (zeros), x = xv; forward and backward in training mode unless `train` is 0. */
static int fd_layer_make(layer_case *c, const char *text, clg_shape in, int n, int train, const float *xv)
{
    clg_err e;
    memset(c, 0, sizeof *c);
    c->n = n;
    c->train = train;
    c->fixed_key = 0x2545f491u;
    if (clg_layer_create(&c->l, text, "test:1", in, n, 0, &e) != CLG_OK) return fprintf(stderr, "%s\n", e.msg), -1;
    size_t nin = (size_t)n * clg_shape_size(in), nout = (size_t)n * clg_shape_size(c->l.out);
    for (int j = 0; j < c->l.nparams; j++) {
        float *z = calloc(c->l.params[j].count, sizeof *z);
        c->l.params[j].value = test_upload(ctx, z, c->l.params[j].count);
        c->l.params[j].grad = test_upload(ctx, z, c->l.params[j].count);
        free(z);
    }
    size_t nz = nin > nout ? nin : nout;
    if (c->l.scratch_floats > nz) nz = c->l.scratch_floats;
    if (c->l.workspace_floats > nz) nz = c->l.workspace_floats;
    float *z = calloc(nz, sizeof *z);
    if (c->l.scratch_floats) c->l.scratch = test_upload(ctx, z, c->l.scratch_floats);
    if (c->l.workspace_floats) c->l.workspace = test_upload(ctx, z, c->l.workspace_floats);
    c->l.y = test_upload(ctx, z, nout);
    c->dx = test_upload(ctx, z, nin);
    c->dy = test_upload(ctx, z, nout);
    c->x = test_upload(ctx, xv, nin);
    free(z);
    return 0;
}

static void fd_layer_free(layer_case *c)
{
    for (int j = 0; j < c->l.nparams; j++) clg_buf_release(&c->l.params[j].value), clg_buf_release(&c->l.params[j].grad);
    if (c->l.scratch_floats) clg_buf_release(&c->l.scratch);
    if (c->l.workspace_floats) clg_buf_release(&c->l.workspace);
    clg_buf_release(&c->l.y), clg_buf_release(&c->x), clg_buf_release(&c->dx), clg_buf_release(&c->dy);
    clg_layer_destroy(&c->l);
}

/* Run forward and backward with dy = r, then check dx and every trainable parameter's gradient
 * (buffers such as running statistics get values in [0.2, 1.2): a variance must be positive). */
static void check_layer(const char *text, clg_shape in, int n, int train, float *xv, double h, double ulps,
                        unsigned seed)
{
    layer_case c;
    if (fd_layer_make(&c, text, in, n, train, xv) != 0) {
        CHECK(0, "cannot create %s", text);
        return;
    }
    size_t nin = (size_t)n * clg_shape_size(in), nout = (size_t)n * clg_shape_size(c.l.out);
    float *r = test_randu(nout, seed, -1, 1);
    float *pv[CLG_MAX_PARAMS];
    for (int j = 0; j < c.l.nparams; j++) {
        int tr = c.l.params[j].trainable;
        pv[j] = test_randu(c.l.params[j].count, seed + 1 + j, tr ? -0.8f : 0.2f, tr ? 0.8f : 1.2f);
        CHECK_OK(ctx, clg_buf_write(ctx, &c.l.params[j].value, pv[j], c.l.params[j].count, 1));
    }
    CHECK_OK(ctx, clg_buf_write(ctx, &c.dy, r, nout, 1));
    CHECK_OK(ctx, layer_forward(&c));
    CHECK_OK(ctx, c.l.ops->backward(&c.l, ctx, &c.dx, &c.dy, &c.x, &c.l.y, n, 1));
    float *dx = test_download(ctx, &c.dx, nin);
    fd_fn f = {layer_forward, &c, &c.l.y, nout, r, ulps, fd_reference(c.l.ops->type)};
    c.hx = xv;
    for (int j = 0; j < c.l.nparams; j++) c.hp[j] = pv[j];
    if (f.ref) { /* the reference is the device's function */
        double *ry = dalloc(nout);
        float *y = test_download(ctx, &c.l.y, nout);
        f.ref(ry, &c);
        double e = errv(y, ry, nout, 1);
        CHECK_ERR(e, TOL_RED, "%s forward against its reference: err %g", text, e);
        free(ry), free(y);
    }
    char what[128];
    snprintf(what, sizeof what, "%s dx", text);
    fd_check(what, &f, &c.x, xv, nin, 0, nin, dx, h, 0);
    for (int j = 0; j < c.l.nparams; j++) {
        clg_param *p = &c.l.params[j];
        if (!p->trainable) continue;
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
        free(g);
    }
    for (int j = 0; j < c.l.nparams; j++) free(pv[j]); /* (the reference reads them all) */
    free(dx), free(r);
    fd_layer_free(&c);
}

/* Rows (c, h, w, n, input seed, seed of r and the parameters, flags), spec = the layer's config
 * line, step and ulps as above: inputs uniform in +-1 (+-2 with FD_WIDE, +-4 with FD_X4; FD_KINK
 * keeps |x| >= 0.1, away from relu's kink: |x| > 2h), FD_EVAL runs forward and backward in
 * evaluation mode. */
enum { FD_WIDE = 1, FD_X4 = 2, FD_KINK = 4, FD_EVAL = 8 };
static void op_layer_grad(const op_case *row)
{
    const int *p = row->p;
    clg_shape in = {p[0], p[1], p[2]};
    size_t nin = (size_t)p[3] * clg_shape_size(in);
    float range = p[6] & FD_X4 ? 4.0f : p[6] & FD_WIDE ? 2.0f : 1.0f;
    float *xv = test_randu(nin, (unsigned)p[4], -range, range);
    if (p[6] & FD_KINK) away_from_zero(xv, nin, 0.1f);
    fd_step = 1;
    check_layer(row->spec, in, p[3], !(p[6] & FD_EVAL), xv, row->step, row->ulps, (unsigned)p[5]);
    free(xv);
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
static void check_net(const char *name, const char *const *layers, int nl, clg_shape in, int B, int kink, unsigned seed,
                      double h, double ulps)
{
    net_case *c = calloc(1, sizeof *c);
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

    fd_fn f = {net_forward, c, &last->y, ny, r, ulps, NULL};
    fd_step = small_mode ? 2 : 1;
    char what[128];
    snprintf(what, sizeof what, "%s dx", name);
    fd_check(what, &f, &c->x, xv, nx, 0, nx, dx, h, 0);
    for (int i = 0; i < nl; i++)
        for (int j = 0; j < net->layers[i].nparams; j++) {
            clg_param *p = &net->layers[i].params[j];
            size_t off = p->value.off - net->params.off;
            snprintf(what, sizeof what, "%s layer %d (%s) d%s", name, i, net->layers[i].ops->type, p->name);
            fd_check(what, &f, &net->params, pv, npar, off, p->count, g + off, h, 0);
        }
    fd_step = 1;
    free(pv), free(xv), free(r), free(dx), free(g);
    clg_buf_release(&dy), clg_buf_release(&c->x);
    clg_net_free(net);
    free(c);
}

/* Rows (c, h, w, batch, kink, seed), spec = the layers' config lines separated by ';' (the row's
 * name is the spec). Under Oclgrind a leading flatten becomes leaky_relu slope=1 on a flat input
 * (see on_oclgrind). */
static void op_net_grad(const op_case *row)
{
    const int *p = row->p;
    char buf[512], name[32], *save = NULL;
    const char *layers[CLG_MAX_LAYERS];
    int nl = 0;
    snprintf(buf, sizeof buf, "%s", row->spec);
    for (char *t = strtok_r(buf, ";", &save); t && nl < CLG_MAX_LAYERS; t = strtok_r(NULL, ";", &save)) {
        while (*t == ' ') t++;
        layers[nl++] = t;
    }
    clg_shape in = {p[0], p[1], p[2]};
    if (on_oclgrind() && !strcmp(layers[0], "flatten"))
        layers[0] = "leaky_relu slope=1", in = (clg_shape){p[0] * p[1] * p[2], 1, 1};
    snprintf(name, sizeof name, "net seed=%d", p[5]);
    check_net(name, layers, nl, in, p[3], p[4], (unsigned)p[5], row->step, row->ulps);
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

static void op_loss_grad(const op_case *row)
{
    /* (y, sign, real): D on real, D on fake, smoothed label, minimax G (sign -1), non-saturating G */
    static const float modes[][3] = {{1, 1, 1}, {0, 1, 0}, {0.9f, 1, 1}, {0, -1, 0}, {1, 1, 0}};
    int n = row->p[0];
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
            fd_fn f = {loss_forward, &c, &c.st, 3, rr, 4, NULL};
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

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Before an op's rows: forget the last op's tolerances; after: their median and largest. */
static void grad_begin(void) { worst_rel = 0, nrels = 0; }
static void grad_summary(void)
{
    qsort(rels, nrels, sizeof rels[0], cmp_double);
    printf("  %24s tolerance/|g| median %.2g, max %.2g\n", "", nrels ? rels[nrels / 2] : 0.0, worst_rel);
}

#endif
