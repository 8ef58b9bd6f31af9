/* test_ops.c — the op-case table: every kernel of the CLG_KERNELS table, clg_gemm on each back
 * end, the layers and small networks, as rows {op, shape params, modes, runs} (see ops.h), run by
 * one driver that prints, per op, how close its checks came to their tolerances, and then fails
 * for every kernel of the runtime's table that no row launched.
 *
 * Usage: test_ops [gemm]   ("gemm": only the rows with OP_GEMM, e.g. under Oclgrind with one back
 * end chosen by $CLGAN_GEMM). $CLGAN_TEST_SMALL: the rows of the small run (see ops.h). The
 * coverage check runs in full runs of every row (the unlabelled test and rusticl's).
 */
#include "ops.h"
#include "ops_elem.h"
#include "ops_ema.h"
#include "ops_gemm.h"
#include "ops_grad.h"
#include "ops_layers.h"
#include "ops_reduce.h"
#include "ops_xent.h"

static const op_def FILL_AXPBY = {"fill/axpby", op_fill_axpby, NULL};
static const op_def BIAS = {"add_bias/bias_grad", op_bias, NULL};
static const op_def CHAN_SUMS = {"chan_sums", op_chan_sums, NULL};
static const op_def ACTIVATIONS = {"activations", op_activations, NULL};
static const op_def SATURATION = {"saturation", op_saturation, NULL};
static const op_def DROPOUT = {"dropout", op_dropout, NULL};
static const op_def DROPOUT_STATS = {"dropout kept", op_dropout_stats, NULL};
static const op_def NOISE = {"noise", op_noise, NULL};
static const op_def NOISE_STATS = {"noise statistics", op_noise_stats, NULL};
static const op_def GATHER = {"gather_u8", op_gather, NULL};
static const op_def FMA_PEAK = {"fma_peak", op_fma_peak, NULL};
static const op_def BW_COPY = {"bw_copy", op_bw_copy, NULL};
static const op_def BCE = {"bce", op_bce, NULL};
static const op_def BCE_RING = {"bce ring", op_bce_ring, NULL};
static const op_def XENT = {"softmax_xent", op_softmax_xent, NULL};
static const op_def OPTIMIZERS = {"optimizers", op_optimizers, NULL};
static const op_def CLIPPING = {"clipping", op_clipping, NULL};
static const op_def EMA_STEP = {"ema", op_ema, NULL};
static const op_def GEMM = {"gemm", op_gemm, NULL};
static const op_def GEMM_VIEW = {"gemm views", op_gemm_view, NULL};
static const op_def LAYER_FD = {"layer gradients", NULL, op_layer_grad};
static const op_def LOSS_FD = {"bce gradient", NULL, op_loss_grad};
static const op_def NET_FD = {"network gradients", NULL, op_net_grad};
static const op_def IM2COL_T = {"im2col_t", op_im2col_t, NULL};
static const op_def DENSE_LAYER = {"dense layer", op_dense_layer, NULL};
static const op_def OTHER_LAYERS = {"other layers", op_other_layers, NULL};
static const op_def NETWORK = {"network", op_network, NULL};
static const op_def NET_VIEWS = {"network views", op_net_views, NULL};

/* ROW(op, runs, params...): against plain C; ROW_GEMM: the same on each GEMM back end;
 * ROW_FD(spec, runs, step, ulps, params...): a layer against finite differences; ROW_NET(spec,
 * params...): a network of the layers in spec, against finite differences on each GEMM back end */
#define ROW(op, runs, ...) {&op, {__VA_ARGS__}, NULL, OP_REF, runs, 0, 0}
#define ROW_GEMM(op, runs, ...) {&op, {__VA_ARGS__}, NULL, OP_REF | OP_GEMM, runs, 0, 0}
#define ROW_FD(spec, runs, step, ulps, ...) {&LAYER_FD, {__VA_ARGS__}, spec, OP_GRAD, runs, step, ulps}
#define ROW_NET(spec, ...) {&NET_FD, {__VA_ARGS__}, spec, OP_GRAD | OP_GEMM, OP_BOTH, 1e-2, 16}
/* the same in the full run only (convolution networks: minutes under Oclgrind, whose conv test
 * runs those kernels on small cases) */
#define ROW_NET_FULL(spec, ...) {&NET_FD, {__VA_ARGS__}, spec, OP_GRAD | OP_GEMM, OP_FULL, 1e-2, 16}
#define F OP_FULL
#define S OP_SMALL
#define B OP_BOTH

static const op_case cases[] = {
    /* cl/common.cl: (n); (N, F, inner, seed) */
    OP_SIZES(FILL_AXPBY),
    ROW(BIAS, B, 1, 1, 1, 0), ROW(BIAS, B, 3, 7, 1, 1), ROW(BIAS, B, 5, 3, 7, 2),
    ROW(BIAS, B, 1, 65, 1, 3), ROW(BIAS, F, 64, 1, 1, 4), ROW(BIAS, F, 2, 63, 3, 5),
    ROW(BIAS, F, 10, 100, 1, 6), ROW(BIAS, F, 7, 13, 49, 7), ROW(BIAS, S, 2, 9, 5, 4),
    /* cl/reduce.cl: (n, C, hw, seed) */
    ROW(CHAN_SUMS, B, 1, 1, 1, 0), ROW(CHAN_SUMS, F, 1, 1, 1023, 1),
    ROW(CHAN_SUMS, F, 1, 1, 1024, 2), ROW(CHAN_SUMS, F, 1, 1, 1025, 3),
    ROW(CHAN_SUMS, F, 3, 2, 700, 4), ROW(CHAN_SUMS, F, 64, 3, 1, 5),
    ROW(CHAN_SUMS, F, 1025, 2, 1, 6), ROW(CHAN_SUMS, F, 5, 2, 65, 7),
    ROW(CHAN_SUMS, F, 1, 1, 1048581, 8), ROW(CHAN_SUMS, F, 17, 3, 4099, 9),
    ROW(CHAN_SUMS, F, 1, 2, 4095, 10), ROW(CHAN_SUMS, F, 4096, 1, 1, 11),
    ROW(CHAN_SUMS, F, 1, 1, 4097, 12), ROW(CHAN_SUMS, F, 3, 2, 1367, 13),
    ROW(CHAN_SUMS, S, 3, 2, 7, 1), ROW(CHAN_SUMS, S, 1, 1, 1025, 2),
    ROW(CHAN_SUMS, S, 70, 2, 1, 3), ROW(CHAN_SUMS, S, 2, 3, 33, 4),
    /* cl/activation.cl: (n) */
    OP_SIZES(ACTIVATIONS),
    ROW(SATURATION, B, 6),
    /* cl/random.cl: (n); (samples) */
    OP_SIZES(DROPOUT),
    ROW(DROPOUT_STATS, F, 100000), ROW(DROPOUT_STATS, S, 100),
    OP_SIZES(NOISE),
    ROW(NOISE_STATS, F, 100000), ROW(NOISE_STATS, S, 100),
    /* cl/data.cl: (n, item, base, items, seed) */
    ROW(GATHER, B, 1, 1, 0, 1, 0), ROW(GATHER, B, 3, 7, 2, 5, 1),
    ROW(GATHER, B, 7, 13, 1, 9, 2), ROW(GATHER, B, 65, 1, 3, 70, 3),
    ROW(GATHER, F, 10, 100, 0, 12, 4),
    /* cl/bench.cl: fma_peak (n, iterations), bw_copy (float4s); not in the small run: Oclgrind's
     * uninitialised-value check crashes inside itself on their vector code, as on cl/gemm.cl's */
    ROW(FMA_PEAK, F, 64, 3), ROW(FMA_PEAK, F, 192, 50),
    ROW(BW_COPY, F, 1), ROW(BW_COPY, F, 65), ROW(BW_COPY, F, 4099),
    /* cl/loss.cl: (n) */
    ROW(BCE, B, 1), ROW(BCE, B, 3), ROW(BCE, B, 64), ROW(BCE, B, 65),
    ROW(BCE, F, 200),
    ROW(BCE_RING, B, 5),
    /* (n, k, seed) */
    ROW(XENT, B, 1, 1, 0), ROW(XENT, B, 3, 10, 1), ROW(XENT, B, 65, 10, 2), ROW(XENT, F, 200, 7, 3),
    /* cl/optim.cl: (n) */
    OP_SIZES(OPTIMIZERS),
    OP_SIZES(CLIPPING),
    OP_SIZES(EMA_STEP),
    /* clg_gemm: (M, N, K); (M, N, K, 2 alpha, beta, ldpad) */
    ROW_GEMM(GEMM, B, 1, 1, 1), ROW_GEMM(GEMM, B, 3, 7, 5),
    ROW_GEMM(GEMM, B, 7, 1, 13), ROW_GEMM(GEMM, F, 17, 13, 9),
    ROW_GEMM(GEMM, F, 64, 64, 64), ROW_GEMM(GEMM, F, 65, 33, 63),
    ROW_GEMM(GEMM, F, 100, 70, 131), ROW_GEMM(GEMM, F, 64, 257, 784),
    ROW_GEMM(GEMM, F, 128, 520, 1031), ROW_GEMM(GEMM, S, 16, 15, 9),
    /* one row or one column (gemm_vec on the own back end), K past a launch's chunk */
    ROW_GEMM(GEMM, B, 1, 9, 17), ROW_GEMM(GEMM, B, 5, 1, 3), ROW_GEMM(GEMM, F, 1, 128, 1792),
    ROW_GEMM(GEMM, F, 200, 1, 1031), ROW_GEMM(GEMM, F, 1, 1792, 128),
    ROW_GEMM(GEMM_VIEW, B, 5, 3, 7, -1, 1, 3), ROW_GEMM(GEMM_VIEW, B, 9, 11, 2, 4, 0, 1),
    ROW_GEMM(GEMM_VIEW, B, 1, 13, 7, 3, 1, 2), ROW_GEMM(GEMM_VIEW, B, 11, 1, 5, -1, 0, 3),
    /* layers against finite differences: (c, h, w, n, x seed, seed, flags), step, ulps (ops_grad.h);
     * dense: ulps 4 (K+1) for K = max(in, n) terms */
    ROW_FD("dense units=5", B, 0.25, 32, 7, 1, 1, 3, 10, 20),
    ROW_FD("dense units=1", B, 0.25, 20, 4, 1, 1, 1, 11, 21),
    ROW_FD("dense units=9", F, 0.25, 24, 2, 1, 1, 5, 12, 22),
    ROW_FD("dense units=3 bias=0", B, 0.25, 32, 4, 1, 1, 3, 30, 31),
    ROW_FD("relu", B, 1e-2, 4, 3, 2, 2, 3, 40, 50, FD_X4 | FD_KINK),
    ROW_FD("leaky_relu", B, 1e-2, 4, 3, 2, 2, 3, 41, 51, FD_X4 | FD_KINK),
    ROW_FD("leaky_relu slope=0.2", B, 1e-2, 4, 3, 2, 2, 3, 42, 52, FD_X4 | FD_KINK),
    ROW_FD("tanh", B, 1e-2, 4, 3, 2, 2, 3, 43, 53, FD_X4),
    ROW_FD("sigmoid", B, 1e-2, 4, 3, 2, 2, 3, 44, 54, FD_X4),
    /* dropout: the key is reset before every forward, so the mask is fixed and backward must use it */
    ROW_FD("dropout p=0.5", B, 0.25, 4, 5, 3, 1, 4, 60, 61, FD_WIDE),
    ROW_FD("dropout p=0.2", B, 0.25, 4, 15, 1, 1, 4, 60, 62, FD_WIDE),
    ROW_FD("flatten", B, 0.25, 4, 5, 3, 1, 4, 60, 63, FD_WIDE),
    ROW_FD("reshape c=3 h=5 w=1", B, 0.25, 4, 15, 1, 1, 4, 60, 64, FD_WIDE),
    /* full run only (under Oclgrind these kernels run in test_conv, test_bn, test_maxout):
     * convolutions (linear: exact differences but for rounding; ulps 4 (K+1), K = c k k terms) */
    ROW_FD("conv2d filters=3 kernel=3 stride=2 padding=1", F, 1.0, 76, 2, 5, 5, 2, 65, 66),
    ROW_FD("conv_transpose2d filters=2 kernel=3 stride=2", F, 1.0, 112, 3, 3, 3, 2, 67, 68),
    /* batch norm over n h w values per channel, training and evaluation, 2-D and flat: finite
     * differences of ref_bn.h's double forward (no float noise: a small step), the backward's
     * rounding ulps 4 (K+1) for K-term sums */
    ROW_FD("batchnorm", F, 1e-3, 52, 3, 2, 2, 3, 69, 70),
    ROW_FD("batchnorm", F, 1e-3, 52, 3, 2, 2, 3, 71, 72, FD_EVAL),
    ROW_FD("batchnorm", F, 1e-3, 24, 4, 1, 1, 5, 73, 74),
    ROW_FD("upsample scale=2 mode=nearest", F, 0.25, 4, 2, 3, 2, 2, 75, 76),
    ROW_FD("upsample scale=3 mode=bilinear", F, 0.25, 16, 2, 3, 2, 2, 77, 78),
    ROW_FD("maxout k=2", F, 1e-2, 4, 6, 1, 1, 3, 79, 80),
    /* the loss, d (batch loss) / dz: (n) */
    {&LOSS_FD, {7}, NULL, OP_GRAD, OP_BOTH, 0, 0}, {&LOSS_FD, {65}, NULL, OP_GRAD, OP_BOTH, 0, 0},
    /* whole networks through clg_net_backward, on each GEMM back end: (c, h, w, batch, layer
     * whose input stays away from 0, seed); every other element in the small run */
    ROW_NET("flatten; dense units=5; leaky_relu slope=0.2; dense units=3; tanh; dense units=1", 2, 3, 1, 4, 2, 100),
    ROW_NET("dense units=6; relu; dropout p=0.3; dense units=2 bias=0; sigmoid", 5, 1, 1, 3, 1, 200),
    /* flatten and reshape inside a network are views: dy passes through them */
    ROW_NET("dense units=12; reshape c=3 h=2 w=2; leaky_relu slope=0.2; flatten; dense units=2; reshape c=1 h=2 w=1",
            5, 1, 1, 3, 2, 300),
    /* a nearest upsampling folded into the transposed convolution after it (layers/conv_common.h) */
    ROW_NET_FULL("upsample scale=2; conv_transpose2d filters=2 kernel=3 padding=same direct=0; tanh", 2, 3, 2, 2, 2, 400),
    /* convolutions with few filters on direct kernels (cl/dconv.cl) */
    ROW_NET_FULL("conv2d filters=2 kernel=3 stride=2 padding=1 direct=1; tanh; "
            "conv_transpose2d filters=1 kernel=4 stride=2 padding=1 direct=1",
            3, 5, 4, 2, 1, 500),
    ROW_NET_FULL("conv2d filters=2 kernel=3 padding=same; tanh; conv_transpose2d filters=1 kernel=3 direct=1", 2, 4, 5, 2, 1,
            600),
    /* weight gradients from transposed columns (im2col_t): at least 64 columns in dW */
    ROW_NET_FULL("conv2d filters=2 kernel=3 padding=1 direct=0; tanh; conv_transpose2d filters=8 kernel=3 direct=0", 8, 3, 3,
            2, 1, 700),
    /* im2col_t (ops_layers.h): (nc, c, h, w, k, s, pt, pl) */
    ROW(IM2COL_T, B, 2, 3, 5, 6, 3, 1, 1, 1), ROW(IM2COL_T, B, 1, 2, 7, 7, 4, 2, 1, 2),
    ROW(IM2COL_T, F, 3, 4, 4, 4, 5, 1, 2, 2),
    /* layers (ops_layers.h) against plain C, dense on each GEMM back end: (n, in, out, bias, seed) */
    ROW_GEMM(DENSE_LAYER, B, 1, 1, 1, 1, 0), ROW_GEMM(DENSE_LAYER, B, 3, 7, 5, 1, 1),
    ROW_GEMM(DENSE_LAYER, B, 4, 6, 3, 0, 2), ROW_GEMM(DENSE_LAYER, F, 65, 33, 17, 1, 3),
    ROW_GEMM(DENSE_LAYER, F, 64, 100, 1, 1, 4), ROW_GEMM(DENSE_LAYER, S, 9, 10, 7, 1, 3),
    ROW(OTHER_LAYERS, B, 0),
    /* flatten/dense/leaky_relu/dense/tanh/dense/sigmoid, batch 4, updates by every optimizer */
    ROW_GEMM(NETWORK, B, 0),
    ROW(NET_VIEWS, B, 0),
};

#undef F
#undef S
#undef B

/* Every kernel of the runtime's table must have been launched by some row; with one GEMM back end
 * (forced by $CLGAN_GEMM) the kernels of cl/gemm.cl are left out when it is CLBlast. */
static void check_coverage(int own_ran)
{
    static const struct {
        const char *prog, *fn;
    } names[] = {
#define K(id, prog, fn) {#prog, #fn},
        CLG_KERNELS(K)
#undef K
    };
    int missing = 0;
    for (int k = 0; k < CLG_NKERNELS; k++) {
        if (!own_ran && !strcmp(names[k].prog, "gemm")) continue;
        CHECK(launches[k] > 0, "kernel %s/%s (cl/%s.cl) is launched by no case of tests/test_ops.c: add rows for it",
              names[k].prog, names[k].fn, names[k].prog);
        missing += launches[k] == 0;
    }
    printf("  coverage: %d of %d kernels launched%s\n", CLG_NKERNELS - missing, CLG_NKERNELS,
           own_ran ? "" : " (cl/gemm.cl not run: $CLGAN_GEMM=clblast)");
}

static int own_ran; /* a row ran on cl/gemm.cl's kernels */

/* Run row c in each of its modes, on each GEMM back end when it has OP_GEMM. */
static void run_case(const op_case *c)
{
    int own[2] = {ctx->gemm_own, 0}, nb = c->modes & OP_GEMM ? gemm_backends(own) : 1, saved = ctx->gemm_own;
    for (int b = 0; b < nb; b++) {
        if (c->modes & OP_GEMM) gemm_use(own[b]);
        own_ran |= ctx->gemm_own;
        if (c->modes & OP_REF) c->op->ref(c);
        if (c->modes & OP_GRAD) c->op->grad(c);
    }
    if (c->modes & OP_GEMM) gemm_use(saved);
}

int main(int argc, char **argv)
{
    int only_gemm = argc > 1 && !strcmp(argv[1], "gemm");
    if (argc > 1 && !only_gemm) {
        fprintf(stderr, "usage: test_ops [gemm]\n");
        return 2;
    }
    small_mode = getenv("CLGAN_TEST_SMALL") != NULL;
    ctx = test_ctx();
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("device: %s%s\n", clg_ctx_device_desc(ctx), small_mode ? " (small sizes)" : "");
    int ncases = (int)(sizeof cases / sizeof cases[0]);
    for (int i = 0; i < ncases;) {
        const op_def *op = cases[i].op;
        int f0 = t_fail, rows = 0;
        worst = 0;
        grad_begin();
        double t0 = test_now();
        for (; i < ncases && cases[i].op == op; i++) {
            const op_case *c = &cases[i];
            if (!(c->runs & (small_mode ? OP_SMALL : OP_FULL)) || (only_gemm && !(c->modes & OP_GEMM))) continue;
            if (!(c->modes & OP_REF) != !c->op->ref || !(c->modes & OP_GRAD) != !c->op->grad) {
                fprintf(stderr, "FAIL: case %d (%s): a mode without its runner, or a runner without its mode\n", i,
                        c->op->name);
                return 1;
            }
            run_case(c);
            rows++;
        }
        if (rows)
            printf("  %-24s %s  %3d rows  worst error/tolerance %.3g  %.2f s\n", op->name, t_fail > f0 ? "FAIL" : "ok  ",
                   rows, worst, test_now() - t0);
        if (rows && op->grad) grad_summary();
    }
    if (only_gemm || small_mode) printf("  coverage: not checked (%s)\n", only_gemm ? "only the GEMM rows ran" : "small run");
    else check_coverage(own_ran);
    clg_ctx_free(ctx);
    return test_summary("ops");
}
