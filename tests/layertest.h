/* layertest.h — a harness for testing one layer outside a network: create it from its config
 * line ("batchnorm momentum=0.1"), give it buffers of its own (parameters initialised to their
 * zeros/ones inits, gradients zeroed, scratch, x, y, dy, dx), set and read parameters by their
 * state_dict name, run forward/backward, and compare results with a double reference
 * (test_maxerr; $CLGAN_TEST_VERBOSE prints every error). Uses the test's global `ctx`.
 */
#ifndef CLGAN_TEST_LAYERTEST_H
#define CLGAN_TEST_LAYERTEST_H

#include "layers/layer.h"
#include "testutil.h"

static clg_ctx *ctx; /* the test's device, opened by main */

/* A device buffer of n zeros, written from the host in one piece. Not clEnqueueFillBuffer:
 * Oclgrind 21.10's uninitialised-value tracking re-sizes a buffer's shadow to each host store,
 * so after a fill (stored one pattern at a time) the whole buffer, and everything kernels later
 * write to it, reads as uninitialised. A full-size write leaves a clean shadow. */
static inline clg_buf lt_zeros(size_t n)
{
    float *z = calloc(n ? n : 1, sizeof *z);
    clg_buf b = test_upload(ctx, z, n);
    free(z);
    return b;
}

/* Rewrite a whole allocation from the host with its own contents (the same fix, for arenas
 * that were filled or written region by region). */
static inline void lt_touch(clg_buf *b)
{
    float *h = test_download(ctx, b, b->n);
    CHECK_OK(ctx, clg_buf_write(ctx, b, h, b->n, 1));
    free(h);
}

/* A layer created from its config line, with buffers of its own. */
typedef struct lt {
    clg_layer l;
    int n;
    size_t nin, nout;
    clg_buf x, y, dy, dx;
} lt;

static void lt_make(lt *t, const char *spec, clg_shape in, int n)
{
    memset(t, 0, sizeof *t);
    clg_err e;
    clg_layer *l = &t->l;
    if (clg_layer_create(l, spec, "test", in, n, 0, &e) != CLG_OK) {
        fprintf(stderr, "FAIL: cannot create \"%s\": %s\n", spec, e.msg);
        exit(1);
    }
    for (int j = 0; j < l->nparams; j++) {
        clg_param *p = &l->params[j];
        float *v = malloc(p->count * sizeof *v);
        for (size_t i = 0; i < p->count; i++) v[i] = p->init.kind == CLG_INIT_ONES ? 1.0f : 0.0f;
        p->value = test_upload(ctx, v, p->count);
        p->grad = lt_zeros( p->count);
        free(v);
    }
    if (l->scratch_floats) l->scratch = lt_zeros( l->scratch_floats);
    t->n = n;
    t->nin = (size_t)n * clg_shape_size(l->in);
    t->nout = (size_t)n * clg_shape_size(l->out);
    t->x = lt_zeros( t->nin);
    t->dx = lt_zeros( t->nin);
    t->y = lt_zeros( t->nout);
    t->dy = lt_zeros( t->nout);
}

static void lt_free(lt *t)
{
    for (int j = 0; j < t->l.nparams; j++) clg_buf_release(&t->l.params[j].value), clg_buf_release(&t->l.params[j].grad);
    clg_buf_release(&t->l.scratch);
    clg_buf *b[] = {&t->x, &t->y, &t->dy, &t->dx};
    for (int i = 0; i < 4; i++) clg_buf_release(b[i]);
    t->l.ops->destroy(&t->l);
}

static clg_param *lt_param(lt *t, const char *name)
{
    for (int j = 0; j < t->l.nparams; j++)
        if (!strcmp(t->l.params[j].name, name)) return &t->l.params[j];
    return NULL;
}

static void lt_set(lt *t, const char *name, const float *v, int grad)
{
    clg_param *p = lt_param(t, name);
    if (p) CHECK_OK(ctx, clg_buf_write(ctx, grad ? &p->grad : &p->value, v, p->count, 1));
}

static float *lt_get(lt *t, const char *name, int grad)
{
    clg_param *p = lt_param(t, name);
    return test_download(ctx, grad ? &p->grad : &p->value, p->count);
}

static void lt_fwd(lt *t, const float *x, int train)
{
    if (x) CHECK_OK(ctx, clg_buf_write(ctx, &t->x, x, t->nin, 1));
    CHECK_OK(ctx, t->l.ops->forward(&t->l, ctx, &t->y, &t->x, t->n, train));
}

static void lt_bwd(lt *t, const float *dy)
{
    CHECK_OK(ctx, clg_buf_write(ctx, &t->dy, dy, t->nout, 1));
    CHECK_OK(ctx, t->l.ops->backward(&t->l, ctx, &t->dx, &t->dy, &t->x, &t->y, t->n, 1));
}

/* Compare a host copy of device results with a double reference (test_maxerr <= tol); frees it. */
static void cmp(const char *what, float *dev, const double *ref, size_t n, double tol)
{
    double e = test_maxerr(dev, ref, n);
    if (getenv("CLGAN_TEST_VERBOSE")) printf("  %-60s max error %.3g (tolerance %.3g)\n", what, e, tol);
    CHECK(e <= tol, "%s: max error %.3g > %.3g", what, e, tol);
    free(dev);
}

static double *dvec(const float *f, size_t n, double scale, double shift)
{
    double *d = malloc(n * sizeof *d);
    for (size_t i = 0; i < n; i++) d[i] = f[i] * scale + shift;
    return d;
}

static float *scaled_rand(size_t n, unsigned seed, float scale, float shift)
{
    float *v = test_randv(n, seed);
    for (size_t i = 0; i < n; i++) v[i] = v[i] * scale + shift;
    return v;
}

#endif
