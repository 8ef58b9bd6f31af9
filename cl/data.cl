/* data.cl — turning the data set (bytes, resident on the device) into a float batch. */

/* out (n, item) = data[idx[base + b]] * scale + shift */
__kernel void gather_u8(__global float *out, __global const uchar *data, __global const int *idx, const int n,
                        const int item, const int base, const float scale, const float shift)
{
    int g = get_global_id(0);
    if (g >= n * item) return;
    int b = g / item, j = g - b * item;
    out[g] = (float)data[(size_t)idx[base + b] * item + j] * scale + shift;
}
