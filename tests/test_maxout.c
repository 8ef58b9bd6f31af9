/* test_maxout.c — the maxout layer against plain C (values, arg-max, ties go to the first
 * element, backward routes the gradient only to the arg-max) and a finite-difference check of
 * its backward pass; also shape errors (input not a multiple of k, not flat).
 */
#include "layers/layer.h"
#include "model/network.h"
#include "testutil.h"

static clg_net_cfg cfg_for(const char *layer)
{
    clg_net_cfg c;
    memset(&c, 0, sizeof c);
    c.opt.kind = CLG_OPT_SGD;
    c.opt.lr = 0.1f;
    c.nlayers = 1;
    snprintf(c.layers[0].text, sizeof c.layers[0].text, "%s", layer);
    snprintf(c.layers[0].where, sizeof c.layers[0].where, "test:1");
    return c;
}

static void check_case(clg_ctx *ctx, int n, int f, int k, int ties)
{
    char spec[64];
    snprintf(spec, sizeof spec, "maxout k=%d", k);
    clg_net_cfg c = cfg_for(spec);
    clg_net net;
    clg_rng rng = {1};
    CHECK_OK(ctx, clg_net_build(&net, ctx, "test", &c, (clg_shape){f * k, 1, 1}, n, &rng));
    size_t nin = (size_t)n * f * k, nout = (size_t)n * f;
    float *x = test_randv(nin, 3u + (unsigned)n);
    if (ties) /* quantise to a few levels so that ties are common */
        for (size_t i = 0; i < nin; i++) x[i] = (float)(int)(x[i] * 2.0f);
    float *dy = test_randv(nout, 5u);
    clg_buf bx = test_upload(ctx, x, nin), bdy = test_upload(ctx, dy, nout);
    CHECK_OK(ctx, clg_net_forward(&net, ctx, &bx, n, 1, 1));
    const clg_buf *dx;
    CHECK_OK(ctx, clg_net_backward(&net, ctx, &dx, &bdy, &bx, n, 1, 1));
    float *y = test_download(ctx, &net.layers[0].y, nout);
    float *gx = test_download(ctx, dx, nin);
    double *ry = malloc(nout * sizeof *ry), *rdx = calloc(nin, sizeof *rdx);
    for (size_t i = 0; i < nout; i++) {
        int a = 0;
        for (int j = 1; j < k; j++)
            if (x[i * k + j] > x[i * k + a]) a = j;
        ry[i] = x[i * k + a];
        rdx[i * k + a] = dy[i];
    }
    CHECK(test_maxerr(y, ry, nout) == 0.0, "maxout fwd n=%d f=%d k=%d ties=%d", n, f, k, ties);
    CHECK(test_maxerr(gx, rdx, nin) == 0.0, "maxout bwd n=%d f=%d k=%d ties=%d", n, f, k, ties);

    if (!ties) { /* finite differences of L = sum(dy * y), in double on the host */
        double worst = 0;
        for (size_t t = 0; t < nin && t < 40; t++) {
            size_t i = (t * 7919) % nin;
            float keep = x[i], h = 1e-3f;
            double lp = 0, lm = 0;
            for (int s = 0; s < 2; s++) {
                x[i] = keep + (s ? -h : h);
                for (size_t o = 0; o < nout; o++) {
                    float m = x[o * k];
                    for (int j = 1; j < k; j++) m = x[o * k + j] > m ? x[o * k + j] : m;
                    *(s ? &lm : &lp) += (double)dy[o] * m;
                }
            }
            x[i] = keep;
            double fd = (lp - lm) / (2.0 * h), e = fabs(fd - gx[i]);
            if (e > worst) worst = e;
        }
        CHECK(worst < 1e-3, "maxout finite differences: worst error %g", worst);
    }
    clg_buf_release(&bx), clg_buf_release(&bdy);
    free(x), free(dy), free(y), free(gx), free(ry), free(rdx);
    clg_net_free(&net);
}

int main(void)
{
    clg_ctx *ctx = test_ctx();
    int small = getenv("CLGAN_TEST_SMALL") != NULL;
    check_case(ctx, 1, 1, 1, 0);
    check_case(ctx, 3, 7, 5, 0);
    check_case(ctx, 3, 7, 5, 1);
    check_case(ctx, 2, 13, 3, 1);
    if (!small) check_case(ctx, 256, 240, 5, 0);

    clg_net net;
    clg_rng rng = {1};
    clg_net_cfg c = cfg_for("maxout k=4");
    const char *err = clg_last_error(ctx);
    CHECK(clg_net_build(&net, ctx, "test", &c, (clg_shape){10, 1, 1}, 2, &rng) == CLG_ERR_CONFIG &&
              strstr(err, "test:1") && strstr(err, "not a multiple of k=4"),
          "k must divide the features: %s", err);
    CHECK(clg_net_build(&net, ctx, "test", &c, (clg_shape){4, 2, 2}, 2, &rng) == CLG_ERR_CONFIG &&
              strstr(err, "flat input"),
          "input must be flat: %s", err);
    clg_ctx_free(ctx);
    return test_summary("maxout");
}
