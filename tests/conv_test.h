/* conv_test.h — helpers for tests/test_conv.c: the test's device and modes, Oclgrind shadow
 * re-syncing, the error measure and comparison, buffers placed inside larger sentinel-filled
 * ones, and one conv layer built into a clg_net from its config line (with the references that
 * go with its type).
 */
#ifndef CLGAN_TEST_CONV_TEST_H
#define CLGAN_TEST_CONV_TEST_H

#include "conv_ref.h"
#include "layers/im2col.h"
#include "model/network.h"
#include "testutil.h"

static clg_ctx *ctx;
static int small, verbose, oclgrind;

/* Oclgrind (21.10) keeps its "initialised" shadow per buffer and replaces it on every host-side
 * store (write, fill, copy) with one the size of that store, so after a store at an offset or a
 * fill the rest of the buffer reads as uninitialised (see test_shadow_sync in testutil.h). Writing the
 * whole buffer back from offset 0 restores it; on a real device this is a no-op, so it is done
 * only under Oclgrind. */
static void sync_buf(const clg_buf *root)
{
    if (!oclgrind || !root->n) return;
    float *h = test_download(ctx, root, root->n);
    CHECK_OK(ctx, clg_buf_write(ctx, (clg_buf *)root, h, root->n, 1));
    free(h);
}

static void sync_net(clg_net *net)
{
    clg_buf *b[] = {&net->params, &net->grads,   &net->opt_m,   &net->opt_v,     &net->buffers,
                    &net->acts,   &net->dbuf[0], &net->dbuf[1], &net->workspace, &net->scratch};
    for (size_t i = 0; i < sizeof b / sizeof b[0]; i++) sync_buf(b[i]);
}

/* max |dev - ref| / max(1, rms(ref)): float sums of K terms carry errors that grow with the size
 * of the partial sums (~ rms of the result), not with each result's own value. */
static double maxerr_rms(const float *dev, const double *ref, size_t n)
{
    double m = 0, ss = 0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)dev[i] - ref[i]);
        if (!(d <= m)) m = d; /* NaN fails */
        ss += ref[i] * ref[i];
    }
    return m / fmax(1.0, sqrt(ss / (n ? n : 1)));
}

static void cmp(const char *what, const char *name, float *dev, const double *ref, size_t n, double tol)
{
    double e = maxerr_rms(dev, ref, n);
    if (verbose) printf("  %-44s %-10s max error %.3g (tolerance %.3g)\n", what, name, e, tol);
    CHECK(e <= tol, "%s: %s: max error %.3g > %.3g", what, name, e, tol);
}

static double *dcopy(const float *f, size_t n)
{
    double *d = malloc(n * sizeof *d);
    for (size_t i = 0; i < n; i++) d[i] = f[i];
    return d;
}

/* A device buffer of n floats inside a larger one filled with `fill`, at offset `off`. */
static clg_buf upload_at(const float *host, size_t n, size_t off, size_t extra, float fill)
{
    float *h = malloc((off + n + extra) * sizeof *h);
    for (size_t i = 0; i < off + n + extra; i++) h[i] = fill;
    if (host) memcpy(h + off, host, n * sizeof *h);
    clg_buf b = test_upload(ctx, h, off + n + extra);
    free(h);
    return b;
}

/* The values outside [off, off+n) of a buffer of `total` floats are still `fill`. */
static void check_untouched(const clg_buf *b, size_t total, size_t off, size_t n, float fill, const char *what)
{
    float *h = test_download(ctx, b, total);
    size_t bad = 0;
    for (size_t i = 0; i < total; i++)
        if ((i < off || i >= off + n) && !(h[i] == fill || (isnan(fill) && isnan(h[i])))) bad++;
    CHECK(bad == 0, "%s: %zu values outside the output region were written", what, bad);
    free(h);
}

/* ---- one layer in a network of its own ----------------------------------------------------- */
typedef struct built {
    clg_net *net;
    clg_net_cfg *cfg;
    clg_layer *l;
    int transposed, k, s, bias;
} built;

static int build(built *b, const char *spec, clg_shape in, int batch, char *err, size_t errlen)
{
    memset(b, 0, sizeof *b);
    b->net = calloc(1, sizeof *b->net);
    b->cfg = calloc(1, sizeof *b->cfg);
    b->cfg->nlayers = 1;
    snprintf(b->cfg->layers[0].text, sizeof b->cfg->layers[0].text, "%s", spec);
    snprintf(b->cfg->layers[0].where, sizeof b->cfg->layers[0].where, "test");
    clg_rng rng = {42};
    int st = clg_net_build(b->net, ctx, "test", b->cfg, in, batch, &rng);
    if (st != CLG_OK) {
        snprintf(err, errlen, "%s", clg_last_error(ctx));
        free(b->net), free(b->cfg);
        return st;
    }
    b->l = &b->net->layers[0];
    sync_net(b->net);
    b->transposed = !strcmp(b->l->ops->type, "conv_transpose2d");
    b->k = b->l->params[0].dims[2];
    const char *s = strstr(spec, "stride=");
    b->s = s ? atoi(s + 7) : 1;
    b->bias = b->l->nparams > 1;
    return CLG_OK;
}

static void unbuild(built *b)
{
    clg_net_free(b->net);
    free(b->net), free(b->cfg);
}

static ref_geom geom_of(const built *b, int n)
{
    const clg_layer *l = b->l;
    return (ref_geom){n, l->in.c, l->in.h, l->in.w, l->out.c, l->out.h, l->out.w, b->k, b->s, 0, 0};
}

static void ref_fwd(const built *b, double *y, const float *x, const float *w, const float *bias, const ref_geom *g)
{
    (b->transposed ? ref_convt_fwd : ref_conv2d_fwd)(y, x, w, b->bias ? bias : NULL, g);
}

static void ref_bwd(const built *b, double *dx, double *dw, double *db, const float *dy, const float *x, const float *w,
                    const ref_geom *g)
{
    (b->transposed ? ref_convt_bwd : ref_conv2d_bwd)(dx, dw, b->bias ? db : NULL, dy, x, w, g);
}

static void set_param(built *b, int j, const float *v, int grad)
{
    clg_param *p = &b->l->params[j];
    CHECK_OK(ctx, clg_buf_write(ctx, grad ? &p->grad : &p->value, v, p->count, 1));
}

#endif
