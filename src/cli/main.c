/* main.c — the clgan command-line tool: `clgan train`, `clgan devices`, and help for each. The
 * only place that exits; library failures arrive as a status plus clg_last_error's message.
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

static const char *prog = "clgan";

static void usage_main(FILE *out)
{
    fprintf(out,
            "clgan %s — train generative adversarial networks on any OpenCL device\n\n"
            "usage: clgan COMMAND [options]\n\n"
            "commands:\n"
            "  train CONFIG    train the GAN described by an INI config (see configs/)\n"
            "  sample CKPT     generate images from a checkpoint's generator\n"
            "  interpolate CKPT  walk in latent space between random points\n"
            "  bench CONFIG    time training steps, per layer, against the device's peak\n"
            "  tune            choose the fastest correct GEMM for this device and remember it\n"
            "  devices         list OpenCL platforms and devices\n\n"
            "`clgan COMMAND --help` describes a command. Environment: CLGAN_DEVICE (default device),\n"
            "CLGAN_CACHE_DIR (kernel binary cache), CLGAN_CL_DIR (load kernels from a cl/ folder).\n",
            CLGAN_VERSION);
}

static void usage_train(FILE *out)
{
    fprintf(out,
            "usage: clgan train CONFIG [--out DIR] [--resume DIR] [--overwrite] [--device D] [--seed N]\n"
            "                   [--set key=value ...]\n\n"
            "Trains the GAN of CONFIG and writes DIR/metrics.csv (one row per step), DIR/config.ini\n"
            "(the resolved configuration), DIR/samples/*.png (fixed-noise grids at each epoch end and\n"
            "every train.sample_every steps) and DIR/checkpoints/*.safetensors (at each epoch end, every\n"
            "train.checkpoint_every steps, and when the run stops; Ctrl-C saves one and exits).\n\n"
            "options:\n"
            "  --out DIR        run folder (default: runs/<config name>, or the next free runs/<name>-N)\n"
            "  --overwrite      allow --out to name a folder that already holds a run\n"
            "  --resume DIR     continue the run in DIR from its latest checkpoint (same config; the\n"
            "                   run length may be raised with --set train.epochs=N); or a checkpoint\n"
            "                   file with --out DIR, to continue DIR from that older step (later\n"
            "                   checkpoints are removed once the run writes its first)\n"
            "  --device D       OpenCL device: P:D index, gpu, cpu or a name substring (default:\n"
            "                   $CLGAN_DEVICE, else the fastest GPU, else the fastest CPU); see `clgan devices`\n"
            "  --seed N         same as --set train.seed=N (0 to 9223372036854775807)\n"
            "  --set S.K=V      override a config key, e.g. --set train.epochs=1 --set data.path=FILE\n"
            "  --threads N      worker threads of a CPU device (PoCL), 1 to 1024; default: all cores\n"
            "  --quiet          no progress display\n\n"
            "config keys:\n");
    clg_config_print_keys(out);
}

static void usage_devices(FILE *out)
{
    fprintf(out, "usage: clgan devices\n\nLists every OpenCL platform and device with the index that --device takes.\n");
}

static int die(const char *fmt, const char *a, const char *b)
{
    fprintf(stderr, "%s: ", prog);
    fprintf(stderr, fmt, a, b);
    fputc('\n', stderr);
    return 1;
}

/* ---- numeric options ------------------------------------------------------------------------ */
/* Bounds of the numeric options. Image counts stay far below INT_MAX so that every size derived
 * from them (images x latent size, images x pixels, the grid's width) fits its type. */
#define MAX_IMAGES 100000L /* sample -n, interpolate rows x steps, vectors in a --noise file */
#define MAX_ROWS 1000L     /* interpolate --rows */
#define MAX_STEPS 1000L    /* interpolate --steps */
#define MAX_BENCH 100000L  /* bench --steps and --warmup */
#define MAX_THREADS 1024L  /* --threads */
#define MAX_SETS 256       /* --set options per command */

/* The value of numeric option `opt` of command `cmd`: the whole of `s` a base-10 integer (digits
 * with an optional leading '-'; strtol alone would also take spaces and '+') in [lo, hi];
 * otherwise one message naming the option, the value and the range, and -1. */
static int opt_long(long *out, const char *cmd, const char *opt, const char *s, long lo, long hi)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    const char *why = NULL;
    const char *d = *s == '-' ? s + 1 : s;
    if (end == s || *end || *d < '0' || *d > '9') why = "not an integer";
    else if (errno == ERANGE || v < lo || v > hi) why = "out of range";
    if (why) {
        fprintf(stderr, "%s: %s: %s %s: %s (allowed: %ld to %ld)\n", prog, cmd, opt, s, why, lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

/* --device D: an empty value is refused rather than quietly taken as "the default device". */
static int opt_device(const char **out, const char *cmd, const char *s)
{
    if (!*s) {
        fprintf(stderr, "%s: %s: --device \"\": empty device (give P:D, gpu, cpu or a name; see `clgan devices`)\n",
                prog, cmd);
        return -1;
    }
    *out = s;
    return 0;
}

static int opt_int(int *out, const char *cmd, const char *opt, const char *s, long lo, long hi)
{
    long v;
    if (opt_long(&v, cmd, opt, s, lo, hi)) return -1;
    *out = (int)v; /* the bounds callers pass are within int */
    return 0;
}

/* n floats of a product of counts, as a byte count; 0 if it overflows size_t. */
static size_t floats_bytes(size_t a, size_t b, size_t c)
{
    size_t n = sizeof(float);
    size_t f[3] = {a, b, c};
    for (int i = 0; i < 3; i++) {
        if (f[i] && n > SIZE_MAX / f[i]) return 0;
        n *= f[i];
    }
    return n;
}

/* --threads N: PoCL's CPU device reads its thread count from the environment when the OpenCL
 * platform starts, so it is set before any OpenCL call. Other drivers ignore it. */
static int set_threads(const char *cmd, const char *s)
{
    long n;
    if (opt_long(&n, cmd, "--threads", s, 1, MAX_THREADS)) return -1;
    char buf[24];
    snprintf(buf, sizeof buf, "%ld", n);
    setenv("POCL_MAX_PTHREAD_COUNT", buf, 1);
    return 0;
}

/* Record one --set; more than MAX_SETS is an error rather than a silently dropped override. */
static int add_set(const char **sets, int *nsets, const char *cmd, const char *assignment)
{
    if (*nsets == MAX_SETS) {
        fprintf(stderr, "%s: %s: more than %d --set options\n", prog, cmd, MAX_SETS);
        return -1;
    }
    sets[(*nsets)++] = assignment;
    return 0;
}

/* The config file with the --set overrides applied, or NULL after printing why not. */
static clg_config *load_config(const char *path, const char *const *sets, int nsets)
{
    char err[2048];
    clg_config *cfg;
    if (clg_config_load(&cfg, path, err, sizeof err) != CLG_OK) return die("%s%s", err, ""), NULL;
    for (int i = 0; i < nsets; i++)
        if (clg_config_set(cfg, sets[i], err, sizeof err) != CLG_OK) {
            clg_config_free(cfg);
            return die("%s%s", err, ""), NULL;
        }
    return cfg;
}

/* ---- progress display ---------------------------------------------------------------------- */
typedef struct progress {
    int tty, quiet;
} progress;

static void fmt_time(char *buf, size_t n, double s)
{
    if (s < 0 || s > 1e7) snprintf(buf, n, "--:--");
    else if (s >= 3600) snprintf(buf, n, "%d:%02d:%02d", (int)s / 3600, ((int)s / 60) % 60, (int)s % 60);
    else snprintf(buf, n, "%02d:%02d", (int)s / 60, (int)s % 60);
}

static void on_progress(void *user, const clg_step_stats *s)
{
    progress *p = user;
    if (p->quiet) return;
    double frac = s->steps_total ? (double)s->step / s->steps_total : 1.0;
    long done = s->step - s->step0;
    double eta = done > 0 ? s->seconds / done * (double)(s->steps_total - s->step) : -1;
    char el[32], et[32];
    fmt_time(el, sizeof el, s->seconds);
    fmt_time(et, sizeof et, eta);
    double ms = done > 0 ? 1000.0 * s->seconds / done : 0;
    if (p->tty) {
        char bar[31];
        int fill = (int)(frac * 30);
        for (int i = 0; i < 30; i++) bar[i] = i < fill ? '#' : '.';
        bar[30] = 0;
        fprintf(stderr, "\r\033[K[%s] %3.0f%% ep %d step %ld/%ld %s<%s %.0fms/step | D %.3f G %.3f D(x) %.2f D(G(z)) %.2f",
                bar, frac * 100, s->epoch, s->step, s->steps_total, el, et, ms, s->d_loss, s->g_loss, s->d_real,
                s->d_fake);
        if (s->step == s->steps_total) fputc('\n', stderr);
    } else {
        fprintf(stderr,
                "epoch %d step %ld/%ld elapsed %s eta %s %.1f ms/step d_loss %.4f g_loss %.4f d_real %.3f d_fake %.3f "
                "acc_real %.3f acc_fake %.3f\n",
                s->epoch, s->step, s->steps_total, el, et, ms, s->d_loss, s->g_loss, s->d_real, s->d_fake,
                s->acc_real, s->acc_fake);
    }
    fflush(stderr);
}

static clg_trainer *volatile running;
static void on_signal(int sig)
{
    (void)sig;
    clg_trainer_request_stop(running);
}

static int dir_has_run(const char *dir)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/metrics.csv", dir);
    return access(path, F_OK) == 0;
}

/* A file name the trainer writes in a run folder's subfolder: PREFIX*SUFFIX, or its temp file. */
static int run_file(const char *name, const char *prefix, const char *suffix)
{
    size_t n = strlen(name), p = strlen(prefix), s = strlen(suffix);
    if (n >= 4 && !strcmp(name + n - 4, ".tmp")) n -= 4;
    return n >= p + s && !strncmp(name, prefix, p) && !strncmp(name + n - s, suffix, s);
}

/* --overwrite: delete the old run's files (and only those: metrics, config, report, checkpoints,
 * sample grids) once the new run has passed every start check and before it writes anything,
 * so nothing of the new run can be lost and nothing of the old one is mixed in. */
static int clear_run(const char *dir)
{
    static const char *const top[] = {"metrics.csv", "config.ini", "report.html"};
    static const struct {
        const char *sub, *prefix, *suffix;
    } below[] = {{"checkpoints", "step_", ".safetensors"}, {"checkpoints", "latest", ".safetensors"},
                 {"samples", "epoch_", ".png"}, {"samples", "step_", ".png"}};
    char path[1400];
    for (size_t i = 0; i < sizeof top / sizeof top[0]; i++)
        for (int t = 0; t < 2; t++) {
            snprintf(path, sizeof path, "%s/%s%s", dir, top[i], t ? ".tmp" : "");
            if (remove(path) != 0 && errno != ENOENT) return die("--overwrite: cannot remove %s: %s", path, strerror(errno));
        }
    for (size_t i = 0; i < sizeof below / sizeof below[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, below[i].sub);
        DIR *d = opendir(path);
        if (!d) continue;
        struct dirent *e;
        while ((e = readdir(d)))
            if (run_file(e->d_name, below[i].prefix, below[i].suffix)) {
                snprintf(path, sizeof path, "%s/%s/%s", dir, below[i].sub, e->d_name);
                if (remove(path) != 0 && errno != ENOENT) {
                    closedir(d);
                    return die("--overwrite: cannot remove %s: %s", path, strerror(errno));
                }
            }
        closedir(d);
    }
    return 0;
}

static int cmd_train(int argc, char **argv)
{
    const char *config = NULL, *out = NULL, *device = NULL, *resume = NULL;
    int overwrite = 0, quiet = 0;
    const char *sets[MAX_SETS];
    int nsets = 0;
    char seedset[64];
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        int has_next = i + 1 < argc;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage_train(stdout);
            return 0;
        } else if (!strcmp(a, "--out") && has_next) out = argv[++i];
        else if (!strcmp(a, "--device") && has_next) {
            if (opt_device(&device, "train", argv[++i])) return 1;
        } else if (!strcmp(a, "--resume") && has_next) resume = argv[++i];
        else if (!strcmp(a, "--threads") && has_next) {
            if (set_threads("train", argv[++i])) return 1;
        } else if (!strcmp(a, "--seed") && has_next) {
            long seed;
            if (opt_long(&seed, "train", "--seed", argv[++i], 0, LONG_MAX)) return 1;
            snprintf(seedset, sizeof seedset, "train.seed=%ld", seed);
            if (add_set(sets, &nsets, "train", seedset)) return 1;
        } else if (!strcmp(a, "--set") && has_next) {
            if (add_set(sets, &nsets, "train", argv[++i])) return 1;
        } else if (!strcmp(a, "--overwrite")) overwrite = 1;
        else if (!strcmp(a, "--quiet")) quiet = 1;
        else if (a[0] == '-') return die("train: unknown option or missing value: %s (see `clgan train --help`)%s", a, "");
        else if (!config) config = a;
        else return die("train: more than one config given: %s and %s", config, a);
    }
    if (!config) return die("train: no config given (e.g. clgan train configs/mlp_gan.ini)%s%s", "", "");

    clg_config *cfg = load_config(config, sets, nsets);
    if (!cfg) return 1;

    /* every check that needs no device comes first; nothing is written before all have passed */
    char outbuf[1024];
    struct stat sb;
    if (resume) {
        const char *why = NULL, *arg = "";
        if (overwrite) why = "train: --resume continues a run and --overwrite starts a new one: give one of them%s%s";
        else if (stat(resume, &sb) != 0) why = "train: --resume %s: no such run folder or checkpoint%s";
        else if (S_ISDIR(sb.st_mode) && out && strcmp(out, resume))
            why = "train: --resume %s continues the run in that folder; --out cannot name another (%s)", arg = out;
        else if (!S_ISDIR(sb.st_mode) && !out)
            why = "train: --resume %s is a checkpoint file: give --out, the run folder whose metrics.csv it continues%s";
        if (why) {
            clg_config_free(cfg);
            return overwrite ? die(why, "", "") : die(why, resume, arg);
        }
        if (!out) out = resume;
    } else if (!out) {
        const char *base = strrchr(config, '/') ? strrchr(config, '/') + 1 : config;
        char name[256];
        snprintf(name, sizeof name, "%s", base);
        char *dot = strrchr(name, '.');
        if (dot) *dot = 0;
        snprintf(outbuf, sizeof outbuf, "runs/%s", name);
        for (int k = 2; dir_has_run(outbuf) && k < 10000; k++) snprintf(outbuf, sizeof outbuf, "runs/%s-%d", name, k);
        out = outbuf;
    } else if (dir_has_run(out) && !overwrite) {
        clg_config_free(cfg);
        return die("%s already holds a run (metrics.csv); choose another --out or pass --overwrite%s", out, "");
    }

    clg_ctx *ctx;
    int st = clg_ctx_create(&ctx, device);
    if (st != CLG_OK) {
        fprintf(stderr, "%s: %s\n", prog, clg_last_error(ctx));
        clg_ctx_free(ctx);
        clg_config_free(cfg);
        return 1;
    }
    if (*clg_ctx_warning(ctx)) fprintf(stderr, "%s: warning: %s\n", prog, clg_ctx_warning(ctx));
    clg_trainer *tr;
    st = clg_trainer_create(&tr, ctx, cfg, out, stdout);
    if (st == CLG_OK && resume) st = clg_trainer_resume(tr, resume);
    if (st == CLG_OK && overwrite && clear_run(out)) {
        clg_trainer_free(tr);
        clg_ctx_free(ctx);
        clg_config_free(cfg);
        return 1;
    }
    if (st == CLG_OK) {
        printf("writing to %s/\n", out);
        fflush(stdout);
        progress p = {isatty(2), quiet};
        running = tr;
        signal(SIGINT, on_signal);
        signal(SIGTERM, on_signal);
        st = clg_trainer_run(tr, on_progress, &p);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        running = NULL;
        if (p.tty && !quiet) fputc('\n', stderr);
    }
    if (st != CLG_OK) fprintf(stderr, "%s: %s\n", prog, clg_last_error(ctx));
    else printf("done: %s/metrics.csv, samples in %s/samples/\n", out, out);
    clg_trainer_free(tr);
    clg_ctx_free(ctx);
    clg_config_free(cfg);
    return st == CLG_OK ? 0 : (st == CLG_ERR_INTERRUPTED ? 130 : 1);
}

static void usage_sample(FILE *out)
{
    fprintf(out,
            "usage: clgan sample CKPT [-n N] [--seed S] [-o FILE.png] [--noise Z.npy] [--out-npy X.npy]\n"
            "                    [--device D]\n\n"
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
            "  --device D      OpenCL device, as for train\n");
}

static void usage_interpolate(FILE *out)
{
    fprintf(out,
            "usage: clgan interpolate CKPT [--seed S] [--steps K] [--rows R] [-o FILE.png] [--device D]\n\n"
            "Writes R rows of K images each: the generator's outputs along straight lines in latent space\n"
            "between pairs of random latent vectors (default: 8 rows, 10 steps, walk.png).\n\n"
            "options:\n"
            "  --rows R        1 to 1000, with R x K at most 100000 images\n"
            "  --steps K       images per row, 2 to 1000\n"
            "  --seed S        0 to 9223372036854775807 (default 1)\n"
            "  --device D      OpenCL device, as for train\n");
}


/* Shared by sample and interpolate: open the device and the generator. */
static int open_generator(clg_ctx **ctx, clg_generator **g, const char *device, const char *ckpt)
{
    *g = NULL;
    if (clg_ctx_create(ctx, device) != CLG_OK || clg_generator_load(g, *ctx, ckpt) != CLG_OK) {
        fprintf(stderr, "%s: %s\n", prog, clg_last_error(*ctx));
        return 1;
    }
    return 0;
}

static int cmd_sample(int argc, char **argv)
{
    const char *ckpt = NULL, *png = "samples.png", *noise = NULL, *npy = NULL, *device = NULL;
    int n = 64;
    long seed = 1;
    const char *nopt = NULL; /* -n or --seed as given: both choose latent vectors, as --noise does */
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        int has_next = i + 1 < argc;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) return usage_sample(stdout), 0;
        else if (!strcmp(a, "-n") && has_next) {
            nopt = "-n";
            if (opt_int(&n, "sample", "-n", argv[++i], 1, MAX_IMAGES)) return 1;
        } else if (!strcmp(a, "--seed") && has_next) {
            nopt = "--seed";
            if (opt_long(&seed, "sample", "--seed", argv[++i], 0, LONG_MAX)) return 1;
        } else if (!strcmp(a, "-o") && has_next) png = argv[++i];
        else if (!strcmp(a, "--noise") && has_next) noise = argv[++i];
        else if (!strcmp(a, "--out-npy") && has_next) npy = argv[++i];
        else if (!strcmp(a, "--device") && has_next) {
            if (opt_device(&device, "sample", argv[++i])) return 1;
        } else if (a[0] == '-') return die("sample: unknown option or missing value: %s (see `clgan sample --help`)%s", a, "");
        else if (!ckpt) ckpt = a;
        else return die("sample: more than one checkpoint given: %s and %s", ckpt, a);
    }
    if (!ckpt) return die("sample: no checkpoint given (e.g. clgan sample runs/mlp_gan)%s%s", "", "");
    if (noise && nopt)
        return die("sample: %s and --noise %s: the noise file gives the latent vectors (and their number); "
                   "give one of them", nopt, noise);
    char err[1400];
    float *z = NULL;
    int zdims[4], zndim = 0;
    if (noise && clg_npy_read(&z, &zndim, zdims, noise, err, sizeof err) != CLG_OK) return die("%s%s", err, "");
    if (z && (zndim < 1 || zdims[0] < 1 || zdims[0] > MAX_IMAGES)) {
        free(z);
        fprintf(stderr, "%s: %s: %d latent vectors; sample takes 1 to %ld\n", prog, noise, zndim < 1 ? 0 : zdims[0],
                MAX_IMAGES);
        return 1;
    }
    clg_ctx *ctx;
    clg_generator *g;
    int rc = open_generator(&ctx, &g, device, ckpt);
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
            rc = die("%s: expected latent vectors of shape %s", noise, want);
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
        size_t zbytes = floats_bytes((size_t)n, (size_t)nz, 1);
        z = zbytes ? malloc(zbytes) : NULL;
        if (z) clg_generator_noise(g, z, n, (uint64_t)seed);
    }
    size_t xbytes = floats_bytes((size_t)n, (size_t)c, (size_t)h * (size_t)w);
    x = xbytes ? malloc(xbytes) : NULL;
    if (!z || !x) {
        rc = die("out of memory%s%s", "", "");
        goto out;
    }
    if (clg_generator_run(g, x, z, n) != CLG_OK) {
        fprintf(stderr, "%s: %s\n", prog, clg_last_error(ctx));
        rc = 1;
        goto out;
    }
    if (strcmp(png, "-") && clg_write_image_grid(png, x, n, c, h, w, lo, hi, 0, err, sizeof err)) {
        rc = die("%s%s", err, "");
        goto out;
    }
    if (npy && clg_npy_write(npy, x, 4, (int[]){n, c, h, w}, err, sizeof err) != CLG_OK) {
        rc = die("%s%s", err, "");
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

static int cmd_interpolate(int argc, char **argv)
{
    const char *ckpt = NULL, *png = "walk.png", *device = NULL;
    int steps = 10, rows = 8;
    long seed = 1;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        int has_next = i + 1 < argc;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) return usage_interpolate(stdout), 0;
        else if (!strcmp(a, "--steps") && has_next) {
            if (opt_int(&steps, "interpolate", "--steps", argv[++i], 2, MAX_STEPS)) return 1;
        } else if (!strcmp(a, "--rows") && has_next) {
            if (opt_int(&rows, "interpolate", "--rows", argv[++i], 1, MAX_ROWS)) return 1;
        } else if (!strcmp(a, "--seed") && has_next) {
            if (opt_long(&seed, "interpolate", "--seed", argv[++i], 0, LONG_MAX)) return 1;
        } else if (!strcmp(a, "-o") && has_next) png = argv[++i];
        else if (!strcmp(a, "--device") && has_next) {
            if (opt_device(&device, "interpolate", argv[++i])) return 1;
        } else if (a[0] == '-')
            return die("interpolate: unknown option or missing value: %s (see `clgan interpolate --help`)%s", a, "");
        else if (!ckpt) ckpt = a;
        else return die("interpolate: more than one checkpoint given: %s and %s", ckpt, a);
    }
    if (!ckpt) return die("interpolate: no checkpoint given%s%s", "", "");
    if ((long)rows * steps > MAX_IMAGES) {
        fprintf(stderr, "%s: interpolate: --rows %d x --steps %d = %ld images; the limit is %ld\n", prog, rows, steps,
                (long)rows * steps, MAX_IMAGES);
        return 1;
    }
    clg_ctx *ctx;
    clg_generator *g;
    int rc = open_generator(&ctx, &g, device, ckpt), nz, c, h, w;
    float lo, hi, *ends = NULL, *z = NULL, *x = NULL;
    char err[1400];
    if (rc) goto out;
    clg_generator_shape(g, &nz, &c, &h, &w);
    clg_generator_range(g, &lo, &hi);
    int n = rows * steps; /* <= MAX_IMAGES */
    size_t ebytes = floats_bytes(2, (size_t)rows, (size_t)nz), zbytes = floats_bytes((size_t)n, (size_t)nz, 1),
           xbytes = floats_bytes((size_t)n, (size_t)c, (size_t)h * (size_t)w);
    ends = ebytes ? malloc(ebytes) : NULL;
    z = zbytes ? malloc(zbytes) : NULL;
    x = xbytes ? malloc(xbytes) : NULL;
    if (!ends || !z || !x) {
        rc = die("out of memory%s%s", "", "");
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
    } else if (clg_write_image_grid(png, x, n, c, h, w, lo, hi, steps, err, sizeof err)) rc = die("%s%s", err, "");
    else printf("wrote %d rows of %d steps to %s\n", rows, steps, png);
out:
    free(ends);
    free(z);
    free(x);
    clg_generator_free(g);
    clg_ctx_free(ctx);
    return rc;
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
            if (opt_device(&device, "bench", argv[++i])) return 1;
        } else if (!strcmp(a, "--all-devices")) all = 1;
        else if (!strcmp(a, "--threads") && has_next) {
            if (set_threads("bench", argv[++i])) return 1;
        } else if (!strcmp(a, "--json") && has_next) json = argv[++i];
        else if (!strcmp(a, "--set") && has_next) {
            if (add_set(sets, &nsets, "bench", argv[++i])) return 1;
        } else if (!strcmp(a, "--steps") && has_next) {
            if (opt_int(&steps, "bench", "--steps", argv[++i], 1, MAX_BENCH)) return 1;
        } else if (!strcmp(a, "--warmup") && has_next) {
            if (opt_int(&warmup, "bench", "--warmup", argv[++i], 0, MAX_BENCH)) return 1;
        } else if (a[0] == '-') return die("bench: unknown option or missing value: %s (see `clgan bench --help`)%s", a, "");
        else if (!config) config = a;
        else return die("bench: more than one config given: %s and %s", config, a);
    }
    if (!config) return die("bench: no config given (e.g. clgan bench configs/dcgan.ini)%s%s", "", "");
    clg_config *cfg = load_config(config, sets, nsets);
    if (!cfg) return 1;
    FILE *jf = NULL;
    if (json && !(jf = fopen(json, "w"))) {
        clg_config_free(cfg);
        return die("%s: cannot create: %s", json, strerror(errno));
    }
    char specs[64][16];
    int n = 1, rc = 0;
    if (all) n = clg_device_specs(specs, 64);
    for (int d = 0; d < n; d++) {
        clg_ctx *ctx;
        if (clg_ctx_create_ex(&ctx, all ? specs[d] : device, CLG_CTX_PROFILING) != CLG_OK ||
            clg_bench(ctx, cfg, warmup, steps, stdout, jf) != CLG_OK) {
            fprintf(stderr, "%s: %s%s\n", prog, all ? specs[d] : "", clg_last_error(ctx));
            rc = 1;
        }
        if (n > 1) printf("\n");
        clg_ctx_free(ctx);
    }
    if (jf) fclose(jf);
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
                   "device uses it; $CLGAN_GEMM=own|clblast still overrides.\n");
            return 0;
        } else if (!strcmp(argv[i], "--device") && i + 1 < argc) {
            if (opt_device(&device, "tune", argv[++i])) return 1;
        } else return die("tune: unknown argument %s (see `clgan tune --help`)%s", argv[i], "");
    }
    clg_ctx *ctx;
    int st = clg_ctx_create(&ctx, device);
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
        return die("devices: unknown argument %s%s", argv[i], "");
    }
    return clg_list_devices(stdout) == CLG_OK ? 0 : 1;
}

int main(int argc, char **argv)
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
    if (!strcmp(argv[1], "interpolate")) return cmd_interpolate(argc - 2, argv + 2);
    return die("unknown command \"%s\" (commands: train, sample, interpolate, bench, tune, devices; see `clgan --help`)%s", argv[1], "");
}
