/* test_tune.c — device-tuned GEMM: `clgan tune` stores a choice that a new context on the same
 * device applies; a corrupt tuning file is ignored with a warning naming it; clg_ctx_gemm says
 * what actually runs when $CLGAN_GEMM overrides the stored choice.
 * Runs with CLGAN_CACHE_DIR pointing at a scratch folder (set by ctest).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clgan/clgan.h"
#include "testutil.h"


/* The tuning file in the cache folder (there is one device in the test). */
static int tune_file(char *out, size_t n)
{
    const char *dir = getenv("CLGAN_CACHE_DIR");
    DIR *d = dir ? opendir(dir) : NULL;
    struct dirent *e;
    int found = 0;
    while (d && (e = readdir(d)))
        if (!strncmp(e->d_name, "tune-", 5) && strstr(e->d_name, ".ini") && !strstr(e->d_name, ".tmp")) {
            snprintf(out, n, "%s/%s", dir, e->d_name);
            found = 1;
        }
    if (d) closedir(d);
    return found;
}

int main(void)
{
    if (!getenv("CLGAN_CACHE_DIR")) return fprintf(stderr, "set CLGAN_CACHE_DIR to a scratch folder\n"), 2;
    unsetenv("CLGAN_GEMM");
    clg_ctx *ctx;
    if (test_ctx_create(&ctx) != CLG_OK) return fprintf(stderr, "%s\n", clg_last_error(ctx)), 1;
    char path[1024], line[256];
    CHECK(clg_tune_device(ctx, stdout) == CLG_OK, "tune: %s", clg_last_error(ctx));
    CHECK(strstr(clg_ctx_gemm(ctx), ", tuned)") != NULL, "the tuning context uses its result: %s", clg_ctx_gemm(ctx));
    clg_ctx_free(ctx);
    CHECK(tune_file(path, sizeof path), "a tuning file was written");
    char choice[64] = "";
    FILE *f = fopen(path, "r");
    while (f && fgets(line, sizeof line, f)) sscanf(line, "gemm = %63s", choice);
    if (f) fclose(f);
    CHECK(choice[0], "the file names a choice");
    /* what the choice runs as: own -> "own (cl/gemm.cl, tuned)", clblast-default -> "clblast (defaults, tuned)",
     * a parameter set -> "clblast (cpu-a parameters, tuned)" */
    char expect[64];
    snprintf(expect, sizeof expect, "%s", !strcmp(choice, "own") ? "own (cl/gemm.cl, tuned)"
                                          : !strcmp(choice, "clblast-default") ? "clblast (defaults, tuned)"
                                                                               : choice);

    CHECK(test_ctx_create(&ctx) == CLG_OK, "%s", clg_last_error(ctx));
    CHECK(strstr(clg_ctx_gemm(ctx), expect) && strstr(clg_ctx_gemm(ctx), ", tuned)") && !*clg_ctx_warning(ctx),
          "a new context applies \"%s\": gemm %s, warning \"%s\"", choice, clg_ctx_gemm(ctx), clg_ctx_warning(ctx));
    clg_ctx_free(ctx);

    /* $CLGAN_GEMM overrides the stored back end: the report names what runs, not the file */
    f = fopen(path, "w");
    fputs("gemm = own\n", f);
    fclose(f);
    setenv("CLGAN_GEMM", "clblast", 1);
    CHECK(test_ctx_create(&ctx) == CLG_OK, "%s", clg_last_error(ctx));
    CHECK(!ctx->gemm_own && !strcmp(clg_ctx_gemm(ctx), "clblast (defaults, $CLGAN_GEMM)"),
          "tuned own, forced clblast: gemm \"%s\"", clg_ctx_gemm(ctx));
    clg_ctx_free(ctx);
    setenv("CLGAN_GEMM", "own", 1);
    CHECK(test_ctx_create(&ctx) == CLG_OK, "%s", clg_last_error(ctx));
    CHECK(ctx->gemm_own && !strcmp(clg_ctx_gemm(ctx), "own (cl/gemm.cl, $CLGAN_GEMM)"), "forced own: gemm \"%s\"",
          clg_ctx_gemm(ctx));
    clg_ctx_free(ctx);
    unsetenv("CLGAN_GEMM");
    /* a tuned CLBlast parameter set: applied, and named */
    f = fopen(path, "w");
    fputs("gemm = cpu-a\n", f);
    fclose(f);
    CHECK(test_ctx_create(&ctx) == CLG_OK, "%s", clg_last_error(ctx));
    CHECK(!ctx->gemm_own && !strcmp(clg_ctx_gemm(ctx), "clblast (cpu-a parameters, tuned)") &&
              !strcmp(ctx->clblast_set, "cpu-a"),
          "tuned cpu-a: gemm \"%s\"", clg_ctx_gemm(ctx));
    clg_ctx_free(ctx);

    f = fopen(path, "w");
    fputs("gemm = turbo\n", f);
    fclose(f);
    CHECK(test_ctx_create(&ctx) == CLG_OK, "a corrupt tuning file must not stop the device: %s",
          clg_last_error(ctx));
    CHECK(strstr(clg_ctx_warning(ctx), path) && strstr(clg_ctx_warning(ctx), "ignoring") &&
              !strstr(clg_ctx_gemm(ctx), "tuned"),
          "corrupt file: warning \"%s\", gemm %s", clg_ctx_warning(ctx), clg_ctx_gemm(ctx));
    clg_ctx_free(ctx);
    return test_summary("tune");
}
