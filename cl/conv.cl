/* conv.cl — the data-movement kernels of convolution and transposed convolution (the GEMMs go to
 * CLBlast): im2col, col2im as a gather, the (N,C,P) <-> (C,N,P) reorders around a whole-chunk
 * GEMM, and a per-channel bias gradient with one work-group per channel.
 *
 * Geometry, shared by every kernel: an image (C,H,W) per sample, a k x k window moved with
 * stride s over it after padding pt rows on top and pl columns on the left (bottom/right padding
 * is implicit: reads past the edge are zero), giving OH x OW window positions, P = OH*OW.
 * Columns hold a chunk of nc samples side by side: col (C*k*k, nc*P), row r = (c*k + kh)*k + kw,
 * column j = n*P + oh*OW + ow, so one GEMM covers the chunk. Offsets are in floats, so the host
 * can address regions of an arena or of the shared workspace without sub-buffers.
 *
 * Every work-item writes exactly one element and reads only inputs: no atomics, no races, and
 * summation orders are fixed (results are deterministic). Remainders are written as a - q*b
 * rather than with `%` next to the matching `/`: clang turns such div/rem pairs into a
 * `freeze` instruction that Oclgrind (21.10) cannot execute.
 */
#ifndef WG_REDUCE
#define WG_REDUCE 64
#endif

/* col (C*k*k, nc*P) from img (nc,C,H,W). Launch: x over nc*P columns, y over C channels; each
 * work-item writes the k*k rows of its channel in its column (index arithmetic once per k*k
 * values: 3-4x faster on PoCL than one work-item per element). */
__kernel void im2col(__global float *col, const int col_off, __global const float *img, const int img_off,
                     const int C, const int H, const int W, const int OH, const int OW, const int K, const int S,
                     const int PT, const int PL, const int nc)
{
    const int j = get_global_id(0), c = get_global_id(1);
    const int P = OH * OW, M = nc * P;
    if (j >= M || c >= C) return;
    const int n = j / P, q = j - n * P, oh = q / OW, ow = q - oh * OW;
    const int ih0 = oh * S - PT, iw0 = ow * S - PL;
    __global const float *src = img + img_off + (n * C + c) * H * W;
    __global float *dst = col + col_off + c * K * K * M + j;
    for (int kh = 0; kh < K; kh++) {
        const int ih = ih0 + kh;
        const int rowok = ih >= 0 && ih < H;
        for (int kw = 0; kw < K; kw++) {
            const int iw = iw0 + kw;
            *dst = rowok && iw >= 0 && iw < W ? src[ih * W + iw] : 0.0f;
            dst += M;
        }
    }
}

/* img (nc,C,H,W) = the adjoint of im2col applied to col, plus bias[c] when has_bias: each image
 * pixel sums the column entries that im2col would have read from it. Launch: x over the H*W
 * pixels of a plane, y over the nc*C planes. Integer divisions are few (they dominate on CPUs):
 * along a tap loop with step S the window position drops by exactly 1. */
__kernel void col2im(__global float *img, const int img_off, __global const float *col, const int col_off,
                     __global const float *bias, const int has_bias, const int C, const int H, const int W,
                     const int OH, const int OW, const int K, const int S, const int PT, const int PL, const int nc)
{
    const int pix = get_global_id(0), plane = get_global_id(1);
    if (pix >= H * W || plane >= nc * C) return;
    const int ih = pix / W, iw = pix - ih * W, n = plane / C, c = plane - n * C;
    const int P = OH * OW, M = nc * P;
    const int y = ih + PT, x = iw + PL; /* position in the padded image */
    const int qy = y / S, qx = x / S;   /* window position of the first tap kh = y - qy*S */
    __global const float *src = col + col_off + c * K * K * M + n * P;
    float s = 0.0f;
    for (int kh = y - qy * S, oh = qy; kh < K && oh >= 0; kh += S, oh--) {
        if (oh >= OH) continue;
        for (int kw = x - qx * S, ow = qx; kw < K && ow >= 0; kw += S, ow--)
            if (ow < OW) s += src[(kh * K + kw) * M + oh * OW + ow];
    }
    if (has_bias) s += bias[c];
    img[img_off + plane * H * W + pix] = s;
}

/* dst (C, nc, P) = src (nc, C, P). 1-D over nc*C*P, indexed by the destination. */
__kernel void pack_cn(__global float *dst, const int dst_off, __global const float *src, const int src_off,
                      const int C, const int P, const int nc)
{
    const int i = get_global_id(0);
    if (i >= nc * C * P) return;
    const int t = i / P, p = i - t * P, c = t / nc, n = t - c * nc;
    dst[dst_off + i] = src[src_off + (n * C + c) * P + p];
}

/* dst (nc, C, P) = src (C, nc, P) (+ bias[c] when has_bias). 1-D over nc*C*P, by destination. */
__kernel void unpack_cn(__global float *dst, const int dst_off, __global const float *src, const int src_off,
                        __global const float *bias, const int has_bias, const int C, const int P, const int nc)
{
    const int i = get_global_id(0);
    if (i >= nc * C * P) return;
    const int t = i / P, p = i - t * P, n = t / C, c = t - n * C;
    float v = src[src_off + (c * nc + n) * P + p];
    if (has_bias) v += bias[c];
    dst[dst_off + i] = v;
}

/* db (F) += sum over n and p of dy (N,F,P). One work-group of WG_REDUCE items (a power of 2) per
 * channel: item `lid` sums p = lid, lid + WG_REDUCE, ... of every sample's row (contiguous across
 * the items, and no division per element: that made it 4x slower on PoCL), then a tree
 * reduction in local memory. */
__kernel __attribute__((reqd_work_group_size(WG_REDUCE, 1, 1))) void bias_grad_nchw(
    __global float *db, __global const float *dy, const int N, const int F, const int P)
{
    __local float part[WG_REDUCE];
    const int f = get_group_id(0), lid = get_local_id(0);
    float s = 0.0f;
    if (f < F)
        for (int n = 0; n < N; n++) {
            __global const float *row = dy + (n * F + f) * P;
            for (int p = lid; p < P; p += WG_REDUCE) s += row[p];
        }
    part[lid] = s;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int w = WG_REDUCE / 2; w > 0; w >>= 1) {
        if (lid < w) part[lid] += part[lid + w];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0 && f < F) db[f] += part[0];
}
