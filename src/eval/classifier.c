/* classifier.c — the domain classifier's network: built from its config, saved to and loaded
 * from safetensors (PyTorch nn.Sequential names under "classifier.", the config and a hash of
 * the weights in the metadata; every tensor checked for shape and finite values before any is
 * uploaded), and run in eval mode in chunks of its planned batch for features and probabilities.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval/classifier.h"
#include "io/safetensors.h"

int clg_classifier_build(clg_classifier *c, clg_ctx *ctx, const clg_cls_cfg *cfg, clg_shape in, int batch,
                         uint64_t seed)
{
    memset(c, 0, sizeof *c);
    c->ctx = ctx;
    c->cfg = *cfg;
    c->in = in;
    c->accuracy = -1;
    c->cfg.text = cfg->text ? strdup(cfg->text) : NULL;
    if (cfg->text && !c->cfg.text) return clg_fail(ctx, CLG_ERR_NOMEM, "out of host memory");
    clg_rng rng = {seed};
    TRY(clg_net_build(&c->net, ctx, "classifier", &c->cfg.net, in, batch, &rng));
    int nl = c->net.nlayers;
    size_t out = clg_shape_size(c->net.layers[nl - 1].out);
    if (out != (size_t)cfg->classes)
        return clg_fail(ctx, CLG_ERR_CONFIG, "%s: the last layer gives %zu values per image; a classifier of %d classes "
                        "needs one logit per class", c->cfg.net.layers[nl - 1].where, out, cfg->classes);
    if (nl < 2)
        return clg_fail(ctx, CLG_ERR_CONFIG, "%s: a classifier needs at least two layers (features, then logits)",
                        c->cfg.net.where);
    c->dim = (int)clg_shape_size(c->net.layers[nl - 2].out);
    if (c->dim > 4096)
        return clg_fail(ctx, CLG_ERR_CONFIG, "%s: the penultimate layer has %d values per image; features for the "
                        "scores may have at most 4096", c->cfg.net.layers[nl - 2].where, c->dim);
    return CLG_OK;
}

/* FNV-1a, 64 bits */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

int clg_classifier_save(clg_classifier *c, uint64_t *hash, const char *path, double accuracy)
{
    clg_ctx *ctx = c->ctx;
    clg_st_file f = {0};
    float *host[CLG_MAX_LAYERS * CLG_MAX_PARAMS];
    int nh = 0, st = CLG_OK;
    uint64_t h = 0xcbf29ce484222325ull;
    char name[160], meta[256];
    for (int i = 0; i < c->net.nlayers && st == CLG_OK; i++) {
        clg_layer *l = &c->net.layers[i];
        for (int j = 0; j < l->nparams && st == CLG_OK; j++) {
            clg_param *p = &l->params[j];
            int64_t dims[4];
            for (int k = 0; k < p->ndim; k++) dims[k] = p->dims[k];
            float *v = host[nh++] = malloc(p->count * sizeof *v + 1);
            if (!v) st = clg_fail(ctx, CLG_ERR_NOMEM, "out of host memory");
            if (st == CLG_OK) st = clg_buf_read(ctx, v, &p->value, p->count);
            for (size_t k = 0; st == CLG_OK && k < p->count; k++)
                if (!isfinite(v[k])) st = clg_fail(ctx, CLG_ERR_NUMERIC, "classifier.%d.%s holds %g: not saved", i, p->name, v[k]);
            snprintf(name, sizeof name, "classifier.%d.%s", i, p->name);
            if (st == CLG_OK && clg_st_add(&f, name, "F32", p->ndim, dims, v, p->count * sizeof(float)) != CLG_OK)
                st = clg_fail(ctx, CLG_ERR_NOMEM, "out of host memory");
            if (st == CLG_OK) h = fnv(h, v, p->count * sizeof(float));
        }
    }
    if (st == CLG_OK) {
        *hash = h;
        clg_st_set_meta(&f, "format", CLG_CLASSIFIER_FORMAT);
        clg_st_set_meta(&f, "config", c->cfg.text ? c->cfg.text : "");
        snprintf(meta, sizeof meta, "%d,%d,%d", c->in.c, c->in.h, c->in.w);
        clg_st_set_meta(&f, "image_shape", meta);
        snprintf(meta, sizeof meta, "%.6f", accuracy);
        clg_st_set_meta(&f, "test_accuracy", meta);
        snprintf(meta, sizeof meta, "fnv1a64:%016llx", (unsigned long long)h);
        clg_st_set_meta(&f, "weights_hash", meta);
        st = clg_st_write(&f, path, &ctx->err);
    }
    clg_st_free(&f);
    for (int i = 0; i < nh; i++) free(host[i]);
    return st;
}

/* Every tensor of the network present in f with its shape and finite values; upload when `put`. */
static int tensors(clg_classifier *c, const clg_st_file *f, const char *path, int put)
{
    clg_ctx *ctx = c->ctx;
    char name[160];
    for (int i = 0; i < c->net.nlayers; i++)
        for (int j = 0; j < c->net.layers[i].nparams; j++) {
            clg_param *p = &c->net.layers[i].params[j];
            snprintf(name, sizeof name, "classifier.%d.%s", i, p->name);
            const clg_st_tensor *t = clg_st_find(f, name);
            int ok = t && !strcmp(t->dtype, "F32") && t->ndim == p->ndim && t->nbytes == p->count * sizeof(float);
            for (int k = 0; ok && k < p->ndim; k++) ok = t->dims[k] == p->dims[k];
            if (!ok)
                return clg_fail(ctx, CLG_ERR_FORMAT, "%s: tensor %s is %s; the classifier's config needs F32 of %zu values",
                                path, name, t ? "of another type or shape" : "missing", p->count);
            const float *v = t->data;
            float x;
            for (size_t k = 0; k < p->count; k++) {
                memcpy(&x, v + k, sizeof x);
                if (!isfinite(x)) return clg_fail(ctx, CLG_ERR_FORMAT, "%s: tensor %s holds %g", path, name, x);
            }
            if (put) {
                float *tmp = malloc(p->count * sizeof *tmp + 1);
                if (!tmp) return clg_fail(ctx, CLG_ERR_NOMEM, "out of host memory");
                memcpy(tmp, t->data, p->count * sizeof *tmp);
                int st = clg_buf_write(ctx, &p->value, tmp, p->count, 1);
                free(tmp);
                TRY(st);
            }
        }
    return CLG_OK;
}

int clg_classifier_load(clg_classifier *c, clg_ctx *ctx, const char *path)
{
    memset(c, 0, sizeof *c);
    c->ctx = ctx;
    clg_st_file f;
    TRY(clg_st_read(&f, path, &ctx->err));
    const char *fmt = clg_st_meta(&f, "format"), *text = clg_st_meta(&f, "config"), *shape = clg_st_meta(&f, "image_shape");
    const char *acc = clg_st_meta(&f, "test_accuracy");
    clg_shape in;
    int st = CLG_OK;
    if (!fmt || strcmp(fmt, CLG_CLASSIFIER_FORMAT) || !text || !shape || clg_net_parse_input(&in, shape) != 0)
        st = clg_fail(ctx, CLG_ERR_FORMAT, "%s: not a clgan classifier (format \"%s\", expected \"%s\" with its config "
                      "and image shape; `clgan classify CONFIG` writes one)", path, fmt ? fmt : "none", CLG_CLASSIFIER_FORMAT);
    char name[1300];
    snprintf(name, sizeof name, "%s[config]", path);
    clg_cls_cfg cfg;
    if (st == CLG_OK) st = clg_cls_cfg_parse(&cfg, text, strlen(text), name, &ctx->err);
    if (st == CLG_OK) {
        st = clg_classifier_build(c, ctx, &cfg, in, 256, 1);
        clg_cls_cfg_free(&cfg);
    }
    snprintf(c->path, sizeof c->path, "%s", path);
    c->accuracy = acc ? atof(acc) : -1;
    if (st == CLG_OK) st = tensors(c, &f, path, 0);
    if (st == CLG_OK) st = tensors(c, &f, path, 1);
    clg_st_free(&f);
    return st;
}

int clg_classifier_run(clg_classifier *c, float *feat, float *prob, const float *x, size_t n)
{
    clg_ctx *ctx = c->ctx;
    int nl = c->net.nlayers, k = c->cfg.classes, b = c->net.batch;
    size_t in = clg_shape_size(c->in);
    clg_buf xb;
    TRY(clg_buf_alloc(ctx, &xb, (size_t)b * in, "classifier input"));
    float *logit = malloc((size_t)b * k * sizeof *logit);
    int st = logit ? CLG_OK : clg_fail(ctx, CLG_ERR_NOMEM, "out of host memory");
    for (size_t i = 0; st == CLG_OK && i < n; i += (size_t)b) {
        int m = n - i < (size_t)b ? (int)(n - i) : b;
        st = clg_buf_write(ctx, &xb, x + i * in, (size_t)m * in, 1);
        if (st == CLG_OK) st = clg_net_forward(&c->net, ctx, &xb, m, 0, nl);
        if (st == CLG_OK && feat) st = clg_buf_read(ctx, feat + i * (size_t)c->dim, &c->net.layers[nl - 2].y, (size_t)m * c->dim);
        if (st == CLG_OK && prob) st = clg_buf_read(ctx, logit, &c->net.layers[nl - 1].y, (size_t)m * k);
        for (int r = 0; st == CLG_OK && prob && r < m; r++) {
            const float *z = logit + (size_t)r * k;
            float *p = prob + (i + r) * k;
            double mx = z[0], sum = 0;
            for (int j = 1; j < k; j++) mx = z[j] > mx ? z[j] : mx;
            for (int j = 0; j < k; j++) sum += exp(z[j] - mx);
            for (int j = 0; j < k; j++) p[j] = (float)(exp(z[j] - mx) / sum);
            if (!isfinite(sum)) st = clg_fail(ctx, CLG_ERR_NUMERIC, "the classifier's logits are not finite for image %zu", i + r);
        }
    }
    free(logit);
    clg_buf_release(&xb);
    return st;
}

void clg_classifier_free(clg_classifier *c)
{
    clg_net_free(&c->net);
    clg_cls_cfg_free(&c->cfg);
}
