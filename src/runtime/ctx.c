/* ctx.c — a clg_ctx from its parameters, top of the runtime: the device opened (device.c), the
 * GEMM back end chosen (forced, tuned, or the device's default), the kernels' tunables set (the
 * table's, then a stored tuning's, tune.c) and the programs built with them (program.c); and the
 * context's public getters and free.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/device.h"
#include "runtime/gemm.h"
#include "runtime/program.h"

void clg_ctx_params_init(clg_ctx_params *p) { memset(p, 0, sizeof *p); }

/* Copy the caller's strings into the context (the params may not outlive the call). */
static void keep(char *dst, size_t n, const char *s, const char *dflt) { snprintf(dst, n, "%s", s && *s ? s : dflt); }

int clg_ctx_open(clg_ctx **out, const clg_ctx_params *params)
{
    clg_ctx_params p;
    if (params) p = *params;
    else clg_ctx_params_init(&p);
    clg_ctx *ctx = calloc(1, sizeof *ctx);
    *out = ctx;
    if (!ctx) return CLG_ERR_NOMEM;
    keep(ctx->cache_dir, sizeof ctx->cache_dir, p.cache_dir, "");
    keep(ctx->cl_dir, sizeof ctx->cl_dir, p.cl_dir, "");
    keep(ctx->device_origin, sizeof ctx->device_origin, p.device_origin, "--device");
    keep(ctx->gemm_origin, sizeof ctx->gemm_origin, p.gemm_origin, "forced");
    ctx->params = p; /* (its strings point at the copies; the device is not needed again) */
    ctx->params.device = NULL;
    ctx->params.cache_dir = ctx->cache_dir;
    ctx->params.cl_dir = ctx->cl_dir;
    ctx->params.device_origin = ctx->device_origin;
    ctx->params.gemm_origin = ctx->gemm_origin;
    ctx->no_cache = p.no_cache != 0;
    const char *g = p.gemm;
    if (g && *g && strcmp(g, "own") && strcmp(g, "clblast"))
        return clg_fail(ctx, CLG_ERR_ARG, "%s=%s: expected clblast or own", ctx->gemm_origin, g);
    ctx->params.gemm = g && *g ? (!strcmp(g, "own") ? "own" : "clblast") : NULL;
    int st = clg_device_open(ctx, &p);
    if (st != CLG_OK) return st;
    /* GEMM: our register-tiled kernel on CPU devices, where it measured 5-50x faster than CLBlast
     * (measured with a standalone benchmark, since replaced by `clgan tune`); CLBlast elsewhere,
     * unless the params force one. */
    ctx->gemm_forced = g && *g;
    ctx->gemm_own = g && *g ? !strcmp(g, "own") : ctx->is_cpu;
    /* the tunables: the table's, the device's, then a stored tuning's, before any program is built */
    clg_tunables_init(ctx, ctx->tun);
    TRY(clg_tune_apply(ctx));
    st = clg_build_kernels(ctx, "");
    clg_gemm_describe(ctx);
    return st;
}

int clg_ctx_create_ex(clg_ctx **out, const char *spec, int flags)
{
    clg_ctx_params p;
    clg_ctx_params_init(&p);
    p.device = spec;
    p.profiling = (flags & CLG_CTX_PROFILING) != 0;
    p.no_cache = (flags & CLG_CTX_NO_CACHE) != 0;
    return clg_ctx_open(out, &p);
}

int clg_ctx_create(clg_ctx **out, const char *spec) { return clg_ctx_create_ex(out, spec, 0); }

double clg_ctx_build_seconds(const clg_ctx *ctx) { return ctx ? ctx->build_seconds : 0; }

const char *clg_ctx_warning(const clg_ctx *ctx) { return ctx ? ctx->warning : ""; }

const char *clg_ctx_gemm(const clg_ctx *ctx) { return ctx ? ctx->gemm_desc : ""; }

int clg_tune_device(clg_ctx *ctx, FILE *log) { return clg_tune(ctx, log); }

const char *clg_ctx_device_desc(const clg_ctx *ctx) { return ctx ? ctx->desc : ""; }

void clg_ctx_free(clg_ctx *ctx)
{
    if (!ctx) return;
    for (int i = 0; i < CLG_NKERNELS; i++)
        if (ctx->kernels[i]) clReleaseKernel(ctx->kernels[i]);
    for (int i = 0; i < CLG_MAX_PROGRAMS; i++)
        if (ctx->programs[i]) clReleaseProgram(ctx->programs[i]);
    if (ctx->queue) {
        clFinish(ctx->queue);
        clReleaseCommandQueue(ctx->queue);
    }
    clg_gemm_release(ctx);
    if (ctx->context) clReleaseContext(ctx->context);
    free(ctx->prof_ev);
    free(ctx->prof_tags);
    free(ctx);
}

int clg_ctx_open_like(clg_ctx **out, const clg_ctx *like, const char *spec, int flags)
{
    clg_ctx_params p = like->params;
    p.device = spec;
    p.profiling = (flags & CLG_CTX_PROFILING) != 0;
    p.no_cache = p.no_cache || (flags & CLG_CTX_NO_CACHE);
    return clg_ctx_open(out, &p);
}
