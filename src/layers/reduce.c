/* reduce.c — launches of cl/reduce.cl's passes: the first pass (chan_sums) reads the tensor, the
 * later ones (reduce_rows) shrink the partial sums by the span (CLG_RED_SPAN) each until one
 * value per row is left; the last pass of either kind writes (or adds) into the destination.
 * (n, C) matrices (hw == 1) go through col_sums instead, a bounded number of rows per work-item.
 */
#include "layers/reduce.h"

#define groups(m) (((m) + span - 1) / span)

/* Rows per work-item of col_sums: twice the values per item of chan_sums (128 with CLG_RED_SPAN),
 * so a batch of up to 128 takes one pass (one launch less per dense layer, ~3% of mlp_gan's step). */
static size_t col_items(size_t span) { return 2 * span / CLG_RED_WG; }

/* Scratch of the passes for hw == 1 (col_sums): rows * ceil(n / items) partials, and so on. */
static size_t col_scratch(size_t rows, size_t n, size_t items)
{
    size_t t = 0;
    for (size_t g = (n + items - 1) / items; g > 1; g = (g + items - 1) / items) t += rows * g;
    return t;
}

size_t clg_sum_scratch_span(size_t rows, size_t m, size_t span)
{
    size_t t = 0;
    for (size_t g = groups(m); g > 1; g = groups(g)) t += rows * g;
    size_t tc = col_scratch(rows, m, col_items(span)); /* hw == 1: m = n */
    return t > tc ? t : tc;
}

/* hw == 1: passes of col_sums, `items` rows per work-item, partial sums as (G, rows) matrices. */
static int col_sums(clg_ctx *ctx, size_t items, const clg_buf *out, size_t out_off, int acc, const clg_buf *scratch,
                    size_t scratch_off, int mode, const clg_buf *x, size_t x_off, const clg_buf *x2, const clg_buf *aux,
                    size_t aux_off, float div, size_t n, int C)
{
    size_t rows = mode == CLG_SUM_DY_DYX ? 2 * (size_t)C : (size_t)C;
    cl_mem src = x->sub, m2 = x2 ? x2->sub : x->sub, ma = aux ? aux->sub : x->sub; /* any valid buffer when unused */
    size_t src_off = x_off, at = scratch_off;
    for (;;) {
        size_t g = (n + items - 1) / items;
        int last = g == 1;
        cl_mem dst = last ? out->sub : scratch->sub;
        clg_karg a[] = {KA_MEM(dst), KA_LONG(last ? out_off : at), KA_INT(last && acc), KA_MEM(src),
                        KA_LONG(src_off), KA_MEM(m2), KA_MEM(ma), KA_LONG(aux_off), KA_FLT(div), KA_LONG(n),
                        KA_INT(C), KA_INT(mode), KA_LONG(items)};
        TRY(clg_launch(ctx, CLG_K_COL_SUMS, 2, (size_t[]){clg_round_up((size_t)C, CLG_RED_WG), g},
                       (size_t[]){CLG_RED_WG, 1}, (int)(sizeof a / sizeof a[0]), a));
        if (last) return CLG_OK;
        /* the next pass sums the (g, rows) partials column by column */
        src = scratch->sub, src_off = at, n = g, C = (int)rows, mode = CLG_SUM_X;
        at += rows * g;
    }
}

size_t clg_sum_scratch(size_t rows, size_t m) { return clg_sum_scratch_span(rows, m, CLG_RED_SPAN); }

int clg_chan_sums(clg_ctx *ctx, const clg_buf *out, size_t out_off, int acc, const clg_buf *scratch,
                  size_t scratch_off, int mode, const clg_buf *x, const clg_buf *x2, const clg_buf *aux,
                  size_t aux_off, float div, size_t n, int C, size_t hw)
{
    return clg_chan_sums_span(ctx, CLG_RED_SPAN, out, out_off, acc, scratch, scratch_off, mode, x, x2, aux, aux_off,
                              div, n, C, hw);
}

int clg_chan_sums_span(clg_ctx *ctx, size_t span, const clg_buf *out, size_t out_off, int acc,
                       const clg_buf *scratch, size_t scratch_off, int mode, const clg_buf *x, const clg_buf *x2,
                       const clg_buf *aux, size_t aux_off, float div, size_t n, int C, size_t hw)
{
    if (span < CLG_RED_WG || span % CLG_RED_WG)
        return clg_fail(ctx, CLG_ERR_ARG, "chan_sums: span %zu is not a positive multiple of %d", span, CLG_RED_WG);
    size_t rows = mode == CLG_SUM_DY_DYX ? 2 * (size_t)C : (size_t)C, g = groups(n * hw);
    if (g == 0 || C == 0) return CLG_OK;
    if (hw == 1)
        return col_sums(ctx, col_items(span), out, out_off, acc, scratch, scratch_off, mode, x, 0, x2, aux, aux_off,
                        div, n, C);
    int last = g == 1;
    cl_mem dst = last ? out->sub : scratch->sub;
    cl_mem m2 = x2 ? x2->sub : x->sub, ma = aux ? aux->sub : x->sub; /* any valid buffer when unused */
    clg_karg a1[] = {KA_MEM(dst),   KA_LONG(last ? out_off : scratch_off), KA_INT(last && acc), KA_MEM(x->sub),
                     KA_MEM(m2),    KA_MEM(ma), KA_LONG(aux_off), KA_FLT(div), KA_LONG(n), KA_INT(C), KA_LONG(hw), KA_INT(mode),
                     KA_LONG(span)};
    TRY(clg_launch(ctx, CLG_K_CHAN_SUMS, 2, (size_t[]){g * CLG_RED_WG, (size_t)C}, (size_t[]){CLG_RED_WG, 1},
                   (int)(sizeof a1 / sizeof a1[0]), a1));
    size_t at = scratch_off;
    while (g > 1) {
        size_t g2 = groups(g);
        last = g2 == 1;
        cl_mem d2 = last ? out->sub : scratch->sub;
        clg_karg a2[] = {KA_MEM(d2), KA_LONG(last ? out_off : at + rows * g),
                         KA_INT(last && acc), KA_MEM(scratch->sub), KA_LONG(at), KA_LONG(g), KA_LONG(span)};
        TRY(clg_launch(ctx, CLG_K_REDUCE_ROWS, 2, (size_t[]){g2 * CLG_RED_WG, rows}, (size_t[]){CLG_RED_WG, 1},
                       (int)(sizeof a2 / sizeof a2[0]), a2));
        at += rows * g;
        g = g2;
    }
    return CLG_OK;
}

size_t clg_plane_sum_scratch(size_t rows, size_t n, size_t hw)
{
    if (hw > CLG_RED_SPAN) return clg_sum_scratch(rows, n * hw);
    return rows * n + col_scratch(rows, n, col_items(CLG_RED_SPAN));
}

int clg_plane_chan_sums(clg_ctx *ctx, const clg_buf *out, size_t out_off, int acc, const clg_buf *scratch,
                        size_t scratch_off, int mode, const clg_buf *x, const clg_buf *x2, const clg_buf *aux,
                        size_t aux_off, float div, size_t n, int C, size_t hw)
{
    size_t rows = mode == CLG_SUM_DY_DYX ? 2 * (size_t)C : (size_t)C, planes = n * (size_t)C;
    if (planes == 0) return CLG_OK;
    if (hw > CLG_RED_SPAN) /* planes longer than a group's span: chan_sums's groups share each */
        return clg_chan_sums(ctx, out, out_off, acc, scratch, scratch_off, mode, x, x2, aux, aux_off, div, n, C, hw);
    cl_mem m2 = x2 ? x2->sub : x->sub, ma = aux ? aux->sub : x->sub; /* any valid buffer when unused */
    TRY(CLG_LAUNCH1(ctx, CLG_K_PLANE_SUMS, planes, KA_MEM(scratch->sub), KA_LONG(scratch_off), KA_MEM(x->sub),
                    KA_MEM(m2), KA_MEM(ma), KA_LONG(aux_off), KA_FLT(div), KA_INT(C), KA_INT((int)hw), KA_INT(mode),
                    KA_INT((int)planes)));
    return col_sums(ctx, col_items(CLG_RED_SPAN), out, out_off, acc, scratch, scratch_off + rows * n, CLG_SUM_X,
                    scratch, scratch_off, NULL, NULL, 0, 1.0f, n, (int)rows);
}
