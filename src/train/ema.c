/* ema.c — the generator's weight average (see ema.h). Batch-norm running statistics are not
 * averaged: the averaged generator uses the raw generator's (and checkpoints store a copy of
 * them under its names). They are themselves an average over the recent batches of the raw
 * generator's activations, which the averaged weights approach; the usual practice (Karras et
 * al.'s EMA, torch-ema's default) keeps buffers as they are, and recomputing them for the
 * averaged weights would cost extra forward passes at each grid.
 */
#include "runtime/launch.h"
#include "train/ema.h"

int clg_ema_start(clg_trainer *tr)
{
    if (tr->cfg->train.ema <= 0.0f) return CLG_OK;
    clg_net *G = &tr->G;
    if (G->grads.n < G->params.n)
        return clg_fail(tr->ctx, CLG_ERR_ARG, "the generator's gradient arena (%zu) is smaller than its parameters "
                        "(%zu): no room to keep the raw weights while the average runs", G->grads.n, G->params.n);
    TRY(clg_buf_alloc(tr->ctx, &tr->ema, G->params.n ? G->params.n : 1, "generator weight average"));
    return G->params.n ? clg_buf_copy_at(tr->ctx, &tr->ema, 0, &G->params, 0, G->params.n) : CLG_OK;
}

int clg_ema_update(clg_trainer *tr)
{
    size_t n = tr->G.params.n;
    if (!tr->ema.n || !n) return CLG_OK;
    float d = tr->cfg->train.ema, w = (float)(1.0 - (double)d);
    return CLG_LAUNCH1(tr->ctx, CLG_K_EMA, n, KA_MEM(tr->ema.sub), KA_MEM(tr->G.params.sub), KA_LONG(n), KA_FLT(d),
                       KA_FLT(w));
}

int clg_ema_begin(clg_trainer *tr)
{
    clg_net *G = &tr->G;
    if (!tr->ema.n || !G->params.n) return CLG_OK;
    TRY(clg_buf_copy_at(tr->ctx, &G->grads, 0, &G->params, 0, G->params.n));
    return clg_buf_copy_at(tr->ctx, &G->params, 0, &tr->ema, 0, G->params.n);
}

int clg_ema_end(clg_trainer *tr)
{
    clg_net *G = &tr->G;
    if (!tr->ema.n || !G->params.n) return CLG_OK;
    return clg_buf_copy_at(tr->ctx, &G->params, 0, &G->grads, 0, G->params.n);
}
