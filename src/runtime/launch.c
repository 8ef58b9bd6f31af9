/* launch.c — setting a kernel's arguments and enqueueing it (with a profiling event when on),
 * and waiting for the queue.
 */
#include "runtime/launch.h"
#include "runtime/prof.h"
#include "runtime/program.h"

int clg_launch(clg_ctx *ctx, int kernel, int dims, const size_t *global, const size_t *local,
               int nargs, const clg_karg *args)
{
    if (ctx->dry_run) return CLG_OK; /* planning pass (clg_gemm_plan_begin) */
    cl_kernel k = ctx->kernels[kernel];
    for (int i = 0; i < nargs; i++) {
        cl_int e = clSetKernelArg(k, (cl_uint)i, args[i].size, args[i].ptr);
        if (e != CL_SUCCESS)
            return clg_fail(ctx, clg_raw_status(e, 0), "clSetKernelArg(%s, arg %d) failed with %s (%d)",
                            clg_kernel_names[kernel].kernel, i, clg_raw_name(e, 0), e);
    }
    cl_event ev;
    cl_int e = clEnqueueNDRangeKernel(ctx->queue, k, (cl_uint)dims, NULL, global, local, 0, NULL,
                                      CLG_PROF_EVENT(ctx, ev));
    if (e == CL_SUCCESS && ctx->prof_on) clg_prof_add(ctx, ev);
    if (e != CL_SUCCESS) {
        clg_cl_fail(ctx, e, "clEnqueueNDRangeKernel", __FILE__, __LINE__);
        return clg_err_prefix(&ctx->err, "kernel %s", clg_kernel_names[kernel].kernel);
    }
    return CLG_OK;
}

int clg_finish(clg_ctx *ctx)
{
    CL_CHECK(ctx, clFinish(ctx->queue));
    return CLG_OK;
}
