/* bench.cl — the device's measured limits for `clgan bench`.
 * fma_peak: PEAK_CHAINS independent fused multiply-add chains per work-item, each PEAK_VW floats
 * wide (the native width), so every FMA pipe has a chain to issue while the others wait out their
 * latency (a CPU with 2 pipes and 4 cycles' latency needs 8); 2 * PEAK_CHAINS * PEAK_VW flops per
 * work-item per iteration, no memory traffic but one vector store at the end.
 * bw_copy: dst = src over n4 float4s, for the bandwidth that memory-bound layers are held against.
 */
#if PEAK_VW == 1
typedef float peakv;
#else
#define PEAK_CAT_(a, b) a##b
#define PEAK_CAT(a, b) PEAK_CAT_(a, b)
typedef PEAK_CAT(float, PEAK_VW) peakv;
#endif

__kernel void fma_peak(__global peakv *out, const int iters, const float a, const float b)
{
    peakv x[PEAK_CHAINS];
    float s = (float)get_global_id(0) * 1e-9f;
    for (int c = 0; c < PEAK_CHAINS; c++) x[c] = (peakv)(s + 0.01f * c);
    for (int i = 0; i < iters; i++) {
#pragma unroll
        for (int c = 0; c < PEAK_CHAINS; c++) x[c] = fma(x[c], a, b);
    }
    peakv t = x[0];
    for (int c = 1; c < PEAK_CHAINS; c++) t += x[c];
    out[get_global_id(0)] = t;
}

__kernel void bw_copy(__global float4 *restrict dst, __global const float4 *restrict src, const int n4)
{
    int i = get_global_id(0);
    if (i < n4) dst[i] = src[i];
}
