/* maxout.c — maxout layer (seed 004's discriminator): the max over k consecutive features of
 * a flat input, (N, F*k) -> (N, F), as PyTorch's x.view(N, -1, k).max(2). The arg-max of each
 * group is kept in the layer's scratch (as ints) for backward; ties go to the first.
 */
#include <stdlib.h>

#include "layers/layer.h"

typedef struct maxout {
    int k;
} maxout;

static int create(clg_layer *l, clg_opts *o, int batch, char *err, size_t errlen)
{
    int k;
    TRY(clg_layer_opt_int(o, "k", 0, 1, 1, 1000000000L, &k, err, errlen));
    if (l->in.h != 1 || l->in.w != 1)
        return clg_layer_err(err, errlen, l, "needs a flat input but gets %dx%dx%d: add `layer = flatten` before it",
                             l->in.c, l->in.h, l->in.w);
    if (l->in.c % k)
        return clg_layer_err(err, errlen, l, "%d input features are not a multiple of k=%d", l->in.c, k);
    maxout *m = calloc(1, sizeof *m);
    if (!m) return CLG_ERR_NOMEM;
    m->k = k;
    l->priv = m;
    l->out = (clg_shape){l->in.c / k, 1, 1};
    l->scratch_floats = (size_t)batch * l->out.c; /* arg-max, one int per output */
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

const clg_layer_ops clg_layer_maxout = {"maxout", "k=K", create, forward, backward, destroy};
