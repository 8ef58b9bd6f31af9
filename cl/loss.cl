/* loss.cl — binary cross-entropy for a discriminator's outputs, with its gradient and the
 * statistics the trainer logs, in one work-group (deterministic order, any batch size).
 *
 * from_logits = 1: z holds logits s; loss = max(s,0) - s*y + log1p(exp(-|s|)), grad = p - y,
 *   numerically stable for any s (a sigmoid output layer is folded in here, as Keras does).
 * from_logits = 0: z holds probabilities p; loss = -(y log p + (1-y) log(1-p)) with each log
 *   clamped at -100 and grad = (p - y) / max(p (1-p), 1e-12), as PyTorch's BCELoss.
 * sign = -1 turns BCE with y = 0 into the minimax generator loss mean(log(1 - D(G(z)))).
 * dz = sign * grad / n.  stats[off..off+2] = loss, mean p, accuracy (p > 0.5 when `real`,
 * else p < 0.5).
 *
 * Work per item: n is train.batch, at most 1048576 by the config, so an item loops at most
 * 1048576 / RED_WG = 16384 times (on PoCL, 2 cores: ~0.2 ms at n = 4096, ~53 ms at n = 1048576, one
 * core busy). A batch that large spends far longer in the layers; should the bound grow, this
 * becomes an elementwise pass plus the multi-pass sums of cl/reduce.cl (with a scratch planned
 * by the trainer).
 */
#ifndef RED_WG
#error "RED_WG: set by the host's tunables table (src/runtime/tunables.h)"
#endif
__kernel __attribute__((reqd_work_group_size(RED_WG, 1, 1)))
void bce(__global float *dz, __global float *stats, __global const float *z, const int n, const float y,
         const float sign, const int from_logits, const int real, const int off)
{
    __local float s[3 * RED_WG]; /* loss, p, accuracy: group_sums' three arrays */
    int l = get_local_id(0);
    float loss = 0.0f, psum = 0.0f, acc = 0.0f;
    for (int i = l; i < n; i += RED_WG) {
        float v = z[i], p, li, g;
        if (from_logits) {
            p = 1.0f / (1.0f + exp(-v));
            li = fmax(v, 0.0f) - v * y + log1p(exp(-fabs(v)));
            g = p - y;
        } else {
            p = v;
            li = -(y * fmax(log(p), -100.0f) + (1.0f - y) * fmax(log(1.0f - p), -100.0f));
            g = (p - y) / fmax(p * (1.0f - p), 1e-12f);
        }
        dz[i] = sign * g / (float)n;
        loss += li;
        psum += p;
        acc += real ? (p > 0.5f) : (p < 0.5f);
    }
    s[l] = loss;
    s[RED_WG + l] = psum;
    s[2 * RED_WG + l] = acc;
    group_sums(s, l, RED_WG, 3);
    if (l == 0) {
        stats[off] = sign * s[0] / (float)n;
        stats[off + 1] = s[RED_WG] / (float)n;
        stats[off + 2] = s[2 * RED_WG] / (float)n;
    }
}

/* Softmax cross-entropy of n rows of k logits z against class labels (floats holding whole class
 * indices, as the byte gather of cl/data.cl writes them): dz = (softmax(z) - onehot(y)) / n,
 * stats[0] = mean loss (log sum exp(z) - z_y), stats[1] = accuracy (the first arg-max equals y).
 * The logits are shifted by their row maximum, so exp never overflows. One work-group, rows
 * strided over its items (a row per item: k is small, the classes of a classifier). */
__kernel __attribute__((reqd_work_group_size(RED_WG, 1, 1)))
void softmax_xent(__global float *dz, __global float *stats, __global const float *z, __global const float *labels,
                  const int n, const int k)
{
    __local float s[2 * RED_WG]; /* loss, accuracy */
    int l = get_local_id(0);
    float loss = 0.0f, acc = 0.0f;
    for (int i = l; i < n; i += RED_WG) {
        __global const float *zi = z + (size_t)i * k;
        int y = clamp((int)labels[i], 0, k - 1), best = 0;
        float m = zi[0];
        for (int j = 1; j < k; j++)
            if (zi[j] > m) m = zi[j], best = j;
        float sum = 0.0f;
        for (int j = 0; j < k; j++) sum += exp(zi[j] - m);
        for (int j = 0; j < k; j++)
            dz[(size_t)i * k + j] = (exp(zi[j] - m) / sum - (j == y ? 1.0f : 0.0f)) / (float)n;
        loss += log(sum) - (zi[y] - m);
        acc += best == y ? 1.0f : 0.0f;
    }
    s[l] = loss;
    s[RED_WG + l] = acc;
    group_sums(s, l, RED_WG, 2);
    if (l == 0) {
        stats[0] = s[0] / (float)n;
        stats[1] = s[RED_WG] / (float)n;
    }
}
