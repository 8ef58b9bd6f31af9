/* bench.cl — a measured FP32 peak: independent fused multiply-adds on float4 accumulators,
 * 64 flops per work-item per iteration, no memory traffic but one store at the end.
 */
__kernel void fma_peak(__global float *out, const int iters, const float a, const float b)
{
    float s = (float)get_global_id(0) * 1e-9f;
    float4 x0 = (float4)(s, s + 1, s + 2, s + 3), x1 = x0 + 0.1f, x2 = x0 + 0.2f, x3 = x0 + 0.3f;
    float4 x4 = x0 + 0.4f, x5 = x0 + 0.5f, x6 = x0 + 0.6f, x7 = x0 + 0.7f;
    for (int i = 0; i < iters; i++) {
        x0 = fma(x0, a, b); x1 = fma(x1, a, b); x2 = fma(x2, a, b); x3 = fma(x3, a, b);
        x4 = fma(x4, a, b); x5 = fma(x5, a, b); x6 = fma(x6, a, b); x7 = fma(x7, a, b);
    }
    float4 t = x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7;
    out[get_global_id(0)] = t.x + t.y + t.z + t.w;
}
