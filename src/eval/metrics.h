/* metrics.h — scores of a generator's samples, computed on the host in double precision from
 * feature matrices (n rows × d columns, row-major floats, e.g. a classifier's penultimate layer)
 * or class probabilities (n × K): Fréchet distance, KID, the classifier score, the class
 * histogram, k-NN precision and recall, and a memorisation check. Pure functions: outputs first,
 * a clg_status back (CLG_ERR_ARG for bad input, CLG_ERR_NOMEM, CLG_ERR_NUMERIC when the
 * eigensolver does not converge) with its message in `e`; no globals.
 */
#ifndef CLGAN_EVAL_METRICS_H
#define CLGAN_EVAL_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

/* Largest feature width accepted (d × d matrices in double, Jacobi at O(d^3) per sweep). */
#define CLG_EVAL_MAX_DIM 4096

/* Eigenvalues w[d] (ascending) and, when v is not NULL, eigenvectors of the symmetric d × d
 * matrix a (row-major; only its upper triangle is read): a = V diag(w) V^T with V's COLUMNS the
 * unit eigenvectors (v[i*d + j] = component i of vector j). Cyclic Jacobi rotations, at most 100
 * sweeps, until the off-diagonal norm is ≤ 1e-12 × the matrix's Frobenius norm. */
int clg_sym_eig(double *w, double *v, const double *a, int d, clg_err *e);

/* Mean mu[d] and covariance cov[d*d] of n ≥ 2 feature rows (unbiased, divided by n - 1, as
 * numpy.cov and pytorch-fid do). Two passes over x: the mean first, then centred products. */
int clg_gauss_stats(double *mu, double *cov, const float *x, size_t n, int d, clg_err *e);

/* Fréchet distance between N(mu1, cov1) and N(mu2, cov2):
 *   |mu1 - mu2|^2 + tr(cov1) + tr(cov2) - 2 tr sqrt(cov1 cov2),
 * where tr sqrt(cov1 cov2) = tr sqrt(A), A = sqrt(cov1) cov2 sqrt(cov1) (symmetric PSD, so two
 * symmetric eigendecompositions and no complex numbers; eigenvalues below 0 from rounding are
 * taken as 0). The covariances must be symmetric positive semi-definite. */
int clg_frechet(double *fd, const double *mu1, const double *cov1, const double *mu2, const double *cov2, int d,
                clg_err *e);

/* The Fréchet distance of two feature sets (clg_gauss_stats of each, then clg_frechet). */
int clg_frechet_sets(double *fd, const float *x, size_t nx, const float *y, size_t ny, int d, clg_err *e);

/* Kernel Inception Distance: the unbiased estimate of MMD^2 with the kernel
 * k(a, b) = (a·b / d + 1)^3, on `subsets` pairs of m rows drawn without replacement from x and
 * from y (a seeded splitmix64 stream: the same seed gives the same numbers), then the mean and
 * the standard deviation (population, ddof = 0, as torch-fidelity reports) over the subsets.
 * Per subset: sum_{i≠j} k(x_i,x_j)/(m(m-1)) + sum_{i≠j} k(y_i,y_j)/(m(m-1)) - 2 sum k(x_i,y_j)/m^2.
 * Needs 2 ≤ m ≤ min(nx, ny). */
int clg_kid(double *mean, double *std, const float *x, size_t nx, const float *y, size_t ny, int d, int subsets,
            size_t m, uint64_t seed, clg_err *e);

/* The classifier score (Inception Score with a domain classifier) of class probabilities p
 * (n × k, each row ≥ 0, summing to 1 within 1e-3): the rows are cut into `splits` consecutive
 * parts; per part, exp(mean_i KL(p_i || mean_j p_j)) with 0 log 0 = 0; mean and (population)
 * standard deviation over the parts (std is 0 for one split; std may be NULL). */
int clg_class_score(double *mean, double *std, const float *p, size_t n, int k, int splits, clg_err *e);

/* The class histogram of p (n × k probabilities or scores): frac[k] = share of rows whose
 * argmax (the first one on ties) is that class; *used = the number of classes with a share
 * ≥ 1%; *kl_uniform = KL(frac || uniform) = sum_c frac_c log(k frac_c) (0 when every class has
 * the same share, log k when one class has them all). */
int clg_class_hist(double *frac, int *used, double *kl_uniform, const float *p, size_t n, int k, clg_err *e);

/* Precision and recall with k-nearest-neighbour manifolds (Kynkäänniemi et al. 2019), on squared
 * Euclidean distances: the radius of a sample is its distance to its k-th nearest OTHER sample of
 * its own set (by index, so duplicates count as neighbours at distance 0). precision = share of
 * generated rows `gen` within the radius (≤) of at least one real row; recall = share of real
 * rows within the radius of at least one generated row. Needs k < nr and k < ng. O((nr + ng)^2 d)
 * in cache-sized blocks. */
int clg_prec_recall(double *precision, double *recall, const float *real, size_t nr, const float *gen, size_t ng,
                    int d, int k, clg_err *e);

/* Memorisation check, on squared Euclidean distances: t_i = distance of training row i to its
 * nearest OTHER training row, tau = median of the t_i (the mean of the two middle values when nt
 * is even); *share = the share of generated rows whose nearest training row is nearer than tau
 * (strictly: distance < tau). Copies of training rows score 1 (unless the training set holds
 * duplicates enough to make tau 0), samples far from all of them 0. O(nt (nt + ng) d): pass a
 * subset of a large training set. */
int clg_memorisation(double *share, const float *train, size_t nt, const float *gen, size_t ng, int d, clg_err *e);

#endif
