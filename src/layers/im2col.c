/* im2col.c — launch wrappers for the convolution kernels of cl/conv.cl (im2col, col2im, the
 * channel/batch reorders, the per-channel bias gradient) and the workspace chunk plan; used by
 * conv2d.c and conv_transpose2d.c.
 */
#include "layers/im2col.h"
#include "layers/reduce.h"

int clg_im2col(clg_ctx *ctx, const clg_buf *col, size_t col_off, const clg_buf *img, size_t img_off,
               const clg_conv_geom *g, int nc)
{
    return CLG_LAUNCH2(ctx, CLG_K_IM2COL, (size_t)g->c * g->k, nc, KA_MEM(col->sub), KA_LONG(col_off),
                       KA_MEM(img->sub), KA_LONG(img_off), KA_INT(g->c), KA_INT(g->h), KA_INT(g->w), KA_INT(g->oh), KA_INT(g->ow),
                       KA_INT(g->k), KA_INT(g->s), KA_INT(g->pt), KA_INT(g->pl), KA_INT(nc));
}

int clg_im2col_t(clg_ctx *ctx, const clg_buf *colt, size_t col_off, const clg_buf *img, size_t img_off,
                 const clg_conv_geom *g, int nc)
{
    return CLG_LAUNCH3(ctx, CLG_K_IM2COL_T, g->ow, g->oh, nc, KA_MEM(colt->sub), KA_LONG(col_off), KA_MEM(img->sub),
                       KA_LONG(img_off), KA_INT(g->c), KA_INT(g->h), KA_INT(g->w), KA_INT(g->oh), KA_INT(g->ow),
                       KA_INT(g->k), KA_INT(g->s), KA_INT(g->pt), KA_INT(g->pl), KA_INT(nc));
}

int clg_col2im(clg_ctx *ctx, const clg_buf *img, size_t img_off, const clg_buf *col, size_t col_off,
               const clg_buf *bias, const clg_conv_geom *g, int nc)
{
    cl_mem b = bias ? bias->sub : col->sub; /* any valid buffer when there is no bias */
    const size_t bx = (size_t)clg_tunable(ctx, CLG_T_COL2IM_BX); /* pixels per work-item */
    size_t runs = ((size_t)g->w + bx - 1) / bx * g->h;
    return CLG_LAUNCH2(ctx, CLG_K_COL2IM, runs, (size_t)nc * g->c, KA_MEM(img->sub), KA_LONG(img_off),
                       KA_MEM(col->sub), KA_LONG(col_off), KA_MEM(b), KA_INT(bias != NULL), KA_INT(g->c), KA_INT(g->h), KA_INT(g->w),
                       KA_INT(g->oh), KA_INT(g->ow), KA_INT(g->k), KA_INT(g->s), KA_INT(g->pt), KA_INT(g->pl),
                       KA_INT(nc));
}

int clg_pack_cn(clg_ctx *ctx, const clg_buf *dst, size_t dst_off, const clg_buf *src, size_t src_off, int c, int p,
                int nc)
{
    return CLG_LAUNCH3(ctx, CLG_K_PACK_CN, p, nc, c, KA_MEM(dst->sub), KA_LONG(dst_off), KA_MEM(src->sub),
                       KA_LONG(src_off), KA_INT(c), KA_INT(p), KA_INT(nc));
}

int clg_unpack_cn(clg_ctx *ctx, const clg_buf *dst, size_t dst_off, const clg_buf *src, size_t src_off,
                  const clg_buf *bias, int c, int p, int nc)
{
    cl_mem b = bias ? bias->sub : src->sub;
    return CLG_LAUNCH3(ctx, CLG_K_UNPACK_CN, p, nc, c, KA_MEM(dst->sub), KA_LONG(dst_off),
                       KA_MEM(src->sub), KA_LONG(src_off), KA_MEM(b), KA_INT(bias != NULL),
                       KA_INT(c), KA_INT(p), KA_INT(nc));
}

int clg_bias_grad_nchw(clg_ctx *ctx, const clg_buf *db, const clg_buf *dy, int n, int f, int p, const clg_buf *scratch,
                       size_t scratch_off)
{
    return clg_plane_chan_sums(ctx, db, 0, 1, scratch, scratch_off, CLG_SUM_X, dy, NULL, NULL, 0, 1.0f, (size_t)n, f,
                               (size_t)p);
}

/* gather and scatter take the same arguments; the range is over what each writes */
static int dconv(clg_ctx *ctx, int kernel, size_t per_plane, int planes, const clg_buf *out, const clg_buf *in,
                 const clg_buf *w, size_t w_off, const clg_buf *bias, const clg_conv_geom *g, int J, int n)
{
    cl_mem b = bias ? bias->sub : in->sub; /* any valid buffer when there is no bias */
    return CLG_LAUNCH2(ctx, kernel, per_plane, (size_t)n * planes, KA_MEM(out->sub), KA_LONG(0), KA_MEM(in->sub),
                       KA_LONG(0), KA_MEM(w->sub), KA_LONG(w_off), KA_MEM(b), KA_INT(bias != NULL), KA_INT(n), KA_INT(J),
                       KA_INT(g->c), KA_INT(g->h), KA_INT(g->w), KA_INT(g->oh), KA_INT(g->ow), KA_INT(g->k),
                       KA_INT(g->s), KA_INT(g->pt), KA_INT(g->pl));
}

int clg_dconv_gather(clg_ctx *ctx, const clg_buf *pos, const clg_buf *img, const clg_buf *w, size_t w_off,
                     const clg_buf *bias, const clg_conv_geom *g, int J, int n)
{
    size_t rw = (size_t)clg_tunable(ctx, CLG_T_DCONV_RW), runs = ((size_t)g->ow + rw - 1) / rw * g->oh;
    return dconv(ctx, CLG_K_DCONV_GATHER, runs, J, pos, img, w, w_off, bias, g, J, n);
}

int clg_dconv_scatter(clg_ctx *ctx, const clg_buf *img, const clg_buf *pos, const clg_buf *w, size_t w_off,
                      const clg_buf *bias, const clg_conv_geom *g, int J, int n)
{
    size_t rw = (size_t)clg_tunable(ctx, CLG_T_DCONV_RW), runs = ((size_t)g->w + rw - 1) / rw * g->h;
    return dconv(ctx, CLG_K_DCONV_SCATTER, runs, g->c, img, pos, w, w_off, bias, g, J, n);
}

int clg_dconv_wgrad(clg_ctx *ctx, const clg_buf *part, size_t part_off, const clg_buf *pos, const clg_buf *img,
                    const clg_conv_geom *g, int J, int n)
{
    size_t nw = (size_t)J * g->c * g->k * g->k;
    return CLG_LAUNCH2(ctx, CLG_K_DCONV_WGRAD, nw, (size_t)n, KA_MEM(part->sub), KA_LONG(part_off), KA_MEM(pos->sub),
                       KA_LONG(0), KA_MEM(img->sub), KA_LONG(0), KA_INT(n), KA_INT(J), KA_INT(g->c), KA_INT(g->h),
                       KA_INT(g->w), KA_INT(g->oh), KA_INT(g->ow), KA_INT(g->k), KA_INT(g->s), KA_INT(g->pt),
                       KA_INT(g->pl));
}

int clg_conv_chunk(int batch, size_t per_sample, int max_chunk)
{
    size_t fit = per_sample ? CLG_CONV_WORKSPACE / per_sample : (size_t)batch;
    int chunk = fit < 1 ? 1 : fit > (size_t)batch ? batch : (int)fit;
    if (max_chunk > 0 && chunk > max_chunk) chunk = max_chunk;
    int nchunks = (batch + chunk - 1) / chunk;
    return (batch + nchunks - 1) / nchunks;
}
