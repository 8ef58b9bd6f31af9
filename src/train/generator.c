/* generator.c — a trained generator on its own, for sampling and interpolation: the network is
 * rebuilt from the config stored in a checkpoint, its tensors (with batch-norm running
 * statistics) loaded (each checked for shape and finite values), and run in eval mode in chunks
 * of its planned batch; outputs that are not finite are an error, not an image. A checkpoint of a
 * run with train.ema holds the weight average as a second generator ("generator_ema.*"), which
 * is the one loaded unless the raw weights are asked for.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "io/safetensors.h"
#include "model/network.h"
#include "train/checkpoint.h"
#include "train/runfolder.h"

#define GEN_BATCH 64

struct clg_generator {
    clg_ctx *ctx;
    clg_config *cfg;
    clg_net net;
    clg_shape zshape, out;
    clg_buf z;
    char path[1200];
};

int clg_generator_load(clg_generator **out, clg_ctx *ctx, const char *checkpoint)
{
    return clg_generator_load_weights(out, ctx, checkpoint, 0);
}

/* 1 when f holds the weight average: its first parameter under CLG_EMA_NAME */
static int has_ema(const clg_st_file *f, const clg_net *net)
{
    char name[200];
    for (int i = 0; i < net->nlayers; i++)
        if (net->layers[i].nparams) {
            snprintf(name, sizeof name, "%s.%d.%s", CLG_EMA_NAME, i, net->layers[i].params[0].name);
            return clg_st_find(f, name) != NULL;
        }
    return 0;
}

int clg_generator_load_weights(clg_generator **out, clg_ctx *ctx, const char *checkpoint, int raw)
{
    char path[1200];
    *out = NULL;
    TRY(clg_run_checkpoint_path(path, sizeof path, checkpoint, ctx));
    clg_generator *g = calloc(1, sizeof *g);
    *out = g;
    if (!g) return clg_fail(ctx, CLG_ERR_NOMEM, "out of host memory");
    g->ctx = ctx;
    snprintf(g->path, sizeof g->path, "%s", path);
    clg_st_file f;
    const char *text;
    int st = clg_checkpoint_open(&f, &text, ctx, path);
    if (st != CLG_OK) return st;
    char name[1300];
    snprintf(name, sizeof name, "%s[config]", path);
    st = clg_config_load_buffer(&g->cfg, text, strlen(text), name, &ctx->err);
    if (st != CLG_OK) goto out;
    if (clg_net_parse_input(&g->zshape, g->cfg->gen.input) != 0) {
        st = clg_fail(ctx, CLG_ERR_FORMAT, "%s: bad generator input \"%s\"", path, g->cfg->gen.input);
        goto out;
    }
    clg_rng rng = {1};
    st = clg_net_build(&g->net, ctx, "generator", &g->cfg->gen, g->zshape, GEN_BATCH, &rng);
    if (st != CLG_OK) goto out;
    g->out = g->net.layers[g->net.nlayers - 1].out;
    clg_shape img;
    const char *is = clg_st_meta(&f, "image_shape");
    if (is && clg_net_parse_input(&img, is) == 0 && clg_shape_size(img) == clg_shape_size(g->out)) g->out = img;
    if (!raw && has_ema(&f, &g->net)) g->net.name = CLG_EMA_NAME;
    st = clg_checkpoint_load_net(&g->net, ctx, &f, path);
    if (st == CLG_OK) st = clg_buf_alloc(ctx, &g->z, (size_t)GEN_BATCH * clg_shape_size(g->zshape), "latent vectors");
out:
    clg_st_free(&f);
    return st;
}

void clg_generator_shape(const clg_generator *g, int *nz, int *c, int *h, int *w)
{
    if (nz) *nz = (int)clg_shape_size(g->zshape);
    if (c) *c = g->out.c;
    if (h) *h = g->out.h;
    if (w) *w = g->out.w;
}

void clg_generator_noise(const clg_generator *g, float *z, int n, uint64_t seed)
{
    clg_rng r = {seed * 0x9e3779b97f4a7c15ULL + 7};
    size_t count = (size_t)n * clg_shape_size(g->zshape);
    const clg_noise_cfg *nc = &g->cfg->train.noise;
    int uniform = nc->kind == CLG_NOISE_UNIFORM;
    for (size_t i = 0; i < count; i++)
        z[i] = uniform ? (float)(nc->min + (nc->max - nc->min) * clg_rng_uniform(&r)) : (float)clg_rng_normal(&r);
}

void clg_generator_range(const clg_generator *g, float *lo, float *hi)
{
    *lo = g->cfg->data.range == CLG_RANGE_01 ? 0.0f : -1.0f;
    *hi = 1.0f;
}

int clg_generator_run(clg_generator *g, float *images, const float *z, int n)
{
    size_t zs = clg_shape_size(g->zshape), xs = clg_shape_size(g->out);
    for (int at = 0; at < n; at += GEN_BATCH) {
        int m = n - at < GEN_BATCH ? n - at : GEN_BATCH;
        TRY(clg_buf_write(g->ctx, &g->z, z + (size_t)at * zs, (size_t)m * zs, 1));
        TRY(clg_net_forward(&g->net, g->ctx, &g->z, m, 0, g->net.nlayers));
        TRY(clg_buf_read(g->ctx, images + (size_t)at * xs, &g->net.layers[g->net.nlayers - 1].y, (size_t)m * xs));
    }
    for (size_t i = 0; i < (size_t)n * xs; i++)
        if (!isfinite(images[i]))
            return clg_fail(g->ctx, CLG_ERR_NUMERIC, "%s: the generator's output holds a non-finite value (%g) for "
                            "latent vector %zu: its weights are broken (a run that diverged?)", g->path, images[i], i / xs);
    return CLG_OK;
}

void clg_generator_free(clg_generator *g)
{
    if (!g) return;
    if (g->net.nlayers) clg_net_free(&g->net);
    clg_buf_release(&g->z);
    clg_config_free(g->cfg);
    free(g);
}
