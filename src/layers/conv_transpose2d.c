/* conv_transpose2d.c — transposed 2-D convolution, PyTorch's nn.ConvTranspose2d with square
 * kernels: weight (in,out,k,k), bias (out), NCHW; it is the adjoint (input gradient) of a conv2d
 * from the output back to the input, whose weight has the same memory layout.
 *
 * Padding: a number P with output_padding OP (PyTorch: out = (in-1)*s - 2P + k + OP, crop P on
 * top/left), "same" (Keras Conv2DTranspose: out = in*s, the gradient of a 'same' conv from in*s
 * to in, so the crop is max(k-s,0) in total, total/2 on top/left) or "valid" (Keras:
 * out = in*s + max(k-s,0), no crop). Rows/columns that no input reaches hold the bias only.
 *
 * Forward per chunk of nc samples: x is reordered to X' (in, nc*HW); one CLBlast GEMM
 * col (out*k*k, nc*HW) = W^T X'; col2im gathers col into y (each output pixel sums its own
 * contributions: no atomics) and adds the bias. Backward per chunk: dcol = im2col(dy);
 * dW += X' dcol^T (beta = 1); dX' = W dcol, reordered into dx; db += per-channel sums of dy.
 * One GEMM per chunk rather than per-sample or strided-batched GEMMs, measured on PoCL + CLBlast
 * for convT 112->56 k4 s2 on 128x112x4x4 (GEMMs alone): forward ~50 ms as one GEMM vs
 * ~380 ms strided-batched or per sample; dW ~100 vs ~290 ms; dX' ~60 vs ~80 ms (see conv2d.c). The workspace (col + X') is bounded by CLG_CONV_WORKSPACE floats; larger
 * batches run in balanced chunks (option chunk=N caps the samples per chunk).
 */
#include <stdlib.h>
#include <string.h>

#include "layers/im2col.h"
#include "layers/layer.h"
#include "layers/reduce.h"

typedef struct convt {
    int cin, cout, k, bias, chunk;
    clg_conv_geom g;  /* image = the output y, window positions = the input pixels */
    size_t ck2, p;    /* out*k*k, H*W of the input */
    size_t off2;      /* workspace offset of X' / dX' (after col) */
} convt;

/* Output size and top crop along one axis for padding "same" (pad -1), "valid" (pad -2) or a
 * number pad >= 0, in long: with the options' limits it cannot overflow (the caller bounds it). */
static long out_size(long in, long k, long s, long pad, long op, int *top)
{
    if (pad == -1) {
        *top = k > s ? (int)((k - s) / 2) : 0;
        return in * s;
    }
    if (pad == -2) {
        *top = 0;
        return in * s + (k > s ? k - s : 0);
    }
    *top = (int)pad;
    return (in - 1) * s - 2 * pad + k + op;
}

#define CONV_LIMIT (1L << 20) /* filters, kernel, stride, padding and each output side */

static int create(clg_layer *l, clg_opts *o, int batch, char *err, size_t errlen)
{
    int filters, k, s, op, bias, chunk, pad = 0;
    const char *pad_s, *init_s, *binit_s;
    TRY(clg_layer_opt_int(o, "filters", 0, 1, 1, CONV_LIMIT, &filters, err, errlen));
    TRY(clg_layer_opt_int(o, "kernel", 0, 1, 1, CONV_LIMIT, &k, err, errlen));
    TRY(clg_layer_opt_int(o, "stride", 1, 0, 1, CONV_LIMIT, &s, err, errlen));
    TRY(clg_layer_opt_int(o, "output_padding", 0, 0, 0, CONV_LIMIT, &op, err, errlen));
    TRY(clg_layer_opt_int(o, "bias", 1, 0, 0, 1, &bias, err, errlen));
    TRY(clg_layer_opt_int(o, "chunk", 0, 0, 0, 1000000000L, &chunk, err, errlen));
    clg_opt_str(o, "padding", "0", &pad_s);
    clg_opt_str(o, "init", "torch", &init_s);
    clg_opt_str(o, "bias_init", "torch", &binit_s);
    if (op >= s)
        return clg_layer_err(err, errlen, l, "output_padding=%d must be smaller than stride=%d", op, s);
    if (!strcmp(pad_s, "same")) pad = -1;
    else if (!strcmp(pad_s, "valid")) pad = -2;
    else TRY(clg_layer_int_value(o, "padding", pad_s, 0, CONV_LIMIT, "a number >= 0, same or valid", &pad, err, errlen));
    if (op && pad < 0)
        return clg_layer_err(err, errlen, l, "output_padding goes with a numeric padding, not padding=%s", pad_s);
    int pt, pl;
    long oh = out_size(l->in.h, k, s, pad, op, &pt), ow = out_size(l->in.w, k, s, pad, op, &pl);
    if (oh <= 0 || ow <= 0)
        return clg_layer_err(err, errlen, l, "padding=%s crops the whole %ldx%ld output", pad_s, oh, ow);
    if (oh > CONV_LIMIT || ow > CONV_LIMIT)
        return clg_layer_err(err, errlen, l, "output %ldx%ld (from %dx%d, kernel %d, stride %d) is above the limit %ld "
                             "per side", oh, ow, l->in.h, l->in.w, k, s, CONV_LIMIT);
    /* weights and columns: int fans and kernel indices; a huge kernel fails here, not in a product */
    size_t k2 = (size_t)k * k, ck2 = clg_mul_sat((size_t)filters, k2);
    TRY(clg_layer_check_count(err, errlen, l, "one input channel's weights (filters x kernel^2)", 1, ck2));
    TRY(clg_layer_check_count(err, errlen, l, "one filter's weights (input channels x kernel^2)", 1,
                              clg_mul_sat((size_t)l->in.c, k2)));
    size_t p = (size_t)l->in.h * l->in.w, col_ps = clg_mul_sat(ck2, p), x_ps = clg_shape_count(l->in);
    TRY(clg_layer_check_count(err, errlen, l, "the col2im workspace", 1,
                              col_ps > SIZE_MAX - x_ps ? SIZE_MAX : col_ps + x_ps));
    convt *c = calloc(1, sizeof *c);
    if (!c) return CLG_ERR_NOMEM;
    l->priv = c;
    c->cin = l->in.c;
    c->cout = filters;
    c->k = k;
    c->bias = bias != 0;
    c->g = (clg_conv_geom){filters, (int)oh, (int)ow, l->in.h, l->in.w, k, s, pt, pl};
    c->ck2 = ck2;
    c->p = p;
    l->out = (clg_shape){filters, (int)oh, (int)ow};
    c->chunk = clg_conv_chunk(batch, col_ps + x_ps, chunk);
    c->off2 = clg_round_up(col_ps * c->chunk, 64);
    l->workspace_floats = c->off2 + x_ps * c->chunk;
    if (bias) l->scratch_floats = clg_sum_scratch((size_t)filters, (size_t)batch * oh * ow); /* bias gradient */
    /* the input and output at the whole batch are checked by the network (clg_layer_check_io) */
    TRY(clg_layer_check_count(err, errlen, l, "the col2im workspace", 1, l->workspace_floats));
    clg_init wi, bi;
    TRY(clg_parse_init(&wi, init_s, l, err, errlen));
    TRY(clg_parse_init(&bi, binit_s, l, err, errlen));
    /* PyTorch's fans for ConvTranspose2d: from weight (in,out,k,k), fan_in = size(1)*k*k. */
    clg_param *w = clg_layer_param(l, "weight", 1, wi, 4, (int[]){c->cin, filters, k, k});
    w->fan_in = filters * k * k;
    w->fan_out = c->cin * k * k;
    if (c->bias) {
        clg_param *b = clg_layer_param(l, "bias", 1, bi, 1, (int[]){filters});
        b->fan_in = w->fan_in;
        b->fan_out = w->fan_out;
    }
    return CLG_OK;
}

static int forward(clg_layer *l, clg_ctx *ctx, clg_buf *y, const clg_buf *x, int n, int train)
{
    (void)train;
    convt *c = l->priv;
    const clg_buf *ws = &l->workspace, *bias = c->bias ? &l->params[1].value : NULL;
    size_t in_ps = clg_shape_size(l->in), out_ps = clg_shape_size(l->out);
    clg_buf col = clg_buf_at(ws, 0), xp = clg_buf_at(ws, c->off2);
    for (int n0 = 0; n0 < n; n0 += c->chunk) {
        int nc = n - n0 < c->chunk ? n - n0 : c->chunk;
        size_t m = (size_t)nc * c->p;
        TRY(clg_pack_cn(ctx, ws, c->off2, x, n0 * in_ps, c->cin, (int)c->p, nc));
        TRY(clg_gemm(ctx, 1, 0, c->ck2, m, (size_t)c->cin, 1.0f, &l->params[0].value, c->ck2, &xp, m, 0.0f, &col, m));
        TRY(clg_col2im(ctx, y, n0 * out_ps, ws, 0, bias, &c->g, nc));
    }
    return CLG_OK;
}

static int backward(clg_layer *l, clg_ctx *ctx, clg_buf *dx, const clg_buf *dy, const clg_buf *x, const clg_buf *y,
                    int n, int param_grads)
{
    (void)y;
    convt *c = l->priv;
    const clg_buf *ws = &l->workspace, *w = &l->params[0].value;
    size_t in_ps = clg_shape_size(l->in), out_ps = clg_shape_size(l->out);
    clg_buf col = clg_buf_at(ws, 0), xp = clg_buf_at(ws, c->off2);
    if (!dx && !param_grads) return CLG_OK;
    for (int n0 = 0; n0 < n; n0 += c->chunk) {
        int nc = n - n0 < c->chunk ? n - n0 : c->chunk;
        size_t m = (size_t)nc * c->p;
        TRY(clg_im2col(ctx, ws, 0, dy, n0 * out_ps, &c->g, nc));
        if (param_grads) {
            TRY(clg_pack_cn(ctx, ws, c->off2, x, n0 * in_ps, c->cin, (int)c->p, nc));
            TRY(clg_gemm(ctx, 0, 1, (size_t)c->cin, c->ck2, m, 1.0f, &xp, m, &col, m, 1.0f, &l->params[0].grad,
                         c->ck2));
        }
        if (dx) {
            TRY(clg_gemm(ctx, 0, 0, (size_t)c->cin, m, c->ck2, 1.0f, w, c->ck2, &col, m, 0.0f, &xp, m));
            TRY(clg_unpack_cn(ctx, dx, n0 * in_ps, ws, c->off2, NULL, c->cin, (int)c->p, nc));
        }
    }
    if (param_grads && c->bias)
        TRY(clg_bias_grad_nchw(ctx, &l->params[1].grad, dy, n, c->cout, c->g.h * c->g.w, &l->scratch, 0));
    return CLG_OK;
}

static void destroy(clg_layer *l) { free(l->priv); }

const clg_layer_ops clg_layer_conv_transpose2d = {
    "conv_transpose2d",
    "filters=N kernel=K stride=S padding=P|same|valid output_padding=OP bias=1|0 init=INIT bias_init=INIT chunk=N",
    create, forward, backward, destroy};
