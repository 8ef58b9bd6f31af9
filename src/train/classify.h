/* classify.h — training the domain classifier (`clgan classify`): softmax cross-entropy on the
 * labelled train split, resident on the device like a GAN's data set, then the test accuracy. */
#ifndef CLGAN_TRAIN_CLASSIFY_H
#define CLGAN_TRAIN_CLASSIFY_H

#include <stdint.h>
#include <stdio.h>

#include "eval/classifier.h"

typedef struct clg_classify_result {
    double accuracy;   /* on the test split */
    double train_loss; /* mean over the last epoch's logged steps */
    long steps;
    uint64_t hash;     /* of the weights written */
} clg_classify_result;

/* Train cfg's classifier and write it to out_path through a temp file and a rename (progress
 * lines to `log` when not NULL). An existing out_path is refused before training unless
 * `overwrite`. */
int clg_classify_train(clg_classify_result *res, clg_ctx *ctx, const clg_cls_cfg *cfg, const char *out_path,
                       int overwrite, FILE *log);

#endif
