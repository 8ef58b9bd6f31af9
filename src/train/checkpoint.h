/* checkpoint.h — saving and restoring a training run as safetensors: both networks' tensors
 * under PyTorch state_dict names, optimizer state, counters, random states and the resolved
 * config in the metadata.
 */
#ifndef CLGAN_CHECKPOINT_H
#define CLGAN_CHECKPOINT_H

#include "train/trainer.h"

#define CLG_CHECKPOINT_FORMAT "clgan-checkpoint-1"

/* Write <out>/checkpoints/step_NNNNNNN.safetensors (temp file, fsync, rename), point
 * <out>/checkpoints/latest.safetensors at it, and keep the newest train.keep_checkpoints. */
int clg_checkpoint_save(struct clg_trainer *tr);
/* Restore a trainer (already created from the same config) from a checkpoint file. */
int clg_checkpoint_load(struct clg_trainer *tr, const char *path);
/* Load a network's tensors ("generator.0.weight", ...) from an open checkpoint. */
struct clg_st_file;
int clg_checkpoint_load_net(clg_net *net, clg_ctx *ctx, const struct clg_st_file *f, const char *path);

#endif
