/* trainer.c — the GAN training loop, as the seeds run it: per batch a discriminator step on a
 * real batch and on G(z) (gradients summed, one update), then a generator step through the
 * updated discriminator with the same fake batch. Losses, D(x), D(G(z)) and accuracies are
 * written by the loss kernel into a device-side ring and read back only every log_every steps,
 * which is the step loop's only host sync; at that read-back the weights are checked too (finite,
 * within CLG_WEIGHT_BOUND). The run folder's files (metrics.csv, grids, report) are runfolder.c's;
 * nothing is written to the run folder before clg_trainer_run: creating a trainer and resuming only read and check, so a
 * failed start leaves the folder as it was, and neither is anything when no step will run.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "train/checkpoint.h"
#include "train/dist.h"
#include "train/ema.h"
#include "train/evaltrain.h"
#include "train/runfolder.h"
#include "train/tblog.h"
#include "train/trainer.h"


static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static uint32_t key32(clg_rng *r) { return (uint32_t)clg_rng_next(r); }

int clg_trainer_noise(clg_ctx *ctx, const clg_noise_cfg *nc, clg_buf *z, int count, uint32_t key)
{
    if (nc->kind == CLG_NOISE_UNIFORM)
        return CLG_LAUNCH1(ctx, CLG_K_NOISE_UNIFORM, count, KA_MEM(z->sub), KA_INT(count), KA_UINT(key),
                           KA_FLT(nc->min), KA_FLT(nc->max));
    return CLG_LAUNCH1(ctx, CLG_K_NOISE_NORMAL, count, KA_MEM(z->sub), KA_INT(count), KA_UINT(key), KA_FLT(0.0f),
                       KA_FLT(1.0f));
}

/* The config's [data]: an IDX file or an image folder. */
static int open_config_data(clg_dataset *ds, clg_ctx *ctx, const clg_config *cfg, clg_shape gen_out, FILE *log)
{
    (void)gen_out;
    return clg_dataset_open(ds, ctx, &cfg->data, log);
}

int clg_trainer_synthetic_data(clg_dataset *ds, clg_ctx *ctx, const clg_config *cfg, clg_shape gen_out, FILE *log)
{
    (void)log;
    return clg_dataset_synthetic(ds, ctx, gen_out, cfg->train.batch * cfg->train.d_steps * 4, cfg->train.seed,
                                 cfg->data.range);
}

int clg_trainer_create(clg_trainer **out, clg_ctx *ctx, const clg_config *cfg, const char *out_dir, FILE *log)
{
    return clg_trainer_create_with(out, ctx, cfg, out_dir, log, NULL);
}

int clg_trainer_create_with(clg_trainer **out, clg_ctx *ctx, const clg_config *cfg, const char *out_dir, FILE *log,
                            clg_data_open_fn open_data)
{
    clg_trainer *tr = calloc(1, sizeof *tr);
    *out = tr;
    if (!tr) return clg_fail(ctx, CLG_ERR_NOMEM, "out of host memory");
    tr->ctx = ctx;
    tr->cfg = cfg;
    tr->batch = cfg->train.batch;
    tr->log = log;
    /* data-parallel: each rank trains on its contiguous share of every global batch */
    tr->rank = clg_dist_rank();
    tr->ranks = clg_dist_size();
    if (tr->batch % tr->ranks)
        return clg_fail(ctx, CLG_ERR_CONFIG, "%s: [train] batch = %d does not divide evenly over %d ranks: give a batch "
                        "that is a multiple of the number of processes", cfg->path, tr->batch, tr->ranks);
    tr->lbatch = tr->batch / tr->ranks;
    tr->lbase = tr->rank * tr->lbatch;
    TRY(clg_run_dir_check(ctx, out_dir));
    snprintf(tr->out_dir, sizeof tr->out_dir, "%s", out_dir ? out_dir : "");
    clg_rng init_rng = {(uint64_t)cfg->train.seed * 0x9e3779b97f4a7c15ULL + 1};
    tr->rng_shuffle.s = (uint64_t)cfg->train.seed * 0xd1b54a32d192ed03ULL + 2;
    tr->rng_noise.s = (uint64_t)cfg->train.seed * 0x8cb92ba72f3d8dd7ULL + 3;

    if (clg_net_parse_input(&tr->zshape, cfg->gen.input) != 0)
        return clg_fail(ctx, CLG_ERR_CONFIG, "%s: [generator] input = \"%s\": expected C or C,H,W (e.g. 100 or 100,1,1)",
                        cfg->gen.input_where, cfg->gen.input);
    int st = clg_net_build(&tr->G, ctx, "generator", &cfg->gen, tr->zshape, tr->lbatch, &init_rng);
    if (st != CLG_OK) return st;
    st = (open_data ? open_data : open_config_data)(&tr->data, ctx, cfg, tr->G.layers[tr->G.nlayers - 1].out, log);
    if (st != CLG_OK) return st;
    tr->xshape = tr->data.shape;
    if (tr->data.n < tr->batch)
        return clg_fail(ctx, CLG_ERR_CONFIG, "%s: [train] batch = %d but the data set has only %d images", cfg->path,
                        tr->batch, tr->data.n);
    st = clg_net_build(&tr->D, ctx, "discriminator", &cfg->disc, tr->xshape, tr->lbatch, &init_rng);
    if (st != CLG_OK) return st;
    TRY(clg_dist_split(&tr->part, ctx, (clg_net *[]){&tr->G, &tr->D}, 2, tr->lbase, cfg->train.sync_bn));
    tr->D.prof_base = 2 * CLG_MAX_LAYERS;
    clg_shape gout = tr->G.layers[tr->G.nlayers - 1].out;
    if (clg_shape_size(gout) != clg_shape_size(tr->xshape))
        return clg_fail(ctx, CLG_ERR_CONFIG,
                        "%s: the generator makes %dx%dx%d (%zu values) but the images are %dx%dx%d (%zu values)",
                        cfg->gen.layers[cfg->gen.nlayers - 1].where, gout.c, gout.h, gout.w, clg_shape_size(gout),
                        tr->xshape.c, tr->xshape.h, tr->xshape.w, clg_shape_size(tr->xshape));
    clg_layer *dlast = &tr->D.layers[tr->D.nlayers - 1];
    if (clg_shape_size(dlast->out) != 1)
        return clg_fail(ctx, CLG_ERR_CONFIG, "%s: the discriminator must end in one value per image, not %zu",
                        dlast->where, clg_shape_size(dlast->out));
    tr->from_logits = 1;
    tr->d_upto = tr->D.nlayers - (dlast->ops->flags & CLG_LAYER_SIGMOID ? 1 : 0);
    if (tr->d_upto == 0)
        return clg_fail(ctx, CLG_ERR_CONFIG, "%s: the discriminator is only a sigmoid", dlast->where);

    tr->ring = cfg->train.log_every;
    size_t zsize = clg_shape_size(tr->zshape);
    int grid_rows = cfg->train.grid < tr->batch ? tr->batch : cfg->train.grid;
#define ALLOC(b, n, what)                                                      \
    if ((st = clg_buf_alloc(ctx, &tr->b, (n), what)) != CLG_OK) return st;
    ALLOC(z, (size_t)tr->lbatch * zsize, "noise");
    if (tr->ranks > 1) ALLOC(zall, (size_t)tr->batch * zsize, "noise of the whole batch");
    ALLOC(fixed_z, (size_t)grid_rows * zsize, "fixed noise");
    ALLOC(real, (size_t)tr->lbatch * clg_shape_size(tr->xshape), "real batch");
    ALLOC(dz, (size_t)tr->lbatch, "loss gradient");
    ALLOC(stats, (size_t)tr->ring * S_NSTATS, "statistics");
#undef ALLOC
    tr->host_stats = calloc((size_t)tr->ring * S_NSTATS, sizeof(float));
    tr->host_grid = calloc((size_t)cfg->train.grid * clg_shape_size(tr->xshape), sizeof(float));
    if (!tr->host_stats || !tr->host_grid) return clg_fail(ctx, CLG_ERR_NOMEM, "out of host memory");
    clg_net *nets[2] = {&tr->G, &tr->D};
    for (int k = 0; k < 2; k++) /* room for the larger arena (parameters or buffers) of either network */
        for (int a = 0; a < 2; a++) {
            size_t n = a ? nets[k]->buffers.n : nets[k]->params.n;
            if (n > tr->host_weights_n) tr->host_weights_n = n;
        }
    tr->host_weights = malloc((tr->host_weights_n ? tr->host_weights_n : 1) * sizeof(float));
    if (!tr->host_weights) return clg_fail(ctx, CLG_ERR_NOMEM, "out of host memory");
    if (tr->ranks > 1) {
        size_t n = tr->G.grads.n > tr->D.grads.n ? tr->G.grads.n : tr->D.grads.n;
        TRY(clg_host_buf_alloc(ctx, &tr->host_grads, n, "gradient staging"));
    }
    tr->fixed_key = key32(&tr->rng_noise);
    TRY(clg_trainer_noise(ctx, &cfg->train.noise, &tr->fixed_z, grid_rows * (int)zsize, tr->fixed_key));

    TRY(clg_ema_start(tr));
    TRY(clg_train_eval_open(tr));

    tr->steps_per_epoch = tr->data.n / ((long)tr->batch * cfg->train.d_steps);
    if (tr->steps_per_epoch == 0)
        return clg_fail(ctx, CLG_ERR_CONFIG, "%s: batch %d x d_steps %d needs more than the %d images of the data set",
                        cfg->path, tr->batch, cfg->train.d_steps, tr->data.n);
    tr->total_steps = tr->steps_per_epoch * cfg->train.epochs;
    if (cfg->train.max_steps > 0 && cfg->train.max_steps < tr->total_steps) tr->total_steps = cfg->train.max_steps;

    if (log) {
        fprintf(log, "device: %s\ngemm: %s\n", ctx->desc, clg_ctx_gemm(ctx));
        fprintf(log, "data: %s: %d images of %dx%dx%d, scaled to [%s]\n", cfg->data.path, tr->data.n, tr->xshape.c,
                tr->xshape.h, tr->xshape.w, clg_range_names[cfg->data.range]);
        clg_net_print(&tr->G, log);
        clg_net_print(&tr->D, log);
        if (tr->total_steps < tr->steps_per_epoch * cfg->train.epochs)
            fprintf(log, "training: %ld step%s of batch %d (train.max_steps; %d epochs of %ld steps would be %ld)\n",
                    tr->total_steps, tr->total_steps == 1 ? "" : "s", tr->batch, cfg->train.epochs,
                    tr->steps_per_epoch, tr->steps_per_epoch * cfg->train.epochs);
        else
            fprintf(log, "training: %d epochs x %ld steps of batch %d = %ld steps\n", cfg->train.epochs,
                    tr->steps_per_epoch, tr->batch, tr->total_steps);
        fflush(log);
    }
    return CLG_OK;
}

int clg_trainer_bad_values(clg_trainer *tr, const char *net, const char *tensor, float worst, const char *when)
{
    char what[400], kept[1300];
    if (isfinite(worst))
        snprintf(what, sizeof what, "the %s's weights exploded: |w| reaches %.9g in %s, above the bound %.0e", net,
                 worst, tensor, (double)CLG_WEIGHT_BOUND);
    else snprintf(what, sizeof what, "the %s's %s holds a non-finite value (%g)", net, tensor, worst);
    if (tr->last_saved_step > 0)
        snprintf(kept, sizeof kept, "%s/checkpoints/latest.safetensors stays the last good one (step %ld)", tr->out_dir,
                 tr->last_saved_step);
    else snprintf(kept, sizeof kept, "no checkpoint was written");
    return clg_fail(tr->ctx, CLG_ERR_NUMERIC, "step %ld: %s%s; training stopped, %s. Try a lower learning rate (or "
                    "clip_value / clip_norm).", tr->step, what, strcmp(when, "checkpoint") ? "" : " (checked before writing "
                    "a checkpoint: none was written)", kept);
}

#define WEIGHT_CHECK_EVERY 25

/* Every trainable weight finite and within CLG_WEIGHT_BOUND, every running statistic finite: one
 * read per arena (parameters, then buffers) of each network, each tensor checked in place. */
static int check_weights(clg_trainer *tr)
{
    clg_net *nets[2] = {&tr->G, &tr->D};
    char name[200];
    float worst;
    for (int k = 0; k < 2; k++)
        for (int a = 0; a < 2; a++) {
            const clg_buf *arena = a ? &nets[k]->buffers : &nets[k]->params;
            if (!arena->n) continue;
            TRY(clg_buf_read(tr->ctx, tr->host_weights, arena, arena->n));
            for (int i = 0; i < nets[k]->nlayers; i++)
                for (int j = 0; j < nets[k]->layers[i].nparams; j++) {
                    clg_param *p = &nets[k]->layers[i].params[j];
                    if (p->trainable != !a) continue;
                    const float *v = tr->host_weights + (p->value.off - arena->off);
                    if (clg_values_bad(&worst, v, p->count, p->trainable ? CLG_WEIGHT_BOUND : 0.0f)) {
                        snprintf(name, sizeof name, "%s.%d.%s", nets[k]->name, i, p->name);
                        return clg_trainer_bad_values(tr, nets[k]->name, name, worst, "training");
                    }
                }
        }
    return CLG_OK;
}

static int loss(clg_trainer *tr, int slot, float y, float sign, int real)
{
    clg_ctx *ctx = tr->ctx;
    const clg_buf *logits = &tr->D.layers[tr->d_upto - 1].y;
    return CLG_LAUNCH_GROUP(ctx, CLG_K_BCE, KA_MEM(tr->dz.sub), KA_MEM(tr->stats.sub), KA_MEM(logits->sub),
                            KA_INT(tr->lbatch), KA_FLT(y), KA_FLT(sign), KA_INT(tr->from_logits), KA_INT(real),
                            KA_INT(slot));
}

/* This rank's rows of the batch's noise, drawn for the whole batch so that a sample's noise
 * depends on its index in the batch and not on the number of ranks. */
static int batch_noise(clg_trainer *tr, uint32_t key)
{
    int zsize = (int)clg_shape_size(tr->zshape);
    if (tr->ranks == 1) return clg_trainer_noise(tr->ctx, &tr->cfg->train.noise, &tr->z, tr->batch * zsize, key);
    TRY(clg_trainer_noise(tr->ctx, &tr->cfg->train.noise, &tr->zall, tr->batch * zsize, key));
    return clg_buf_copy_at(tr->ctx, &tr->z, 0, &tr->zall, (size_t)tr->lbase * zsize, (size_t)tr->lbatch * zsize);
}

/* Sum a network's gradient arena over the ranks and divide by their number (each rank's loss is
 * a mean over its share), staged through host memory; the time counts as communication. */
static int sum_grads(clg_trainer *tr, clg_net *net)
{
    return clg_dist_sum_buf(tr->ctx, &net->grads, 0, net->grads.n, tr->host_grads.ptr, 1.0f / (float)tr->ranks,
                            &tr->comm_s);
}

int clg_trainer_step(clg_trainer *tr, int base, int slot)
{
    clg_ctx *ctx = tr->ctx;
    const struct clg_config *cfg = tr->cfg;
    int B = tr->lbatch, gB = tr->batch;
    float ls = cfg->train.label_smoothing;
    float y_real = 1.0f - 0.5f * ls, y_fake = 0.5f * ls; /* Keras: y * (1 - s) + 0.5 * s */
    int off = slot * S_NSTATS;
    clg_net *G = &tr->G, *D = &tr->D;
    const clg_buf *fake = &G->layers[G->nlayers - 1].y;

    /* discriminator, d_steps times: a real batch and G(z), gradients summed, one update each
     * (the statistics of the last one are kept) */
    for (int k = 0; k < cfg->train.d_steps; k++) {
        TRY(clg_dataset_batch(&tr->data, ctx, &tr->real, base + k * gB + tr->lbase, B));
        TRY(batch_noise(tr, key32(&tr->rng_noise)));
        TRY(clg_net_forward(G, ctx, &tr->z, B, 1, G->nlayers));
        TRY(clg_net_zero_grad(D, ctx));
        TRY(clg_net_forward(D, ctx, &tr->real, B, 1, tr->d_upto));
        TRY(loss(tr, off + S_D_LOSS_REAL, y_real, 1.0f, 1));
        TRY(clg_net_backward(D, ctx, NULL, &tr->dz, &tr->real, B, 1, tr->d_upto));
        TRY(clg_net_forward(D, ctx, fake, B, 1, tr->d_upto));
        TRY(loss(tr, off + S_D_LOSS_FAKE, y_fake, 1.0f, 0));
        TRY(clg_net_backward(D, ctx, NULL, &tr->dz, fake, B, 1, tr->d_upto));
        TRY(sum_grads(tr, D));
        TRY(clg_net_update(D, ctx));
    }

    /* generator: through the updated D, non-saturating (target real) or minimax */
    int minimax = cfg->train.g_loss == CLG_G_MINIMAX;
    const clg_buf *dx;
    TRY(clg_net_zero_grad(G, ctx));
    TRY(clg_net_forward(D, ctx, fake, B, 1, tr->d_upto));
    TRY(loss(tr, off + S_G_LOSS, minimax ? y_fake : y_real, minimax ? -1.0f : 1.0f, 0));
    TRY(clg_net_backward(D, ctx, &dx, &tr->dz, fake, B, 0, tr->d_upto));
    TRY(clg_net_backward(G, ctx, NULL, dx, &tr->z, B, 1, G->nlayers));
    TRY(sum_grads(tr, G));
    TRY(clg_net_update(G, ctx));
    return clg_ema_update(tr);
}

/* Read the ring back, write metrics rows, report progress; stops on NaN/inf. */
static int flush_stats(clg_trainer *tr, int nsteps, long first_step, clg_progress_fn progress, void *user)
{
    if (nsteps == 0) return CLG_OK;
    TRY(clg_buf_read(tr->ctx, tr->host_stats, &tr->stats, (size_t)nsteps * S_NSTATS));
    if (tr->ranks > 1) { /* each rank's values are means over its equal share: their mean is the batch's */
        size_t n = (size_t)nsteps * S_NSTATS;
        TRY(clg_dist_sum(tr->ctx, tr->host_stats, n));
        for (size_t i = 0; i < n; i++) tr->host_stats[i] /= (float)tr->ranks;
    }
    clg_step_stats s = {0};
    for (int i = 0; i < nsteps; i++) {
        const float *r = tr->host_stats + (size_t)i * S_NSTATS;
        s.step = first_step + i;
        s.epoch = (int)((s.step - 1) / tr->steps_per_epoch) + 1;
        s.steps_total = tr->total_steps;
        s.d_loss = r[S_D_LOSS_REAL] + r[S_D_LOSS_FAKE];
        s.g_loss = r[S_G_LOSS];
        s.d_real = r[S_D_REAL];
        s.d_fake = r[S_D_FAKE];
        s.acc_real = r[S_ACC_REAL];
        s.acc_fake = r[S_ACC_FAKE];
        if (s.acc_real < 1.0f || s.acc_fake < 1.0f) tr->epoch_not_perfect = 1;
        if (tr->metrics)
            clg_run_metrics_row(tr->metrics, &s);
        TRY(clg_tb_stats(tr, &s));
        if (!isfinite(s.d_loss) || !isfinite(s.g_loss)) {
            if (tr->metrics) fflush(tr->metrics);
            return clg_fail(tr->ctx, CLG_ERR_NUMERIC,
                            "step %ld: the losses are no longer finite (D %g, G %g); training stopped, what was "
                            "written is kept. Try a lower learning rate.",
                            s.step, s.d_loss, s.g_loss);
        }
    }
    if (tr->metrics) fflush(tr->metrics);
    s.seconds = now_seconds() - tr->t_start;
    s.step0 = tr->step0;
    s.ranks = tr->ranks;
    s.batch = tr->batch;
    s.comm_seconds = tr->comm_s + tr->part.comm_s;
    if (progress) progress(user, &s);
    return CLG_OK;
}

/* Read back what the ring holds (a host sync), e.g. before a checkpoint or at an epoch end. */
static int flush_pending(clg_trainer *tr, clg_progress_fn progress, void *user)
{
    int n = tr->pending;
    int st = flush_stats(tr, n, tr->step - n + 1, progress, user);
    tr->pending = 0;
    /* the weights too, at most every WEIGHT_CHECK_EVERY steps so that a small log_every does not
     * read them back every step (each checkpoint checks what it writes anyway) */
    if (st == CLG_OK && n > 0 && tr->step - tr->weights_checked >= WEIGHT_CHECK_EVERY) {
        st = check_weights(tr);
        tr->weights_checked = tr->step;
    }
    return st;
}

/* report.html, with the speed of this run's steps so far */
static int report(clg_trainer *tr)
{
    double ms = tr->step > tr->step0 ? 1000.0 * (now_seconds() - tr->t_start) / (double)(tr->step - tr->step0) : 0;
    return clg_run_report(tr, ms);
}

/* FNV-1a over the bytes of n floats */
static uint64_t hash_floats(uint64_t h, const float *v, size_t n)
{
    const unsigned char *b = (const unsigned char *)v;
    for (size_t i = 0; i < n * sizeof(float); i++) h = (h ^ b[i]) * 0x100000001b3ULL;
    return h;
}

/* Each arena of trainable state (parameters, optimizer moments) of both networks through `fn`
 * via host memory: hashed (bcast == 0) or replaced by rank 0's (bcast == 1). */
static int each_state_arena(clg_trainer *tr, int bcast, uint64_t *h)
{
    clg_net *nets[2] = {&tr->G, &tr->D};
    for (int k = 0; k < 2; k++) {
        clg_buf *arenas[4] = {&nets[k]->params, &nets[k]->opt_m, &nets[k]->opt_v, &nets[k]->buffers};
        for (int a = 0; a < 4; a++) {
            clg_buf *b = arenas[a];
            /* running statistics are per rank without sync_bn */
            if (!b->n || (!bcast && a == 3 && !tr->cfg->train.sync_bn)) continue;
            TRY(clg_buf_read(tr->ctx, tr->host_weights, b, b->n));
            if (!bcast) *h = hash_floats(*h, tr->host_weights, b->n);
            else {
                TRY(clg_dist_bcast(tr->ctx, tr->host_weights, b->n * sizeof(float)));
                TRY(clg_buf_write(tr->ctx, b, tr->host_weights, b->n, 1));
            }
        }
        if (bcast) TRY(clg_dist_bcast(tr->ctx, &nets[k]->t, sizeof nets[k]->t));
    }
    return CLG_OK;
}

/* A checkpoint (rank 0 writes it), after checking that every rank holds the same parameters and
 * optimizer state: they take the same steps on the same summed gradients, so a difference is a
 * defect or a device that computes differently, and no rank's state would then be the run's. */
static int save(clg_trainer *tr)
{
    if (tr->ranks > 1) {
        uint64_t h = 0xcbf29ce484222325ULL;
        int same;
        TRY(each_state_arena(tr, 0, &h));
        TRY(clg_dist_same(tr->ctx, h, &same));
        if (!same)
            return clg_fail(tr->ctx, CLG_ERR_NUMERIC, "step %ld: the %d ranks' parameters or optimizer states differ "
                            "(rank %d's hash %016llx); no checkpoint was written", tr->step, tr->ranks, tr->rank,
                            (unsigned long long)h);
    }
    return tr->rank == 0 ? clg_checkpoint_save(tr) : CLG_OK;
}

static int epoch_end(clg_trainer *tr)
{
    char name[32];
    if (!tr->epoch_not_perfect && tr->log)
        fprintf(tr->log,
                "warning: epoch %d: the discriminator was right on every real and every fake image of every "
                "step; the generator gets little gradient (try d_steps = 1, a lower D learning rate, dropout "
                "or label smoothing)\n",
                tr->epoch);
    tr->epoch_not_perfect = 0;
    if (!tr->out_dir[0]) return CLG_OK;
    snprintf(name, sizeof name, "epoch_%03d", tr->epoch);
    if (clg_trainer_writes(tr)) TRY(clg_run_grid(tr, name));
    TRY(clg_train_eval_epoch(tr, 0, NULL));
    TRY(save(tr));
    return clg_trainer_writes(tr) ? report(tr) : CLG_OK;
}

int clg_trainer_resume(clg_trainer *tr, const char *from)
{
    char path[1200];
    TRY(clg_run_checkpoint_path(path, sizeof path, from, tr->ctx));
    TRY(clg_checkpoint_load(tr, path));
    if (tr->out_dir[0]) TRY(clg_run_check_metrics(tr));
    if (tr->step >= tr->total_steps && tr->log)
        fprintf(tr->log, "%s is at step %ld, the end of this run's %ld steps: nothing to do (raise train.epochs or "
                "train.max_steps to go on)\n", path, tr->step, tr->total_steps);
    return CLG_OK;
}

int clg_trainer_run(clg_trainer *tr, clg_progress_fn progress, void *user)
{
    clg_ctx *ctx = tr->ctx;
    const struct clg_config *cfg = tr->cfg;
    char name[32];
    /* a run with nothing to do (a resume at or past the end) leaves the folder as it is */
    if (clg_trainer_writes(tr) && !tr->metrics && tr->step < tr->total_steps) TRY(clg_run_start(tr));
    if (tr->ranks > 1) TRY(each_state_arena(tr, 1, NULL)); /* every rank starts from rank 0's state */
    tr->t_start = now_seconds();
    tr->comm_s = tr->part.comm_s = 0;
    tr->step0 = tr->weights_checked = tr->step;
    int shuffled = 0, saved = 0, stopping = 0;
    while (tr->step < tr->total_steps) {
        stopping = tr->stop;
        if (tr->ranks > 1) TRY(clg_dist_max(ctx, &stopping)); /* all ranks stop after the same step */
        if (stopping) break;
        if (tr->batch_in_epoch == 0) { /* a new epoch */
            tr->epoch++;
            tr->rng_epoch = tr->rng_shuffle;
            shuffled = 0;
        }
        if (!shuffled) { /* also after a resume in the middle of an epoch */
            tr->rng_shuffle = tr->rng_epoch;
            TRY(clg_dataset_shuffle(&tr->data, ctx, &tr->rng_shuffle));
            shuffled = 1;
        }
        TRY(clg_trainer_step(tr, (int)(tr->batch_in_epoch * tr->batch * cfg->train.d_steps), tr->pending));
        tr->step++;
        tr->batch_in_epoch++;
        saved = 0;
        if (++tr->pending == tr->ring) TRY(flush_pending(tr, progress, user));
        if (cfg->train.sample_every > 0 && tr->step % cfg->train.sample_every == 0 && clg_trainer_writes(tr)) {
            snprintf(name, sizeof name, "step_%07ld", tr->step);
            TRY(clg_run_grid(tr, name));
        }
        if (tr->batch_in_epoch == tr->steps_per_epoch) {
            TRY(flush_pending(tr, progress, user));
            tr->batch_in_epoch = 0;
            TRY(epoch_end(tr));
            saved = 1;
        } else if (cfg->train.checkpoint_every > 0 && tr->step % cfg->train.checkpoint_every == 0 && tr->out_dir[0]) {
            TRY(flush_pending(tr, progress, user));
            TRY(save(tr));
            saved = 1;
        }
    }
    /* the run ends early (max_steps or Ctrl-C): keep what was done */
    TRY(flush_pending(tr, progress, user));
    if (!stopping) { /* a stop asked for during the last step */
        stopping = tr->stop;
        if (tr->ranks > 1) TRY(clg_dist_max(ctx, &stopping));
    }
    int scored = 0, worked = tr->out_dir[0] && tr->step > tr->step0;
    if (!saved && worked) {
        snprintf(name, sizeof name, "epoch_%03d", tr->epoch); /* a partial epoch */
        if (clg_trainer_writes(tr)) TRY(clg_run_grid(tr, name));
    }
    /* a finished run that eval_every has not scored at its last epoch is scored now */
    if (worked && !stopping) TRY(clg_train_eval_epoch(tr, 1, &scored));
    if (!saved && worked) TRY(save(tr));
    if ((!saved || scored) && worked && clg_trainer_writes(tr)) TRY(report(tr));
    TRY(clg_finish(ctx));
    if (stopping)
        return clg_fail(ctx, CLG_ERR_INTERRUPTED, "interrupted at step %ld; checkpoint saved in %s/checkpoints/ "
                        "(continue with --resume %s)", tr->step, tr->out_dir, tr->out_dir);
    return CLG_OK;
}

void clg_trainer_request_stop(clg_trainer *tr)
{
    if (tr) tr->stop = 1;
}

void clg_trainer_free(clg_trainer *tr)
{
    if (!tr) return;
    if (tr->ctx && tr->ctx->queue) clg_finish(tr->ctx); /* nothing may run on buffers about to be freed */
    clg_net_free(&tr->G);
    clg_net_free(&tr->D);
    clg_dataset_close(&tr->data);
    clg_buf *bufs[] = {&tr->z, &tr->zall, &tr->fixed_z, &tr->real, &tr->dz, &tr->stats, &tr->ema};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) clg_buf_release(bufs[i]);
    free(tr->host_stats);
    free(tr->host_grid);
    free(tr->host_weights);
    if (tr->ctx) clg_host_buf_release(tr->ctx, &tr->host_grads);
    if (tr->ctx) clg_dist_part_free(tr->ctx, &tr->part);
    if (tr->metrics) fclose(tr->metrics);
    clg_tb_close(tr);
    clg_train_eval_free(tr);
    free(tr);
}
