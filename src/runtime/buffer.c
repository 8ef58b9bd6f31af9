/* buffer.c — device buffers of a type (own allocations and aligned views into arenas), the
 * device memory checks made before allocating, and transfers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/buffer.h"
#include "runtime/prof.h"

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

int clg_buf_create(clg_ctx *ctx, clg_buf *b, clg_dtype type, size_t n, const void *host, const char *what)
{
    memset(b, 0, sizeof *b);
    ctx->nallocs++;
    size_t bytes = (n ? n : 1) * clg_dtype_size(type);
    if (bytes > ctx->max_alloc)
        return clg_fail(ctx, CLG_ERR_NOMEM,
                        "out of device memory: the %s take %.1f MiB in one buffer but %s allows at most %.1f MiB: "
                        "use a smaller batch or model",
                        what, bytes / 1048576.0, ctx->name, ctx->max_alloc / 1048576.0);
    cl_int e;
    b->mem = clCreateBuffer(ctx->context, host ? CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR : CL_MEM_READ_WRITE, bytes,
                            (void *)host, &e);
    if (e != CL_SUCCESS)
        return clg_fail(ctx, CLG_ERR_NOMEM, "allocating %s (%.1f MiB) on %s failed with %s (%d): %s", what,
                        bytes / 1048576.0, ctx->name, clg_raw_name(e, 0), e, clg_raw_hint(e, 0));
    b->sub = b->mem;
    clRetainMemObject(b->mem);
    b->n = n;
    b->type = type;
    b->bytes = n * clg_dtype_size(type);
    if (host) return CLG_OK;
    /* Touch it now: some drivers allocate lazily and would fail later, inside a step. On Oclgrind
     * the zeros come from the host: it does not count clEnqueueFillBuffer as initialising memory,
     * and the planning pass reads these zeros. */
    if (ctx->simulator) e = zero_fill(ctx, b->mem, bytes);
    else {
        cl_uint zero = 0; /* a 4-byte pattern fills every type with zeros (sizes of 1-byte buffers below) */
        size_t unit = bytes % sizeof zero ? 1 : sizeof zero;
        e = clEnqueueFillBuffer(ctx->queue, b->mem, &zero, unit, 0, bytes, 0, NULL, NULL);
        if (e == CL_SUCCESS) e = clFinish(ctx->queue);
    }
    if (e != CL_SUCCESS)
        return clg_fail(ctx, CLG_ERR_NOMEM, "allocating %s (%.1f MiB) on %s failed with %s (%d): %s", what,
                        bytes / 1048576.0, ctx->name, clg_raw_name(e, 0), e, clg_raw_hint(e, 0));
    return CLG_OK;
}

int clg_host_buf_alloc(clg_ctx *ctx, clg_host_buf *h, size_t n, const char *what)
{
    memset(h, 0, sizeof *h);
    size_t bytes = (n ? n : 1) * sizeof(float);
    cl_int e;
    h->buf.mem = clCreateBuffer(ctx->context, CL_MEM_READ_WRITE | CL_MEM_ALLOC_HOST_PTR, bytes, NULL, &e);
    if (e == CL_SUCCESS)
        h->ptr = clEnqueueMapBuffer(ctx->queue, h->buf.mem, CL_TRUE, CL_MAP_READ | CL_MAP_WRITE, 0, bytes, 0, NULL,
                                    NULL, &e);
    if (e != CL_SUCCESS) {
        clg_host_buf_release(ctx, h);
        return clg_fail(ctx, CLG_ERR_NOMEM, "allocating %s (%.1f MiB of mapped host memory) on %s failed with %s (%d)",
                        what, bytes / 1048576.0, ctx->name, clg_raw_name(e, 0), e);
    }
    h->buf.sub = h->buf.mem;
    clRetainMemObject(h->buf.mem);
    h->buf.n = n;
    h->buf.bytes = n * sizeof(float);
    return CLG_OK;
}

void clg_host_buf_release(clg_ctx *ctx, clg_host_buf *h)
{
    if (h->ptr && ctx->queue) {
        clEnqueueUnmapMemObject(ctx->queue, h->buf.mem, h->ptr, 0, NULL, NULL);
        clFinish(ctx->queue);
    }
    if (h->buf.mem && !h->buf.sub) clReleaseMemObject(h->buf.mem); /* failed before the view was set */
    else clg_buf_release(&h->buf);
    memset(h, 0, sizeof *h);
}

int clg_buf_alloc(clg_ctx *ctx, clg_buf *b, size_t nfloats, const char *what)
{
    return clg_buf_create(ctx, b, CLG_F32, nfloats, NULL, what);
}

int clg_buf_view_as(clg_ctx *ctx, clg_buf *b, clg_dtype type, const clg_buf *parent, size_t off, size_t n,
                    const char *what)
{
    memset(b, 0, sizeof *b);
    if (off % clg_align_floats(ctx) || off + n > parent->n || parent->type != CLG_F32 || clg_dtype_size(type) != sizeof(float))
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
    b->type = type;
    b->bytes = n * sizeof(float);
    return CLG_OK;
}

int clg_buf_view(clg_ctx *ctx, clg_buf *b, const clg_buf *parent, size_t off, size_t n, const char *what)
{
    return clg_buf_view_as(ctx, b, CLG_F32, parent, off, n, what);
}

void clg_buf_release(clg_buf *b)
{
    if (b->sub) clReleaseMemObject(b->sub);
    if (b->mem) clReleaseMemObject(b->mem);
    memset(b, 0, sizeof *b);
}

int clg_buf_write_raw(clg_ctx *ctx, clg_buf *b, const void *src, size_t n, int blocking)
{
    if (ctx->dry_run) return CLG_OK;
    size_t es = clg_dtype_size(b->type);
    CL_CHECK(ctx, clEnqueueWriteBuffer(ctx->queue, b->mem, blocking ? CL_TRUE : CL_FALSE, b->off * es, n * es, src, 0,
                                       NULL, NULL));
    return CLG_OK;
}

int clg_buf_read_raw(clg_ctx *ctx, void *dst, const clg_buf *b, size_t n)
{
    if (ctx->dry_run) return CLG_OK;
    size_t es = clg_dtype_size(b->type);
    CL_CHECK(ctx, clEnqueueReadBuffer(ctx->queue, b->mem, CL_TRUE, b->off * es, n * es, dst, 0, NULL, NULL));
    return CLG_OK;
}

int clg_buf_write(clg_ctx *ctx, clg_buf *b, const float *src, size_t n, int blocking)
{
    return clg_buf_write_raw(ctx, b, src, n, blocking);
}

int clg_buf_read(clg_ctx *ctx, float *dst, const clg_buf *b, size_t n) { return clg_buf_read_raw(ctx, dst, b, n); }

/* [off, off+n) must lie inside b: a view's transfers address its whole parent allocation, so a
 * wrong range would touch a neighbouring region instead of failing. */
static int check_range(clg_ctx *ctx, const clg_buf *b, size_t off, size_t n, const char *what)
{
    if (off > b->n || n > b->n - off)
        return clg_fail(ctx, CLG_ERR_INTERNAL, "%s: elements [%zu, %zu) lie outside the buffer's %zu", what, off,
                        off + n, b->n);
    return CLG_OK;
}

int clg_buf_read_at(clg_ctx *ctx, float *dst, const clg_buf *b, size_t off, size_t n)
{
    TRY(check_range(ctx, b, off, n, "clg_buf_read_at"));
    clg_buf part = *b;
    part.off += off;
    return clg_buf_read_raw(ctx, dst, &part, n);
}

int clg_buf_write_at(clg_ctx *ctx, clg_buf *b, size_t off, const float *src, size_t n)
{
    TRY(check_range(ctx, b, off, n, "clg_buf_write_at"));
    clg_buf part = *b;
    part.off += off;
    return clg_buf_write_raw(ctx, &part, src, n, 1);
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

int clg_buf_copy_at(clg_ctx *ctx, clg_buf *dst, size_t dst_off, const clg_buf *src, size_t src_off, size_t n)
{
    if (!n || ctx->dry_run) return CLG_OK;
    size_t es = clg_dtype_size(src->type);
    cl_event ev;
    CL_CHECK(ctx, clEnqueueCopyBuffer(ctx->queue, src->mem, dst->mem, (src->off + src_off) * es,
                                      (dst->off + dst_off) * es, n * es, 0, NULL, CLG_PROF_EVENT(ctx, ev)));
    if (ctx->prof_on) clg_prof_add(ctx, ev);
    return CLG_OK;
}

int clg_buf_copy(clg_ctx *ctx, clg_buf *dst, const clg_buf *src, size_t n)
{
    return clg_buf_copy_at(ctx, dst, 0, src, 0, n);
}
