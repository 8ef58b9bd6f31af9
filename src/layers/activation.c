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

static int make(clg_layer *l, int kind, float slope, clg_err *e)
{
    act *a = clg_layer_priv(l, sizeof *a, e);
    if (!a) return CLG_ERR_NOMEM;
    a->kind = kind;
    a->slope = slope;
    l->out = l->in;
    return CLG_OK;
}

static int create_relu(clg_layer *l, const clg_optval *v, int batch, clg_err *e)
{
    (void)v, (void)batch;
    return make(l, 0, 0.0f, e);
}

static const clg_option leaky_options[] = {{"slope", CLG_OPTION_FLOAT, "0.01", 0, 0, NULL, "S"}};

static int create_leaky(clg_layer *l, const clg_optval *v, int batch, clg_err *e)
{
    (void)batch;
    return make(l, 0, v[0].f, e);
}

static int create_tanh(clg_layer *l, const clg_optval *v, int batch, clg_err *e)
{
    (void)v, (void)batch;
    return make(l, 1, 0.0f, e);
}

static int create_sigmoid(clg_layer *l, const clg_optval *v, int batch, clg_err *e)
{
    (void)v, (void)batch;
    return make(l, 2, 0.0f, e);
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

/* The four share forward, backward and destroy; sigmoid says what it is, so that a trainer can
 * fold it into a loss taken from logits. */
#define ACTIVATION(type_, create_, options_, noptions_, flags_)                                                   \
    {.type = type_, .options = options_, .noptions = noptions_, .flags = flags_, .create = create_,                \
     .forward = forward, .backward = backward, .destroy = destroy}
const clg_layer_ops clg_layer_relu = ACTIVATION("relu", create_relu, NULL, 0, 0);
const clg_layer_ops clg_layer_leaky_relu = ACTIVATION("leaky_relu", create_leaky, leaky_options, 1, 0);
const clg_layer_ops clg_layer_tanh = ACTIVATION("tanh", create_tanh, NULL, 0, 0);
const clg_layer_ops clg_layer_sigmoid = ACTIVATION("sigmoid", create_sigmoid, NULL, 0, CLG_LAYER_SIGMOID);
