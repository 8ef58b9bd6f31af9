/* generate.c — `clgan sample` and `clgan interpolate`: a trained generator run on seeded or
 * given latent vectors, written as a PNG grid and optionally as .npy.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clgan/clgan.h"
#include "cli/cli.h"

static void usage_sample(FILE *out)
{
    fprintf(out,
            "usage: clgan sample CKPT [-n N] [--seed S] [-o FILE.png] [--noise Z.npy] [--out-npy X.npy]\n"
            "                    [--raw] [--device D]\n\n"
            "Runs the generator of CKPT (a checkpoint file, or a run folder: its latest checkpoint) in\n"
            "eval mode and writes a grid of its images.\n\n"
            "options:\n"
            "  -n N            number of images, 1 to 100000 (default 64)\n"
            "  --seed S        seed of the latent vectors, 0 to 9223372036854775807 (default 1), drawn\n"
            "                  as in training\n"
            "  -o FILE.png     the grid (default samples.png; \"-\" for none)\n"
            "  --noise Z.npy   take the latent vectors from a float32 .npy of shape (n, nz) or\n"
            "                  (n, nz, 1, 1) instead (n from 1 to 100000; not with -n or --seed)\n"
            "  --out-npy X.npy also write the raw outputs, float32 (n, c, h, w)\n"
            "  --raw           the generator's own weights, not their average (train.ema), which a\n"
            "                  checkpoint that holds one gives by default\n"
            "  --device D      OpenCL device, as for train\n");
}

static void usage_interpolate(FILE *out)
{
    fprintf(out,
            "usage: clgan interpolate CKPT [--seed S] [--steps K] [--rows R] [-o FILE.png] [--raw] [--device D]\n\n"
            "Writes R rows of K images each: the generator's outputs along straight lines in latent space\n"
            "between pairs of random latent vectors (default: 8 rows, 10 steps, walk.png).\n\n"
            "options:\n"
            "  --rows R        1 to 1000, with R x K at most 100000 images\n"
            "  --steps K       images per row, 2 to 1000\n"
            "  --seed S        0 to 9223372036854775807 (default 1)\n"
            "  --raw           the generator's own weights, not their average (train.ema)\n"
            "  --device D      OpenCL device, as for train\n");
}


/* Shared by sample and interpolate: open the device and the generator. */
static int open_generator(clg_ctx **ctx, clg_generator **g, const char *device, const char *ckpt, int raw)
{
    *g = NULL;
    if (clg_env_ctx_create(ctx, device, 0) != CLG_OK || clg_generator_load_weights(g, *ctx, ckpt, raw) != CLG_OK) {
        fprintf(stderr, "%s: %s\n", prog, clg_last_error(*ctx));
        return 1;
    }
    return 0;
}

int cmd_sample(int argc, char **argv)
{
    const char *ckpt = NULL, *png = "samples.png", *noise = NULL, *npy = NULL, *device = NULL;
    int n = 64, raw = 0;
    long seed = 1;
    const char *nopt = NULL; /* -n or --seed as given: both choose latent vectors, as --noise does */
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        int has_next = i + 1 < argc;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) return usage_sample(stdout), 0;
        else if (!strcmp(a, "-n") && has_next) {
            nopt = "-n";
            if (cli_opt_int(&n, "sample", "-n", argv[++i], 1, MAX_IMAGES)) return 1;
        } else if (!strcmp(a, "--seed") && has_next) {
            nopt = "--seed";
            if (cli_opt_long(&seed, "sample", "--seed", argv[++i], 0, LONG_MAX)) return 1;
        } else if (!strcmp(a, "-o") && has_next) png = argv[++i];
        else if (!strcmp(a, "--noise") && has_next) noise = argv[++i];
        else if (!strcmp(a, "--out-npy") && has_next) npy = argv[++i];
        else if (!strcmp(a, "--raw")) raw = 1;
        else if (!strcmp(a, "--device") && has_next) {
            if (cli_opt_device(&device, "sample", argv[++i])) return 1;
        } else if (a[0] == '-') return cli_die("sample: unknown option or missing value: %s (see `clgan sample --help`)%s", a, "");
        else if (!ckpt) ckpt = a;
        else return cli_die("sample: more than one checkpoint given: %s and %s", ckpt, a);
    }
    if (!ckpt) return cli_die("sample: no checkpoint given (e.g. clgan sample runs/mlp_gan)%s%s", "", "");
    if (noise && nopt)
        return cli_die("sample: %s and --noise %s: the noise file gives the latent vectors (and their number); "
                   "give one of them", nopt, noise);
    char err[1400];
    float *z = NULL;
    int zdims[4], zndim = 0;
    if (noise && clg_npy_read(&z, &zndim, zdims, noise, err, sizeof err) != CLG_OK) return cli_die("%s%s", err, "");
    if (z && (zndim < 1 || zdims[0] < 1 || zdims[0] > MAX_IMAGES)) {
        free(z);
        fprintf(stderr, "%s: %s: %d latent vectors; sample takes 1 to %ld\n", prog, noise, zndim < 1 ? 0 : zdims[0],
                MAX_IMAGES);
        return 1;
    }
    clg_ctx *ctx;
    clg_generator *g;
    int rc = open_generator(&ctx, &g, device, ckpt, raw);
    int nz, c, h, w;
    float lo, hi, *x = NULL;
    if (rc) goto out;
    clg_generator_shape(g, &nz, &c, &h, &w);
    clg_generator_range(g, &lo, &hi);
    if (z) {
        int flat = zndim == 2 || (zndim == 4 && zdims[2] == 1 && zdims[3] == 1);
        if (!flat || zdims[1] != nz) {
            char want[64];
            snprintf(want, sizeof want, "(n, %d) or (n, %d, 1, 1)", nz, nz);
            rc = cli_die("%s: expected latent vectors of shape %s", noise, want);
            goto out;
        }
        n = zdims[0];
        /* checked here, or a NaN would surface later as a broken checkpoint */
        for (size_t k = 0; k < (size_t)n * (size_t)nz; k++)
            if (!isfinite(z[k])) {
                fprintf(stderr, "%s: %s: non-finite value at [%zu,%zu]\n", prog, noise, k / (size_t)nz, k % (size_t)nz);
                rc = 1;
                goto out;
            }
    } else {
        size_t zbytes = cli_floats_bytes((size_t)n, (size_t)nz, 1);
        z = zbytes ? malloc(zbytes) : NULL;
        if (z) clg_generator_noise(g, z, n, (uint64_t)seed);
    }
    size_t xbytes = cli_floats_bytes((size_t)n, (size_t)c, (size_t)h * (size_t)w);
    x = xbytes ? malloc(xbytes) : NULL;
    if (!z || !x) {
        rc = cli_die("out of memory%s%s", "", "");
        goto out;
    }
    if (clg_generator_run(g, x, z, n) != CLG_OK) {
        fprintf(stderr, "%s: %s\n", prog, clg_last_error(ctx));
        rc = 1;
        goto out;
    }
    if (strcmp(png, "-") && clg_write_image_grid(png, x, n, c, h, w, lo, hi, 0, err, sizeof err)) {
        rc = cli_die("%s%s", err, "");
        goto out;
    }
    if (npy && clg_npy_write(npy, x, 4, (int[]){n, c, h, w}, err, sizeof err) != CLG_OK) {
        rc = cli_die("%s%s", err, "");
        goto out;
    }
    int has_png = strcmp(png, "-") != 0;
    printf("wrote %d images of %dx%dx%d to %s%s%s\n", n, c, h, w, has_png ? png : "", has_png && npy ? " and " : "",
           npy ? npy : "");
out:
    free(z);
    free(x);
    clg_generator_free(g);
    clg_ctx_free(ctx);
    return rc;
}

int cmd_interpolate(int argc, char **argv)
{
    const char *ckpt = NULL, *png = "walk.png", *device = NULL;
    int steps = 10, rows = 8, raw = 0;
    long seed = 1;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        int has_next = i + 1 < argc;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) return usage_interpolate(stdout), 0;
        else if (!strcmp(a, "--steps") && has_next) {
            if (cli_opt_int(&steps, "interpolate", "--steps", argv[++i], 2, MAX_STEPS)) return 1;
        } else if (!strcmp(a, "--rows") && has_next) {
            if (cli_opt_int(&rows, "interpolate", "--rows", argv[++i], 1, MAX_ROWS)) return 1;
        } else if (!strcmp(a, "--seed") && has_next) {
            if (cli_opt_long(&seed, "interpolate", "--seed", argv[++i], 0, LONG_MAX)) return 1;
        } else if (!strcmp(a, "-o") && has_next) png = argv[++i];
        else if (!strcmp(a, "--raw")) raw = 1;
        else if (!strcmp(a, "--device") && has_next) {
            if (cli_opt_device(&device, "interpolate", argv[++i])) return 1;
        } else if (a[0] == '-')
            return cli_die("interpolate: unknown option or missing value: %s (see `clgan interpolate --help`)%s", a, "");
        else if (!ckpt) ckpt = a;
        else return cli_die("interpolate: more than one checkpoint given: %s and %s", ckpt, a);
    }
    if (!ckpt) return cli_die("interpolate: no checkpoint given%s%s", "", "");
    if ((long)rows * steps > MAX_IMAGES) {
        fprintf(stderr, "%s: interpolate: --rows %d x --steps %d = %ld images; the limit is %ld\n", prog, rows, steps,
                (long)rows * steps, MAX_IMAGES);
        return 1;
    }
    clg_ctx *ctx;
    clg_generator *g;
    int rc = open_generator(&ctx, &g, device, ckpt, raw), nz, c, h, w;
    float lo, hi, *ends = NULL, *z = NULL, *x = NULL;
    char err[1400];
    if (rc) goto out;
    clg_generator_shape(g, &nz, &c, &h, &w);
    clg_generator_range(g, &lo, &hi);
    int n = rows * steps; /* <= MAX_IMAGES */
    size_t ebytes = cli_floats_bytes(2, (size_t)rows, (size_t)nz), zbytes = cli_floats_bytes((size_t)n, (size_t)nz, 1),
           xbytes = cli_floats_bytes((size_t)n, (size_t)c, (size_t)h * (size_t)w);
    ends = ebytes ? malloc(ebytes) : NULL;
    z = zbytes ? malloc(zbytes) : NULL;
    x = xbytes ? malloc(xbytes) : NULL;
    if (!ends || !z || !x) {
        rc = cli_die("out of memory%s%s", "", "");
        goto out;
    }
    clg_generator_noise(g, ends, 2 * rows, (uint64_t)seed);
    for (int r = 0; r < rows; r++)
        for (int s = 0; s < steps; s++) {
            float t = (float)s / (float)(steps - 1);
            const float *a = ends + (size_t)(2 * r) * nz, *b = a + nz;
            for (int k = 0; k < nz; k++) z[((size_t)r * steps + s) * nz + k] = (1 - t) * a[k] + t * b[k];
        }
    if (clg_generator_run(g, x, z, n) != CLG_OK) {
        fprintf(stderr, "%s: %s\n", prog, clg_last_error(ctx));
        rc = 1;
    } else if (clg_write_image_grid(png, x, n, c, h, w, lo, hi, steps, err, sizeof err)) rc = cli_die("%s%s", err, "");
    else printf("wrote %d rows of %d steps to %s\n", rows, steps, png);
out:
    free(ends);
    free(z);
    free(x);
    clg_generator_free(g);
    clg_ctx_free(ctx);
    return rc;
}
