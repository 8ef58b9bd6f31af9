/* program.c — building the OpenCL programs once per context, with an on-disk binary cache.
 *
 * Sources come from the .cl files in cl/, embedded at build time (tools/embed_cl.cmake); the
 * context's cl_dir may point at a cl/ folder to load them from disk while editing kernels. Every
 * program is cl/prelude.cl followed by its own file, built with its tunables as -D (tunables.h). A
 * built program's binary is cached in the context's cache_dir (none when it is ""), keyed by a
 * hash of the source, build options, device name, driver version, platform version and a cache
 * version; it is written to a temp file and renamed, so a crash never leaves half a file.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "runtime/program.h"

#define CACHE_VERSION "clgan-cache-1"

struct clg_cl_source {
    const char *name;
    const char *text;
    size_t len;
};
extern const struct clg_cl_source clg_cl_sources[];

const struct clg_kernel_name clg_kernel_names[CLG_NKERNELS] = {
#define K(id, prog, fn) [CLG_K_##id] = {#prog, #fn},
    CLG_KERNELS(K)
#undef K
};
#define table clg_kernel_names

static uint64_t fnv1a(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static uint64_t fnv_str(uint64_t h, const char *s) { return fnv1a(h, s, strlen(s) + 1); }

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Source text of program `name`: from the context's cl_dir when set, else embedded. *owned is set
 * when the returned text must be freed. */
static const char *load_source(clg_ctx *ctx, const char *name, size_t *len, char **owned, int *st)
{
    *owned = NULL;
    *st = CLG_OK;
    const char *dir = ctx->cl_dir;
    if (*dir) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s.cl", dir, name);
        FILE *f = fopen(path, "rb");
        if (!f) {
            *st = clg_fail(ctx, CLG_ERR_IO, "%s: cannot open kernel source (the kernel folder %s): %s", path, dir, strerror(errno));
            return NULL;
        }
        fseek(f, 0, SEEK_END);
        long sz = ftell(f);
        fseek(f, 0, SEEK_SET);
        char *buf = malloc((size_t)sz + 1);
        if (!buf || fread(buf, 1, (size_t)sz, f) != (size_t)sz) {
            fclose(f);
            free(buf);
            *st = clg_fail(ctx, CLG_ERR_IO, "%s: cannot read kernel source", path);
            return NULL;
        }
        fclose(f);
        buf[sz] = 0;
        *owned = buf;
        *len = (size_t)sz;
        return buf;
    }
    for (int i = 0; clg_cl_sources[i].name; i++)
        if (!strcmp(clg_cl_sources[i].name, name)) {
            *len = clg_cl_sources[i].len;
            return clg_cl_sources[i].text;
        }
    *st = clg_fail(ctx, CLG_ERR_INTERNAL, "kernel source cl/%s.cl is not embedded in this build", name);
    return NULL;
}

static int build_log_fail(clg_ctx *ctx, cl_program prog, const char *name, cl_int e)
{
    size_t n = 0;
    clGetProgramBuildInfo(prog, ctx->device, CL_PROGRAM_BUILD_LOG, 0, NULL, &n);
    char *log = malloc(n + 1);
    if (log) {
        log[0] = 0;
        clGetProgramBuildInfo(prog, ctx->device, CL_PROGRAM_BUILD_LOG, n, log, NULL);
        log[n] = 0;
    }
    clg_fail(ctx, CLG_ERR_BUILD, "cl/%s.cl failed to build on %s (%s, %d):\n%s", name, ctx->name,
             clg_raw_name(e, 0), e, log ? log : "(no build log)");
    free(log);
    return CLG_ERR_BUILD;
}

static int try_cached(clg_ctx *ctx, const char *path, const char *opts, cl_program *out)
{
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *bin = sz > 0 ? malloc((size_t)sz) : NULL;
    int ok = bin && fread(bin, 1, (size_t)sz, f) == (size_t)sz;
    fclose(f);
    if (!ok) {
        free(bin);
        return 0;
    }
    size_t len = (size_t)sz;
    cl_int bst, e;
    const unsigned char *bins[1] = {bin};
    cl_program p = clCreateProgramWithBinary(ctx->context, 1, &ctx->device, &len, bins, &bst, &e);
    free(bin);
    if (e != CL_SUCCESS || bst != CL_SUCCESS) {
        if (p) clReleaseProgram(p);
        return 0;
    }
    if (clBuildProgram(p, 1, &ctx->device, opts, NULL, NULL) != CL_SUCCESS) {
        clReleaseProgram(p);
        return 0; /* stale or foreign binary: rebuild from source */
    }
    *out = p;
    return 1;
}

static void store_cached(clg_ctx *ctx, cl_program p, const char *dir, const char *path)
{
    (void)ctx;
    size_t len = 0;
    if (clGetProgramInfo(p, CL_PROGRAM_BINARY_SIZES, sizeof len, &len, NULL) != CL_SUCCESS || !len) return;
    unsigned char *bin = malloc(len);
    if (!bin) return;
    unsigned char *bins[1] = {bin};
    if (clGetProgramInfo(p, CL_PROGRAM_BINARIES, sizeof bins, bins, NULL) == CL_SUCCESS) {
        clg_mkdir_p(dir);
        char tmp[1200];
        snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid());
        FILE *f = fopen(tmp, "wb");
        if (f) {
            int ok = fwrite(bin, 1, len, f) == len;
            ok = (fclose(f) == 0) && ok;
            if (ok) rename(tmp, path);
            else remove(tmp);
        }
    }
    free(bin);
}

/* Program `name`'s source as built: cl/prelude.cl, then cl/<name>.cl from its line 1 (so the
 * compiler's line numbers are the file's). Returns a malloc'ed text, or NULL with the status. */
static char *assemble(clg_ctx *ctx, const char *name, size_t *len, int *st)
{
    static const char sep[] = "\n#line 1\n";
    size_t plen, blen;
    char *powned, *bowned, *src = NULL;
    const char *pre = load_source(ctx, "prelude", &plen, &powned, st);
    const char *body = pre ? load_source(ctx, name, &blen, &bowned, st) : NULL;
    if (body) {
        *len = plen + sizeof sep - 1 + blen;
        src = malloc(*len + 1);
        if (!src) *st = clg_fail(ctx, CLG_ERR_NOMEM, "cl/%s.cl: no memory for its source", name);
        else {
            memcpy(src, pre, plen);
            memcpy(src + plen, sep, sizeof sep - 1);
            memcpy(src + plen + sizeof sep - 1, body, blen);
            src[*len] = 0;
        }
        free(bowned);
    }
    free(powned);
    return src;
}

static int build_program(clg_ctx *ctx, const char *name, const char *options, cl_program *out)
{
    size_t len;
    int st;
    char *owned = assemble(ctx, name, &len, &st);
    const char *src = owned;
    if (!src) return st;
    char opts[1024];
    /* the kernels are OpenCL C 1.2 (clg_ctx_create_ex refused devices without it) */
    snprintf(opts, sizeof opts, "-cl-std=CL1.2 %s", options ? options : "");

    uint64_t h = 1469598103934665603ULL;
    h = fnv_str(h, CACHE_VERSION);
    h = fnv1a(h, src, len);
    h = fnv_str(h, opts);
    h = fnv_str(h, ctx->name);
    h = fnv_str(h, ctx->driver);
    h = fnv_str(h, ctx->version);
    h = fnv_str(h, ctx->platform_name);
    const char *dir = ctx->cache_dir;
    char path[1024];
    snprintf(path, sizeof path, "%s/%s-%016llx.bin", dir, name, (unsigned long long)h);

    int use_cache = *dir && !ctx->no_cache;
    if (use_cache && try_cached(ctx, path, opts, out)) {
        ctx->cache_hits++;
        free(owned);
        return CLG_OK;
    }
    ctx->cache_misses++;
    cl_int e;
    cl_program p = clCreateProgramWithSource(ctx->context, 1, &src, &len, &e);
    free(owned);
    CL_CHECK(ctx, e);
    e = clBuildProgram(p, 1, &ctx->device, opts, NULL, NULL);
    if (e != CL_SUCCESS) {
        int r = build_log_fail(ctx, p, name, e);
        clReleaseProgram(p);
        return r;
    }
    if (use_cache) store_cached(ctx, p, dir, path);
    *out = p;
    return CLG_OK;
}

/* Program `name` built with the caller's options and then its tunables as -D (tunables.h). */
static int build_tuned(clg_ctx *ctx, const char *name, const char *options, cl_program *out)
{
    char opts[768];
    int n = snprintf(opts, sizeof opts, "%s", options ? options : "");
    if (n < 0 || (size_t)n >= sizeof opts || clg_tunables_options(ctx, name, opts + n, sizeof opts - (size_t)n) < 0)
        return clg_fail(ctx, CLG_ERR_INTERNAL, "cl/%s.cl: build options longer than %zu bytes", name, sizeof opts);
    return build_program(ctx, name, opts, out);
}

int clg_build_kernels(clg_ctx *ctx, const char *options)
{
    double t0 = now_seconds();
    const char *names[CLG_MAX_PROGRAMS];
    int nprog = 0;
    for (int k = 0; k < CLG_NKERNELS; k++) {
        int found = -1;
        for (int i = 0; i < nprog; i++)
            if (!strcmp(names[i], table[k].program)) found = i;
        if (found < 0) {
            if (nprog == CLG_MAX_PROGRAMS) return clg_fail(ctx, CLG_ERR_INTERNAL, "too many OpenCL programs");
            names[nprog] = table[k].program;
            TRY(build_tuned(ctx, names[nprog], options, &ctx->programs[nprog]));
            found = nprog++;
        }
        cl_int e;
        ctx->kernels[k] = clCreateKernel(ctx->programs[found], table[k].kernel, &e);
        if (e != CL_SUCCESS)
            return clg_fail(ctx, CLG_ERR_BUILD, "kernel %s not found in cl/%s.cl (%s, %d)", table[k].kernel,
                            table[k].program, clg_raw_name(e, 0), e);
    }
    ctx->build_seconds = now_seconds() - t0;
    return CLG_OK;
}

int clg_rebuild_program(clg_ctx *ctx, const char *name)
{
    CL_CHECK(ctx, clFinish(ctx->queue)); /* nothing queued may still use the old kernels */
    cl_program prog = NULL, *slot = NULL;
    TRY(build_tuned(ctx, name, "", &prog));
    cl_kernel made[CLG_NKERNELS] = {0};
    int st = CLG_OK;
    for (int k = 0; k < CLG_NKERNELS && st == CLG_OK; k++) {
        if (strcmp(table[k].program, name)) continue;
        cl_int e;
        made[k] = clCreateKernel(prog, table[k].kernel, &e);
        if (e != CL_SUCCESS)
            st = clg_fail(ctx, CLG_ERR_BUILD, "kernel %s not found in cl/%s.cl (%s, %d)", table[k].kernel, name,
                          clg_raw_name(e, 0), e);
    }
    /* the old program is the one its kernels came from */
    for (int k = 0; k < CLG_NKERNELS && !slot; k++) {
        cl_program old;
        if (!made[k] || clGetKernelInfo(ctx->kernels[k], CL_KERNEL_PROGRAM, sizeof old, &old, NULL) != CL_SUCCESS)
            continue;
        for (int i = 0; i < CLG_MAX_PROGRAMS; i++)
            if (ctx->programs[i] == old) slot = &ctx->programs[i];
    }
    if (st == CLG_OK && !slot) st = clg_fail(ctx, CLG_ERR_INTERNAL, "cl/%s.cl: no such program in the context", name);
    for (int k = 0; k < CLG_NKERNELS; k++)
        if (made[k]) {
            if (st == CLG_OK) clReleaseKernel(ctx->kernels[k]), ctx->kernels[k] = made[k];
            else clReleaseKernel(made[k]);
        }
    if (st != CLG_OK) return clReleaseProgram(prog), st;
    clReleaseProgram(*slot);
    *slot = prog;
    return CLG_OK;
}
