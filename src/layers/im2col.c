/* im2col.c — launch wrappers for the convolution kernels of cl/conv.cl (im2col, col2im, the
 * channel/batch reorders, the per-channel bias gradient) and the workspace chunk plan; used by
 * conv2d.c and conv_transpose2d.c.
 */
#include "layers/im2col.h"
#include "layers/reduce.h"

int clg_im2col(clg_ctx *ctx, const clg_buf *col, size_t col_off, const clg_buf *img, size_t img_off,
               const clg_conv_geom *g, int nc)
{
    return CLG_LAUNCH3(ctx, CLG_K_IM2COL, g->oh, g->c * g->k * g->k, nc, KA_MEM(col->sub), KA_LONG(col_off),
                       KA_MEM(img->sub), KA_LONG(img_off), KA_INT(g->c), KA_INT(g->h), KA_INT(g->w), KA_INT(g->oh), KA_INT(g->ow),
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
    return clg_chan_sums(ctx, db, 0, 1, scratch, scratch_off, CLG_SUM_X, dy, NULL, NULL, 0, 1.0f, (size_t)n, f,
                         (size_t)p);
}

int clg_conv_chunk(int batch, size_t per_sample, int max_chunk)
{
    size_t fit = per_sample ? CLG_CONV_WORKSPACE / per_sample : (size_t)batch;
    int chunk = fit < 1 ? 1 : fit > (size_t)batch ? batch : (int)fit;
    if (max_chunk > 0 && chunk > max_chunk) chunk = max_chunk;
    int nchunks = (batch + chunk - 1) / chunk;
    return (batch + nchunks - 1) / nchunks;
}
