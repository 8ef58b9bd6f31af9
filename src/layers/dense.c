/* dense.c — fully connected layer, PyTorch's nn.Linear: y (N,out) = x (N,in) W^T + b with
 * weight (out,in) and bias (out). All three products go to CLBlast GEMM; the bias gradient is a
 * per-feature sum (layers/reduce.h).
 */
#include <stdlib.h>

#include "layers/layer.h"
#include "layers/reduce.h"

typedef struct dense {
    int in, out, bias;
} dense;

enum { UNITS, BIAS, INIT, BIAS_INIT };
static const clg_option options[] = {
    [UNITS] = {"units", CLG_OPTION_INT, NULL, 1, 1000000000L, NULL, "N"},
    [BIAS] = {"bias", CLG_OPTION_INT, "1", 0, 1, NULL, "0|1"},
    [INIT] = {"init", CLG_OPTION_INIT, "torch", 0, 0, NULL, "INIT"},
    [BIAS_INIT] = {"bias_init", CLG_OPTION_INIT, "torch", 0, 0, NULL, "INIT"},
};

static int create(clg_layer *l, const clg_optval *v, int batch, clg_err *e)
{
    int units = v[UNITS].i;
    if (l->in.h != 1 || l->in.w != 1)
        return clg_layer_err(e, l, "needs a flat input but gets %dx%dx%d: add `layer = flatten` before it", l->in.c,
                             l->in.h, l->in.w);
    dense *d = clg_layer_priv(l, sizeof *d, e);
    if (!d) return CLG_ERR_NOMEM;
    d->in = l->in.c;
    d->out = units;
    d->bias = v[BIAS].i != 0;
    l->out = (clg_shape){units, 1, 1};
    clg_param *w = clg_layer_param(l, "weight", 1, v[INIT].init, 2, (int[]){units, d->in});
    w->fan_in = d->in;
    w->fan_out = units;
    if (d->bias) {
        clg_param *b = clg_layer_param(l, "bias", 1, v[BIAS_INIT].init, 1, (int[]){units});
        b->fan_in = d->in;
        b->fan_out = units;
        l->scratch_floats = clg_sum_scratch((size_t)units, (size_t)batch); /* bias gradient */
    }
    return CLG_OK;
}

static int forward(clg_layer *l, clg_ctx *ctx, clg_buf *y, const clg_buf *x, int n, int train)
{
    (void)train;
    dense *d = l->priv;
    TRY(clg_gemm(ctx, 0, 1, (size_t)n, (size_t)d->out, (size_t)d->in, 1.0f, x, (size_t)d->in, &l->params[0].value,
                 (size_t)d->in, 0.0f, y, (size_t)d->out));
    if (d->bias)
        TRY(CLG_LAUNCH1(ctx, CLG_K_ADD_BIAS, n * d->out, KA_MEM(y->sub), KA_MEM(l->params[1].value.sub),
                        KA_INT(n * d->out), KA_INT(d->out), KA_INT(1)));
    return CLG_OK;
}

static int backward(clg_layer *l, clg_ctx *ctx, clg_buf *dx, const clg_buf *dy, const clg_buf *x, const clg_buf *y,
                    int n, int param_grads)
{
    (void)y;
    dense *d = l->priv;
    if (dx)
        TRY(clg_gemm(ctx, 0, 0, (size_t)n, (size_t)d->in, (size_t)d->out, 1.0f, dy, (size_t)d->out,
                     &l->params[0].value, (size_t)d->in, 0.0f, dx, (size_t)d->in));
    if (!param_grads) return CLG_OK;
    TRY(clg_gemm(ctx, 1, 0, (size_t)d->out, (size_t)d->in, (size_t)n, 1.0f, dy, (size_t)d->out, x, (size_t)d->in, 1.0f,
                 &l->params[0].grad, (size_t)d->in));
    if (d->bias)
        TRY(clg_chan_sums(ctx, &l->params[1].grad, 0, 1, &l->scratch, 0, CLG_SUM_X, dy, NULL, NULL, 0, 1.0f,
                          (size_t)n, d->out, 1));
    return CLG_OK;
}

static void destroy(clg_layer *l) { free(l->priv); }

static void cost(clg_layer_cost *k, const clg_layer *l, int n) { clg_layer_cost_gemm(k, l, n, 1.0); }

const clg_layer_ops clg_layer_dense = CLG_LAYER_TYPE("dense", options, CLG_NOPTIONS(options), 0, cost);
