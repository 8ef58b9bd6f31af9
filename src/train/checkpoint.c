/* checkpoint.c — checkpoints of a training run. Tensor names follow PyTorch's nn.Sequential
 * state_dict ("generator.3.weight", "discriminator.4.running_var", and an I64
 * "num_batches_tracked" per batch norm), so a generator loads into the equivalent PyTorch module;
 * optimizer moments are "optimizer.generator.3.weight.m" / ".v". The metadata holds the format
 * version, the resolved config, step, epoch, position in the epoch, optimizer step counts and
 * every random state, which makes a resumed run continue exactly where the saved one was.
 * Nothing read from a file is trusted: metadata is checked against the config and data
 * (clg_checkpoint_check_meta) and every tensor for shape, finite values, weights within
 * CLG_WEIGHT_BOUND and second moments >= 0 before the trainer changes; nothing non-finite or exploded is ever written.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/safetensors.h"
#include "train/checkpoint.h"

typedef struct host_copies {
    float **v;
    int n, cap;
} host_copies;

static float *keep(host_copies *h, size_t n)
{
    if (h->n == h->cap) {
        int cap = h->cap ? h->cap * 2 : 64;
        float **v = realloc(h->v, (size_t)cap * sizeof *v);
        if (!v) return NULL;
        h->v = v;
        h->cap = cap;
    }
    float *p = malloc((n ? n : 1) * sizeof(float));
    if (p) h->v[h->n++] = p;
    return p;
}

static void drop_all(host_copies *h)
{
    for (int i = 0; i < h->n; i++) free(h->v[i]);
    free(h->v);
}

int clg_values_bad(float *worst, const float *v, size_t n, float bound)
{
    float big = 0.0f;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(v[i])) {
            *worst = v[i];
            return 1;
        }
        if (fabsf(v[i]) > big) big = fabsf(v[i]);
    }
    *worst = big;
    return bound > 0 && big > bound;
}

/* Read a network's tensors (and optimizer moments) to the host and add them to f under the
 * network's name, refusing any non-finite value and weights beyond CLG_WEIGHT_BOUND. With `avg`
 * (the generator's weight average, laid out as its parameters) the trainable tensors come from
 * it and go under `name` without optimizer moments; the running statistics and batch counts are
 * then the network's own (ema.c says why), so the tensors are those of the same PyTorch module. */
static int add_net(clg_st_file *f, host_copies *h, clg_net *net, clg_trainer *tr, const char *net_name,
                   const clg_buf *avg)
{
    clg_ctx *ctx = tr->ctx;
    char name[160];
    float worst;
    for (int i = 0; i < net->nlayers; i++) {
        clg_layer *l = &net->layers[i];
        for (int j = 0; j < l->nparams; j++) {
            clg_param *p = &l->params[j];
            int64_t dims[4];
            for (int k = 0; k < p->ndim; k++) dims[k] = p->dims[k];
            float *v = keep(h, p->count);
            if (!v) return clg_fail(ctx, CLG_ERR_NOMEM, "out of host memory");
            clg_buf src = avg && p->trainable ? *avg : p->value;
            if (avg && p->trainable) src.off = avg->off + (p->value.off - net->params.off);
            TRY(clg_buf_read(ctx, v, &src, p->count));
            snprintf(name, sizeof name, "%s.%d.%s", net_name, i, p->name);
            if (clg_values_bad(&worst, v, p->count, p->trainable ? CLG_WEIGHT_BOUND : 0.0f))
                return clg_trainer_bad_values(tr, net->name, name, worst, "checkpoint");
            TRY(clg_st_add(f, name, "F32", p->ndim, dims, v, p->count * sizeof(float)));
            if (!p->trainable || avg) continue;
            const clg_buf *states[2] = {&net->opt_m, &net->opt_v};
            for (int s = 0; s < 2; s++) {
                clg_buf view = *states[s];
                view.off = states[s]->off + (p->value.off - net->params.off);
                float *o = keep(h, p->count);
                if (!o) return clg_fail(ctx, CLG_ERR_NOMEM, "out of host memory");
                TRY(clg_buf_read(ctx, o, &view, p->count));
                snprintf(name, sizeof name, "optimizer.%s.%d.%s.%s", net->name, i, p->name, s ? "v" : "m");
                if (clg_values_bad(&worst, o, p->count, 0.0f))
                    return clg_trainer_bad_values(tr, net->name, name, worst, "checkpoint");
                TRY(clg_st_add(f, name, "F32", p->ndim, dims, o, p->count * sizeof(float)));
            }
        }
        if (l->ops->flags & CLG_LAYER_COUNTS_BATCHES) {
            float *slot = keep(h, 2); /* 8 bytes for one int64 */
            if (!slot) return clg_fail(ctx, CLG_ERR_NOMEM, "out of host memory");
            int64_t count = l->train_forwards;
            memcpy(slot, &count, sizeof count);
            snprintf(name, sizeof name, "%s.%d.num_batches_tracked", net_name, i);
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

/* A checkpoint file name's step: "step_NNNNNNN.safetensors" exactly, else -1. */
static long file_step(const char *name)
{
    if (strncmp(name, "step_", 5)) return -1;
    const char *p = name + 5;
    long v = 0;
    if (*p < '0' || *p > '9') return -1;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (v > (LONG_MAX - 9) / 10) return -1;
        v = v * 10 + (*p - '0');
    }
    return strcmp(p, ".safetensors") ? -1 : v;
}

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

/* Keep the newest `keep_n` (at least 1) checkpoints of steps up to `step`, by step number (not
 * name: names stop sorting at step 10^7), and remove those of later steps: the run writing step
 * `step` was resumed from an older checkpoint (a rewind), so they belong to the continuation it
 * abandoned, which metrics.csv no longer holds. */
static void prune(const char *dir, int keep_n, long step)
{
    DIR *d = opendir(dir);
    if (!d) return;
    long steps[4096], later[4096];
    int n = 0, nlater = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        long s = file_step(e->d_name);
        if (s >= 0 && s <= step && n < 4096) steps[n++] = s;
        else if (s > step && nlater < 4096) later[nlater++] = s;
    }
    closedir(d);
    qsort(steps, (size_t)n, sizeof *steps, cmp_long);
    if (keep_n < 1) keep_n = 1;
    char path[1400];
    for (int i = 0; i < n - keep_n; i++) {
        snprintf(path, sizeof path, "%s/step_%07ld.safetensors", dir, steps[i]);
        remove(path);
    }
    for (int i = 0; i < nlater; i++) {
        snprintf(path, sizeof path, "%s/step_%07ld.safetensors", dir, later[i]);
        remove(path);
    }
}

int clg_checkpoint_save(clg_trainer *tr)
{
    clg_ctx *ctx = tr->ctx;
    char dir[1100], path[1200], latest[1200], tmp[1300];
    snprintf(dir, sizeof dir, "%s/checkpoints", tr->out_dir);
    clg_st_file f = {0};
    host_copies h = {0};
    /* read back and check everything before the folder is touched */
    int st = add_net(&f, &h, &tr->G, tr, tr->G.name, NULL);
    if (st == CLG_OK) st = add_net(&f, &h, &tr->D, tr, tr->D.name, NULL);
    if (st == CLG_OK && tr->ema.n) st = add_net(&f, &h, &tr->G, tr, CLG_EMA_NAME, &tr->ema);
    if (st == CLG_OK && mkdir(dir, 0755) != 0 && errno != EEXIST)
        st = clg_fail(ctx, CLG_ERR_IO, "%s: cannot create: %s", dir, strerror(errno));
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
        st = clg_st_write(&f, path, &ctx->err);
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
    tr->last_saved_step = tr->step;
    prune(dir, tr->cfg->train.keep_checkpoints, tr->step);
    return CLG_OK;
}

/* ---- metadata --------------------------------------------------------------------------- */
/* A decimal integer, the whole string: [-]digits, no blanks, in range. */
static int dec(long *out, const char *v)
{
    const char *p = v + (*v == '-');
    if (*p < '0' || *p > '9') return -1;
    for (const char *q = p; *q; q++)
        if (*q < '0' || *q > '9') return -1;
    errno = 0;
    char *end;
    *out = strtol(v, &end, 10);
    return errno || *end ? -1 : 0;
}

static int hex(uint64_t *out, const char *v)
{
    size_t n = strlen(v);
    if (n == 0 || n > 16 || strspn(v, "0123456789abcdefABCDEF") != n) return -1;
    *out = strtoull(v, NULL, 16);
    return 0;
}

int clg_checkpoint_parse_meta(clg_ckpt_meta *out, const clg_st_file *f, clg_err *e)
{
    static const struct {
        const char *key;
        size_t off;
    } longs[] = {
        {"step", offsetof(clg_ckpt_meta, step)},
        {"epoch", offsetof(clg_ckpt_meta, epoch)},
        {"batch_in_epoch", offsetof(clg_ckpt_meta, batch_in_epoch)},
        {"generator_t", offsetof(clg_ckpt_meta, generator_t)},
        {"discriminator_t", offsetof(clg_ckpt_meta, discriminator_t)},
        {"epoch_not_perfect", offsetof(clg_ckpt_meta, epoch_not_perfect)},
    }, u64s[] = {
        {"rng_epoch", offsetof(clg_ckpt_meta, rng_epoch)},
        {"rng_shuffle", offsetof(clg_ckpt_meta, rng_shuffle)},
        {"rng_noise", offsetof(clg_ckpt_meta, rng_noise)},
    };
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < sizeof longs / sizeof longs[0]; i++) {
        const char *v = clg_st_meta(f, longs[i].key);
        if (!v) return clg_errf(e, CLG_ERR_FORMAT, "its metadata has no \"%s\"", longs[i].key);
        if (dec((long *)((char *)out + longs[i].off), v))
            return clg_errf(e, CLG_ERR_FORMAT, "its metadata \"%s\" = \"%.40s\" is not an integer",
                            longs[i].key, v);
    }
    for (size_t i = 0; i < sizeof u64s / sizeof u64s[0]; i++) {
        const char *v = clg_st_meta(f, u64s[i].key);
        if (!v) return clg_errf(e, CLG_ERR_FORMAT, "its metadata has no \"%s\"", u64s[i].key);
        if (hex((uint64_t *)((char *)out + u64s[i].off), v))
            return clg_errf(e, CLG_ERR_FORMAT,
                            "its metadata \"%s\" = \"%.40s\" is not a 64-bit hexadecimal random state", u64s[i].key, v);
    }
    const char *v = clg_st_meta(f, "image_shape");
    if (!v) return clg_errf(e, CLG_ERR_FORMAT, "its metadata has no \"image_shape\"");
    char part[3][24];
    long *dims[3] = {&out->image_c, &out->image_h, &out->image_w};
    const char *p = v;
    for (int k = 0; k < 3; k++) {
        size_t len = strcspn(p, ",");
        if (len >= sizeof part[k] || (k < 2 && p[len] != ',') || (k == 2 && p[len] != 0))
            return clg_errf(e, CLG_ERR_FORMAT, "its metadata \"image_shape\" = \"%.40s\" is not C,H,W", v);
        memcpy(part[k], p, len);
        part[k][len] = 0;
        if (dec(dims[k], part[k]))
            return clg_errf(e, CLG_ERR_FORMAT, "its metadata \"image_shape\" = \"%.40s\" is not C,H,W", v);
        p += len + (k < 2);
    }
    return CLG_OK;
}

int clg_checkpoint_check_meta(const clg_ckpt_meta *m, const clg_ckpt_limits *lim, clg_err *e)
{
    if (lim->images < 1 || lim->batch < 1 || lim->d_steps < 1 || lim->batch > lim->images ||
        lim->d_steps > lim->images / lim->batch)
        return clg_errf(e, CLG_ERR_ARG, "no step fits: batch %ld x d_steps %ld with %ld images",
                        lim->batch, lim->d_steps, lim->images);
    long spe = lim->images / (lim->batch * lim->d_steps); /* steps per epoch, >= 1 */
    if (m->image_c != lim->image_c || m->image_h != lim->image_h || m->image_w != lim->image_w)
        return clg_errf(e, CLG_ERR_FORMAT, "it was saved for images of %ldx%ldx%ld but the data are %ldx%ldx%ld",
                        m->image_c, m->image_h, m->image_w, lim->image_c, lim->image_h, lim->image_w);
    if (m->step < 0 || m->epoch < 0 || m->batch_in_epoch < 0)
        return clg_errf(e, CLG_ERR_FORMAT, "step %ld, epoch %ld, batch_in_epoch %ld: negative", m->step,
                        m->epoch, m->batch_in_epoch);
    /* the only points a run reaches: the end of epoch k (step k*spe, epoch k, batch_in_epoch 0) or
     * inside epoch k (step (k-1)*spe + b, epoch k, batch_in_epoch b, 0 < b < spe) */
    long want_epoch = m->step / spe + (m->step % spe != 0);
    if (m->batch_in_epoch >= spe || m->step % spe != m->batch_in_epoch || m->epoch != want_epoch)
        return clg_errf(e, CLG_ERR_FORMAT,
                        "step %ld, epoch %ld, batch_in_epoch %ld is not a point of this run, which has %ld steps per "
                        "epoch (%ld images / (batch %ld x d_steps %ld)): a checkpoint of another data set, or damaged",
                        m->step, m->epoch, m->batch_in_epoch, spe, lim->images, lim->batch, lim->d_steps);
    if (m->epoch >= INT_MAX)
        return clg_errf(e, CLG_ERR_FORMAT, "epoch %ld is out of range", m->epoch);
    if (m->generator_t != m->step || m->discriminator_t < 0 || m->discriminator_t % lim->d_steps != 0 ||
        m->discriminator_t / lim->d_steps != m->step)
        return clg_errf(e, CLG_ERR_FORMAT,
                        "optimizer steps generator_t %ld, discriminator_t %ld do not match step %ld (expected %ld and "
                        "%ld x d_steps %ld)",
                        m->generator_t, m->discriminator_t, m->step, m->step, m->step, lim->d_steps);
    if (m->epoch_not_perfect != 0 && m->epoch_not_perfect != 1)
        return clg_errf(e, CLG_ERR_FORMAT, "epoch_not_perfect %ld is not 0 or 1", m->epoch_not_perfect);
    return CLG_OK;
}

/* The per-layer random keys: exactly nlayers hexadecimal numbers separated by commas. */
static int parse_keys(uint32_t *keys, const clg_st_file *f, const char *key, const clg_net *net)
{
    const char *v = clg_st_meta(f, key);
    if (!v) return -1;
    for (int i = 0; i < net->nlayers; i++) {
        size_t len = strspn(v, "0123456789abcdefABCDEF");
        if (len == 0 || len > 8) return -1;
        keys[i] = (uint32_t)strtoul(v, NULL, 16);
        v += len;
        if (i + 1 < net->nlayers ? *v != ',' : *v != 0) return -1;
        if (*v) v++;
    }
    return 0;
}

/* ---- tensors ---------------------------------------------------------------------------- */
/* Check one tensor (present, F32 of p's shape, finite; with bound > 0 every |value| within it, the
 * bound training keeps weights within; with nonneg no value below 0, as for second moments) and,
 * when dst is given, upload it. */
static int load_tensor(clg_ctx *ctx, clg_buf *dst, const clg_st_file *f, const char *name, const clg_param *p,
                       const char *path, float bound, int nonneg)
{
    const clg_st_tensor *t = clg_st_find(f, name);
    if (!t) return clg_fail(ctx, CLG_ERR_FORMAT, "%s: has no tensor %s (a checkpoint of another model?)", path, name);
    int same = strcmp(t->dtype, "F32") == 0 && t->ndim == p->ndim && t->nbytes == p->count * sizeof(float);
    for (int k = 0; same && k < p->ndim; k++) same = t->dims[k] == p->dims[k];
    if (!same) {
        char want[64] = "", got[64] = "";
        for (int k = 0; k < p->ndim; k++) snprintf(want + strlen(want), sizeof want - strlen(want), "%s%d", k ? "," : "", p->dims[k]);
        for (int k = 0; k < t->ndim; k++)
            snprintf(got + strlen(got), sizeof got - strlen(got), "%s%lld", k ? "," : "", (long long)t->dims[k]);
        return clg_fail(ctx, CLG_ERR_FORMAT, "%s: tensor %s is %s (%s) but the model needs F32 (%s)", path, name,
                        t->dtype, got, want);
    }
    float *tmp = malloc(p->count * sizeof *tmp + 1), worst;
    if (!tmp) return clg_fail(ctx, CLG_ERR_NOMEM, "out of host memory");
    memcpy(tmp, t->data, p->count * sizeof *tmp);
    int st = CLG_OK;
    if (clg_values_bad(&worst, tmp, p->count, 0.0f))
        st = clg_fail(ctx, CLG_ERR_FORMAT, "%s: tensor %s holds a non-finite value (%g); it cannot be used", path,
                      name, worst);
    for (size_t i = 0; st == CLG_OK && i < p->count; i++) {
        if (bound > 0 && fabsf(tmp[i]) > bound)
            st = clg_fail(ctx, CLG_ERR_FORMAT, "%s: tensor %s holds %g, beyond the bound %g that training keeps "
                          "weights within; it cannot be used", path, name, tmp[i], (double)bound);
        else if (nonneg && tmp[i] < 0.0f)
            st = clg_fail(ctx, CLG_ERR_FORMAT, "%s: tensor %s holds %g, but a second moment cannot be negative; it "
                          "cannot be used", path, name, tmp[i]);
    }
    if (st == CLG_OK && dst) st = clg_buf_write(ctx, dst, tmp, p->count, 1);
    free(tmp);
    return st;
}

/* The batch-norm step count of layer i, if the file has one; -1 when malformed. */
static int batches_tracked(long *out, const clg_st_file *f, const clg_net *net, int i)
{
    char name[160];
    snprintf(name, sizeof name, "%s.%d.num_batches_tracked", net->name, i);
    const clg_st_tensor *t = clg_st_find(f, name);
    if (!t) return 0;
    int64_t v;
    if (strcmp(t->dtype, "I64") || t->nbytes != 8) return -1;
    memcpy(&v, t->data, 8);
    if (v < 0 || v > LONG_MAX) return -1;
    *out = (long)v;
    return 0;
}

/* check: 1 = verify only, 0 = upload (after a verifying pass) */
static int load_net(clg_net *net, clg_ctx *ctx, const clg_st_file *f, const char *path, int check)
{
    char name[160];
    for (int i = 0; i < net->nlayers; i++) {
        clg_layer *l = &net->layers[i];
        for (int j = 0; j < l->nparams; j++) {
            snprintf(name, sizeof name, "%s.%d.%s", net->name, i, l->params[j].name);
            TRY(load_tensor(ctx, check ? NULL : &l->params[j].value, f, name, &l->params[j], path,
                            l->params[j].trainable ? CLG_WEIGHT_BOUND : 0.0f, 0));
        }
        long tracked = l->train_forwards;
        if (batches_tracked(&tracked, f, net, i))
            return clg_fail(ctx, CLG_ERR_FORMAT, "%s: %s.%d.num_batches_tracked is not one non-negative I64", path,
                            net->name, i);
        if (!check) l->train_forwards = tracked;
    }
    return CLG_OK;
}

int clg_checkpoint_load_net(clg_net *net, clg_ctx *ctx, const clg_st_file *f, const char *path)
{
    TRY(load_net(net, ctx, f, path, 1));
    return load_net(net, ctx, f, path, 0);
}

/* Arenas laid out as a network's parameters (optimizer moments, the weight average): the
 * tensor "<prefix><net_name>.I.<param><suffix>" of each trainable parameter into its place in
 * `arena`, checked as load_tensor does. */
static int load_arena(clg_net *net, clg_ctx *ctx, const clg_st_file *f, const char *path, int check,
                      const clg_buf *arena, const char *prefix, const char *net_name, const char *suffix, float bound,
                      int nonneg)
{
    char name[200];
    for (int i = 0; i < net->nlayers; i++) {
        clg_layer *l = &net->layers[i];
        for (int j = 0; j < l->nparams; j++) {
            clg_param *p = &l->params[j];
            if (!p->trainable) continue;
            clg_buf view = *arena;
            view.off = arena->off + (p->value.off - net->params.off);
            snprintf(name, sizeof name, "%s%s.%d.%s%s", prefix, net_name, i, p->name, suffix);
            TRY(load_tensor(ctx, check ? NULL : &view, f, name, p, path, bound, nonneg));
        }
    }
    return CLG_OK;
}

static int load_optimizer(clg_net *net, clg_ctx *ctx, const clg_st_file *f, const char *path, int check)
{
    TRY(load_arena(net, ctx, f, path, check, &net->opt_m, "optimizer.", net->name, ".m", 0.0f, 0));
    return load_arena(net, ctx, f, path, check, &net->opt_v, "optimizer.", net->name, ".v", 0.0f, 1);
}

/* The parts of two resolved configs that must agree to resume: every line but those of the keys
 * the config flags as run length. */
static void model_part(char *out, size_t n, const char *text)
{
    out[0] = 0;
    size_t len = 0;
    const char *line = text;
    while (*line) {
        const char *nl = strchr(line, '\n');
        size_t ll = nl ? (size_t)(nl - line) + 1 : strlen(line);
        char key[32];
        size_t kl = strcspn(line, " =\n");
        snprintf(key, sizeof key, "%.*s", (int)(kl < sizeof key ? kl : 0), line);
        if (!clg_config_key_is_run_length(key) && len + ll < n) {
            memcpy(out + len, line, ll);
            len += ll;
            out[len] = 0;
        }
        line += ll;
    }
}

/* CLG_OK when the checkpoint's config equals the trainer's but for the run length. */
static int same_config(clg_trainer *tr, const char *cfgtext, const char *path)
{
    size_t cap = strlen(cfgtext) + 1 + 65536;
    char *a = malloc(cap), *b = malloc(cap);
    if (!a || !b) {
        free(a), free(b);
        return clg_fail(tr->ctx, CLG_ERR_NOMEM, "out of host memory");
    }
    model_part(a, cap, cfgtext);
    model_part(b, cap, clg_config_text((struct clg_config *)tr->cfg));
    int st = CLG_OK;
    if (strcmp(a, b)) { /* name the first line that differs */
        const char *p = a, *q = b;
        while (*p && *p == *q) p++, q++;
        while (p > a && p[-1] != '\n') p--, q--;
        char la[200], lb[200];
        snprintf(la, sizeof la, "%.*s", (int)strcspn(p, "\n"), p);
        snprintf(lb, sizeof lb, "%.*s", (int)strcspn(q, "\n"), q);
        st = clg_fail(tr->ctx, CLG_ERR_CONFIG, "%s was saved from another config: it has \"%s\" where %s has \"%s\"",
                      path, la, tr->cfg->path, lb);
    }
    free(a), free(b);
    return st;
}

int clg_checkpoint_open(struct clg_st_file *f, const char **config, clg_ctx *ctx, const char *path)
{
    int st = clg_st_read(f, path, &ctx->err);
    if (st != CLG_OK) return st;
    const char *fmt = clg_st_meta(f, "format");
    *config = clg_st_meta(f, "config");
    if (!fmt || strcmp(fmt, CLG_CHECKPOINT_FORMAT) || !*config) {
        st = clg_fail(ctx, CLG_ERR_FORMAT, "%s: not a clgan checkpoint (format \"%s\", expected \"%s\")", path,
                      fmt ? fmt : "none", CLG_CHECKPOINT_FORMAT);
        clg_st_free(f);
    }
    return st;
}

int clg_checkpoint_load(clg_trainer *tr, const char *path)
{
    clg_ctx *ctx = tr->ctx;
    uint32_t gkeys[CLG_MAX_LAYERS], dkeys[CLG_MAX_LAYERS];
    clg_ckpt_meta m;
    clg_st_file f;
    const char *cfgtext;
    int st = clg_checkpoint_open(&f, &cfgtext, ctx, path);
    if (st != CLG_OK) return st;
    /* everything is checked before the trainer changes */
    if ((st = same_config(tr, cfgtext, path)) != CLG_OK) goto out;
    clg_ckpt_limits lim = {tr->data.n, tr->batch, tr->cfg->train.d_steps, tr->xshape.c, tr->xshape.h, tr->xshape.w};
    if ((st = clg_checkpoint_parse_meta(&m, &f, &ctx->err)) != CLG_OK ||
        (st = clg_checkpoint_check_meta(&m, &lim, &ctx->err)) != CLG_OK) {
        clg_err_prefix(&ctx->err, "%s", path);
        goto out;
    }
    if (parse_keys(gkeys, &f, "generator_keys", &tr->G) || parse_keys(dkeys, &f, "discriminator_keys", &tr->D)) {
        st = clg_fail(ctx, CLG_ERR_FORMAT, "%s: its metadata \"generator_keys\" or \"discriminator_keys\" is missing or "
                      "does not hold one hexadecimal key per layer", path);
        goto out;
    }
    /* the sample grids' noise key comes from the seed, which the config fixes: a checkpoint of this
     * config holds the same one */
    const char *fk = clg_st_meta(&f, "fixed_key");
    uint64_t fixed_key;
    if (!fk || hex(&fixed_key, fk)) {
        st = clg_fail(ctx, CLG_ERR_FORMAT, fk ? "%s: its metadata \"fixed_key\" = \"%.40s\" is not a 64-bit hexadecimal "
                      "random state" : "%s: its metadata has no \"fixed_key\"%s", path, fk ? fk : "");
        goto out;
    }
    if (fixed_key != tr->fixed_key) {
        st = clg_fail(ctx, CLG_ERR_FORMAT, "%s: its metadata \"fixed_key\" = \"%.40s\" is not the key of this config's "
                      "seed (%016" PRIx64 "): damaged", path, fk, (uint64_t)tr->fixed_key);
        goto out;
    }
    for (int check = 1; check >= 0 && st == CLG_OK; check--) {
        st = load_net(&tr->G, ctx, &f, path, check);
        if (st == CLG_OK) st = load_net(&tr->D, ctx, &f, path, check);
        if (st == CLG_OK) st = load_optimizer(&tr->G, ctx, &f, path, check);
        if (st == CLG_OK) st = load_optimizer(&tr->D, ctx, &f, path, check);
        if (st == CLG_OK && tr->ema.n)
            st = load_arena(&tr->G, ctx, &f, path, check, &tr->ema, "", CLG_EMA_NAME, "", CLG_WEIGHT_BOUND, 0);
    }
    if (st != CLG_OK) goto out;
    for (int i = 0; i < tr->G.nlayers; i++) tr->G.layers[i].key = gkeys[i];
    for (int i = 0; i < tr->D.nlayers; i++) tr->D.layers[i].key = dkeys[i];
    tr->step = m.step;
    tr->epoch = (int)m.epoch;
    tr->batch_in_epoch = m.batch_in_epoch;
    tr->G.t = m.generator_t;
    tr->D.t = m.discriminator_t;
    tr->epoch_not_perfect = (int)m.epoch_not_perfect;
    tr->rng_epoch.s = m.rng_epoch;
    tr->rng_shuffle.s = m.rng_shuffle;
    tr->rng_noise.s = m.rng_noise;
    tr->last_saved_step = m.step;
out:
    clg_st_free(&f);
    return st;
}
