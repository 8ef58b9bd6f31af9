/* im2col.h — host side of cl/conv.cl, shared by conv2d.c and conv_transpose2d.c: the geometry of
 * a convolution window over an image, launch wrappers for im2col / col2im / the (N,C,P) <->
 * (C,N,P) reorders / the per-channel bias gradient, and the planning of the batch chunks that
 * bound the im2col workspace.
 *
 * All offsets are in floats from the start of the buffer's `sub` (64-bit; indices within a
 * chunk's columns or a batch's tensor are int, so the layers keep those below INT_MAX floats).
 */
#ifndef CLGAN_IM2COL_H
#define CLGAN_IM2COL_H

#include "runtime/runtime.h"

/* A k x k window with stride s over an image (c,h,w) padded by pt rows on top and pl columns on
 * the left, at oh x ow positions (padding on the bottom/right is whatever oh/ow imply). */
typedef struct clg_conv_geom {
    int c, h, w;
    int oh, ow;
    int k, s, pt, pl;
} clg_conv_geom;

/* Workspace budget of one conv layer (floats, 16 MiB): the batch is processed in chunks that fit.
 * Measured on PoCL + CLBlast, conv 64->128 k5 s2 on 128x64x14x14 (84672 floats per sample):
 * chunks of 43 (this budget) took ~1.45 s forward+backward, the whole batch at once ~1.8 s,
 * chunks of 24 ~1.6 s; transposed convs of the seed models fit whole batches of 128. */
#define CLG_CONV_WORKSPACE (4u << 20)

/* col (c*k*k, nc*oh*ow) at col_off = im2col of img (nc,c,h,w) at img_off. */
int clg_im2col(clg_ctx *ctx, const clg_buf *col, size_t col_off, const clg_buf *img, size_t img_off,
               const clg_conv_geom *g, int nc);
/* colT (nc*oh*ow, c*k*k) at col_off = the transpose of im2col's columns of img (nc,c,h,w). */
int clg_im2col_t(clg_ctx *ctx, const clg_buf *colt, size_t col_off, const clg_buf *img, size_t img_off,
                 const clg_conv_geom *g, int nc);
/* img (nc,c,h,w) at img_off = col2im(col) (+ bias (c) when bias != NULL); overwrites img. */
int clg_col2im(clg_ctx *ctx, const clg_buf *img, size_t img_off, const clg_buf *col, size_t col_off,
               const clg_buf *bias, const clg_conv_geom *g, int nc);
/* dst (c, nc, p) = src (nc, c, p). */
int clg_pack_cn(clg_ctx *ctx, const clg_buf *dst, size_t dst_off, const clg_buf *src, size_t src_off, int c, int p,
                int nc);
/* dst (nc, c, p) = src (c, nc, p) (+ bias (c) when bias != NULL). */
int clg_unpack_cn(clg_ctx *ctx, const clg_buf *dst, size_t dst_off, const clg_buf *src, size_t src_off,
                  const clg_buf *bias, int c, int p, int nc);
/* db (f) += sum over n, p of dy (n, f, p); scratch at scratch_off holds clg_plane_sum_scratch(f, n)
 * floats (layers/reduce.h). */
int clg_bias_grad_nchw(clg_ctx *ctx, const clg_buf *db, const clg_buf *dy, int n, int f, int p, const clg_buf *scratch,
                       size_t scratch_off);

/* Direct convolution (cl/dconv.cl) over a whole batch of n samples: an image tensor (n, g->c,
 * g->h, g->w), a positions tensor (n, J, g->oh, g->ow) and a weight (J, g->c, k, k) at w_off
 * floats into w's sub-buffer (each other tensor starts its own). gather: pos = the windows of img
 * (+ bias (J)); scatter: img = their adjoint applied to pos (+ bias (g->c)); wgrad: part (n,
 * J*g->c*k*k) at part_off = each sample's weight gradient for upstream pos and input img. */
int clg_dconv_gather(clg_ctx *ctx, const clg_buf *pos, const clg_buf *img, const clg_buf *w, size_t w_off,
                     const clg_buf *bias, const clg_conv_geom *g, int J, int n);
int clg_dconv_scatter(clg_ctx *ctx, const clg_buf *img, const clg_buf *pos, const clg_buf *w, size_t w_off,
                      const clg_buf *bias, const clg_conv_geom *g, int J, int n);
int clg_dconv_wgrad(clg_ctx *ctx, const clg_buf *part, size_t part_off, const clg_buf *pos, const clg_buf *img,
                    const clg_conv_geom *g, int J, int n);

/* A region of the shared workspace as a GEMM operand (CLBlast takes mem + offset). */
static inline clg_buf clg_buf_at(const clg_buf *b, size_t off)
{
    clg_buf r = *b;
    r.off += off;
    r.n = off < b->n ? b->n - off : 0;
    return r;
}

/* Chunk plan: samples per chunk for `batch` samples needing `per_sample` workspace floats each,
 * at most `max_chunk` (0: no limit) and within CLG_CONV_WORKSPACE; chunks are balanced
 * (ceil(batch / nchunks)) so the last is not a sliver. */
int clg_conv_chunk(int batch, size_t per_sample, int max_chunk);

#endif
