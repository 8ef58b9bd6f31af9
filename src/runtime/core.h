/* core.h — the bottom of the runtime: the OpenCL headers, the clg_ctx every part works on (its
 * fields are grouped by the part that owns them), and failure reporting into the context's
 * clg_err (error.c), with the mapping of raw OpenCL and CLBlast codes into clgan's statuses; the
 * kernel table (kernels.h) and the tunables table (tunables.h) below it.
 */
#ifndef CLGAN_RUNTIME_CORE_H
#define CLGAN_RUNTIME_CORE_H

#ifndef CL_TARGET_OPENCL_VERSION
#define CL_TARGET_OPENCL_VERSION 120
#endif
#define CL_USE_DEPRECATED_OPENCL_1_2_APIS
#include <CL/cl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include "base/err.h"
#include "clgan/clgan.h"
#include "runtime/kernels.h"
#include "runtime/tunables.h"

struct clg_gemm_shape;

struct clg_ctx {
    /* device (device.c) */
    cl_platform_id platform;
    cl_device_id device;
    cl_context context;
    cl_command_queue queue;
    int profiling;                     /* queue made with CL_QUEUE_PROFILING_ENABLE */
    int has_fma;                       /* CL_DEVICE_SINGLE_FP_CONFIG has hardware FMA */
    int is_cpu;
    int simulator;                     /* Oclgrind: zero new buffers from the host (see clg_buf_alloc) */
    unsigned compute_units, mhz, vector_width; /* for bench's peak estimate */
    unsigned fp32_lanes;               /* FP32 multiply-adds per clock per compute unit (device.c) */
    char lanes_how[64];                /* how fp32_lanes was reckoned, for bench's line */
    size_t align;                      /* sub-buffer origin alignment, bytes */
    size_t max_wg;                     /* CL_DEVICE_MAX_WORK_GROUP_SIZE */
    cl_ulong global_mem, max_alloc;    /* the device's limits (the params may lower them) */
    char name[256], vendor[256], platform_name[256], version[128], driver[128];
    char desc[1400];
    /* what the caller chose (ctx.c keeps copies of its strings) */
    clg_ctx_params params;
    char cache_dir[900], cl_dir[900], device_origin[64], gemm_origin[64];
    /* the kernels' tunables (tunables.c): the table's values, the device's, a tuning record's */
    int tun[CLG_NTUNABLES];
    /* programs (program.c) */
    int no_cache;                      /* build programs from source, ignoring the disk cache */
    cl_program programs[CLG_MAX_PROGRAMS];
    cl_kernel kernels[CLG_NKERNELS];
    double build_seconds;              /* time spent building/loading programs */
    int cache_hits, cache_misses;
    /* buffers (buffer.c) */
    cl_ulong planned_bytes;            /* device memory held by the live networks' plans */
    long nallocs;                      /* device buffers created through clg_buf_alloc */
    int dry_run;                       /* planning pass: launches skipped, GEMMs planned and warmed */
    /* GEMM (gemm*.c, tune.c) */
    int gemm_own;                      /* the back end that runs: CLG_GEMM_OWN (1) or CLG_GEMM_CLBLAST (0) */
    int gemm_forced;                   /* the params chose the back end */
    char clblast_set[32];              /* CLBlast parameter set applied by clgan ("" = its defaults) */
    cl_mem gemm_tmp;                   /* CLBlast's temporary matrices, sized while planning */
    size_t gemm_tmp_bytes;
    struct clg_gemm_shape *gemm_shapes; /* shapes seen, with their temporary size */
    int gemm_nshapes, gemm_shapes_cap;
    char tuned[64];                    /* the stored tuning choice clg_tune_apply found, or "" */
    char gemm_desc[256];               /* what clg_ctx_gemm reports */
    /* profiling (prof.c): every enqueue records an event tagged with prof_tag */
    int prof_on, prof_tag;
    cl_event *prof_ev;
    int *prof_tags;
    int prof_n, prof_cap;
    /* reporting (error.c) */
    clg_err err;                       /* the last failure: its status and message */
    char warning[2048];                /* a non-fatal problem for the caller to show (or "") */
};

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

#define CL_CHECK(ctx, call)                                                   \
    do {                                                                      \
        cl_int e_ = (cl_int)(call);                                           \
        if (e_ != CL_SUCCESS)                                                 \
            return clg_cl_fail((ctx), e_, #call, __FILE__, __LINE__);         \
    } while (0)

/* Work-group sizes are few and fixed (PoCL compiles one binary per local size); their values
 * are rows of the tunables table (tunables.h), the same on every device. Launch code reads a
 * context's values (clg_tunable); these names are for sizing without a context. */
#define CLG_WG_REDUCE CLG_TUNED_RED_WG    /* reductions: the loss kernel's single group, layers/reduce.c's groups */

static inline size_t clg_round_up(size_t n, size_t m) { return (n + m - 1) / m * m; }

/* mkdir -p (the cache folder) */
void clg_mkdir_p(const char *path);

#endif
