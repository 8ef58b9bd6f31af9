/* dconv.cl — direct convolution for layers with few output channels (conv2d and
 * conv_transpose2d with filters <= CLG_DCONV_MAX_F, layers/conv_common.h). Through im2col such a
 * layer writes and reads a column matrix k*k times the size of its image for a GEMM with 1 to 4
 * rows; here each output value is computed where it is written, from the tensors themselves.
 *
 * The geometry is the one of cl/conv.cl: an image (I channels, H x W) per sample and a k x k
 * window moved with stride S over it, padded by PT rows on top and PL columns on the left, at
 * OH x OW positions; the positions tensor has J channels. Both layers keep their weight as
 * (J, I, K, K): conv2d's (out, in, k, k) has J = out, I = in (its input is the image), and
 * conv_transpose2d's (in, out, k, k) has J = in, I = out (its output is the image). So
 *   dconv_gather   pos[n,j,o]   = sum_{i,kh,kw} w[j,i,kh,kw] img[n,i,oh*S-PT+kh, ow*S-PL+kw]
 *                  (conv2d forward, conv_transpose2d input gradient)
 *   dconv_scatter  img[n,i,y,x] = sum over the (j, kh, kw, oh, ow) that reach (y, x) of
 *                  w[j,i,kh,kw] pos[n,j,oh,ow]   (the adjoint: conv2d input gradient,
 *                  conv_transpose2d forward), as a gather per image value: no atomics
 *   dconv_wgrad    part[n, (j*I+i)*K*K + kh*K + kw] = one sample's sum over positions of
 *                  pos[n,j,oh,ow] img[n,i,oh*S-PT+kh, ow*S-PL+kw]; the host sums the parts
 *                  over n (layers/reduce.h) in a fixed order.
 * Each gather or scatter work-item computes a run of DCONV_RW values of one row, and wgrad keeps
 * DCONV_RW partial sums: independent accumulators the compiler turns into SIMD lanes (one
 * accumulator per item would be a chain it may not reorder). Work per item: DCONV_RW*I*K*K
 * (gather), DCONV_RW*J*K*K (scatter), OH*OW (wgrad); the orders of summation are fixed (results
 * are deterministic). Offsets are in floats; tensors stay below 2^31 floats.
 */
#ifndef DCONV_RW
#error "DCONV_RW: set by the host's tunables table (src/runtime/tunables.h)"
#endif

/* Launch (ceil(OW/DCONV_RW)*OH, n*J). Adds bias[j] first when has_bias. */
__kernel void dconv_gather(__global float *pos, const long pos_off, __global const float *img, const long img_off,
                           __global const float *w, const long w_off, __global const float *bias, const int has_bias,
                           const int n, const int J, const int I, const int H, const int W, const int OH,
                           const int OW, const int K, const int S, const int PT, const int PL)
{
    const int nb = (OW + DCONV_RW - 1) / DCONV_RW, q = get_global_id(0), z = get_global_id(1);
    if (q >= nb * OH || z >= n * J) return;
    const int oh = q / nb, x0 = (q - oh * nb) * DCONV_RW, nx = min(DCONV_RW, OW - x0), s = z / J, j = z - s * J;
    float acc[DCONV_RW];
    const float b = has_bias ? bias[j] : 0.0f;
    for (int r = 0; r < DCONV_RW; r++) acc[r] = b;
    const int ih0 = oh * S - PT, kh_lo = max(0, -ih0), kh_hi = min(K, H - ih0);
    for (int i = 0; i < I; i++) {
        __global const float *wi = w + w_off + ((long)j * I + i) * K * K;
        __global const float *im = img + img_off + ((long)s * I + i) * H * W;
        for (int kh = kh_lo; kh < kh_hi; kh++) {
            __global const float *row = im + (ih0 + kh) * W;
            for (int kw = 0; kw < K; kw++) {
                const float wv = wi[kh * K + kw];
                const int base = x0 * S - PL + kw; /* the image column of the run's first value */
                if (S == 1 && base >= 0 && base + DCONV_RW <= W) {
                    for (int r = 0; r < DCONV_RW; r++) acc[r] += wv * row[base + r];
                } else {
                    for (int r = 0; r < DCONV_RW; r++) {
                        const int iw = base + r * S;
                        acc[r] += iw >= 0 && iw < W ? wv * row[iw] : 0.0f;
                    }
                }
            }
        }
    }
    __global float *dst = pos + pos_off + ((long)z * OH + oh) * OW + x0;
    for (int r = 0; r < nx; r++) dst[r] = acc[r];
}

/* Launch (ceil(W/DCONV_RW)*H, n*I). Adds bias[i] first when has_bias. */
__kernel void dconv_scatter(__global float *img, const long img_off, __global const float *pos, const long pos_off,
                            __global const float *w, const long w_off, __global const float *bias, const int has_bias,
                            const int n, const int J, const int I, const int H, const int W, const int OH,
                            const int OW, const int K, const int S, const int PT, const int PL)
{
    const int nb = (W + DCONV_RW - 1) / DCONV_RW, q = get_global_id(0), z = get_global_id(1);
    if (q >= nb * H || z >= n * I) return;
    const int y = q / nb, x0 = (q - y * nb) * DCONV_RW, nx = min(DCONV_RW, W - x0), s = z / I, i = z - s * I;
    float acc[DCONV_RW];
    const float b = has_bias ? bias[i] : 0.0f;
    for (int r = 0; r < DCONV_RW; r++) acc[r] = b;
    for (int j = 0; j < J; j++) {
        __global const float *wi = w + w_off + ((long)j * I + i) * K * K;
        __global const float *ps = pos + pos_off + ((long)s * J + j) * OH * OW;
        for (int kh = 0; kh < K; kh++) {
            const int th = y + PT - kh, oh = th / S; /* oh*S + kh = y + PT */
            if (th < 0 || oh * S != th || oh >= OH) continue;
            __global const float *row = ps + oh * OW;
            for (int kw = 0; kw < K; kw++) {
                const float wv = wi[kh * K + kw];
                const int base = x0 + PL - kw; /* ow*S for the run's first value */
                if (S == 1 && base >= 0 && base + DCONV_RW <= OW) {
                    for (int r = 0; r < DCONV_RW; r++) acc[r] += wv * row[base + r];
                } else {
                    for (int r = 0; r < DCONV_RW; r++) {
                        const int tw = base + r, ow = tw / S;
                        acc[r] += tw >= 0 && ow * S == tw && ow < OW ? wv * row[ow] : 0.0f;
                    }
                }
            }
        }
    }
    __global float *dst = img + img_off + ((long)z * H + y) * W + x0;
    for (int r = 0; r < nx; r++) dst[r] = acc[r];
}

/* Launch (J*I*K*K, n): one weight's sum over one sample's positions, in DCONV_RW partial sums
 * (one per lane of a run of DCONV_RW positions along a row), added up in order at the end. */
__kernel void dconv_wgrad(__global float *part, const long part_off, __global const float *pos, const long pos_off,
                          __global const float *img, const long img_off, const int n, const int J, const int I,
                          const int H, const int W, const int OH, const int OW, const int K, const int S, const int PT,
                          const int PL)
{
    const int t = get_global_id(0), s = get_global_id(1), nw = J * I * K * K;
    if (t >= nw || s >= n) return;
    const int ji = t / (K * K), k2 = t - ji * (K * K), kh = k2 / K, kw = k2 - kh * K, j = ji / I, i = ji - j * I;
    __global const float *ps = pos + pos_off + ((long)s * J + j) * OH * OW;
    __global const float *im = img + img_off + ((long)s * I + i) * H * W;
    /* the positions whose window tap (kh, kw) is inside the image */
    const int oh_lo = max(0, (PT - kh + S - 1) / S), ow_lo = max(0, (PL - kw + S - 1) / S);
    const int th = H - 1 + PT - kh, tw = W - 1 + PL - kw; /* floor division: both may be negative */
    const int oh_hi = th < 0 ? 0 : min(OH, th / S + 1), ow_hi = tw < 0 ? 0 : min(OW, tw / S + 1);
    float acc[DCONV_RW];
    for (int r = 0; r < DCONV_RW; r++) acc[r] = 0.0f;
    for (int oh = oh_lo; oh < oh_hi; oh++) {
        __global const float *prow = ps + oh * OW, *irow = im + (oh * S - PT + kh) * W - PL + kw;
        int ow = ow_lo;
        for (; ow + DCONV_RW <= ow_hi; ow += DCONV_RW)
            for (int r = 0; r < DCONV_RW; r++) acc[r] += prow[ow + r] * irow[(ow + r) * S];
        for (int r = 0; ow + r < ow_hi; r++) acc[r] += prow[ow + r] * irow[(ow + r) * S];
    }
    float sum = 0.0f;
    for (int r = 0; r < DCONV_RW; r++) sum += acc[r];
    part[part_off + (long)s * nw + t] = sum;
}
