/* reduce.h — host side of cl/reduce.cl: per-channel sums over an (n, C, hw) tensor in passes of
 * bounded work per work-item (bias gradients, the gradient norm, batch-norm statistics), and the
 * size of the scratch those passes need, which callers plan before the first step.
 */
#ifndef CLGAN_REDUCE_H
#define CLGAN_REDUCE_H

#include "runtime/runtime.h"

/* CLG_RED_WG is the tunables table's RED_WG, which cl/reduce.cl is built with (the same on every
 * device: the scratch is sized from it without a context); device setup checks it against the
 * device's work-group limit. The
 * span is passed to the kernels. 64 values per item: with 16, PoCL spent about a third more time
 * in the batch-norm sums of configs/dcgan.ini (more groups and passes). */
#define CLG_RED_WG CLG_WG_REDUCE
#define CLG_RED_SPAN (CLG_RED_WG * 64)

enum { CLG_SUM_X, CLG_SUM_SQ, CLG_SUM_SQDEV, CLG_SUM_DY_DYX };

/* Scratch floats for reducing `rows` rows of m values each (0 when one pass does it). */
size_t clg_sum_scratch(size_t rows, size_t m);

/* Per channel c of x (n, C, hw): out[out_off + c] = (or += with acc) the sum of q1, and in mode
 * CLG_SUM_DY_DYX also out[out_off + C + c] = the sum of q2 (see chan_sums in cl/reduce.cl; x2,
 * aux (at aux_off) and div are used by modes CLG_SUM_SQDEV / CLG_SUM_DY_DYX only and may be NULL / 1
 * otherwise). scratch at scratch_off holds clg_sum_scratch(rows, n*hw) floats, rows = 2C in mode
 * CLG_SUM_DY_DYX, else C; it must not overlap out. */
int clg_chan_sums(clg_ctx *ctx, const clg_buf *out, size_t out_off, int acc, const clg_buf *scratch,
                  size_t scratch_off, int mode, const clg_buf *x, const clg_buf *x2, const clg_buf *aux,
                  size_t aux_off, float div, size_t n, int C, size_t hw);

/* The same with another span (a multiple of CLG_RED_WG, values per group and pass), and its
 * scratch: the tests use small spans to run many passes on small tensors. */
size_t clg_sum_scratch_span(size_t rows, size_t m, size_t span);
int clg_chan_sums_span(clg_ctx *ctx, size_t span, const clg_buf *out, size_t out_off, int acc,
                       const clg_buf *scratch, size_t scratch_off, int mode, const clg_buf *x, const clg_buf *x2,
                       const clg_buf *aux, size_t aux_off, float div, size_t n, int C, size_t hw);

/* The same sums in two steps for tensors of many (sample, channel) planes: each plane's sums
 * (cl/reduce.cl plane_sums: one work-item streams one contiguous plane of hw values), then those
 * (n, rows) sums over the samples. 4-5x faster than clg_chan_sums on PoCL for batch-norm and bias
 * shapes (n*C in the thousands, hw from 16 to 1024), whose first pass reads every plane with a
 * stride. Planes of more than CLG_RED_SPAN values go to clg_chan_sums, whose groups split them
 * (one work-item per plane would leave a device idle). The scratch at scratch_off holds
 * clg_plane_sum_scratch(rows, n, hw) floats. */
size_t clg_plane_sum_scratch(size_t rows, size_t n, size_t hw);
int clg_plane_chan_sums(clg_ctx *ctx, const clg_buf *out, size_t out_off, int acc, const clg_buf *scratch,
                        size_t scratch_off, int mode, const clg_buf *x, const clg_buf *x2, const clg_buf *aux,
                        size_t aux_off, float div, size_t n, int C, size_t hw);

#endif
