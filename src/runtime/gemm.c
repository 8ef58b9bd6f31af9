/* gemm.c — the GEMM dispatcher: the back end the context chose runs each GEMM (or does its
 * plan-time work while a network plans); planning, reset and release go to every back end.
 */
#include "runtime/gemm.h"

const clg_gemm_backend *const clg_gemm_backends[CLG_NGEMM] = {
    [CLG_GEMM_CLBLAST] = &clg_gemm_clblast_backend,
    [CLG_GEMM_OWN] = &clg_gemm_own_backend,
};

void clg_gemm_plan_begin(clg_ctx *ctx) { ctx->dry_run = 1; }

int clg_gemm_plan_end(clg_ctx *ctx)
{
    ctx->dry_run = 0;
    CL_CHECK(ctx, clFinish(ctx->queue));
    return CLG_OK;
}

void clg_gemm_forget(clg_ctx *ctx)
{
    for (int i = 0; i < CLG_NGEMM; i++) clg_gemm_backends[i]->reset(ctx);
}

void clg_gemm_release(clg_ctx *ctx)
{
    for (int i = 0; i < CLG_NGEMM; i++) clg_gemm_backends[i]->release(ctx);
}

int clg_gemm(clg_ctx *ctx, int trans_a, int trans_b, size_t m, size_t n, size_t k, float alpha,
             const clg_buf *a, size_t lda, const clg_buf *b, size_t ldb, float beta, clg_buf *c, size_t ldc)
{
    clg_gemm_args g = {trans_a, trans_b, m, n, k, alpha, beta, a, b, c, lda, ldb, ldc};
    return clg_gemm_backends[ctx->gemm_own ? CLG_GEMM_OWN : CLG_GEMM_CLBLAST]->run(ctx, &g);
}
