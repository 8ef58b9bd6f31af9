/* reshape.c — flatten (nn.Flatten: (C,H,W) -> (C*H*W)) and reshape c= h= w= (nn.Unflatten).
 * NCHW memory is unchanged, so both copy; the copy keeps every layer's output its own buffer.
 */
#include <stdlib.h>

#include "layers/layer.h"

static int create_flatten(clg_layer *l, clg_opts *o, int batch, char *err, size_t errlen)
{
    (void)o, (void)batch;
    size_t n = clg_shape_count(l->in);
    if (n > INT_MAX)
        return clg_layer_err(err, errlen, l, "cannot flatten %dx%dx%d: %.0f values per sample, above the limit %d",
                             l->in.c, l->in.h, l->in.w, (double)l->in.c * l->in.h * l->in.w, INT_MAX);
    l->out = (clg_shape){(int)n, 1, 1};
    return CLG_OK;
}

static int create_reshape(clg_layer *l, clg_opts *o, int batch, char *err, size_t errlen)
{
    (void)batch;
    int c, h, w;
    TRY(clg_layer_opt_int(o, "c", 0, 1, 1, 1000000000L, &c, err, errlen));
    TRY(clg_layer_opt_int(o, "h", 1, 0, 1, 1000000000L, &h, err, errlen));
    TRY(clg_layer_opt_int(o, "w", 1, 0, 1, 1000000000L, &w, err, errlen));
    l->out = (clg_shape){c, h, w};
    /* sizes saturate at SIZE_MAX (clg_shape_count), so two overflowing shapes are not "equal" by
     * wrapping; the network bounds both far below that */
    size_t nin = clg_shape_count(l->in), nout = clg_shape_count(l->out);
    if (nin != nout || nout == SIZE_MAX)
        return clg_layer_err(err, errlen, l, "cannot reshape %dx%dx%d (%.0f values) to %dx%dx%d (%.0f values)", l->in.c,
                             l->in.h, l->in.w, (double)l->in.c * l->in.h * l->in.w, c, h, w, (double)c * h * w);
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
