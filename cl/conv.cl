/* conv.cl — the data-movement kernels of convolution and transposed convolution (the GEMMs go to
 * CLBlast): im2col, col2im as a gather over row runs, and the (N,C,P) <-> (C,N,P) reorders around a
 * whole-chunk GEMM (the bias gradient is a per-channel sum in cl/reduce.cl).
 *
 * Geometry, shared by every kernel: an image (C,H,W) per sample, a k x k window moved with
 * stride s over it after padding pt rows on top and pl columns on the left (bottom/right padding
 * is implicit: reads past the edge are zero), giving OH x OW window positions, P = OH*OW.
 * Columns hold a chunk of nc samples side by side: col (C*k*k, nc*P), row r = (c*k + kh)*k + kw,
 * column j = n*P + oh*OW + ow, so one GEMM covers the chunk. Offsets are in floats (64-bit), so
 * the host can address regions of an arena or of the shared workspace without sub-buffers; the
 * layers check that a chunk's columns and a batch's tensors stay below 2^31 floats, so indices
 * within them are int.
 *
 * Every output element has one writer and the inputs are only read: no atomics, no races, and
 * summation orders are fixed (results are deterministic). Remainders are written as a - q*b
 * rather than with `%` next to the matching `/`: clang turns such div/rem pairs into a
 * `freeze` instruction that Oclgrind (21.10) cannot execute.
 */
/* col (C*k*k, nc*P) from img (nc,C,H,W). Launch: (C*k, nc): each work-item writes, for one
 * window row kh of one channel and one sample, the k rows of col (taps kw) of that sample: P
 * contiguous values each, image row by image row (work per item: k window positions' worth of
 * one image, whatever the batch or the number of channels; enough per item that small images do
 * not pay a work-item per few values). Each row is three plain loops (zeros, the positions whose
 * tap is inside the image row, zeros) rather than one with a test per value: simple loops the
 * compiler vectorises. */
__kernel void im2col(__global float *col, const long col_off, __global const float *img, const long img_off,
                     const int C, const int H, const int W, const int OH, const int OW, const int K, const int S,
                     const int PT, const int PL, const int nc)
{
    const int ck = get_global_id(0), n = get_global_id(1);
    if (ck >= C * K || n >= nc) return;
    const int c = ck / K, kh = ck - c * K;
    const int P = OH * OW, M = nc * P;
    __global const float *plane = img + img_off + (n * C + c) * H * W;
    for (int kw = 0; kw < K; kw++) {
        const int iw0 = kw - PL;                                             /* the image column at ow = 0 */
        const int lo = iw0 >= 0 ? 0 : min(OW, (-iw0 + S - 1) / S);           /* first ow with iw >= 0 */
        const int hi = W - 1 - iw0 < 0 ? 0 : min(OW, (W - 1 - iw0) / S + 1); /* past the last with iw < W */
        __global float *dst = col + col_off + (ck * K + kw) * M + n * P;
        for (int oh = 0; oh < OH; oh++, dst += OW) {
            const int ih = oh * S - PT + kh;
            if (ih < 0 || ih >= H) {
                for (int ow = 0; ow < OW; ow++) dst[ow] = 0.0f;
                continue;
            }
            __global const float *row = plane + ih * W + iw0;
            for (int ow = 0; ow < lo; ow++) dst[ow] = 0.0f;
            if (S == 1)
                for (int ow = lo; ow < hi; ow++) dst[ow] = row[ow];
            else
                for (int ow = lo; ow < hi; ow++) dst[ow] = row[ow * S];
            for (int ow = max(lo, hi); ow < OW; ow++) dst[ow] = 0.0f;
        }
    }
}

/* colT (nc*P, C*k*k) = im2col's columns transposed: row j = n*P + oh*OW + ow holds that window's
 * C*k*k values in col's row order. The weight gradients take it as a GEMM's right operand without
 * a transposed read (gemm_nn instead of gemm_nt: 1.15-1.8x faster at the seed models' shapes on
 * PoCL). Launch: (OW, OH, nc): each work-item writes one window's row of C*k*k contiguous values,
 * k at a time from one image row (work per item: C*k*k values). */
__kernel void im2col_t(__global float *colt, const long col_off, __global const float *img, const long img_off,
                       const int C, const int H, const int W, const int OH, const int OW, const int K, const int S,
                       const int PT, const int PL, const int nc)
{
    const int ow = get_global_id(0), oh = get_global_id(1), n = get_global_id(2);
    if (ow >= OW || oh >= OH || n >= nc) return;
    const int iw0 = ow * S - PL, lo = max(0, -iw0), hi = min(K, W - iw0); /* taps kw inside the row */
    const int kh_lo = max(0, PT - oh * S), kh_hi = min(K, H + PT - oh * S); /* taps kh inside the image */
    __global float *d = colt + col_off + ((long)(n * OH + oh) * OW + ow) * C * K * K;
    __global const float *src = img + img_off + (long)n * C * H * W + (oh * S - PT) * W + iw0;
    for (int c = 0; c < C; c++, src += H * W) {
        for (int kh = 0; kh < K; kh++, d += K) {
            if (kh < kh_lo || kh >= kh_hi) {
                for (int kw = 0; kw < K; kw++) d[kw] = 0.0f;
                continue;
            }
            __global const float *row = src + kh * W;
            for (int kw = 0; kw < lo; kw++) d[kw] = 0.0f;
            for (int kw = lo; kw < hi; kw++) d[kw] = row[kw];
            for (int kw = max(lo, hi); kw < K; kw++) d[kw] = 0.0f;
        }
    }
}

/* img (nc,C,H,W) = the adjoint of im2col applied to col, plus bias[c] when has_bias. Launch:
 * (nb*H, nc*C) with nb = ceil(W / COL2IM_BX): one work-item per run of up to COL2IM_BX pixels of
 * one image row (no races, no atomics). It walks the taps that reach its row, at most
 * ceil(K/S) rows kh times K columns kw, and for each adds a contiguous run of column entries to
 * every S-th pixel of its run: work per item is bounded by COL2IM_BX * K * ceil(K/S), and the
 * divisions are per tap, not per pixel. Each pixel gets the bias, then its taps in ascending
 * (kh, kw) order, the order of a tap-by-tap scatter. */
#ifndef COL2IM_BX
#error "COL2IM_BX: set by the host's tunables table (src/runtime/tunables.h)"
#endif
__kernel void col2im(__global float *img, const long img_off, __global const float *col, const long col_off,
                     __global const float *bias, const int has_bias, const int C, const int H, const int W,
                     const int OH, const int OW, const int K, const int S, const int PT, const int PL, const int nc)
{
    const int nb = (W + COL2IM_BX - 1) / COL2IM_BX;
    const int r = get_global_id(0), z = get_global_id(1);
    if (r >= nb * H || z >= nc * C) return;
    const int iy = r / nb, x0 = (r - iy * nb) * COL2IM_BX, nx = min(COL2IM_BX, W - x0);
    const int n = z / C, c = z - n * C;
    const int P = OH * OW, M = nc * P;
    float acc[COL2IM_BX];
    const float b = has_bias ? bias[c] : 0.0f;
    for (int i = 0; i < COL2IM_BX; i++) acc[i] = b;
    /* window rows oh with oh*S + kh = yy, 0 <= kh < K, 0 <= oh < OH; kh ascends as oh descends */
    const int yy = iy + PT;
    const int oh_hi = min(yy / S, OH - 1), oh_lo = yy >= K ? (yy - K + S) / S : 0;
    __global const float *src = col + col_off + (long)c * K * K * M + n * P;
    for (int oh = oh_hi; oh >= oh_lo; oh--) {
        const int kh = yy - oh * S;
        for (int kw = 0; kw < K; kw++) {
            /* pixels ix = ow*S + kw - PL in [x0, x0 + nx) */
            const int a = x0 + PL - kw, e = x0 + nx - 1 + PL - kw;
            if (e < 0) break; /* e only falls as kw grows */
            const int ow_lo = a <= 0 ? 0 : (a + S - 1) / S, ow_hi = min(e / S, OW - 1);
            __global const float *s = src + (kh * K + kw) * M + oh * OW;
            for (int ow = ow_lo, i = ow_lo * S - a; ow <= ow_hi; ow++, i += S) acc[i] += s[ow];
        }
    }
    __global float *dst = img + img_off + ((long)z * H + iy) * W + x0;
    for (int i = 0; i < nx; i++) dst[i] = acc[i];
}

/* dst (C, nc, P) = src (nc, C, P). Launch: (P, nc, C), one element each, no division. */
__kernel void pack_cn(__global float *dst, const long dst_off, __global const float *src, const long src_off,
                      const int C, const int P, const int nc)
{
    const int p = get_global_id(0), n = get_global_id(1), c = get_global_id(2);
    if (p >= P || n >= nc || c >= C) return;
    dst[dst_off + (c * nc + n) * P + p] = src[src_off + (n * C + c) * P + p];
}

/* dst (nc, C, P) = src (C, nc, P) (+ bias[c] when has_bias). Launch: (P, nc, C). */
__kernel void unpack_cn(__global float *dst, const long dst_off, __global const float *src, const long src_off,
                        __global const float *bias, const int has_bias, const int C, const int P, const int nc)
{
    const int p = get_global_id(0), n = get_global_id(1), c = get_global_id(2);
    if (p >= P || n >= nc || c >= C) return;
    float v = src[src_off + (c * nc + n) * P + p];
    if (has_bias) v += bias[c];
    dst[dst_off + (n * C + c) * P + p] = v;
}

/* A nearest-neighbour upsampling by S followed by a stride-1 transposed convolution with a K x K
 * kernel is one transposed convolution with stride S and a (K+S-1) x (K+S-1) kernel: the sum of
 * the S x S shifted copies of the kernel (each input pixel repeated S x S times hits every tap of
 * that window). fold_up writes that kernel; unfold_up_grad adds its gradient back onto the K x K
 * one (the adjoint). Planes are (in, out) pairs, one K x K kernel each. Launch: one work-item per
 * element written; work per item: at most S*S terms, summed in a fixed (a, b) order. */
__kernel void fold_up(__global float *wf, const long wf_off, __global const float *w, const long w_off,
                      const int planes, const int K, const int S)
{
    const int KF = K + S - 1, i = get_global_id(0);
    if (i >= planes * KF * KF) return;
    const int pl = i / (KF * KF), t = i - pl * (KF * KF), d1 = t / KF, d2 = t - d1 * KF;
    __global const float *src = w + w_off + (long)pl * K * K;
    float acc = 0.0f;
    for (int a = max(0, d1 - K + 1); a <= min(S - 1, d1); a++)
        for (int b = max(0, d2 - K + 1); b <= min(S - 1, d2); b++) acc += src[(d1 - a) * K + (d2 - b)];
    wf[wf_off + i] = acc;
}

/* dw (planes, K, K) += the adjoint of fold_up applied to dwf (planes, K+S-1, K+S-1). */
__kernel void unfold_up_grad(__global float *dw, const long dw_off, __global const float *dwf, const long dwf_off,
                             const int planes, const int K, const int S)
{
    const int KF = K + S - 1, i = get_global_id(0);
    if (i >= planes * K * K) return;
    const int pl = i / (K * K), t = i - pl * (K * K), r = t / K, c = t - r * K;
    __global const float *src = dwf + dwf_off + (long)pl * KF * KF + r * KF + c;
    float acc = 0.0f;
    for (int a = 0; a < S; a++)
        for (int b = 0; b < S; b++) acc += src[a * KF + b];
    dw[dw_off + i] += acc;
}

/* wf (B, A, K, K) = w (A, B, K, K) with the two leading axes swapped and each kernel turned by
 * 180 degrees: a stride-1 convolution's input gradient is then a convolution of the output
 * gradient with wf (layers/conv2d.c). Launch: one work-item per value. */
__kernel void flip_t(__global float *wf, const long wf_off, __global const float *w, const long w_off, const int A,
                     const int B, const int K)
{
    const int KK = K * K, i = get_global_id(0);
    if (i >= A * B * KK) return;
    const int ba = i / KK, t = i - ba * KK, b = ba / A, a = ba - b * A;
    wf[wf_off + i] = w[w_off + ((long)a * B + b) * KK + (KK - 1 - t)];
}
