/* classifier.h — the domain classifier that scores samples: its config (an INI file of its own:
 * [data] image and label files of the train and test splits, [train] batch/epochs/seed, and
 * [classifier] the optimizer and one `layer = ...` line per module, the last giving one logit
 * per class), the network built from it, its safetensors file (tensors "classifier.I.weight"
 * as PyTorch's nn.Sequential names them; metadata: format, the config text, the image shape,
 * the test accuracy and an FNV-1a hash of the weights), and running it on images: the
 * penultimate layer's features and the class probabilities (softmax of the logits).
 */
#ifndef CLGAN_EVAL_CLASSIFIER_H
#define CLGAN_EVAL_CLASSIFIER_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "config/config.h"
#include "model/network.h"

#define CLG_CLASSIFIER_FORMAT "clgan-classifier-1"

typedef struct clg_cls_cfg {
    char name[4096]; /* the file (or what stands for it), for messages */
    char images[4096], labels[4096], test_images[4096], test_labels[4096];
    clg_range range;
    int limit, test_limit; /* 0 = all */
    int classes;
    int batch, epochs, log_every;
    long seed;
    clg_net_cfg net;
    char *text;            /* the file's text, stored in the classifier file */
} clg_cls_cfg;

/* Parse the text (len bytes) of a classifier config; `name` names it in messages ("file:line").
 * Unknown sections and keys, values out of range and missing required keys are CLG_ERR_CONFIG. */
int clg_cls_cfg_parse(clg_cls_cfg *c, const char *text, size_t len, const char *name, clg_err *e);
int clg_cls_cfg_load(clg_cls_cfg *c, const char *path, clg_err *e);
void clg_cls_cfg_free(clg_cls_cfg *c);

typedef struct clg_classifier {
    clg_ctx *ctx;
    clg_cls_cfg cfg;
    clg_net net;
    clg_shape in;
    int dim;        /* features: the size of the penultimate layer's output */
    double accuracy; /* test accuracy stored in the file (-1 if none) */
    char path[1200];
} clg_classifier;

/* Build the network of cfg for images of shape `in` at `batch` (weights from `seed`); the last
 * layer's output must be cfg->classes values. c takes a copy of cfg (text included). */
int clg_classifier_build(clg_classifier *c, clg_ctx *ctx, const clg_cls_cfg *cfg, clg_shape in, int batch,
                         uint64_t seed);
/* Read a classifier file: format, config, image shape and every tensor (shape, finite) checked;
 * errors name the path. */
int clg_classifier_load(clg_classifier *c, clg_ctx *ctx, const char *path);
/* Write the classifier (temp file and rename) with its test accuracy; *hash receives the hash of
 * its weights stored in the metadata (FNV-1a 64 over the tensors' bytes in order). */
int clg_classifier_save(clg_classifier *c, uint64_t *hash, const char *path, double accuracy);
/* Run n images x (n, C,H,W, in the classifier's pixel range) in eval mode: feat (n, dim) and
 * prob (n, classes), either may be NULL. */
int clg_classifier_run(clg_classifier *c, float *feat, float *prob, const float *x, size_t n);
void clg_classifier_free(clg_classifier *c);

#endif
