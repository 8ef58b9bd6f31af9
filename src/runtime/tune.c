/* tune.c — device-tuned GEMM. `clgan tune` times every GEMM candidate on shapes the configs use
 * (dense layers of the MLP GANs at batch 128, the DCGAN's im2col products): every variant of
 * every GEMM back end (gemm.h's table: cl/gemm.cl, CLBlast with its own defaults, CLBlast with
 * parameter sets that suit CPUs). Each candidate's results are checked against a
 * double-precision host GEMM before it may win. The winner is stored per device and driver in
 * the cache folder as a small key = value file, and applied by every later context on that
 * device (CLBlastOverrideParameters for CLBlast). The file also holds the own GEMM's tunables
 * where they differ from the table's (`TILE_M = 4`, tunables.h's STORED rows): a context reads
 * them before it builds its programs. A file that does not parse, names an unknown tunable or
 * holds a set the kernels cannot take is ignored with a warning.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runtime/gemm.h"

typedef struct shape {
    int m, n, k, ta, tb;
} shape;

static const shape shapes[] = {
    {128, 200, 784, 0, 1}, {128, 784, 200, 0, 0}, {200, 784, 128, 1, 0}, {128, 200, 100, 0, 1},
    {56, 6272, 448, 0, 0}, {56, 448, 6272, 0, 1},  {448, 6272, 56, 1, 0},
};
#define NSHAPES (int)(sizeof shapes / sizeof shapes[0])

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

void clg_tune_path(const clg_ctx *ctx, char *out, size_t n)
{
    out[0] = 0;
    if (!ctx->cache_dir[0]) return;
    uint64_t h = 1469598103934665603ULL;
    const char *parts[] = {ctx->name, ctx->driver, ctx->version, ctx->platform_name};
    for (int i = 0; i < 4; i++)
        for (const char *p = parts[i]; *p; p++) h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    snprintf(out, n, "%s/tune-%016llx.ini", ctx->cache_dir, (unsigned long long)h);
}

void clg_gemm_describe(clg_ctx *ctx)
{
    char forced[80];
    snprintf(forced, sizeof forced, ", %s", ctx->gemm_origin);
    const char *why = ctx->gemm_forced ? forced : "";
    if (ctx->gemm_own) {
        if (!ctx->gemm_forced && !strcmp(ctx->tuned, "own")) why = ", tuned";
        snprintf(ctx->gemm_desc, sizeof ctx->gemm_desc, "own (cl/gemm.cl%s)", why);
        return;
    }
    int tuned = ctx->clblast_set[0] ? !strcmp(ctx->tuned, ctx->clblast_set) : !strcmp(ctx->tuned, "clblast-default");
    if (!ctx->gemm_forced && tuned) why = ", tuned";
    if (ctx->clblast_set[0])
        snprintf(ctx->gemm_desc, sizeof ctx->gemm_desc, "clblast (%s parameters%s%s)", ctx->clblast_set,
                 tuned ? "" : ", left set by tuning", why);
    else snprintf(ctx->gemm_desc, sizeof ctx->gemm_desc, "clblast (defaults%s)", why);
}

/* Time all shapes with the current back end; 0 on success with *ms the sum of medians, and
 * *ok whether every result matched the reference. */
static int measure(clg_ctx *ctx, clg_buf *a, clg_buf *b, clg_buf *c, float *host_c, double *const *ref, double *ms,
                   int *ok)
{
    *ms = 0;
    *ok = 1;
    for (int i = 0; i < NSHAPES; i++) {
        const shape *s = &shapes[i];
        size_t lda = s->ta ? s->m : s->k, ldb = s->tb ? s->k : s->n;
        double t[3];
        for (int r = 0; r < 4; r++) {
            double t0 = now_seconds();
            TRY(clg_gemm(ctx, s->ta, s->tb, s->m, s->n, s->k, 1.0f, a, lda, b, ldb, 0.0f, c, s->n));
            CL_CHECK(ctx, clFinish(ctx->queue));
            if (r) t[r - 1] = now_seconds() - t0;
        }
        double med = t[0] < t[1] ? (t[1] < t[2] ? t[1] : (t[0] < t[2] ? t[2] : t[0]))
                                 : (t[0] < t[2] ? t[0] : (t[1] < t[2] ? t[2] : t[1]));
        *ms += med * 1e3;
        TRY(clg_buf_read(ctx, host_c, c, (size_t)s->m * s->n));
        for (size_t j = 0; j < (size_t)s->m * s->n; j++)
            if (!(fabs(host_c[j] - ref[i][j]) <= 1e-4 * (1.0 + fabs(ref[i][j])) * sqrt((double)s->k))) *ok = 0;
    }
    return CLG_OK;
}

int clg_tune(clg_ctx *ctx, FILE *log)
{
    size_t max = 0;
    for (int i = 0; i < NSHAPES; i++) {
        size_t e[3] = {(size_t)shapes[i].m * shapes[i].k, (size_t)shapes[i].k * shapes[i].n,
                       (size_t)shapes[i].m * shapes[i].n};
        for (int j = 0; j < 3; j++) max = e[j] > max ? e[j] : max;
    }
    float *ha = malloc(max * sizeof *ha), *hb = malloc(max * sizeof *hb), *hc = malloc(max * sizeof *hc);
    double *ref[NSHAPES] = {0};
    clg_buf a, b, c;
    int st = !ha || !hb || !hc ? CLG_ERR_NOMEM : CLG_OK;
    uint32_t seed = 1;
    for (size_t i = 0; st == CLG_OK && i < max; i++) {
        seed = seed * 1664525u + 1013904223u;
        ha[i] = (float)(seed >> 8) / 16777216.0f - 0.5f;
        seed = seed * 1664525u + 1013904223u;
        hb[i] = (float)(seed >> 8) / 16777216.0f - 0.5f;
    }
    /* double-precision references */
    for (int i = 0; st == CLG_OK && i < NSHAPES; i++) {
        const shape *s = &shapes[i];
        size_t lda = s->ta ? s->m : s->k, ldb = s->tb ? s->k : s->n;
        ref[i] = calloc((size_t)s->m * s->n, sizeof(double));
        if (!ref[i]) {
            st = CLG_ERR_NOMEM;
            break;
        }
        for (int r = 0; r < s->m; r++)
            for (int q = 0; q < s->k; q++) {
                double av = ha[s->ta ? (size_t)q * lda + r : (size_t)r * lda + q];
                for (int col = 0; col < s->n; col++)
                    ref[i][(size_t)r * s->n + col] += av * hb[s->tb ? (size_t)col * ldb + q : (size_t)q * ldb + col];
            }
    }
    if (st == CLG_OK) st = clg_buf_alloc(ctx, &a, max, "tuning A");
    if (st == CLG_OK) st = clg_buf_alloc(ctx, &b, max, "tuning B");
    if (st == CLG_OK) st = clg_buf_alloc(ctx, &c, max, "tuning C");
    if (st == CLG_OK) st = clg_buf_write(ctx, &a, ha, max, 1);
    if (st == CLG_OK) st = clg_buf_write(ctx, &b, hb, max, 1);

    /* candidates: every variant of every back end, our kernel first, then CLBlast (its defaults
     * measured before any parameter set overrides them) */
    static const int order[CLG_NGEMM] = {CLG_GEMM_OWN, CLG_GEMM_CLBLAST};
    const char *best = NULL;
    double best_ms = INFINITY, ms;
    int ok, saved_own = ctx->gemm_own, first = 1;
    char summary[512] = "";
    for (int bi = 0; st == CLG_OK && bi < CLG_NGEMM; bi++) {
        const clg_gemm_backend *be = clg_gemm_backends[order[bi]];
        for (int v = 0; v < be->nvariants; v++) {
            const char *name = be->variant_name(v);
            ctx->gemm_own = order[bi];
            int cst = be->select(ctx, v);
            if (cst == CLG_OK) cst = measure(ctx, &a, &b, &c, hc, ref, &ms, &ok);
            if (cst != CLG_OK) {
                if (log) fprintf(log, "  %-16s failed: %s\n", name, clg_last_error(ctx));
                continue;
            }
            if (log)
                fprintf(log, "  %-16s %9.2f ms for %d shapes%s\n", name, ms, NSHAPES, ok ? "" : "  WRONG RESULTS: rejected");
            snprintf(summary + strlen(summary), sizeof summary - strlen(summary), "%s%s %.2f ms", first ? "" : ", ",
                     name, ms);
            first = 0;
            if (ok && ms < best_ms) best_ms = ms, best = name;
        }
    }
    ctx->gemm_own = saved_own;
    if (st == CLG_OK && !best) st = clg_fail(ctx, CLG_ERR_INTERNAL, "no GEMM candidate gave correct results on %s", ctx->name);
    if (st == CLG_OK) {
        char path[1200], tmp[1300];
        clg_tune_path(ctx, path, sizeof path);
        if (path[0]) clg_mkdir_p(ctx->cache_dir);
        snprintf(tmp, sizeof tmp, "%s.tmp", path);
        FILE *f = path[0] ? fopen(tmp, "w") : NULL;
        if (!path[0]) st = clg_fail(ctx, CLG_ERR_ARG, "tuning needs a cache folder to store its choice in (clg_ctx_params.cache_dir)");
        else if (!f) st = clg_fail(ctx, CLG_ERR_IO, "%s: cannot create", tmp);
        else {
            fprintf(f, "# clgan tune: %s\n# measured: %s\ngemm = %s\n", ctx->desc, summary, best);
            /* the own GEMM's tunables it was measured with, where they are not the table's */
            for (int i = 0; i < CLG_NTUNABLES; i++)
                if (clg_tunable_defs[i].origin == CLG_TUN_STORED && ctx->tun[i] != clg_tunable_defs[i].value)
                    fprintf(f, "%s = %d\n", clg_tunable_defs[i].name, ctx->tun[i]);
            if (fclose(f) != 0 || rename(tmp, path) != 0) st = clg_fail(ctx, CLG_ERR_IO, "%s: cannot write", path);
            else if (log) fprintf(log, "best: %s (%.2f ms); stored in %s\n", best, best_ms, path);
        }
    }
    clg_buf_release(&a), clg_buf_release(&b), clg_buf_release(&c);
    for (int i = 0; i < NSHAPES; i++) free(ref[i]);
    free(ha), free(hb), free(hc);
    if (st == CLG_OK) st = clg_tune_apply(ctx); /* this context uses the winner from now on */
    clg_gemm_describe(ctx);
    return st;
}

/* One line of a tuning file: `gemm = NAME` into value, or `TUNABLE = INT` (a STORED row) into
 * tun. 0 when it is neither. */
static int parse_line(const char *line, char *value, int *tun)
{
    char key[64], rest[2];
    int v;
    if (sscanf(line, "gemm = %63s %1s", value, rest) == 1) return 1;
    if (sscanf(line, "%63[A-Z0-9_] = %d %1s", key, &v, rest) != 2) return 0;
    int id = clg_tunable_find(key);
    if (id < 0 || clg_tunable_defs[id].origin != CLG_TUN_STORED) return 0;
    tun[id] = v;
    return 1;
}

int clg_tune_apply(clg_ctx *ctx)
{
    char path[1200], line[512], value[64] = "", why[160];
    clg_tune_path(ctx, path, sizeof path);
    FILE *f = path[0] ? fopen(path, "r") : NULL;
    if (!f) return CLG_OK; /* untuned: defaults */
    int lineno = 0, bad = 0, tun[CLG_NTUNABLES];
    memcpy(tun, ctx->tun, sizeof tun);
    while (fgets(line, sizeof line, f)) {
        lineno++;
        if (line[0] == '#' || line[0] == '\n') continue;
        if (!parse_line(line, value, tun)) {
            bad = lineno;
            break;
        }
    }
    fclose(f);
    int backend = -1, variant = -1;
    for (int bi = 0; bi < CLG_NGEMM; bi++)
        for (int v = 0; v < clg_gemm_backends[bi]->nvariants; v++)
            if (!strcmp(value, clg_gemm_backends[bi]->variant_name(v))) backend = bi, variant = v;
    if (!bad && backend < 0) bad = lineno ? lineno : 1;
    if (bad) {
        snprintf(ctx->warning, sizeof ctx->warning,
                 "ignoring the GEMM tuning file %s: line %d is not `gemm = own|clblast-default|cpu-a|cpu-b` "
                 "or `TUNABLE = INTEGER` with a GEMM tunable (TILE_M, TILE_N, VW, ...) (run `clgan tune` again)",
                 path, bad);
        return CLG_OK;
    }
    if (clg_tunables_check(ctx, tun, why, sizeof why)) {
        snprintf(ctx->warning, sizeof ctx->warning, "ignoring the GEMM tuning file %s: %s (run `clgan tune` again)",
                 path, why);
        return CLG_OK;
    }
    /* a forced back end wins; a tuned CLBlast parameter set still applies to CLBlast */
    if (!ctx->gemm_forced) ctx->gemm_own = backend;
    if (backend == CLG_GEMM_CLBLAST && variant > 0 && ctx->gemm_own == CLG_GEMM_CLBLAST) {
        int st = clg_gemm_backends[backend]->select(ctx, variant);
        if (st != CLG_OK) {
            snprintf(ctx->warning, sizeof ctx->warning, "ignoring the GEMM tuning file %s: %.500s", path, ctx->err.msg);
            return CLG_OK;
        }
    }
    /* the tunables count from the next build: a context that built its programs already (the
     * tuning run itself, which stored its own values) keeps those it built with */
    if (!ctx->programs[0]) memcpy(ctx->tun, tun, sizeof tun);
    snprintf(ctx->tuned, sizeof ctx->tuned, "%s", value);
    return CLG_OK;
}
