/* main.c — the clgan command-line tool: the command list and its help, `clgan bench`, `clgan
 * tune` and `clgan devices`; train, sample and interpolate have files of their own. The only place
 * that exits; library failures arrive as a status plus clg_last_error's message.
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

static void usage_main(FILE *out)
{
    fprintf(out,
            "clgan %s — train generative adversarial networks on any OpenCL device\n\n"
            "usage: clgan COMMAND [options]\n\n"
            "commands:\n"
            "  train CONFIG    train the GAN described by an INI config (see configs/)\n"
            "  sample CKPT     generate images from a checkpoint's generator\n"
            "  classify CONFIG train the domain classifier that eval scores samples with\n"
            "  eval SAMPLES    score samples (checkpoint, run folder or .npy): FD, KID, ...\n"
            "  interpolate CKPT  walk in latent space between random points\n"
            "  bench CONFIG    time training steps, per layer, against the device's peak\n"
            "  tune            choose the fastest correct GEMM for this device and remember it\n"
            "  devices         list OpenCL platforms and devices\n\n"
            "`clgan COMMAND --help` describes a command. Environment: CLGAN_DEVICE (default device),\n"
            "CLGAN_CACHE_DIR (kernel binary cache), CLGAN_CL_DIR (load kernels from a cl/ folder).\n",
            CLGAN_VERSION);
}


static void usage_devices(FILE *out)
{
    fprintf(out, "usage: clgan devices\n\nLists every OpenCL platform and device with the index that --device takes.\n");
}


static void usage_bench(FILE *out)
{
    fprintf(out,
            "usage: clgan bench CONFIG [--device D | --all-devices] [--steps N] [--warmup N] [--json FILE]\n"
            "                   [--threads N] [--set key=value ...]\n\n"
            "Times training steps of CONFIG on synthetic data of its shape: step time (median, min, max),\n"
            "images/s, per layer and pass the device time (OpenCL profiling events), FLOPs, GFLOP/s and\n"
            "bytes moved, the device's FP32 peak (estimated and measured) and program build times (cold\n"
            "and warm cache). --all-devices prints one summary row per device.\n\n"
            "options:\n"
            "  --steps N      timed steps, 1 to 100000 (default 20)\n"
            "  --warmup N     untimed steps first, 0 to 100000 (default 3; the first builds CLBlast's\n"
            "                 kernels)\n"
            "  --json FILE    also write the results as JSON (one object per device, one per line)\n"
            "  --threads N    worker threads of a CPU device (PoCL), 1 to 1024; default: all cores\n");
}

static int cmd_bench(int argc, char **argv)
{
    const char *config = NULL, *device = NULL, *json = NULL;
    int steps = 20, warmup = 3, all = 0;
    const char *sets[MAX_SETS];
    int nsets = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        int has_next = i + 1 < argc;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) return usage_bench(stdout), 0;
        else if (!strcmp(a, "--device") && has_next) {
            if (cli_opt_device(&device, "bench", argv[++i])) return 1;
        } else if (!strcmp(a, "--all-devices")) all = 1;
        else if (!strcmp(a, "--threads") && has_next) {
            if (cli_set_threads("bench", argv[++i])) return 1;
        } else if (!strcmp(a, "--json") && has_next) json = argv[++i];
        else if (!strcmp(a, "--set") && has_next) {
            if (cli_add_set(sets, &nsets, "bench", argv[++i])) return 1;
        } else if (!strcmp(a, "--steps") && has_next) {
            if (cli_opt_int(&steps, "bench", "--steps", argv[++i], 1, MAX_BENCH)) return 1;
        } else if (!strcmp(a, "--warmup") && has_next) {
            if (cli_opt_int(&warmup, "bench", "--warmup", argv[++i], 0, MAX_BENCH)) return 1;
        } else if (a[0] == '-') return cli_die("bench: unknown option or missing value: %s (see `clgan bench --help`)%s", a, "");
        else if (!config) config = a;
        else return cli_die("bench: more than one config given: %s and %s", config, a);
    }
    if (!config) return cli_die("bench: no config given (e.g. clgan bench configs/dcgan.ini)%s%s", "", "");
    clg_config *cfg = cli_load_config(config, sets, nsets);
    if (!cfg) return 1;
    FILE *jf = NULL;
    if (json && clg_dist_rank() == 0 && !(jf = fopen(json, "w"))) {
        clg_config_free(cfg);
        return cli_die("%s: cannot create: %s", json, strerror(errno));
    }
    char specs[64][16], rank_dev[64], why[512];
    int n = 1, rc = 0;
    if (all) n = clg_device_specs(specs, 64);
    else if (clg_env_rank_device(&device, rank_dev, sizeof rank_dev, why, sizeof why)) {
        if (jf) fclose(jf);
        clg_config_free(cfg);
        return cli_die("bench: %s%s", why, "");
    }
    FILE *out = stdout; /* under MPI only rank 0 reports */
    if (clg_dist_rank() > 0) out = fopen("/dev/null", "w");
    for (int d = 0; d < n; d++) {
        clg_ctx *ctx;
        if (clg_env_ctx_create(&ctx, all ? specs[d] : device, CLG_CTX_PROFILING) != CLG_OK ||
            clg_bench(ctx, cfg, warmup, steps, out ? out : stdout, jf) != CLG_OK) {
            fprintf(stderr, "%s: %s%s\n", prog, all ? specs[d] : "", clg_last_error(ctx));
            rc = 1;
        }
        if (n > 1) printf("\n");
        clg_ctx_free(ctx);
    }
    if (jf) fclose(jf);
    if (out && out != stdout) fclose(out);
    clg_config_free(cfg);
    return rc;
}

static int cmd_tune(int argc, char **argv)
{
    const char *device = NULL;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("usage: clgan tune [--device D]\n\n"
                   "Times the GEMM back ends on this device (clgan's own kernel, CLBlast with its defaults, and\n"
                   "CLBlast with parameter sets for CPUs) on shapes the configs use, checks each one's results\n"
                   "against a double-precision reference, and stores the fastest correct one in the cache folder\n"
                   "($CLGAN_CACHE_DIR or ~/.cache/clgan), keyed by device and driver. Every later run on that\n"
                   "device uses it; $CLGAN_GEMM=own|clblast still overrides. First it searches clgan's kernel's\n"
                   "tiles (a few tile sets, each built, checked and timed in turn) and keeps the fastest correct\n"
                   "set when it beats the defaults by 3%%; a table shows what it tried.\n");
            return 0;
        } else if (!strcmp(argv[i], "--device") && i + 1 < argc) {
            if (cli_opt_device(&device, "tune", argv[++i])) return 1;
        } else return cli_die("tune: unknown argument %s (see `clgan tune --help`)%s", argv[i], "");
    }
    clg_ctx *ctx;
    int st = clg_env_ctx_create(&ctx, device, 0);
    if (st == CLG_OK) {
        printf("tuning GEMM on %s\n", clg_ctx_device_desc(ctx));
        st = clg_tune_device(ctx, stdout);
    }
    if (st != CLG_OK) fprintf(stderr, "%s: %s\n", prog, clg_last_error(ctx));
    clg_ctx_free(ctx);
    return st == CLG_OK ? 0 : 1;
}

static int cmd_devices(int argc, char **argv)
{
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage_devices(stdout);
            return 0;
        }
        return cli_die("devices: unknown argument %s%s", argv[i], "");
    }
    return clg_list_devices(stdout) == CLG_OK ? 0 : 1;
}

static int run_command(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage_main(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("clgan %s\n", CLGAN_VERSION);
        return 0;
    }
    if (!strcmp(argv[1], "train")) return cmd_train(argc - 2, argv + 2);
    if (!strcmp(argv[1], "devices")) return cmd_devices(argc - 2, argv + 2);
    if (!strcmp(argv[1], "bench")) return cmd_bench(argc - 2, argv + 2);
    if (!strcmp(argv[1], "tune")) return cmd_tune(argc - 2, argv + 2);
    if (!strcmp(argv[1], "sample")) return cmd_sample(argc - 2, argv + 2);
    if (!strcmp(argv[1], "classify")) return cmd_classify(argc - 2, argv + 2);
    if (!strcmp(argv[1], "eval")) return cmd_eval(argc - 2, argv + 2);
    if (!strcmp(argv[1], "interpolate")) return cmd_interpolate(argc - 2, argv + 2);
    return cli_die("unknown command \"%s\" (commands: train, sample, interpolate, classify, eval, bench, tune, devices; see `clgan --help`)%s", argv[1], "");
}

int main(int argc, char **argv)
{
    /* under mpirun: one rank of a data-parallel run (a plain start is rank 0 of 1) */
    if (clg_dist_init(&argc, &argv) != CLG_OK) {
        fprintf(stderr, "%s: MPI could not start\n", prog);
        return 1;
    }
    clg_env_rank_threads();
    int rc = run_command(argc, argv);
    /* a rank that failed has printed its message; the others may wait in a collective: stop them */
    if (rc != 0 && rc != 130) clg_dist_abort(rc);
    clg_dist_finalize();
    return rc;
}
