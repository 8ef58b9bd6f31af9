/* im2col.c — launch wrappers for the convolution kernels of cl/conv.cl (im2col, col2im, the
 * channel/batch reorders, the per-channel bias gradient) and the workspace chunk plan; used by
 * conv2d.c and conv_transpose2d.c.
 */
#include "layers/im2col.h"

int clg_im2col(clg_ctx *ctx, const clg_buf *col, size_t col_off, const clg_buf *img, size_t img_off,
               const clg_conv_geom *g, int nc)
{
    return CLG_LAUNCH3(ctx, CLG_K_IM2COL, g->k * g->k, g->c, nc, KA_MEM(col->sub), KA_INT(col_off), KA_MEM(img->sub),
                       KA_INT(img_off), KA_INT(g->c), KA_INT(g->h), KA_INT(g->w), KA_INT(g->oh), KA_INT(g->ow),
                       KA_INT(g->k), KA_INT(g->s), KA_INT(g->pt), KA_INT(g->pl), KA_INT(nc));
}

int clg_col2im(clg_ctx *ctx, const clg_buf *img, size_t img_off, const clg_buf *col, size_t col_off,
               const clg_buf *bias, const clg_conv_geom *g, int nc)
{
    cl_mem b = bias ? bias->sub : col->sub; /* any valid buffer when there is no bias */
    return CLG_LAUNCH3(ctx, CLG_K_COL2IM, g->c, nc, 1, KA_MEM(img->sub), KA_INT(img_off), KA_MEM(col->sub),
                       KA_INT(col_off), KA_MEM(b), KA_INT(bias != NULL), KA_INT(g->c), KA_INT(g->h), KA_INT(g->w),
                       KA_INT(g->oh), KA_INT(g->ow), KA_INT(g->k), KA_INT(g->s), KA_INT(g->pt), KA_INT(g->pl),
                       KA_INT(nc));
}

int clg_pack_cn(clg_ctx *ctx, const clg_buf *dst, size_t dst_off, const clg_buf *src, size_t src_off, int c, int p,
                int nc)
{
    return CLG_LAUNCH3(ctx, CLG_K_PACK_CN, p, nc, c, KA_MEM(dst->sub), KA_INT(dst_off), KA_MEM(src->sub),
                       KA_INT(src_off), KA_INT(c), KA_INT(p), KA_INT(nc));
}

int clg_unpack_cn(clg_ctx *ctx, const clg_buf *dst, size_t dst_off, const clg_buf *src, size_t src_off,
                  const clg_buf *bias, int c, int p, int nc)
{
    cl_mem b = bias ? bias->sub : src->sub;
    return CLG_LAUNCH3(ctx, CLG_K_UNPACK_CN, p, nc, c, KA_MEM(dst->sub), KA_INT(dst_off),
                       KA_MEM(src->sub), KA_INT(src_off), KA_MEM(b), KA_INT(bias != NULL),
                       KA_INT(c), KA_INT(p), KA_INT(nc));
}

int clg_bias_grad_nchw(clg_ctx *ctx, const clg_buf *db, const clg_buf *dy, int n, int f, int p)
{
    clg_karg args[] = {KA_MEM(db->sub), KA_MEM(dy->sub), KA_INT(n), KA_INT(f), KA_INT(p)};
    return clg_launch(ctx, CLG_K_BIAS_GRAD_NCHW, 1, (size_t[]){(size_t)f * CLG_WG_REDUCE},
                      (size_t[]){CLG_WG_REDUCE}, 5, args);
}

int clg_conv_chunk(int batch, size_t per_sample, int max_chunk)
{
    size_t fit = per_sample ? CLG_CONV_WORKSPACE / per_sample : (size_t)batch;
    int chunk = fit < 1 ? 1 : fit > (size_t)batch ? batch : (int)fit;
    if (max_chunk > 0 && chunk > max_chunk) chunk = max_chunk;
    int nchunks = (batch + chunk - 1) / chunk;
    return (batch + nchunks - 1) / nchunks;
}
