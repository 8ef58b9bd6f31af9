/* batchnorm.cl — batch normalisation (PyTorch's BatchNorm2d / BatchNorm1d) over the channels of
 * an (N,C,HW) tensor: HW = H*W for images, 1 for (N,F) features. Training uses one work-group
 * of BN_WG items per channel: each item walks the channel's N*HW values with stride BN_WG in a
 * fixed order, then a tree in local memory sums the partial sums, so results are deterministic
 * and correct for any N*HW. Mean and variance take two passes (no E[x^2]-E[x]^2 cancellation).
 * stats (2C) holds mean (C) then inverse std (C) of the last forward, for the backward pass.
 */
#ifndef BN_WG
#define BN_WG 64
#endif

/* Sum of v over the work-group (every item gets it); s has BN_WG floats and may be reused
 * right after. Must be reached by every item of the group. */
float bn_group_sum(__local float *s, int l, float v)
{
    s[l] = v;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int k = BN_WG / 2; k > 0; k >>= 1) {
        if (l < k) s[l] += s[l + k];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    float r = s[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    return r;
}

/* Walk channel c of an (N,C,HW) tensor: this item visits flat positions j = l, l+BN_WG, ... of
 * the m = N*HW values; `i` is the element index. The (b, k) = (j / HW, j % HW) pair advances by
 * (BN_WG / HW, BN_WG % HW) with one carry, so there is no division per element. */
#define BN_FOR_CHANNEL(i, body)                                                              \
    {                                                                                        \
        int b_ = l / hw, k_ = l - (l / hw) * hw;                                             \
        const int sb_ = BN_WG / hw, sk_ = BN_WG - (BN_WG / hw) * hw;                         \
        for (int j_ = l; j_ < m; j_ += BN_WG) {                                              \
            size_t i = ((size_t)b_ * nc + c) * hw + k_;                                      \
            body;                                                                            \
            b_ += sb_;                                                                       \
            k_ += sk_;                                                                       \
            if (k_ >= hw) {                                                                  \
                k_ -= hw;                                                                    \
                b_++;                                                                        \
            }                                                                                \
        }                                                                                    \
    }

/* Training forward, one group per channel: y = (x - mean) * invstd * w + bias with the batch's
 * mean and biased variance; running stats move by `momentum` towards the batch mean and the
 * UNBIASED variance (PyTorch). Needs m = n*hw >= 2 (the host checks). w and bias are unused
 * (may be NULL) when affine == 0. */
__kernel __attribute__((reqd_work_group_size(BN_WG, 1, 1)))
void bn_fwd_train(__global float *y, __global float *stats, __global float *rmean, __global float *rvar,
                  __global const float *x, __global const float *w, __global const float *bias, const int n,
                  const int nc, const int hw, const float eps, const float momentum, const int affine)
{
    __local float s[BN_WG];
    const int c = get_group_id(0), l = get_local_id(0), m = n * hw;
    float acc = 0.0f;
    BN_FOR_CHANNEL(i, acc += x[i]);
    const float mean = bn_group_sum(s, l, acc) / (float)m;
    acc = 0.0f;
    BN_FOR_CHANNEL(i, { float d = x[i] - mean; acc += d * d; });
    const float var = bn_group_sum(s, l, acc) / (float)m;
    const float inv = rsqrt(var + eps);
    const float g = affine ? w[c] * inv : inv, beta = affine ? bias[c] : 0.0f;
    BN_FOR_CHANNEL(i, y[i] = (x[i] - mean) * g + beta);
    if (l == 0) {
        stats[c] = mean;
        stats[nc + c] = inv;
        rmean[c] = (1.0f - momentum) * rmean[c] + momentum * mean;
        rvar[c] = (1.0f - momentum) * rvar[c] + momentum * var * ((float)m / (float)(m - 1));
    }
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

/* Backward, one group per channel, from the stats of the last forward. With xhat = (x-mean)*inv:
 *   dbias += sum(dy), dweight += sum(dy * xhat)                      (when param_grads && affine)
 *   train: dx = w*inv * (dy - sum(dy)/m - xhat * sum(dy*xhat)/m)     (batch statistics)
 *   eval:  dx = w*inv * dy                                           (running statistics)
 * dx is not written when need_dx == 0 (it may then be NULL). */
__kernel __attribute__((reqd_work_group_size(BN_WG, 1, 1)))
void bn_bwd(__global float *dx, __global float *dw, __global float *db, __global const float *dy,
            __global const float *x, __global const float *stats, __global const float *w, const int n, const int nc,
            const int hw, const int train, const int affine, const int param_grads, const int need_dx)
{
    __local float s[BN_WG];
    const int c = get_group_id(0), l = get_local_id(0), m = n * hw;
    const float mean = stats[c], inv = stats[nc + c];
    float a_dy = 0.0f, a_dyx = 0.0f;
    BN_FOR_CHANNEL(i, { float d = dy[i]; a_dy += d; a_dyx += d * (x[i] - mean); });
    const float sdy = bn_group_sum(s, l, a_dy);
    const float sdyx = bn_group_sum(s, l, a_dyx); /* sum(dy * (x - mean)) */
    if (l == 0 && param_grads && affine) {
        dw[c] += sdyx * inv;
        db[c] += sdy;
    }
    if (!need_dx) return;
    const float g = affine ? w[c] * inv : inv;
    if (train) {
        const float mdy = sdy / (float)m, k = sdyx * inv * inv / (float)m;
        BN_FOR_CHANNEL(i, dx[i] = g * (dy[i] - mdy - (x[i] - mean) * k));
    } else {
        BN_FOR_CHANNEL(i, dx[i] = g * dy[i]);
    }
}
