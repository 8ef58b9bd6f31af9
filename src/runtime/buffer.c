/* buffer.c — device buffers (own allocations and aligned views into arenas), the device memory
 * checks made before allocating, transfers, and the one GEMM entry point (cl/gemm.cl or CLBlast,
 * whose temporary buffer is sized while planning so that a step allocates nothing).
 */
#include <clblast_c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/runtime.h"

size_t clg_align_floats(const clg_ctx *ctx) { return ctx->align / sizeof(float); }

static double mib(double bytes) { return bytes / 1048576.0; }

int clg_mem_check(clg_ctx *ctx, size_t total, const char *what, size_t largest, const char *largest_what,
                  const char *hint)
{
    if (largest > ctx->max_alloc)
        return clg_fail(ctx, CLG_ERR_NOMEM,
                        "out of device memory: %s take %.1f MiB in one buffer but %s allows at most %.1f MiB per "
                        "buffer (CL_DEVICE_MAX_MEM_ALLOC_SIZE): %s",
                        largest_what, mib((double)largest), ctx->name, mib((double)ctx->max_alloc), hint);
    cl_ulong room = ctx->global_mem > ctx->planned_bytes ? ctx->global_mem - ctx->planned_bytes : 0;
    if (total > room) {
        char held[96] = "";
        if (ctx->planned_bytes)
            snprintf(held, sizeof held, ", %.1f MiB of it already planned", mib((double)ctx->planned_bytes));
        return clg_fail(ctx, CLG_ERR_NOMEM,
                        "out of device memory: %s needs %.1f MiB but %s has %.1f MiB of global memory "
                        "(CL_DEVICE_GLOBAL_MEM_SIZE%s): %s",
                        what, mib((double)total), ctx->name, mib((double)ctx->global_mem), held, hint);
    }
    return CLG_OK;
}

static cl_int zero_fill(clg_ctx *ctx, cl_mem m, size_t bytes)
{
    enum { CHUNK = 1 << 20 };
    void *zero = calloc(1, bytes < CHUNK ? bytes : CHUNK);
    if (!zero) return CL_OUT_OF_HOST_MEMORY;
    cl_int e = CL_SUCCESS;
    for (size_t at = 0; at < bytes && e == CL_SUCCESS; at += CHUNK)
        e = clEnqueueWriteBuffer(ctx->queue, m, CL_FALSE, at, bytes - at < CHUNK ? bytes - at : CHUNK, zero, 0, NULL, NULL);
    if (e == CL_SUCCESS) e = clFinish(ctx->queue);
    else clFinish(ctx->queue);
    free(zero);
    return e;
}

int clg_buf_alloc(clg_ctx *ctx, clg_buf *b, size_t nfloats, const char *what)
{
    memset(b, 0, sizeof *b);
    ctx->nallocs++;
    size_t bytes = (nfloats ? nfloats : 1) * sizeof(float);
    if (bytes > ctx->max_alloc)
        return clg_fail(ctx, CLG_ERR_NOMEM,
                        "out of device memory: the %s take %.1f MiB in one buffer but %s allows at most %.1f MiB: "
                        "use a smaller batch or model",
                        what, bytes / 1048576.0, ctx->name, ctx->max_alloc / 1048576.0);
    cl_int e;
    b->mem = clCreateBuffer(ctx->context, CL_MEM_READ_WRITE, bytes, NULL, &e);
    if (e != CL_SUCCESS)
        return clg_fail(ctx, CLG_ERR_NOMEM, "allocating %s (%.1f MiB) on %s failed with %s (%d): %s", what,
                        bytes / 1048576.0, ctx->name, clg_raw_name(e, 0), e, clg_raw_hint(e, 0));
    b->sub = b->mem;
    clRetainMemObject(b->mem);
    b->n = nfloats;
    /* Touch it now: some drivers allocate lazily and would fail later, inside a step. On Oclgrind
     * the zeros come from the host: it does not count clEnqueueFillBuffer as initialising memory,
     * and the planning pass reads these zeros. */
    if (ctx->simulator) e = zero_fill(ctx, b->mem, bytes);
    else {
        float zero = 0;
        e = clEnqueueFillBuffer(ctx->queue, b->mem, &zero, sizeof zero, 0, bytes, 0, NULL, NULL);
        if (e == CL_SUCCESS) e = clFinish(ctx->queue);
    }
    if (e != CL_SUCCESS)
        return clg_fail(ctx, CLG_ERR_NOMEM, "allocating %s (%.1f MiB) on %s failed with %s (%d): %s", what,
                        bytes / 1048576.0, ctx->name, clg_raw_name(e, 0), e, clg_raw_hint(e, 0));
    return CLG_OK;
}

int clg_buf_view(clg_ctx *ctx, clg_buf *b, const clg_buf *parent, size_t off, size_t n, const char *what)
{
    memset(b, 0, sizeof *b);
    if (off % clg_align_floats(ctx) || off + n > parent->n)
        return clg_fail(ctx, CLG_ERR_INTERNAL, "bad view of %s: offset %zu, length %zu, parent %zu", what, off, n,
                        parent->n);
    cl_buffer_region r = {(parent->off + off) * sizeof(float), (n ? n : 1) * sizeof(float)};
    cl_int e;
    b->sub = clCreateSubBuffer(parent->mem, CL_MEM_READ_WRITE, CL_BUFFER_CREATE_TYPE_REGION, &r, &e);
    if (e != CL_SUCCESS)
        return clg_fail(ctx, clg_raw_status(e, 0), "clCreateSubBuffer for %s failed with %s (%d)", what,
                        clg_raw_name(e, 0), e);
    b->mem = parent->mem;
    clRetainMemObject(b->mem);
    b->off = parent->off + off;
    b->n = n;
    return CLG_OK;
}

void clg_buf_release(clg_buf *b)
{
    if (b->sub) clReleaseMemObject(b->sub);
    if (b->mem) clReleaseMemObject(b->mem);
    memset(b, 0, sizeof *b);
}

int clg_buf_write(clg_ctx *ctx, clg_buf *b, const float *src, size_t n, int blocking)
{
    if (ctx->dry_run) return CLG_OK;
    CL_CHECK(ctx, clEnqueueWriteBuffer(ctx->queue, b->mem, blocking ? CL_TRUE : CL_FALSE, b->off * sizeof(float),
                                       n * sizeof(float), src, 0, NULL, NULL));
    return CLG_OK;
}

int clg_buf_read(clg_ctx *ctx, float *dst, const clg_buf *b, size_t n)
{
    if (ctx->dry_run) return CLG_OK;
    CL_CHECK(ctx, clEnqueueReadBuffer(ctx->queue, b->mem, CL_TRUE, b->off * sizeof(float), n * sizeof(float),
                                      dst, 0, NULL, NULL));
    return CLG_OK;
}

int clg_buf_fill(clg_ctx *ctx, clg_buf *b, float value, size_t n)
{
    if (!n || ctx->dry_run) return CLG_OK;
    cl_event ev;
    CL_CHECK(ctx, clEnqueueFillBuffer(ctx->queue, b->mem, &value, sizeof value, b->off * sizeof(float),
                                      n * sizeof(float), 0, NULL, CLG_PROF_EVENT(ctx, ev)));
    if (ctx->prof_on) clg_prof_add(ctx, ev);
    return CLG_OK;
}

int clg_buf_copy(clg_ctx *ctx, clg_buf *dst, const clg_buf *src, size_t n)
{
    if (!n || ctx->dry_run) return CLG_OK;
    cl_event ev;
    CL_CHECK(ctx, clEnqueueCopyBuffer(ctx->queue, src->mem, dst->mem, src->off * sizeof(float),
                                      dst->off * sizeof(float), n * sizeof(float), 0, NULL, CLG_PROF_EVENT(ctx, ev)));
    if (ctx->prof_on) clg_prof_add(ctx, ev);
    return CLG_OK;
}

int clg_prof_enable(clg_ctx *ctx, int capacity)
{
    if (!ctx->profiling)
        return clg_fail(ctx, CLG_ERR_ARG, "profiling needs a queue made with profiling enabled (CLGAN_PROFILE=1)");
    ctx->prof_ev = realloc(ctx->prof_ev, (size_t)capacity * sizeof *ctx->prof_ev);
    ctx->prof_tags = realloc(ctx->prof_tags, (size_t)capacity * sizeof *ctx->prof_tags);
    if (!ctx->prof_ev || !ctx->prof_tags) return clg_fail(ctx, CLG_ERR_NOMEM, "out of host memory");
    ctx->prof_cap = capacity;
    ctx->prof_n = 0;
    ctx->prof_on = 1;
    return CLG_OK;
}

void clg_prof_add(clg_ctx *ctx, cl_event ev)
{
    if (ctx->prof_n == ctx->prof_cap) { /* full: this event goes untimed */
        clReleaseEvent(ev);
        return;
    }
    ctx->prof_ev[ctx->prof_n] = ev;
    ctx->prof_tags[ctx->prof_n++] = ctx->prof_tag;
}

int clg_prof_collect(clg_ctx *ctx, double *sums, int ntags)
{
    CL_CHECK(ctx, clFinish(ctx->queue));
    for (int i = 0; i < ctx->prof_n; i++) {
        cl_ulong a = 0, b = 0;
        clGetEventProfilingInfo(ctx->prof_ev[i], CL_PROFILING_COMMAND_START, sizeof a, &a, NULL);
        clGetEventProfilingInfo(ctx->prof_ev[i], CL_PROFILING_COMMAND_END, sizeof b, &b, NULL);
        int t = ctx->prof_tags[i];
        if (t >= 0 && t < ntags && b > a) sums[t] += (double)(b - a) * 1e-9;
        clReleaseEvent(ctx->prof_ev[i]);
    }
    ctx->prof_n = 0;
    return CLG_OK;
}

/* cl/gemm.cl's tiles and local size (its defaults; the launch must agree with them) */
enum { GEMM_TILE_M = 6, GEMM_TILE_N = 64, GEMM_NT_TILE_M = 4, GEMM_NT_TILE_N = 4, GEMM_WG_M = 8, GEMM_WG_N = 1,
       GEMM_K_CHUNK = 512 };

/* Our GEMM: K split into equal launches of at most GEMM_K_CHUNK (keeps the panels in cache),
 * each after the first accumulating with beta = 1. */
static int gemm_own(clg_ctx *ctx, int ta, int tb, size_t m, size_t n, size_t k, float alpha, const clg_buf *a,
                    size_t lda, const clg_buf *b, size_t ldb, float beta, clg_buf *c, size_t ldc)
{
    static const int kernel[2][2] = {{CLG_K_GEMM_NN, CLG_K_GEMM_NT}, {CLG_K_GEMM_TN, CLG_K_GEMM_TT}};
    size_t r = ta && tb ? n : m, s = ta && tb ? m : n;
    size_t tm = !ta && tb ? GEMM_NT_TILE_M : GEMM_TILE_M, tn = !ta && tb ? GEMM_NT_TILE_N : GEMM_TILE_N;
    size_t local[2] = {GEMM_WG_M, GEMM_WG_N};
    size_t global[2] = {clg_round_up((r + tm - 1) / tm, local[0]), clg_round_up((s + tn - 1) / tn, local[1])};
    if (m == 0 || n == 0) return CLG_OK;
    size_t chunks = k ? (k + GEMM_K_CHUNK - 1) / GEMM_K_CHUNK : 1, kc = k ? (k + chunks - 1) / chunks : 0;
    for (size_t j = 0; j < chunks; j++) {
        size_t k0 = j * kc, kn = k - k0 < kc ? k - k0 : kc;
        size_t aoff = a->off + (ta ? k0 * lda : k0), boff = b->off + (tb ? k0 : k0 * ldb);
        TRY(clg_launch(ctx, kernel[ta != 0][tb != 0], 2, global, local, 14,
                       (clg_karg[]){KA_INT(m), KA_INT(n), KA_INT(kn), KA_FLT(alpha), KA_FLT(j ? 1.0f : beta),
                                    KA_MEM(a->mem), KA_INT(aoff), KA_INT(lda), KA_MEM(b->mem), KA_INT(boff),
                                    KA_INT(ldb), KA_MEM(c->mem), KA_INT(c->off), KA_INT(ldc)}));
    }
    return CLG_OK;
}

/* ---- CLBlast's temporary buffer ------------------------------------------------------------ */
struct clg_gemm_shape {
    size_t m, n, k, lda, ldb, ldc;
    int ta, tb;
    size_t tmp_bytes;
};

void clg_gemm_forget(clg_ctx *ctx) { ctx->gemm_nshapes = 0; }

/* The temporary bytes CLBlast's indirect GEMM may need for this shape: asked with non-zero
 * offsets, which make it pad-copy all three matrices (the most it ever needs), so the answer
 * holds wherever the operands sit. Remembered per shape. */
static int gemm_tmp_need(clg_ctx *ctx, int ta, int tb, size_t m, size_t n, size_t k, size_t lda, size_t ldb,
                         size_t ldc, size_t *bytes, int *seen)
{
    for (int i = 0; i < ctx->gemm_nshapes; i++) {
        const struct clg_gemm_shape *s = &ctx->gemm_shapes[i];
        if (s->m == m && s->n == n && s->k == k && s->lda == lda && s->ldb == ldb && s->ldc == ldc && s->ta == ta &&
            s->tb == tb) {
            *bytes = s->tmp_bytes;
            *seen = 1;
            return CLG_OK;
        }
    }
    *seen = 0;
    CLBlastStatusCode st = CLBlastSGemmTempBufferSize(CLBlastLayoutRowMajor, ta ? CLBlastTransposeYes : CLBlastTransposeNo,
                                                      tb ? CLBlastTransposeYes : CLBlastTransposeNo, m, n, k, 1, lda, 1,
                                                      ldb, 1, ldc, &ctx->queue, bytes);
    if (st != CLBlastSuccess) return clg_blast_fail(ctx, st, "CLBlastSGemmTempBufferSize", __FILE__, __LINE__);
    if (ctx->gemm_nshapes == ctx->gemm_shapes_cap) {
        int cap = ctx->gemm_shapes_cap ? 2 * ctx->gemm_shapes_cap : 32;
        struct clg_gemm_shape *p = realloc(ctx->gemm_shapes, (size_t)cap * sizeof *p);
        if (!p) return clg_fail(ctx, CLG_ERR_NOMEM, "out of host memory");
        ctx->gemm_shapes = p;
        ctx->gemm_shapes_cap = cap;
    }
    ctx->gemm_shapes[ctx->gemm_nshapes++] = (struct clg_gemm_shape){m, n, k, lda, ldb, ldc, ta, tb, *bytes};
    return CLG_OK;
}

static int gemm_tmp_grow(clg_ctx *ctx, size_t bytes)
{
    if (bytes <= ctx->gemm_tmp_bytes) return CLG_OK;
    TRY(clg_mem_check(ctx, bytes, "CLBlast's temporary GEMM buffer", bytes, "CLBlast's temporary matrices",
                      "use a smaller batch or model"));
    cl_int e;
    cl_mem m = clCreateBuffer(ctx->context, CL_MEM_READ_WRITE, bytes, NULL, &e);
    ctx->nallocs++;
    if (e != CL_SUCCESS)
        return clg_fail(ctx, CLG_ERR_NOMEM,
                        "allocating CLBlast's temporary GEMM buffer (%.1f MiB) on %s failed with %s (%d): %s",
                        mib((double)bytes), ctx->name, clg_raw_name(e, 0), e, clg_raw_hint(e, 0));
    if (ctx->gemm_tmp) clReleaseMemObject(ctx->gemm_tmp);
    ctx->gemm_tmp = m;
    ctx->gemm_tmp_bytes = bytes;
    return CLG_OK;
}

void clg_gemm_plan_begin(clg_ctx *ctx) { ctx->dry_run = 1; }

int clg_gemm_plan_end(clg_ctx *ctx)
{
    ctx->dry_run = 0;
    CL_CHECK(ctx, clFinish(ctx->queue));
    return CLG_OK;
}

int clg_gemm(clg_ctx *ctx, int trans_a, int trans_b, size_t m, size_t n, size_t k, float alpha,
             const clg_buf *a, size_t lda, const clg_buf *b, size_t ldb, float beta, clg_buf *c, size_t ldc)
{
    if (ctx->gemm_own) {
        if (ctx->dry_run) return CLG_OK;
        return gemm_own(ctx, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }
    if (m == 0 || n == 0) return CLG_OK;
    size_t need;
    int seen;
    TRY(gemm_tmp_need(ctx, trans_a, trans_b, m, n, k, lda, ldb, ldc, &need, &seen));
    /* planning: each shape runs once (on the plan's still-zero buffers) so CLBlast builds now */
    if (ctx->dry_run && seen) return CLG_OK;
    TRY(gemm_tmp_grow(ctx, need));
    cl_event ev;
    CLBlastStatusCode s = CLBlastSgemmWithTempBuffer(
        CLBlastLayoutRowMajor, trans_a ? CLBlastTransposeYes : CLBlastTransposeNo,
        trans_b ? CLBlastTransposeYes : CLBlastTransposeNo, m, n, k, alpha, a->mem, a->off, lda, b->mem, b->off, ldb,
        beta, c->mem, c->off, ldc, &ctx->queue, CLG_PROF_EVENT(ctx, ev), ctx->gemm_tmp);
    if (s == CLBlastSuccess && ctx->prof_on) clg_prof_add(ctx, ev);
    if (s != CLBlastSuccess) {
        char call[200];
        snprintf(call, sizeof call, "CLBlastSgemmWithTempBuffer(%s%s, m=%zu n=%zu k=%zu, temp %zu bytes)",
                 trans_a ? "T" : "N", trans_b ? "T" : "N", m, n, k, ctx->gemm_tmp_bytes);
        return clg_blast_fail(ctx, s, call, __FILE__, __LINE__);
    }
    return CLG_OK;
}
