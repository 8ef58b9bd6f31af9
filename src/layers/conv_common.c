/* conv_common.c — the create step conv2d and conv_transpose2d share (see conv_common.h): options,
 * padding rules, int-index checks, chunk plan, workspace and parameters.
 *
 * Padding, conv2d: a number (PyTorch, symmetric), "valid" (none) or "same" (Keras/TF: output
 * ceil(in/stride), total padding max((out-1)*s + k - in, 0), top/left total/2, the rest
 * bottom/right, so asymmetric for even totals).
 * Padding, conv_transpose2d: a number P with output_padding OP (PyTorch: out = (in-1)*s - 2P + k
 * + OP, crop P on top/left), "same" (Keras Conv2DTranspose: out = in*s, the gradient of a 'same'
 * conv from in*s to in, so the crop is max(k-s,0) in total, total/2 on top/left) or "valid"
 * (Keras: out = in*s + max(k-s,0), no crop).
 */
#include <stdlib.h>

#include "layers/conv_common.h"
#include "layers/reduce.h"

/* filters, kernel, stride, padding and each transposed output side */
#define CONV_LIMIT (1L << 20)
#define PAD_SAME (-1)  /* the words of padding=, read as -1, -2 */
#define PAD_VALID (-2)

const clg_option clg_conv_options[CLG_CONVT_NOPTIONS] = {
    [CONV_FILTERS] = {"filters", CLG_OPTION_INT, NULL, 1, CONV_LIMIT, NULL, "N"},
    [CONV_KERNEL] = {"kernel", CLG_OPTION_INT, NULL, 1, CONV_LIMIT, NULL, "K"},
    [CONV_STRIDE] = {"stride", CLG_OPTION_INT, "1", 1, CONV_LIMIT, NULL, "S"},
    [CONV_BIAS] = {"bias", CLG_OPTION_INT, "1", 0, 1, NULL, "0|1"},
    /* at most this many samples per chunk (0: as many as the workspace budget allows) */
    [CONV_CHUNK] = {"chunk", CLG_OPTION_INT, "0", 0, 1000000000L, NULL, "N"},
    [CONV_PADDING] = {"padding", CLG_OPTION_INT, "0", 0, CONV_LIMIT, "same|valid", "P"},
    [CONV_INIT] = {"init", CLG_OPTION_INIT, "torch", 0, 0, NULL, "INIT"},
    [CONV_BIAS_INIT] = {"bias_init", CLG_OPTION_INIT, "torch", 0, 0, NULL, "INIT"},
    /* direct kernels (cl/dconv.cl) instead of im2col + GEMM: 1, 0, or auto (CLG_DCONV_MAX_F) */
    [CONV_DIRECT] = {"direct", CLG_OPTION_INT, "auto", 0, 1, "auto", "0|1"},
    [CONV_OUTPUT_PADDING] = {"output_padding", CLG_OPTION_INT, "0", 0, CONV_LIMIT, NULL, "OP"},
};

/* conv2d: output size and top padding along one axis (in, k, s > 0) for padding "same" or a
 * number pad >= 0 ("valid" is 0); in long so that no option can overflow them. */
static void conv_out(long in, long k, long s, long pad, int *out, int *top)
{
    if (pad == PAD_SAME) {
        long o = (in + s - 1) / s, total = (o - 1) * s + k - in;
        *out = (int)o;
        *top = total > 0 ? (int)(total / 2) : 0;
        return;
    }
    *top = (int)pad;
    *out = in + 2 * pad >= k ? (int)((in + 2 * pad - k) / s + 1) : 0;
}

/* conv_transpose2d: output size and top crop along one axis; with the options' limits it cannot
 * overflow a long. */
static long convt_out(long in, long k, long s, long pad, long op, int *top)
{
    if (pad == PAD_SAME) {
        *top = k > s ? (int)((k - s) / 2) : 0;
        return in * s;
    }
    if (pad == PAD_VALID) {
        *top = 0;
        return in * s + (k > s ? k - s : 0);
    }
    *top = (int)pad;
    return (in - 1) * s - 2 * pad + k + op;
}

/* The output shape and window geometry from the options. */
static int geometry(clg_conv *c, clg_layer *l, const clg_optval *v, int transposed, clg_err *e)
{
    int k = v[CONV_KERNEL].i, s = v[CONV_STRIDE].i, pad = v[CONV_PADDING].i, filters = v[CONV_FILTERS].i, pt, pl;
    const char *pad_s = v[CONV_PADDING].text;
    if (!transposed) {
        int oh, ow;
        if (pad == PAD_VALID) pad = 0;
        conv_out(l->in.h, k, s, pad, &oh, &pt);
        conv_out(l->in.w, k, s, pad, &ow, &pl);
        if (oh <= 0 || ow <= 0)
            return clg_layer_err(e, l, "kernel %d with padding=%s does not fit the %dx%d input", k, pad_s, l->in.h,
                                 l->in.w);
        c->g = (clg_conv_geom){l->in.c, l->in.h, l->in.w, oh, ow, k, s, pt, pl};
        l->out = (clg_shape){filters, oh, ow};
        return CLG_OK;
    }
    int op = v[CONV_OUTPUT_PADDING].i;
    if (op >= s) return clg_layer_err(e, l, "output_padding=%d must be smaller than stride=%d", op, s);
    if (op && pad < 0)
        return clg_layer_err(e, l, "output_padding goes with a numeric padding, not padding=%s", pad_s);
    long oh = convt_out(l->in.h, k, s, pad, op, &pt), ow = convt_out(l->in.w, k, s, pad, op, &pl);
    if (oh <= 0 || ow <= 0) return clg_layer_err(e, l, "padding=%s crops the whole %ldx%ld output", pad_s, oh, ow);
    if (oh > CONV_LIMIT || ow > CONV_LIMIT)
        return clg_layer_err(e, l, "output %ldx%ld (from %dx%d, kernel %d, stride %d) is above the limit %ld per side",
                             oh, ow, l->in.h, l->in.w, k, s, CONV_LIMIT);
    c->g = (clg_conv_geom){filters, (int)oh, (int)ow, l->in.h, l->in.w, k, s, pt, pl};
    l->out = (clg_shape){filters, (int)oh, (int)ow};
    return CLG_OK;
}

static int plan_chunks(clg_conv *c, clg_layer *l, int batch, size_t col_ps, size_t op_ps, const char *ws_name,
                       clg_err *e);

int clg_conv_plan(clg_conv *c, clg_layer *l, const clg_optval *v, int batch, int transposed, clg_err *e)
{
    int filters = v[CONV_FILTERS].i, k = v[CONV_KERNEL].i;
    TRY(geometry(c, l, v, transposed, e));
    /* weights and columns: int fans and kernel indices; a huge kernel fails here, not in a product.
     * The GEMM's inner size is the image's channels x k^2: the input's for conv2d, the filters'
     * for the transposed one (whose image is its output). */
    size_t k2 = (size_t)k * k, ck2 = clg_mul_sat((size_t)c->g.c, k2);
    const char *filter_w = "one filter's weights (input channels x kernel^2)",
               *channel_w = "one input channel's weights (filters x kernel^2)";
    TRY(clg_layer_check_count(e, l, transposed ? channel_w : filter_w, 1, ck2));
    TRY(clg_layer_check_count(e, l, transposed ? filter_w : channel_w, 1,
                              clg_mul_sat(transposed ? (size_t)l->in.c : (size_t)filters, k2)));
    /* the second operand: Y' (filters, nc*OH*OW) for conv2d, X' (in, nc*IH*IW) for the transposed */
    size_t p = (size_t)c->g.oh * c->g.ow, col_ps = clg_mul_sat(ck2, p);
    size_t op_ps = transposed ? clg_shape_count(l->in) : clg_mul_sat((size_t)filters, p);
    const char *ws_name = transposed ? "the col2im workspace" : "the im2col workspace";
    TRY(clg_layer_check_count(e, l, ws_name, 1, col_ps > SIZE_MAX - op_ps ? SIZE_MAX : col_ps + op_ps));
    c->cin = l->in.c;
    c->cout = filters;
    c->k = k;
    c->bias = v[CONV_BIAS].i != 0;
    c->ck2 = ck2;
    c->p = p;
    c->chunk_opt = v[CONV_CHUNK].i;
    c->direct = v[CONV_DIRECT].i < 0 ? !transposed && filters <= CLG_DCONV_MAX_F && c->g.s == 1 : v[CONV_DIRECT].i;
    if (c->direct) { /* the per-sample weight gradients first in the scratch, then their sum's scratch */
        size_t nw = clg_mul_sat((size_t)c->cin * filters, k2);
        TRY(clg_layer_check_count(e, l, "the per-sample weight gradients", batch, nw));
        c->part_off = nw * (size_t)batch;
        l->scratch_floats = c->part_off + clg_sum_scratch(nw, (size_t)batch);
    }
    return plan_chunks(c, l, batch, col_ps, op_ps, ws_name, e);
}

/* Columns per sample col_ps and the second operand's op_ps: chunk size, workspace layout. */
static int plan_chunks(clg_conv *c, clg_layer *l, int batch, size_t col_ps, size_t op_ps, const char *ws_name,
                       clg_err *e)
{
    c->col_ps = col_ps;
    if (c->direct) { /* one launch over the whole batch, no columns */
        c->chunk = batch;
        c->off2 = l->workspace_floats = 0;
        return CLG_OK;
    }
    c->chunk = clg_conv_chunk(batch, col_ps + op_ps, c->chunk_opt);
    c->off2 = clg_round_up(col_ps * c->chunk, 64);
    l->workspace_floats = c->off2 + op_ps * c->chunk;
    /* the input and output at the whole batch are checked by clg_layer_create (check_io) */
    return clg_layer_check_count(e, l, ws_name, 1, l->workspace_floats);
}

int clg_conv_replan(clg_conv *c, clg_layer *l, int batch, size_t col_ps, size_t op_ps, clg_err *e)
{
    TRY(clg_layer_check_count(e, l, "the im2col workspace", 1, col_ps > SIZE_MAX - op_ps ? SIZE_MAX : col_ps + op_ps));
    return plan_chunks(c, l, batch, col_ps, op_ps, "the im2col workspace", e);
}

int clg_conv_fold_upsample(clg_conv *c, clg_layer *l, const clg_layer *prev, int batch, clg_err *e)
{
    int s = clg_upsample_nearest_scale(prev);
    if (s < 2 || c->g.s != 1 || c->ups || c->direct) return 0; /* direct kernels keep the parts at scratch 0 */
    int kf = c->k + s - 1;
    size_t kf2 = (size_t)kf * kf, ck2 = clg_mul_sat((size_t)c->cout, kf2);
    TRY(clg_layer_check_count(e, l, "one input channel's folded weights (filters x (kernel+scale-1)^2)", 1, ck2));
    size_t fold_n = clg_mul_sat((size_t)c->cin, ck2);
    TRY(clg_layer_check_count(e, l, "the folded weight", 1, fold_n));
    l->in = prev->in;
    c->ups = s;
    c->g = (clg_conv_geom){c->cout, c->g.h, c->g.w, l->in.h, l->in.w, kf, s, c->g.pt, c->g.pl};
    c->ck2 = ck2;
    c->p = (size_t)l->in.h * l->in.w;
    c->fold_off = l->scratch_floats;
    c->fold_n = fold_n;
    l->scratch_floats += 2 * fold_n;
    TRY(plan_chunks(c, l, batch, clg_mul_sat(ck2, c->p), clg_shape_count(l->in), "the col2im workspace", e));
    return 1;
}

int clg_conv_direct_wgrad(const clg_conv *c, clg_layer *l, clg_ctx *ctx, const clg_buf *dw, int acc,
                          const clg_buf *pos, const clg_buf *img, int J, int n)
{
    size_t nw = (size_t)J * c->g.c * c->g.k * c->g.k;
    /* the parts at the scratch's start: the sums read them from the start of the view */
    TRY(clg_dconv_wgrad(ctx, &l->scratch, 0, pos, img, &c->g, J, n));
    return clg_chan_sums(ctx, dw, 0, acc, &l->scratch, c->part_off, CLG_SUM_X, &l->scratch, NULL, NULL, 0, 1.0f,
                         (size_t)n, (int)nw, 1);
}

void clg_conv_params(clg_conv *c, clg_layer *l, const clg_optval *v, int batch, int transposed)
{
    int filters = c->cout, k = c->k;
    c->red_off = l->scratch_floats;
    if (c->bias) /* the bias gradient's partial sums, over the output's pixels */
        l->scratch_floats += clg_plane_sum_scratch((size_t)filters, (size_t)batch, (size_t)l->out.h * l->out.w);
    /* PyTorch's layouts, weight (out,in,k,k) and (in,out,k,k) for the transposed, and its fans
     * (fan_in = size(1)*k*k): the same numbers from both, in the other order */
    int a = transposed ? c->cin : filters, b = transposed ? filters : c->cin;
    clg_param *w = clg_layer_param(l, "weight", 1, v[CONV_INIT].init, 4, (int[]){a, b, k, k});
    w->fan_in = b * k * k;
    w->fan_out = a * k * k;
    if (c->bias) {
        clg_param *bp = clg_layer_param(l, "bias", 1, v[CONV_BIAS_INIT].init, 1, (int[]){filters});
        bp->fan_in = w->fan_in;
        bp->fan_out = w->fan_out;
    }
}
