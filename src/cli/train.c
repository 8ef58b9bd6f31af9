/* train.c — `clgan train`: options, the run folder (refusing to mix two runs, clearing the old
 * one's files under --overwrite, through clg_trainer_open), Ctrl-C, and the progress bar or log lines.
 */
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
    char dist[96] = ""; /* data-parallel: images/s over all ranks, share of the time spent summing gradients */
    if (s->ranks > 1 && s->seconds > 0)
        snprintf(dist, sizeof dist, " | %d ranks %.0f img/s comm %.0f%%", s->ranks, (double)done * s->batch / s->seconds,
                 100.0 * s->comm_seconds / s->seconds);
    if (p->tty) {
        char bar[31];
        int fill = (int)(frac * 30);
        for (int i = 0; i < 30; i++) bar[i] = i < fill ? '#' : '.';
        bar[30] = 0;
        fprintf(stderr, "\r\033[K[%s] %3.0f%% ep %d step %ld/%ld %s<%s %.0fms/step | D %.3f G %.3f D(x) %.2f D(G(z)) %.2f%s",
                bar, frac * 100, s->epoch, s->step, s->steps_total, el, et, ms, s->d_loss, s->g_loss, s->d_real,
                s->d_fake, dist);
        if (s->step == s->steps_total) fputc('\n', stderr);
    } else {
        fprintf(stderr,
                "epoch %d step %ld/%ld elapsed %s eta %s %.1f ms/step d_loss %.4f g_loss %.4f d_real %.3f d_fake %.3f "
                "acc_real %.3f acc_fake %.3f%s\n",
                s->epoch, s->step, s->steps_total, el, et, ms, s->d_loss, s->g_loss, s->d_real, s->d_fake,
                s->acc_real, s->acc_fake, dist);
    }
    fflush(stderr);
}

/* A failure's line; under MPI it names the rank, unless it is another rank's message already */
static void print_error(const char *msg)
{
    if (clg_dist_size() > 1 && strncmp(msg, "rank ", 5)) fprintf(stderr, "%s: rank %d: %s\n", prog, clg_dist_rank(), msg);
    else fprintf(stderr, "%s: %s\n", prog, msg);
}

static clg_trainer *volatile running;
static void on_signal(int sig)
{
    (void)sig;
    clg_trainer_request_stop(running);
}

int cmd_train(int argc, char **argv)
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
            if (cli_opt_device(&device, "train", argv[++i])) return 1;
        } else if (!strcmp(a, "--resume") && has_next) resume = argv[++i];
        else if (!strcmp(a, "--threads") && has_next) {
            if (cli_set_threads("train", argv[++i])) return 1;
        } else if (!strcmp(a, "--seed") && has_next) {
            long seed;
            if (cli_opt_long(&seed, "train", "--seed", argv[++i], 0, LONG_MAX)) return 1;
            snprintf(seedset, sizeof seedset, "train.seed=%ld", seed);
            if (cli_add_set(sets, &nsets, "train", seedset)) return 1;
        } else if (!strcmp(a, "--set") && has_next) {
            if (cli_add_set(sets, &nsets, "train", argv[++i])) return 1;
        } else if (!strcmp(a, "--overwrite")) overwrite = 1;
        else if (!strcmp(a, "--quiet")) quiet = 1;
        else if (a[0] == '-') return cli_die("train: unknown option or missing value: %s (see `clgan train --help`)%s", a, "");
        else if (!config) config = a;
        else return cli_die("train: more than one config given: %s and %s", config, a);
    }
    if (!config) return cli_die("train: no config given (e.g. clgan train configs/mlp_gan.ini)%s%s", "", "");

    clg_config *cfg = cli_load_config(config, sets, nsets);
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
            return overwrite ? cli_die(why, "", "") : cli_die(why, resume, arg);
        }
        if (!out) out = resume;
    } else if (!out) {
        const char *base = strrchr(config, '/') ? strrchr(config, '/') + 1 : config;
        char name[256];
        snprintf(name, sizeof name, "%s", base);
        char *dot = strrchr(name, '.');
        if (dot) *dot = 0;
        snprintf(outbuf, sizeof outbuf, "runs/%s", name);
        for (int k = 2; clg_run_folder_has_run(outbuf) && k < 10000; k++) snprintf(outbuf, sizeof outbuf, "runs/%s-%d", name, k);
        out = outbuf;
    } else if (clg_run_folder_has_run(out) && !overwrite) {
        clg_config_free(cfg);
        return cli_die("%s already holds a run (metrics.csv); choose another --out or pass --overwrite%s", out, "");
    }

    /* under MPI: this rank's device; rank 0 alone logs and reports progress */
    char rank_dev[64], why[512];
    if (clg_env_rank_device(&device, rank_dev, sizeof rank_dev, why, sizeof why)) {
        clg_config_free(cfg);
        return cli_die("train: %s%s", why, "");
    }
    int rank = clg_dist_rank();
    FILE *log = rank == 0 ? stdout : NULL;
    if (rank > 0) quiet = 1;
    clg_ctx *ctx;
    int st = clg_env_ctx_create(&ctx, device, 0);
    if (st != CLG_OK) {
        print_error(clg_last_error(ctx));
        clg_ctx_free(ctx);
        clg_config_free(cfg);
        return 1;
    }
    if (*clg_ctx_warning(ctx) && rank == 0) fprintf(stderr, "%s: warning: %s\n", prog, clg_ctx_warning(ctx));
    clg_trainer *tr;
    st = clg_trainer_open(&tr, ctx, cfg, out, resume, overwrite, log);
    if (st == CLG_OK) {
        if (log) printf("writing to %s/\n", out);
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
    if (st != CLG_OK) print_error(clg_last_error(ctx));
    else if (log) printf("done: %s/metrics.csv, samples in %s/samples/\n", out, out);
    clg_trainer_free(tr);
    clg_ctx_free(ctx);
    clg_config_free(cfg);
    return st == CLG_OK ? 0 : (st == CLG_ERR_INTERRUPTED ? 130 : 1);
}
