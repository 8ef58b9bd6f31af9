/* gemm_clblast.c — the CLBlast GEMM back end: CLBlastSgemmWithTempBuffer with one temporary
 * buffer sized while planning (so that a step allocates nothing), and the parameter sets clgan
 * can apply (its defaults, and sets that suit CPUs) as the back end's variants.
 */
#include <clblast_c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/gemm.h"
#include "runtime/prof.h"

static double mib(double bytes) { return bytes / 1048576.0; }

/* CLBlast parameter sets (names must be complete for a kernel, or CLBlast refuses them). */
static const char *xgemm_names[] = {"GEMMK", "KREG", "KWG",  "KWI",  "MDIMA", "MDIMC", "MWG", "NDIMB",
                                    "NDIMC", "NWG",  "SA",   "SB",   "STRM",  "STRN",  "VWM", "VWN"};
#define NXGEMM 16
static const struct {
    const char *name;
    size_t v[NXGEMM];
} sets[] = {
    {"cpu-a", {1, 8, 1, 1, 4, 4, 32, 4, 4, 32, 0, 0, 0, 0, 8, 8}},
    {"cpu-b", {1, 4, 1, 1, 8, 8, 64, 8, 8, 64, 0, 0, 0, 0, 4, 4}},
};
#define NSETS (int)(sizeof sets / sizeof sets[0])

/* ---- CLBlast's temporary buffer ------------------------------------------------------------ */
struct clg_gemm_shape {
    size_t m, n, k, lda, ldb, ldc;
    int ta, tb;
    size_t tmp_bytes;
};

static void reset(clg_ctx *ctx) { ctx->gemm_nshapes = 0; }

/* The temporary bytes CLBlast's indirect GEMM may need for this shape: asked with non-zero
 * offsets, which make it pad-copy all three matrices (the most it ever needs), so the answer
 * holds wherever the operands sit. Remembered per shape. */
static int gemm_tmp_need(clg_ctx *ctx, int ta, int tb, size_t m, size_t n, size_t k, size_t lda, size_t ldb,
                         size_t ldc, size_t *bytes, int *seen)
{
    for (int i = 0; i < ctx->gemm_nshapes; i++) {
        const struct clg_gemm_shape *s = &ctx->gemm_shapes[i];
        if (s->m == m && s->n == n && s->k == k && s->lda == lda && s->ldb == ldb && s->ldc == ldc && s->ta == ta &&
            s->tb == tb) {
            *bytes = s->tmp_bytes;
            *seen = 1;
            return CLG_OK;
        }
    }
    *seen = 0;
    CLBlastStatusCode st = CLBlastSGemmTempBufferSize(CLBlastLayoutRowMajor, ta ? CLBlastTransposeYes : CLBlastTransposeNo,
                                                      tb ? CLBlastTransposeYes : CLBlastTransposeNo, m, n, k, 1, lda, 1,
                                                      ldb, 1, ldc, &ctx->queue, bytes);
    if (st != CLBlastSuccess) return clg_blast_fail(ctx, st, "CLBlastSGemmTempBufferSize", __FILE__, __LINE__);
    if (ctx->gemm_nshapes == ctx->gemm_shapes_cap) {
        int cap = ctx->gemm_shapes_cap ? 2 * ctx->gemm_shapes_cap : 32;
        struct clg_gemm_shape *p = realloc(ctx->gemm_shapes, (size_t)cap * sizeof *p);
        if (!p) return clg_fail(ctx, CLG_ERR_NOMEM, "out of host memory");
        ctx->gemm_shapes = p;
        ctx->gemm_shapes_cap = cap;
    }
    ctx->gemm_shapes[ctx->gemm_nshapes++] = (struct clg_gemm_shape){m, n, k, lda, ldb, ldc, ta, tb, *bytes};
    return CLG_OK;
}

static int gemm_tmp_grow(clg_ctx *ctx, size_t bytes)
{
    if (bytes <= ctx->gemm_tmp_bytes) return CLG_OK;
    TRY(clg_mem_check(ctx, bytes, "CLBlast's temporary GEMM buffer", bytes, "CLBlast's temporary matrices",
                      "use a smaller batch or model"));
    cl_int e;
    cl_mem m = clCreateBuffer(ctx->context, CL_MEM_READ_WRITE, bytes, NULL, &e);
    ctx->nallocs++;
    if (e != CL_SUCCESS)
        return clg_fail(ctx, CLG_ERR_NOMEM,
                        "allocating CLBlast's temporary GEMM buffer (%.1f MiB) on %s failed with %s (%d): %s",
                        mib((double)bytes), ctx->name, clg_raw_name(e, 0), e, clg_raw_hint(e, 0));
    if (ctx->gemm_tmp) clReleaseMemObject(ctx->gemm_tmp);
    ctx->gemm_tmp = m;
    ctx->gemm_tmp_bytes = bytes;
    return CLG_OK;
}

static int apply_set(clg_ctx *ctx, int set)
{
    CLBlastStatusCode s = CLBlastOverrideParameters(ctx->device, "Xgemm", CLBlastPrecisionSingle, NXGEMM, xgemm_names,
                                                    sets[set].v);
    const char *rn[] = {"XGEMM_MIN_INDIRECT_SIZE"};
    size_t rv[] = {1};
    if (s == CLBlastSuccess)
        s = CLBlastOverrideParameters(ctx->device, "GemmRoutine", CLBlastPrecisionSingle, 1, rn, rv);
    if (s != CLBlastSuccess)
        return clg_fail(ctx, clg_raw_status(s, 1), "CLBlastOverrideParameters(Xgemm %s) failed with %s (%d)",
                        sets[set].name, clg_raw_name(s, 1), s);
    snprintf(ctx->clblast_set, sizeof ctx->clblast_set, "%s", sets[set].name);
    reset(ctx); /* other tiles, other temporary sizes */
    return CLG_OK;
}

static int run(clg_ctx *ctx, const clg_gemm_args *g)
{
    int trans_a = g->ta, trans_b = g->tb;
    size_t m = g->m, n = g->n, k = g->k, lda = g->lda, ldb = g->ldb, ldc = g->ldc;
    float alpha = g->alpha, beta = g->beta;
    const clg_buf *a = g->a, *b = g->b;
    clg_buf *c = g->c;
    if (m == 0 || n == 0) return CLG_OK;
    size_t need;
    int seen;
    TRY(gemm_tmp_need(ctx, trans_a, trans_b, m, n, k, lda, ldb, ldc, &need, &seen));
    /* planning: each shape runs once (on the plan's still-zero buffers) so CLBlast builds now */
    if (ctx->dry_run && seen) return CLG_OK;
    TRY(gemm_tmp_grow(ctx, need));
    cl_event ev;
    CLBlastStatusCode s = CLBlastSgemmWithTempBuffer(
        CLBlastLayoutRowMajor, trans_a ? CLBlastTransposeYes : CLBlastTransposeNo,
        trans_b ? CLBlastTransposeYes : CLBlastTransposeNo, m, n, k, alpha, a->mem, a->off, lda, b->mem, b->off, ldb,
        beta, c->mem, c->off, ldc, &ctx->queue, CLG_PROF_EVENT(ctx, ev), ctx->gemm_tmp);
    if (s == CLBlastSuccess && ctx->prof_on) clg_prof_add(ctx, ev);
    if (s != CLBlastSuccess) {
        char call[200];
        snprintf(call, sizeof call, "CLBlastSgemmWithTempBuffer(%s%s, m=%zu n=%zu k=%zu, temp %zu bytes)",
                 trans_a ? "T" : "N", trans_b ? "T" : "N", m, n, k, ctx->gemm_tmp_bytes);
        return clg_blast_fail(ctx, s, call, __FILE__, __LINE__);
    }
    return CLG_OK;
}

static const char *variant_name(int v) { return v == 0 ? "clblast-default" : sets[v - 1].name; }

/* Variant 0 is CLBlast's defaults: it cannot come back once a set is applied (`clgan tune`
 * measures it first). */
static int select_variant(clg_ctx *ctx, int v)
{
    if (v == 0) {
        if (ctx->clblast_set[0])
            return clg_fail(ctx, CLG_ERR_INTERNAL, "CLBlast's defaults cannot come back after the %s set",
                            ctx->clblast_set);
        return CLG_OK;
    }
    return apply_set(ctx, v - 1);
}

static void release(clg_ctx *ctx)
{
    if (ctx->gemm_tmp) clReleaseMemObject(ctx->gemm_tmp);
    ctx->gemm_tmp = NULL;
    ctx->gemm_tmp_bytes = 0;
    free(ctx->gemm_shapes);
    ctx->gemm_shapes = NULL;
    ctx->gemm_nshapes = ctx->gemm_shapes_cap = 0;
}

const clg_gemm_backend clg_gemm_clblast_backend = {"clblast", 1 + NSETS, variant_name, select_variant, run, reset,
                                                   release};
