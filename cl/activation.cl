/* activation.cl — elementwise activations and their backward passes. ReLU is leaky ReLU with
 * slope 0. Backward passes overwrite dx (activation gradients are not accumulated).
 */
__kernel void leaky_fwd(__global float *y, __global const float *x, const int n, const float slope)
{
    int i = get_global_id(0);
    if (i < n) {
        float v = x[i];
        y[i] = v > 0.0f ? v : slope * v;
    }
}

/* dx = dy * (x > 0 ? 1 : slope) */
__kernel void leaky_bwd(__global float *dx, __global const float *dy, __global const float *x, const int n,
                        const float slope)
{
    int i = get_global_id(0);
    if (i < n) dx[i] = x[i] > 0.0f ? dy[i] : slope * dy[i];
}

__kernel void tanh_fwd(__global float *y, __global const float *x, const int n)
{
    int i = get_global_id(0);
    if (i < n) y[i] = tanh(x[i]);
}

/* dx = dy * (1 - y^2) */
__kernel void tanh_bwd(__global float *dx, __global const float *dy, __global const float *y, const int n)
{
    int i = get_global_id(0);
    if (i < n) dx[i] = dy[i] * (1.0f - y[i] * y[i]);
}

__kernel void sigmoid_fwd(__global float *y, __global const float *x, const int n)
{
    int i = get_global_id(0);
    if (i < n) y[i] = 1.0f / (1.0f + exp(-x[i]));
}

/* dx = dy * y * (1 - y) */
__kernel void sigmoid_bwd(__global float *dx, __global const float *dy, __global const float *y, const int n)
{
    int i = get_global_id(0);
    if (i < n) dx[i] = dy[i] * y[i] * (1.0f - y[i]);
}
