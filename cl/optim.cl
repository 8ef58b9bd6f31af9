/* optim.cl — optimizer updates and gradient clipping over a network's whole parameter arena
 * (one launch per network; parameters, gradients and states share one layout). Formulas follow
 * PyTorch's: SGD with momentum (dampening 0), Adam (bias-corrected, eps outside the root),
 * RMSprop (eps outside the root, as Keras 2 and PyTorch).
 */
__kernel void sgd(__global float *p, __global const float *g, __global float *m, const int n, const float lr,
                  const float momentum)
{
    int i = get_global_id(0);
    if (i >= n) return;
    float b = momentum * m[i] + g[i];
    m[i] = b;
    p[i] -= lr * b;
}

/* lr_c1 = lr / (1 - beta1^t), c2 = 1 / sqrt(1 - beta2^t) */
__kernel void adam(__global float *p, __global const float *g, __global float *m, __global float *v, const int n,
                   const float lr_c1, const float beta1, const float beta2, const float c2, const float eps)
{
    int i = get_global_id(0);
    if (i >= n) return;
    float gi = g[i];
    float mi = beta1 * m[i] + (1.0f - beta1) * gi;
    float vi = beta2 * v[i] + (1.0f - beta2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    p[i] -= lr_c1 * mi / (sqrt(vi) * c2 + eps);
}

__kernel void rmsprop(__global float *p, __global const float *g, __global float *v, const int n, const float lr,
                      const float rho, const float eps)
{
    int i = get_global_id(0);
    if (i >= n) return;
    float gi = g[i];
    float vi = rho * v[i] + (1.0f - rho) * gi * gi;
    v[i] = vi;
    p[i] -= lr * gi / (sqrt(vi) + eps);
}

__kernel void clip_value(__global float *g, const int n, const float c)
{
    int i = get_global_id(0);
    if (i < n) g[i] = clamp(g[i], -c, c);
}

/* out[0] = sum of g^2, one work-group, fixed order */
#define WG 64
__kernel __attribute__((reqd_work_group_size(WG, 1, 1)))
void sumsq(__global float *out, __global const float *g, const int n)
{
    __local float s[WG];
    int l = get_local_id(0);
    float acc = 0.0f;
    for (int i = l; i < n; i += WG) acc += g[i] * g[i];
    s[l] = acc;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int k = WG / 2; k > 0; k >>= 1) {
        if (l < k) s[l] += s[l + k];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (l == 0) out[0] = s[0];
}

/* g *= min(1, max_norm / (||g|| + 1e-6)), ||g||^2 in sq[0] (PyTorch's clip_grad_norm_) */
__kernel void clip_scale(__global float *g, __global const float *sq, const int n, const float max_norm)
{
    int i = get_global_id(0);
    if (i < n) g[i] *= fmin(1.0f, max_norm / (sqrt(sq[0]) + 1e-6f));
}
