/* batchnorm.cl — batch normalisation (PyTorch's BatchNorm2d / BatchNorm1d) over the channels of
 * an (N,C,HW) tensor: HW = H*W for images, 1 for (N,F) features. The per-channel sums (of x, of
 * (x - mean)^2, of dy and dy*(x - mean)) come from cl/reduce.cl's passes, so each work-item does
 * a bounded amount of work and the order of additions is fixed (deterministic results); mean and
 * variance take two passes (no E[x^2]-E[x]^2 cancellation). The kernels here are elementwise.
 * stats (2C) holds mean (C) then inverse std (C) of the last forward, for the backward pass.
 * Element counts are int: the layer checks N*C*HW < 2^31 when it is created.
 */

/* Training statistics, one item per channel, from sums = stats + 2C = (sum x (C),
 * sum (x - sum x / m)^2 (C)) over the m = N*HW values: stats = (mean, 1/sqrt(var + eps)) with the biased variance; the
 * running stats move by `momentum` towards the batch mean and the UNBIASED variance (PyTorch).
 * Needs m >= 2 (the host checks). */
__kernel void bn_stats(__global float *stats, __global float *rmean, __global float *rvar, const int nc, const int m, const float eps, const float momentum)
{
    const int c = get_global_id(0);
    if (c >= nc) return;
    __global const float *sums = stats + 2 * nc;
    const float mean = sums[c] / (float)m, var = sums[nc + c] / (float)m;
    stats[c] = mean;
    stats[nc + c] = rsqrt(var + eps);
    rmean[c] = (1.0f - momentum) * rmean[c] + momentum * mean;
    rvar[c] = (1.0f - momentum) * rvar[c] + momentum * var * ((float)m / (float)(m - 1));
}

/* Training forward, elementwise over total = N*C*HW: y = (x - mean) * invstd * w + bias with the
 * batch statistics in stats. w and bias are unused (may be NULL) when affine == 0. */
__kernel void bn_apply(__global float *y, __global const float *stats, __global const float *x,
                       __global const float *w, __global const float *bias, const int total, const int nc,
                       const int hw, const int affine)
{
    const int i = get_global_id(0);
    if (i >= total) return;
    const int c = (i / hw) % nc;
    const float inv = stats[nc + c];
    const float g = affine ? w[c] * inv : inv, beta = affine ? bias[c] : 0.0f;
    y[i] = (x[i] - stats[c]) * g + beta;
}

/* Eval forward, elementwise over total = N*C*HW: normalise with the running stats. Items
 * i < C also store the running mean and inverse std in stats, so backward works after an eval
 * forward too (gradient through fixed statistics). */
__kernel void bn_fwd_eval(__global float *y, __global float *stats, __global const float *x,
                          __global const float *w, __global const float *bias, __global const float *rmean,
                          __global const float *rvar, const int total, const int nc, const int hw, const float eps,
                          const int affine)
{
    const int i = get_global_id(0);
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

/* Backward, elementwise, from the stats of the last forward and sums = stats + 2C = (sum dy (C),
 * sum dy*(x - mean) (C)) over the channel's m = N*HW values. With xhat = (x-mean)*inv:
 *   train: dx = w*inv * (dy - sum(dy)/m - xhat * sum(dy*xhat)/m)     (batch statistics)
 *   eval:  dx = w*inv * dy                                           (running statistics)
 * sums are not read in eval mode. */
__kernel void bn_bwd(__global float *dx, __global const float *dy, __global const float *x,
                     __global const float *stats, __global const float *w, const int total, const int nc,
                     const int hw, const int train, const int affine)
{
    const int i = get_global_id(0);
    if (i >= total) return;
    __global const float *sums = stats + 2 * nc;
    const int c = (i / hw) % nc, m = total / nc;
    const float inv = stats[nc + c], g = affine ? w[c] * inv : inv;
    const float mdy = train ? sums[c] / (float)m : 0.0f, k = train ? sums[nc + c] * inv * inv / (float)m : 0.0f;
    dx[i] = g * (dy[i] - mdy - (x[i] - stats[c]) * k);
}

/* dbias += sum(dy), dweight += sum(dy * xhat), one item per channel, from the sums above (a
 * kernel of its own: next to the elementwise dx, these stores kept PoCL from vectorising it,
 * 40x slower). */
__kernel void bn_param_grads(__global float *dw, __global float *db, __global const float *stats, const int nc)
{
    const int c = get_global_id(0);
    if (c >= nc) return;
    dw[c] += stats[3 * nc + c] * stats[nc + c];
    db[c] += stats[2 * nc + c];
}
