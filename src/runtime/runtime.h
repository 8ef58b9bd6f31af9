/* runtime.h — the OpenCL runtime behind a clg_ctx: device choice, the program build and its
 * on-disk binary cache, the kernel table, kernel launches, device buffers, and error reporting.
 * Everything here is internal to libclgan; the public face is include/clgan/clgan.h.
 */
#ifndef CLGAN_RUNTIME_H
#define CLGAN_RUNTIME_H

#ifndef CL_TARGET_OPENCL_VERSION
#define CL_TARGET_OPENCL_VERSION 120
#endif
#define CL_USE_DEPRECATED_OPENCL_1_2_APIS
#include <CL/cl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>

#include "base/err.h"
#include "clgan/clgan.h"

/* The kernel table: one X-macro line per kernel, (enum name, program = cl/<file>.cl, kernel). */
#define CLG_KERNELS(K)                                  \
    K(FILL, common, fill)                               \
    K(AXPBY, common, axpby)                             \
    K(ADD_BIAS, common, add_bias)                       \
    K(LEAKY_FWD, activation, leaky_fwd)                 \
    K(LEAKY_BWD, activation, leaky_bwd)                 \
    K(TANH_FWD, activation, tanh_fwd)                   \
    K(TANH_BWD, activation, tanh_bwd)                   \
    K(SIGMOID_FWD, activation, sigmoid_fwd)             \
    K(SIGMOID_BWD, activation, sigmoid_bwd)             \
    K(IM2COL, conv, im2col)                             \
    K(COL2IM, conv, col2im)                             \
    K(PACK_CN, conv, pack_cn)                           \
    K(UNPACK_CN, conv, unpack_cn)                       \
    K(BN_STATS, batchnorm, bn_stats)                    \
    K(BN_APPLY, batchnorm, bn_apply)                    \
    K(BN_FWD_EVAL, batchnorm, bn_fwd_eval)              \
    K(BN_BWD, batchnorm, bn_bwd)                        \
    K(BN_BWD_COEF, batchnorm, bn_bwd_coef)              \
    K(CHAN_SUMS, reduce, chan_sums)                     \
    K(REDUCE_ROWS, reduce, reduce_rows)                 \
    K(COL_SUMS, reduce, col_sums)                       \
    K(UPSAMPLE_NEAREST_FWD, upsample, upsample_nearest_fwd) \
    K(UPSAMPLE_NEAREST_BWD, upsample, upsample_nearest_bwd) \
    K(UPSAMPLE_BILINEAR_FWD, upsample, upsample_bilinear_fwd) \
    K(UPSAMPLE_BILINEAR_BWD, upsample, upsample_bilinear_bwd) \
    K(DROPOUT_FWD, random, dropout_fwd)                 \
    K(DROPOUT_BWD, random, dropout_bwd)                 \
    K(NOISE_NORMAL, random, noise_normal)               \
    K(NOISE_UNIFORM, random, noise_uniform)             \
    K(GATHER_U8, data, gather_u8)                       \
    K(MAXOUT_FWD, maxout, maxout_fwd)                   \
    K(FMA_PEAK, bench, fma_peak)                        \
    K(GEMM_NN, gemm, gemm_nn)                           \
    K(GEMM_NT, gemm, gemm_nt)                           \
    K(GEMM_TN, gemm, gemm_tn)                           \
    K(GEMM_TT, gemm, gemm_tt)                           \
    K(MAXOUT_BWD, maxout, maxout_bwd)                   \
    K(BCE, loss, bce)                                   \
    K(SGD, optim, sgd)                                  \
    K(ADAM, optim, adam)                                \
    K(RMSPROP, optim, rmsprop)                          \
    K(CLIP_VALUE, optim, clip_value)                    \
    K(CLIP_SCALE, optim, clip_scale)

enum clg_kernel_id {
#define K(id, prog, fn) CLG_K_##id,
    CLG_KERNELS(K)
#undef K
    CLG_NKERNELS
};

#define CLG_MAX_PROGRAMS 16

struct clg_ctx {
    cl_platform_id platform;
    cl_device_id device;
    cl_context context;
    cl_command_queue queue;
    int profiling;                     /* queue made with CL_QUEUE_PROFILING_ENABLE */
    int no_cache;                      /* build programs from source, ignoring the disk cache */
    int gemm_own;                      /* 1: cl/gemm.cl (CPU devices), 0: CLBlast */
    int has_fma;                       /* CL_DEVICE_SINGLE_FP_CONFIG has hardware FMA */
    cl_program programs[CLG_MAX_PROGRAMS];
    cl_kernel kernels[CLG_NKERNELS];
    size_t align;                      /* sub-buffer origin alignment, bytes */
    size_t max_wg;                     /* CL_DEVICE_MAX_WORK_GROUP_SIZE */
    cl_ulong global_mem, max_alloc;    /* the device's limits ($CLGAN_TEST_* may lower them) */
    cl_ulong planned_bytes;            /* device memory held by the live networks' plans */
    long nallocs;                      /* device buffers created through clg_buf_alloc */
    int is_cpu;
    int gemm_forced;                   /* $CLGAN_GEMM chose the back end */
    char clblast_set[32];              /* CLBlast parameter set applied by clgan ("" = its defaults) */
    /* CLBlast's temporary matrices, sized while planning; see clg_gemm_plan_begin */
    int simulator;                     /* Oclgrind: zero new buffers from the host (see clg_buf_alloc) */
    int dry_run;                       /* planning pass: launches skipped, GEMMs planned and warmed */
    cl_mem gemm_tmp;
    size_t gemm_tmp_bytes;
    struct clg_gemm_shape *gemm_shapes; /* shapes seen, with their temporary size */
    int gemm_nshapes, gemm_shapes_cap;
    double build_seconds;              /* time spent building/loading programs */
    int cache_hits, cache_misses;
    char name[256], vendor[256], platform_name[256], version[128], driver[128];
    char desc[1400];
    clg_err err;                       /* the last failure: its status and message */
    char warning[2048];                /* a non-fatal problem for the caller to show (or "") */
    char tuned[64];                    /* the stored tuning choice clg_tune_apply found, or "" */
    char gemm_desc[256];               /* what clg_ctx_gemm reports */
    /* profiling (clgan bench): every enqueue records an event tagged with prof_tag */
    int prof_on, prof_tag;
    cl_event *prof_ev;
    int *prof_tags;
    int prof_n, prof_cap;
};

/* Profiling: when enabled (a queue made with CL_QUEUE_PROFILING_ENABLE), each kernel, GEMM and
 * copy gets an event tagged with the current tag; clg_prof_collect adds each tag's device time
 * (seconds) into sums[tag] (tags < ntags) and releases the events. */
int clg_prof_enable(clg_ctx *ctx, int capacity);
static inline void clg_prof_tag(clg_ctx *ctx, int tag) { ctx->prof_tag = tag; }
void clg_prof_add(clg_ctx *ctx, cl_event ev);
int clg_prof_collect(clg_ctx *ctx, double *sums, int ntags);
#define CLG_PROF_EVENT(ctx, ev) ((ctx)->prof_on ? &(ev) : NULL)

/* Record a failure in ctx->err and return `status` (so: `return clg_fail(ctx, st, ...)`). */
int clg_fail(clg_ctx *ctx, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A raw OpenCL (clblast = 0) or CLBlast (clblast = 1) code: the clg_status it maps to, its name
 * ("CL_OUT_OF_RESOURCES", "CLBlastInsufficientMemoryC"), a hint for the user (or ""). */
int clg_raw_status(int code, int clblast);
const char *clg_raw_name(int code, int clblast);
const char *clg_raw_hint(int code, int clblast);
/* A failed OpenCL/CLBlast call: records "CALL failed with NAME (CODE) (file:line): hint" and
 * returns the mapped status. */
int clg_raw_fail(clg_ctx *ctx, int code, int clblast, const char *call, const char *file, int line);
#define clg_cl_fail(ctx, code, call, file, line) clg_raw_fail((ctx), (code), 0, (call), (file), (line))
#define clg_blast_fail(ctx, code, call, file, line) clg_raw_fail((ctx), (code), 1, (call), (file), (line))
#define clg_cl_hint(code) clg_raw_hint((code), 0)

#define CL_CHECK(ctx, call)                                                   \
    do {                                                                      \
        cl_int e_ = (cl_int)(call);                                           \
        if (e_ != CL_SUCCESS)                                                 \
            return clg_cl_fail((ctx), e_, #call, __FILE__, __LINE__);         \
    } while (0)

/* The per-user cache folder ($CLGAN_CACHE_DIR, $XDG_CACHE_HOME/clgan or ~/.cache/clgan). */
void clg_cache_dir(char *out, size_t n);
void clg_mkdir_p(const char *path);

/* Device-tuned GEMM (tune.c): clg_tune measures the GEMM back ends and CLBlast parameter sets on
 * the configs' shapes, validates them against a reference, and stores the winner per device and
 * driver; clg_tune_apply (at context creation) applies a stored choice. A corrupt file is
 * ignored, with a warning kept in ctx->warning. */
int clg_tune(clg_ctx *ctx, FILE *log);
int clg_tune_apply(clg_ctx *ctx);
/* Set ctx->gemm_desc from what runs: the back end, CLBlast's parameters, and why (tuned, forced). */
void clg_gemm_describe(clg_ctx *ctx);

/* ---- device choice (device.c), pure host logic exposed for the tests ----------------------- */
typedef struct clg_dev_info {
    int pi, di;                        /* "P:D" as `clgan devices` prints it */
    cl_device_type type;
    unsigned compute_units, mhz;
    cl_ulong global_mem;
    char name[128], platform[128];
} clg_dev_info;
/* A simulator (Oclgrind reports every device type): never chosen unless named or alone. */
int clg_dev_is_simulator(const clg_dev_info *d);
/* The device for `spec`: "P:D", "gpu", "cpu", a name/platform substring, or NULL/"" for the
 * fastest real device (GPU over CPU, then compute units x clock, then memory). Returns its index
 * in devs, or -1 with a message listing the devices in msg. `origin` names where spec came from. */
int clg_dev_choose(const clg_dev_info *devs, int n, const char *spec, const char *origin, char *msg, size_t msglen);
/* Parse "OpenCL 1.2 ..." / "OpenCL C 1.1 ..." into major*10+minor (0 if unreadable). */
int clg_cl_version(const char *text);
/* Check a device's OpenCL version and OpenCL C version against what clgan needs (1.2); 0 when
 * fine, else -1 with a message in msg. */
int clg_check_cl_versions(const char *name, const char *version, const char *c_version, char *msg, size_t msglen);

/* Build (or load from the cache) every program and create every kernel. `options` are extra
 * build options (e.g. "-DTILE=8"); called by clg_ctx_create. */
int clg_build_kernels(clg_ctx *ctx, const char *options);

/* ---- kernel launches --------------------------------------------------------------------- */
typedef struct clg_karg {
    size_t size;
    const void *ptr;
} clg_karg;

#define KA_MEM(m) ((clg_karg){sizeof(cl_mem), &(m)})
#define KA_INT(v) ((clg_karg){sizeof(cl_int), &(cl_int){(cl_int)(v)}})
#define KA_LONG(v) ((clg_karg){sizeof(cl_long), &(cl_long){(cl_long)(v)}})
#define KA_UINT(v) ((clg_karg){sizeof(cl_uint), &(cl_uint){(cl_uint)(v)}})
#define KA_FLT(v) ((clg_karg){sizeof(cl_float), &(cl_float){(cl_float)(v)}})
#define KA_LOCAL(bytes) ((clg_karg){(bytes), NULL})

/* Work-group sizes are few and fixed (PoCL compiles one binary per local size). */
#define CLG_WG 64        /* elementwise kernels */
#define CLG_WG_REDUCE 64 /* reductions: the loss kernel's single group, layers/reduce.c's groups */

/* Wait for every command queued so far (a failure inside one is reported here). */
int clg_finish(clg_ctx *ctx);

int clg_launch(clg_ctx *ctx, int kernel, int dims, const size_t *global, const size_t *local,
               int nargs, const clg_karg *args);

/* n work-items (rounded up to CLG_WG) of a 1-D elementwise kernel. */
#define CLG_LAUNCH1(ctx, k, n, ...)                                                   \
    clg_launch((ctx), (k), 1, (size_t[]){clg_round_up((size_t)(n), CLG_WG)},          \
               (size_t[]){CLG_WG}, (int)(sizeof((clg_karg[]){__VA_ARGS__}) / sizeof(clg_karg)), \
               (clg_karg[]){__VA_ARGS__})
/* One work-group of CLG_WG_REDUCE items (reductions that loop over their input). */
#define CLG_LAUNCH_GROUP(ctx, k, ...)                                                 \
    clg_launch((ctx), (k), 1, (size_t[]){CLG_WG_REDUCE}, (size_t[]){CLG_WG_REDUCE},   \
               (int)(sizeof((clg_karg[]){__VA_ARGS__}) / sizeof(clg_karg)), (clg_karg[]){__VA_ARGS__})
/* 2-D launch: (x, y) work-items, rounded up to (16, 4) groups. */
#define CLG_LAUNCH2(ctx, k, nx, ny, ...)                                              \
    clg_launch((ctx), (k), 2,                                                         \
               (size_t[]){clg_round_up((size_t)(nx), 16), clg_round_up((size_t)(ny), 4)}, \
               (size_t[]){16, 4}, (int)(sizeof((clg_karg[]){__VA_ARGS__}) / sizeof(clg_karg)), \
               (clg_karg[]){__VA_ARGS__})

/* 3-D launch: (x, y, z) work-items in fixed (8, 4, 1) groups. */
#define CLG_LAUNCH3(ctx, k, nx, ny, nz, ...)                                          \
    clg_launch((ctx), (k), 3,                                                         \
               (size_t[]){clg_round_up((size_t)(nx), 8), clg_round_up((size_t)(ny), 4), (size_t)(nz)}, \
               (size_t[]){8, 4, 1}, (int)(sizeof((clg_karg[]){__VA_ARGS__}) / sizeof(clg_karg)), \
               (clg_karg[]){__VA_ARGS__})

static inline size_t clg_round_up(size_t n, size_t m) { return (n + m - 1) / m * m; }

/* ---- buffers ------------------------------------------------------------------------------ */
/* A device buffer of floats: either its own allocation or a region of an arena. */
typedef struct clg_buf {
    cl_mem mem;     /* the whole allocation (for CLBlast, with `off`) */
    cl_mem sub;     /* a sub-buffer for our kernels (== mem when off == 0 and owned) */
    size_t off;     /* offset in floats into mem */
    size_t n;       /* length in floats */
} clg_buf;

int clg_buf_alloc(clg_ctx *ctx, clg_buf *b, size_t nfloats, const char *what);
/* Before allocating `total` bytes (`what`: "the generator's memory plan ...") whose largest buffer
 * has `largest` bytes (`largest_what`: "the generator activations", used with "take"): fail with
 * a message giving the sizes, the device's limit (CL_DEVICE_MAX_MEM_ALLOC_SIZE for one buffer,
 * CL_DEVICE_GLOBAL_MEM_SIZE less ctx->planned_bytes for all) and `hint` (what to change). */
int clg_mem_check(clg_ctx *ctx, size_t total, const char *what, size_t largest, const char *largest_what,
                  const char *hint);
/* A region [off, off+n) of a parent buffer, where off is a multiple of the device alignment. */
int clg_buf_view(clg_ctx *ctx, clg_buf *b, const clg_buf *parent, size_t off, size_t n,
                 const char *what);
void clg_buf_release(clg_buf *b);
int clg_buf_write(clg_ctx *ctx, clg_buf *b, const float *src, size_t n, int blocking);
int clg_buf_read(clg_ctx *ctx, float *dst, const clg_buf *b, size_t n);
int clg_buf_fill(clg_ctx *ctx, clg_buf *b, float value, size_t n);
/* dst[0..n) = src[0..n) on the device */
int clg_buf_copy(clg_ctx *ctx, clg_buf *dst, const clg_buf *src, size_t n);
/* Alignment in floats for arena regions on this device. */
size_t clg_align_floats(const clg_ctx *ctx);

/* GEMM planning. Between begin and end (a dry run of a network's passes, before the first step)
 * kernel launches and transfers are skipped, and each CLBlast GEMM shape is recorded with the
 * size of the temporary buffer its indirect kernel needs, that buffer grown to the largest, and
 * the GEMM run once so CLBlast builds its program then and not inside a step. A shape not seen
 * while planning still works (the buffer grows once, counted in ctx->nallocs). */
void clg_gemm_plan_begin(clg_ctx *ctx);
int clg_gemm_plan_end(clg_ctx *ctx);
/* Forget the recorded shapes (CLBlast's parameters changed: their temporary sizes may too). */
void clg_gemm_forget(clg_ctx *ctx);

/* CLBlast row-major GEMM: C = alpha * op(A) * op(B) + beta * C, with A (M,K), B (K,N) after op. */
int clg_gemm(clg_ctx *ctx, int trans_a, int trans_b, size_t m, size_t n, size_t k, float alpha,
             const clg_buf *a, size_t lda, const clg_buf *b, size_t ldb, float beta,
             clg_buf *c, size_t ldc);

#endif
