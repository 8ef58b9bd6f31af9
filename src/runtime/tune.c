/* tune.c — device-tuned GEMM. `clgan tune` times every GEMM candidate on shapes the configs use
 * (dense layers of the MLP GANs at batch 128, the DCGAN's im2col products): every variant of
 * every GEMM back end (gemm.h's table: cl/gemm.cl, CLBlast with its own defaults, CLBlast with
 * parameter sets that suit CPUs). Each candidate's results are checked against a
 * double-precision host GEMM before it may win. The winner is stored per device and driver in
 * the cache folder as a small key = value file, and applied by every later context on that
 * device (CLBlastOverrideParameters for CLBlast). Before that, the own GEMM's tiles are searched
 * (a small grid of tile sets, each a build of cl/gemm.cl, checked and timed the same way); the
 * file holds the chosen ones where they differ from the table's (`TILE_M = 4`, tunables.h's
 * STORED rows): a context reads them before it builds its programs. A file that does not parse, names an unknown tunable or
 * holds a set the kernels cannot take is ignored with a warning.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runtime/gemm.h"
#include "runtime/program.h"

/* the configs' GEMM shapes: the MLP GANs' dense layers at batch 128, the DCGAN's im2col products */
static const clg_tune_shape config_shapes[] = {
    {128, 200, 784, 0, 1}, {128, 784, 200, 0, 0}, {200, 784, 128, 1, 0}, {128, 200, 100, 0, 1},
    {56, 6272, 448, 0, 0}, {56, 448, 6272, 0, 1},  {448, 6272, 56, 1, 0},
};

/* The own GEMM's tile sets tried besides the table's (6x64/16, nt 4x4/16, 8x1 groups, K 512):
 * one or two rows changed at a time, within the registers of a 32-register AVX-512 core (a tile
 * of TILE_M x TILE_N / VW vector accumulators). Each is a build of cl/gemm.cl (about 12 s on 2
 * loaded cores, cached after), so the grid stays small: a first `clgan tune` there takes under
 * 2 minutes, 46 s of it without the search. Left out as slower in every run on PoCL (Zen 5,
 * AVX-512) or never ahead by 3%: 8x64/16, 6x32/16, 8x32/16, 4x32/8, nt 8x2, 4x1 groups, K 256. */
static const clg_tile_set default_grid[] = {
    {.tile_m = 4}, {.nt_tile_m = 2, .nt_tile_n = 8}, {.wg_m = 16}, {.k_chunk = 1024}, {.wg_m = 16, .k_chunk = 1024},
};

/* clg_tile_set's fields, in order, as tunables */
static const clg_tunable_id tile_ids[] = {CLG_T_TILE_M,    CLG_T_TILE_N, CLG_T_VW,   CLG_T_NT_TILE_M,   CLG_T_NT_TILE_N,
                                          CLG_T_NT_VW,     CLG_T_WG_M,   CLG_T_WG_N, CLG_T_GEMM_K_CHUNK};
#define NTILE (int)(sizeof tile_ids / sizeof tile_ids[0])

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

/* What the measurements share: the shapes, device buffers, the host copy of C, the references. */
typedef struct bench {
    const clg_tune_shape *shapes;
    int nshapes;
    clg_buf a, b, c;
    float *host_c;
    double **ref;
} bench;

/* Time all shapes with the current back end (and tiles); 0 on success with *ms the sum of
 * medians, and *ok whether every result matched the reference. `o`: the hook to call, or NULL. */
static int measure(clg_ctx *ctx, bench *t, const clg_tune_opts *o, double *ms, int *ok)
{
    *ms = 0;
    *ok = 1;
    for (int i = 0; i < t->nshapes; i++) {
        const clg_tune_shape *s = &t->shapes[i];
        size_t lda = s->ta ? s->m : s->k, ldb = s->tb ? s->k : s->n, nc = (size_t)s->m * s->n;
        double tm[3];
        for (int r = 0; r < 4; r++) {
            double t0 = now_seconds();
            TRY(clg_gemm(ctx, s->ta, s->tb, s->m, s->n, s->k, 1.0f, &t->a, lda, &t->b, ldb, 0.0f, &t->c, s->n));
            if (o && o->hook) o->hook(ctx, &t->c, nc, o->user);
            CL_CHECK(ctx, clFinish(ctx->queue));
            if (r) tm[r - 1] = now_seconds() - t0;
        }
        double med = tm[0] < tm[1] ? (tm[1] < tm[2] ? tm[1] : (tm[0] < tm[2] ? tm[2] : tm[0]))
                                   : (tm[0] < tm[2] ? tm[0] : (tm[1] < tm[2] ? tm[2] : tm[1]));
        *ms += med * 1e3;
        TRY(clg_buf_read(ctx, t->host_c, &t->c, nc));
        for (size_t j = 0; j < nc; j++)
            if (!(fabs(t->host_c[j] - t->ref[i][j]) <= 1e-4 * (1.0 + fabs(t->ref[i][j])) * sqrt((double)s->k))) *ok = 0;
    }
    return CLG_OK;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

/* "6x64/16 nt 4x4/16 wg 8x1 k512" */
static void tiles_name(char *out, size_t n, const int *v)
{
    snprintf(out, n, "%dx%d/%d nt %dx%d/%d wg %dx%d k%d", v[CLG_T_TILE_M], v[CLG_T_TILE_N], v[CLG_T_VW],
             v[CLG_T_NT_TILE_M], v[CLG_T_NT_TILE_N], v[CLG_T_NT_VW], v[CLG_T_WG_M], v[CLG_T_WG_N],
             v[CLG_T_GEMM_K_CHUNK]);
}

enum { SET_OK, SET_INVALID, SET_FAILED, SET_WRONG };

/* The own GEMM's tile search: candidate 0 is the table's values, then the grid's sets; every
 * round builds and times each remaining candidate in turn (interleaved, so load that comes and
 * goes touches all alike), and a wrong result in any round rejects a set. Leaves ctx->tun, and
 * cl/gemm.cl's kernels, at the chosen set. */
static int tile_search(clg_ctx *ctx, FILE *log, bench *t, const clg_tune_opts *o)
{
    const clg_tile_set *grid = o && o->grid ? o->grid : default_grid;
    int ngrid = o && o->grid ? o->ngrid : (int)(sizeof default_grid / sizeof default_grid[0]);
    int rounds = o && o->rounds > 0 ? o->rounds : 5, nc = 1 + ngrid, saved_own = ctx->gemm_own;
    int(*tun)[CLG_NTUNABLES] = malloc((size_t)nc * sizeof *tun), *state = calloc((size_t)nc, sizeof *state);
    double *ms = malloc((size_t)nc * (size_t)rounds * sizeof *ms), *mv = calloc((size_t)nc, sizeof *mv);
    char (*why)[200] = calloc((size_t)nc, sizeof *why), name[96];
    int built[CLG_NTUNABLES], st = CLG_OK;
    if (!tun || !state || !ms || !mv || !why) {
        free(tun), free(state), free(ms), free(mv), free(why);
        return clg_fail(ctx, CLG_ERR_NOMEM, "tile search: out of host memory");
    }
    memcpy(built, ctx->tun, sizeof built);
    for (int c = 0; c < nc; c++) {
        clg_tunables_init(ctx, tun[c]);
        if (c) {
            const clg_tile_set *g = &grid[c - 1];
            const int v[NTILE] = {g->tile_m, g->tile_n, g->vw, g->nt_tile_m, g->nt_tile_n, g->nt_vw, g->wg_m, g->wg_n, g->k_chunk};
            for (int i = 0; i < NTILE; i++)
                if (v[i]) tun[c][tile_ids[i]] = v[i];
        }
        if (clg_tunables_check(ctx, tun[c], why[c], sizeof why[c])) state[c] = SET_INVALID;
    }
    ctx->gemm_own = CLG_GEMM_OWN;
    for (int r = 0; r < rounds; r++)
        for (int c = 0; c < nc; c++) {
            if (state[c] != SET_OK) continue;
            int ok = 1, cst = CLG_OK;
            memcpy(ctx->tun, tun[c], sizeof built);
            if (memcmp(built, tun[c], sizeof built)) cst = clg_rebuild_program(ctx, "gemm");
            if (cst == CLG_OK) memcpy(built, tun[c], sizeof built);
            else memcpy(ctx->tun, built, sizeof built); /* the old kernels stay: so do their values */
            if (cst == CLG_OK) cst = measure(ctx, t, o, &ms[c * rounds + r], &ok);
            if (cst != CLG_OK) state[c] = SET_FAILED, snprintf(why[c], sizeof why[c], "%.199s", clg_last_error(ctx));
            else if (!ok) state[c] = SET_WRONG;
        }
    ctx->gemm_own = saved_own;
    /* the fastest correct set by its median round; kept only 3% ahead of the table's values */
    int best = 0;
    if (log)
        fprintf(log, "own GEMM tiles (TILE_MxTILE_N/VW nt NT_TILE_MxNT_TILE_N/NT_VW wg WG_MxWG_N kGEMM_K_CHUNK), "
                     "median of %d interleaved rounds:\n",
                rounds);
    for (int c = 0; c < nc; c++) {
        if (state[c] == SET_OK) {
            qsort(&ms[c * rounds], (size_t)rounds, sizeof *ms, cmp_double);
            mv[c] = ms[c * rounds + rounds / 2];
            if (state[best] != SET_OK || mv[c] < mv[best]) best = c;
        }
        tiles_name(name, sizeof name, tun[c]);
        if (!log) continue;
        if (state[c] == SET_OK && c == 0) fprintf(log, "  %-40s %9.2f ms  (the table's)\n", name, mv[c]);
        else if (state[c] == SET_OK)
            fprintf(log, "  %-40s %9.2f ms  %+6.1f%%\n", name, mv[c], state[0] == SET_OK ? 100.0 * (mv[c] / mv[0] - 1) : 0.0);
        else
            fprintf(log, "  %-40s %12s  %s%s\n", name, "-",
                    state[c] == SET_WRONG ? "WRONG RESULTS: rejected" : state[c] == SET_INVALID ? "invalid: " : "failed: ",
                    why[c]);
    }
    if (state[0] == SET_OK && best && !(mv[best] < 0.97 * mv[0])) best = 0;
    if (state[best] != SET_OK) best = 0; /* nothing correct: the table's values */
    tiles_name(name, sizeof name, tun[best]);
    if (log) fprintf(log, "tiles: %s%s\n", name, best ? "" : " (the table's)");
    memcpy(ctx->tun, tun[best], sizeof built);
    if (memcmp(built, tun[best], sizeof built)) st = clg_rebuild_program(ctx, "gemm");
    if (st != CLG_OK) memcpy(ctx->tun, built, sizeof built);
    free(mv), free(tun), free(state), free(ms), free(why);
    return st;
}

int clg_tune(clg_ctx *ctx, FILE *log) { return clg_tune_ex(ctx, log, NULL); }

int clg_tune_ex(clg_ctx *ctx, FILE *log, const clg_tune_opts *o)
{
    char where[1200];
    clg_tune_path(ctx, where, sizeof where); /* refused before minutes of measuring, not after */
    if (!where[0]) return clg_fail(ctx, CLG_ERR_ARG, "tuning needs a cache folder to store its choice in (clg_ctx_params.cache_dir)");
    bench t = {config_shapes, (int)(sizeof config_shapes / sizeof config_shapes[0]), {0}, {0}, {0}, NULL, NULL};
    if (o && o->shapes) t.shapes = o->shapes, t.nshapes = o->nshapes;
    const int ns = t.nshapes;
    size_t max = 0;
    for (int i = 0; i < ns; i++) {
        size_t e[3] = {(size_t)t.shapes[i].m * t.shapes[i].k, (size_t)t.shapes[i].k * t.shapes[i].n,
                       (size_t)t.shapes[i].m * t.shapes[i].n};
        for (int j = 0; j < 3; j++) max = e[j] > max ? e[j] : max;
    }
    float *ha = malloc(max * sizeof *ha), *hb = malloc(max * sizeof *hb);
    t.host_c = malloc(max * sizeof *t.host_c);
    t.ref = calloc((size_t)ns, sizeof *t.ref);
    int st = !ha || !hb || !t.host_c || !t.ref ? clg_fail(ctx, CLG_ERR_NOMEM, "tuning: out of host memory") : CLG_OK;
    uint32_t seed = 1;
    for (size_t i = 0; st == CLG_OK && i < max; i++) {
        seed = seed * 1664525u + 1013904223u;
        ha[i] = (float)(seed >> 8) / 16777216.0f - 0.5f;
        seed = seed * 1664525u + 1013904223u;
        hb[i] = (float)(seed >> 8) / 16777216.0f - 0.5f;
    }
    /* double-precision references */
    for (int i = 0; st == CLG_OK && i < ns; i++) {
        const clg_tune_shape *s = &t.shapes[i];
        size_t lda = s->ta ? s->m : s->k, ldb = s->tb ? s->k : s->n;
        t.ref[i] = calloc((size_t)s->m * s->n, sizeof(double));
        if (!t.ref[i]) {
            st = clg_fail(ctx, CLG_ERR_NOMEM, "tuning: out of host memory");
            break;
        }
        for (int r = 0; r < s->m; r++)
            for (int q = 0; q < s->k; q++) {
                double av = ha[s->ta ? (size_t)q * lda + r : (size_t)r * lda + q];
                for (int col = 0; col < s->n; col++)
                    t.ref[i][(size_t)r * s->n + col] += av * hb[s->tb ? (size_t)col * ldb + q : (size_t)q * ldb + col];
            }
    }
    if (st == CLG_OK) st = clg_buf_alloc(ctx, &t.a, max, "tuning A");
    if (st == CLG_OK) st = clg_buf_alloc(ctx, &t.b, max, "tuning B");
    if (st == CLG_OK) st = clg_buf_alloc(ctx, &t.c, max, "tuning C");
    if (st == CLG_OK) st = clg_buf_write(ctx, &t.a, ha, max, 1);
    if (st == CLG_OK) st = clg_buf_write(ctx, &t.b, hb, max, 1);
    /* the own GEMM's tiles first: the back ends are then compared with the chosen ones */
    if (st == CLG_OK) st = tile_search(ctx, log, &t, o);

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
            if (cst == CLG_OK) cst = measure(ctx, &t, NULL, &ms, &ok);
            if (cst != CLG_OK) {
                if (log) fprintf(log, "  %-16s failed: %s\n", name, clg_last_error(ctx));
                continue;
            }
            if (log) fprintf(log, "  %-16s %9.2f ms for %d shapes%s\n", name, ms, ns, ok ? "" : "  WRONG RESULTS: rejected");
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
    clg_buf_release(&t.a), clg_buf_release(&t.b), clg_buf_release(&t.c);
    for (int i = 0; t.ref && i < ns; i++) free(t.ref[i]);
    free(t.ref), free(ha), free(hb), free(t.host_c);
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
