/* activation.c — the elementwise activations: relu, leaky_relu (slope=, PyTorch default 0.01;
 * Keras' LeakyReLU default is 0.3 and configs say so explicitly), tanh and sigmoid.
 * Output shape = input shape; no parameters.
 */
#include <stdlib.h>
#include <string.h>

#include "layers/layer.h"

typedef struct act {
    int kind; /* 0 leaky/relu, 1 tanh, 2 sigmoid */
    float slope;
} act;

static int make(clg_layer *l, int kind, float slope)
{
    act *a = calloc(1, sizeof *a);
    if (!a) return CLG_ERR_NOMEM;
    a->kind = kind;
    a->slope = slope;
    l->priv = a;
    l->out = l->in;
    return CLG_OK;
}

static int create_relu(clg_layer *l, clg_opts *o, int batch, char *err, size_t errlen)
{
    (void)o, (void)batch, (void)err, (void)errlen;
    return make(l, 0, 0.0f);
}

static int create_leaky(clg_layer *l, clg_opts *o, int batch, char *err, size_t errlen)
{
    (void)batch;
    float slope;
    TRY(clg_opt_float(o, "slope", 0.01f, NULL, &slope, err, errlen));
    return make(l, 0, slope);
}

static int create_tanh(clg_layer *l, clg_opts *o, int batch, char *err, size_t errlen)
{
    (void)o, (void)batch, (void)err, (void)errlen;
    return make(l, 1, 0.0f);
}

static int create_sigmoid(clg_layer *l, clg_opts *o, int batch, char *err, size_t errlen)
{
    (void)o, (void)batch, (void)err, (void)errlen;
    return make(l, 2, 0.0f);
}

static int forward(clg_layer *l, clg_ctx *ctx, clg_buf *y, const clg_buf *x, int n, int train)
{
    (void)train;
    act *a = l->priv;
    int total = n * (int)clg_shape_size(l->out);
    if (a->kind == 0)
        return CLG_LAUNCH1(ctx, CLG_K_LEAKY_FWD, total, KA_MEM(y->sub), KA_MEM(x->sub), KA_INT(total), KA_FLT(a->slope));
    return CLG_LAUNCH1(ctx, a->kind == 1 ? CLG_K_TANH_FWD : CLG_K_SIGMOID_FWD, total, KA_MEM(y->sub), KA_MEM(x->sub),
                       KA_INT(total));
}

static int backward(clg_layer *l, clg_ctx *ctx, clg_buf *dx, const clg_buf *dy, const clg_buf *x, const clg_buf *y,
                    int n, int param_grads)
{
    (void)param_grads;
    act *a = l->priv;
    if (!dx) return CLG_OK;
    int total = n * (int)clg_shape_size(l->out);
    if (a->kind == 0)
        return CLG_LAUNCH1(ctx, CLG_K_LEAKY_BWD, total, KA_MEM(dx->sub), KA_MEM(dy->sub), KA_MEM(x->sub), KA_INT(total),
                           KA_FLT(a->slope));
    return CLG_LAUNCH1(ctx, a->kind == 1 ? CLG_K_TANH_BWD : CLG_K_SIGMOID_BWD, total, KA_MEM(dx->sub), KA_MEM(dy->sub),
                       KA_MEM(y->sub), KA_INT(total));
}

static void destroy(clg_layer *l) { free(l->priv); }

const clg_layer_ops clg_layer_relu = {"relu", "", create_relu, forward, backward, destroy};
const clg_layer_ops clg_layer_leaky_relu = {"leaky_relu", "slope=S (default 0.01)", create_leaky, forward, backward,
                                            destroy};
const clg_layer_ops clg_layer_tanh = {"tanh", "", create_tanh, forward, backward, destroy};
const clg_layer_ops clg_layer_sigmoid = {"sigmoid", "", create_sigmoid, forward, backward, destroy};
