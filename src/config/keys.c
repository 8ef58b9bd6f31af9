/* keys.c — the config's keys: one table of {section, key, type, default, names or range, help,
 * flags} that drives the defaults, the checks of every value (type, range, allowed names, with a
 * "did you mean" for a near miss), the help text and which keys a resume may change. A key with
 * a list of names (optimizer, noise, loss, range) is stored as its enum, so nothing compares
 * strings while training. Sections [generator] and [discriminator] share one key table and list
 * their layers as repeated `layer = TYPE key=value ...` lines (their options: options.c).
 */
#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/keys.h"

const char *const clg_optimizer_names[] = {"adam", "rmsprop", "sgd", NULL};
const char *const clg_noise_names[] = {"normal", "uniform", NULL};
const char *const clg_loss_names[] = {"bce", NULL};
const char *const clg_g_loss_names[] = {"non_saturating", "minimax", NULL};
const char *const clg_range_names[] = {"-1,1", "0,1", NULL};
/* an enum field is stored through an int */
_Static_assert(sizeof(clg_optimizer) == sizeof(int) && sizeof(clg_noise_kind) == sizeof(int) &&
                   sizeof(clg_loss) == sizeof(int) && sizeof(clg_g_loss) == sizeof(int) && sizeof(clg_range) == sizeof(int),
               "enums are ints");

#define C(f) offsetof(struct clg_config, f), sizeof(((struct clg_config *)0)->f)
#define N(f) offsetof(clg_net_cfg, f), sizeof(((clg_net_cfg *)0)->f)
#define S NULL, 0, 0, 0, 0, 0, 0, 0                          /* a string */
#define E(names) names, 0, 0, 0, 0, 0, 0, 0                  /* an enum (an int) */
#define I(lo, hi) NULL, lo, hi, 0, 0, 0, 0, 0                /* an integer in [lo, hi] */
#define RUN(lo, hi) NULL, lo, hi, 0, 0, 0, 0, K_RUN_LENGTH   /* the same, setting the run length */
#define F(lo, lo_open, hi, hi_open) NULL, 0, 0, lo, hi, lo_open, hi_open, 0 /* a float */
#define OPT_F(lo, hi) NULL, 0, 0, lo, hi, 0, 1, K_OPTIONAL                        /* a float in [lo, hi) */
#define OPT_RUN(lo, hi) NULL, lo, hi, 0, 0, 0, 0, K_RUN_LENGTH | K_OPTIONAL     /* reporting only */
#define OPT_STR NULL, 0, 0, 0, 0, 0, 0, K_RUN_LENGTH | K_OPTIONAL
const clg_key_def clg_config_keys[CLG_CONFIG_NKEYS] = {
    {"data", "path", T_STR, C(data.path), "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz", S,
     "IDX images file (.gz or raw: Fashion-MNIST, MNIST, Kuzushiji-MNIST) or a folder of images"},
    {"data", "range", T_ENUM, C(data.range), "-1,1", E(clg_range_names),
     "pixel range the images are scaled to: -1,1 for tanh generators, 0,1 for sigmoid ones"},
    {"data", "limit", T_INT, C(data.limit), "0", I(0, INT_MAX), "use only the first N images (0 = all)"},
    {"data", "size", T_INT, C(data.size), "64", I(1, 4096), "image folders: resize every image to size x size"},
    {"data", "channels", T_INT, C(data.channels), "3", I(1, 3), "image folders: 1 (grey) or 3 (RGB)"},
    {"data", "background", T_INT, C(data.background), "255", I(0, 255),
     "image folders: grey level (0-255) that transparent pixels are composited onto"},
    {"train", "batch", T_INT, C(train.batch), "128", I(1, 1 << 20), "batch size (the last partial batch of an epoch is dropped)"},
    {"train", "epochs", T_INT, C(train.epochs), "1", RUN(1, 1000000), "passes over the data"},
    {"train", "max_steps", T_LONG, C(train.max_steps), "0", RUN(0, LONG_MAX), "stop after this many steps (0 = no limit)"},
    {"train", "seed", T_LONG, C(train.seed), "1", I(0, LONG_MAX), "seed for initialisation, shuffling, noise and dropout"},
    {"train", "noise", T_ENUM, C(train.noise.kind), "normal", E(clg_noise_names), "latent distribution: N(0,1) or U(noise_min, noise_max)"},
    {"train", "noise_min", T_FLOAT, C(train.noise.min), "-1", F(-FLT_MAX, 0, FLT_MAX, 0), "uniform noise: lower end"},
    {"train", "noise_max", T_FLOAT, C(train.noise.max), "1", F(-FLT_MAX, 0, FLT_MAX, 0), "uniform noise: upper end"},
    {"train", "d_steps", T_INT, C(train.d_steps), "1", I(1, 1000),
     "discriminator steps (each on a new real batch and new noise) per generator step"},
    {"train", "loss", T_ENUM, C(train.loss), "bce", E(clg_loss_names), "GAN loss: binary cross-entropy"},
    {"train", "g_loss", T_ENUM, C(train.g_loss), "non_saturating", E(clg_g_loss_names),
     "generator objective: maximise log D(G(z)) (non_saturating) or minimise log(1 - D(G(z))) (minimax)"},
    {"train", "label_smoothing", T_FLOAT, C(train.label_smoothing), "0", F(0, 0, 1, 0),
     "Keras label smoothing: targets y*(1-s) + 0.5*s"},
    {"train", "log_every", T_INT, C(train.log_every), "50", RUN(1, 1000000),
     "read statistics back every N steps (progress and NaN check; metrics.csv has a row per step)"},
    {"train", "sample_every", T_INT, C(train.sample_every), "0", RUN(0, INT_MAX),
     "write a sample grid every N steps (0 = only at epoch ends)"},
    {"train", "checkpoint_every", T_INT, C(train.checkpoint_every), "0", RUN(0, INT_MAX),
     "also write a checkpoint every N steps (0 = at epoch ends and when the run stops)"},
    {"train", "keep_checkpoints", T_INT, C(train.keep_checkpoints), "3", RUN(1, 1000000),
     "how many step checkpoints to keep"},
    {"train", "grid", T_INT, C(train.grid), "64", I(1, 10000), "number of fixed-noise samples in each grid"},
    {"train", "ema", T_FLOAT, C(train.ema), "0", OPT_F(0, 1),
     "keep an exponential moving average of the generator's weights with this decay (e.g. 0.999; 0 = off), "
     "used for grids, sample and eval"},
    {"train", "tensorboard", T_INT, C(train.tensorboard), "0", OPT_RUN(0, 1),
     "1: write TensorBoard event files (losses, D outputs, accuracies, FD, grids) under <out>/tb/"},
    {"train", "eval_every", T_INT, C(train.eval_every), "0", OPT_RUN(0, 1000000),
     "score 2000 samples every N epochs into eval.csv and the report (0 = off; needs eval_classifier)"},
    {"train", "eval_classifier", T_STR, C(train.eval_classifier), "", OPT_STR,
     "classifier file (from clgan classify) that eval_every scores with"},
    {"train", "sync_bn", T_INT, C(train.sync_bn), "0", OPT_RUN(0, 1),
     "under mpirun: 1 = batch norms use the statistics of the whole batch over all ranks (as one process)"},
    {"net", "input", T_STR, N(input), "", S, "generator: latent shape, \"100\" or \"100,1,1\""},
    {"net", "optimizer", T_ENUM, N(opt.kind), "adam", E(clg_optimizer_names), "optimizer"},
    {"net", "lr", T_FLOAT, N(opt.lr), "0.0002", F(0, 1, FLT_MAX, 0), "learning rate"},
    {"net", "beta1", T_FLOAT, N(opt.beta1), "0.9", F(0, 0, 1, 1), "Adam beta1"},
    {"net", "beta2", T_FLOAT, N(opt.beta2), "0.999", F(0, 0, 1, 1), "Adam beta2"},
    {"net", "eps", T_FLOAT, N(opt.eps), "1e-8", F(0, 1, FLT_MAX, 0), "Adam/RMSprop epsilon (PyTorch 1e-8, Keras 1e-7)"},
    {"net", "rho", T_FLOAT, N(opt.rho), "0.9", F(0, 0, 1, 1), "RMSprop decay (Keras rho 0.9 = PyTorch alpha 0.9)"},
    {"net", "momentum", T_FLOAT, N(opt.momentum), "0", F(0, 0, FLT_MAX, 0), "SGD momentum"},
    {"net", "clip_value", T_FLOAT, N(opt.clip_value), "0", F(0, 0, FLT_MAX, 0), "clip each gradient to [-v, v] (0 = off)"},
    {"net", "clip_norm", T_FLOAT, N(opt.clip_norm), "0", F(0, 0, FLT_MAX, 0), "clip the global gradient norm (0 = off)"},
};
_Static_assert(sizeof clg_config_keys / sizeof clg_config_keys[0] == CLG_CONFIG_NKEYS, "the table is full");

static int edit_distance(const char *a, const char *b)
{
    int la = (int)strlen(a), lb = (int)strlen(b);
    if (la > 40 || lb > 40) return 99;
    int d[41][41];
    for (int i = 0; i <= la; i++) d[i][0] = i;
    for (int j = 0; j <= lb; j++) d[0][j] = j;
    for (int i = 1; i <= la; i++)
        for (int j = 1; j <= lb; j++) {
            int c = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < c) c = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < c) c = d[i][j - 1] + 1;
            d[i][j] = c;
        }
    return d[la][lb];
}

const char *clg_config_find_control(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7f) return s + i;
    return NULL;
}

/* Store `value` into the field of `k` at `base`; checks type, range and allowed values. */
static int store(const clg_key_def *k, void *base, const char *value, const char *where, const char *sect, clg_err *e)
{
    char *end;
    void *p = (char *)base + k->off;
    errno = 0;
    switch (k->type) {
    case T_INT:
    case T_LONG: {
        long v = strtol(value, &end, 10);
        if (end == value || *end)
            return clg_errf(e, CLG_ERR_CONFIG, "%s: [%s] %s = \"%s\": not an integer", where, sect, k->key, value);
        /* on overflow strtol gives LONG_MAX or LONG_MIN, beyond every limit below */
        if (v < k->ilo && k->ilo <= 1)
            return clg_errf(e, CLG_ERR_CONFIG, "%s: [%s] %s = %s: must be %s", where, sect, k->key, value,
                            k->ilo == 1 ? "> 0" : ">= 0");
        if (v < k->ilo || (errno == ERANGE && v < 0))
            return clg_errf(e, CLG_ERR_CONFIG, "%s: [%s] %s = %s: below the limit %ld", where, sect, k->key, value, k->ilo);
        if (v > k->ihi || errno == ERANGE)
            return clg_errf(e, CLG_ERR_CONFIG, "%s: [%s] %s = %s: above the limit %ld", where, sect, k->key, value, k->ihi);
        if (k->type == T_INT) *(int *)p = (int)v;
        else *(long *)p = v;
        break;
    }
    case T_FLOAT: {
        float v = strtof(value, &end);
        if (end == value || *end || isnan(v) || (isinf(v) && errno != ERANGE))
            return clg_errf(e, CLG_ERR_CONFIG, "%s: [%s] %s = \"%s\": not a finite number", where, sect, k->key, value);
        if (errno == ERANGE)
            return clg_errf(e, CLG_ERR_CONFIG,
                            "%s: [%s] %s = %s: out of range for a float (magnitudes from %.9g to %.9g, or 0)", where,
                            sect, k->key, value, FLT_MIN, FLT_MAX);
        if (v < k->flo || (k->flo_open && v == k->flo))
            return clg_errf(e, CLG_ERR_CONFIG, "%s: [%s] %s = %s: must be %s %g", where, sect, k->key, value,
                            k->flo_open ? ">" : ">=", k->flo);
        if (v > k->fhi || (k->fhi_open && v == k->fhi))
            return clg_errf(e, CLG_ERR_CONFIG, "%s: [%s] %s = %s: must be %s %g", where, sect, k->key, value,
                            k->fhi_open ? "<" : "<=", k->fhi);
        *(float *)p = v;
        break;
    }
    case T_ENUM: {
        int i = 0;
        while (k->names[i] && strcmp(k->names[i], value)) i++;
        if (!k->names[i]) {
            char list[128] = "";
            for (int j = 0; k->names[j]; j++)
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", j ? "|" : "", k->names[j]);
            return clg_errf(e, CLG_ERR_CONFIG, "%s: [%s] %s = \"%s\": must be one of %s", where, sect, k->key, value,
                            list);
        }
        *(int *)p = i;
        break;
    }
    default:
        strcpy((char *)p, value);
    }
    return CLG_OK;
}

/* `input`: "C" or "C,H,W", each a whole integer from 1 to 1e9 (the layers' limit), so the shape
 * parser downstream never sees a number that overflows an int. */
static int check_shape(const char *value, const char *where, const char *sect, clg_err *e)
{
    const char *p = value;
    int n = 0;
    for (;;) {
        char *end;
        errno = 0;
        long v = strtol(p, &end, 10);
        if (end == p || (*end && *end != ',') || ++n > 3) break;
        if (errno == ERANGE || v > 1000000000L || v < 1)
            return clg_errf(e, CLG_ERR_CONFIG, "%s: [%s] input = %s: %.*s is outside 1 to 1000000000", where, sect, value,
                            (int)(end - p), p);
        if (!*end) {
            if (n == 2) break;
            return CLG_OK;
        }
        p = end + 1;
    }
    return clg_errf(e, CLG_ERR_CONFIG, "%s: [%s] input = \"%s\": expected C or C,H,W (e.g. 100 or 100,1,1)", where, sect,
                    value);
}

int clg_config_apply(struct clg_config *c, const char *section, const char *key, const char *value, const char *where,
                     clg_err *e)
{
    int is_net = !strcmp(section, "generator") || !strcmp(section, "discriminator");
    if (!is_net && strcmp(section, "data") && strcmp(section, "train"))
        return clg_errf(e, CLG_ERR_CONFIG, "%s: unknown section [%s] (known: data, train, generator, discriminator)", where,
                        section);
    const char *bad = clg_config_find_control(value, strlen(value));
    if (bad) /* it would break the line when the config is written out */
        return clg_errf(e, CLG_ERR_CONFIG, "%s: [%s] %s: the value contains a control character (byte 0x%02x)", where,
                        section, key, (unsigned char)*bad);
    clg_net_cfg *net = !strcmp(section, "generator") ? &c->gen : &c->disc;
    if (is_net && !strcmp(key, "layer")) {
        if (!strncmp(where, "--set", 5))
            return clg_errf(e, CLG_ERR_CONFIG, "--set %s.layer: layers can only be changed in the config file", section);
        if (net->nlayers == CLG_MAX_LAYERS)
            return clg_errf(e, CLG_ERR_CONFIG, "%s: [%s] has more than %d layers", where, section, CLG_MAX_LAYERS);
        clg_layer_spec *l = &net->layers[net->nlayers];
        if (strlen(value) >= sizeof l->text)
            return clg_errf(e, CLG_ERR_CONFIG, "%s: [%s] layer line is too long: %zu characters, the limit is %zu", where,
                            section, strlen(value), sizeof l->text - 1);
        net->nlayers++;
        snprintf(l->text, sizeof l->text, "%s", value);
        snprintf(l->where, sizeof l->where, "%s", where);
        return CLG_OK;
    }
    const char *best = NULL;
    int bestd = 99;
    for (size_t i = 0; i < CLG_CONFIG_NKEYS; i++) {
        const clg_key_def *k = &clg_config_keys[i];
        if (strcmp(k->section, is_net ? "net" : section)) continue;
        if (!strcmp(k->key, key)) {
            if (is_net && !strcmp(key, "input") && *value) {
                int st = check_shape(value, where, section, e);
                if (st != CLG_OK) return st;
            }
            int st = store(k, is_net ? (void *)net : (void *)c, value, where, section, e);
            if (st == CLG_OK && is_net && !strcmp(key, "input"))
                snprintf(net->input_where, sizeof net->input_where, "%s", where);
            return st;
        }
        int d = edit_distance(k->key, key);
        if (d < bestd) {
            bestd = d;
            best = k->key;
        }
    }
    if (is_net && edit_distance("layer", key) < bestd) {
        bestd = edit_distance("layer", key);
        best = "layer";
    }
    if (best && bestd <= 2)
        return clg_errf(e, CLG_ERR_CONFIG, "%s: unknown key '%s' in [%s] (did you mean '%s'?)", where, key, section, best);
    return clg_errf(e, CLG_ERR_CONFIG, "%s: unknown key '%s' in [%s]; `clgan train --help` lists the keys", where, key,
                    section);
}

int clg_config_defaults(struct clg_config *c, clg_err *e)
{
    for (size_t i = 0; i < CLG_CONFIG_NKEYS; i++) {
        const clg_key_def *k = &clg_config_keys[i];
        if (!strcmp(k->section, "net")) {
            int st = store(k, &c->gen, k->def, "default", "generator", e);
            if (st == CLG_OK) st = store(k, &c->disc, k->def, "default", "discriminator", e);
            if (st != CLG_OK) return st;
        } else {
            int st = store(k, c, k->def, "default", k->section, e);
            if (st != CLG_OK) return st;
        }
    }
    return CLG_OK;
}

int clg_config_key_is_run_length(const char *key)
{
    for (size_t i = 0; i < CLG_CONFIG_NKEYS; i++) {
        const clg_key_def *k = &clg_config_keys[i];
        if (!strcmp(k->section, "train") && !strcmp(k->key, key)) return (k->flags & K_RUN_LENGTH) != 0;
    }
    return 0;
}

void clg_config_print_keys(FILE *out)
{
    const char *last = "";
    for (size_t i = 0; i < CLG_CONFIG_NKEYS; i++) {
        const clg_key_def *k = &clg_config_keys[i];
        if (strcmp(last, k->section)) {
            fprintf(out, "  [%s]\n", strcmp(k->section, "net") ? k->section : "generator] and [discriminator");
            last = k->section;
        }
        fprintf(out, "    %-16s %s (default: %s)\n", k->key, k->help, *k->def ? k->def : "none");
    }
    fprintf(out, "    %-16s one layer per line, in order: TYPE key=value ... (see README)\n", "layer");
    fprintf(out, "  Values may be written in double quotes (escapes \\\" and \\\\) to keep spaces at either end\n"
                 "  or a ';' that would start a comment.\n");
}
