/* random.cl — counter-based random numbers on the device: element i of a draw with key k gets
 * hash32(k ^ hash32(i)), where the host derives k from (run seed, stream, counter). Nothing is
 * stored between draws, so backward passes regenerate the dropout mask from the same key. A
 * dropout mask's counters start at `base` (this process's first sample times the features, when
 * the batch is split over processes), so a sample's mask does not depend on how it is split.
 * hash32 (the "lowbias32" integer hash) is in cl/prelude.cl.
 */

/* uniform in [0, 1) with 24 random bits */
float uniform01(uint key, uint i) { return (float)(hash32(key ^ hash32(i)) >> 8) * (1.0f / 16777216.0f); }

/* Inverted dropout: keep with probability 1-p and scale kept values by 1/(1-p). */
__kernel void dropout_fwd(__global float *y, __global const float *x, const int n, const float p, const uint key,
                          const uint base)
{
    int i = get_global_id(0);
    if (i < n) y[i] = uniform01(key, base + (uint)i) >= p ? x[i] / (1.0f - p) : 0.0f;
}

__kernel void dropout_bwd(__global float *dx, __global const float *dy, const int n, const float p, const uint key,
                          const uint base)
{
    int i = get_global_id(0);
    if (i < n) dx[i] = uniform01(key, base + (uint)i) >= p ? dy[i] / (1.0f - p) : 0.0f;
}

/* Normal(mean, std) by Box-Muller, one value per work-item from draws 2i and 2i+1. */
__kernel void noise_normal(__global float *z, const int n, const uint key, const float mean, const float std)
{
    int i = get_global_id(0);
    if (i >= n) return;
    float u1 = ((float)(hash32(key ^ hash32(2u * (uint)i)) >> 8) + 1.0f) * (1.0f / 16777216.0f); /* (0,1] */
    float u2 = uniform01(key, 2u * (uint)i + 1u);
    z[i] = mean + std * sqrt(-2.0f * log(u1)) * cos(6.28318530717958647f * u2);
}

/* Uniform(a, b) */
__kernel void noise_uniform(__global float *z, const int n, const uint key, const float a, const float b)
{
    int i = get_global_id(0);
    if (i < n) z[i] = a + (b - a) * uniform01(key, (uint)i);
}
