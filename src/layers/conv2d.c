/* conv2d.c — 2-D convolution, PyTorch's nn.Conv2d with square kernels: weight (out,in,k,k), bias
 * (out), NCHW. Padding is a number (PyTorch), "valid" or "same" (Keras/TF); options, padding
 * rules and the chunk plan are shared with conv_transpose2d (conv_common.c).
 *
 * Forward per chunk of nc samples: im2col -> col (in*k*k, nc*P); one CLBlast GEMM
 * Y' (out, nc*P) = W col; a reorder kernel writes y (nc,out,P) and adds the bias.
 * Backward per chunk: dy is reordered to dY' (out, nc*P); dW += dY' colT (beta = 1), where colT
 * (nc*P, in*k*k) is the columns transposed (im2col_t), so that the product is a plain GEMM and not
 * one with a transposed operand (1.15-1.8x slower on PoCL); dcol = W^T dY'; col2im gathers dcol
 * into dx (each input pixel sums its own contributions: no atomics). With stride 1, padding of at
 * most k - 1 and no more output than input channels, dx is instead a convolution of dy (padded by
 * k - 1 - padding) with the weight flipped (flip_t): im2col(dy), one GEMM, a reorder; its columns
 * are no larger, and im2col writes them at several times col2im's speed (dx_conv). db +=
 * per-channel sums of dy (layers/reduce.h).
 *
 * Why one GEMM per chunk with a reorder, measured on PoCL 3.1 + CLBlast 1.5.3 (2 cores, conv
 * 64->128 k5 s2 on 128x64x14x14, GEMMs alone): forward ~0.40 s as one GEMM over the batch,
 * ~1.3 s as CLBlastSgemmStridedBatched (W shared, stride 0) and ~1.45 s as a loop of 128
 * per-sample GEMMs; dW ~0.6 s as one GEMM vs ~1.8 s per sample (K = 49 is far too short);
 * dcol ~0.26 s as one GEMM vs ~0.30 s strided-batched. The reorders cost ~8 ms each.
 * The workspace (col + Y') is bounded by CLG_CONV_WORKSPACE floats: larger batches run in
 * balanced chunks (option chunk=N caps the samples per chunk).
 */
#include <stdlib.h>

#include "layers/conv_common.h"
#include "layers/reduce.h"

static int create(clg_layer *l, const clg_optval *v, int batch, clg_err *e)
{
    clg_conv *c = clg_layer_priv(l, sizeof *c, e);
    if (!c) return CLG_ERR_NOMEM;
    TRY(clg_conv_plan(c, l, v, batch, 0, e));
    /* dx as a convolution where its columns are no larger than the forward's (out <= in channels)
     * and the padding is at most k - 1 on each side */
    const clg_conv_geom *g = &c->g;
    int k = c->k, pb = (g->oh - 1) + k - g->h - g->pt, pr = (g->ow - 1) + k - g->w - g->pl;
    size_t col2 = clg_mul_sat((size_t)c->cout * k * k, clg_shape_count(l->in) / c->cin);
    c->dx_conv = !c->direct && g->s == 1 && g->pt < k && g->pl < k && pb < k && pr < k && col2 <= c->col_ps;
    if (c->dx_conv) {
        c->gx = (clg_conv_geom){c->cout, g->oh, g->ow, g->h, g->w, k, 1, k - 1 - g->pt, k - 1 - g->pl};
        size_t op2 = clg_shape_count(l->in), op = (size_t)c->cout * c->p;
        TRY(clg_conv_replan(c, l, batch, c->col_ps, op2 > op ? op2 : op, e));
        c->flip_off = l->scratch_floats;
        l->scratch_floats += (size_t)c->cin * c->cout * k * k;
    }
    clg_conv_params(c, l, v, batch, 0);
    return CLG_OK;
}

static int forward(clg_layer *l, clg_ctx *ctx, clg_buf *y, const clg_buf *x, int n, int train)
{
    (void)train;
    const clg_conv *c = l->priv;
    const clg_buf *ws = &l->workspace, *bias = c->bias ? &l->params[1].value : NULL;
    size_t in_ps = clg_shape_size(l->in), out_ps = clg_shape_size(l->out);
    clg_buf col = clg_buf_at(ws, 0), yp = clg_buf_at(ws, c->off2);
    if (c->direct) return clg_dconv_gather(ctx, y, x, &l->params[0].value, 0, bias, &c->g, c->cout, n);
    for (int n0 = 0, nc; n0 < n; n0 += nc) {
        size_t m = clg_conv_chunk_at(c, n, n0, &nc);
        TRY(clg_im2col(ctx, ws, 0, x, n0 * in_ps, &c->g, nc));
        TRY(clg_gemm(ctx, 0, 0, (size_t)c->cout, m, c->ck2, 1.0f, &l->params[0].value, c->ck2, &col, m, 0.0f, &yp, m));
        TRY(clg_unpack_cn(ctx, y, n0 * out_ps, ws, c->off2, bias, c->cout, (int)c->p, nc));
    }
    return CLG_OK;
}

static int backward(clg_layer *l, clg_ctx *ctx, clg_buf *dx, const clg_buf *dy, const clg_buf *x, const clg_buf *y,
                    int n, int param_grads)
{
    (void)y;
    const clg_conv *c = l->priv;
    const clg_buf *ws = &l->workspace, *w = &l->params[0].value;
    size_t in_ps = clg_shape_size(l->in), out_ps = clg_shape_size(l->out);
    clg_buf col = clg_buf_at(ws, 0), dyp = clg_buf_at(ws, c->off2);
    if (!dx && !param_grads) return CLG_OK;
    if (c->direct) {
        if (param_grads) TRY(clg_conv_direct_wgrad(c, l, ctx, &l->params[0].grad, 1, dy, x, c->cout, n));
        if (dx) TRY(clg_dconv_scatter(ctx, dx, dy, w, 0, NULL, &c->g, c->cout, n));
    }
    clg_buf wf = clg_buf_at(&l->scratch, c->flip_off);
    size_t kk = (size_t)c->k * c->k, hw = (size_t)l->in.h * l->in.w;
    if (dx && c->dx_conv)
        TRY(CLG_LAUNCH1(ctx, CLG_K_FLIP_T, (size_t)c->cout * c->cin * kk, KA_MEM(l->scratch.sub), KA_LONG(c->flip_off),
                        KA_MEM(w->sub), KA_LONG(0), KA_INT(c->cout), KA_INT(c->cin), KA_INT(c->k)));
    for (int n0 = 0, nc; n0 < n && !c->direct; n0 += nc) {
        size_t m = clg_conv_chunk_at(c, n, n0, &nc);
        TRY(clg_pack_cn(ctx, ws, c->off2, dy, n0 * out_ps, c->cout, (int)c->p, nc));
        if (param_grads) { /* dW += dY' colT, colT = the columns transposed (m, ck2), or dY' col^T */
            int tr = c->ck2 >= CLG_CONV_DW_NN_MIN && c->cout >= CLG_CONV_DW_NN_ROWS;
            TRY((tr ? clg_im2col_t : clg_im2col)(ctx, ws, 0, x, n0 * in_ps, &c->g, nc));
            TRY(clg_gemm(ctx, 0, !tr, (size_t)c->cout, c->ck2, m, 1.0f, &dyp, m, &col, tr ? c->ck2 : m, 1.0f,
                         &l->params[0].grad, c->ck2));
        }
        if (dx && c->dx_conv) { /* dX' (in, nc*H*W) = flip_t(W) im2col(dy) over gx; dY' is done with */
            size_t m2 = (size_t)nc * hw, ck2x = (size_t)c->cout * kk;
            TRY(clg_im2col(ctx, ws, 0, dy, n0 * out_ps, &c->gx, nc));
            TRY(clg_gemm(ctx, 0, 0, (size_t)c->cin, m2, ck2x, 1.0f, &wf, ck2x, &col, m2, 0.0f, &dyp, m2));
            TRY(clg_unpack_cn(ctx, dx, n0 * in_ps, ws, c->off2, NULL, c->cin, (int)hw, nc));
        } else if (dx) {
            TRY(clg_gemm(ctx, 1, 0, c->ck2, m, (size_t)c->cout, 1.0f, w, c->ck2, &dyp, m, 0.0f, &col, m));
            TRY(clg_col2im(ctx, dx, n0 * in_ps, ws, 0, NULL, &c->g, nc));
        }
    }
    if (param_grads && c->bias)
        TRY(clg_bias_grad_nchw(ctx, &l->params[1].grad, dy, n, c->cout, (int)c->p, &l->scratch, c->red_off));
    return CLG_OK;
}

static void destroy(clg_layer *l) { free(l->priv); }

static void cost(clg_layer_cost *k, const clg_layer *l, int n) { clg_layer_cost_gemm(k, l, n, (double)l->out.h * l->out.w); }

const clg_layer_ops clg_layer_conv2d = CLG_LAYER_TYPE("conv2d", clg_conv_options, CLG_CONV_NOPTIONS, 0, cost);
