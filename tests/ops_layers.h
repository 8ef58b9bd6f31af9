/* ops_layers.h — op runners for the layers through their ops table against the double-precision
 * references of tests/ref.h: dense (forward, dx, accumulated dW and db, param_grads = 0), the
 * activation, dropout, flatten and reshape layers, the layers' configuration errors, and a small
 * clg_net (build, forward, backward, optimizer updates through clg_net_update with and without
 * clipping). Part of test_ops.c (see ops.h); the dense and network rows run on each GEMM back end.
 * Tolerances (ops.h): TOL_ELEM for the elementwise layers, TOL_RED for dense and the network's
 * GEMMs, TOL_OPT for the optimizer's parameters.
 */
#ifndef CLGAN_TEST_OPS_LAYERS_H
#define CLGAN_TEST_OPS_LAYERS_H

#include "conv_ref.h"
#include "layers/im2col.h"
#include "ops.h"

/* ---- the convolutions' transposed columns (cl/conv.cl im2col_t) ---------------------------------- */

/* im2col_t of an image batch (nc, c, h, w) with a k x k window, stride s, padding pt on top and pl
 * on the left against the transpose of the plain-C im2col (the layers take it only for 128 or more
 * filters, which no network row here has). Row: (nc, c, h, w, k, s, pt, pl). */
static void op_im2col_t(const op_case *row)
{
    const int *p = row->p;
    int nc = p[0], c = p[1], h = p[2], w = p[3], k = p[4], s = p[5], pt = p[6], pl = p[7];
    int oh = (h + 2 * pt - k) / s + 1, ow = (w + 2 * pl - k) / s + 1;
    clg_conv_geom g = {c, h, w, oh, ow, k, s, pt, pl};
    size_t ni = (size_t)nc * c * h * w, rows = (size_t)c * k * k, cols = (size_t)nc * oh * ow, nco = rows * cols;
    float *img = test_randu(ni, 1600 + 7 * nc + c, -1, 1);
    double *col = dalloc(nco), *ref = dalloc(nco);
    ref_im2col(col, img, nc, c, h, w, oh, ow, k, s, pt, pl);
    for (size_t r = 0; r < rows; r++)
        for (size_t j = 0; j < cols; j++) ref[j * rows + r] = col[r * cols + j];
    clg_buf bimg = test_upload(ctx, img, ni), bct = up_pad(NULL, nco);
    CHECK_OK(ctx, clg_im2col_t(ctx, &bct, 0, &bimg, 0, &g, nc));
    float *hv = down_pad(&bct, nco, "im2col_t");
    double e = errv(hv, ref, nco, 1); /* copies: 0 but for a wrong value */
    CHECK_ERR(e, 1e-7, "im2col_t nc=%d c=%d %dx%d k%d s%d pad %d,%d: err %g", nc, c, h, w, k, s, pt, pl, e);
    free(img), free(col), free(ref), free(hv);
    clg_buf_release(&bimg), clg_buf_release(&bct);
}

/* ---- layers through the ops table --------------------------------------------------------------- */

/* Create layer `text` on input shape `in` for a batch of n, with its parameters and output in
 * buffers of its own. Returns the create status (so that errors can be tested). */
static int ref_layer_make(clg_layer *l, const char *text, clg_shape in, int n, char *err, size_t errlen)
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

static void ref_layer_free(clg_layer *l)
{
    for (int j = 0; j < l->nparams; j++) clg_buf_release(&l->params[j].value), clg_buf_release(&l->params[j].grad);
    clg_buf_release(&l->y);
    if (l->scratch_floats) clg_buf_release(&l->scratch);
    l->ops->destroy(l);
}

/* (n, in, out, bias, seed): forward, backward twice (dx overwritten, dW and db accumulated), and
 * param_grads = 0 */
static void op_dense_layer(const op_case *row)
{
    int n = row->p[0], in = row->p[1], out = row->p[2], bias = row->p[3], c = row->p[4];
    char err[512], text[64];
    clg_layer l;
    snprintf(text, sizeof text, "dense units=%d bias=%d", out, bias);
    int st = ref_layer_make(&l, text, (clg_shape){in, 1, 1}, n, err, sizeof err);
    CHECK(st == CLG_OK, "%s: %s", text, err);
    if (st != CLG_OK) return;
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
    ref_layer_free(&l);
}

/* The activation, dropout, flatten and reshape layers on one (3, 2, 5) input, and configuration
 * errors of the layers (the row has no parameters). */
static void op_other_layers(const op_case *row)
{
    (void)row;
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
        int st = ref_layer_make(&l, texts[t], in, n, err, sizeof err);
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
        ref_layer_free(&l);
    }
    clg_layer l;
    CHECK(ref_layer_make(&l, "relu slope=0.2", in, n, err, sizeof err) == CLG_ERR_CONFIG, "relu takes no slope");
    CHECK(ref_layer_make(&l, "dense units=3", (clg_shape){2, 3, 1}, 2, err, sizeof err) == CLG_ERR_CONFIG,
          "dense on a non-flat input must fail");
    CHECK(ref_layer_make(&l, "dense units=0", (clg_shape){4, 1, 1}, 2, err, sizeof err) == CLG_ERR_CONFIG,
          "dense units=0 must fail");
    CHECK(ref_layer_make(&l, "dense units=3 colour=red", (clg_shape){4, 1, 1}, 2, err, sizeof err) == CLG_ERR_CONFIG,
          "unknown option must fail");

    /* dropout: a new key per training forward, backward with the same mask, eval = identity */
    CHECK(ref_layer_make(&l, "dropout p=0.4", in, n, err, sizeof err) == CLG_OK, "dropout: %s", err);
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
    ref_layer_free(&l);
    CHECK(ref_layer_make(&l, "dropout p=1", in, n, err, sizeof err) == CLG_ERR_CONFIG, "dropout p=1 must fail");

    /* flatten and reshape: the same values, new shape */
    CHECK(ref_layer_make(&l, "flatten", in, n, err, sizeof err) == CLG_OK, "flatten: %s", err);
    CHECK(l.out.c == 30 && l.out.h == 1 && l.out.w == 1, "flatten shape %dx%dx%d", l.out.c, l.out.h, l.out.w);
    CHECK_OK(ctx, l.ops->forward(&l, ctx, &l.y, &x, n, 1));
    CHECK_OK(ctx, l.ops->backward(&l, ctx, &dx, &dy, &x, &l.y, n, 1));
    y = down_pad(&l.y, total, "flatten"), g = down_pad(&dx, total, "flatten dx");
    CHECK(!memcmp(y, xv, total * sizeof *y) && !memcmp(g, dyv, total * sizeof *g), "flatten is not a copy");
    free(y), free(g);
    ref_layer_free(&l);
    CHECK(ref_layer_make(&l, "reshape c=5 h=2 w=3", in, n, err, sizeof err) == CLG_OK, "reshape: %s", err);
    CHECK(l.out.c == 5 && l.out.h == 2 && l.out.w == 3, "reshape shape");
    CHECK_OK(ctx, l.ops->forward(&l, ctx, &l.y, &x, n, 1));
    CHECK_OK(ctx, l.ops->backward(&l, ctx, &dx, &dy, &x, &l.y, n, 1));
    y = down_pad(&l.y, total, "reshape"), g = down_pad(&dx, total, "reshape dx");
    CHECK(!memcmp(y, xv, total * sizeof *y) && !memcmp(g, dyv, total * sizeof *g), "reshape is not a copy");
    free(y), free(g);
    ref_layer_free(&l);
    CHECK(ref_layer_make(&l, "reshape c=4 h=2 w=3", in, n, err, sizeof err) == CLG_ERR_CONFIG, "bad reshape must fail");

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

/* The network of the rows' comment in test_ops.c (no parameters): build, forward and backward
 * layer by layer against the references from the device's activations, a second backward that
 * accumulates, clg_net_update with each optimizer with and without clipping, and a config error. */
static void op_network(const op_case *row)
{
    (void)row;
    const char *layers[] = {"flatten", "dense units=5", "leaky_relu slope=0.2", "dense units=3 bias=0",
                            "tanh", "dense units=2", "sigmoid"};
    clg_shape in = {2, 3, 1};
    if (on_oclgrind()) layers[0] = "leaky_relu slope=1", in = (clg_shape){6, 1, 1}; /* see on_oclgrind */
    clg_net_cfg cfg;
    net_cfg(&cfg, layers, 7);
    clg_net net;
    clg_rng rng = {12345};
    const char *err = clg_last_error(ctx);
    const int B = 4;
    int st = clg_net_build(&net, ctx, "test", &cfg, in, B, &rng);
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
    st = clg_net_build(&net, ctx, "bad", &cfg, (clg_shape){3, 1, 1}, 2, &rng);
    CHECK(st == CLG_ERR_CONFIG && strstr(err, "test:2") && strstr(err, "conv2d"), "bad layer: %d %s", st, err);
}

/* flatten and reshape past the first layer are views in a network's memory plan: their output is
 * the previous layer's buffer (same allocation and offset), the activations arena holds no copy,
 * and the layers' values and gradients are the rows of ROW_NET (test_ops.c) with views inside. */
static void op_net_views(const op_case *row)
{
    (void)row;
    static const char *const layers[] = {"dense units=12", "reshape c=3 h=2 w=2", "leaky_relu slope=0.2", "flatten",
                                         "dense units=2", "reshape c=1 h=2 w=1"};
    clg_net_cfg cfg;
    net_cfg(&cfg, layers, 6);
    clg_net net;
    clg_rng rng = {7};
    const int B = 3;
    int st = clg_net_build(&net, ctx, "views", &cfg, (clg_shape){5, 1, 1}, B, &rng);
    CHECK(st == CLG_OK, "clg_net_build: %s", clg_last_error(ctx));
    if (st != CLG_OK) return;
    for (int i = 1; i < 6; i += 2) {
        const clg_buf *y = &net.layers[i].y, *prev = &net.layers[i - 1].y;
        CHECK(y->mem == prev->mem && y->off == prev->off && y->n == prev->n,
              "layer %d (%s): output at %zu (%zu values), not a view of layer %d's at %zu (%zu)", i, layers[i], y->off,
              y->n, i - 1, prev->off, prev->n);
    }
    CHECK(net.layers[2].y.off >= net.layers[0].y.off + net.layers[0].y.n &&
              net.layers[4].y.off >= net.layers[2].y.off + net.layers[2].y.n,
          "the layers that compute overlap their outputs");
    /* the three outputs that are computed, each padded to the arena's alignment, and nothing else */
    size_t a = clg_align_floats(ctx), room = 0, sizes[] = {12, 12, 2};
    for (int i = 0; i < 3; i++) room += ((size_t)B * sizes[i] + a - 1) / a * a;
    CHECK(net.acts.n <= room, "activations arena of %zu values, above the %zu of the outputs computed", net.acts.n,
          room);
    clg_net_free(&net);
}

#endif
