/* dist.c — the MPI calls of data-parallel training, and only here: starting MPI when an MPI
 * launcher started the process (OMPI_COMM_WORLD_SIZE, PMIX_RANK or PMI_RANK in the environment),
 * each rank's place on its host (a shared-memory split of the world), the collectives the trainer
 * uses, and abort. Built without MPI (CLGAN_HAVE_MPI undefined) every rank count is 1 and the
 * collectives return at once.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clgan/clgan.h"
#include "train/dist.h"

#ifdef CLGAN_HAVE_MPI
#include <mpi.h>
#endif

static struct {
    int started, rank, size, local_rank, local_size;
} dist = {0, 0, 1, 0, 1};

int clg_dist_init(int *argc, char ***argv)
{
#ifdef CLGAN_HAVE_MPI
    if (dist.started) return CLG_OK;
    if (!getenv("OMPI_COMM_WORLD_SIZE") && !getenv("PMIX_RANK") && !getenv("PMI_RANK")) return CLG_OK;
    if (MPI_Init(argc, argv) != MPI_SUCCESS) return CLG_ERR_DEVICE;
    dist.started = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &dist.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &dist.size);
    MPI_Comm local;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, dist.rank, MPI_INFO_NULL, &local);
    MPI_Comm_rank(local, &dist.local_rank);
    MPI_Comm_size(local, &dist.local_size);
    MPI_Comm_free(&local);
#else
    (void)argc, (void)argv;
#endif
    return CLG_OK;
}

void clg_dist_finalize(void)
{
#ifdef CLGAN_HAVE_MPI
    if (dist.started) MPI_Finalize();
    dist.started = 0;
#endif
}

void clg_dist_abort(int code)
{
#ifdef CLGAN_HAVE_MPI
    if (dist.started && dist.size > 1) MPI_Abort(MPI_COMM_WORLD, code);
#endif
    (void)code;
}

int clg_dist_rank(void) { return dist.rank; }
int clg_dist_size(void) { return dist.size; }
int clg_dist_local_rank(void) { return dist.local_rank; }
int clg_dist_local_size(void) { return dist.local_size; }

#ifdef CLGAN_HAVE_MPI
static int mpi_failed(clg_ctx *ctx, int rc, const char *what)
{
    char msg[MPI_MAX_ERROR_STRING] = "";
    int len = 0;
    MPI_Error_string(rc, msg, &len);
    return clg_fail(ctx, CLG_ERR_DEVICE, "MPI %s failed on rank %d: %s", what, dist.rank, msg);
}
#define MPI_TRY(call, what)                                 \
    do {                                                    \
        int rc_ = (call);                                   \
        if (rc_ != MPI_SUCCESS) return mpi_failed(ctx, rc_, what); \
    } while (0)
#endif

int clg_dist_sum(clg_ctx *ctx, float *buf, size_t n)
{
#ifdef CLGAN_HAVE_MPI
    if (dist.size > 1)
        for (size_t at = 0; at < n; at += (size_t)1 << 30) { /* MPI counts are int */
            size_t m = n - at < (size_t)1 << 30 ? n - at : (size_t)1 << 30;
            MPI_TRY(MPI_Allreduce(MPI_IN_PLACE, buf + at, (int)m, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD), "allreduce");
        }
#else
    (void)ctx, (void)buf, (void)n;
#endif
    return CLG_OK;
}

int clg_dist_bcast(clg_ctx *ctx, void *buf, size_t bytes)
{
#ifdef CLGAN_HAVE_MPI
    if (dist.size > 1)
        for (size_t at = 0; at < bytes; at += (size_t)1 << 30) {
            size_t m = bytes - at < (size_t)1 << 30 ? bytes - at : (size_t)1 << 30;
            MPI_TRY(MPI_Bcast((char *)buf + at, (int)m, MPI_BYTE, 0, MPI_COMM_WORLD), "broadcast");
        }
#else
    (void)ctx, (void)buf, (void)bytes;
#endif
    return CLG_OK;
}

int clg_dist_max(clg_ctx *ctx, int *v)
{
#ifdef CLGAN_HAVE_MPI
    if (dist.size > 1) MPI_TRY(MPI_Allreduce(MPI_IN_PLACE, v, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD), "allreduce");
#else
    (void)ctx, (void)v;
#endif
    return CLG_OK;
}

int clg_dist_same(clg_ctx *ctx, uint64_t h, int *same)
{
    *same = 1;
#ifdef CLGAN_HAVE_MPI
    if (dist.size > 1) {
        uint64_t lo = h, hi = h;
        MPI_TRY(MPI_Allreduce(MPI_IN_PLACE, &lo, 1, MPI_UINT64_T, MPI_MIN, MPI_COMM_WORLD), "allreduce");
        MPI_TRY(MPI_Allreduce(MPI_IN_PLACE, &hi, 1, MPI_UINT64_T, MPI_MAX, MPI_COMM_WORLD), "allreduce");
        *same = lo == hi;
    }
#else
    (void)ctx, (void)h;
#endif
    return CLG_OK;
}

int clg_dist_agree(clg_ctx *ctx, int st)
{
#ifdef CLGAN_HAVE_MPI
    if (dist.size <= 1) return st;
    /* the lowest failing rank (size when none) tells its message to all */
    int first = st != CLG_OK ? dist.rank : dist.size;
    MPI_TRY(MPI_Allreduce(MPI_IN_PLACE, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD), "allreduce");
    if (first == dist.size) return CLG_OK;
    if (first == dist.rank) { /* the others learn this rank's message; it keeps its own */
        char msg[1024];
        snprintf(msg, sizeof msg, "%s", clg_last_error(ctx));
        MPI_TRY(MPI_Bcast(msg, sizeof msg, MPI_CHAR, first, MPI_COMM_WORLD), "broadcast");
        MPI_TRY(MPI_Bcast(&st, 1, MPI_INT, first, MPI_COMM_WORLD), "broadcast");
        return st;
    }
    char msg[1024] = "";
    int code = st;
    MPI_TRY(MPI_Bcast(msg, sizeof msg, MPI_CHAR, first, MPI_COMM_WORLD), "broadcast");
    MPI_TRY(MPI_Bcast(&code, 1, MPI_INT, first, MPI_COMM_WORLD), "broadcast");
    return clg_fail(ctx, code, "rank %d: %s", first, msg);
#else
    (void)ctx;
    return st;
#endif
}

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

int clg_dist_sum_buf(clg_ctx *ctx, clg_buf *b, size_t off, size_t n, float *host, float scale, double *comm_s)
{
    if (dist.size == 1 || !n) return CLG_OK;
    TRY(clg_finish(ctx)); /* the compute before is not communication */
    double t0 = seconds();
    TRY(clg_buf_read_at(ctx, host, b, off, n));
    TRY(clg_dist_sum(ctx, host, n));
    if (scale != 1.0f)
        for (size_t i = 0; i < n; i++) host[i] *= scale;
    TRY(clg_buf_write_at(ctx, b, off, host, n));
    *comm_s += seconds() - t0;
    return CLG_OK;
}

/* clg_batch_part's sum: a batch norm's per-channel sums over the ranks */
static int part_sum(void *user, clg_ctx *ctx, clg_buf *buf, size_t off, size_t n)
{
    clg_dist_part *p = user;
    return clg_dist_sum_buf(ctx, buf, off, n, p->host.ptr, 1.0f, &p->comm_s);
}

int clg_dist_split(clg_dist_part *p, clg_ctx *ctx, clg_net *const *nets, int nnets, int first, int sync_bn)
{
    memset(p, 0, sizeof *p);
    if (dist.size == 1) return CLG_OK;
    size_t most = 1; /* a batch norm's sums lie within its scratch */
    for (int k = 0; k < nnets; k++)
        for (int i = 0; i < nets[k]->nlayers; i++) {
            clg_layer *l = &nets[k]->layers[i];
            if (l->scratch_floats > most) most = l->scratch_floats;
            l->part = &p->part;
        }
    p->part = (clg_batch_part){.first = first, .parts = dist.size, .sum = sync_bn ? part_sum : NULL, .user = p};
    return sync_bn ? clg_host_buf_alloc(ctx, &p->host, most, "batch norm staging") : CLG_OK;
}

void clg_dist_part_free(clg_ctx *ctx, clg_dist_part *p) { clg_host_buf_release(ctx, &p->host); }
