/* gemm_own.c — the own GEMM back end: cl/gemm.cl's register-tiled kernels (one per transpose
 * case), and its dot-product kernel where the tile's wide side would be one column of C; K split
 * into equal launches. No plan-time work and nothing held on the context.
 */
#include "runtime/gemm.h"
#include "runtime/launch.h"

/* C's one row (M = 1) or column (N = 1) by gemm_vec, K in launches like the tiled kernels'. With
 * M = 1, X is A's row and Y is B; with N = 1, X is B's column and Y is A^T, C's column strided
 * by ldc. */
static int run_vec(clg_ctx *ctx, const clg_gemm_args *g, size_t kmax)
{
    int row = g->m == 1, ta = g->ta, tb = g->tb;
    size_t len = row ? g->n : g->m, k = g->k, lda = g->lda, ldb = g->ldb;
    const clg_buf *x = row ? g->a : g->b, *y = row ? g->b : g->a;
    size_t xs = row ? (ta ? lda : 1) : (tb ? 1 : ldb);
    size_t ysk = row ? (tb ? 1 : ldb) : (ta ? lda : 1), ysj = row ? (tb ? ldb : 1) : (ta ? 1 : lda);
    size_t cs = row ? 1 : g->ldc;
    size_t chunks = k ? (k + kmax - 1) / kmax : 1, kc = k ? (k + chunks - 1) / chunks : 0;
    for (size_t j = 0; j < chunks; j++) {
        size_t k0 = j * kc, kn = k - k0 < kc ? k - k0 : kc;
        TRY(CLG_LAUNCH1(ctx, CLG_K_GEMM_VEC, len, KA_INT(len), KA_INT(kn), KA_FLT(g->alpha),
                        KA_FLT(j ? 1.0f : g->beta), KA_MEM(x->mem), KA_INT(x->off + k0 * xs), KA_INT(xs),
                        KA_MEM(y->mem), KA_INT(y->off + k0 * ysk), KA_INT(ysk), KA_INT(ysj), KA_MEM(g->c->mem),
                        KA_INT(g->c->off), KA_INT(cs)));
    }
    return CLG_OK;
}

/* Our GEMM: K split into equal launches of at most GEMM_K_CHUNK (keeps the panels in cache),
 * each after the first accumulating with beta = 1. Tiles, local size and the chunk are the
 * context's tunables, those cl/gemm.cl was built with. */
static int run(clg_ctx *ctx, const clg_gemm_args *g)
{
    if (ctx->dry_run) return CLG_OK;
    int ta = g->ta, tb = g->tb;
    size_t m = g->m, n = g->n, k = g->k, lda = g->lda, ldb = g->ldb, ldc = g->ldc;
    float alpha = g->alpha, beta = g->beta;
    const clg_buf *a = g->a, *b = g->b;
    clg_buf *c = g->c;
    static const int kernel[2][2] = {{CLG_K_GEMM_NN, CLG_K_GEMM_NT}, {CLG_K_GEMM_TN, CLG_K_GEMM_TT}};
    size_t r = ta && tb ? n : m, s = ta && tb ? m : n;
    const int nt = !ta && tb;
    size_t tm = (size_t)clg_tunable(ctx, nt ? CLG_T_NT_TILE_M : CLG_T_TILE_M);
    size_t tn = (size_t)clg_tunable(ctx, nt ? CLG_T_NT_TILE_N : CLG_T_TILE_N);
    size_t local[2] = {(size_t)clg_tunable(ctx, CLG_T_WG_M), (size_t)clg_tunable(ctx, CLG_T_WG_N)};
    const size_t kmax = (size_t)clg_tunable(ctx, CLG_T_GEMM_K_CHUNK);
    size_t global[2] = {clg_round_up((r + tm - 1) / tm, local[0]), clg_round_up((s + tn - 1) / tn, local[1])};
    if (m == 0 || n == 0) return CLG_OK;
    /* gemm_vec only where the tiled kernel's columns (TILE_N wide; gemm_tt's run along M) are one:
     * there it is 2.6-8x faster (gemm_tn/gemm_nn with N = 1, gemm_tt with M = 1). Elsewhere, the
     * DCGAN's last convolution and its weight gradient (M = 1, nn and nt) and a last dense layer
     * (N = 1 nt, M = 1 tn) included, the tiles run 2.5-12x faster: gemm_vec's loads, strided by a
     * run-time ysj, become gathers on a CPU, and gemm_nt's narrow tile vectorizes along K. */
    if (!nt && s == 1) return run_vec(ctx, g, kmax);
    size_t chunks = k ? (k + kmax - 1) / kmax : 1, kc = k ? (k + chunks - 1) / chunks : 0;
    for (size_t j = 0; j < chunks; j++) {
        size_t k0 = j * kc, kn = k - k0 < kc ? k - k0 : kc;
        size_t aoff = a->off + (ta ? k0 * lda : k0), boff = b->off + (tb ? k0 : k0 * ldb);
        TRY(clg_launch(ctx, kernel[ta != 0][tb != 0], 2, global, local, 14,
                       (clg_karg[]){KA_INT(m), KA_INT(n), KA_INT(kn), KA_FLT(alpha), KA_FLT(j ? 1.0f : beta),
                                    KA_MEM(a->mem), KA_INT(aoff), KA_INT(lda), KA_MEM(b->mem), KA_INT(boff),
                                    KA_INT(ldb), KA_MEM(c->mem), KA_INT(c->off), KA_INT(ldc)}));
    }
    return CLG_OK;
}

static const char *variant_name(int v)
{
    (void)v;
    return "own";
}

static int select_variant(clg_ctx *ctx, int v)
{
    (void)ctx, (void)v;
    return CLG_OK;
}

static void nothing(clg_ctx *ctx) { (void)ctx; }

const clg_gemm_backend clg_gemm_own_backend = {"own", 1, variant_name, select_variant, run, nothing, nothing};
