/* checkpoint.c — checkpoints of a training run. Tensor names follow PyTorch's nn.Sequential
 * state_dict ("generator.3.weight", "discriminator.4.running_var", and an I64
 * "num_batches_tracked" per batch norm), so a generator loads into the equivalent PyTorch module;
 * optimizer moments are "optimizer.generator.3.weight.m" / ".v". The metadata holds the format
 * version, the resolved config, step, epoch, position in the epoch, optimizer step counts and
 * every random state, which makes a resumed run continue exactly where the saved one was.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/safetensors.h"
#include "train/checkpoint.h"

extern const clg_layer_ops clg_layer_batchnorm;

typedef struct host_copies {
    float **v;
    int64_t *counts;
    int n, cap;
} host_copies;

static float *keep(host_copies *h, size_t n)
{
    if (h->n == h->cap) {
        h->cap = h->cap ? h->cap * 2 : 64;
        h->v = realloc(h->v, (size_t)h->cap * sizeof *h->v);
        h->counts = realloc(h->counts, (size_t)h->cap * sizeof *h->counts);
    }
    return h->v[h->n++] = malloc((n ? n : 1) * sizeof(float));
}

static void drop_all(host_copies *h)
{
    for (int i = 0; i < h->n; i++) free(h->v[i]);
    free(h->v);
    free(h->counts);
}

static int add_net(clg_st_file *f, host_copies *h, clg_net *net, clg_ctx *ctx)
{
    char name[160];
    for (int i = 0; i < net->nlayers; i++) {
        clg_layer *l = &net->layers[i];
        for (int j = 0; j < l->nparams; j++) {
            clg_param *p = &l->params[j];
            int64_t dims[4];
            for (int k = 0; k < p->ndim; k++) dims[k] = p->dims[k];
            float *v = keep(h, p->count);
            TRY(clg_buf_read(ctx, v, &p->value, p->count));
            snprintf(name, sizeof name, "%s.%d.%s", net->name, i, p->name);
            TRY(clg_st_add(f, name, "F32", p->ndim, dims, v, p->count * sizeof(float)));
            if (!p->trainable) continue;
            const clg_buf *states[2] = {&net->opt_m, &net->opt_v};
            for (int s = 0; s < 2; s++) {
                clg_buf view = *states[s];
                view.off = states[s]->off + (p->value.off - net->params.off);
                float *o = keep(h, p->count);
                TRY(clg_buf_read(ctx, o, &view, p->count));
                snprintf(name, sizeof name, "optimizer.%s.%d.%s.%s", net->name, i, p->name, s ? "v" : "m");
                TRY(clg_st_add(f, name, "F32", p->ndim, dims, o, p->count * sizeof(float)));
            }
        }
        if (l->ops == &clg_layer_batchnorm) {
            float *slot = keep(h, 2); /* 8 bytes for one int64 */
            int64_t count = l->train_forwards;
            memcpy(slot, &count, sizeof count);
            snprintf(name, sizeof name, "%s.%d.num_batches_tracked", net->name, i);
            TRY(clg_st_add(f, name, "I64", 0, NULL, slot, sizeof count));
        }
    }
    return CLG_OK;
}

static void meta_u64(clg_st_file *f, const char *key, uint64_t v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%016" PRIx64, v);
    clg_st_set_meta(f, key, buf);
}

static void meta_long(clg_st_file *f, const char *key, long v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%ld", v);
    clg_st_set_meta(f, key, buf);
}

static void meta_keys(clg_st_file *f, const char *key, const clg_net *net)
{
    char buf[4096] = "";
    for (int i = 0; i < net->nlayers; i++) {
        size_t len = strlen(buf);
        snprintf(buf + len, sizeof buf - len, "%s%08x", i ? "," : "", net->layers[i].key);
    }
    clg_st_set_meta(f, key, buf);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Keep the newest `keep` step_*.safetensors files. */
static void prune(const char *dir, int keep_n)
{
    DIR *d = opendir(dir);
    if (!d) return;
    char *names[4096];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 4096)
        if (!strncmp(e->d_name, "step_", 5) && strstr(e->d_name, ".safetensors") &&
            !strstr(e->d_name, ".tmp"))
            names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, (size_t)n, sizeof *names, cmp_str);
    for (int i = 0; i < n; i++) {
        if (i < n - keep_n) {
            char path[1400];
            snprintf(path, sizeof path, "%s/%s", dir, names[i]);
            remove(path);
        }
        free(names[i]);
    }
}

int clg_checkpoint_save(clg_trainer *tr)
{
    clg_ctx *ctx = tr->ctx;
    char dir[1100], path[1200], latest[1200], tmp[1300], err[1400];
    snprintf(dir, sizeof dir, "%s/checkpoints", tr->out_dir);
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return clg_fail(ctx, CLG_ERR_IO, "%s: cannot create: %s", dir, strerror(errno));
    clg_st_file f = {0};
    host_copies h = {0};
    int st = add_net(&f, &h, &tr->G, ctx);
    if (st == CLG_OK) st = add_net(&f, &h, &tr->D, ctx);
    if (st == CLG_OK) {
        clg_st_set_meta(&f, "format", CLG_CHECKPOINT_FORMAT);
        clg_st_set_meta(&f, "config", clg_config_text((struct clg_config *)tr->cfg));
        clg_st_set_meta(&f, "device", ctx->desc);
        char shape[64];
        snprintf(shape, sizeof shape, "%d,%d,%d", tr->xshape.c, tr->xshape.h, tr->xshape.w);
        clg_st_set_meta(&f, "image_shape", shape);
        meta_long(&f, "step", tr->step);
        meta_long(&f, "epoch", tr->epoch);
        meta_long(&f, "batch_in_epoch", tr->batch_in_epoch);
        meta_long(&f, "generator_t", tr->G.t);
        meta_long(&f, "discriminator_t", tr->D.t);
        meta_u64(&f, "rng_epoch", tr->rng_epoch.s);
        meta_u64(&f, "rng_shuffle", tr->rng_shuffle.s);
        meta_u64(&f, "rng_noise", tr->rng_noise.s);
        meta_u64(&f, "fixed_key", tr->fixed_key);
        meta_long(&f, "epoch_not_perfect", tr->epoch_not_perfect);
        meta_keys(&f, "generator_keys", &tr->G);
        meta_keys(&f, "discriminator_keys", &tr->D);
        snprintf(path, sizeof path, "%s/step_%07ld.safetensors", dir, tr->step);
        st = clg_st_write(&f, path, err, sizeof err);
        if (st != CLG_OK) clg_fail(ctx, st, "%s", err);
    }
    clg_st_free(&f);
    drop_all(&h);
    if (st != CLG_OK) return st;
    /* latest: a hard link made under a temp name and renamed over the old one */
    snprintf(latest, sizeof latest, "%s/latest.safetensors", dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", latest);
    remove(tmp);
    if (link(path, tmp) != 0 || rename(tmp, latest) != 0)
        return clg_fail(ctx, CLG_ERR_IO, "%s: cannot update: %s", latest, strerror(errno));
    prune(dir, tr->cfg->keep_checkpoints);
    return CLG_OK;
}

static int parse_u64(const clg_st_file *f, const char *key, uint64_t *out)
{
    const char *v = clg_st_meta(f, key);
    char *end;
    if (!v) return -1;
    *out = strtoull(v, &end, 16);
    return *end ? -1 : 0;
}

static int parse_long(const clg_st_file *f, const char *key, long *out)
{
    const char *v = clg_st_meta(f, key);
    char *end;
    if (!v) return -1;
    *out = strtol(v, &end, 10);
    return *end ? -1 : 0;
}

static int parse_keys(const clg_st_file *f, const char *key, clg_net *net)
{
    const char *v = clg_st_meta(f, key);
    if (!v) return -1;
    for (int i = 0; i < net->nlayers; i++) {
        char *end;
        net->layers[i].key = (uint32_t)strtoul(v, &end, 16);
        if (end == v || (*end != ',' && *end != 0)) return -1;
        v = *end ? end + 1 : end;
    }
    return 0;
}

static int load_tensor(clg_ctx *ctx, clg_buf *dst, const clg_st_file *f, const char *name, const clg_param *p,
                       const char *path)
{
    const clg_st_tensor *t = clg_st_find(f, name);
    if (!t) return clg_fail(ctx, CLG_ERR_FORMAT, "%s: has no tensor %s (a checkpoint of another model?)", path, name);
    int same = strcmp(t->dtype, "F32") == 0 && t->ndim == p->ndim;
    for (int k = 0; same && k < p->ndim; k++) same = t->dims[k] == p->dims[k];
    if (!same) {
        char want[64] = "", got[64] = "";
        for (int k = 0; k < p->ndim; k++) snprintf(want + strlen(want), sizeof want - strlen(want), "%s%d", k ? "," : "", p->dims[k]);
        for (int k = 0; k < t->ndim; k++)
            snprintf(got + strlen(got), sizeof got - strlen(got), "%s%lld", k ? "," : "", (long long)t->dims[k]);
        return clg_fail(ctx, CLG_ERR_FORMAT, "%s: tensor %s is %s (%s) but the model needs F32 (%s)", path, name,
                        t->dtype, got, want);
    }
    float *tmp = malloc(p->count * sizeof *tmp + 1);
    if (!tmp) return clg_fail(ctx, CLG_ERR_NOMEM, "out of host memory");
    memcpy(tmp, t->data, p->count * sizeof *tmp);
    int st = clg_buf_write(ctx, dst, tmp, p->count, 1);
    free(tmp);
    return st;
}

int clg_checkpoint_load_net(clg_net *net, clg_ctx *ctx, const clg_st_file *f, const char *path)
{
    char name[160];
    for (int i = 0; i < net->nlayers; i++) {
        clg_layer *l = &net->layers[i];
        for (int j = 0; j < l->nparams; j++) {
            snprintf(name, sizeof name, "%s.%d.%s", net->name, i, l->params[j].name);
            TRY(load_tensor(ctx, &l->params[j].value, f, name, &l->params[j], path));
        }
        snprintf(name, sizeof name, "%s.%d.num_batches_tracked", net->name, i);
        const clg_st_tensor *t = clg_st_find(f, name);
        if (t && !strcmp(t->dtype, "I64") && t->nbytes == 8) {
            int64_t v;
            memcpy(&v, t->data, 8);
            l->train_forwards = (long)v;
        }
    }
    return CLG_OK;
}

static int load_optimizer(clg_net *net, clg_ctx *ctx, const clg_st_file *f, const char *path)
{
    char name[200];
    for (int i = 0; i < net->nlayers; i++) {
        clg_layer *l = &net->layers[i];
        for (int j = 0; j < l->nparams; j++) {
            clg_param *p = &l->params[j];
            if (!p->trainable) continue;
            clg_buf *states[2] = {&net->opt_m, &net->opt_v};
            for (int s = 0; s < 2; s++) {
                clg_buf view = *states[s];
                view.off = states[s]->off + (p->value.off - net->params.off);
                snprintf(name, sizeof name, "optimizer.%s.%d.%s.%s", net->name, i, p->name, s ? "v" : "m");
                TRY(load_tensor(ctx, &view, f, name, p, path));
            }
        }
    }
    return CLG_OK;
}

/* The parts of two resolved configs that must agree to resume: everything but the run length. */
static void model_part(char *out, size_t n, const char *text)
{
    out[0] = 0;
    size_t len = 0;
    const char *line = text;
    while (*line) {
        const char *nl = strchr(line, '\n');
        size_t ll = nl ? (size_t)(nl - line) + 1 : strlen(line);
        if (strncmp(line, "epochs =", 8) && strncmp(line, "max_steps =", 11) && strncmp(line, "log_every", 9) &&
            strncmp(line, "sample_every", 12) && strncmp(line, "checkpoint_every", 16) &&
            strncmp(line, "keep_checkpoints", 16) && len + ll < n) {
            memcpy(out + len, line, ll);
            len += ll;
            out[len] = 0;
        }
        line += ll;
    }
}

int clg_checkpoint_load(clg_trainer *tr, const char *path)
{
    clg_ctx *ctx = tr->ctx;
    char err[1400];
    clg_st_file f;
    int st = clg_st_read(&f, path, err, sizeof err);
    if (st != CLG_OK) return clg_fail(ctx, st, "%s", err);
    const char *fmt = clg_st_meta(&f, "format"), *cfgtext = clg_st_meta(&f, "config");
    if (!fmt || strcmp(fmt, CLG_CHECKPOINT_FORMAT) || !cfgtext) {
        st = clg_fail(ctx, CLG_ERR_FORMAT, "%s: not a clgan checkpoint (format \"%s\", expected \"%s\")", path,
                      fmt ? fmt : "none", CLG_CHECKPOINT_FORMAT);
        goto out;
    }
    size_t cap = strlen(cfgtext) + 1 + 65536;
    char *a = malloc(cap), *b = malloc(cap);
    model_part(a, cap, cfgtext);
    model_part(b, cap, clg_config_text((struct clg_config *)tr->cfg));
    int same = a && b && !strcmp(a, b);
    if (!same && a && b) { /* name the first line that differs */
        const char *p = a, *q = b;
        while (*p && *p == *q) p++, q++;
        while (p > a && p[-1] != '\n') p--, q--;
        char la[200], lb[200];
        snprintf(la, sizeof la, "%.*s", (int)strcspn(p, "\n"), p);
        snprintf(lb, sizeof lb, "%.*s", (int)strcspn(q, "\n"), q);
        st = clg_fail(ctx, CLG_ERR_CONFIG,
                      "%s was saved from another config: it has \"%s\" where %s has \"%s\"", path, la,
                      tr->cfg->path, lb);
    }
    free(a), free(b);
    if (!same) goto out;
    long step, epoch, bie, gt, dt, np;
    uint64_t re, rs, rn;
    if (parse_long(&f, "step", &step) || parse_long(&f, "epoch", &epoch) || parse_long(&f, "batch_in_epoch", &bie) ||
        parse_long(&f, "generator_t", &gt) || parse_long(&f, "discriminator_t", &dt) ||
        parse_long(&f, "epoch_not_perfect", &np) || parse_u64(&f, "rng_epoch", &re) ||
        parse_u64(&f, "rng_shuffle", &rs) || parse_u64(&f, "rng_noise", &rn) ||
        parse_keys(&f, "generator_keys", &tr->G) || parse_keys(&f, "discriminator_keys", &tr->D)) {
        st = clg_fail(ctx, CLG_ERR_FORMAT, "%s: its metadata (step, epoch, random states) is missing or corrupt", path);
        goto out;
    }
    st = clg_checkpoint_load_net(&tr->G, ctx, &f, path);
    if (st == CLG_OK) st = clg_checkpoint_load_net(&tr->D, ctx, &f, path);
    if (st == CLG_OK) st = load_optimizer(&tr->G, ctx, &f, path);
    if (st == CLG_OK) st = load_optimizer(&tr->D, ctx, &f, path);
    if (st != CLG_OK) goto out;
    tr->step = step;
    tr->epoch = (int)epoch;
    tr->batch_in_epoch = bie;
    tr->G.t = gt;
    tr->D.t = dt;
    tr->epoch_not_perfect = (int)np;
    tr->rng_epoch.s = re;
    tr->rng_shuffle.s = rs;
    tr->rng_noise.s = rn;
out:
    clg_st_free(&f);
    return st;
}
