/* common.cl — small building blocks shared by several layers: fill, axpby and the bias add (the
 * bias gradient is a per-channel sum in cl/reduce.cl). Layout: a tensor (N, F, inner) where
 * inner is 1 for dense outputs and H*W for convolution outputs, so the bias index of element i
 * is (i / inner) % F.
 */
__kernel void fill(__global float *x, const int n, const float v)
{
    int i = get_global_id(0);
    if (i < n) x[i] = v;
}

/* y = a*x + b*y */
__kernel void axpby(__global float *y, __global const float *x, const int n, const float a, const float b)
{
    int i = get_global_id(0);
    if (i < n) y[i] = a * x[i] + b * y[i];
}

/* y (N,F,inner) += bias (F) */
__kernel void add_bias(__global float *y, __global const float *bias, const int total, const int f,
                       const int inner)
{
    int i = get_global_id(0);
    if (i < total) y[i] += bias[(i / inner) % f];
}
