/* tblog.h — a run's TensorBoard logs (train.tensorboard = 1): event files under <out>/tb/ with
 * the logged statistics of every step, the scores of each evaluation and the fixed-noise grids.
 * Only the rank that writes the run folder opens them; with no writer open every call is a no-op.
 */
#ifndef CLGAN_TRAIN_TBLOG_H
#define CLGAN_TRAIN_TBLOG_H

#include "train/trainer.h"

/* <out>/tb/ and a new event file in it (a resume adds a file; TensorBoard reads them together). */
int clg_tb_open(struct clg_trainer *tr);
/* The step's d_loss, g_loss, d_real, d_fake, acc_real and acc_fake (tags "train/<name>"). */
int clg_tb_stats(struct clg_trainer *tr, const clg_step_stats *s);
/* One scalar under `tag` at the current step. */
int clg_tb_scalar(struct clg_trainer *tr, const char *tag, double v);
/* The grid PNG just written to `png_path`, as image "samples" at the current step. */
int clg_tb_grid(struct clg_trainer *tr, const char *png_path);
void clg_tb_close(struct clg_trainer *tr);

#endif
