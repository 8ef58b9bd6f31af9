/* dropout.c — inverted dropout (p=, Keras/PyTorch semantics): in training each element is kept
 * with probability 1-p and scaled by 1/(1-p); in eval it is the identity. The mask comes from
 * the device's counter-based generator (cl/random.cl) and is regenerated in backward from the
 * key of the last forward, so nothing is stored. A mask element's counter is its sample's index
 * in the whole batch times the features plus the feature, so a batch split over processes
 * (l->part) drops what one process would.
 */
#include <stdlib.h>

#include "layers/layer.h"

typedef struct drop {
    float p;
    int last_train;
} drop;

static const clg_option options[] = {{"p", CLG_OPTION_FLOAT, "0.5", 0, 0, NULL, "P"}};

static int create(clg_layer *l, const clg_optval *v, int batch, clg_err *e)
{
    (void)batch;
    float p = v[0].f;
    if (!(p >= 0.0f && p < 1.0f)) return clg_layer_err(e, l, "p=%g must be in [0, 1)", p);
    drop *d = clg_layer_priv(l, sizeof *d, e);
    if (!d) return CLG_ERR_NOMEM;
    d->p = p;
    l->out = l->in;
    return CLG_OK;
}

/* the counter of this batch's first element: 0 unless the batch is a part of a larger one */
static uint32_t base(const clg_layer *l)
{
    return l->part ? (uint32_t)l->part->first * (uint32_t)clg_shape_size(l->out) : 0;
}

static int forward(clg_layer *l, clg_ctx *ctx, clg_buf *y, const clg_buf *x, int n, int train)
{
    drop *d = l->priv;
    int total = n * (int)clg_shape_size(l->out);
    d->last_train = train;
    if (!train || d->p == 0.0f) {
        return clg_buf_copy(ctx, y, x, (size_t)total);
    }
    l->key = clg_layer_next_key(l);
    return CLG_LAUNCH1(ctx, CLG_K_DROPOUT_FWD, total, KA_MEM(y->sub), KA_MEM(x->sub), KA_INT(total), KA_FLT(d->p),
                       KA_UINT(l->key), KA_UINT(base(l)));
}

static int backward(clg_layer *l, clg_ctx *ctx, clg_buf *dx, const clg_buf *dy, const clg_buf *x, const clg_buf *y,
                    int n, int param_grads)
{
    (void)x, (void)y, (void)param_grads;
    drop *d = l->priv;
    if (!dx) return CLG_OK;
    int total = n * (int)clg_shape_size(l->out);
    if (!d->last_train || d->p == 0.0f) {
        return clg_buf_copy(ctx, dx, dy, (size_t)total);
    }
    return CLG_LAUNCH1(ctx, CLG_K_DROPOUT_BWD, total, KA_MEM(dx->sub), KA_MEM(dy->sub), KA_INT(total), KA_FLT(d->p),
                       KA_UINT(l->key), KA_UINT(base(l)));
}

static void destroy(clg_layer *l) { free(l->priv); }

const clg_layer_ops clg_layer_dropout = CLG_LAYER_TYPE("dropout", options, CLG_NOPTIONS(options), 0, NULL);
