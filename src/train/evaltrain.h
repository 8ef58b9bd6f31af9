/* evaltrain.h — scores during training (train.eval_every = K epochs): 2,000 samples of the
 * generator (its weight average when there is one) on fixed noise, scored with the classifier of
 * train.eval_classifier against its test split, appended to <out>/eval.csv (which the report
 * draws as an FD curve) and to the TensorBoard logs. Only the rank that writes the run folder
 * scores.
 */
#ifndef CLGAN_TRAIN_EVALTRAIN_H
#define CLGAN_TRAIN_EVALTRAIN_H

#include "train/trainer.h"

#define CLG_TRAIN_EVAL_N 2000

/* Check the keys and load the classifier and its real images (at trainer creation, so a wrong
 * path stops the run before anything is written). Nothing when eval_every is 0. */
int clg_train_eval_open(struct clg_trainer *tr);
/* eval.csv at the run's start: new, or after a resume its rows up to the checkpoint's step. */
int clg_train_eval_start(struct clg_trainer *tr);
/* Score the generator now (an epoch end) when the epoch is a multiple of eval_every; with `last`
 * (the end of a run that was not interrupted, a partial epoch included) whenever this epoch has
 * not been scored yet, so that every finished run gets a score. *scored (may be NULL): 1 if it
 * scored. */
int clg_train_eval_epoch(struct clg_trainer *tr, int last, int *scored);
void clg_train_eval_free(struct clg_trainer *tr);

#endif
