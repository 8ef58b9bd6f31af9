/* ema.h — the generator's exponential moving average (train.ema): a device arena laid out as
 * the generator's parameter arena, updated by one kernel after each generator update, and run in
 * place of the raw weights for the sample grids and the scores during training.
 */
#ifndef CLGAN_TRAIN_EMA_H
#define CLGAN_TRAIN_EMA_H

#include "train/trainer.h"

/* The average starts as the generator's weights (train.ema > 0; otherwise nothing). */
int clg_ema_start(struct clg_trainer *tr);
/* e = decay e + (1 - decay) p over the whole arena, after a generator update. */
int clg_ema_update(struct clg_trainer *tr);
/* Put the average into the generator's parameters for an eval-mode run, keeping the raw weights
 * in the gradient arena (same layout; the next step zeroes it before use); clg_ema_end puts
 * them back. Neither does anything without an average. */
int clg_ema_begin(struct clg_trainer *tr);
int clg_ema_end(struct clg_trainer *tr);

#endif
