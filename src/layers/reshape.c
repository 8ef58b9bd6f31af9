/* reshape.c — flatten (nn.Flatten: (C,H,W) -> (C*H*W)) and reshape c= h= w= (nn.Unflatten).
 * NCHW memory is unchanged, so both are views (CLG_LAYER_VIEW): inside a network their output is
 * their input's buffer and nothing runs; forward and backward, called on separate buffers (a
 * network's first layer, whose input the caller owns), copy.
 */
#include <stdlib.h>

#include "layers/layer.h"

static int create_flatten(clg_layer *l, const clg_optval *v, int batch, clg_err *e)
{
    (void)v, (void)batch;
    size_t n = clg_shape_count(l->in);
    if (n > INT_MAX)
        return clg_layer_err(e, l, "cannot flatten %dx%dx%d: %.0f values per sample, above the limit %d",
                             l->in.c, l->in.h, l->in.w, (double)l->in.c * l->in.h * l->in.w, INT_MAX);
    l->out = (clg_shape){(int)n, 1, 1};
    return CLG_OK;
}

static const clg_option reshape_options[] = {
    {"c", CLG_OPTION_INT, NULL, 1, 1000000000L, NULL, "C"},
    {"h", CLG_OPTION_INT, "1", 1, 1000000000L, NULL, "H"},
    {"w", CLG_OPTION_INT, "1", 1, 1000000000L, NULL, "W"},
};

static int create_reshape(clg_layer *l, const clg_optval *v, int batch, clg_err *e)
{
    (void)batch;
    int c = v[0].i, h = v[1].i, w = v[2].i;
    l->out = (clg_shape){c, h, w};
    /* sizes saturate at SIZE_MAX (clg_shape_count), so two overflowing shapes are not "equal" by
     * wrapping; the network bounds both far below that */
    size_t nin = clg_shape_count(l->in), nout = clg_shape_count(l->out);
    if (nin != nout || nout == SIZE_MAX)
        return clg_layer_err(e, l, "cannot reshape %dx%dx%d (%.0f values) to %dx%dx%d (%.0f values)", l->in.c,
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

const clg_layer_ops clg_layer_flatten = {.type = "flatten", .flags = CLG_LAYER_VIEW, .create = create_flatten,
                                         .forward = forward, .backward = backward, .destroy = destroy};
const clg_layer_ops clg_layer_reshape = {.type = "reshape", .flags = CLG_LAYER_VIEW, .options = reshape_options,
                                         .noptions = CLG_NOPTIONS(reshape_options),
                                         .create = create_reshape, .forward = forward, .backward = backward,
                                         .destroy = destroy};
