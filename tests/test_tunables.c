/* test_tunables.c — the kernels' tunables end to end: a program is built with its rows of the
 * table as -D (in the binary cache's key) and refuses to build without them; a device's tuning
 * record with non-default GEMM tiles reaches the context before its programs are built (build
 * options, the kernels' compiled work-group size, the launches) and the GEMM still matches the
 * reference on every transpose case, edges and split K included; a record with an unknown, a
 * non-GEMM or an impossible tunable is ignored with a warning naming the file; `clgan tune`'s tile
 * search stores a faster correct set, never one that gives wrong results or fails the check.
 * Usage: test_tunables SCRATCH_CACHE_DIR (its cache and tuning files are removed first).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ref.h"
#include "runtime/runtime.h"
#include "testutil.h"

/* the kernel sources embedded in the library (cl_sources.c) */
extern const struct clg_cl_source {
    const char *name, *text;
    size_t len;
} clg_cl_sources[];

static const char *dir;

/* Files in the scratch folder whose names start with `prefix`; remove them when `rm`. */
static int count_files(const char *prefix, int rm)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    char path[1200];
    while (d && (e = readdir(d)))
        if (!strncmp(e->d_name, prefix, strlen(prefix))) {
            n++;
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            if (rm) unlink(path);
        }
    if (d) closedir(d);
    return n;
}

static clg_ctx *open_ctx(void)
{
    clg_ctx_params p;
    clg_ctx_params_init(&p);
    p.device = test_device();
    p.cache_dir = dir;
    clg_ctx *ctx;
    if (clg_ctx_open(&ctx, &p) != CLG_OK) {
        fprintf(stderr, "FAIL: context: %s\n", clg_last_error(ctx));
        exit(1);
    }
    return ctx;
}

static void write_record(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
        fprintf(stderr, "FAIL: cannot write %s\n", path);
        exit(1);
    }
}

/* The build options cl/gemm.cl was built with (from its program). */
static void gemm_options(clg_ctx *ctx, char *out, size_t n)
{
    cl_program prog;
    out[0] = 0;
    clGetKernelInfo(ctx->kernels[CLG_K_GEMM_NN], CL_KERNEL_PROGRAM, sizeof prog, &prog, NULL);
    clGetProgramBuildInfo(prog, ctx->device, CL_PROGRAM_BUILD_OPTIONS, n, out, NULL);
}

/* cl/prelude.cl + cl/gemm.cl built with `options`: the status and the build log. */
static cl_int build_gemm(clg_ctx *ctx, const char *options, char *log, size_t n)
{
    const char *pre = NULL, *body = NULL;
    for (int i = 0; clg_cl_sources[i].name; i++) {
        if (!strcmp(clg_cl_sources[i].name, "prelude")) pre = clg_cl_sources[i].text;
        if (!strcmp(clg_cl_sources[i].name, "gemm")) body = clg_cl_sources[i].text;
    }
    if (!pre || !body) return CL_INVALID_VALUE;
    const char *src[3] = {pre, "\n#line 1\n", body};
    cl_int e;
    cl_program p = clCreateProgramWithSource(ctx->context, 3, src, NULL, &e);
    if (e != CL_SUCCESS) return e;
    e = clBuildProgram(p, 1, &ctx->device, options, NULL, NULL);
    /* the whole log (Intel's runtime writes more than `n` bytes of it), then from the phrase the
     * checks look for, if it is there, as much as fits */
    size_t len = 0;
    char *full = NULL;
    log[0] = 0;
    if (clGetProgramBuildInfo(p, ctx->device, CL_PROGRAM_BUILD_LOG, 0, NULL, &len) == CL_SUCCESS && len &&
        (full = calloc(len + 1, 1)) != NULL &&
        clGetProgramBuildInfo(p, ctx->device, CL_PROGRAM_BUILD_LOG, len, full, NULL) == CL_SUCCESS) {
        const char *at = strstr(full, "tunables table");
        snprintf(log, n, "%s", at ? at : full);
    }
    free(full);
    clReleaseProgram(p);
    return e;
}

/* Every transpose case at sizes with partial tiles, C narrower than a tile and K split. */
static void check_gemm(clg_ctx *ctx, const char *what)
{
    static const size_t sizes[][3] = {{37, 45, 250}, {9, 5, 17}, {64, 96, 100}};
    for (int s = 0; s < 3; s++)
        for (int t = 0; t < 4; t++) {
            int ta = t >> 1, tb = t & 1;
            size_t m = sizes[s][0], n = sizes[s][1], k = sizes[s][2];
            size_t lda = ta ? m : k, ldb = tb ? k : n;
            float *ha = test_randu(m * k, 11 + (unsigned)t, -1, 1), *hb = test_randu(k * n, 23 + (unsigned)s, -1, 1);
            double *ref = malloc(m * n * sizeof *ref);
            ref_gemm(ta, tb, m, n, k, 1.0, ha, lda, hb, ldb, 0.0, NULL, ref, n);
            clg_buf a = test_upload(ctx, ha, m * k), b = test_upload(ctx, hb, k * n), c;
            CHECK_OK(ctx, clg_buf_alloc(ctx, &c, m * n, "C"));
            CHECK_OK(ctx, clg_gemm(ctx, ta, tb, m, n, k, 1.0f, &a, lda, &b, ldb, 0.0f, &c, n));
            float *hc = test_download(ctx, &c, m * n);
            double err = test_maxerr(hc, ref, m * n);
            CHECK(err < 1e-5 * (double)k, "%s: gemm ta=%d tb=%d %zux%zux%zu: max error %g", what, ta, tb, m, n, k, err);
            clg_buf_release(&a), clg_buf_release(&b), clg_buf_release(&c);
            free(ha), free(hb), free(hc), free(ref);
        }
}

/* The tile search's hook: the table's set is made slow and set B's results wrong, so that B (the
 * fastest) would win without the check against the reference, and the table's set without the
 * search; A is the one to store. */
#define SPOIL_TILE_M 2
static void tile_hook(clg_ctx *ctx, clg_buf *c, size_t n, void *user)
{
    static float junk[8192];
    (void)user;
    if (clg_tunable(ctx, CLG_T_TILE_M) == SPOIL_TILE_M && n <= 8192) {
        for (size_t i = 0; i < n; i++) junk[i] = 1.0f;
        clg_buf_write(ctx, c, junk, n, 1);
        return;
    }
    struct timespec ts = {0, clg_tunable(ctx, CLG_T_TILE_M) == CLG_TUNED_TILE_M ? 20000000L : 4000000L};
    nanosleep(&ts, NULL);
}

static void check_tile_search(const char *path)
{
    static const clg_tune_shape shapes[] = {{37, 45, 250, 0, 1}, {9, 5, 17, 1, 1}, {64, 96, 100, 0, 0}, {33, 20, 70, 1, 0}};
    static const clg_tile_set grid[] = {
        {.tile_m = 4, .tile_n = 32, .vw = 8, .nt_tile_m = 2, .wg_m = 4}, /* A */
        {.tile_m = SPOIL_TILE_M, .tile_n = 16},                           /* B: spoiled */
        {.tile_n = 30, .vw = 8},                                          /* not a multiple of VW */
    };
    clg_tune_opts o = {shapes, 4, grid, 3, 2, tile_hook, NULL};
    char *text = NULL, line[256];
    size_t len = 0;
    FILE *log = open_memstream(&text, &len);
    clg_ctx *ctx = open_ctx();
    CHECK(clg_tune_ex(ctx, log, &o) == CLG_OK, "tile search: %s", clg_last_error(ctx));
    fclose(log);
    printf("%s", text);
    CHECK(strstr(text, "WRONG RESULTS: rejected") && strstr(text, "invalid: TILE_N = 30 is not a multiple of VW = 8"),
          "the log names the rejected and the invalid set");
    CHECK(clg_tunable(ctx, CLG_T_TILE_M) == 4 && clg_tunable(ctx, CLG_T_WG_M) == 4, "the tuning context runs A's tiles");
    check_gemm(ctx, "searched tiles, tuning context");
    clg_ctx_free(ctx);
    free(text);
    int tile_m = 0, tile_n = 0, vw = 0, nt_m = 0, wg_m = 0;
    FILE *f = fopen(path, "r");
    while (f && fgets(line, sizeof line, f)) {
        sscanf(line, "TILE_M = %d", &tile_m), sscanf(line, "TILE_N = %d", &tile_n), sscanf(line, "VW = %d", &vw);
        sscanf(line, "NT_TILE_M = %d", &nt_m), sscanf(line, "WG_M = %d", &wg_m);
    }
    if (f) fclose(f);
    CHECK(tile_m == 4 && tile_n == 32 && vw == 8 && nt_m == 2 && wg_m == 4,
          "the record holds A's tiles: TILE_M %d TILE_N %d VW %d NT_TILE_M %d WG_M %d", tile_m, tile_n, vw, nt_m, wg_m);
    ctx = open_ctx();
    CHECK(!*clg_ctx_warning(ctx) && clg_tunable(ctx, CLG_T_TILE_M) == 4 && clg_tunable(ctx, CLG_T_TILE_N) == 32 &&
              clg_tunable(ctx, CLG_T_VW) == 8 && clg_tunable(ctx, CLG_T_NT_TILE_M) == 2 && clg_tunable(ctx, CLG_T_WG_M) == 4,
          "a new context applies the stored tiles (warning \"%s\")", clg_ctx_warning(ctx));
    ctx->gemm_own = 1;
    check_gemm(ctx, "searched tiles, new context");
    clg_ctx_free(ctx);
}

int main(int argc, char **argv)
{
    if (argc < 2) return fprintf(stderr, "usage: test_tunables SCRATCH_CACHE_DIR\n"), 2;
    dir = argv[1];
    clg_mkdir_p(dir);
    count_files("gemm-", 1), count_files("tune-", 1);
    char path[1200], opts[2048], log[8192], why[160];

    /* the table's values, and a program's rows as its -D options */
    clg_ctx *ctx = open_ctx();
    for (int i = 0; i < CLG_NTUNABLES; i++)
        if (i != CLG_T_GEMM_USE_FMA)
            CHECK(clg_tunable(ctx, (clg_tunable_id)i) == clg_tunable_defs[i].value, "%s: %d, table %d",
                  clg_tunable_defs[i].name, clg_tunable(ctx, (clg_tunable_id)i), clg_tunable_defs[i].value);
    CHECK(clg_tunable(ctx, CLG_T_GEMM_USE_FMA) == (ctx->has_fma != 0), "GEMM_USE_FMA follows the device's FMA");
    CHECK(clg_tunables_options(ctx, "gemm", opts, sizeof opts) > 0 && strstr(opts, " -DTILE_M=6 ") &&
              strstr(opts, " -DWG_M=8 ") && strstr(opts, " -DWG=64") && !strstr(opts, "RED_WG"),
          "gemm's options: \"%s\"", opts);
    CHECK(clg_tunables_options(ctx, "loss", opts, sizeof opts) > 0 && strstr(opts, " -DRED_WG=64") &&
              !strstr(opts, "TILE_M"),
          "loss's options: \"%s\"", opts);
    CHECK(clg_tunables_options(ctx, "gemm", opts, 20) < 0, "options that do not fit are refused");
    gemm_options(ctx, opts, sizeof opts);
    CHECK(strstr(opts, "-DTILE_M=6") && strstr(opts, "-DGEMM_K_CHUNK=512"), "gemm built with \"%s\"", opts);
    CHECK(clg_tunables_check(ctx, ctx->tun, why, sizeof why) == 0, "the table's values pass: %s", why);

    /* a kernel file holds no defaults: cl/gemm.cl without its tunables does not build */
    clg_tunables_options(ctx, "reduce", opts, sizeof opts);
    CHECK(build_gemm(ctx, opts, log, sizeof log) != CL_SUCCESS && strstr(log, "tunables table"),
          "gemm.cl with reduce's options must fail naming the tunables table: %.300s", log);
    CHECK(build_gemm(ctx, "", log, sizeof log) != CL_SUCCESS && strstr(log, "tunables table"),
          "no options at all: the prelude refuses: %.300s", log);
    clg_tunables_options(ctx, "gemm", opts, sizeof opts);
    CHECK(build_gemm(ctx, opts, log, sizeof log) == CL_SUCCESS, "with its options it builds: %.300s", log);
    int nbin = count_files("gemm-", 0);
    CHECK(nbin == 1, "one cached gemm binary, found %d", nbin);
    clg_tune_path(ctx, path, sizeof path);
    clg_ctx_free(ctx);

    /* a stored record with other tiles: read before the build, in the options and the cache key */
    write_record(path, "# test record\ngemm = own\nTILE_M = 4\nTILE_N = 32\nVW = 8\nNT_TILE_M = 2\nNT_TILE_N = 3\n"
                       "NT_VW = 4\nTR_TILE = 8\nWG_M = 4\nWG_N = 2\nGEMM_K_CHUNK = 100\n");
    ctx = open_ctx();
    CHECK(!*clg_ctx_warning(ctx), "no warning: \"%s\"", clg_ctx_warning(ctx));
    CHECK(ctx->gemm_own && strstr(clg_ctx_gemm(ctx), "tuned"), "the record's back end: %s", clg_ctx_gemm(ctx));
    CHECK(clg_tunable(ctx, CLG_T_TILE_M) == 4 && clg_tunable(ctx, CLG_T_TILE_N) == 32 && clg_tunable(ctx, CLG_T_VW) == 8 &&
              clg_tunable(ctx, CLG_T_NT_TILE_N) == 3 && clg_tunable(ctx, CLG_T_WG_N) == 2 &&
              clg_tunable(ctx, CLG_T_GEMM_K_CHUNK) == 100 && clg_tunable(ctx, CLG_T_RED_WG) == CLG_TUNED_RED_WG,
          "the context holds the record's tiles");
    gemm_options(ctx, opts, sizeof opts);
    CHECK(strstr(opts, "-DTILE_M=4 ") && strstr(opts, "-DNT_VW=4 ") && strstr(opts, "-DWG_N=2 "),
          "gemm built with the record's tiles: \"%s\"", opts);
    size_t wg[3] = {0};
    clGetKernelWorkGroupInfo(ctx->kernels[CLG_K_GEMM_NT], ctx->device, CL_KERNEL_COMPILE_WORK_GROUP_SIZE, sizeof wg,
                             wg, NULL);
    CHECK(wg[0] == 4 && wg[1] == 2 && wg[2] == 1, "gemm_nt compiled for 4x2x1 groups: %zux%zux%zu", wg[0], wg[1], wg[2]);
    nbin = count_files("gemm-", 0);
    CHECK(nbin == 2, "the tiles are in the cache key: 2 gemm binaries, found %d", nbin);
    check_gemm(ctx, "record's tiles");
    clg_ctx_free(ctx);
    /* the same record again: the binary comes from the cache, the results are the same */
    ctx = open_ctx();
    CHECK(count_files("gemm-", 0) == 2 && clg_tunable(ctx, CLG_T_WG_M) == 4, "cached tiled build reused");
    check_gemm(ctx, "record's tiles, cached");
    clg_ctx_free(ctx);

    /* records the kernels cannot take: ignored with a warning, the table's values kept */
    static const char *bad[] = {
        "gemm = own\nTILE_N = 30\nVW = 8\n", /* not a multiple of VW */
        "gemm = own\nVW = 5\n",               /* not a vector width */
        "gemm = own\nTILE_Q = 4\n",           /* unknown */
        "gemm = own\nRED_WG = 32\n",          /* not a per-device tunable */
        "gemm = own\nTILE_M = many\n",        /* not a number */
        "gemm = own\nWG_M = 1024\nWG_N = 1024\n", /* above any device's work-group limit */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        write_record(path, bad[i]);
        ctx = open_ctx();
        CHECK(strstr(clg_ctx_warning(ctx), "ignoring") && strstr(clg_ctx_warning(ctx), path) &&
                  clg_tunable(ctx, CLG_T_TILE_M) == CLG_TUNED_TILE_M && clg_tunable(ctx, CLG_T_VW) == CLG_TUNED_VW &&
                  clg_tunable(ctx, CLG_T_RED_WG) == CLG_TUNED_RED_WG && clg_tunable(ctx, CLG_T_WG_M) == CLG_TUNED_WG_M,
              "record %zu ignored: warning \"%s\"", i, clg_ctx_warning(ctx));
        clg_ctx_free(ctx);
    }
    unlink(path);
    check_tile_search(path);
    unlink(path);
    return test_summary("tunables");
}
