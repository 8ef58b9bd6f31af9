/* metrics.c — the sample scores of metrics.h: a cyclic Jacobi eigensolver and the Fréchet
 * distance built on it, KID, the classifier score and class histogram, k-NN precision/recall and
 * the memorisation check. Everything pairwise goes through one blocked kernel (for_tiles) that
 * computes dot products of row tiles in double, so the O(n^2 d) scores vectorise and stay in cache.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/rng.h"
#include "eval/metrics.h"

/* ---- argument checks ---- */

static int check_set(const float *x, size_t n, int d, size_t min_n, const char *what, clg_err *e)
{
    if (!x) return clg_errf(e, CLG_ERR_ARG, "%s: no data (NULL)", what);
    if (d < 1 || d > CLG_EVAL_MAX_DIM)
        return clg_errf(e, CLG_ERR_ARG, "%s: feature width %d outside 1..%d", what, d, CLG_EVAL_MAX_DIM);
    if (n < min_n) return clg_errf(e, CLG_ERR_ARG, "%s: %zu rows, at least %zu needed", what, n, min_n);
    if (n > ((size_t)-1 / sizeof(double)) / (size_t)d)
        return clg_errf(e, CLG_ERR_ARG, "%s: %zu rows × %d columns is too large", what, n, d);
    for (size_t i = 0; i < n * (size_t)d; i++)
        if (!isfinite(x[i]))
            return clg_errf(e, CLG_ERR_ARG, "%s: row %zu column %zu is not finite (%g)", what, i / (size_t)d,
                            i % (size_t)d, (double)x[i]);
    return CLG_OK;
}

static int nomem(clg_err *e, const char *what) { return clg_errf(e, CLG_ERR_NOMEM, "%s: out of host memory", what); }

/* ---- the symmetric eigensolver ---- */

static double off_norm2(const double *m, int d)
{
    double s = 0;
    for (int i = 0; i < d; i++)
        for (int j = 0; j < d; j++)
            if (i != j) s += m[(size_t)i * d + j] * m[(size_t)i * d + j];
    return s;
}

/* One Jacobi rotation J (J_pp = J_qq = c, J_pq = s, J_qp = -s) that zeroes m[p][q]: m = J^T m J,
 * v = v J. The angle is the smaller root (tan phi = t, |t| ≤ 1), which keeps it stable. */
static void rotate(double *m, double *v, int d, int p, int q)
{
    double apq = m[(size_t)p * d + q], app = m[(size_t)p * d + p], aqq = m[(size_t)q * d + q];
    double theta = (aqq - app) / (2.0 * apq);
    double t = (theta >= 0 ? 1.0 : -1.0) / (fabs(theta) + hypot(theta, 1.0));
    double c = 1.0 / sqrt(t * t + 1.0), s = t * c;
    for (int k = 0; k < d; k++) {
        if (k == p || k == q) continue;
        double mkp = m[(size_t)k * d + p], mkq = m[(size_t)k * d + q];
        double np = c * mkp - s * mkq, nq = s * mkp + c * mkq;
        m[(size_t)k * d + p] = m[(size_t)p * d + k] = np;
        m[(size_t)k * d + q] = m[(size_t)q * d + k] = nq;
    }
    m[(size_t)p * d + p] = app - t * apq;
    m[(size_t)q * d + q] = aqq + t * apq;
    m[(size_t)p * d + q] = m[(size_t)q * d + p] = 0;
    if (v)
        for (int k = 0; k < d; k++) {
            double vkp = v[(size_t)k * d + p], vkq = v[(size_t)k * d + q];
            v[(size_t)k * d + p] = c * vkp - s * vkq;
            v[(size_t)k * d + q] = s * vkp + c * vkq;
        }
}

int clg_sym_eig(double *w, double *v, const double *a, int d, clg_err *e)
{
    if (!w || !a) return clg_errf(e, CLG_ERR_ARG, "eigendecomposition: no matrix or no output (NULL)");
    if (d < 1 || d > CLG_EVAL_MAX_DIM)
        return clg_errf(e, CLG_ERR_ARG, "eigendecomposition: size %d outside 1..%d", d, CLG_EVAL_MAX_DIM);
    size_t dd = (size_t)d * d;
    double *m = malloc(dd * sizeof *m);
    if (!m) return nomem(e, "eigendecomposition");
    double fro = 0;
    for (int i = 0; i < d; i++)
        for (int j = i; j < d; j++) {
            double x = a[(size_t)i * d + j];
            if (!isfinite(x)) {
                free(m);
                return clg_errf(e, CLG_ERR_ARG, "eigendecomposition: entry (%d, %d) is not finite", i, j);
            }
            m[(size_t)i * d + j] = m[(size_t)j * d + i] = x;
            fro += (i == j ? 1.0 : 2.0) * x * x;
        }
    if (v) {
        memset(v, 0, dd * sizeof *v);
        for (int i = 0; i < d; i++) v[(size_t)i * d + i] = 1;
    }
    /* off-diagonal mass falls quadratically once small; 100 sweeps is far beyond what a
     * symmetric matrix of CLG_EVAL_MAX_DIM needs (typically 6-12) */
    const double tol2 = 1e-24 * fro;
    int sweep = 0;
    double off = off_norm2(m, d);
    for (; sweep < 100 && off > tol2; sweep++) {
        for (int p = 0; p < d - 1; p++)
            for (int q = p + 1; q < d; q++)
                if (m[(size_t)p * d + q] != 0) rotate(m, v, d, p, q);
        off = off_norm2(m, d);
    }
    if (off > tol2) {
        free(m);
        return clg_errf(e, CLG_ERR_NUMERIC, "eigendecomposition of a %d × %d matrix: no convergence after %d sweeps "
                        "(off-diagonal norm %g of %g)", d, d, sweep, sqrt(off), sqrt(fro));
    }
    for (int i = 0; i < d; i++) w[i] = m[(size_t)i * d + i];
    free(m);
    /* ascending, the vectors following their values (selection sort: O(d^2) swaps at most) */
    for (int i = 0; i < d - 1; i++) {
        int lo = i;
        for (int j = i + 1; j < d; j++)
            if (w[j] < w[lo]) lo = j;
        if (lo == i) continue;
        double t = w[i];
        w[i] = w[lo], w[lo] = t;
        if (v)
            for (int k = 0; k < d; k++) {
                t = v[(size_t)k * d + i];
                v[(size_t)k * d + i] = v[(size_t)k * d + lo], v[(size_t)k * d + lo] = t;
            }
    }
    return CLG_OK;
}

/* ---- Gaussian statistics and the Fréchet distance ---- */

int clg_gauss_stats(double *mu, double *cov, const float *x, size_t n, int d, clg_err *e)
{
    if (!mu || !cov) return clg_errf(e, CLG_ERR_ARG, "Gaussian statistics: no output (NULL)");
    TRY(check_set(x, n, d, 2, "Gaussian statistics", e));
    double *r = malloc((size_t)d * sizeof *r);
    if (!r) return nomem(e, "Gaussian statistics");
    memset(mu, 0, (size_t)d * sizeof *mu);
    memset(cov, 0, (size_t)d * d * sizeof *cov);
    for (size_t i = 0; i < n; i++)
        for (int a = 0; a < d; a++) mu[a] += x[i * d + a];
    for (int a = 0; a < d; a++) mu[a] /= (double)n;
    /* upper triangle of the centred products, mirrored at the end */
    for (size_t i = 0; i < n; i++) {
        for (int a = 0; a < d; a++) r[a] = x[i * d + a] - mu[a];
        for (int a = 0; a < d; a++) {
            double ra = r[a], *row = cov + (size_t)a * d;
            for (int b = a; b < d; b++) row[b] += ra * r[b];
        }
    }
    for (int a = 0; a < d; a++)
        for (int b = a; b < d; b++) cov[(size_t)b * d + a] = cov[(size_t)a * d + b] /= (double)(n - 1);
    free(r);
    return CLG_OK;
}

/* c = a b, d × d row-major */
static void matmul(double *c, const double *a, const double *b, int d)
{
    memset(c, 0, (size_t)d * d * sizeof *c);
    for (int i = 0; i < d; i++)
        for (int k = 0; k < d; k++) {
            double aik = a[(size_t)i * d + k];
            const double *bk = b + (size_t)k * d;
            double *ci = c + (size_t)i * d;
            for (int j = 0; j < d; j++) ci[j] += aik * bk[j];
        }
}

int clg_frechet(double *fd, const double *mu1, const double *cov1, const double *mu2, const double *cov2, int d,
                clg_err *e)
{
    if (!fd || !mu1 || !cov1 || !mu2 || !cov2) return clg_errf(e, CLG_ERR_ARG, "Fréchet distance: NULL argument");
    if (d < 1 || d > CLG_EVAL_MAX_DIM)
        return clg_errf(e, CLG_ERR_ARG, "Fréchet distance: width %d outside 1..%d", d, CLG_EVAL_MAX_DIM);
    size_t dd = (size_t)d * d;
    double *buf = malloc((4 * dd + d) * sizeof *buf);
    if (!buf) return nomem(e, "Fréchet distance");
    double *v = buf, *sq = buf + dd, *t = buf + 2 * dd, *a = buf + 3 * dd, *w = buf + 4 * dd;
    int st = clg_sym_eig(w, v, cov1, d, e);
    if (st != CLG_OK) goto done;
    /* rounding leaves tiny negative eigenvalues; anything clearly negative is not a covariance */
    if (w[0] < -1e-9 * fmax(fabs(w[d - 1]), 1e-300)) {
        st = clg_errf(e, CLG_ERR_ARG, "Fréchet distance: the first covariance is not positive semi-definite "
                      "(eigenvalue %g, largest %g)", w[0], w[d - 1]);
        goto done;
    }
    /* sq = sqrt(cov1) = V diag(sqrt(w+)) V^T */
    for (int i = 0; i < d; i++)
        for (int k = 0; k < d; k++) t[(size_t)i * d + k] = v[(size_t)i * d + k] * sqrt(fmax(w[k], 0));
    for (int i = 0; i < d; i++)
        for (int j = i; j < d; j++) {
            double s = 0;
            for (int k = 0; k < d; k++) s += t[(size_t)i * d + k] * v[(size_t)j * d + k];
            sq[(size_t)i * d + j] = sq[(size_t)j * d + i] = s;
        }
    /* a = sq cov2 sq, symmetric up to rounding (clg_sym_eig reads the upper triangle) */
    matmul(t, sq, cov2, d);
    matmul(a, t, sq, d);
    st = clg_sym_eig(w, NULL, a, d, e);
    if (st != CLG_OK) goto done;
    if (w[0] < -1e-9 * fmax(fabs(w[d - 1]), 1e-300)) {
        st = clg_errf(e, CLG_ERR_ARG, "Fréchet distance: the second covariance is not positive semi-definite "
                      "(sqrt(cov1) cov2 sqrt(cov1) has eigenvalue %g, largest %g)", w[0], w[d - 1]);
        goto done;
    }
    double tr_sqrt = 0, tr1 = 0, tr2 = 0, dmu = 0;
    for (int i = 0; i < d; i++) {
        tr_sqrt += sqrt(fmax(w[i], 0));
        tr1 += cov1[(size_t)i * d + i];
        tr2 += cov2[(size_t)i * d + i];
        dmu += (mu1[i] - mu2[i]) * (mu1[i] - mu2[i]);
    }
    if (!isfinite(dmu + tr1 + tr2)) {
        st = clg_errf(e, CLG_ERR_ARG, "Fréchet distance: a mean or covariance is not finite");
        goto done;
    }
    *fd = dmu + tr1 + tr2 - 2 * tr_sqrt;
done:
    free(buf);
    return st;
}

int clg_frechet_sets(double *fd, const float *x, size_t nx, const float *y, size_t ny, int d, clg_err *e)
{
    if (!fd) return clg_errf(e, CLG_ERR_ARG, "Fréchet distance: no output (NULL)");
    TRY(check_set(x, nx, d, 2, "Fréchet distance, first set", e));
    TRY(check_set(y, ny, d, 2, "Fréchet distance, second set", e));
    size_t dd = (size_t)d * d;
    double *buf = malloc((2 * dd + 2 * (size_t)d) * sizeof *buf);
    if (!buf) return nomem(e, "Fréchet distance");
    double *c1 = buf, *c2 = buf + dd, *m1 = buf + 2 * dd, *m2 = m1 + d;
    int st = clg_gauss_stats(m1, c1, x, nx, d, e);
    if (st == CLG_OK) st = clg_gauss_stats(m2, c2, y, ny, d, e);
    if (st == CLG_OK) st = clg_frechet(fd, m1, c1, m2, c2, d, e);
    free(buf);
    return st;
}

/* ---- the blocked pairwise kernel ---- */

enum { TI = 8, TJ = 64 }; /* a tile: TI rows of a against TJ rows of b (4 KiB of dot products) */

/* A feature set in double: rows x (n × d), columns xt (d × np, np = n rounded up to TJ, zero
 * padded so the inner loop always runs TJ wide), squared norms. */
typedef struct fset {
    size_t n, np;
    int d;
    double *x, *xt, *norm;
} fset;

static void fset_free(fset *s)
{
    free(s->x), free(s->xt), free(s->norm);
    memset(s, 0, sizeof *s);
}

static int fset_alloc(fset *s, size_t n, int d, clg_err *e)
{
    memset(s, 0, sizeof *s);
    s->n = n, s->d = d, s->np = (n + TJ - 1) / TJ * TJ;
    s->x = malloc(n * d * sizeof *s->x);
    s->xt = calloc(s->np * d, sizeof *s->xt);
    s->norm = malloc(n * sizeof *s->norm);
    if (!s->x || !s->xt || !s->norm) {
        fset_free(s);
        return nomem(e, "pairwise distances");
    }
    return CLG_OK;
}

/* rows idx[0..n) of src (all rows in order when idx is NULL) */
static void fset_fill(fset *s, const float *src, const size_t *idx)
{
    int d = s->d;
    for (size_t i = 0; i < s->n; i++) {
        const float *r = src + (idx ? idx[i] : i) * d;
        double nn = 0;
        for (int t = 0; t < d; t++) {
            double v = r[t];
            s->x[i * d + t] = v;
            s->xt[(size_t)t * s->np + i] = v;
            nn += v * v;
        }
        s->norm[i] = nn;
    }
}

static int fset_make(fset *s, const float *src, size_t n, int d, clg_err *e)
{
    TRY(fset_alloc(s, n, d, e));
    fset_fill(s, src, NULL);
    return CLG_OK;
}

/* Called per tile with dot[ii * TJ + jj] = a_{i0+ii} · b_{j0+jj}, ii < bi, jj < bj. */
typedef void (*tile_fn)(void *u, size_t i0, size_t bi, size_t j0, size_t bj, const double *dot);

/* Every pair (row of a, row of b), one tile at a time: the TJ columns of b stay in cache while
 * all of a streams past them; the inner loop runs along b's transposed rows (no reduction, so
 * the compiler vectorises it without reassociating sums). */
static void for_tiles(const fset *a, const fset *b, tile_fn f, void *u)
{
    double dot[TI * TJ];
    int d = a->d;
    for (size_t j0 = 0; j0 < b->n; j0 += TJ) {
        size_t bj = b->n - j0 < TJ ? b->n - j0 : TJ;
        for (size_t i0 = 0; i0 < a->n; i0 += TI) {
            size_t bi = a->n - i0 < TI ? a->n - i0 : TI;
            memset(dot, 0, sizeof dot);
            for (int t = 0; t < d; t++) {
                const double *bt = b->xt + (size_t)t * b->np + j0;
                for (size_t ii = 0; ii < bi; ii++) {
                    double av = a->x[(i0 + ii) * d + t];
                    double *acc = dot + ii * TJ;
                    for (int jj = 0; jj < TJ; jj++) acc[jj] += av * bt[jj];
                }
            }
            f(u, i0, bi, j0, bj, dot);
        }
    }
}

/* squared distance from the dot product (norms in double; rounding can dip below 0) */
static inline double dist2(double na, double nb, double dot)
{
    double r = na + nb - 2 * dot;
    return r > 0 ? r : 0;
}

/* ---- k nearest neighbours ---- */

/* best[i * k .. +k): the k smallest distances from row i of a to rows of b, ascending (skipping
 * j == i when a and b are the same set) */
typedef struct knn_job {
    const fset *a, *b;
    int k, self;
    double *best;
} knn_job;

static void knn_tile(void *u, size_t i0, size_t bi, size_t j0, size_t bj, const double *dot)
{
    knn_job *kj = u;
    int k = kj->k;
    for (size_t ii = 0; ii < bi; ii++) {
        size_t i = i0 + ii;
        double *best = kj->best + i * k, na = kj->a->norm[i];
        const double *di = dot + ii * TJ;
        for (size_t jj = 0; jj < bj; jj++) {
            if (kj->self && j0 + jj == i) continue;
            double r = dist2(na, kj->b->norm[j0 + jj], di[jj]);
            if (r >= best[k - 1]) continue;
            int p = k - 1;
            for (; p > 0 && best[p - 1] > r; p--) best[p] = best[p - 1];
            best[p] = r;
        }
    }
}

/* the k-th smallest distance of each row of a to b (out[a->n]) */
static int knn_radius(double *out, const fset *a, const fset *b, int k, int self, clg_err *e)
{
    knn_job kj = {a, b, k, self, malloc(a->n * k * sizeof(double))};
    if (!kj.best) return nomem(e, "nearest neighbours");
    for (size_t i = 0; i < a->n * k; i++) kj.best[i] = INFINITY;
    for_tiles(a, b, knn_tile, &kj);
    for (size_t i = 0; i < a->n; i++) out[i] = kj.best[i * k + k - 1];
    free(kj.best);
    return CLG_OK;
}

/* ---- precision and recall ---- */

typedef struct pr_job {
    const fset *r, *g;
    const double *rad_r, *rad_g;
    unsigned char *g_in, *r_in;
} pr_job;

static void pr_tile(void *u, size_t i0, size_t bi, size_t j0, size_t bj, const double *dot)
{
    pr_job *pj = u;
    for (size_t ii = 0; ii < bi; ii++) {
        size_t i = i0 + ii;
        double nr = pj->r->norm[i], rr = pj->rad_r[i];
        const double *di = dot + ii * TJ;
        for (size_t jj = 0; jj < bj; jj++) {
            size_t j = j0 + jj;
            double r = dist2(nr, pj->g->norm[j], di[jj]);
            if (r <= rr) pj->g_in[j] = 1;
            if (r <= pj->rad_g[j]) pj->r_in[i] = 1;
        }
    }
}

int clg_prec_recall(double *precision, double *recall, const float *real, size_t nr, const float *gen, size_t ng,
                    int d, int k, clg_err *e)
{
    if (!precision || !recall) return clg_errf(e, CLG_ERR_ARG, "precision/recall: no output (NULL)");
    if (k < 1) return clg_errf(e, CLG_ERR_ARG, "precision/recall: k = %d, must be ≥ 1", k);
    TRY(check_set(real, nr, d, (size_t)k + 1, "precision/recall, real set", e));
    TRY(check_set(gen, ng, d, (size_t)k + 1, "precision/recall, generated set", e));
    fset r = {0}, g = {0};
    double *rad = malloc((nr + ng) * sizeof *rad);
    unsigned char *in = calloc(nr + ng, 1);
    int st = rad && in ? CLG_OK : nomem(e, "precision/recall");
    if (st == CLG_OK) st = fset_make(&r, real, nr, d, e);
    if (st == CLG_OK) st = fset_make(&g, gen, ng, d, e);
    if (st == CLG_OK) st = knn_radius(rad, &r, &r, k, 1, e);
    if (st == CLG_OK) st = knn_radius(rad + nr, &g, &g, k, 1, e);
    if (st == CLG_OK) {
        pr_job pj = {&r, &g, rad, rad + nr, in + nr, in};
        for_tiles(&r, &g, pr_tile, &pj);
        size_t cr = 0, cg = 0;
        for (size_t i = 0; i < nr; i++) cr += in[i];
        for (size_t j = 0; j < ng; j++) cg += in[nr + j];
        *precision = (double)cg / (double)ng;
        *recall = (double)cr / (double)nr;
    }
    fset_free(&r), fset_free(&g);
    free(rad), free(in);
    return st;
}

/* ---- memorisation ---- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int clg_memorisation(double *share, const float *train, size_t nt, const float *gen, size_t ng, int d, clg_err *e)
{
    if (!share) return clg_errf(e, CLG_ERR_ARG, "memorisation: no output (NULL)");
    TRY(check_set(train, nt, d, 2, "memorisation, training set", e));
    TRY(check_set(gen, ng, d, 1, "memorisation, generated set", e));
    fset t = {0}, g = {0};
    double *nn = malloc((nt > ng ? nt : ng) * sizeof *nn);
    int st = nn ? CLG_OK : nomem(e, "memorisation");
    if (st == CLG_OK) st = fset_make(&t, train, nt, d, e);
    if (st == CLG_OK) st = fset_make(&g, gen, ng, d, e);
    if (st == CLG_OK) st = knn_radius(nn, &t, &t, 1, 1, e);
    if (st == CLG_OK) {
        qsort(nn, nt, sizeof *nn, cmp_double);
        double tau = nt % 2 ? nn[nt / 2] : 0.5 * (nn[nt / 2 - 1] + nn[nt / 2]);
        st = knn_radius(nn, &g, &t, 1, 0, e);
        if (st == CLG_OK) {
            size_t c = 0;
            for (size_t j = 0; j < ng; j++) c += nn[j] < tau;
            *share = (double)c / (double)ng;
        }
    }
    fset_free(&t), fset_free(&g);
    free(nn);
    return st;
}

/* ---- KID ---- */

/* sum of (a·b/d + 1)^3 over the pairs of a tile (i ≠ j when a and b are one set) */
typedef struct kid_job {
    double inv_d, sum;
    int self;
} kid_job;

static void kid_tile(void *u, size_t i0, size_t bi, size_t j0, size_t bj, const double *dot)
{
    kid_job *kj = u;
    double s = 0;
    for (size_t ii = 0; ii < bi; ii++)
        for (size_t jj = 0; jj < bj; jj++) {
            if (kj->self && i0 + ii == j0 + jj) continue;
            double v = dot[ii * TJ + jj] * kj->inv_d + 1;
            s += v * v * v;
        }
    kj->sum += s;
}

static double kernel_sum(const fset *a, const fset *b, int self)
{
    kid_job kj = {1.0 / a->d, 0, self};
    for_tiles(a, b, kid_tile, &kj);
    return kj.sum;
}

/* the first m entries of idx[0..n) become a uniform draw without replacement (partial Fisher-Yates) */
static void draw(size_t *idx, size_t n, size_t m, clg_rng *rng)
{
    for (size_t i = 0; i < n; i++) idx[i] = i;
    for (size_t i = 0; i < m; i++) {
        size_t j = i + (size_t)(clg_rng_uniform(rng) * (double)(n - i));
        size_t t = idx[i];
        idx[i] = idx[j], idx[j] = t;
    }
}

int clg_kid(double *mean, double *std, const float *x, size_t nx, const float *y, size_t ny, int d, int subsets,
            size_t m, uint64_t seed, clg_err *e)
{
    if (!mean || !std) return clg_errf(e, CLG_ERR_ARG, "KID: no output (NULL)");
    if (subsets < 1) return clg_errf(e, CLG_ERR_ARG, "KID: %d subsets, at least 1 needed", subsets);
    TRY(check_set(x, nx, d, 2, "KID, first set", e));
    TRY(check_set(y, ny, d, 2, "KID, second set", e));
    if (m < 2 || m > nx || m > ny)
        return clg_errf(e, CLG_ERR_ARG, "KID: subset size %zu outside 2..%zu (the smaller set)", m, nx < ny ? nx : ny);
    fset a = {0}, b = {0};
    size_t *ix = malloc(nx * sizeof *ix), *iy = malloc(ny * sizeof *iy);
    double *mmd = malloc((size_t)subsets * sizeof *mmd);
    int st = ix && iy && mmd ? CLG_OK : nomem(e, "KID");
    if (st == CLG_OK) st = fset_alloc(&a, m, d, e);
    if (st == CLG_OK) st = fset_alloc(&b, m, d, e);
    if (st == CLG_OK) {
        clg_rng rng = {seed};
        double mm = (double)m;
        for (int s = 0; s < subsets; s++) {
            draw(ix, nx, m, &rng);
            draw(iy, ny, m, &rng);
            fset_fill(&a, x, ix);
            fset_fill(&b, y, iy);
            double kxx = kernel_sum(&a, &a, 1), kyy = kernel_sum(&b, &b, 1), kxy = kernel_sum(&a, &b, 0);
            mmd[s] = (kxx + kyy) / (mm * (mm - 1)) - 2 * kxy / (mm * mm);
        }
        double sum = 0, sq = 0;
        for (int s = 0; s < subsets; s++) sum += mmd[s];
        *mean = sum / subsets;
        for (int s = 0; s < subsets; s++) sq += (mmd[s] - *mean) * (mmd[s] - *mean);
        *std = sqrt(sq / subsets);
    }
    fset_free(&a), fset_free(&b);
    free(ix), free(iy), free(mmd);
    return st;
}

/* ---- class probabilities ---- */

static int check_probs(const float *p, size_t n, int k, int sums, const char *what, clg_err *e)
{
    if (!p) return clg_errf(e, CLG_ERR_ARG, "%s: no probabilities (NULL)", what);
    if (k < 1 || n < 1) return clg_errf(e, CLG_ERR_ARG, "%s: %zu rows of %d classes, at least 1 of each needed", what, n, k);
    for (size_t i = 0; i < n; i++) {
        double s = 0;
        for (int c = 0; c < k; c++) {
            float v = p[i * k + c];
            if (!isfinite(v) || (sums && v < 0))
                return clg_errf(e, CLG_ERR_ARG, "%s: row %zu class %d is %g, not a probability", what, i, c, (double)v);
            s += v;
        }
        if (sums && fabs(s - 1) > 1e-3)
            return clg_errf(e, CLG_ERR_ARG, "%s: row %zu sums to %g, not 1 (probabilities, not logits, expected)",
                            what, i, s);
    }
    return CLG_OK;
}

int clg_class_score(double *mean, double *std, const float *p, size_t n, int k, int splits, clg_err *e)
{
    if (!mean) return clg_errf(e, CLG_ERR_ARG, "classifier score: no output (NULL)");
    TRY(check_probs(p, n, k, 1, "classifier score", e));
    if (splits < 1 || (size_t)splits > n)
        return clg_errf(e, CLG_ERR_ARG, "classifier score: %d splits of %zu rows (1..rows)", splits, n);
    double *py = malloc((size_t)k * sizeof *py), sum = 0, sq = 0;
    double *score = malloc((size_t)splits * sizeof *score);
    if (!py || !score) {
        free(py), free(score);
        return nomem(e, "classifier score");
    }
    for (int s = 0; s < splits; s++) {
        size_t lo = n * s / splits, hi = n * (s + 1) / splits;
        memset(py, 0, (size_t)k * sizeof *py);
        for (size_t i = lo; i < hi; i++)
            for (int c = 0; c < k; c++) py[c] += p[i * k + c];
        for (int c = 0; c < k; c++) py[c] /= (double)(hi - lo);
        double kl = 0;
        for (size_t i = lo; i < hi; i++)
            for (int c = 0; c < k; c++) {
                double v = p[i * k + c];
                if (v > 0) kl += v * (log(v) - log(py[c])); /* py[c] ≥ v / rows > 0 here */
            }
        score[s] = exp(kl / (double)(hi - lo));
        sum += score[s];
    }
    *mean = sum / splits;
    for (int s = 0; s < splits; s++) sq += (score[s] - *mean) * (score[s] - *mean);
    if (std) *std = sqrt(sq / splits);
    free(py), free(score);
    return CLG_OK;
}

int clg_class_hist(double *frac, int *used, double *kl_uniform, const float *p, size_t n, int k, clg_err *e)
{
    if (!frac || !used || !kl_uniform) return clg_errf(e, CLG_ERR_ARG, "class histogram: no output (NULL)");
    TRY(check_probs(p, n, k, 0, "class histogram", e));
    memset(frac, 0, (size_t)k * sizeof *frac);
    for (size_t i = 0; i < n; i++) {
        int best = 0;
        for (int c = 1; c < k; c++)
            if (p[i * k + c] > p[i * k + best]) best = c;
        frac[best] += 1;
    }
    *used = 0;
    double kl = 0;
    for (int c = 0; c < k; c++) {
        frac[c] /= (double)n;
        *used += frac[c] >= 0.01;
        if (frac[c] > 0) kl += frac[c] * log(frac[c] * k);
    }
    *kl_uniform = kl;
    return CLG_OK;
}
