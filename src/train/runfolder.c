/* runfolder.c — the files of a training run's folder (see runfolder.h): samples/ and the sample
 * grids, config.ini, metrics.csv and the rows a resume keeps, report.html, and the path of a run
 * folder's latest checkpoint. Each file is written through a temp file and a rename where a
 * half-written one would mislead, so a crash leaves the previous version.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "io/image.h"
#include "io/report.h"
#include "train/ema.h"
#include "train/evaltrain.h"
#include "train/runfolder.h"
#include "train/tblog.h"

int clg_run_checkpoint_path(char *out, size_t n, const char *from, clg_ctx *ctx)
{
    struct stat sb;
    int len = stat(from, &sb) == 0 && S_ISDIR(sb.st_mode) ? snprintf(out, n, "%s/checkpoints/latest.safetensors", from)
                                                          : snprintf(out, n, "%s", from);
    if (len < 0 || (size_t)len >= n) /* a cut path could name another file */
        return clg_fail(ctx, CLG_ERR_IO, "%.80s...: checkpoint path of %d bytes is too long (at most %zu)", from, len,
                        n - 1);
    return CLG_OK;
}

static int mkdirs(const char *path)
{
    char tmp[1200];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            if (mkdir(tmp, 0755) != 0 && errno != EEXIST) return -1;
            *p = '/';
        }
    return (mkdir(tmp, 0755) != 0 && errno != EEXIST) ? -1 : 0;
}

#define METRICS_HEADER "step,epoch,d_loss,g_loss,d_real,d_fake,acc_real,acc_fake\n"

/* Rows 1..N of metrics.csv in order, counted up to `upto`; -1 when the file cannot be read. */
static long metrics_rows(const char *path, long upto, FILE *copy)
{
    char line[512];
    FILE *in = fopen(path, "r");
    if (!in) return -1;
    long rows = 0;
    if (fgets(line, sizeof line, in))
        while (rows < upto && fgets(line, sizeof line, in) && atol(line) == rows + 1) {
            if (copy) fputs(line, copy);
            rows++;
        }
    int bad = ferror(in);
    fclose(in);
    return bad ? -1 : rows;
}

int clg_run_check_metrics(clg_trainer *tr)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/metrics.csv", tr->out_dir);
    long rows = metrics_rows(path, tr->step, NULL);
    if (rows < 0)
        return clg_fail(tr->ctx, CLG_ERR_IO, "%s: cannot read it to resume: %s (the run folder must hold the run's "
                        "metrics up to the checkpoint)", path, strerror(errno));
    if (rows != tr->step)
        return clg_fail(tr->ctx, CLG_ERR_FORMAT, "%s: has %ld rows but the checkpoint is at step %ld", path, rows,
                        tr->step);
    return CLG_OK;
}

/* Open metrics.csv: new, or (after a resume, checked by clg_run_check_metrics) keeping the rows up to the
 * checkpoint's step, rewritten through a temp file. */
static int open_metrics(clg_trainer *tr)
{
    char path[1200], tmp[1300];
    snprintf(path, sizeof path, "%s/metrics.csv", tr->out_dir);
    if (tr->step == 0) {
        tr->metrics = fopen(path, "w");
        if (!tr->metrics) return clg_fail(tr->ctx, CLG_ERR_IO, "%s: cannot create: %s", path, strerror(errno));
        fputs(METRICS_HEADER, tr->metrics);
        return CLG_OK;
    }
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *out = fopen(tmp, "w");
    if (!out) return clg_fail(tr->ctx, CLG_ERR_IO, "%s: cannot create: %s", tmp, strerror(errno));
    fputs(METRICS_HEADER, out);
    long rows = metrics_rows(path, tr->step, out);
    if (fclose(out) != 0 || rows != tr->step || rename(tmp, path) != 0) {
        int e = errno;
        remove(tmp);
        return clg_fail(tr->ctx, CLG_ERR_IO, "%s: cannot rewrite: %s", path, rows != tr->step ? "rows changed" : strerror(e));
    }
    tr->metrics = fopen(path, "a");
    if (!tr->metrics) return clg_fail(tr->ctx, CLG_ERR_IO, "%s: cannot append: %s", path, strerror(errno));
    return CLG_OK;
}

int clg_run_start(clg_trainer *tr)
{
    char path[1200], tmp[1300];
    snprintf(path, sizeof path, "%s/samples", tr->out_dir);
    if (mkdirs(path) != 0) return clg_fail(tr->ctx, CLG_ERR_IO, "%s: cannot create: %s", path, strerror(errno));
    snprintf(path, sizeof path, "%s/config.ini", tr->out_dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) return clg_fail(tr->ctx, CLG_ERR_IO, "%s: cannot create: %s", tmp, strerror(errno));
    fputs(clg_config_text((struct clg_config *)tr->cfg), f);
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        int e = errno;
        remove(tmp);
        return clg_fail(tr->ctx, CLG_ERR_IO, "%s: cannot write: %s", path, strerror(e));
    }
    TRY(clg_tb_open(tr));
    TRY(clg_train_eval_start(tr));
    return open_metrics(tr);
}

void clg_run_metrics_row(FILE *f, const clg_step_stats *s)
{
    fprintf(f, "%ld,%d,%.7g,%.7g,%.7g,%.7g,%.7g,%.7g\n", s->step, s->epoch, s->d_loss, s->g_loss, s->d_real, s->d_fake,
            s->acc_real, s->acc_fake);
}

int clg_trainer_write_grid(clg_trainer *tr, const char *path)
{
    clg_ctx *ctx = tr->ctx;
    clg_net *G = &tr->G;
    TRY(clg_ema_begin(tr)); /* the weight average, when there is one, makes the grids */
    int st = CLG_OK;
    int n = tr->cfg->train.grid, zsize = (int)clg_shape_size(tr->zshape), xsize = (int)clg_shape_size(tr->xshape);
    for (int at = 0; at < n; at += tr->lbatch) { /* in runs of what the networks were built for */
        int m = n - at < tr->lbatch ? n - at : tr->lbatch;
        /* the fixed noise rows [at, at+m), copied into z (the generator's input buffer) */
        if ((st = clg_buf_copy_at(ctx, &tr->z, 0, &tr->fixed_z, (size_t)at * zsize, (size_t)m * zsize)) != CLG_OK) break;
        if ((st = clg_net_forward(G, ctx, &tr->z, m, 0, G->nlayers)) != CLG_OK ||
            (st = clg_buf_read(ctx, tr->host_grid + (size_t)at * xsize, &G->layers[G->nlayers - 1].y,
                               (size_t)m * xsize)) != CLG_OK)
            break;
    }
    int st2 = clg_ema_end(tr);
    TRY(st);
    TRY(st2);
    float lo = tr->cfg->data.range == CLG_RANGE_01 ? 0.0f : -1.0f;
    return clg_image_grid(path, tr->host_grid, n, tr->xshape.c, tr->xshape.h, tr->xshape.w, lo, 1.0f, 0, &ctx->err);
}

int clg_run_grid(clg_trainer *tr, const char *name)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/samples/%s.png", tr->out_dir, name);
    TRY(clg_trainer_write_grid(tr, path));
    return clg_tb_grid(tr, path);
}

int clg_run_report(clg_trainer *tr, double ms_per_step)
{
    char *nets = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&nets, &len);
    if (m) {
        clg_net_print(&tr->G, m);
        clg_net_print(&tr->D, m);
        fclose(m);
    }
    clg_report_info info = {tr->out_dir, tr->cfg->path, tr->ctx->desc, nets ? nets : "", tr->epoch, tr->step,
                            tr->total_steps, tr->batch, ms_per_step};
    int st = clg_report_write(&info, &tr->ctx->err);
    free(nets);
    return st;
}
