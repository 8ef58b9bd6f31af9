/* test_metrics.c — the sample scores of src/eval/metrics.c against closed forms and references
 * computed another way: the Jacobi solver reconstructs its matrix; the Fréchet distance of a set
 * with itself is 0, matches sum sqrt(a b) for commuting covariances, the 2 × 2 formula
 * tr sqrt(M) = sqrt(tr M + 2 sqrt(det M)) and a Denman–Beavers square root of cov1 cov2; KID is 0
 * within its spread for one distribution, positive for shifted ones, and equals a plain double
 * loop on full sets; the classifier score is 1, 10 and a hand-computed value; precision/recall
 * and memorisation on hand-made sets and against a brute-force loop.
 * `test_metrics bench` times FD and precision/recall at n = 10,000, d = 64 instead.
 */
#include "eval/metrics.h"
#include "testutil.h"

static clg_err err;

#define CHECK_ST(expr) CHECK_E(&err, expr)

static double rel(double got, double want) { return fabs(got - want) / fmax(fabs(want), 1e-300); }

static double normal(clg_rng *r) { return clg_rng_normal(r); }

/* n rows of N(mu, L L^T) with L lower-triangular d × d (NULL: identity), as floats */
static float *gaussian(size_t n, int d, const double *mu, const double *L, uint64_t seed)
{
    clg_rng r = {seed};
    float *x = malloc(n * d * sizeof *x);
    double z[64];
    for (size_t i = 0; i < n; i++) {
        for (int a = 0; a < d; a++) z[a] = normal(&r);
        for (int a = 0; a < d; a++) {
            double v = mu ? mu[a] : 0;
            for (int b = 0; b <= a; b++) v += (L ? L[a * d + b] : (a == b)) * z[b];
            x[i * d + a] = (float)v;
        }
    }
    return x;
}

/* ---- dense references ---- */

static void mm(double *c, const double *a, const double *b, int d)
{
    for (int i = 0; i < d; i++)
        for (int j = 0; j < d; j++) {
            double s = 0;
            for (int k = 0; k < d; k++) s += a[i * d + k] * b[k * d + j];
            c[i * d + j] = s;
        }
}

/* Gauss-Jordan inverse with partial pivoting (d ≤ 16) */
static void inverse(double *out, const double *a, int d)
{
    double m[16 * 32];
    for (int i = 0; i < d; i++)
        for (int j = 0; j < 2 * d; j++) m[i * 2 * d + j] = j < d ? a[i * d + j] : (j - d == i);
    for (int c = 0; c < d; c++) {
        int p = c;
        for (int i = c + 1; i < d; i++)
            if (fabs(m[i * 2 * d + c]) > fabs(m[p * 2 * d + c])) p = i;
        for (int j = 0; j < 2 * d; j++) {
            double t = m[c * 2 * d + j];
            m[c * 2 * d + j] = m[p * 2 * d + j], m[p * 2 * d + j] = t;
        }
        double piv = m[c * 2 * d + c];
        for (int j = 0; j < 2 * d; j++) m[c * 2 * d + j] /= piv;
        for (int i = 0; i < d; i++)
            if (i != c) {
                double f = m[i * 2 * d + c];
                for (int j = 0; j < 2 * d; j++) m[i * 2 * d + j] -= f * m[c * 2 * d + j];
            }
    }
    for (int i = 0; i < d; i++)
        for (int j = 0; j < d; j++) out[i * d + j] = m[i * 2 * d + d + j];
}

/* tr sqrt(S1 S2) by the Denman–Beavers iteration on the (non-symmetric) product: no eigenvectors */
static double tr_sqrt_db(const double *s1, const double *s2, int d)
{
    double y[256], z[256], yi[256], zi[256];
    mm(y, s1, s2, d);
    for (int i = 0; i < d * d; i++) z[i] = i % (d + 1) == 0;
    for (int it = 0; it < 60; it++) {
        inverse(yi, y, d), inverse(zi, z, d);
        for (int i = 0; i < d * d; i++) y[i] = 0.5 * (y[i] + zi[i]), z[i] = 0.5 * (z[i] + yi[i]);
    }
    double t = 0;
    for (int i = 0; i < d; i++) t += y[i * d + i];
    return t;
}

static double fd_ref(const double *m1, const double *s1, const double *m2, const double *s2, int d)
{
    double r = 0;
    for (int i = 0; i < d; i++) r += (m1[i] - m2[i]) * (m1[i] - m2[i]) + s1[i * d + i] + s2[i * d + i];
    return r - 2 * tr_sqrt_db(s1, s2, d);
}

/* a random orthogonal matrix (Gram-Schmidt on Gaussian columns) */
static void orthogonal(double *q, int d, uint64_t seed)
{
    clg_rng r = {seed};
    for (int i = 0; i < d * d; i++) q[i] = normal(&r);
    for (int j = 0; j < d; j++) {
        for (int k = 0; k < j; k++) {
            double dot = 0;
            for (int i = 0; i < d; i++) dot += q[i * d + j] * q[i * d + k];
            for (int i = 0; i < d; i++) q[i * d + j] -= dot * q[i * d + k];
        }
        double nn = 0;
        for (int i = 0; i < d; i++) nn += q[i * d + j] * q[i * d + j];
        for (int i = 0; i < d; i++) q[i * d + j] /= sqrt(nn);
    }
}

/* q diag(w) q^T */
static void compose(double *out, const double *q, const double *w, int d)
{
    for (int i = 0; i < d; i++)
        for (int j = 0; j < d; j++) {
            double s = 0;
            for (int k = 0; k < d; k++) s += q[i * d + k] * w[k] * q[j * d + k];
            out[i * d + j] = s;
        }
}

/* ---- the tests ---- */

static void test_eig(void)
{
    int sizes[] = {1, 2, 7, 40};
    for (int si = 0; si < 4; si++) {
        int d = sizes[si];
        double *a = malloc(d * d * sizeof *a), *v = malloc(d * d * sizeof *v), *w = malloc(d * sizeof *w);
        clg_rng r = {100 + d};
        double amax = 0;
        for (int i = 0; i < d; i++)
            for (int j = i; j < d; j++) a[i * d + j] = a[j * d + i] = normal(&r), amax = fmax(amax, fabs(a[i * d + j]));
        CHECK_ST(clg_sym_eig(w, v, a, d, &err));
        double rec = 0, orth = 0;
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++) {
                double s = 0, o = 0;
                for (int k = 0; k < d; k++) s += v[i * d + k] * w[k] * v[j * d + k], o += v[k * d + i] * v[k * d + j];
                rec = fmax(rec, fabs(s - a[i * d + j]));
                orth = fmax(orth, fabs(o - (i == j)));
            }
        CHECK(rec <= 1e-12 * amax * d, "d=%d: V diag(w) V^T differs from A by %g", d, rec);
        CHECK(orth <= 1e-12 * d, "d=%d: V^T V differs from I by %g", d, orth);
        for (int i = 1; i < d; i++) CHECK(w[i - 1] <= w[i], "d=%d: eigenvalues not ascending at %d", d, i);
        free(a), free(v), free(w);
    }
    /* known spectrum, with a repeated eigenvalue */
    double q[36], w6[6] = {-2, 0, 1, 1, 3.5, 1e3}, a[36], w[6];
    orthogonal(q, 6, 7);
    compose(a, q, w6, 6);
    CHECK_ST(clg_sym_eig(w, NULL, a, 6, &err));
    for (int i = 0; i < 6; i++) CHECK(fabs(w[i] - w6[i]) <= 1e-12 * 1e3, "eigenvalue %d: %.17g, expected %g", i, w[i], w6[i]);
    a[3] = NAN;
    CHECK(clg_sym_eig(w, NULL, a, 6, &err) == CLG_ERR_ARG && strstr(err.msg, "not finite"), "NaN entry: %s", err.msg);
}

static void test_frechet(void)
{
    /* a set with itself: 0 */
    int d = 16;
    double L[16 * 16] = {0};
    clg_rng r = {3};
    for (int i = 0; i < d; i++)
        for (int j = 0; j <= i; j++) L[i * d + j] = (i == j ? 1.5 : 0.4 * normal(&r));
    float *x = gaussian(500, d, NULL, L, 11);
    double fd = -1, mu[16], cov[256];
    CHECK_ST(clg_frechet_sets(&fd, x, 500, x, 500, d, &err));
    CHECK_ST(clg_gauss_stats(mu, cov, x, 500, d, &err));
    double tr = 0;
    for (int i = 0; i < d; i++) tr += cov[i * d + i];
    CHECK(fabs(fd) <= 1e-9 * 2 * tr, "FD of a set with itself: %g (traces %g)", fd, 2 * tr);

    /* the statistics against a plain double loop */
    double m2[16] = {0}, c2[256] = {0}, dm = 0, dc = 0;
    for (int i = 0; i < 500; i++)
        for (int a = 0; a < d; a++) m2[a] += x[i * d + a] / 500.0;
    for (int i = 0; i < 500; i++)
        for (int a = 0; a < d; a++)
            for (int b = 0; b < d; b++) c2[a * d + b] += (x[i * d + a] - m2[a]) * (x[i * d + b] - m2[b]) / 499.0;
    for (int a = 0; a < d; a++) dm = fmax(dm, fabs(mu[a] - m2[a]));
    for (int a = 0; a < d * d; a++) dc = fmax(dc, fabs(cov[a] - c2[a]));
    CHECK(dm <= 1e-12 && dc <= 1e-12, "statistics differ from the plain loop by %g (mean), %g (covariance)", dm, dc);
    free(x);

    /* commuting covariances Q diag(a) Q^T, Q diag(b) Q^T: tr sqrt = sum sqrt(a b) */
    double q[64], wa[8], wb[8], s1[64], s2[64], mu1[8], mu2[8], want = 0;
    orthogonal(q, 8, 5);
    for (int i = 0; i < 8; i++) {
        wa[i] = 0.1 + i * 0.7, wb[i] = 2.0 / (1 + i), mu1[i] = 0.3 * i, mu2[i] = 1 - 0.2 * i;
        want += (mu1[i] - mu2[i]) * (mu1[i] - mu2[i]) + wa[i] + wb[i] - 2 * sqrt(wa[i] * wb[i]);
    }
    compose(s1, q, wa, 8), compose(s2, q, wb, 8);
    CHECK_ST(clg_frechet(&fd, mu1, s1, mu2, s2, 8, &err));
    CHECK(rel(fd, want) <= 1e-9, "commuting covariances: FD %.15g, closed form %.15g", fd, want);

    /* 2 × 2, not commuting: tr sqrt(M) = sqrt(tr M + 2 sqrt(det M)) */
    double p1[4] = {2, 0.8, 0.8, 1}, p2[4] = {0.5, -0.3, -0.3, 3}, z2[2] = {0, 0}, M[4];
    mm(M, p1, p2, 2);
    double trs = sqrt(M[0] + M[3] + 2 * sqrt(M[0] * M[3] - M[1] * M[2]));
    CHECK_ST(clg_frechet(&fd, z2, p1, z2, p2, 2, &err));
    CHECK(rel(fd, 2 + 1 + 0.5 + 3 - 2 * trs) <= 1e-9, "2x2: FD %.15g, closed form %.15g", fd, 6.5 - 2 * trs);

    /* 8 × 8 random, not commuting: against Denman–Beavers */
    clg_rng g = {9};
    double b1[64], b2[64];
    for (int i = 0; i < 64; i++) b1[i] = normal(&g), b2[i] = normal(&g);
    for (int i = 0; i < 8; i++)
        for (int j = 0; j < 8; j++) {
            double u = 0, v = 0;
            for (int k = 0; k < 8; k++) u += b1[i * 8 + k] * b1[j * 8 + k], v += b2[i * 8 + k] * b2[j * 8 + k];
            s1[i * 8 + j] = u + (i == j) * 0.1, s2[i * 8 + j] = v + (i == j) * 0.1;
        }
    want = fd_ref(mu1, s1, mu2, s2, 8);
    CHECK_ST(clg_frechet(&fd, mu1, s1, mu2, s2, 8, &err));
    CHECK(rel(fd, want) <= 1e-9, "8x8: FD %.15g, Denman-Beavers %.15g", fd, want);

    /* two Gaussian samples: the sample statistics' FD, and near the population's closed form */
    double da[4] = {1, 2, 0.5, 3}, db[4] = {1.5, 1, 0.5, 2}, La[16] = {0}, Lb[16] = {0}, ma[4] = {0}, mb[4] = {1, 0, -1, 0.5};
    want = 0;
    for (int i = 0; i < 4; i++) {
        La[i * 4 + i] = sqrt(da[i]), Lb[i * 4 + i] = sqrt(db[i]);
        want += (ma[i] - mb[i]) * (ma[i] - mb[i]) + (sqrt(da[i]) - sqrt(db[i])) * (sqrt(da[i]) - sqrt(db[i]));
    }
    size_t n = 20000;
    float *xa = gaussian(n, 4, ma, La, 21), *xb = gaussian(n, 4, mb, Lb, 22);
    double sa[16], sb[16], va[4], vb[4];
    CHECK_ST(clg_gauss_stats(va, sa, xa, n, 4, &err));
    CHECK_ST(clg_gauss_stats(vb, sb, xb, n, 4, &err));
    CHECK_ST(clg_frechet_sets(&fd, xa, n, xb, n, 4, &err));
    double samp = fd_ref(va, sa, vb, sb, 4);
    CHECK(rel(fd, samp) <= 1e-9, "samples: FD %.15g, from their statistics by Denman-Beavers %.15g", fd, samp);
    /* sampling error of the statistics at n = 20000 is about 1% of these values */
    CHECK(fabs(fd - want) <= 0.05 * want, "samples: FD %g, population closed form %g", fd, want);
    free(xa), free(xb);

    /* not a covariance */
    double bad[4] = {1, 0, 0, -1};
    CHECK(clg_frechet(&fd, z2, bad, z2, p2, 2, &err) == CLG_ERR_ARG && strstr(err.msg, "first covariance"), "%s", err.msg);
    CHECK(clg_frechet(&fd, z2, p1, z2, bad, 2, &err) == CLG_ERR_ARG && strstr(err.msg, "second covariance"), "%s", err.msg);
}

/* unbiased MMD^2 on whole sets with the cubic kernel, plain loops */
static double mmd_ref(const float *x, const float *y, int n, int d)
{
    double kxx = 0, kyy = 0, kxy = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            double a = 0, b = 0, c = 0;
            for (int t = 0; t < d; t++)
                a += (double)x[i * d + t] * x[j * d + t], b += (double)y[i * d + t] * y[j * d + t],
                    c += (double)x[i * d + t] * y[j * d + t];
            if (i != j) kxx += pow(a / d + 1, 3), kyy += pow(b / d + 1, 3);
            kxy += pow(c / d + 1, 3);
        }
    return (kxx + kyy) / ((double)n * (n - 1)) - 2 * kxy / ((double)n * n);
}

static void test_kid(void)
{
    int d = 16;
    size_t n = 2000;
    float *x = gaussian(n, d, NULL, NULL, 31), *y = gaussian(n, d, NULL, NULL, 32);
    double mean, sd, mean2, sd2;
    CHECK_ST(clg_kid(&mean, &sd, x, n, y, n, d, 50, 500, 1, &err));
    CHECK(sd > 0 && fabs(mean) <= sd, "one distribution: KID %g ± %g", mean, sd);
    CHECK_ST(clg_kid(&mean2, &sd2, x, n, y, n, d, 50, 500, 1, &err));
    CHECK(mean2 == mean && sd2 == sd, "same seed, different KID: %.17g vs %.17g", mean, mean2);
    double shift[16];
    for (int i = 0; i < d; i++) shift[i] = 0.5;
    float *z = gaussian(n, d, shift, NULL, 33);
    CHECK_ST(clg_kid(&mean, &sd, x, n, z, n, d, 50, 500, 1, &err));
    CHECK(mean > 0.1 && mean > 10 * sd, "shifted: KID %g ± %g, expected clearly positive", mean, sd);
    /* whole sets (m = n): the draw only permutes, so the estimate equals the plain loop */
    int m = 150;
    CHECK_ST(clg_kid(&mean, &sd, x, m, z, m, d, 1, m, 2, &err));
    double want = mmd_ref(x, z, m, d);
    CHECK(rel(mean, want) <= 1e-9 && sd == 0, "m = n: KID %.15g, plain loop %.15g", mean, want);
    CHECK(clg_kid(&mean, &sd, x, 10, z, 10, d, 1, 11, 2, &err) == CLG_ERR_ARG && strstr(err.msg, "subset size"), "%s", err.msg);
    free(x), free(y), free(z);
}

static void test_score(void)
{
    enum { N = 1000, K = 10 };
    float *p = calloc(N * K, sizeof *p);
    double s, sd;
    for (int i = 0; i < N; i++) p[i * K + 3] = 1;
    CHECK_ST(clg_class_score(&s, &sd, p, N, K, 1, &err));
    CHECK(fabs(s - 1) <= 1e-12, "one confident class: score %.15g, expected 1", s);
    memset(p, 0, N * K * sizeof *p);
    for (int i = 0; i < N; i++) p[i * K + i % K] = 1;
    CHECK_ST(clg_class_score(&s, &sd, p, N, K, 1, &err));
    CHECK(fabs(s - 10) <= 1e-9, "ten confident classes: score %.15g, expected 10", s);
    CHECK_ST(clg_class_score(&s, &sd, p, N, K, 4, &err));
    CHECK(fabs(s - 10) <= 1e-9 && sd <= 1e-9, "ten classes, 4 splits: %.15g ± %g", s, sd);
    /* half (1, 0), half (0.5, 0.5): p(y) = (0.75, 0.25) */
    float q[8] = {1, 0, 1, 0, 0.5f, 0.5f, 0.5f, 0.5f};
    double want = exp(0.5 * log(1 / 0.75) + 0.5 * (0.5 * log(0.5 / 0.75) + 0.5 * log(0.5 / 0.25)));
    CHECK_ST(clg_class_score(&s, NULL, q, 4, 2, 1, &err));
    CHECK(rel(s, want) <= 1e-12, "mixed rows: score %.15g, expected %.15g", s, want);
    q[0] = 3;
    CHECK(clg_class_score(&s, NULL, q, 4, 2, 1, &err) == CLG_ERR_ARG && strstr(err.msg, "row 0 sums to 3"), "%s", err.msg);

    /* class histogram: 500 / 495 / 5 of 1000 in 10 classes */
    double frac[K], kl;
    int used;
    memset(p, 0, N * K * sizeof *p);
    for (int i = 0; i < N; i++) p[i * K + (i < 500 ? 0 : i < 995 ? 1 : 2)] = 0.9f, p[i * K + 9] = 0.1f;
    CHECK_ST(clg_class_hist(frac, &used, &kl, p, N, K, &err));
    want = 0.5 * log(5) + 0.495 * log(4.95) + 0.005 * log(0.05);
    CHECK(frac[0] == 0.5 && frac[1] == 0.495 && frac[2] == 0.005 && frac[9] == 0, "fractions %g %g %g %g", frac[0],
          frac[1], frac[2], frac[9]);
    CHECK(used == 2, "classes with ≥ 1%%: %d, expected 2", used);
    CHECK(rel(kl, want) <= 1e-12, "KL to uniform %.15g, expected %.15g", kl, want);
    memset(p, 0, N * K * sizeof *p);
    for (int i = 0; i < N; i++) p[i * K + i % K] = 1;
    CHECK_ST(clg_class_hist(frac, &used, &kl, p, N, K, &err));
    CHECK(used == 10 && fabs(kl) <= 1e-12, "uniform: %d classes, KL %g", used, kl);
    free(p);
}

/* precision/recall by brute force: direct squared differences, a sorted copy per row */
static void pr_ref(double *prec, double *rec, const float *r, int nr, const float *g, int ng, int d, int k)
{
    double *rad = malloc((nr + ng) * sizeof *rad), *dist = malloc((nr + ng) * sizeof *dist);
    const float *set[2] = {r, g};
    int n[2] = {nr, ng};
    for (int s = 0; s < 2; s++)
        for (int i = 0; i < n[s]; i++) {
            int c = 0;
            for (int j = 0; j < n[s]; j++) {
                if (j == i) continue;
                double q = 0;
                for (int t = 0; t < d; t++) q += pow((double)set[s][i * d + t] - set[s][j * d + t], 2);
                dist[c++] = q;
            }
            for (int a = 0; a < k; a++) /* k smallest by selection */
                for (int b = a + 1; b < c; b++)
                    if (dist[b] < dist[a]) { double t = dist[a]; dist[a] = dist[b], dist[b] = t; }
            rad[s * nr + i] = dist[k - 1];
        }
    int cg = 0, cr = 0;
    for (int j = 0; j < ng; j++)
        for (int i = 0; i < nr; i++) {
            double q = 0;
            for (int t = 0; t < d; t++) q += pow((double)g[j * d + t] - r[i * d + t], 2);
            if (q <= rad[i]) { cg++; break; }
        }
    for (int i = 0; i < nr; i++)
        for (int j = 0; j < ng; j++) {
            double q = 0;
            for (int t = 0; t < d; t++) q += pow((double)g[j * d + t] - r[i * d + t], 2);
            if (q <= rad[nr + j]) { cr++; break; }
        }
    *prec = (double)cg / ng, *rec = (double)cr / nr;
    free(rad), free(dist);
}

static void test_prec_recall(void)
{
    double p, r, pw, rw;
    float *x = gaussian(300, 5, NULL, NULL, 41);
    CHECK_ST(clg_prec_recall(&p, &r, x, 300, x, 300, 5, 3, &err));
    CHECK(p == 1 && r == 1, "a set against itself: precision %g, recall %g", p, r);
    double far[5] = {50, 50, 50, 50, 50};
    float *y = gaussian(257, 5, far, NULL, 42);
    CHECK_ST(clg_prec_recall(&p, &r, x, 300, y, 257, 5, 3, &err));
    CHECK(p == 0 && r == 0, "disjoint sets: precision %g, recall %g", p, r);
    /* overlapping clouds, sizes not multiples of the tiles: the same counts as brute force */
    double near[5] = {1, 0, 0, 0, 0};
    float *z = gaussian(257, 5, near, NULL, 43);
    CHECK_ST(clg_prec_recall(&p, &r, x, 300, z, 257, 5, 3, &err));
    pr_ref(&pw, &rw, x, 300, z, 257, 5, 3);
    CHECK(p == pw && r == rw && p > 0.2 && p < 1 && r > 0.2 && r < 1, "shifted: %g/%g, brute force %g/%g", p, r, pw, rw);
    /* on a line, k = 1: real radii 1; generated radii 0.01 */
    float real[4] = {0, 1, 2, 3}, gen[4] = {0, 0.1f, 10, 10.1f};
    CHECK_ST(clg_prec_recall(&p, &r, real, 4, gen, 4, 1, 1, &err));
    CHECK(p == 0.5 && r == 0.25, "line: precision %g (expected 0.5), recall %g (expected 0.25)", p, r);
    /* on the radius counts as inside: 4 is 1 from 3 (radius 1), -2 is 36 from 4 (radius 36) */
    float real2[5] = {-2, 0, 1, 2, 3}, gen2[2] = {4, 10};
    CHECK_ST(clg_prec_recall(&p, &r, real2, 5, gen2, 2, 1, 1, &err));
    CHECK(p == 0.5 && r == 1, "ties: precision %g (expected 0.5), recall %g (expected 1)", p, r);
    CHECK(clg_prec_recall(&p, &r, real, 4, gen, 4, 1, 4, &err) == CLG_ERR_ARG && strstr(err.msg, "at least 5"), "%s",
          err.msg);
    x[7] = NAN;
    CHECK(clg_prec_recall(&p, &r, x, 300, z, 257, 5, 3, &err) == CLG_ERR_ARG && strstr(err.msg, "row 1 column 2"),
          "%s", err.msg);
    free(x), free(y), free(z);
}

static void test_memorisation(void)
{
    double s;
    float *t = gaussian(200, 8, NULL, NULL, 51);
    CHECK_ST(clg_memorisation(&s, t, 200, t, 200, 8, &err));
    CHECK(s == 1, "copies of the training set: %g, expected 1", s);
    double far[8] = {40, 0, 0, 0, 0, 0, 0, 0};
    float *g = gaussian(100, 8, far, NULL, 52);
    CHECK_ST(clg_memorisation(&s, t, 200, g, 100, 8, &err));
    CHECK(s == 0, "far samples: %g, expected 0", s);
    /* nearest-other distances 1,1,1,1,49: tau = 1; 0.5 (0.25), 5 (4), 1 (0), 2.9 (0.01) */
    float train[5] = {0, 1, 2, 3, 10}, gen[4] = {0.5f, 5, 1, 2.9f};
    CHECK_ST(clg_memorisation(&s, train, 5, gen, 4, 1, &err));
    CHECK(s == 0.75, "line: %g, expected 0.75", s);
    float gen4[1] = {4}; /* 1 from 3: equal to tau, not nearer */
    CHECK_ST(clg_memorisation(&s, train, 5, gen4, 1, 1, &err));
    CHECK(s == 0, "at the median distance: %g, expected 0", s);
    /* even count: tau = (1 + 4) / 2 = 2.5 from distances 1,1,4,4 */
    float train2[4] = {0, 1, 5, 7}, gen2[2] = {2.5f, 3.7f}; /* 2.25 < 2.5; 1.69 < 2.5 */
    float gen3[1] = {2.7f};                                 /* 2.89 from 1: not below 2.5 */
    CHECK_ST(clg_memorisation(&s, train2, 4, gen2, 2, 1, &err));
    CHECK(s == 1, "even training count: %g, expected 1", s);
    CHECK_ST(clg_memorisation(&s, train2, 4, gen3, 1, 1, &err));
    CHECK(s == 0, "even training count, beyond the median: %g, expected 0", s);
    free(t), free(g);
}

/* CPU time of this process: the machine may be shared, and the scores run on one thread */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int bench(void)
{
    size_t n = 10000;
    int d = 64;
    float *x = gaussian(n, d, NULL, NULL, 61), *y = gaussian(n, d, NULL, NULL, 62);
    double fd, p, r, m, sd, t0 = now();
    if (clg_frechet_sets(&fd, x, n, y, n, d, &err)) return fprintf(stderr, "%s\n", err.msg), 1;
    double t1 = now();
    if (clg_prec_recall(&p, &r, x, n, y, n, d, 3, &err)) return fprintf(stderr, "%s\n", err.msg), 1;
    double t2 = now();
    if (clg_kid(&m, &sd, x, n, y, n, d, 100, 1000, 1, &err)) return fprintf(stderr, "%s\n", err.msg), 1;
    double t3 = now();
    printf("n=%zu d=%d: FD %.4g in %.3f s; precision %.4f recall %.4f in %.3f s; KID %.3g ± %.3g "
           "(100 subsets of 1000) in %.3f s (CPU time)\n", n, d, fd, t1 - t0, p, r, t2 - t1, m, sd, t3 - t2);
    free(x), free(y);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "bench")) return bench();
    test_eig();
    test_frechet();
    test_kid();
    test_score();
    test_prec_recall();
    test_memorisation();
    return test_summary("metrics");
}
