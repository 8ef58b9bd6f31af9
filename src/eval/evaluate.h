/* evaluate.h — scoring one sample set against real images with a classifier: the metrics of
 * metrics.h on the classifier's penultimate features and class probabilities, for the samples
 * and for the real-versus-real floor at the same n, and the report (text and JSON). */
#ifndef CLGAN_EVAL_EVALUATE_H
#define CLGAN_EVAL_EVALUATE_H

#include <stdio.h>

#include "eval/classifier.h"

#define CLG_EVAL_MAX_CLASSES 256

typedef struct clg_scores {
    size_t n;
    double fd, kid, kid_std, score, score_std, kl_uniform, precision, recall, memorised;
    int used;
    double hist[CLG_EVAL_MAX_CLASSES];
} clg_scores;

/* Host images x (n, C,H,W floats in the classifier's range) from an IDX file of images of the
 * classifier's shape: the `skip` first items left out, then at most n (*n: how many there were). */
int clg_eval_read_idx(float **x, size_t *n, const clg_classifier *c, const char *path, size_t skip, clg_err *e);

/* Score gen (ng images) against real (nr), with train (nt images, none of them in `real` or
 * among the floor's) for the memorisation check. */
int clg_eval_score(clg_scores *s, clg_classifier *c, const float *gen, size_t ng, const float *real, size_t nr,
                   const float *train, size_t nt);

/* The table of both, and the JSON file (when json is not NULL). */
void clg_eval_print(FILE *out, const clg_scores *s, const clg_scores *floor, int classes);
int clg_eval_json(const char *path, const clg_scores *s, const clg_scores *floor, int classes, const char *samples,
                  const char *classifier, clg_err *e);

#endif
