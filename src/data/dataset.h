/* dataset.h — a training set resident on the device as bytes, with a seeded shuffle per epoch
 * and a gather kernel that turns a slice of the permutation into a float batch. Uploading the
 * set once means no host-to-device traffic inside a training step.
 */
#ifndef CLGAN_DATASET_H
#define CLGAN_DATASET_H

#include <stdio.h>

#include "base/rng.h"
#include "base/shape.h"
#include "config/config.h"
#include "runtime/runtime.h"

typedef struct clg_dataset {
    clg_shape shape;  /* per image (C,H,W) */
    int n;            /* images */
    clg_buf data;     /* n * C*H*W bytes (CLG_U8) */
    clg_buf perm_dev; /* n ints (CLG_I32) */
    int *perm;        /* host copy of the current permutation */
    float scale, shift; /* pixel byte v -> v * scale + shift */
} clg_dataset;

/* Load the configured data (data.path: an IDX file or a folder of images) and upload it;
 * warnings (skipped files) go to `log` when not NULL, failures to the context's record. */
int clg_dataset_open(clg_dataset *ds, clg_ctx *ctx, const clg_data_cfg *cfg, FILE *log);
/* n random images of `shape` (uniform bytes from `seed`), scaled to `range`, for benchmarks. */
int clg_dataset_synthetic(clg_dataset *ds, clg_ctx *ctx, clg_shape shape, int n, long seed, clg_range range);
void clg_dataset_close(clg_dataset *ds);
/* A new seeded permutation for the next epoch (Fisher-Yates), uploaded once. */
int clg_dataset_shuffle(clg_dataset *ds, clg_ctx *ctx, clg_rng *rng);
/* out (n, C,H,W) = images perm[base .. base+n), scaled. */
int clg_dataset_batch(clg_dataset *ds, clg_ctx *ctx, clg_buf *out, int base, int n);

#endif
