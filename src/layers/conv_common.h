/* conv_common.h — what conv2d and conv_transpose2d share: their option table, the padding rules
 * (output size and crop per axis), the checks that weights and columns fit the kernels' int
 * index, the chunk plan of the workspace and the declaration of weight and bias. A transposed
 * convolution is the adjoint of a convolution from its output back to its input, so both are
 * described by one window geometry with the roles of image and window positions swapped.
 */
#ifndef CLGAN_CONV_COMMON_H
#define CLGAN_CONV_COMMON_H

#include "layers/im2col.h"
#include "layers/layer.h"

/* The options, in table order; conv2d reads the first CLG_CONV_NOPTIONS, conv_transpose2d also
 * output_padding. */
enum { CONV_FILTERS, CONV_KERNEL, CONV_STRIDE, CONV_BIAS, CONV_CHUNK, CONV_PADDING, CONV_INIT, CONV_BIAS_INIT,
       CONV_DIRECT, CONV_OUTPUT_PADDING };
#define CLG_CONV_NOPTIONS 9
#define CLG_CONVT_NOPTIONS 10
extern const clg_option clg_conv_options[CLG_CONVT_NOPTIONS];

/* The host state both layers start with (each layer's own struct begins with it). */
typedef struct clg_conv {
    int cin, cout, k, bias, chunk;
    clg_conv_geom g; /* conv2d: image = the input, positions = the output; transposed: the reverse */
    size_t ck2;      /* the GEMM's inner size: cin*k*k (conv2d), cout*k*k (transposed) */
    size_t p;        /* window positions per sample: OH*OW (conv2d), IH*IW (transposed) */
    size_t off2;     /* workspace offset of the second operand (after the columns) */
    size_t col_ps;   /* column floats per sample (ck2 * p) */
    size_t red_off;  /* scratch offset of the bias gradient's partial sums */
    int chunk_opt;   /* the chunk= option (0: no cap), for a re-plan */
    int ups;         /* transposed only, > 1: a nearest upsampling by ups before it is folded in
                      * (clg_conv_fold_upsample): g has stride ups and a (k+ups-1)^2 window */
    size_t fold_off; /* then: scratch offset of the folded weight, and of its gradient after it */
    size_t fold_n;   /* the folded weight's floats (in x out x (k+ups-1)^2) */
    int direct;      /* direct kernels (cl/dconv.cl), no im2col: option direct, auto as CLG_DCONV_MAX_F */
    int dx_conv;     /* conv2d, stride 1: dx as a convolution of dy (see conv2d.c), with geometry gx */
    clg_conv_geom gx;
    size_t flip_off; /* then: scratch offset of the flipped weight (in, out, k, k) */
    size_t part_off; /* then: the per-sample weight gradients open the scratch, and the scratch of
                      * their sum over the samples starts here */
} clg_conv;

/* A conv2d with at most this many filters (output channels) and stride 1 runs direct kernels
 * instead of im2col + GEMM (option direct=auto): the columns cost k*k times the image in memory
 * traffic for a GEMM of 1 to 4 rows. Measured on PoCL (2 cores), forward + backward ms:
 *   seed 002's last conv2d (32 -> 1, 5x5 'valid' on 32x32, batch 128):  37 + 83 -> 11 + 23
 * and where they lose, so auto leaves them to the GEMM: strided windows (the kernels' general
 * path; the DCGAN's last conv2d, 112 -> 1, 4x4 stride 2: 0.3 + 1.4 -> 1.9 + 10.8) and
 * conv_transpose2d, whose columns are only k*k times its small output (seed 001's last layer,
 * 32 -> 1, 5x5 on 28x28, batch 256: 9 + 19 -> 29 + 51). */
#define CLG_DCONV_MAX_F 4

/* The weight gradient's GEMM is dW (rows, ck2) += (rows, m) x (the columns)^T. With im2col_t's
 * transposed columns it is a plain GEMM, 1.15-1.8x faster on PoCL than reading the columns
 * transposed (gemm_nt) at the seed models' shapes, but im2col_t writes them at about a third of
 * im2col's speed. It pays where the product is long enough: at least CLG_CONV_DW_NN_ROWS rows
 * (filters of a conv2d, input channels of a transposed one) and CLG_CONV_DW_NN_MIN columns
 * (below, gemm_nt's narrow tiles win: the DCGAN's first conv2d, 1 -> 28 channels, 0.6 vs 2.4 ms).
 * Measured on PoCL (2 cores), weight-gradient passes: 512 filters 5x5 on 4x4 (seed 001's last
 * conv2d) 254 -> 154 ms of CPU time; 32 filters 5x5 on 36x36 (seed 002) 0.3 + 1.4 ms per chunk
 * with gemm_nt against 1.3 + 1.0 with im2col_t. */
#define CLG_CONV_DW_NN_ROWS 128
#define CLG_CONV_DW_NN_MIN 64

/* The direct kernels' weight gradient (J x image channels x k x k floats): per-sample parts in
 * the layer's scratch, summed over the n samples into dw (+= when acc, else =). */
int clg_conv_direct_wgrad(const clg_conv *c, clg_layer *l, clg_ctx *ctx, const clg_buf *dw, int acc,
                          const clg_buf *pos, const clg_buf *img, int J, int n);

/* The first half of either layer's create, from its options v: output shape, geometry, checks
 * against the kernels' int index, chunk plan and workspace (columns + one (C, nc*p) operand per
 * chunk). `c` is the layer's priv, already allocated. */
int clg_conv_plan(clg_conv *c, clg_layer *l, const clg_optval *v, int batch, int transposed, clg_err *e);
/* The second half, after the layer's own scratch: the bias gradient's scratch (at c->red_off)
 * and weight and bias with PyTorch's layouts and fans. */
void clg_conv_params(clg_conv *c, clg_layer *l, const clg_optval *v, int batch, int transposed);

/* Re-plan the chunks and workspace for col_ps column floats and op_ps second-operand floats per
 * sample (a layer whose passes need more than clg_conv_plan's). */
int clg_conv_replan(clg_conv *c, clg_layer *l, int batch, size_t col_ps, size_t op_ps, clg_err *e);

/* conv_transpose2d's absorb step: when prev is a nearest upsampling by s > 1 and this layer has
 * stride 1, the pair is one transposed convolution with stride s and the kernel folded to
 * (k+s-1)^2 (cl/conv.cl, fold_up): (k+s-1)^2 instead of s^2 k^2 multiply-adds per input pixel
 * and filter pair (0.36x for k = 5, s = 2), and no upsampled tensor. Re-plans geometry, chunks
 * and workspace on prev's input and adds the folded weight and its gradient to the scratch.
 * Returns 1 if folded, 0 if the pair does not qualify, or an error. */
int clg_conv_fold_upsample(clg_conv *c, clg_layer *l, const clg_layer *prev, int batch, clg_err *e);

/* The chunk of n samples that starts at n0: *nc samples, and the window positions it returns
 * (nc * p, the GEMMs' long side). */
static inline size_t clg_conv_chunk_at(const clg_conv *c, int n, int n0, int *nc)
{
    *nc = n - n0 < c->chunk ? n - n0 : c->chunk;
    return (size_t)*nc * c->p;
}

#endif
