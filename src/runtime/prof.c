/* prof.c — per-command device times from profiling events, summed per tag (see prof.h). */
#include <stdlib.h>

#include "runtime/prof.h"

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
