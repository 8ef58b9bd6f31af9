/* reshape.c — flatten (nn.Flatten: (C,H,W) -> (C*H*W)) and reshape c= h= w= (nn.Unflatten).
 * NCHW memory is unchanged, so both copy; the copy keeps every layer's output its own buffer.
 */
#include <stdlib.h>

#include "layers/layer.h"

static int create_flatten(clg_layer *l, clg_opts *o, int batch, char *err, size_t errlen)
{
    (void)o, (void)batch, (void)err, (void)errlen;
    l->out = (clg_shape){(int)clg_shape_size(l->in), 1, 1};
    return CLG_OK;
}

static int create_reshape(clg_layer *l, clg_opts *o, int batch, char *err, size_t errlen)
{
    (void)batch;
    int c, h, w;
    TRY(clg_opt_int(o, "c", 0, 1, &c, err, errlen));
    TRY(clg_opt_int(o, "h", 1, 0, &h, err, errlen));
    TRY(clg_opt_int(o, "w", 1, 0, &w, err, errlen));
    if (c <= 0 || h <= 0 || w <= 0) return clg_layer_err(err, errlen, l, "c, h, w must be > 0");
    l->out = (clg_shape){c, h, w};
    if (clg_shape_size(l->out) != clg_shape_size(l->in))
        return clg_layer_err(err, errlen, l, "cannot reshape %dx%dx%d (%zu values) to %dx%dx%d (%zu values)", l->in.c,
                             l->in.h, l->in.w, clg_shape_size(l->in), c, h, w, clg_shape_size(l->out));
    return CLG_OK;
}

static int copy(clg_ctx *ctx, clg_buf *dst, const clg_buf *src, size_t count)
{
    return clg_buf_copy(ctx, dst, src, count);
}

static int forward(clg_layer *l, clg_ctx *ctx, clg_buf *y, const clg_buf *x, int n, int train)
{
    (void)train;
    return copy(ctx, y, x, (size_t)n * clg_shape_size(l->out));
}

static int backward(clg_layer *l, clg_ctx *ctx, clg_buf *dx, const clg_buf *dy, const clg_buf *x, const clg_buf *y,
                    int n, int param_grads)
{
    (void)x, (void)y, (void)param_grads;
    return dx ? copy(ctx, dx, dy, (size_t)n * clg_shape_size(l->out)) : CLG_OK;
}

static void destroy(clg_layer *l) { (void)l; }

const clg_layer_ops clg_layer_flatten = {"flatten", "", create_flatten, forward, backward, destroy};
const clg_layer_ops clg_layer_reshape = {"reshape", "c=C h=H w=W", create_reshape, forward, backward, destroy};
