/* runfolder.h — a training run's folder, the trainer's files: samples/ and its grids, config.ini,
 * metrics.csv (new, or kept up to a resumed checkpoint's step), report.html, and where a run
 * folder keeps its latest checkpoint. The training loop (trainer.c) calls these; failures are
 * reported in the trainer's context.
 */
#ifndef CLGAN_RUNFOLDER_H
#define CLGAN_RUNFOLDER_H

#include <stddef.h>

#include "train/trainer.h"

/* The checkpoint that `from` names: a run folder's checkpoints/latest.safetensors, or the file
 * itself, into out (n bytes); CLG_ERR_IO naming `from` when that path does not fit. */
int clg_run_checkpoint_path(char *out, size_t n, const char *from, clg_ctx *ctx);
/* Create the run folder once the start is validated: samples/, config.ini (temp file and
 * rename) and metrics.csv (new at step 0, else its rows up to tr->step, rewritten through a temp
 * file; tr->metrics is left open for appending). */
int clg_run_start(struct clg_trainer *tr);
/* A resumed run keeps metrics.csv's rows up to the checkpoint's step: it must have them all. */
int clg_run_check_metrics(struct clg_trainer *tr);
/* One metrics.csv row. */
void clg_run_metrics_row(FILE *f, const clg_step_stats *s);
/* samples/<name>.png: G in eval mode on the fixed noise (clg_trainer_write_grid). */
int clg_run_grid(struct clg_trainer *tr, const char *name);
/* report.html from metrics.csv, the networks and the speed of this run's steps. */
int clg_run_report(struct clg_trainer *tr, double ms_per_step);

#endif
