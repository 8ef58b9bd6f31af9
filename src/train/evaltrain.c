/* evaltrain.c — the scores of a run's samples while it trains (see evaltrain.h). The noise is
 * drawn on the device from a key of the seed's own (not from the training noise stream, which
 * stays as it is), the same at every evaluation, so the curve follows the generator and not the
 * draw. The memorisation check compares with the classifier's first training images.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval/evaluate.h"
#include "io/file.h"
#include "train/ema.h"
#include "train/evaltrain.h"
#include "train/tblog.h"

struct clg_train_eval {
    clg_classifier c;
    float *real, *train, *gen;
    size_t nr, nt;
    int scored_epoch; /* the epoch last scored (0: none) */
};

#define EVAL_HEADER "epoch,step,fd,kid,kid_std,score,classes,precision,recall,memorised\n"

int clg_train_eval_open(clg_trainer *tr)
{
    const clg_train_cfg *t = &tr->cfg->train;
    if (t->eval_every <= 0) return CLG_OK;
    if (!t->eval_classifier[0])
        return clg_fail(tr->ctx, CLG_ERR_CONFIG, "%s: [train] eval_every = %d needs eval_classifier = FILE (a classifier "
                        "written by clgan classify) to score the samples with", tr->cfg->path, t->eval_every);
    if (!clg_trainer_writes(tr)) return CLG_OK;
    clg_train_eval *ev = calloc(1, sizeof *ev);
    if (!(tr->eval = ev)) return clg_fail(tr->ctx, CLG_ERR_NOMEM, "out of host memory");
    TRY(clg_classifier_load(&ev->c, tr->ctx, t->eval_classifier));
    if (clg_shape_size(ev->c.in) != clg_shape_size(tr->xshape))
        return clg_fail(tr->ctx, CLG_ERR_CONFIG, "%s: [train] eval_classifier = %s takes %dx%dx%d images but the "
                        "generator makes %dx%dx%d", tr->cfg->path, t->eval_classifier, ev->c.in.c, ev->c.in.h,
                        ev->c.in.w, tr->xshape.c, tr->xshape.h, tr->xshape.w);
    ev->nr = ev->nt = CLG_TRAIN_EVAL_N;
    TRY(clg_eval_read_idx(&ev->real, &ev->nr, &ev->c, ev->c.cfg.test_images, 0, &tr->ctx->err));
    TRY(clg_eval_read_idx(&ev->train, &ev->nt, &ev->c, ev->c.cfg.images, 0, &tr->ctx->err));
    ev->gen = malloc(CLG_TRAIN_EVAL_N * clg_shape_size(tr->xshape) * sizeof *ev->gen);
    return ev->gen ? CLG_OK : clg_fail(tr->ctx, CLG_ERR_NOMEM, "out of host memory for the samples to score");
}

int clg_train_eval_start(clg_trainer *tr)
{
    char path[1200], line[512];
    if (!tr->eval) return CLG_OK;
    snprintf(path, sizeof path, "%s/eval.csv", tr->out_dir);
    FILE *in = tr->step ? fopen(path, "r") : NULL, *out;
    char tmp[CLG_TMP_PATH];
    TRY(clg_tmp_open(&out, tmp, path, &tr->ctx->err));
    fputs(EVAL_HEADER, out);
    if (in) { /* the rows of steps the resumed checkpoint had reached */
        if (fgets(line, sizeof line, in))
            while (fgets(line, sizeof line, in)) {
                const char *comma = strchr(line, ',');
                if (comma && atol(comma + 1) <= tr->step) fputs(line, out);
            }
        fclose(in);
    }
    return clg_tmp_commit(out, tmp, path, !ferror(out), 0, &tr->ctx->err);
}

/* The samples, in the classifier's pixel range, into ev->gen. */
static int make_samples(clg_trainer *tr, clg_train_eval *ev)
{
    clg_ctx *ctx = tr->ctx;
    clg_net *G = &tr->G;
    const clg_noise_cfg *nc = &tr->cfg->train.noise;
    int zsize = (int)clg_shape_size(tr->zshape), xsize = (int)clg_shape_size(tr->xshape);
    uint32_t key = clg_hash32(tr->fixed_key ^ 0x5eed0e1u);
    for (int at = 0, chunk = 0; at < CLG_TRAIN_EVAL_N; at += tr->lbatch, chunk++) {
        int m = CLG_TRAIN_EVAL_N - at < tr->lbatch ? CLG_TRAIN_EVAL_N - at : tr->lbatch, count = m * zsize;
        uint32_t k = clg_hash32(key + (uint32_t)chunk);
        TRY(clg_trainer_noise(ctx, nc, &tr->z, count, k));
        TRY(clg_net_forward(G, ctx, &tr->z, m, 0, G->nlayers));
        TRY(clg_buf_read(ctx, ev->gen + (size_t)at * xsize, &G->layers[G->nlayers - 1].y, (size_t)m * xsize));
    }
    float lo = tr->cfg->data.range == CLG_RANGE_01 ? 0.0f : -1.0f, clo = ev->c.cfg.range == CLG_RANGE_01 ? 0.0f : -1.0f;
    for (size_t i = 0; i < (size_t)CLG_TRAIN_EVAL_N * xsize; i++)
        ev->gen[i] = clo + (1.0f - clo) * (ev->gen[i] - lo) / (1.0f - lo);
    return CLG_OK;
}

int clg_train_eval_epoch(clg_trainer *tr, int last, int *scored)
{
    clg_train_eval *ev = tr->eval;
    if (scored) *scored = 0;
    if (!ev || (last ? ev->scored_epoch == tr->epoch : tr->epoch % tr->cfg->train.eval_every)) return CLG_OK;
    ev->scored_epoch = tr->epoch;
    if (scored) *scored = 1;
    TRY(clg_ema_begin(tr));
    int st = make_samples(tr, ev), st2 = clg_ema_end(tr);
    TRY(st);
    TRY(st2);
    clg_scores s;
    TRY(clg_eval_score(&s, &ev->c, ev->gen, CLG_TRAIN_EVAL_N, ev->real, ev->nr, ev->train, ev->nt));
    char path[1200];
    snprintf(path, sizeof path, "%s/eval.csv", tr->out_dir);
    FILE *f = fopen(path, "a");
    if (!f) return clg_fail(tr->ctx, CLG_ERR_IO, "%s: cannot append: %s", path, strerror(errno));
    fprintf(f, "%d,%ld,%.7g,%.7g,%.7g,%.7g,%d,%.7g,%.7g,%.7g\n", tr->epoch, tr->step, s.fd, s.kid, s.kid_std, s.score,
            s.used, s.precision, s.recall, s.memorised);
    if (fclose(f) != 0) return clg_fail(tr->ctx, CLG_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
    if (tr->log) {
        fprintf(tr->log, "eval epoch %d (step %ld, %d samples%s): FD %.4g, KID %.4g, score %.3f, %d classes, "
                "precision %.3f, recall %.3f\n", tr->epoch, tr->step, CLG_TRAIN_EVAL_N, tr->ema.n ? ", averaged "
                "weights" : "", s.fd, s.kid, s.score, s.used, s.precision, s.recall);
        fflush(tr->log);
    }
    const char *tags[5] = {"eval/fd", "eval/kid", "eval/score", "eval/precision", "eval/recall"};
    double v[5] = {s.fd, s.kid, s.score, s.precision, s.recall};
    for (int i = 0; i < 5; i++) TRY(clg_tb_scalar(tr, tags[i], v[i]));
    return CLG_OK;
}

void clg_train_eval_free(clg_trainer *tr)
{
    clg_train_eval *ev = tr->eval;
    if (!ev) return;
    clg_classifier_free(&ev->c);
    free(ev->real), free(ev->train), free(ev->gen);
    free(ev);
    tr->eval = NULL;
}
