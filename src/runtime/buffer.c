/* buffer.c — device buffers (own allocations and aligned views into arenas), transfers, and the
 * one GEMM entry point, which goes to CLBlast.
 */
#include <clblast_c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/runtime.h"

size_t clg_align_floats(const clg_ctx *ctx) { return ctx->align / sizeof(float); }

int clg_buf_alloc(clg_ctx *ctx, clg_buf *b, size_t nfloats, const char *what)
{
    memset(b, 0, sizeof *b);
    size_t bytes = (nfloats ? nfloats : 1) * sizeof(float);
    if (bytes > ctx->max_alloc)
        return clg_fail(ctx, CLG_ERR_NOMEM,
                        "%s needs %.1f MiB in one buffer but %s allows at most %.1f MiB: use a smaller batch or model",
                        what, bytes / 1048576.0, ctx->name, ctx->max_alloc / 1048576.0);
    cl_int e;
    b->mem = clCreateBuffer(ctx->context, CL_MEM_READ_WRITE, bytes, NULL, &e);
    if (e != CL_SUCCESS)
        return clg_fail(ctx, CLG_ERR_NOMEM, "allocating %s (%.1f MiB) on %s failed with %s: %s", what,
                        bytes / 1048576.0, ctx->name, clg_status_str(e), clg_cl_hint(e));
    b->sub = b->mem;
    clRetainMemObject(b->mem);
    b->n = nfloats;
    /* Touch it now: some drivers allocate lazily and would fail later, inside a step. */
    float zero = 0;
    e = clEnqueueFillBuffer(ctx->queue, b->mem, &zero, sizeof zero, 0, bytes, 0, NULL, NULL);
    if (e == CL_SUCCESS) e = clFinish(ctx->queue);
    if (e != CL_SUCCESS)
        return clg_fail(ctx, CLG_ERR_NOMEM, "allocating %s (%.1f MiB) on %s failed with %s: %s", what,
                        bytes / 1048576.0, ctx->name, clg_status_str(e), clg_cl_hint(e));
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
        return clg_fail(ctx, e, "clCreateSubBuffer for %s failed with %s", what, clg_status_str(e));
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
    CL_CHECK(ctx, clEnqueueWriteBuffer(ctx->queue, b->mem, blocking ? CL_TRUE : CL_FALSE, b->off * sizeof(float),
                                       n * sizeof(float), src, 0, NULL, NULL));
    return CLG_OK;
}

int clg_buf_read(clg_ctx *ctx, float *dst, const clg_buf *b, size_t n)
{
    CL_CHECK(ctx, clEnqueueReadBuffer(ctx->queue, b->mem, CL_TRUE, b->off * sizeof(float), n * sizeof(float),
                                      dst, 0, NULL, NULL));
    return CLG_OK;
}

int clg_buf_fill(clg_ctx *ctx, clg_buf *b, float value, size_t n)
{
    if (!n) return CLG_OK;
    cl_event ev;
    CL_CHECK(ctx, clEnqueueFillBuffer(ctx->queue, b->mem, &value, sizeof value, b->off * sizeof(float),
                                      n * sizeof(float), 0, NULL, CLG_PROF_EVENT(ctx, ev)));
    if (ctx->prof_on) clg_prof_add(ctx, ev);
    return CLG_OK;
}

int clg_buf_copy(clg_ctx *ctx, clg_buf *dst, const clg_buf *src, size_t n)
{
    if (!n) return CLG_OK;
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

int clg_gemm(clg_ctx *ctx, int trans_a, int trans_b, size_t m, size_t n, size_t k, float alpha,
             const clg_buf *a, size_t lda, const clg_buf *b, size_t ldb, float beta, clg_buf *c, size_t ldc)
{
    cl_event ev;
    CLBlastStatusCode s = CLBlastSgemm(CLBlastLayoutRowMajor, trans_a ? CLBlastTransposeYes : CLBlastTransposeNo,
                                       trans_b ? CLBlastTransposeYes : CLBlastTransposeNo, m, n, k, alpha, a->mem,
                                       a->off, lda, b->mem, b->off, ldb, beta, c->mem, c->off, ldc, &ctx->queue,
                                       CLG_PROF_EVENT(ctx, ev));
    if (s == CLBlastSuccess && ctx->prof_on) clg_prof_add(ctx, ev);
    if (s != CLBlastSuccess) {
        char call[160];
        snprintf(call, sizeof call, "CLBlastSgemm(%s%s, m=%zu n=%zu k=%zu)", trans_a ? "T" : "N", trans_b ? "T" : "N",
                 m, n, k);
        return clg_cl_fail(ctx, s, call, __FILE__, __LINE__);
    }
    return CLG_OK;
}
