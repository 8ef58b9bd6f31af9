/* batchnorm.c — batch normalisation, PyTorch's BatchNorm2d on (N,C,H,W) input and BatchNorm1d on
 * (N,F) = (N,F,1,1) input: the statistics are taken per channel over N*H*W values.
 *
 * Options: momentum=M in PyTorch's convention, running = (1-M)*running + M*batch (default 0.1;
 * Keras' BatchNormalization(momentum=0.9) is M=0.1 here), eps=E (default 1e-5, PyTorch's; Keras'
 * default is 1e-3, so Keras configs must say eps=0.001), affine=1|0, init=INIT for the weight
 * (default ones; DCGAN-style "normal:1:0.02"); the bias starts at zeros.
 * Parameters (state_dict names): weight, bias (trainable, when affine), running_mean (zeros) and
 * running_var (ones) as buffers (trainable=0). PyTorch's num_batches_tracked is not kept: it only
 * matters for momentum=None, which is not supported.
 *
 * Training normalises with the batch mean and biased variance and updates the running stats
 * with the unbiased variance; eval uses the running stats. Training needs N*H*W >= 2 per channel
 * (PyTorch raises "Expected more than 1 value per channel when training"); with N*H*W == 1 the
 * forward fails with CLG_ERR_ARG rather than invent a variance. The layer's scratch holds the
 * mean and inverse std of the last forward (2C floats, for backward), the per-channel sums (2C),
 * the per-slot coefficients of the elementwise kernels (4 C*H*W, see cl/batchnorm.cl), then the
 * partial sums of the reductions (layers/reduce.h), planned for the whole batch.
 *
 * With a batch split over processes whose part has a `sum` (train.sync_bn), the per-channel sums
 * are summed over the parts between the passes, so every part normalises with the whole batch's
 * statistics and its backward with the whole batch's sums, as one process would; the parameter
 * gradients come from the part's own sums (the trainer sums gradients over the parts).
 */
#include <stdlib.h>

#include "layers/layer.h"
#include "layers/reduce.h"

typedef struct bn {
    int c, hw, affine;
    float momentum, eps;
    int last_train;
    int iw, ib, irm, irv; /* indices into l->params; iw = ib = -1 without affine */
} bn;

/* The stats open the scratch (the kernels take their offset, so). */
#define STATS_AT 0

/* The parts' sums when the batch norm is synchronised over them (NULL: this part's batch alone). */
static const clg_batch_part *synced(const clg_layer *l) { return l->part && l->part->sum ? l->part : NULL; }

/* An elementwise kernel over (C*hw, n) items, in groups of WG (a tunable) along the first dimension. */
static int launch_rows(clg_ctx *ctx, int kernel, int chw, int n, const clg_karg *args, int nargs)
{
    const size_t wg = (size_t)clg_tunable(ctx, CLG_T_WG);
    return clg_launch(ctx, kernel, 2, (size_t[]){clg_round_up((size_t)chw, wg), (size_t)n}, (size_t[]){wg, 1},
                      nargs, args);
}

enum { MOMENTUM, EPS, AFFINE, INIT };
static const clg_option options[] = {
    [MOMENTUM] = {"momentum", CLG_OPTION_FLOAT, "0.1", 0, 0, NULL, "M"},
    [EPS] = {"eps", CLG_OPTION_FLOAT, "1e-5", 0, 0, NULL, "E"},
    [AFFINE] = {"affine", CLG_OPTION_INT, "1", 0, 1, NULL, "0|1"},
    [INIT] = {"init", CLG_OPTION_INIT, "ones", 0, 0, NULL, "INIT"}, /* the weight's; the bias starts at zeros */
};

static int create(clg_layer *l, const clg_optval *v, int batch, clg_err *e)
{
    float momentum = v[MOMENTUM].f, eps = v[EPS].f;
    int affine = v[AFFINE].i;
    clg_init wi = v[INIT].init;
    if (!(momentum >= 0.0f && momentum <= 1.0f))
        return clg_layer_err(e, l, "momentum=%g must be in [0, 1] (PyTorch convention: Keras momentum 0.9 is 0.1 here)",
                             momentum);
    if (!(eps > 0.0f)) return clg_layer_err(e, l, "eps=%g must be > 0", eps);
    bn *b = clg_layer_priv(l, sizeof *b, e);
    if (!b) return CLG_ERR_NOMEM;
    b->c = l->in.c;
    b->hw = l->in.h * l->in.w;
    b->affine = affine;
    b->momentum = momentum;
    b->eps = eps;
    b->iw = b->ib = -1;
    l->out = l->in;
    const int dims[1] = {b->c};
    if (affine) {
        b->iw = l->nparams;
        clg_param *w = clg_layer_param(l, "weight", 1, wi, 1, dims);
        b->ib = l->nparams;
        clg_param *bb = clg_layer_param(l, "bias", 1, (clg_init){CLG_INIT_ZEROS, 0, 0}, 1, dims);
        w->fan_in = w->fan_out = bb->fan_in = bb->fan_out = b->c;
    }
    b->irm = l->nparams;
    clg_layer_param(l, "running_mean", 0, (clg_init){CLG_INIT_ZEROS, 0, 0}, 1, dims);
    b->irv = l->nparams;
    clg_layer_param(l, "running_var", 0, (clg_init){CLG_INIT_ONES, 0, 0}, 1, dims);
    /* the input and output at the whole batch are checked by the network (clg_layer_check_io) */
    /* partial sums of the per-channel sums over the batch (of the planes' sums when hw > 1) */
    size_t chw = (size_t)b->c * b->hw;
    size_t rows = 2 * (size_t)b->c, ra = clg_sum_scratch(rows, (size_t)batch), rb = clg_plane_sum_scratch(rows, (size_t)batch, (size_t)b->hw);
    l->scratch_floats = 4 * (size_t)b->c + 4 * chw + (b->hw == 1 ? ra : rb);
    return CLG_OK;
}

/* Per-channel sums of x (n, C, hw) into the scratch at `at` (mode and operands as clg_chan_sums,
 * with the per-channel mean at aux_off / div in the scratch): the planes' sums first when hw > 1
 * (clg_plane_chan_sums; 26 -> 5 ms of CPU time on PoCL for a 256x64x28x28 input, against column
 * sums over the samples per position); BatchNorm1d (hw == 1) sums the (n, C) columns. */
static int sums(clg_layer *l, clg_ctx *ctx, size_t at, int mode, const clg_buf *x, const clg_buf *x2, size_t aux_off,
                float div, int n)
{
    bn *b = l->priv;
    const clg_buf *sc = &l->scratch;
    size_t red = 4 * (size_t)b->c + 4 * (size_t)b->c * b->hw;
    if (b->hw == 1) return clg_chan_sums(ctx, sc, at, 0, sc, red, mode, x, x2, sc, aux_off, div, n, b->c, 1);
    return clg_plane_chan_sums(ctx, sc, at, 0, sc, red, mode, x, x2, sc, aux_off, div, n, b->c, b->hw);
}

static int forward(clg_layer *l, clg_ctx *ctx, clg_buf *y, const clg_buf *x, int n, int train)
{
    bn *b = l->priv;
    cl_mem none = NULL;
    cl_mem w = b->affine ? l->params[b->iw].value.sub : none, bias = b->affine ? l->params[b->ib].value.sub : none;
    b->last_train = train;
    if (!train)
        return CLG_LAUNCH1(ctx, CLG_K_BN_FWD_EVAL, n * b->c * b->hw, KA_MEM(y->sub), KA_MEM(l->scratch.sub),
                           KA_INT(STATS_AT), KA_MEM(x->sub), KA_MEM(w), KA_MEM(bias),
                           KA_MEM(l->params[b->irm].value.sub), KA_MEM(l->params[b->irv].value.sub),
                           KA_INT(n * b->c * b->hw), KA_INT(b->c), KA_INT(b->hw), KA_FLT(b->eps), KA_INT(b->affine));
    const clg_batch_part *pt = synced(l);
    int parts = pt ? pt->parts : 1;
    if ((long)n * parts * b->hw < 2)
        return clg_fail(ctx, CLG_ERR_ARG,
                        "%s: layer %d (batchnorm): training needs more than one value per channel, but N*H*W = "
                        "%d*%d (PyTorch raises the same error)",
                        l->where, l->index, n * parts, b->hw);
    /* sums of x, then of (x - mean)^2 with that mean; then stats and coefficients, then y */
    const clg_buf *sc = &l->scratch;
    int m = n * parts * b->hw, c2 = 2 * b->c, chw = b->c * b->hw, so = STATS_AT;
    TRY(sums(l, ctx, so + c2, CLG_SUM_X, x, NULL, 0, 1.0f, n));
    if (pt) TRY(pt->sum(pt->user, ctx, &l->scratch, so + c2, b->c)); /* the whole batch's mean before the deviations */
    TRY(sums(l, ctx, so + c2 + b->c, CLG_SUM_SQDEV, x, NULL, so + c2, (float)m, n));
    if (pt) TRY(pt->sum(pt->user, ctx, &l->scratch, so + c2 + b->c, b->c));
    TRY(CLG_LAUNCH1(ctx, CLG_K_BN_STATS, chw, KA_MEM(sc->sub), KA_INT(so), KA_MEM(l->params[b->irm].value.sub),
                    KA_MEM(l->params[b->irv].value.sub), KA_MEM(w), KA_MEM(bias), KA_INT(b->c), KA_INT(b->hw),
                    KA_INT(m), KA_FLT(b->eps), KA_FLT(b->momentum), KA_INT(b->affine)));
    return launch_rows(ctx, CLG_K_BN_APPLY, chw, n,
                       (clg_karg[]){KA_MEM(y->sub), KA_MEM(sc->sub), KA_INT(so), KA_MEM(x->sub), KA_INT(b->c),
                                    KA_INT(chw)}, 6);
}

/* The backward's per-slot coefficients from the sums over m values, and with param_grads the
 * weight and bias gradients (cl/batchnorm.cl bn_bwd_coef). */
static int bwd_coef(clg_layer *l, clg_ctx *ctx, int m, int param_grads)
{
    bn *b = l->priv;
    cl_mem w = b->affine ? l->params[b->iw].value.sub : NULL;
    cl_mem dw = param_grads ? l->params[b->iw].grad.sub : NULL, db = param_grads ? l->params[b->ib].grad.sub : NULL;
    return CLG_LAUNCH1(ctx, CLG_K_BN_BWD_COEF, b->c * b->hw, KA_MEM(l->scratch.sub), KA_INT(STATS_AT),
                       KA_MEM(dw), KA_MEM(db), KA_MEM(w), KA_INT(b->c), KA_INT(b->hw), KA_INT(m), KA_INT(b->last_train),
                       KA_INT(b->affine), KA_INT(param_grads));
}

static int backward(clg_layer *l, clg_ctx *ctx, clg_buf *dx, const clg_buf *dy, const clg_buf *x, const clg_buf *y,
                    int n, int param_grads)
{
    (void)y;
    bn *b = l->priv;
    param_grads = param_grads && b->affine;
    if (!dx && !param_grads) return CLG_OK;
    const clg_buf *sc = &l->scratch;
    int c2 = 2 * b->c, chw = b->c * b->hw, so = STATS_AT;
    if (b->last_train || param_grads) /* sum dy and sum dy*(x - mean) per channel */
        TRY(sums(l, ctx, so + c2, CLG_SUM_DY_DYX, dy, x, so, 1.0f, n));
    const clg_batch_part *pt = b->last_train ? synced(l) : NULL;
    if (pt && param_grads) { /* this part's share of the parameter gradients, from its own sums */
        TRY(bwd_coef(l, ctx, n * b->hw, 1));
        param_grads = 0;
        if (!dx) return CLG_OK;
    }
    if (pt) TRY(pt->sum(pt->user, ctx, &l->scratch, so + c2, c2));
    TRY(bwd_coef(l, ctx, n * (pt ? pt->parts : 1) * b->hw, param_grads));
    if (!dx) return CLG_OK;
    return launch_rows(ctx, CLG_K_BN_BWD, chw, n,
                       (clg_karg[]){KA_MEM(dx->sub), KA_MEM(dy->sub), KA_MEM(x->sub), KA_MEM(sc->sub), KA_INT(so),
                                    KA_INT(b->c), KA_INT(chw)}, 7);
}

static void destroy(clg_layer *l) { free(l->priv); }

/* statistics, normalisation and affine: about 8 FLOPs per value forward and 12 backward */
static void cost(clg_layer_cost *k, const clg_layer *l, int n)
{
    double out = (double)clg_shape_size(l->out) * n;
    k->fwd_flops = 8 * out;
    k->bwd_dx_flops = 12 * out;
}

const clg_layer_ops clg_layer_batchnorm =
    CLG_LAYER_TYPE("batchnorm", options, CLG_NOPTIONS(options), CLG_LAYER_COUNTS_BATCHES, cost);
