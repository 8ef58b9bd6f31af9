/* ops_ema.h — the generator's weight-average kernel (cl/optim.cl ema) against its closed form:
 * one step e1 = d e0 + (1 - d) p, and k steps towards fixed weights, e_k = p + d^k (e0 - p). */
#ifndef CLGAN_TESTS_OPS_EMA_H
#define CLGAN_TESTS_OPS_EMA_H

#include "ops.h"

static void op_ema(const op_case *row)
{
    size_t n = (size_t)row->p[0];
    const float d = 0.999f, w = (float)(1.0 - (double)d); /* as train/ema.c passes them */
    float *e0 = test_randu(n, 1200 + (unsigned)n, -1, 1), *pv = test_randu(n, 1300 + (unsigned)n, -2, 2);
    double *r = dalloc(n);
    clg_buf e = up_pad(e0, n), p = up_pad(pv, n);
    const int steps[2] = {1, 50};
    for (int k = 0, done = 0; k < 2; k++) {
        for (; done < steps[k]; done++)
            CHECK_OK(ctx, CLG_LAUNCH1(ctx, CLG_K_EMA, n, KA_MEM(e.sub), KA_MEM(p.sub), KA_LONG(n), KA_FLT(d),
                                      KA_FLT(w)));
        double dk = pow((double)d, steps[k]);
        for (size_t i = 0; i < n; i++) r[i] = pv[i] + dk * ((double)e0[i] - pv[i]);
        float *h = down_pad(&e, n, "ema");
        /* per step a rounding of each term (ulps of |e| + |p| <= 3): steps x 4 ulps of 3 */
        double tol = steps[k] * 4 * 3 * 0x1p-24, err = 0;
        for (size_t i = 0; i < n; i++) err = fmax(err, fabs(h[i] - r[i]));
        CHECK_ERR(err, tol, "ema n=%zu after %d steps: |e - closed form| = %g", n, steps[k], err);
        free(h);
    }
    float *hp = down_pad(&p, n, "ema weights");
    CHECK(memcmp(hp, pv, n * sizeof *hp) == 0, "ema n=%zu changed the weights it averages", n);
    free(hp), free(e0), free(pv), free(r);
    clg_buf_release(&e), clg_buf_release(&p);
}

#endif
