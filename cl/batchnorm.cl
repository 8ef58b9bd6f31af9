/* batchnorm.cl — batch normalisation (PyTorch's BatchNorm2d / BatchNorm1d) over the channels of
 * an (N,C,HW) tensor: HW = H*W for images, 1 for (N,F) features. The per-channel sums (of x, of
 * (x - mean)^2, of dy and dy*(x - mean)) come from cl/reduce.cl's passes (per slot over the
 * samples, then per channel over the slots: src/layers/batchnorm.c sums()), so each work-item does
 * a bounded amount of work and the order of additions is fixed (deterministic results); mean and
 * variance take two passes (no E[x^2]-E[x]^2 cancellation). The kernels here are elementwise;
 * the per-channel factors are first spread over one sample's C*hw slots (coef), so the
 * elementwise kernels find them without a division per element.
 * stats (2C) holds mean (C) then inverse std (C) of the last forward, for the backward pass; it
 * lies at st + so in the layer's scratch, after the per-slot sums.
 * Element counts are int: the layer checks N*C*HW < 2^31 when it is created.
 */

/* The opening of the per-slot kernels: item j = c*hw + k of the C*hw slots (items past the end
 * return), stats moved to the layer's at `so`, and the sums and coefficients after them. */
#define BN_SLOT                                                                                \
    const int j = get_global_id(0), chw = nc * hw;                                             \
    if (j >= chw) return;                                                                      \
    const int c = j / hw;                                                                      \
    stats += so;                                                                               \
    __global const float *sums = stats + 2 * nc;                                               \
    __global float *coef = stats + 4 * nc;

/* Training statistics and the forward's per-slot coefficients. Launch: C*hw items, one per slot
 * j = c*hw + k of a sample (the elementwise kernels then index them by j alone: no division or
 * remainder per element, which PoCL cannot vectorise). From sums = stats + 2C = (sum x (C),
 * sum (x - sum x / m)^2 (C)) over the m = N*HW values: mean and 1/sqrt(var + eps) with the biased
 * variance; coef = stats + 4C = (mean, scale, shift) per slot (3 * C*hw), scale = w * invstd (invstd without
 * affine), shift = bias (0). Item k == 0 of each channel also stores stats = (mean, invstd) and
 * moves the running stats by `momentum` towards the batch mean and the UNBIASED variance
 * (PyTorch). Needs m >= 2 (the host checks). */
__kernel void bn_stats(__global float *stats, const int so, __global float *rmean, __global float *rvar,
                       __global const float *w, __global const float *bias, const int nc, const int hw,
                       const int m, const float eps, const float momentum, const int affine)
{
    BN_SLOT
    const float mean = sums[c] / (float)m, var = sums[nc + c] / (float)m, inv = rsqrt(var + eps);
    coef[j] = mean;
    coef[chw + j] = affine ? w[c] * inv : inv;
    coef[2 * chw + j] = affine ? bias[c] : 0.0f;
    if (j == c * hw) {
        stats[c] = mean;
        stats[nc + c] = inv;
        rmean[c] = (1.0f - momentum) * rmean[c] + momentum * mean;
        rvar[c] = (1.0f - momentum) * rvar[c] + momentum * var * ((float)m / (float)(m - 1));
    }
}

/* Training forward: y = (x - mean) * scale + shift with the coefficients of bn_stats (at
 * st + so + 4C). Launch: (C*hw rounded up, N): item (j, b) does element b*C*hw + j. */
__kernel void bn_apply(__global float *y, __global const float *st, const int so, __global const float *x,
                       const int nc, const int chw)
{
    __global const float *coef = st + so + 4 * nc;
    const int j = get_global_id(0), b = get_global_id(1);
    if (j >= chw) return;
    const int i = b * chw + j;
    y[i] = (x[i] - coef[j]) * coef[chw + j] + coef[2 * chw + j];
}

/* Eval forward, elementwise over total = N*C*HW: normalise with the running stats. Items
 * i < C also store the running mean and inverse std in stats (which the backward's sums and
 * coefficients read), so backward works after an eval forward too (gradient through fixed
 * statistics). */
__kernel void bn_fwd_eval(__global float *y, __global float *stats, const int so, __global const float *x,
                          __global const float *w, __global const float *bias, __global const float *rmean,
                          __global const float *rvar, const int total, const int nc, const int hw, const float eps,
                          const int affine)
{
    const int i = get_global_id(0);
    stats += so;
    if (i < nc) {
        stats[i] = rmean[i];
        stats[nc + i] = rsqrt(rvar[i] + eps);
    }
    if (i >= total) return;
    const int c = (i / hw) % nc;
    const float inv = rsqrt(rvar[c] + eps);
    const float g = affine ? w[c] * inv : inv, beta = affine ? bias[c] : 0.0f;
    y[i] = (x[i] - rmean[c]) * g + beta;
}

/* Backward coefficients per slot j = c*hw + k (launch: C*hw items), from the stats of the last
 * forward and sums = stats + 2C = (sum dy (C), sum dy*(x - mean) (C)) over the channel's m = N*HW
 * values. With xhat = (x-mean)*inv the backward is
 *   train: dx = w*inv * (dy - sum(dy)/m - xhat * sum(dy*xhat)/m)     (batch statistics)
 *   eval:  dx = w*inv * dy                                           (running statistics)
 * so coef = stats + 4C = (mean, w*inv, sum(dy)/m, sum(dy*(x-mean))*inv^2/m) per slot (4 * C*hw; the last two
 * are 0 in eval, and sums are then not read). With param_grads (affine only), item k == 0 of
 * each channel also adds dbias += sum(dy), dweight += sum(dy * xhat). */
__kernel void bn_bwd_coef(__global float *stats, const int so, __global float *dw, __global float *db,
                          __global const float *w, const int nc, const int hw, const int m, const int train,
                          const int affine, const int param_grads)
{
    BN_SLOT
    const float inv = stats[nc + c];
    coef[j] = stats[c];
    coef[chw + j] = affine ? w[c] * inv : inv;
    coef[2 * chw + j] = train ? sums[c] / (float)m : 0.0f;
    coef[3 * chw + j] = train ? sums[nc + c] * inv * inv / (float)m : 0.0f;
    if (param_grads && j == c * hw) {
        dw[c] += sums[nc + c] * inv;
        db[c] += sums[c];
    }
}

/* Backward, elementwise: dx = scale * (dy - mdy - (x - mean) * k) with bn_bwd_coef's
 * coefficients (at st + so + 4C). Launch: (C*hw rounded up, N), as bn_apply. */
__kernel void bn_bwd(__global float *dx, __global const float *dy, __global const float *x,
                     __global const float *st, const int so, const int nc, const int chw)
{
    __global const float *coef = st + so + 4 * nc;
    const int j = get_global_id(0), b = get_global_id(1);
    if (j >= chw) return;
    const int i = b * chw + j;
    dx[i] = coef[chw + j] * (dy[i] - coef[2 * chw + j] - (x[i] - coef[j]) * coef[3 * chw + j]);
}
