/* maxout.cl — maxout over k consecutive features (Goodfellow et al. 2013; PyTorch
 * x.view(N, -1, k).max(2)): y[i] = max_j x[i*k + j]. The arg-max (first one on ties, so the
 * result is deterministic) is kept for backward, which is a gather: no atomics, no races.
 */
__kernel void maxout_fwd(__global float *y, __global int *arg, __global const float *x, const int total,
                         const int k)
{
    int i = get_global_id(0);
    if (i >= total) return;
    __global const float *p = x + (size_t)i * k;
    float m = p[0];
    int a = 0;
    for (int j = 1; j < k; j++)
        if (p[j] > m) {
            m = p[j];
            a = j;
        }
    y[i] = m;
    arg[i] = a;
}

/* dx (total*k) = dy routed to the arg-max of each group */
__kernel void maxout_bwd(__global float *dx, __global const float *dy, __global const int *arg, const int total,
                         const int k)
{
    int j = get_global_id(0);
    if (j >= total * k) return;
    int i = j / k;
    dx[j] = arg[i] == j - i * k ? dy[i] : 0.0f;
}
