/* conv_transpose2d.c — transposed 2-D convolution, PyTorch's nn.ConvTranspose2d with square
 * kernels: weight (in,out,k,k), bias (out), NCHW; it is the adjoint (input gradient) of a conv2d
 * from the output back to the input, whose weight has the same memory layout.
 *
 * Padding: a number P with output_padding OP (PyTorch), "same" or "valid" (Keras); options,
 * padding rules and the chunk plan are shared with conv2d (conv_common.c). Rows/columns that no
 * input reaches hold the bias only.
 *
 * Forward per chunk of nc samples: x is reordered to X' (in, nc*HW); one CLBlast GEMM
 * col (out*k*k, nc*HW) = W^T X'; col2im gathers col into y (each output pixel sums its own
 * contributions: no atomics) and adds the bias. Backward per chunk: dW += X' dcolT (beta = 1)
 * with dcolT = im2col(dy) transposed (im2col_t: a plain GEMM, see conv2d.c); dcol = im2col(dy),
 * dX' = W dcol, reordered into dx; db += per-channel sums of dy.
 * One GEMM per chunk rather than per-sample or strided-batched GEMMs, measured on PoCL + CLBlast
 * for convT 112->56 k4 s2 on 128x112x4x4 (GEMMs alone): forward ~50 ms as one GEMM vs
 * ~380 ms strided-batched or per sample; dW ~100 vs ~290 ms; dX' ~60 vs ~80 ms (see conv2d.c).
 * The workspace (col + X') is bounded by CLG_CONV_WORKSPACE floats; larger batches run in
 * balanced chunks (option chunk=N caps the samples per chunk).
 */
#include <stdlib.h>

#include "layers/conv_common.h"
#include "layers/reduce.h"

static int create(clg_layer *l, const clg_optval *v, int batch, clg_err *e)
{
    clg_conv *c = clg_layer_priv(l, sizeof *c, e);
    if (!c) return CLG_ERR_NOMEM;
    TRY(clg_conv_plan(c, l, v, batch, 1, e));
    clg_conv_params(c, l, v, batch, 1);
    return CLG_OK;
}

/* The weight the GEMMs use: the parameter, or when an upsampling is folded in (see
 * clg_conv_fold_upsample) the folded kernel, written into the scratch from it first. */
static int weight(clg_layer *l, clg_ctx *ctx, const clg_buf **w, clg_buf *wf)
{
    const clg_conv *c = l->priv;
    *w = &l->params[0].value;
    if (!c->ups) return CLG_OK;
    *wf = clg_buf_at(&l->scratch, c->fold_off);
    *w = wf;
    return CLG_LAUNCH1(ctx, CLG_K_FOLD_UP, c->fold_n, KA_MEM(l->scratch.sub), KA_LONG(c->fold_off),
                       KA_MEM(l->params[0].value.sub), KA_LONG(0), KA_INT(c->cin * c->cout), KA_INT(c->k),
                       KA_INT(c->ups));
}

static int forward(clg_layer *l, clg_ctx *ctx, clg_buf *y, const clg_buf *x, int n, int train)
{
    (void)train;
    const clg_conv *c = l->priv;
    const clg_buf *ws = &l->workspace, *bias = c->bias ? &l->params[1].value : NULL;
    size_t in_ps = clg_shape_size(l->in), out_ps = clg_shape_size(l->out);
    clg_buf col = clg_buf_at(ws, 0), xp = clg_buf_at(ws, c->off2), wf;
    const clg_buf *w;
    if (c->direct) return clg_dconv_scatter(ctx, y, x, &l->params[0].value, 0, bias, &c->g, c->cin, n);
    TRY(weight(l, ctx, &w, &wf));
    for (int n0 = 0, nc; n0 < n; n0 += nc) {
        size_t m = clg_conv_chunk_at(c, n, n0, &nc);
        TRY(clg_pack_cn(ctx, ws, c->off2, x, n0 * in_ps, c->cin, (int)c->p, nc));
        TRY(clg_gemm(ctx, 1, 0, c->ck2, m, (size_t)c->cin, 1.0f, w, c->ck2, &xp, m, 0.0f, &col, m));
        TRY(clg_col2im(ctx, y, n0 * out_ps, ws, 0, bias, &c->g, nc));
    }
    return CLG_OK;
}

static int backward(clg_layer *l, clg_ctx *ctx, clg_buf *dx, const clg_buf *dy, const clg_buf *x, const clg_buf *y,
                    int n, int param_grads)
{
    (void)y;
    const clg_conv *c = l->priv;
    const clg_buf *ws = &l->workspace;
    size_t in_ps = clg_shape_size(l->in), out_ps = clg_shape_size(l->out);
    clg_buf col = clg_buf_at(ws, 0), xp = clg_buf_at(ws, c->off2), wf, dwf;
    if (!dx && !param_grads) return CLG_OK;
    const clg_buf *w;
    TRY(weight(l, ctx, &w, &wf));
    /* a folded layer sums its weight gradient over the chunks in the folded layout first */
    clg_buf *dw = &l->params[0].grad;
    if (c->ups) dwf = clg_buf_at(&l->scratch, c->fold_off + c->fold_n), dw = &dwf;
    if (c->direct) { /* the output is the image, the input the positions */
        if (param_grads) TRY(clg_conv_direct_wgrad(c, l, ctx, dw, 1, x, dy, c->cin, n));
        if (dx) TRY(clg_dconv_gather(ctx, dx, dy, w, 0, NULL, &c->g, c->cin, n));
    }
    /* dW += X' dcolT, dcolT = im2col(dy) transposed (m, ck2), or X' dcol^T; dcol, when that is
     * what the weight gradient took, serves dx too */
    int tr = param_grads && c->ck2 >= CLG_CONV_DW_NN_MIN && c->cin >= CLG_CONV_DW_NN_ROWS;
    for (int n0 = 0, nc; n0 < n && !c->direct; n0 += nc) {
        size_t m = clg_conv_chunk_at(c, n, n0, &nc);
        if (param_grads) {
            TRY((tr ? clg_im2col_t : clg_im2col)(ctx, ws, 0, dy, n0 * out_ps, &c->g, nc));
            TRY(clg_pack_cn(ctx, ws, c->off2, x, n0 * in_ps, c->cin, (int)c->p, nc));
            float beta = c->ups && n0 == 0 ? 0.0f : 1.0f;
            TRY(clg_gemm(ctx, 0, !tr, (size_t)c->cin, c->ck2, m, 1.0f, &xp, m, &col, tr ? c->ck2 : m, beta, dw, c->ck2));
        }
        if (dx) {
            if (!param_grads || tr) TRY(clg_im2col(ctx, ws, 0, dy, n0 * out_ps, &c->g, nc));
            TRY(clg_gemm(ctx, 0, 0, (size_t)c->cin, m, c->ck2, 1.0f, w, c->ck2, &col, m, 0.0f, &xp, m));
            TRY(clg_unpack_cn(ctx, dx, n0 * in_ps, ws, c->off2, NULL, c->cin, (int)c->p, nc));
        }
    }
    if (param_grads && c->ups)
        TRY(CLG_LAUNCH1(ctx, CLG_K_UNFOLD_UP_GRAD, (size_t)c->cin * c->cout * c->k * c->k, KA_MEM(l->params[0].grad.sub),
                        KA_LONG(0), KA_MEM(l->scratch.sub), KA_LONG(c->fold_off + c->fold_n),
                        KA_INT(c->cin * c->cout), KA_INT(c->k), KA_INT(c->ups)));
    if (param_grads && c->bias)
        TRY(clg_bias_grad_nchw(ctx, &l->params[1].grad, dy, n, c->cout, c->g.h * c->g.w, &l->scratch, c->red_off));
    return CLG_OK;
}

static int absorb(clg_layer *l, const clg_layer *prev, int batch, clg_err *e)
{
    return clg_conv_fold_upsample(l->priv, l, prev, batch, e);
}

static void destroy(clg_layer *l) { free(l->priv); }

/* the GEMMs' work: with an upsampling folded in, the folded weight's at the input's positions */
static void cost(clg_layer_cost *k, const clg_layer *l, int n)
{
    const clg_conv *c = l->priv;
    clg_layer_cost_gemm(k, l, n, (double)c->p * c->cin * c->ck2 / (double)l->params[0].count);
}

const clg_layer_ops clg_layer_conv_transpose2d = {.type = "conv_transpose2d", .options = clg_conv_options,
                                                  .noptions = CLG_CONVT_NOPTIONS, .create = create, .forward = forward,
                                                  .backward = backward, .destroy = destroy, .cost = cost,
                                                  .absorb = absorb};
