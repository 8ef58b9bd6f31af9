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
 * Every output element has one writer and the inputs are only read: no atomics, no races, and
 * summation orders are fixed (results are deterministic). Remainders are written as a - q*b
 * rather than with `%` next to the matching `/`: clang turns such div/rem pairs into a
 * `freeze` instruction that Oclgrind (21.10) cannot execute.
 */
#ifndef WG_REDUCE
#define WG_REDUCE 64
#endif

/* col (C*k*k, nc*P) from img (nc,C,H,W). Launch: (k*k, C, nc): each work-item writes one
 * contiguous run of P values (one row r = (c*k + kh)*k + kw of one sample's columns), reading
 * one image plane with stride S, so both sides stay in cache lines; one division per run. */
__kernel void im2col(__global float *col, const int col_off, __global const float *img, const int img_off,
                     const int C, const int H, const int W, const int OH, const int OW, const int K, const int S,
                     const int PT, const int PL, const int nc)
{
    const int t = get_global_id(0), c = get_global_id(1), n = get_global_id(2);
    if (t >= K * K || c >= C || n >= nc) return;
    const int kh = t / K, kw = t - kh * K;
    const int P = OH * OW, M = nc * P;
    __global const float *src = img + img_off + (n * C + c) * H * W;
    __global float *dst = col + col_off + (c * K * K + t) * M + n * P;
    for (int oh = 0; oh < OH; oh++) {
        const int ih = oh * S - PT + kh;
        if (ih < 0 || ih >= H) {
            for (int ow = 0; ow < OW; ow++) dst[ow] = 0.0f;
        } else {
            __global const float *row = src + ih * W;
            for (int ow = 0, iw = kw - PL; ow < OW; ow++, iw += S) dst[ow] = iw >= 0 && iw < W ? row[iw] : 0.0f;
        }
        dst += OW;
    }
}

/* img (nc,C,H,W) = the adjoint of im2col applied to col, plus bias[c] when has_bias. Launch:
 * (C, nc): each work-item owns one image plane (so there are no races and the summation order
 * is fixed), sets it to the bias, then adds the k*k contiguous column runs of its channel and
 * sample into it tap by tap: contiguous reads, and the plane stays in cache. */
__kernel void col2im(__global float *img, const int img_off, __global const float *col, const int col_off,
                     __global const float *bias, const int has_bias, const int C, const int H, const int W,
                     const int OH, const int OW, const int K, const int S, const int PT, const int PL, const int nc)
{
    const int c = get_global_id(0), n = get_global_id(1);
    if (c >= C || n >= nc) return;
    const int P = OH * OW, M = nc * P;
    __global float *dst = img + img_off + (n * C + c) * H * W;
    const float b = has_bias ? bias[c] : 0.0f;
    for (int i = 0; i < H * W; i++) dst[i] = b;
    for (int kh = 0; kh < K; kh++)
        for (int kw = 0; kw < K; kw++) {
            __global const float *src = col + col_off + (c * K * K + kh * K + kw) * M + n * P;
            for (int oh = 0; oh < OH; oh++, src += OW) {
                const int ih = oh * S - PT + kh;
                if (ih < 0 || ih >= H) continue;
                __global float *row = dst + ih * W;
                for (int ow = 0, iw = kw - PL; ow < OW; ow++, iw += S)
                    if (iw >= 0 && iw < W) row[iw] += src[ow];
            }
        }
}

/* dst (C, nc, P) = src (nc, C, P). Launch: (P, nc, C), one element each, no division. */
__kernel void pack_cn(__global float *dst, const int dst_off, __global const float *src, const int src_off,
                      const int C, const int P, const int nc)
{
    const int p = get_global_id(0), n = get_global_id(1), c = get_global_id(2);
    if (p >= P || n >= nc || c >= C) return;
    dst[dst_off + (c * nc + n) * P + p] = src[src_off + (n * C + c) * P + p];
}

/* dst (nc, C, P) = src (C, nc, P) (+ bias[c] when has_bias). Launch: (P, nc, C). */
__kernel void unpack_cn(__global float *dst, const int dst_off, __global const float *src, const int src_off,
                        __global const float *bias, const int has_bias, const int C, const int P, const int nc)
{
    const int p = get_global_id(0), n = get_global_id(1), c = get_global_id(2);
    if (p >= P || n >= nc || c >= C) return;
    float v = src[src_off + (c * nc + n) * P + p];
    if (has_bias) v += bias[c];
    dst[dst_off + (n * C + c) * P + p] = v;
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
