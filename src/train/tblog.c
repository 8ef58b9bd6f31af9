/* tblog.c — TensorBoard logs of a run (see tblog.h), through io/tfevents.h. The grid goes in as
 * the PNG file the run folder already holds (read back whole), so the image in TensorBoard is
 * byte for byte the one in samples/; its size and colour type come from the PNG's IHDR.
 */
#include <stdio.h>
#include <stdlib.h>

#include "io/file.h"
#include "io/tfevents.h"
#include "train/tblog.h"

int clg_tb_open(clg_trainer *tr)
{
    char dir[1200];
    if (!tr->cfg->train.tensorboard || !clg_trainer_writes(tr) || tr->tb) return CLG_OK;
    snprintf(dir, sizeof dir, "%s/tb", tr->out_dir);
    return clg_tfevents_open(&tr->tb, dir, &tr->ctx->err);
}

int clg_tb_scalar(clg_trainer *tr, const char *tag, double v)
{
    return tr->tb ? clg_tfevents_scalar(tr->tb, tag, tr->step, v, &tr->ctx->err) : CLG_OK;
}

int clg_tb_stats(clg_trainer *tr, const clg_step_stats *s)
{
    if (!tr->tb) return CLG_OK;
    const char *tags[6] = {"train/d_loss", "train/g_loss", "train/d_real", "train/d_fake", "train/acc_real",
                           "train/acc_fake"};
    double v[6] = {s->d_loss, s->g_loss, s->d_real, s->d_fake, s->acc_real, s->acc_fake};
    for (int i = 0; i < 6; i++) TRY(clg_tfevents_scalar(tr->tb, tags[i], s->step, v[i], &tr->ctx->err));
    return CLG_OK;
}

static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

int clg_tb_grid(clg_trainer *tr, const char *png_path)
{
    if (!tr->tb) return CLG_OK;
    uint8_t *png;
    size_t len;
    TRY(clg_read_file(&png, &len, png_path, (int64_t)1 << 30, 0, &tr->ctx->err));
    /* signature (8), IHDR length and type (8), width, height, bit depth, colour type */
    static const int channels_of[7] = {1, 0, 3, 0, 2, 0, 4};
    int st;
    if (len < 26 || png[25] > 6 || !channels_of[png[25]])
        st = clg_fail(tr->ctx, CLG_ERR_FORMAT, "%s: not a PNG the grid writer makes", png_path);
    else
        st = clg_tfevents_image(tr->tb, "samples", tr->step, png, len, (int)be32(png + 20), (int)be32(png + 16),
                                channels_of[png[25]], &tr->ctx->err);
    free(png);
    return st;
}

void clg_tb_close(clg_trainer *tr)
{
    clg_err e = {0};
    if (tr->tb) clg_tfevents_close(tr->tb, &e);
    tr->tb = NULL;
}
