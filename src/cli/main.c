/* main.c — the clgan command-line tool: `clgan train`, `clgan devices`, and help for each. The
 * only place that exits; library failures arrive as a status plus clg_last_error's message.
 */
#include <errno.h>
#include <signal.h>
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
            "                   run length may be raised with --set train.epochs=N)\n"
            "  --device D       OpenCL device: P:D index or a name substring (default: $CLGAN_DEVICE,\n"
            "                   else the first GPU, else the first CPU); see `clgan devices`\n"
            "  --seed N         same as --set train.seed=N\n"
            "  --set S.K=V      override a config key, e.g. --set train.epochs=1 --set data.path=FILE\n"
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
    double eta = frac > 0 ? s->seconds / frac - s->seconds : -1;
    char el[32], et[32];
    fmt_time(el, sizeof el, s->seconds);
    fmt_time(et, sizeof et, eta);
    double ms = s->step ? 1000.0 * s->seconds / s->step : 0;
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

static int cmd_train(int argc, char **argv)
{
    const char *config = NULL, *out = NULL, *device = NULL, *resume = NULL;
    int overwrite = 0, quiet = 0;
    const char *sets[128];
    int nsets = 0;
    char seedset[64];
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        int has_next = i + 1 < argc;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage_train(stdout);
            return 0;
        } else if (!strcmp(a, "--out") && has_next) out = argv[++i];
        else if (!strcmp(a, "--device") && has_next) device = argv[++i];
        else if (!strcmp(a, "--resume") && has_next) resume = argv[++i];
        else if (!strcmp(a, "--seed") && has_next) {
            snprintf(seedset, sizeof seedset, "train.seed=%s", argv[++i]);
            if (nsets < 128) sets[nsets++] = seedset;
        } else if (!strcmp(a, "--set") && has_next) {
            if (nsets < 128) sets[nsets++] = argv[++i];
        } else if (!strcmp(a, "--overwrite")) overwrite = 1;
        else if (!strcmp(a, "--quiet")) quiet = 1;
        else if (a[0] == '-') return die("train: unknown option or missing value: %s (see `clgan train --help`)%s", a, "");
        else if (!config) config = a;
        else return die("train: more than one config given: %s and %s", config, a);
    }
    if (!config) return die("train: no config given (e.g. clgan train configs/mlp_gan.ini)%s%s", "", "");

    char err[2048];
    clg_config *cfg;
    if (clg_config_load(&cfg, config, err, sizeof err) != CLG_OK) return die("%s%s", err, "");
    for (int i = 0; i < nsets; i++)
        if (clg_config_set(cfg, sets[i], err, sizeof err) != CLG_OK) {
            clg_config_free(cfg);
            return die("%s%s", err, "");
        }

    char outbuf[1024];
    if (resume) {
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
    clg_trainer *tr;
    st = clg_trainer_create(&tr, ctx, cfg, out, stdout);
    if (st == CLG_OK && resume) st = clg_trainer_resume(tr, resume);
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
    return die("unknown command \"%s\" (commands: train, devices; see `clgan --help`)%s", argv[1], "");
}
