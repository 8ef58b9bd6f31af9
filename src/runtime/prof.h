/* prof.h — profiling (clgan bench): when enabled (a queue made with CL_QUEUE_PROFILING_ENABLE),
 * each kernel, GEMM and copy gets an event tagged with the current tag; clg_prof_collect adds
 * each tag's device time (seconds) into sums[tag] (tags < ntags) and releases the events.
 */
#ifndef CLGAN_RUNTIME_PROF_H
#define CLGAN_RUNTIME_PROF_H

#include "runtime/core.h"

int clg_prof_enable(clg_ctx *ctx, int capacity);
static inline void clg_prof_tag(clg_ctx *ctx, int tag) { ctx->prof_tag = tag; }
void clg_prof_add(clg_ctx *ctx, cl_event ev);
int clg_prof_collect(clg_ctx *ctx, double *sums, int ntags);
/* The event argument of an enqueue: &ev while profiling, else NULL. */
#define CLG_PROF_EVENT(ctx, ev) ((ctx)->prof_on ? &(ev) : NULL)

#endif
