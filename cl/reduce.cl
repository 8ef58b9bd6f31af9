/* reduce.cl — deterministic multi-pass sums with bounded work per work-item: the bias gradients,
 * the gradient norm (clip_norm) and batch normalisation's statistics and backward sums.
 *
 * Every pass uses groups of RED_WG items, and each group sums one span of `span` consecutive
 * values (item l takes l, l + RED_WG, ... : coalesced), then a tree in local memory. A pass turns
 * m values per row into ceil(m / span) partial sums; the host repeats passes until one value per
 * row is left. span is the host's constant CLG_RED_SPAN (layers/reduce.h: RED_WG * 64), so no
 * item loops more than span / RED_WG times whatever the size, the parallelism grows with the
 * size, and the order of every addition is fixed by the sizes alone (bit-reproducible run to run).
 */
#ifndef RED_WG
#error "RED_WG: set by the host's tunables table (src/runtime/tunables.h)"
#endif

/* First pass over channel c of x (n, C, hw): the channel's m = n*hw values, flat j = b*hw + k,
 * element ((b*C + c)*hw + k). Group (g, c) covers j in [g*span, (g+1)*span).
 *   mode 0: q1 = x                       (bias gradients, batch-norm mean)
 *   mode 1: q1 = x*x                     (squared norm; C = 1)
 *   mode 2: q1 = (x - mu)^2              (batch-norm variance), mu = aux[aux_off + c] / div
 *   mode 3: q1 = x, q2 = x * (x2 - mu)   (batch-norm backward: x = dy, x2 = the input), mu as in mode 2
 * out[out_off + c*G + g] = q1 sum and, in mode 3, out[out_off + (C + c)*G + g] = q2 sum, where
 * G = the number of groups along dimension 0; with `acc` they are added to out instead. The
 * (b, k) pair advances by (RED_WG / hw, RED_WG % hw) with one carry: no division per value. */
/* The loop over this item's values of the channel, i = the element's index. */
#define CHAN_WALK(i, body)                                                                   \
    {                                                                                        \
        long b_ = j0 / hw, k_ = j0 - (j0 / hw) * hw;                                         \
        for (long j_ = j0; j_ < jend; j_ += RED_WG) {                                        \
            const long i = (b_ * C + c) * hw + k_;                                           \
            body;                                                                            \
            b_ += sb;                                                                        \
            k_ += sk;                                                                        \
            if (k_ >= hw) {                                                                  \
                k_ -= hw;                                                                    \
                b_++;                                                                        \
            }                                                                                \
        }                                                                                    \
    }

__kernel __attribute__((reqd_work_group_size(RED_WG, 1, 1)))
void chan_sums(__global float *out, const long out_off, const int acc, __global const float *x,
               __global const float *x2, __global const float *aux, const long aux_off, const float div, const long n,
               const int C, const long hw, const int mode, const long span)
{
    __local float s[2 * RED_WG]; /* q1 then q2: group_sums' two arrays */
    const int l = get_local_id(0), c = get_group_id(1);
    const long g = get_group_id(0), G = get_num_groups(0), m = n * hw;
    const long j0 = g * span + l, jend = min(m, (g + 1) * span);
    const float mu = mode >= 2 ? aux[aux_off + c] / div : 0.0f;
    const long sb = RED_WG / hw, sk = RED_WG - sb * hw;
    float q1 = 0.0f, q2 = 0.0f;
    /* one loop per mode (a uniform branch outside the loops, so each loop vectorises) */
    if (mode == 0) CHAN_WALK(i, q1 += x[i])
    else if (mode == 1) CHAN_WALK(i, q1 += x[i] * x[i])
    else if (mode == 2) CHAN_WALK(i, { const float d = x[i] - mu; q1 += d * d; })
    else CHAN_WALK(i, { const float v = x[i]; q1 += v; q2 += v * (x2[i] - mu); })
    /* both sums in one tree, reached by every item whatever the mode (no barrier under a
     * branch: PoCL runs such work-groups far slower) */
    s[l] = q1;
    s[RED_WG + l] = q2;
    group_sums(s, l, RED_WG, 2);
    if (l == 0) {
        __global float *o = out + out_off + c * G + g;
        *o = acc ? *o + s[0] : s[0];
        if (mode == 3) {
            o += (long)C * G;
            *o = acc ? *o + s[RED_WG] : s[RED_WG];
        }
    }
}

/* A later pass: row r of in (rows, m) at in_off -> out[out_off + r*G + g] (+= with acc), G the
 * number of groups along dimension 0 (= ceil(m / span)). */
__kernel __attribute__((reqd_work_group_size(RED_WG, 1, 1)))
void reduce_rows(__global float *out, const long out_off, const int acc, __global const float *in, const long in_off,
                 const long m, const long span)
{
    __local float s[RED_WG];
    const int l = get_local_id(0);
    const long r = get_group_id(1), g = get_group_id(0), G = get_num_groups(0);
    const long jend = min(m, (g + 1) * span);
    __global const float *row = in + in_off + r * m;
    float q = 0.0f;
    for (long j = g * span + l; j < jend; j += RED_WG) q += row[j];
    s[l] = q;
    group_sums(s, l, RED_WG, 1);
    if (l == 0) {
        __global float *o = out + out_off + r * G + g;
        *o = acc ? *o + s[0] : s[0];
    }
}

/* The passes for hw == 1, an (n, C) matrix (dense layers, BatchNorm1d): column j's values are
 * x[x_off + b*C + j], so consecutive items take consecutive columns (coalesced, where the walk
 * above would stride by C) and each item sums `items` rows of its column in order, so no item
 * loops more than `items` times. Group (., g) covers rows [g*items, (g+1)*items). The modes are
 * chan_sums's; partial sums go to out[out_off + g*rows + r] (rows = 2C in mode 3, q2 at r = C + j,
 * else C), an (G, rows) matrix that the next pass (mode 0, C = rows) reduces the same way; with
 * G = 1 that is out[out_off + r], written or, with acc, added to. Launch: (C rounded up to
 * RED_WG, G = ceil(n / items)). */
#define COL_WALK(i, body)                                                                    \
    for (long b_ = g * items, i = x_off + b_ * C + j; b_ < bend; b_++, i += C) {            \
        body;                                                                                \
    }
__kernel __attribute__((reqd_work_group_size(RED_WG, 1, 1)))
void col_sums(__global float *out, const long out_off, const int acc, __global const float *x, const long x_off,
              __global const float *x2, __global const float *aux, const long aux_off, const float div, const long n,
              const int C, const int mode, const long items)
{
    const int j = get_global_id(0);
    const long g = get_group_id(1);
    if (j >= C) return;
    const long bend = min(n, (g + 1) * items);
    const float mu = mode >= 2 ? aux[aux_off + j] / div : 0.0f;
    float q1 = 0.0f, q2 = 0.0f;
    if (mode == 0) COL_WALK(i, q1 += x[i])
    else if (mode == 1) COL_WALK(i, q1 += x[i] * x[i])
    else if (mode == 2) COL_WALK(i, { const float d = x[i] - mu; q1 += d * d; })
    else COL_WALK(i, { const float v = x[i]; q1 += v; q2 += v * (x2[i] - mu); })
    __global float *o = out + out_off + g * (mode == 3 ? 2 * (long)C : C) + j;
    *o = acc ? *o + q1 : q1;
    if (mode == 3) {
        o += C;
        *o = acc ? *o + q2 : q2;
    }
}

/* Per-plane sums of x (n, C, hw) in chan_sums's modes (mu per channel, aux[aux_off + c] / div):
 * out[out_off + b*R + c] = the q1 sum over plane (b, c), and in mode 3 out[out_off + b*R + C + c]
 * = the q2 sum, R = 2C in mode 3, else C. One work-item per plane streams its hw contiguous
 * values into 8 partial sums (SIMD lanes) and a scalar one for the tail, added up in a fixed
 * order; the planes' sums then go through col_sums over the samples (layers/reduce.c). Work per
 * item: hw values (hw <= CLG_RED_SPAN: larger planes take chan_sums's groups). */
/* Eight lanes of a plane's running sums (an array, not a float8: Oclgrind 21.10's uninitialised-
 * value checker crashes on the vector form), added up in a fixed order with the tail's sum. */
static inline float plane_hsum(const float *v, const float t)
{
    return (((v[0] + v[4]) + (v[2] + v[6])) + ((v[1] + v[5]) + (v[3] + v[7]))) + t;
}

__kernel void plane_sums(__global float *out, const long out_off, __global const float *x,
                         __global const float *x2, __global const float *aux, const long aux_off, const float div,
                         const int C, const int hw, const int mode, const int planes)
{
    const int p = get_global_id(0);
    if (p >= planes) return;
    const int b = p / C, c = p - b * C;
    const float mu = mode >= 2 ? aux[aux_off + c] / div : 0.0f;
    __global const float *xp = x + (long)p * hw, *yp = x2 + (long)p * hw;
    float s1[8], s2[8], t1 = 0.0f, t2 = 0.0f;
    for (int r = 0; r < 8; r++) s1[r] = s2[r] = 0.0f;
    const int hv = hw & ~7; /* hw rounded down to whole runs of 8 */
    if (mode == 0) {
        for (int k = 0; k < hv; k += 8)
            for (int r = 0; r < 8; r++) s1[r] += xp[k + r];
        for (int k = hv; k < hw; k++) t1 += xp[k];
    } else if (mode == 1) {
        for (int k = 0; k < hv; k += 8)
            for (int r = 0; r < 8; r++) s1[r] += xp[k + r] * xp[k + r];
        for (int k = hv; k < hw; k++) t1 += xp[k] * xp[k];
    } else if (mode == 2) {
        for (int k = 0; k < hv; k += 8)
            for (int r = 0; r < 8; r++) s1[r] += (xp[k + r] - mu) * (xp[k + r] - mu);
        for (int k = hv; k < hw; k++) t1 += (xp[k] - mu) * (xp[k] - mu);
    } else {
        for (int k = 0; k < hv; k += 8)
            for (int r = 0; r < 8; r++) {
                s1[r] += xp[k + r];
                s2[r] += xp[k + r] * (yp[k + r] - mu);
            }
        for (int k = hv; k < hw; k++) {
            t1 += xp[k];
            t2 += xp[k] * (yp[k] - mu);
        }
    }
    const int R = mode == 3 ? 2 * C : C;
    out[out_off + (long)b * R + c] = plane_hsum(s1, t1);
    if (mode == 3) out[out_off + (long)b * R + C + c] = plane_hsum(s2, t2);
}
