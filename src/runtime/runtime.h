/* runtime.h — the OpenCL runtime behind a clg_ctx, one include for the parts above it. Its parts,
 * each including only those below it:
 *   core.h     the clg_ctx, failures and the status mapping (error.c), the kernel table (kernels.h)
 *   device.h   device choice and opening (device.c)
 *   prof.h     profiling events (prof.c)
 *   program.h  program build and binary cache (program.c)
 *   launch.h   kernel launches (launch.c)
 *   buffer.h   typed device buffers, memory checks, transfers (buffer.c)
 *   gemm.h     the GEMM dispatcher and its back ends (gemm.c, gemm_own.c, gemm_clblast.c), tuning
 *              (tune.c); ctx.c opens a context from its parameters on top of them all.
 * Everything here is internal to libclgan; the public face is include/clgan/clgan.h.
 */
#ifndef CLGAN_RUNTIME_H
#define CLGAN_RUNTIME_H

#include "runtime/buffer.h"
#include "runtime/core.h"
#include "runtime/device.h"
#include "runtime/gemm.h"
#include "runtime/launch.h"
#include "runtime/prof.h"
#include "runtime/program.h"

/* Another context made as `like` was (cache folder, kernel folder, GEMM choice, limits) on the
 * device `spec`, with flags CLG_CTX_PROFILING / CLG_CTX_NO_CACHE (bench's build-time probes). */
int clg_ctx_open_like(clg_ctx **out, const clg_ctx *like, const char *spec, int flags);

#endif
