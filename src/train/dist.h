/* dist.h — data-parallel training over MPI (internal): the process's rank among the ranks of a
 * run and the few collectives the trainer needs (gradient sums, broadcasts, agreeing on a status
 * or a stop). Without MPI, or when not started by an MPI launcher, there is one rank and every
 * call is a no-op, so a single process runs exactly the code it always ran.
 */
#ifndef CLGAN_TRAIN_DIST_H
#define CLGAN_TRAIN_DIST_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/runtime.h"

/* Ranks of the run (1 without MPI) and this process's rank (0 without MPI). */
int clg_dist_ranks(void);
int clg_dist_me(void);

/* buf[0..n) = the sum over ranks of every rank's buf[0..n) (in place). */
int clg_dist_sum(clg_ctx *ctx, float *buf, size_t n);
/* buf[0..n) of rank 0 on every rank. */
int clg_dist_bcast(clg_ctx *ctx, void *buf, size_t bytes);
/* The largest of every rank's *v. */
int clg_dist_max(clg_ctx *ctx, int *v);
/* Whether every rank holds the same 64-bit value *h (*same = 1) or not. */
int clg_dist_same(clg_ctx *ctx, uint64_t h, int *same);
/* Every rank passes its status `st`; when some rank failed, each rank returns a failure whose
 * message is the first failing rank's ("rank R: ..."), so all stop together. */
int clg_dist_agree(clg_ctx *ctx, int st);

#endif
