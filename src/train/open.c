/* open.c — opening a training run as `clgan train` and the Python Trainer do: a new run in a
 * folder (refused when the folder already holds a run; under `overwrite` the old run's files are
 * deleted, but only once every start check has passed, so a refused start destroys nothing), or
 * the continuation of a run from a run folder or a checkpoint file.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "train/dist.h"
#include "train/trainer.h"

int clg_run_folder_has_run(const char *dir)
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

/* Delete an old run's files (and only those: metrics, config, report, checkpoints, sample grids). */
static int clear_run(clg_ctx *ctx, const char *dir)
{
    static const char *const top[] = {"metrics.csv", "config.ini", "report.html", "eval.csv"};
    static const struct {
        const char *sub, *prefix, *suffix;
    } below[] = {{"checkpoints", "step_", ".safetensors"}, {"checkpoints", "latest", ".safetensors"},
                 {"samples", "epoch_", ".png"}, {"samples", "step_", ".png"},
                 {"tb", "events.out.tfevents.", ""}};
    char path[1400];
    for (size_t i = 0; i < sizeof top / sizeof top[0]; i++)
        for (int t = 0; t < 2; t++) {
            snprintf(path, sizeof path, "%s/%s%s", dir, top[i], t ? ".tmp" : "");
            if (remove(path) != 0 && errno != ENOENT)
                return clg_fail(ctx, CLG_ERR_IO, "cannot remove %s, a file of the run being overwritten: %s", path, strerror(errno));
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
                    return clg_fail(ctx, CLG_ERR_IO, "cannot remove %s, a file of the run being overwritten: %s", path, strerror(errno));
                }
            }
        closedir(d);
    }
    return CLG_OK;
}

int clg_trainer_open(clg_trainer **out, clg_ctx *ctx, const clg_config *cfg, const char *out_dir, const char *resume,
                     int overwrite, FILE *log)
{
    *out = NULL;
    struct stat sb;
    /* every check that needs no device first; nothing is written before all have passed */
    if (resume) {
        if (overwrite)
            return clg_fail(ctx, CLG_ERR_ARG, "resume continues a run and overwrite starts a new one: give one of them");
        if (stat(resume, &sb) != 0) return clg_fail(ctx, CLG_ERR_IO, "%s: no such run folder or checkpoint to resume", resume);
        if (S_ISDIR(sb.st_mode) && out_dir && strcmp(out_dir, resume))
            return clg_fail(ctx, CLG_ERR_ARG, "resume %s continues the run in that folder; the run folder cannot name "
                            "another (%s)", resume, out_dir);
        if (!S_ISDIR(sb.st_mode) && !out_dir)
            return clg_fail(ctx, CLG_ERR_ARG, "resume %s is a checkpoint file: give the run folder whose metrics.csv "
                            "it continues", resume);
        if (!out_dir) out_dir = resume;
    } else if (!out_dir || !*out_dir) {
        return clg_fail(ctx, CLG_ERR_ARG, "no run folder given");
    } else if (strlen(out_dir) > CLG_RUN_DIR_MAX) { /* before has_run and clear_run read inside it */
        return clg_run_dir_check(ctx, out_dir);
    } else if (clg_run_folder_has_run(out_dir) && !overwrite) {
        return clg_fail(ctx, CLG_ERR_ARG, "%s already holds a run (metrics.csv); choose another run folder or "
                        "overwrite it", out_dir);
    }
    clg_trainer *tr;
    int st = clg_trainer_create(&tr, ctx, cfg, out_dir, log), created = st == CLG_OK;
    if (st == CLG_OK && resume) st = clg_trainer_resume(tr, resume);
    /* under MPI every rank has passed its checks (or all stop with the failing rank's message)
     * before rank 0, the only writer, touches the folder */
    st = clg_dist_agree(ctx, st);
    if (st == CLG_OK && overwrite && clg_dist_rank() == 0) st = clear_run(ctx, out_dir);
    if (st != CLG_OK) {
        if (created) clg_trainer_free(tr);
        return st;
    }
    *out = tr;
    return CLG_OK;
}
