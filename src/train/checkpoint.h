/* checkpoint.h — saving and restoring a training run as safetensors: both networks' tensors
 * under PyTorch state_dict names, optimizer state, counters, random states and the resolved
 * config in the metadata. Everything read from a file is validated before the trainer uses it.
 */
#ifndef CLGAN_CHECKPOINT_H
#define CLGAN_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "train/trainer.h"

#define CLG_CHECKPOINT_FORMAT "clgan-checkpoint-1"
/* The generator's weight average (train.ema) is stored as a generator of this name:
 * "generator_ema.3.weight", with the raw generator's running statistics. */
#define CLG_EMA_NAME "generator_ema"

/* A checkpoint's counters and random states, as parsed from its metadata. */
typedef struct clg_ckpt_meta {
    long step;              /* steps done */
    long epoch;             /* the epoch of the last step (1-based); 0 before the first */
    long batch_in_epoch;    /* steps done in that epoch; 0 when it is complete */
    long generator_t, discriminator_t; /* optimizer updates done: step, and step * d_steps */
    long epoch_not_perfect; /* 0 or 1 */
    uint64_t rng_epoch, rng_shuffle, rng_noise; /* splitmix64 states: every value is valid */
    long image_c, image_h, image_w; /* "image_shape" */
} clg_ckpt_meta;

/* What a checkpoint's metadata is checked against: the sizes of the config and data set that
 * will resume it. */
typedef struct clg_ckpt_limits {
    long images;      /* images in the data set */
    long batch;       /* train.batch */
    long d_steps;     /* train.d_steps */
    long image_c, image_h, image_w;
} clg_ckpt_limits;

/* Parse the metadata of a checkpoint into *out. CLG_OK, or CLG_ERR_FORMAT with e's message
 * naming the key that is missing or not a number ("its metadata has no ...": the caller puts the
 * file's name before it). Pure host code. */
struct clg_st_file;
int clg_checkpoint_parse_meta(clg_ckpt_meta *out, const struct clg_st_file *f, clg_err *e);
/* Check every field of `m` against `lim`: the step, epoch and position in the epoch must be a
 * point the run can reach with lim's data and batch (so the batches it gathers stay inside the
 * data set), optimizer counts must match the step, flags must be 0/1, and the image shape must
 * match. CLG_OK, CLG_ERR_FORMAT (the metadata is wrong) or CLG_ERR_ARG (`lim` is impossible),
 * with one sentence in e. Pure host code, safe on any input: no OpenCL, no allocation, no
 * overflow. */
int clg_checkpoint_check_meta(const clg_ckpt_meta *m, const clg_ckpt_limits *lim, clg_err *e);

/* 0 if all n values are finite and (bound > 0) |v| <= bound; otherwise 1 with *worst the first
 * non-finite value, else the largest |v|. */
int clg_values_bad(float *worst, const float *v, size_t n, float bound);

/* Write <out>/checkpoints/step_NNNNNNN.safetensors (temp file, fsync, rename), point
 * <out>/checkpoints/latest.safetensors at it, keep the newest train.keep_checkpoints and remove
 * any of later steps (left by a continuation that a resume from an older checkpoint abandoned). Every
 * value written is checked first (weights finite and within CLG_WEIGHT_BOUND, optimizer state
 * finite); otherwise nothing is written and CLG_ERR_NUMERIC names the tensor and the step. */
int clg_checkpoint_save(struct clg_trainer *tr);
/* Restore a trainer (already created from the same config) from a checkpoint file. The config,
 * metadata (fixed_key must be the trainer's own), every tensor's presence, shape and finiteness,
 * weights within CLG_WEIGHT_BOUND and second moments >= 0 are checked before the trainer is
 * changed. */
int clg_checkpoint_load(struct clg_trainer *tr, const char *path);
/* Read a checkpoint file and check it is one of clgan's (format and stored config present);
 * *config points into f, which the caller frees with clg_st_free on success. */
int clg_checkpoint_open(struct clg_st_file *f, const char **config, clg_ctx *ctx, const char *path);
/* Load a network's tensors ("generator.0.weight", ...) from an open checkpoint (each checked for
 * shape and finite values before any is uploaded). */
int clg_checkpoint_load_net(clg_net *net, clg_ctx *ctx, const struct clg_st_file *f, const char *path);

#endif
