/* trainer.h — the GAN trainer's state (internal): both networks, the data, the noise, the
 * statistics ring that is read back only every log_every steps, and the run folder's files.
 */
#ifndef CLGAN_TRAINER_H
#define CLGAN_TRAINER_H

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "config/config.h"
#include "data/dataset.h"
#include "model/network.h"
#include "train/dist.h"

/* Statistics slots per step in the ring; each loss launch writes 3 (loss, mean p, accuracy). */
enum { S_D_LOSS_REAL, S_D_REAL, S_ACC_REAL, S_D_LOSS_FAKE, S_D_FAKE, S_ACC_FAKE, S_G_LOSS, S_G_P, S_G_ACC, S_NSTATS };

/* The longest run folder path, in bytes: the files in it (checkpoints/step_N.safetensors.tmp,
 * tb/events.out.tfevents...) are named in 1200-byte buffers, so a longer one is refused when a
 * trainer is made, rather than written into a cut-off folder. */
#define CLG_RUN_DIR_MAX 1000

struct clg_trainer {
    clg_ctx *ctx;
    const struct clg_config *cfg;
    char out_dir[CLG_RUN_DIR_MAX + 1];
    clg_net G, D;
    clg_dataset data;
    clg_shape zshape, xshape;
    int batch;           /* train.batch: images per step over all ranks */
    int rank, ranks;     /* this process among the data-parallel ranks (0 of 1 without MPI) */
    int lbatch, lbase;   /* this rank's share of a batch and where it starts in it */
    clg_buf zall;        /* the whole batch's noise (ranks > 1), of which z is this rank's rows */
    clg_host_buf host_grads; /* gradient arena staged for the sum over ranks (ranks > 1) */
    double comm_s;       /* seconds spent summing gradients since the run started */
    clg_dist_part part;  /* this rank's part of each batch, as the layers see it (ranks > 1) */
    int d_upto;          /* D layers run; a final sigmoid is folded into the loss */
    int from_logits;
    clg_buf z, fixed_z, real, dz, stats;
    int ring;            /* steps per statistics read-back */
    float *host_stats;
    float *host_grid;
    clg_rng rng_shuffle, rng_noise;
    uint32_t fixed_key;
    long step, steps_per_epoch, total_steps;
    long step0;          /* step at which this run (or resume) started */
    long last_saved_step; /* step of checkpoints/latest.safetensors this run wrote or resumed; 0: none */
    float *host_weights; /* room for the largest tensor, for the weight check at each read-back */
    size_t host_weights_n;
    long weights_checked; /* step of the last weight check */
    long batch_in_epoch; /* steps done in the current epoch */
    int epoch;           /* current (1-based) epoch; 0 before the first */
    int pending;         /* steps in the statistics ring not yet read back */
    clg_rng rng_epoch;   /* shuffle state before the current epoch's shuffle */
    FILE *metrics;
    FILE *log;           /* warnings (may be NULL) */
    clg_buf ema;         /* the generator's weight average (train.ema > 0; ema.c), laid out as G.params */
    struct clg_tfevents *tb;         /* TensorBoard event file (train.tensorboard; tblog.c) */
    struct clg_train_eval *eval;     /* scores during training (train.eval_every; evaltrain.c) */
    int epoch_not_perfect; /* some step of this epoch had D accuracy < 1 on real or fake */
    double t_start;
    volatile sig_atomic_t stop;
};

/* Opens the trainer's data set once the generator is built (`gen_out`: its output shape),
 * reporting failures in ctx. NULL in clg_trainer_create_with: the config's [data]; the benchmark
 * passes its synthetic set. */
typedef int (*clg_data_open_fn)(clg_dataset *ds, clg_ctx *ctx, const struct clg_config *cfg, clg_shape gen_out,
                                FILE *log);
/* A clg_data_open_fn: random images of the generator's output shape, enough for 4 steps, from
 * the seed (benchmarks and tests: no files read). */
int clg_trainer_synthetic_data(clg_dataset *ds, clg_ctx *ctx, const struct clg_config *cfg, clg_shape gen_out,
                               FILE *log);
/* clg_trainer_create with the data set opened by `open_data`. */
int clg_trainer_create_with(clg_trainer **out, clg_ctx *ctx, const struct clg_config *cfg, const char *out_dir,
                            FILE *log, clg_data_open_fn open_data);

/* Training stops when a trainable weight's magnitude passes this bound (or any value is NaN or
 * infinite): such weights come from a learning rate that is far too high, and nothing useful is
 * left to learn from them. No checkpoint holding them is ever written. */
#define CLG_WEIGHT_BOUND 1e6f

/* Stop training on a tensor of network `net` ("generator") with a non-finite value, or weights
 * beyond CLG_WEIGHT_BOUND (`worst`, the first non-finite value or the largest |w|), found when
 * checking the weights (`when` = "checkpoint": before writing one). Returns CLG_ERR_NUMERIC with
 * a message naming the network, tensor, step and the checkpoint that stays latest. */
int clg_trainer_bad_values(struct clg_trainer *tr, const char *net, const char *tensor, float worst, const char *when);

/* n values of the config's noise (N(0,1) or U(min, max)) into z, as a function of `key` and the
 * index alone. */
int clg_trainer_noise(clg_ctx *ctx, const clg_noise_cfg *nc, clg_buf *z, int count, uint32_t key);
typedef struct clg_train_eval clg_train_eval;

/* One training step (D step on real and fake, then G step), all enqueued, no host sync.
 * `slot` is the statistics ring slot the step writes. */
int clg_trainer_step(struct clg_trainer *tr, int base, int slot);
/* Run G in eval mode on the fixed noise and write a PNG grid to `path` (runfolder.c). */
int clg_trainer_write_grid(struct clg_trainer *tr, const char *path);
/* Rank 0 writes the run folder; the other ranks train along and write nothing. */
static inline int clg_trainer_writes(const struct clg_trainer *tr) { return tr->out_dir[0] && tr->rank == 0; }

/* CLG_OK, or CLG_ERR_ARG naming a run folder path longer than CLG_RUN_DIR_MAX (NULL: none). */
static inline int clg_run_dir_check(clg_ctx *ctx, const char *dir)
{
    size_t n = dir ? strlen(dir) : 0;
    if (n <= CLG_RUN_DIR_MAX) return CLG_OK;
    return clg_fail(ctx, CLG_ERR_ARG, "run folder path of %zu bytes is too long (at most %d): %.80s...", n,
                    CLG_RUN_DIR_MAX, dir);
}

#endif
