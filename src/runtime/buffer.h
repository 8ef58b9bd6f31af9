/* buffer.h — device buffers (own allocations and aligned views into arenas) of a type (float,
 * int32, uint8) and byte size, the device-memory checks made before allocating, transfers.
 */
#ifndef CLGAN_RUNTIME_BUFFER_H
#define CLGAN_RUNTIME_BUFFER_H

#include "runtime/core.h"

/* Element types of device buffers (float unless said otherwise). */
typedef enum clg_dtype { CLG_F32 = 0, CLG_I32, CLG_U8 } clg_dtype;
static inline size_t clg_dtype_size(clg_dtype t) { return t == CLG_U8 ? 1 : 4; }

/* A device buffer: either its own allocation or a region of an arena. */
typedef struct clg_buf {
    cl_mem mem;     /* the whole allocation (for CLBlast, with `off`) */
    cl_mem sub;     /* a sub-buffer for our kernels (== mem when off == 0 and owned) */
    size_t off;     /* offset in elements into mem */
    size_t n;       /* length in elements */
    clg_dtype type; /* element type */
    size_t bytes;   /* n elements of type */
} clg_buf;

/* A zeroed buffer of n floats; `what` names it in messages. */
int clg_buf_alloc(clg_ctx *ctx, clg_buf *b, size_t nfloats, const char *what);
/* A buffer of n elements of `type`, holding `host` (zeroed when host is NULL). */
int clg_buf_create(clg_ctx *ctx, clg_buf *b, clg_dtype type, size_t n, const void *host, const char *what);
/* Before allocating `total` bytes (`what`: "the generator's memory plan ...") whose largest buffer
 * has `largest` bytes (`largest_what`: "the generator activations", used with "take"): fail with
 * a message giving the sizes, the device's limit (CL_DEVICE_MAX_MEM_ALLOC_SIZE for one buffer,
 * CL_DEVICE_GLOBAL_MEM_SIZE less ctx->planned_bytes for all) and `hint` (what to change). */
int clg_mem_check(clg_ctx *ctx, size_t total, const char *what, size_t largest, const char *largest_what,
                  const char *hint);
/* A region [off, off+n) of a float parent buffer, where off is a multiple of the device
 * alignment; clg_buf_view_as gives the region elements of another 4-byte type (ints kept in a
 * float arena: a layer's scratch of the type it declares, e.g. maxout's int arg-max). */
int clg_buf_view(clg_ctx *ctx, clg_buf *b, const clg_buf *parent, size_t off, size_t n,
                 const char *what);
int clg_buf_view_as(clg_ctx *ctx, clg_buf *b, clg_dtype type, const clg_buf *parent, size_t off, size_t n,
                    const char *what);
void clg_buf_release(clg_buf *b);
int clg_buf_write(clg_ctx *ctx, clg_buf *b, const float *src, size_t n, int blocking);
int clg_buf_read(clg_ctx *ctx, float *dst, const clg_buf *b, size_t n);
/* b[off, off+n) to the host and back (blocking), offsets in elements */
int clg_buf_read_at(clg_ctx *ctx, float *dst, const clg_buf *b, size_t off, size_t n);
int clg_buf_write_at(clg_ctx *ctx, clg_buf *b, size_t off, const float *src, size_t n);
/* The same for a buffer of any type: n elements of b->type. */
int clg_buf_write_raw(clg_ctx *ctx, clg_buf *b, const void *src, size_t n, int blocking);
int clg_buf_read_raw(clg_ctx *ctx, void *dst, const clg_buf *b, size_t n);
int clg_buf_fill(clg_ctx *ctx, clg_buf *b, float value, size_t n);
/* dst[0..n) = src[0..n) on the device */
int clg_buf_copy(clg_ctx *ctx, clg_buf *dst, const clg_buf *src, size_t n);
/* dst[dst_off..+n) = src[src_off..+n) (offsets in elements) */
int clg_buf_copy_at(clg_ctx *ctx, clg_buf *dst, size_t dst_off, const clg_buf *src, size_t src_off, size_t n);
/* n floats of host memory the device can map (CL_MEM_ALLOC_HOST_PTR: pinned on GPUs, so reads
 * and writes to it run at the link's full speed and need no copy through pageable memory),
 * mapped once: `ptr` is plain host memory for clg_buf_read/write (staging for the sums over
 * processes) until clg_host_buf_release unmaps it. */
typedef struct clg_host_buf {
    clg_buf buf;
    float *ptr;
} clg_host_buf;
int clg_host_buf_alloc(clg_ctx *ctx, clg_host_buf *h, size_t n, const char *what);
void clg_host_buf_release(clg_ctx *ctx, clg_host_buf *h);
/* Alignment in floats for arena regions on this device. */
size_t clg_align_floats(const clg_ctx *ctx);

#endif
