/* upsample.cl — integer-factor upsampling of (P,H,W) planes (P = N*C) to (P,H*K,W*K), nearest
 * and bilinear, forward and backward. Bilinear follows PyTorch's align_corners=False (= Keras
 * UpSampling2D(interpolation='bilinear') = tf.image.resize with half-pixel centres):
 * src = (dst + 0.5)/K - 0.5, clamped at 0, i1 = i0 + 1 except on the last row/column. Both
 * backward kernels are gathers (one item per input pixel sums what it contributed to), so there
 * are no atomics and no races.
 */

/* Source index pair and weight of output coordinate o along an axis of `in` pixels, scale k:
 * value = (1 - *l1) * v[*i0] + *l1 * v[*i1]. Identical in forward and backward. */
void ups_src(int o, int k, int in, int *i0, int *i1, float *l1)
{
    /* PyTorch (CPU): scale = (float)(1.0 / k); src = scale * (o + 0.5) - 0.5, clamped at 0, and
     * l1 = src - i0 are computed in double and l1 then rounded to float. The product is exact
     * in a fused multiply-add, so fma(scale, o + 0.5, -(0.5 + i0)) rounds l1 just once, as
     * PyTorch does. */
    const float scale = 1.0f / (float)k, t = (float)o + 0.5f;
    const float s = fmax(fma(scale, t, -0.5f), 0.0f);
    const int a = min((int)s, in - 1);
    *i0 = a;
    *i1 = a + (a < in - 1 ? 1 : 0);
    *l1 = clamp(fma(scale, t, -(0.5f + (float)a)), 0.0f, 1.0f);
}

/* Weight of input coordinate i in output coordinate o: the hat max(0, 1 - |src - i|) with src
 * clamped to [0, in-1], which is (1 - l1) for i = i0, l1 for i = i1 and 1 at the clamped edges,
 * as ups_src gives (up to one rounding: src - i is again one fused multiply-add). */
float ups_weight(int o, int i, int k, int in)
{
    const float scale = 1.0f / (float)k, t = (float)o + 0.5f;
    const float s = fma(scale, t, -0.5f);
    float d = fma(scale, t, -(0.5f + (float)i));
    d = s <= 0.0f ? (float)-i : s >= (float)(in - 1) ? (float)(in - 1 - i) : d;
    return fmax(0.0f, 1.0f - fabs(d));
}

/* Every kernel runs on a 3-D range (x, y, plane group) in (WG2_X, WG2_Y, 1) work-groups, so no
 * work-item divides to find its coordinates. Each item handles UPS_PLANES planes (p0 .. p0 +
 * UPS_PLANES - 1, fewer at the end): the interpolation weights are computed once for all of
 * them, and PoCL runs UPS_PLANES times fewer work-groups. Both are the host's tunables, which
 * src/layers/upsample.c launches with. */
#ifndef UPS_PLANES
#error "UPS_PLANES: set by the host's tunables table (src/runtime/tunables.h)"
#endif

/* The opening of a kernel with one item per input pixel: its pixel (xi, yi), its planes p0 ..
 * p0 + np - 1 and the output width ow; items outside the input return. */
#define UPS_INPUT_ITEM                                                                                     \
    const int xi = get_global_id(0), yi = get_global_id(1), p0 = get_global_id(2) * UPS_PLANES;          \
    if (xi >= w || yi >= h) return;                                                                      \
    const int ow = w * k, np = min(UPS_PLANES, planes - p0)

/* y (P, h*k, w*k) = x (P, h, w) repeated k x k; one item per input pixel writes its blocks. */
__kernel void upsample_nearest_fwd(__global float *y, __global const float *x, const int planes, const int h,
                                   const int w, const int k)
{
    UPS_INPUT_ITEM;
    for (int q = 0; q < np; q++) {
        const float v = x[((size_t)(p0 + q) * h + yi) * w + xi];
        __global float *d = y + (((size_t)(p0 + q) * h + yi) * k * ow + (size_t)xi * k);
        for (int a = 0; a < k; a++)
            for (int b = 0; b < k; b++) d[(size_t)a * ow + b] = v;
    }
}

/* dx (P, h, w) = sum of dy (P, h*k, w*k) over each k x k block */
__kernel void upsample_nearest_bwd(__global float *dx, __global const float *dy, const int planes, const int h,
                                   const int w, const int k)
{
    UPS_INPUT_ITEM;
    for (int q = 0; q < np; q++) {
        __global const float *src = dy + (((size_t)(p0 + q) * h + yi) * k * ow + (size_t)xi * k);
        float s = 0.0f;
        for (int a = 0; a < k; a++)
            for (int b = 0; b < k; b++) s += src[(size_t)a * ow + b];
        dx[((size_t)(p0 + q) * h + yi) * w + xi] = s;
    }
}

/* y (P, h*k, w*k) = bilinear resize of x (P, h, w); one item per output pixel */
__kernel void upsample_bilinear_fwd(__global float *y, __global const float *x, const int planes, const int h,
                                    const int w, const int k)
{
    const int xo = get_global_id(0), yo = get_global_id(1), p0 = get_global_id(2) * UPS_PLANES;
    const int ow = w * k, oh = h * k;
    if (xo >= ow || yo >= oh) return;
    const int np = min(UPS_PLANES, planes - p0);
    int y0, y1, x0, x1;
    float ly, lx;
    ups_src(yo, k, h, &y0, &y1, &ly);
    ups_src(xo, k, w, &x0, &x1, &lx);
    for (int q = 0; q < np; q++) {
        __global const float *s = x + (size_t)(p0 + q) * h * w;
        const float top = (1.0f - lx) * s[y0 * w + x0] + lx * s[y0 * w + x1];
        const float bot = (1.0f - lx) * s[y1 * w + x0] + lx * s[y1 * w + x1];
        y[((size_t)(p0 + q) * oh + yo) * ow + xo] = (1.0f - ly) * top + ly * bot;
    }
}

/* dx (P, h, w): each input pixel gathers weight * dy over the outputs that read it. Output o
 * reads input i when floor(src) is i-1 or i, i.e. src in [i-1, i+1), so o lies in
 * [floor(q0), floor(q1)] with q0 = ((2i-1)k-1)/2 and q1 = ((2i+3)k-1)/2. Where q0 or q1 is an
 * integer that output's src is exactly i-1 or i+1 and its weight on i is 0 or, after rounding,
 * about 1e-7; it is kept, as PyTorch keeps it. ups_weight is exact for each candidate. */
__kernel void upsample_bilinear_bwd(__global float *dx, __global const float *dy, const int planes, const int h,
                                    const int w, const int k)
{
    UPS_INPUT_ITEM;
    const int oh = h * k;
    const int ylo = max(0, ((2 * yi - 1) * k - 1) / 2), yhi = min(oh - 1, ((2 * yi + 3) * k - 1) / 2);
    const int xlo = max(0, ((2 * xi - 1) * k - 1) / 2), xhi = min(ow - 1, ((2 * xi + 3) * k - 1) / 2);
    __global const float *g = dy + (size_t)p0 * oh * ow;
    float acc[UPS_PLANES];
    for (int q = 0; q < UPS_PLANES; q++) acc[q] = 0.0f;
    for (int yo = ylo; yo <= yhi; yo++) {
        const float wy = ups_weight(yo, yi, k, h);
        if (wy == 0.0f) continue;
        for (int xo = xlo; xo <= xhi; xo++) {
            const float wt = wy * ups_weight(xo, xi, k, w);
            if (wt == 0.0f) continue;
            for (int q = 0; q < UPS_PLANES; q++)
                if (q < np) acc[q] += wt * g[((size_t)q * oh + yo) * ow + xo];
        }
    }
    for (int q = 0; q < np; q++) dx[((size_t)(p0 + q) * h + yi) * w + xi] = acc[q];
}
