/* optim.cl — optimizer updates and gradient clipping over a network's whole parameter arena
 * (one launch per network; parameters, gradients and states share one layout). Formulas follow
 * PyTorch's: SGD with momentum (dampening 0), Adam (bias-corrected, eps outside the root),
 * RMSprop (eps outside the root, as Keras 2 and PyTorch). Sizes and indices are 64-bit: an arena
 * may hold more than 2^31 floats. The squared norm for clip_norm comes from cl/reduce.cl.
 */
__kernel void sgd(__global float *p, __global const float *g, __global float *m, const long n, const float lr,
                  const float momentum)
{
    const long i = get_global_id(0);
    if (i >= n) return;
    float b = momentum * m[i] + g[i];
    m[i] = b;
    p[i] -= lr * b;
}

/* lr_c1 = lr / (1 - beta1^t), c2 = 1 / sqrt(1 - beta2^t) */
__kernel void adam(__global float *p, __global const float *g, __global float *m, __global float *v, const long n,
                   const float lr_c1, const float beta1, const float beta2, const float c2, const float eps)
{
    const long i = get_global_id(0);
    if (i >= n) return;
    float gi = g[i];
    float mi = beta1 * m[i] + (1.0f - beta1) * gi;
    float vi = beta2 * v[i] + (1.0f - beta2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    p[i] -= lr_c1 * mi / (sqrt(vi) * c2 + eps);
}

__kernel void rmsprop(__global float *p, __global const float *g, __global float *v, const long n, const float lr,
                      const float rho, const float eps)
{
    const long i = get_global_id(0);
    if (i >= n) return;
    float gi = g[i];
    float vi = rho * v[i] + (1.0f - rho) * gi * gi;
    v[i] = vi;
    p[i] -= lr * gi / (sqrt(vi) + eps);
}

__kernel void clip_value(__global float *g, const long n, const float c)
{
    const long i = get_global_id(0);
    if (i < n) g[i] = clamp(g[i], -c, c);
}

/* g *= min(1, max_norm / (||g|| + 1e-6)), ||g||^2 in sq[0] (PyTorch's clip_grad_norm_) */
__kernel void clip_scale(__global float *g, __global const float *sq, const long n, const float max_norm)
{
    const long i = get_global_id(0);
    if (i < n) g[i] *= fmin(1.0f, max_norm / (sqrt(sq[0]) + 1e-6f));
}

/* The generator's weight average after an update: e = decay e + w p, w = 1 - decay computed on
 * the host in double (PyTorch's ema.mul_(decay).add_(p, alpha=1-decay)) */
__kernel void ema(__global float *e, __global const float *p, const long n, const float decay, const float w)
{
    const long i = get_global_id(0);
    if (i < n) e[i] = decay * e[i] + w * p[i];
}
