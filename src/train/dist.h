/* dist.h — data-parallel training over MPI (internal): the process's rank among the ranks of a
 * run and the few collectives the trainer needs (gradient sums, broadcasts, agreeing on a status
 * or a stop). Without MPI, or when not started by an MPI launcher, there is one rank and every
 * call is a no-op, so a single process runs exactly the code it always ran.
 */
#ifndef CLGAN_TRAIN_DIST_H
#define CLGAN_TRAIN_DIST_H

#include <stddef.h>
#include <stdint.h>

#include "model/network.h"
#include "runtime/runtime.h"

/* The run's ranks and this process's rank are clgan.h's clg_dist_size and clg_dist_rank (1 and 0
 * without MPI). */

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

/* b[off, off+n) = the sum over the ranks of every rank's, times `scale`, staged through
 * host[0..n); the compute queued before is waited for first, and the seconds of the transfers
 * and the sum are added to *comm_s. */
int clg_dist_sum_buf(clg_ctx *ctx, clg_buf *b, size_t off, size_t n, float *host, float scale, double *comm_s);

/* A rank's part of every batch, given to each layer of the networks: where its samples start in
 * the batch (dropout masks), and with sync_bn the batch norms' sums over the ranks. */
typedef struct clg_dist_part {
    clg_batch_part part;
    clg_host_buf host; /* staging for the batch norms' sums */
    double comm_s; /* seconds spent summing them */
} clg_dist_part;

/* Give every layer of nets[0..nnets) part `p` of a batch split over the ranks, this rank's
 * samples starting at `first`; `sync_bn`: the batch norms sum their statistics over the ranks.
 * One rank leaves the layers as they are (the whole batch). */
int clg_dist_split(clg_dist_part *p, clg_ctx *ctx, clg_net *const *nets, int nnets, int first, int sync_bn);
void clg_dist_part_free(clg_ctx *ctx, clg_dist_part *p);

#endif
