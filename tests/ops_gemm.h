/* ops_gemm.h — the op runner for clg_gemm against ref_gemm: every transpose pair, beta 0 (C not
 * read: NaN in C must not leak) and 1, leading dimensions padded, operands as views at an offset
 * inside bigger buffers, and C's padding and neighbours untouched. Its rows carry OP_GEMM, so the
 * harness runs them on each back end (cl/gemm.cl's kernels and CLBlast). Part of test_ops.c.
 */
#ifndef CLGAN_TEST_OPS_GEMM_H
#define CLGAN_TEST_OPS_GEMM_H

#include "ops.h"

/* One GEMM with leading dimensions padded by `ldpad` and the operands placed at offset `off`
 * floats inside bigger buffers (views, as in the network arenas) when `view` is set. */
static void gemm_case(int ta, int tb, size_t M, size_t N, size_t K, float alpha, float beta, size_t ldpad, int view)
{
    size_t ar = ta ? K : M, ac = ta ? M : K, br = tb ? N : K, bc = tb ? K : N;
    size_t lda = ac + ldpad, ldb = bc + ldpad, ldc = N + ldpad;
    size_t na = ar * lda, nb = br * ldb, nc = M * ldc;
    unsigned seed = (unsigned)(M * 131 + N * 17 + K + ta * 2 + tb);
    float *av = test_randu(na, seed, -1, 1), *bv = test_randu(nb, seed + 1, -1, 1), *cv = test_randu(nc, seed + 2, -1, 1);
    if (beta == 0.0f) /* BLAS: C is not read when beta = 0 (the layers rely on it: NaN must not leak in) */
        for (size_t i = 0; i < M; i++)
            for (size_t j = 0; j < N; j++) cv[i * ldc + j] = NAN;
    clg_buf A, B, C, pa, pb, pc;
    size_t off = view ? clg_align_floats(ctx) : 0;
    if (view) { /* each parent written whole (see shadow_sync), then views into it */
        float *t = calloc(2 * off + na + nb + nc + PAD, sizeof *t);
        memcpy(t + off, av, na * sizeof *av);
        pa = test_upload(ctx, t, off + na + PAD);
        memset(t, 0, 2 * off * sizeof *t);
        memcpy(t + 2 * off, bv, nb * sizeof *bv);
        pb = test_upload(ctx, t, 2 * off + nb);
        memset(t, 0, off * sizeof *t);
        memcpy(t + off, cv, nc * sizeof *cv);
        free(t);
        pc = up_pad(NULL, off + nc);
        t = test_download(ctx, &pc, off + nc + PAD);
        memcpy(t + off, cv, nc * sizeof *cv);
        CHECK_OK(ctx, clg_buf_write(ctx, &pc, t, off + nc + PAD, 1));
        free(t);
        CHECK_OK(ctx, clg_buf_view(ctx, &A, &pa, off, na, "A"));
        CHECK_OK(ctx, clg_buf_view(ctx, &B, &pb, 2 * off, nb, "B"));
        CHECK_OK(ctx, clg_buf_view(ctx, &C, &pc, off, nc, "C"));
    } else {
        A = test_upload(ctx, av, na), B = test_upload(ctx, bv, nb), C = up_pad(cv, nc);
    }
    CHECK_OK(ctx, clg_gemm(ctx, ta, tb, M, N, K, alpha, &A, lda, &B, ldb, beta, &C, ldc));
    float *h = view ? down_pad(&pc, off + nc, "gemm") : down_pad(&C, nc, "gemm");
    float *hc = h + off;
    double *r = dalloc(nc);
    ref_gemm(ta, tb, M, N, K, alpha, av, lda, bv, ldb, beta, cv, r, ldc);
    /* only the (M, N) block; the padding columns of C must be untouched */
    double e = 0;
    int pad_ok = 1;
    for (size_t i = 0; i < M; i++) {
        double ei = errv(hc + i * ldc, r + i * ldc, N, 1);
        if (!(ei <= e)) e = ei;
        for (size_t j = N; j < ldc; j++) pad_ok &= hc[i * ldc + j] == cv[i * ldc + j];
    }
    int front_ok = 1;
    for (size_t i = 0; i < off; i++) front_ok &= h[i] == 0.0f;
    CHECK_ERR(e, TOL_RED, "gemm %c%c M=%zu N=%zu K=%zu alpha=%g beta=%g ldpad=%zu view=%d: err %g", ta ? 'T' : 'N',
          tb ? 'T' : 'N', M, N, K, alpha, beta, ldpad, view, e);
    CHECK(pad_ok && front_ok, "gemm %c%c M=%zu N=%zu K=%zu: wrote outside C's block", ta ? 'T' : 'N', tb ? 'T' : 'N',
          M, N, K);
    free(h), free(r), free(av), free(bv), free(cv);
    clg_buf_release(&A), clg_buf_release(&B), clg_buf_release(&C);
    if (view) clg_buf_release(&pa), clg_buf_release(&pb), clg_buf_release(&pc);
}

/* Rows (M, N, K), up to a real MLP GAN layer (batch 64, 784 -> 257), and one above CLBlast's
 * default XGEMM_MIN_INDIRECT_SIZE (384^3 multiply-adds), where it switches from its direct kernels
 * to the indirect path (pad/transpose copies, then the tiled kernel): each transpose pair, beta 0
 * and 1. */
static void op_gemm(const op_case *row)
{
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++)
            for (int beta = 0; beta < 2; beta++)
                gemm_case(ta, tb, (size_t)row->p[0], (size_t)row->p[1], (size_t)row->p[2], 1.0f, (float)beta, 0, 0);
}

/* Rows (M, N, K, 2 alpha, beta, ldpad): strided, at an offset inside a bigger buffer, alpha != 1. */
static void op_gemm_view(const op_case *row)
{
    const int *p = row->p;
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++)
            gemm_case(ta, tb, (size_t)p[0], (size_t)p[1], (size_t)p[2], 0.5f * (float)p[3], (float)p[4], (size_t)p[5], 1);
}

#endif
