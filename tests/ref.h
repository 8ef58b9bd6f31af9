/* ref.h — plain-C reference implementations (double precision) of everything the OpenCL kernels
 * and layers compute, for tests/test_ops.c: row-major GEMM, dense
 * forward/backward, bias add/grad, the activations, the device's counter-based random numbers
 * (uniform01 on the lowbias32 hash of base/rng.h, the dropout mask and Box-Muller normals, bit for
 * bit as in cl/random.cl), binary cross-entropy with its gradient and statistics (cl/loss.cl), the
 * optimizer steps (cl/optim.cl, with the Adam constants clg_net_update computes), clipping by
 * value and by global norm, and gather_u8 (cl/data.cl).
 *
 * Inputs are the same float values the device sees (promoted to double); where the device makes
 * a discrete decision (dropout keep, random bits) the reference makes it with the same float
 * arithmetic, so masks match exactly and only the continuous results carry rounding error.
 */
#ifndef CLGAN_TEST_REF_H
#define CLGAN_TEST_REF_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "base/rng.h"

/* ---- GEMM and dense -------------------------------------------------------------------------- */

/* Row-major C (m,n) = alpha * op(A) (m,k) * op(B) (k,n) + beta * C. A is stored (m,k) with
 * leading dimension lda, or (k,m) when ta; likewise B is (k,n) or (n,k) when tb. */
static inline void ref_gemm(int ta, int tb, size_t m, size_t n, size_t k, double alpha, const float *a, size_t lda,
                            const float *b, size_t ldb, double beta, const float *c_in, double *c, size_t ldc)
{
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++) {
            double s = 0;
            for (size_t p = 0; p < k; p++) {
                double av = ta ? a[p * lda + i] : a[i * lda + p];
                double bv = tb ? b[j * ldb + p] : b[p * ldb + j];
                s += av * bv;
            }
            c[i * ldc + j] = alpha * s + (beta != 0.0 ? beta * (double)c_in[i * ldc + j] : 0.0);
        }
}

/* y (n,out) = x (n,in) W^T + b, W (out,in), b (out) or NULL */
static inline void ref_dense_fwd(double *y, const float *x, const float *w, const float *b, int n, int in, int out)
{
    for (int i = 0; i < n; i++)
        for (int o = 0; o < out; o++) {
            double s = b ? (double)b[o] : 0.0;
            for (int k = 0; k < in; k++) s += (double)x[(size_t)i * in + k] * w[(size_t)o * in + k];
            y[(size_t)i * out + o] = s;
        }
}

/* dx (n,in) = dy W; dW (out,in) += dy^T x; db (out) += column sums of dy. dx, dw, db may be NULL;
 * dw and db accumulate onto what they hold. */
static inline void ref_dense_bwd(double *dx, double *dw, double *db, const float *dy, const float *x, const float *w,
                                 int n, int in, int out)
{
    if (dx)
        for (int i = 0; i < n; i++)
            for (int k = 0; k < in; k++) {
                double s = 0;
                for (int o = 0; o < out; o++) s += (double)dy[(size_t)i * out + o] * w[(size_t)o * in + k];
                dx[(size_t)i * in + k] = s;
            }
    if (dw)
        for (int o = 0; o < out; o++)
            for (int k = 0; k < in; k++) {
                double s = 0;
                for (int i = 0; i < n; i++) s += (double)dy[(size_t)i * out + o] * x[(size_t)i * in + k];
                dw[(size_t)o * in + k] += s;
            }
    if (db)
        for (int o = 0; o < out; o++) {
            double s = 0;
            for (int i = 0; i < n; i++) s += dy[(size_t)i * out + o];
            db[o] += s;
        }
}

/* ---- common.cl --------------------------------------------------------------------------------- */

/* y = a*x + b*y */
static inline void ref_axpby(double *out, const float *y, const float *x, size_t n, double a, double b)
{
    for (size_t i = 0; i < n; i++) out[i] = a * x[i] + b * y[i];
}

/* y (N,F,inner) + bias (F) */
static inline void ref_add_bias(double *out, const float *y, const float *bias, size_t total, int f, int inner)
{
    for (size_t i = 0; i < total; i++) out[i] = (double)y[i] + bias[(i / (size_t)inner) % (size_t)f];
}

/* db (F) = db_in + sum over N and inner of dy (N,F,inner) */
static inline void ref_bias_grad(double *db, const float *db_in, const float *dy, int n, int f, int inner)
{
    for (int j = 0; j < f; j++) {
        double s = db_in[j];
        for (int b = 0; b < n; b++)
            for (int k = 0; k < inner; k++) s += dy[((size_t)b * f + j) * inner + k];
        db[j] = s;
    }
}

/* ---- activations ------------------------------------------------------------------------------- */

static inline double ref_leaky(double x, double slope) { return x > 0 ? x : slope * x; }
/* dx = dy * (x > 0 ? 1 : slope) */
static inline double ref_leaky_bwd(double dy, double x, double slope) { return x > 0 ? dy : slope * dy; }
static inline double ref_tanh(double x) { return tanh(x); }
/* dx = dy * (1 - y^2), y the forward output */
static inline double ref_tanh_bwd(double dy, double y) { return dy * (1.0 - y * y); }
static inline double ref_sigmoid(double x) { return 1.0 / (1.0 + exp(-x)); }
/* dx = dy * y * (1 - y) */
static inline double ref_sigmoid_bwd(double dy, double y) { return dy * y * (1.0 - y); }

/* ---- random.cl --------------------------------------------------------------------------------- */

/* the lowbias32 hash is the host's one (base/rng.h), the same as cl/prelude.cl's hash32 */
/* uniform in [0, 1) with 24 random bits: exact in float, so the same value as the device's */
static inline float ref_uniform01(uint32_t key, uint32_t i)
{
    return (float)(clg_hash32(key ^ clg_hash32(i)) >> 8) * (1.0f / 16777216.0f);
}

/* Inverted dropout: element i of draw `key` is kept when uniform01 >= p (compared in float). */
static inline int ref_dropout_keep(uint32_t key, uint32_t i, float p) { return ref_uniform01(key, i) >= p; }

/* y = keep ? x / (1 - p) : 0 (the same function maps dy to dx) */
static inline double ref_dropout(double x, uint32_t key, uint32_t i, float p)
{
    return ref_dropout_keep(key, i, p) ? x / (1.0 - (double)p) : 0.0;
}

/* Normal(mean, std) by Box-Muller from draws 2i (u1 in (0, 1]) and 2i+1 (u2 in [0, 1)). */
static inline double ref_noise_normal(uint32_t key, uint32_t i, double mean, double std)
{
    float u1 = ((float)(clg_hash32(key ^ clg_hash32(2u * i)) >> 8) + 1.0f) * (1.0f / 16777216.0f);
    float u2 = ref_uniform01(key, 2u * i + 1u);
    return mean + std * sqrt(-2.0 * log((double)u1)) * cos(6.283185307179586 * (double)u2);
}

/* Uniform(a, b) */
static inline double ref_noise_uniform(uint32_t key, uint32_t i, double a, double b)
{
    return a + (b - a) * (double)ref_uniform01(key, i);
}

/* ---- loss.cl ----------------------------------------------------------------------------------- */

/* Per-element binary cross-entropy li and its gradient g = d li / d z, and the probability p.
 * from_logits: z is a logit s, li = max(s,0) - s*y + log1p(exp(-|s|)), g = p - y.
 * else: z is a probability p, li = -(y max(log p, -100) + (1-y) max(log(1-p), -100)),
 *       g = (p - y) / max(p (1-p), 1e-12) (PyTorch's BCELoss). */
static inline void ref_bce1(double z, double y, int from_logits, double *li, double *g, double *p)
{
    if (from_logits) {
        *p = 1.0 / (1.0 + exp(-z));
        *li = fmax(z, 0.0) - z * y + log1p(exp(-fabs(z)));
        *g = *p - y;
    } else {
        *p = z;
        *li = -(y * fmax(log(z), -100.0) + (1.0 - y) * fmax(log(1.0 - z), -100.0));
        *g = (z - y) / fmax(z * (1.0 - z), 1e-12);
    }
}

/* The bce kernel: dz = sign * g / n; stats = sign * mean loss, mean p, accuracy (p > 0.5 when
 * `real`, else p < 0.5). */
static inline void ref_bce(double *dz, double stats[3], const float *z, int n, double y, double sign,
                           int from_logits, int real)
{
    double loss = 0, psum = 0, acc = 0;
    for (int i = 0; i < n; i++) {
        double li, g, p;
        ref_bce1(z[i], y, from_logits, &li, &g, &p);
        dz[i] = sign * g / n;
        loss += li;
        psum += p;
        acc += real ? (p > 0.5) : (p < 0.5);
    }
    stats[0] = sign * loss / n;
    stats[1] = psum / n;
    stats[2] = acc / n;
}

/* ---- optim.cl ---------------------------------------------------------------------------------- */

/* SGD with momentum (PyTorch, dampening 0): b = momentum*m + g; m = b; p -= lr*b */
static inline void ref_sgd(double *p, double *m, const double *g, size_t n, double lr, double momentum)
{
    for (size_t i = 0; i < n; i++) {
        double b = momentum * m[i] + g[i];
        m[i] = b;
        p[i] -= lr * b;
    }
}

/* The constants clg_net_update passes to the adam kernel for step t (1-based). */
static inline void ref_adam_consts(double lr, double beta1, double beta2, long t, double *lr_c1, double *c2)
{
    *lr_c1 = lr / (1.0 - pow(beta1, (double)t));
    *c2 = 1.0 / sqrt(1.0 - pow(beta2, (double)t));
}

/* Adam step: m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; p -= lr_c1 m / (sqrt(v) c2 + eps), i.e.
 * p -= lr * m_hat / (sqrt(v_hat) + eps) with m_hat = m / (1-b1^t), v_hat = v / (1-b2^t). */
static inline void ref_adam(double *p, double *m, double *v, const double *g, size_t n, double lr_c1, double beta1,
                            double beta2, double c2, double eps)
{
    for (size_t i = 0; i < n; i++) {
        m[i] = beta1 * m[i] + (1.0 - beta1) * g[i];
        v[i] = beta2 * v[i] + (1.0 - beta2) * g[i] * g[i];
        p[i] -= lr_c1 * m[i] / (sqrt(v[i]) * c2 + eps);
    }
}

/* RMSprop: v = rho v + (1-rho) g^2; p -= lr g / (sqrt(v) + eps) */
static inline void ref_rmsprop(double *p, double *v, const double *g, size_t n, double lr, double rho, double eps)
{
    for (size_t i = 0; i < n; i++) {
        v[i] = rho * v[i] + (1.0 - rho) * g[i] * g[i];
        p[i] -= lr * g[i] / (sqrt(v[i]) + eps);
    }
}

static inline void ref_clip_value(double *g, size_t n, double c)
{
    for (size_t i = 0; i < n; i++) g[i] = g[i] < -c ? -c : g[i] > c ? c : g[i];
}

static inline double ref_sumsq(const double *g, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) s += g[i] * g[i];
    return s;
}

/* PyTorch's clip_grad_norm_: g *= min(1, max_norm / (||g|| + 1e-6)) */
static inline void ref_clip_norm(double *g, size_t n, double max_norm)
{
    double s = fmin(1.0, max_norm / (sqrt(ref_sumsq(g, n)) + 1e-6));
    for (size_t i = 0; i < n; i++) g[i] *= s;
}

/* ---- data.cl ----------------------------------------------------------------------------------- */

/* out (n, item) = data[idx[base + b]] * scale + shift */
static inline void ref_gather_u8(double *out, const uint8_t *data, const int *idx, int n, int item, int base,
                                 double scale, double shift)
{
    for (int b = 0; b < n; b++)
        for (int j = 0; j < item; j++)
            out[(size_t)b * item + j] = data[(size_t)idx[base + b] * item + j] * scale + shift;
}

#endif
