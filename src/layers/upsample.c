/* upsample.c — integer-factor upsampling, PyTorch's nn.Upsample(scale_factor=K, mode=...):
 * (N,C,H,W) -> (N,C,H*K,W*K). mode=nearest repeats each pixel K x K (Keras UpSampling2D);
 * mode=bilinear uses half-pixel centres, align_corners=False (= Keras
 * UpSampling2D(interpolation='bilinear') = tf.image.resize(..., 'bilinear')). No parameters.
 * Backward is a gather per input pixel (cl/upsample.cl), deterministic and free of atomics.
 */
#include <stdlib.h>
#include <string.h>

#include "layers/layer.h"

typedef struct ups {
    int k, bilinear;
} ups;

static const clg_option options[] = {
    {"scale", CLG_OPTION_INT, "2", 1, 64, NULL, "K"},
    {"mode", CLG_OPTION_WORD, "nearest", 0, 0, "nearest|bilinear", NULL},
};

static int create(clg_layer *l, const clg_optval *v, int batch, clg_err *e)
{
    (void)batch;
    int k = v[0].i, bilinear = v[1].i == 1;
    if ((long)l->in.h * k > 1 << 20 || (long)l->in.w * k > 1 << 20)
        return clg_layer_err(e, l, "output %ldx%ld (input %dx%d, scale=%d) is above the limit %d per side",
                             (long)l->in.h * k, (long)l->in.w * k, l->in.h, l->in.w, k, 1 << 20);
    ups *u = clg_layer_priv(l, sizeof *u, e);
    if (!u) return CLG_ERR_NOMEM;
    u->k = k;
    u->bilinear = bilinear;
    l->out = (clg_shape){l->in.c, l->in.h * k, l->in.w * k};
    return CLG_OK;
}

/* A 3-D range (x, y, plane group) in (WG2_X, WG2_Y, 1) groups of UPS_PLANES planes per item: the
 * tunables cl/upsample.cl was built with. */
static int launch(clg_ctx *ctx, int kernel, int nx, int ny, int planes, const clg_buf *out, const clg_buf *in,
                  const clg_layer *l, int k)
{
    const clg_karg args[] = {KA_MEM(out->sub), KA_MEM(in->sub), KA_INT(planes), KA_INT(l->in.h), KA_INT(l->in.w),
                             KA_INT(k)};
    const size_t lx = (size_t)clg_tunable(ctx, CLG_T_WG2_X), ly = (size_t)clg_tunable(ctx, CLG_T_WG2_Y);
    const size_t per = (size_t)clg_tunable(ctx, CLG_T_UPS_PLANES);
    size_t global[3] = {clg_round_up((size_t)nx, lx), clg_round_up((size_t)ny, ly), ((size_t)planes + per - 1) / per};
    return clg_launch(ctx, kernel, 3, global, (size_t[]){lx, ly, 1}, 6, args);
}

static int forward(clg_layer *l, clg_ctx *ctx, clg_buf *y, const clg_buf *x, int n, int train)
{
    (void)train;
    ups *u = l->priv;
    int planes = n * l->in.c;
    if (u->bilinear) return launch(ctx, CLG_K_UPSAMPLE_BILINEAR_FWD, l->out.w, l->out.h, planes, y, x, l, u->k);
    return launch(ctx, CLG_K_UPSAMPLE_NEAREST_FWD, l->in.w, l->in.h, planes, y, x, l, u->k);
}

static int backward(clg_layer *l, clg_ctx *ctx, clg_buf *dx, const clg_buf *dy, const clg_buf *x, const clg_buf *y,
                    int n, int param_grads)
{
    (void)x, (void)y, (void)param_grads;
    ups *u = l->priv;
    if (!dx) return CLG_OK;
    return launch(ctx, u->bilinear ? CLG_K_UPSAMPLE_BILINEAR_BWD : CLG_K_UPSAMPLE_NEAREST_BWD, l->in.w, l->in.h,
                  n * l->in.c, dx, dy, l, u->k);
}

static void destroy(clg_layer *l) { free(l->priv); }

const clg_layer_ops clg_layer_upsample = CLG_LAYER_TYPE("upsample", options, CLG_NOPTIONS(options), 0, NULL);

int clg_upsample_nearest_scale(const clg_layer *l)
{
    const ups *u = l->ops == &clg_layer_upsample ? l->priv : NULL;
    return u && !u->bilinear ? u->k : 0;
}
