/* prelude.cl — prepended to every program when it is built (src/runtime/program.c): what
 * several programs share, the counter-based hash and the work-group tree sum. The tunables
 * come as -D build options from the host's table (src/runtime/tunables.h); the kernel files
 * keep no defaults, so a program built without them fails here or at its own check.
 */
#if !defined(WG) || !defined(WG2_X) || !defined(WG2_Y) || !defined(WG3_X) || !defined(WG3_Y)
#error "WG, WG2_X, WG2_Y, WG3_X, WG3_Y: set by the host's tunables table (src/runtime/tunables.h)"
#endif

/* The "lowbias32" integer hash: element i of a draw with key k gets hash32(k ^ hash32(i)). The
 * host's copy is clg_hash32 in src/base/rng.h (dropout keys, the tests' references). */
uint hash32(uint x)
{
    x ^= x >> 16;
    x *= 0x7feb352dU;
    x ^= x >> 15;
    x *= 0x846ca68bU;
    x ^= x >> 16;
    return x;
}

/* Tree sum over a work-group of wg items (a power of two): s holds nv arrays of wg floats back
 * to back, item l having stored its values at s[v*wg + l]. Pairs (l, l + k) are added for
 * k = wg/2, wg/4, ..., 1, so the order of additions is fixed by wg alone (bit-reproducible);
 * afterwards s[v*wg] holds array v's sum. Every item of the group must call it (it holds
 * barriers), with the same wg and nv. */
void group_sums(__local float *s, const int l, const int wg, const int nv)
{
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int k = wg / 2; k > 0; k >>= 1) {
        if (l < k)
            for (int v = 0; v < nv; v++) s[v * wg + l] += s[v * wg + l + k];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
}
