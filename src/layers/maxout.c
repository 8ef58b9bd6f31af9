/* maxout.c — maxout layer (seed 004's discriminator): the max over k consecutive features of
 * a flat input, (N, F*k) -> (N, F), as PyTorch's x.view(N, -1, k).max(2). The arg-max of each
 * group is kept in the layer's scratch (as ints) for backward; ties go to the first.
 */
#include <stdlib.h>

#include "layers/layer.h"

typedef struct maxout {
    int k;
} maxout;

static const clg_option options[] = {{"k", CLG_OPTION_INT, NULL, 1, 1000000000L, NULL, "K"}};

static int create(clg_layer *l, const clg_optval *v, int batch, clg_err *e)
{
    int k = v[0].i;
    if (l->in.h != 1 || l->in.w != 1)
        return clg_layer_err(e, l, "needs a flat input but gets %dx%dx%d: add `layer = flatten` before it", l->in.c,
                             l->in.h, l->in.w);
    if (l->in.c % k) return clg_layer_err(e, l, "%d input features are not a multiple of k=%d", l->in.c, k);
    maxout *m = clg_layer_priv(l, sizeof *m, e);
    if (!m) return CLG_ERR_NOMEM;
    m->k = k;
    l->out = (clg_shape){l->in.c / k, 1, 1};
    l->scratch_floats = (size_t)batch * l->out.c; /* arg-max, one int per output */
    l->scratch_type = CLG_I32;
    return CLG_OK;
}

static int forward(clg_layer *l, clg_ctx *ctx, clg_buf *y, const clg_buf *x, int n, int train)
{
    (void)train;
    maxout *m = l->priv;
    int total = n * l->out.c;
    return CLG_LAUNCH1(ctx, CLG_K_MAXOUT_FWD, total, KA_MEM(y->sub), KA_MEM(l->scratch.sub), KA_MEM(x->sub),
                       KA_INT(total), KA_INT(m->k));
}

static int backward(clg_layer *l, clg_ctx *ctx, clg_buf *dx, const clg_buf *dy, const clg_buf *x, const clg_buf *y,
                    int n, int param_grads)
{
    (void)x, (void)y, (void)param_grads;
    maxout *m = l->priv;
    if (!dx) return CLG_OK;
    int total = n * l->out.c;
    return CLG_LAUNCH1(ctx, CLG_K_MAXOUT_BWD, total * m->k, KA_MEM(dx->sub), KA_MEM(dy->sub), KA_MEM(l->scratch.sub),
                       KA_INT(total), KA_INT(m->k));
}

static void destroy(clg_layer *l) { free(l->priv); }

const clg_layer_ops clg_layer_maxout = CLG_LAYER_TYPE("maxout", options, CLG_NOPTIONS(options), 0, NULL);
