/* conv2d.c — 2-D convolution, PyTorch's nn.Conv2d with square kernels: weight (out,in,k,k), bias
 * (out), NCHW. Padding is a number (PyTorch, symmetric), "valid" (none) or "same" (Keras/TF:
 * output ceil(in/stride), total padding max((out-1)*s + k - in, 0), top/left total/2, the rest
 * bottom/right, so asymmetric for even totals).
 *
 * Forward per chunk of nc samples: im2col -> col (in*k*k, nc*P); one CLBlast GEMM
 * Y' (out, nc*P) = W col; a reorder kernel writes y (nc,out,P) and adds the bias.
 * Backward per chunk: dy is reordered to dY' (out, nc*P); dW += dY' col^T (im2col recomputed,
 * beta = 1); dcol = W^T dY'; col2im gathers dcol into dx (each input pixel sums its own
 * contributions: no atomics). db += per-channel sums of dy (layers/reduce.h).
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
#include <string.h>

#include "layers/im2col.h"
#include "layers/layer.h"
#include "layers/reduce.h"

typedef struct conv {
    int cin, cout, k, bias, chunk;
    clg_conv_geom g;  /* image = the input x, window positions = the output */
    size_t ck2, p;    /* in*k*k (GEMM inner size), OH*OW */
    size_t off2;      /* workspace offset of Y' / dY' (after col) */
    /* column cache: when the whole batch is one chunk, a training forward keeps its columns in
     * the layer's scratch and the backward that follows on the same input reuses them for dW
     * instead of running im2col again (the trainer always runs backward right after forward) */
    int cache, cache_valid, cache_n;
    cl_mem cache_mem;
    size_t cache_off;
    size_t red_off;   /* scratch offset of the bias gradient's partial sums (after the cache) */
} conv;

/* Output size and top padding along one axis (in, k, s > 0) for padding "same" (pad < 0) or a
 * number pad >= 0 ("valid" is 0); in long so that no option can overflow them. */
static void out_size(long in, long k, long s, long pad, int *out, int *top)
{
    if (pad < 0) {
        long o = (in + s - 1) / s, total = (o - 1) * s + k - in;
        *out = (int)o;
        *top = total > 0 ? (int)(total / 2) : 0;
        return;
    }
    *top = (int)pad;
    *out = in + 2 * pad >= k ? (int)((in + 2 * pad - k) / s + 1) : 0;
}

/* filters, kernel, stride and padding (conv_transpose2d has the same limit) */
#define CONV_LIMIT (1L << 20)

static int create(clg_layer *l, clg_opts *o, int batch, char *err, size_t errlen)
{
    int filters, k, s, bias, chunk, pad = 0;
    const char *pad_s, *init_s, *binit_s;
    TRY(clg_layer_opt_int(o, "filters", 0, 1, 1, CONV_LIMIT, &filters, err, errlen));
    TRY(clg_layer_opt_int(o, "kernel", 0, 1, 1, CONV_LIMIT, &k, err, errlen));
    TRY(clg_layer_opt_int(o, "stride", 1, 0, 1, CONV_LIMIT, &s, err, errlen));
    TRY(clg_layer_opt_int(o, "bias", 1, 0, 0, 1, &bias, err, errlen));
    TRY(clg_layer_opt_int(o, "chunk", 0, 0, 0, 1000000000L, &chunk, err, errlen));
    clg_opt_str(o, "padding", "0", &pad_s);
    clg_opt_str(o, "init", "torch", &init_s);
    clg_opt_str(o, "bias_init", "torch", &binit_s);
    if (!strcmp(pad_s, "same")) pad = -1;
    else if (strcmp(pad_s, "valid"))
        TRY(clg_layer_int_value(o, "padding", pad_s, 0, CONV_LIMIT, "a number >= 0, same or valid", &pad, err, errlen));
    int oh, ow, pt, pl;
    out_size(l->in.h, k, s, pad, &oh, &pt);
    out_size(l->in.w, k, s, pad, &ow, &pl);
    if (oh <= 0 || ow <= 0)
        return clg_layer_err(err, errlen, l, "kernel %d with padding=%s does not fit the %dx%d input", k, pad_s, l->in.h,
                             l->in.w);
    /* weights and columns: int fans and kernel indices; a huge kernel fails here, not in a product */
    size_t k2 = (size_t)k * k, ck2 = clg_mul_sat((size_t)l->in.c, k2);
    TRY(clg_layer_check_count(err, errlen, l, "one filter's weights (input channels x kernel^2)", 1, ck2));
    TRY(clg_layer_check_count(err, errlen, l, "one input channel's weights (filters x kernel^2)", 1,
                              clg_mul_sat((size_t)filters, k2)));
    size_t p = (size_t)oh * ow, col_ps = clg_mul_sat(ck2, p), y_ps = clg_mul_sat((size_t)filters, p);
    TRY(clg_layer_check_count(err, errlen, l, "the im2col workspace", 1,
                              col_ps > SIZE_MAX - y_ps ? SIZE_MAX : col_ps + y_ps));
    conv *c = calloc(1, sizeof *c);
    if (!c) return CLG_ERR_NOMEM;
    l->priv = c;
    c->cin = l->in.c;
    c->cout = filters;
    c->k = k;
    c->bias = bias != 0;
    c->g = (clg_conv_geom){l->in.c, l->in.h, l->in.w, oh, ow, k, s, pt, pl};
    c->ck2 = ck2;
    c->p = p;
    l->out = (clg_shape){filters, oh, ow};
    c->chunk = clg_conv_chunk(batch, col_ps + y_ps, chunk);
    c->off2 = clg_round_up(col_ps * c->chunk, 64);
    l->workspace_floats = c->off2 + y_ps * c->chunk;
    c->cache = c->chunk >= batch && col_ps * batch <= ((size_t)16 << 20); /* at most 64 MiB */
    if (c->cache) l->scratch_floats = col_ps * batch;
    c->red_off = l->scratch_floats;
    if (bias) l->scratch_floats += clg_sum_scratch((size_t)filters, (size_t)batch * c->p);
    /* the input and output at the whole batch are checked by the network (clg_layer_check_io) */
    TRY(clg_layer_check_count(err, errlen, l, "the im2col workspace", 1, l->workspace_floats));
    clg_init wi, bi;
    TRY(clg_parse_init(&wi, init_s, l, err, errlen));
    TRY(clg_parse_init(&bi, binit_s, l, err, errlen));
    clg_param *w = clg_layer_param(l, "weight", 1, wi, 4, (int[]){filters, c->cin, k, k});
    w->fan_in = c->cin * k * k;
    w->fan_out = filters * k * k;
    if (c->bias) {
        clg_param *b = clg_layer_param(l, "bias", 1, bi, 1, (int[]){filters});
        b->fan_in = w->fan_in;
        b->fan_out = w->fan_out;
    }
    return CLG_OK;
}

static int forward(clg_layer *l, clg_ctx *ctx, clg_buf *y, const clg_buf *x, int n, int train)
{
    conv *c = l->priv;
    const clg_buf *ws = &l->workspace, *bias = c->bias ? &l->params[1].value : NULL;
    size_t in_ps = clg_shape_size(l->in), out_ps = clg_shape_size(l->out);
    int keep = c->cache && train && n <= c->chunk;
    const clg_buf *colbuf = keep ? &l->scratch : ws;
    clg_buf col = keep ? l->scratch : clg_buf_at(ws, 0), yp = clg_buf_at(ws, c->off2);
    c->cache_valid = keep;
    c->cache_mem = x->mem;
    c->cache_off = x->off;
    c->cache_n = n;
    for (int n0 = 0; n0 < n; n0 += c->chunk) {
        int nc = n - n0 < c->chunk ? n - n0 : c->chunk;
        size_t m = (size_t)nc * c->p;
        TRY(clg_im2col(ctx, colbuf, 0, x, n0 * in_ps, &c->g, nc));
        TRY(clg_gemm(ctx, 0, 0, (size_t)c->cout, m, c->ck2, 1.0f, &l->params[0].value, c->ck2, &col, m, 0.0f, &yp, m));
        TRY(clg_unpack_cn(ctx, y, n0 * out_ps, ws, c->off2, bias, c->cout, (int)c->p, nc));
    }
    return CLG_OK;
}

static int backward(clg_layer *l, clg_ctx *ctx, clg_buf *dx, const clg_buf *dy, const clg_buf *x, const clg_buf *y,
                    int n, int param_grads)
{
    (void)y;
    conv *c = l->priv;
    const clg_buf *ws = &l->workspace, *w = &l->params[0].value;
    size_t in_ps = clg_shape_size(l->in), out_ps = clg_shape_size(l->out);
    clg_buf col = clg_buf_at(ws, 0), dyp = clg_buf_at(ws, c->off2);
    if (!dx && !param_grads) return CLG_OK;
    for (int n0 = 0; n0 < n; n0 += c->chunk) {
        int nc = n - n0 < c->chunk ? n - n0 : c->chunk;
        size_t m = (size_t)nc * c->p;
        TRY(clg_pack_cn(ctx, ws, c->off2, dy, n0 * out_ps, c->cout, (int)c->p, nc));
        if (param_grads) {
            int cached = c->cache_valid && c->cache_mem == x->mem && c->cache_off == x->off && c->cache_n == n;
            if (!cached) TRY(clg_im2col(ctx, ws, 0, x, n0 * in_ps, &c->g, nc));
            TRY(clg_gemm(ctx, 0, 1, (size_t)c->cout, c->ck2, m, 1.0f, &dyp, m, cached ? &l->scratch : &col, m, 1.0f,
                         &l->params[0].grad, c->ck2));
        }
        if (dx) {
            TRY(clg_gemm(ctx, 1, 0, c->ck2, m, (size_t)c->cout, 1.0f, w, c->ck2, &dyp, m, 0.0f, &col, m));
            TRY(clg_col2im(ctx, dx, n0 * in_ps, ws, 0, NULL, &c->g, nc));
        }
    }
    if (param_grads && c->bias)
        TRY(clg_bias_grad_nchw(ctx, &l->params[1].grad, dy, n, c->cout, (int)c->p, &l->scratch, c->red_off));
    return CLG_OK;
}

static void destroy(clg_layer *l) { free(l->priv); }

const clg_layer_ops clg_layer_conv2d = {
    "conv2d", "filters=N kernel=K stride=S padding=P|same|valid bias=1|0 init=INIT bias_init=INIT chunk=N", create,
    forward, backward, destroy};
