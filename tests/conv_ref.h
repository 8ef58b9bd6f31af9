/* conv_ref.h — plain-C double-precision references for tests/test_conv.c: im2col and its adjoint
 * col2im, the (N,C,P) <-> (C,N,P) reorders, conv2d forward/backward and conv_transpose2d
 * forward/backward, written directly from the definitions (a window of k x k taps with stride s
 * over an image padded by pt rows on top and pl columns on the left; reads outside are zero)
 * rather than through columns, so they share no structure with the OpenCL path.
 *
 * Shapes: x (n,ci,h,w); conv2d weight (co,ci,k,k) and output (n,co,oh,ow); conv_transpose2d
 * weight (ci,co,k,k), input (n,ci,h,w) and output (n,co,oh,ow) where (h,w) are the window
 * positions over the output image. Gradient outputs accumulate (+=) into what the caller set.
 */
#ifndef CLGAN_TEST_CONV_REF_H
#define CLGAN_TEST_CONV_REF_H

#include <stddef.h>

typedef struct ref_geom {
    int n, ci, h, w; /* conv2d: input; conv_transpose2d: input (window positions) */
    int co, oh, ow;  /* conv2d: output; conv_transpose2d: output image */
    int k, s, pt, pl;
} ref_geom;

#define RIDX(a, b, c, d, B, C, D) ((((size_t)(a) * (B) + (b)) * (C) + (c)) * (D) + (d))

/* col (c*k*k, n*oh*ow) of img (n,c,h,w) with oh x ow window positions */
static inline void ref_im2col(double *col, const float *img, int n, int c, int h, int w, int oh, int ow, int k, int s,
                              int pt, int pl)
{
    size_t m = (size_t)n * oh * ow;
    for (int ci = 0; ci < c; ci++)
        for (int kh = 0; kh < k; kh++)
            for (int kw = 0; kw < k; kw++)
                for (int b = 0; b < n; b++)
                    for (int y = 0; y < oh; y++)
                        for (int x = 0; x < ow; x++) {
                            int iy = y * s - pt + kh, ix = x * s - pl + kw;
                            size_t r = ((size_t)ci * k + kh) * k + kw, j = ((size_t)b * oh + y) * ow + x;
                            col[r * m + j] = iy >= 0 && iy < h && ix >= 0 && ix < w
                                                 ? img[RIDX(b, ci, iy, ix, c, h, w)] : 0.0;
                        }
}

/* img (n,c,h,w) = adjoint of im2col applied to col (+ bias (c) when not NULL) */
static inline void ref_col2im(double *img, const float *col, const float *bias, int n, int c, int h, int w, int oh,
                              int ow, int k, int s, int pt, int pl)
{
    size_t m = (size_t)n * oh * ow;
    for (size_t i = 0; i < (size_t)n * c * h * w; i++) img[i] = bias ? bias[(i / ((size_t)h * w)) % c] : 0.0;
    for (int ci = 0; ci < c; ci++)
        for (int kh = 0; kh < k; kh++)
            for (int kw = 0; kw < k; kw++)
                for (int b = 0; b < n; b++)
                    for (int y = 0; y < oh; y++)
                        for (int x = 0; x < ow; x++) {
                            int iy = y * s - pt + kh, ix = x * s - pl + kw;
                            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                            size_t r = ((size_t)ci * k + kh) * k + kw, j = ((size_t)b * oh + y) * ow + x;
                            img[RIDX(b, ci, iy, ix, c, h, w)] += col[r * m + j];
                        }
}

/* y (n,co,oh,ow) = conv2d(x, w) + b */
static inline void ref_conv2d_fwd(double *y, const float *x, const float *wt, const float *b, const ref_geom *g)
{
    for (int n = 0; n < g->n; n++)
        for (int o = 0; o < g->co; o++)
            for (int y0 = 0; y0 < g->oh; y0++)
                for (int x0 = 0; x0 < g->ow; x0++) {
                    double s = b ? b[o] : 0.0;
                    for (int c = 0; c < g->ci; c++)
                        for (int kh = 0; kh < g->k; kh++)
                            for (int kw = 0; kw < g->k; kw++) {
                                int iy = y0 * g->s - g->pt + kh, ix = x0 * g->s - g->pl + kw;
                                if (iy < 0 || iy >= g->h || ix < 0 || ix >= g->w) continue;
                                s += (double)x[RIDX(n, c, iy, ix, g->ci, g->h, g->w)] *
                                     wt[RIDX(o, c, kh, kw, g->ci, g->k, g->k)];
                            }
                    y[RIDX(n, o, y0, x0, g->co, g->oh, g->ow)] = s;
                }
}

/* dx (set to 0 first by the caller), dw, db += gradients of conv2d for upstream dy */
static inline void ref_conv2d_bwd(double *dx, double *dw, double *db, const float *dy, const float *x, const float *wt,
                                  const ref_geom *g)
{
    for (int n = 0; n < g->n; n++)
        for (int o = 0; o < g->co; o++)
            for (int y0 = 0; y0 < g->oh; y0++)
                for (int x0 = 0; x0 < g->ow; x0++) {
                    double d = dy[RIDX(n, o, y0, x0, g->co, g->oh, g->ow)];
                    if (db) db[o] += d;
                    for (int c = 0; c < g->ci; c++)
                        for (int kh = 0; kh < g->k; kh++)
                            for (int kw = 0; kw < g->k; kw++) {
                                int iy = y0 * g->s - g->pt + kh, ix = x0 * g->s - g->pl + kw;
                                if (iy < 0 || iy >= g->h || ix < 0 || ix >= g->w) continue;
                                size_t xi = RIDX(n, c, iy, ix, g->ci, g->h, g->w);
                                size_t wi = RIDX(o, c, kh, kw, g->ci, g->k, g->k);
                                dx[xi] += d * wt[wi];
                                dw[wi] += d * x[xi];
                            }
                }
}

/* y (n,co,oh,ow) = conv_transpose2d(x (n,ci,h,w), w (ci,co,k,k)) + b: each input pixel scatters
 * its k x k taps to y at (h*s - pt + kh, w*s - pl + kw). */
static inline void ref_convt_fwd(double *y, const float *x, const float *wt, const float *b, const ref_geom *g)
{
    for (int n = 0; n < g->n; n++)
        for (int o = 0; o < g->co; o++)
            for (size_t p = 0; p < (size_t)g->oh * g->ow; p++)
                y[((size_t)n * g->co + o) * g->oh * g->ow + p] = b ? b[o] : 0.0;
    for (int n = 0; n < g->n; n++)
        for (int c = 0; c < g->ci; c++)
            for (int y0 = 0; y0 < g->h; y0++)
                for (int x0 = 0; x0 < g->w; x0++) {
                    double v = x[RIDX(n, c, y0, x0, g->ci, g->h, g->w)];
                    for (int o = 0; o < g->co; o++)
                        for (int kh = 0; kh < g->k; kh++)
                            for (int kw = 0; kw < g->k; kw++) {
                                int oy = y0 * g->s - g->pt + kh, ox = x0 * g->s - g->pl + kw;
                                if (oy < 0 || oy >= g->oh || ox < 0 || ox >= g->ow) continue;
                                y[RIDX(n, o, oy, ox, g->co, g->oh, g->ow)] +=
                                    v * wt[RIDX(c, o, kh, kw, g->co, g->k, g->k)];
                            }
                }
}

/* dx (set to 0 first), dw, db += gradients of conv_transpose2d for upstream dy (n,co,oh,ow) */
static inline void ref_convt_bwd(double *dx, double *dw, double *db, const float *dy, const float *x, const float *wt,
                                 const ref_geom *g)
{
    if (db)
        for (int n = 0; n < g->n; n++)
            for (int o = 0; o < g->co; o++)
                for (size_t p = 0; p < (size_t)g->oh * g->ow; p++)
                    db[o] += dy[((size_t)n * g->co + o) * g->oh * g->ow + p];
    for (int n = 0; n < g->n; n++)
        for (int c = 0; c < g->ci; c++)
            for (int y0 = 0; y0 < g->h; y0++)
                for (int x0 = 0; x0 < g->w; x0++) {
                    size_t xi = RIDX(n, c, y0, x0, g->ci, g->h, g->w);
                    for (int o = 0; o < g->co; o++)
                        for (int kh = 0; kh < g->k; kh++)
                            for (int kw = 0; kw < g->k; kw++) {
                                int oy = y0 * g->s - g->pt + kh, ox = x0 * g->s - g->pl + kw;
                                if (oy < 0 || oy >= g->oh || ox < 0 || ox >= g->ow) continue;
                                double d = dy[RIDX(n, o, oy, ox, g->co, g->oh, g->ow)];
                                size_t wi = RIDX(c, o, kh, kw, g->co, g->k, g->k);
                                dx[xi] += d * wt[wi];
                                dw[wi] += d * x[xi];
                            }
                }
}

#endif
