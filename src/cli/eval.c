/* eval.c — `clgan classify CONFIG` (train the domain classifier, report its test accuracy, write
 * it) and `clgan eval SAMPLES --classifier FILE` (score a generator's samples against the real
 * test split with that classifier's features and probabilities, beside the real-versus-real floor
 * at the same n).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli/cli.h"

static void usage_classify(FILE *out)
{
    fprintf(out,
            "usage: clgan classify CONFIG [-o FILE] [--overwrite] [--device D] [--quiet]\n\n"
            "Trains the classifier of CONFIG (e.g. configs/fmnist_classifier.ini) on its labelled train\n"
            "split, prints the accuracy on its test split after each epoch, and writes the classifier\n"
            "(safetensors: PyTorch names \"classifier.I.weight\", the config, the test accuracy and a\n"
            "hash of the weights in the metadata) for `clgan eval --classifier`.\n\n"
            "options:\n"
            "  -o FILE         the classifier file (default: classifier.safetensors); written through\n"
            "                  FILE.tmp and a rename, so a failed run leaves no partial file\n"
            "  --overwrite     replace FILE if it exists (otherwise refused before training)\n"
            "  --device D      OpenCL device, as for train\n"
            "  --quiet         no progress lines\n");
}

int cmd_classify(int argc, char **argv)
{
    const char *config = NULL, *out = "classifier.safetensors", *device = NULL;
    int quiet = 0, overwrite = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) return usage_classify(stdout), 0;
        else if (!strcmp(a, "-o") && i + 1 < argc) out = argv[++i];
        else if (!strcmp(a, "--quiet")) quiet = 1;
        else if (!strcmp(a, "--overwrite")) overwrite = 1;
        else if (!strcmp(a, "--device") && i + 1 < argc) {
            if (cli_opt_device(&device, "classify", argv[++i])) return 1;
        } else if (a[0] == '-') return cli_die("classify: unknown option or missing value: %s (see `clgan classify --help`)%s", a, "");
        else if (!config) config = a;
        else return cli_die("classify: more than one config given: %s and %s", config, a);
    }
    if (!config) return cli_die("classify: no config given (e.g. clgan classify configs/fmnist_classifier.ini)%s%s", "", "");
    struct stat sb;
    if (!overwrite && stat(out, &sb) == 0 && !S_ISDIR(sb.st_mode))
        return cli_die("classify: %s already exists; pass --overwrite to replace it or -o to write another file%s", out, "");
    clg_ctx *ctx;
    if (clg_env_ctx_create(&ctx, device, 0) != CLG_OK) return cli_die("%s%s", clg_last_error(ctx), "");
    double acc;
    uint64_t hash;
    time_t t0 = time(NULL);
    int rc = 0;
    if (clg_classify(ctx, config, out, overwrite, quiet ? NULL : stdout, &acc, &hash) != CLG_OK)
        rc = cli_die("%s%s", clg_last_error(ctx), "");
    else
        printf("test accuracy %.4f (%ld s); wrote %s (weights fnv1a64:%016llx)\n", acc, (long)(time(NULL) - t0), out,
               (unsigned long long)hash);
    clg_ctx_free(ctx);
    return rc;
}

static void usage_eval(FILE *out)
{
    fprintf(out,
            "usage: clgan eval SAMPLES --classifier FILE [--real IDX] [-n N] [--seed S] [--range LO,HI]\n"
            "                  [--json FILE] [--device D]\n\n"
            "Scores samples with a classifier from `clgan classify`: SAMPLES is a checkpoint or a run folder\n"
            "(N images of its generator, from --seed) or a float32 .npy of images (n, C, H, W) or (n, C*H*W)\n"
            "(its first N). Against N real images (--real, default the classifier's test split) it prints\n"
            "the Frechet distance and KID of the classifier's penultimate features, the classifier score,\n"
            "the classes holding >= 1%% of samples and the histogram's KL to uniform, precision and recall\n"
            "(k = 3) and the share of samples nearer to a training image than training images are to each\n"
            "other; beside them the same numbers for N training images (the real-versus-real floor).\n\n"
            "options:\n"
            "  --classifier F  the classifier (required)\n"
            "  --real IDX      real images, an IDX file (default: the classifier's test_images)\n"
            "  -n N            images per set, 4 to 100000 (default 10000)\n"
            "  --seed S        seed of a generator's latent vectors (default 1)\n"
            "  --range LO,HI   pixel range of a .npy: -1,1 (default) or 0,1\n"
            "  --json FILE     also write every number as JSON\n"
            "  --device D      OpenCL device, as for train\n");
}

int cmd_eval(int argc, char **argv)
{
    const char *src = NULL, *cls = NULL, *real = NULL, *json = NULL, *device = NULL;
    int n = 10000, pm1 = 1;
    long seed = 1;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        int has = i + 1 < argc;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) return usage_eval(stdout), 0;
        else if (!strcmp(a, "--classifier") && has) cls = argv[++i];
        else if (!strcmp(a, "--real") && has) real = argv[++i];
        else if (!strcmp(a, "--json") && has) json = argv[++i];
        else if (!strcmp(a, "-n") && has) {
            if (cli_opt_int(&n, "eval", "-n", argv[++i], 4, MAX_IMAGES)) return 1;
        } else if (!strcmp(a, "--seed") && has) {
            if (cli_opt_long(&seed, "eval", "--seed", argv[++i], 0, LONG_MAX)) return 1;
        } else if (!strcmp(a, "--range") && has) {
            const char *r = argv[++i];
            if (strcmp(r, "-1,1") && strcmp(r, "0,1")) return cli_die("eval: --range %s: expected -1,1 or 0,1%s", r, "");
            pm1 = !strcmp(r, "-1,1");
        } else if (!strcmp(a, "--device") && has) {
            if (cli_opt_device(&device, "eval", argv[++i])) return 1;
        } else if (a[0] == '-') return cli_die("eval: unknown option or missing value: %s (see `clgan eval --help`)%s", a, "");
        else if (!src) src = a;
        else return cli_die("eval: more than one sample source given: %s and %s", src, a);
    }
    if (!src) return cli_die("eval: no samples given (a checkpoint, a run folder or a .npy)%s%s", "", "");
    if (!cls)
        return cli_die("eval: no --classifier given (`clgan classify configs/fmnist_classifier.ini -o FILE` "
                       "writes one)%s%s", "", "");
    clg_ctx *ctx;
    if (clg_env_ctx_create(&ctx, device, 0) != CLG_OK) return cli_die("%s%s", clg_last_error(ctx), "");
    int rc = 0;
    if (clg_eval_samples(ctx, src, cls, real, n, seed, pm1, json, stdout) != CLG_OK) rc = cli_die("%s%s", clg_last_error(ctx), "");
    clg_ctx_free(ctx);
    return rc;
}
