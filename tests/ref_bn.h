/* ref_bn.h — plain-C double-precision references for tests/test_bn.c: batch norm forward (train
 * and eval, with PyTorch's running-stat update), its backward (dx, dweight, dbias), and integer
 * upsampling (nearest, and bilinear with half-pixel centres as PyTorch align_corners=False, with
 * its float scale factor 1/K),
 * whose backward is written as a scatter — the opposite of the kernels' gather — so the two are
 * independent. Tensors are (N,C,HW) for batch norm and (P,H,W) planes for upsampling.
 */
#ifndef CLGAN_TEST_REF_BN_H
#define CLGAN_TEST_REF_BN_H

#include <math.h>
#include <stddef.h>
#include <stdlib.h>

/* Per-channel statistics of x in double: mean and biased variance over N*HW values, or the
 * running stats when !train. */
static inline void ref_bn_stats(double *mean, double *var, const float *x, int n, int c, int hw, int train,
                                const float *rm, const float *rv)
{
    for (int ch = 0; ch < c; ch++) {
        if (!train) {
            mean[ch] = rm[ch];
            var[ch] = rv[ch];
            continue;
        }
        double s = 0, q = 0;
        for (int b = 0; b < n; b++)
            for (int k = 0; k < hw; k++) s += x[((size_t)b * c + ch) * hw + k];
        s /= (double)n * hw;
        for (int b = 0; b < n; b++)
            for (int k = 0; k < hw; k++) {
                double d = x[((size_t)b * c + ch) * hw + k] - s;
                q += d * d;
            }
        mean[ch] = s;
        var[ch] = q / ((double)n * hw);
    }
}

/* y = (x - mean)/sqrt(var + eps) * w + b (w, b may be NULL: affine=0). In training, rm/rv (as
 * doubles, updated in place) move by momentum towards the batch mean and unbiased variance. */
static inline void ref_bn_fwd(double *y, const float *x, const float *w, const float *bias, int n, int c, int hw,
                              double eps, int train, double momentum, double *rm, double *rv)
{
    double *mean = malloc(2 * (size_t)c * sizeof *mean), *var = mean + c;
    float *rmf = malloc(2 * (size_t)c * sizeof *rmf), *rvf = rmf + c;
    for (int ch = 0; ch < c; ch++) rmf[ch] = (float)rm[ch], rvf[ch] = (float)rv[ch];
    ref_bn_stats(mean, var, x, n, c, hw, train, rmf, rvf);
    if (!train) /* eval uses the exact doubles */
        for (int ch = 0; ch < c; ch++) mean[ch] = rm[ch], var[ch] = rv[ch];
    for (int b = 0; b < n; b++)
        for (int ch = 0; ch < c; ch++) {
            double inv = 1.0 / sqrt(var[ch] + eps), g = w ? w[ch] : 1.0, be = bias ? bias[ch] : 0.0;
            for (int k = 0; k < hw; k++) {
                size_t i = ((size_t)b * c + ch) * hw + k;
                y[i] = (x[i] - mean[ch]) * inv * g + be;
            }
        }
    if (train) {
        double m = (double)n * hw;
        for (int ch = 0; ch < c; ch++) {
            rm[ch] = (1 - momentum) * rm[ch] + momentum * mean[ch];
            rv[ch] = (1 - momentum) * rv[ch] + momentum * var[ch] * m / (m - 1);
        }
    }
    free(mean);
    free(rmf);
}

/* Gradients of L = sum(dy * y) for the forward above (statistics from x when train, else from
 * rm/rv): dx (may be NULL), dw and db (may be NULL) are overwritten. */
static inline void ref_bn_bwd(double *dx, double *dw, double *db, const float *dy, const float *x, const float *w,
                              int n, int c, int hw, double eps, int train, const double *rm, const double *rv)
{
    double m = (double)n * hw;
    double *mean = malloc(2 * (size_t)c * sizeof *mean), *var = mean + c;
    if (train) ref_bn_stats(mean, var, x, n, c, hw, 1, NULL, NULL);
    else
        for (int ch = 0; ch < c; ch++) mean[ch] = rm[ch], var[ch] = rv[ch];
    for (int ch = 0; ch < c; ch++) {
        double inv = 1.0 / sqrt(var[ch] + eps), g = (w ? w[ch] : 1.0) * inv, sdy = 0, sdyxh = 0;
        for (int b = 0; b < n; b++)
            for (int k = 0; k < hw; k++) {
                size_t i = ((size_t)b * c + ch) * hw + k;
                sdy += dy[i];
                sdyxh += dy[i] * (x[i] - mean[ch]) * inv;
            }
        if (dw) dw[ch] = sdyxh;
        if (db) db[ch] = sdy;
        if (!dx) continue;
        for (int b = 0; b < n; b++)
            for (int k = 0; k < hw; k++) {
                size_t i = ((size_t)b * c + ch) * hw + k;
                double xh = (x[i] - mean[ch]) * inv;
                dx[i] = train ? g * (dy[i] - sdy / m - xh * sdyxh / m) : g * dy[i];
            }
    }
    free(mean);
}

/* Along one axis: output o of an axis of `in` pixels reads (1-l1)*v[i0] + l1*v[i1]. */
static inline void ref_ups_src(int o, int k, int in, int bilinear, int *i0, int *i1, double *l1)
{
    if (!bilinear) {
        *i0 = *i1 = o / k;
        *l1 = 0;
        return;
    }
    double s = (double)(float)(1.0 / k) * (o + 0.5) - 0.5; /* PyTorch's scale is a float */
    if (s < 0) s = 0;
    *i0 = (int)s;
    *i1 = *i0 < in - 1 ? *i0 + 1 : *i0;
    *l1 = s - *i0;
}

/* y (P, h*k, w*k) from x (P, h, w) */
static inline void ref_ups_fwd(double *y, const float *x, int p, int h, int w, int k, int bilinear)
{
    int oh = h * k, ow = w * k;
    for (int q = 0; q < p; q++)
        for (int yo = 0; yo < oh; yo++)
            for (int xo = 0; xo < ow; xo++) {
                int y0, y1, x0, x1;
                double ly, lx;
                ref_ups_src(yo, k, h, bilinear, &y0, &y1, &ly);
                ref_ups_src(xo, k, w, bilinear, &x0, &x1, &lx);
                const float *s = x + (size_t)q * h * w;
                y[((size_t)q * oh + yo) * ow + xo] =
                    (1 - ly) * ((1 - lx) * s[y0 * w + x0] + lx * s[y0 * w + x1]) +
                    ly * ((1 - lx) * s[y1 * w + x0] + lx * s[y1 * w + x1]);
            }
}

/* dx (P, h, w) from dy (P, h*k, w*k), by scattering each output's weights onto its inputs. */
static inline void ref_ups_bwd(double *dx, const float *dy, int p, int h, int w, int k, int bilinear)
{
    int oh = h * k, ow = w * k;
    for (size_t i = 0; i < (size_t)p * h * w; i++) dx[i] = 0;
    for (int q = 0; q < p; q++)
        for (int yo = 0; yo < oh; yo++)
            for (int xo = 0; xo < ow; xo++) {
                int y0, y1, x0, x1;
                double ly, lx, g = dy[((size_t)q * oh + yo) * ow + xo];
                ref_ups_src(yo, k, h, bilinear, &y0, &y1, &ly);
                ref_ups_src(xo, k, w, bilinear, &x0, &x1, &lx);
                double *d = dx + (size_t)q * h * w;
                d[y0 * w + x0] += (1 - ly) * (1 - lx) * g;
                d[y0 * w + x1] += (1 - ly) * lx * g;
                d[y1 * w + x0] += ly * (1 - lx) * g;
                d[y1 * w + x1] += ly * lx * g;
            }
}

#endif
