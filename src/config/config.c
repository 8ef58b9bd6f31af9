/* config.c — reading configurations: an INI file parsed by libinih, then `--set` overrides.
 *
 * Keys are read through a table of {section, key, type, default, allowed values, help}; an
 * unknown section or key, or a bad value, is an error naming file:line (or "--set"). Sections
 * [generator] and [discriminator] share one key table and list their layers as repeated
 * `layer = TYPE key=value ...` lines, one per nn.Sequential module.
 */
#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"

enum { T_INT, T_LONG, T_FLOAT, T_STR };

typedef struct key_def {
    const char *section; /* "data", "train", or "net" for generator/discriminator */
    const char *key;
    int type;
    size_t off;          /* in clg_config, or in clg_net_cfg for "net" */
    size_t size;         /* for strings */
    const char *def;
    const char *allowed; /* "a|b|c" for strings, NULL = any; for numbers "min" bound via >0 flag */
    int positive;        /* numbers: 1 = must be > 0, 2 = must be >= 0 */
    const char *help;
} key_def;

#define C(f) offsetof(struct clg_config, f), sizeof(((struct clg_config *)0)->f)
#define N(f) offsetof(clg_net_cfg, f), sizeof(((clg_net_cfg *)0)->f)
static const key_def keys[] = {
    {"data", "path", T_STR, C(data_path), "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz", NULL, 0,
     "IDX images file (.gz or raw: Fashion-MNIST, MNIST, Kuzushiji-MNIST) or a folder of images"},
    {"data", "range", T_STR, C(data_range), "-1,1", "-1,1|0,1", 0,
     "pixel range the images are scaled to: -1,1 for tanh generators, 0,1 for sigmoid ones"},
    {"data", "limit", T_INT, C(data_limit), "0", NULL, 2, "use only the first N images (0 = all)"},
    {"data", "size", T_INT, C(data_size), "64", NULL, 1, "image folders: resize every image to size x size"},
    {"data", "channels", T_INT, C(data_channels), "3", NULL, 1, "image folders: 1 (grey) or 3 (RGB)"},
    {"data", "background", T_INT, C(data_background), "255", NULL, 2,
     "image folders: grey level (0-255) that transparent pixels are composited onto"},
    {"train", "batch", T_INT, C(batch), "128", NULL, 1, "batch size (the last partial batch of an epoch is dropped)"},
    {"train", "epochs", T_INT, C(epochs), "1", NULL, 1, "passes over the data"},
    {"train", "max_steps", T_LONG, C(max_steps), "0", NULL, 2, "stop after this many steps (0 = no limit)"},
    {"train", "seed", T_LONG, C(seed), "1", NULL, 2, "seed for initialisation, shuffling, noise and dropout"},
    {"train", "noise", T_STR, C(noise), "normal", "normal|uniform", 0, "latent distribution: N(0,1) or U(noise_min, noise_max)"},
    {"train", "noise_min", T_FLOAT, C(noise_min), "-1", NULL, 0, "uniform noise: lower end"},
    {"train", "noise_max", T_FLOAT, C(noise_max), "1", NULL, 0, "uniform noise: upper end"},
    {"train", "d_steps", T_INT, C(d_steps), "1", NULL, 1,
     "discriminator steps (each on a new real batch and new noise) per generator step"},
    {"train", "loss", T_STR, C(loss), "bce", "bce", 0, "GAN loss: binary cross-entropy"},
    {"train", "g_loss", T_STR, C(g_loss), "non_saturating", "non_saturating|minimax", 0,
     "generator objective: maximise log D(G(z)) (non_saturating) or minimise log(1 - D(G(z))) (minimax)"},
    {"train", "label_smoothing", T_FLOAT, C(label_smoothing), "0", NULL, 2,
     "Keras label smoothing: targets y*(1-s) + 0.5*s"},
    {"train", "log_every", T_INT, C(log_every), "50", NULL, 1, "read statistics back (and write metrics.csv rows) every N steps"},
    {"train", "sample_every", T_INT, C(sample_every), "0", NULL, 2, "write a sample grid every N steps (0 = only at epoch ends)"},
    {"train", "checkpoint_every", T_INT, C(checkpoint_every), "0", NULL, 2,
     "also write a checkpoint every N steps (0 = at epoch ends and when the run stops)"},
    {"train", "keep_checkpoints", T_INT, C(keep_checkpoints), "3", NULL, 1, "how many step checkpoints to keep"},
    {"train", "grid", T_INT, C(grid), "64", NULL, 1, "number of fixed-noise samples in each grid"},
    {"net", "input", T_STR, N(input), "", NULL, 0, "generator: latent shape, \"100\" or \"100,1,1\""},
    {"net", "optimizer", T_STR, N(optimizer), "adam", "adam|rmsprop|sgd", 0, "optimizer"},
    {"net", "lr", T_FLOAT, N(lr), "0.0002", NULL, 1, "learning rate"},
    {"net", "beta1", T_FLOAT, N(beta1), "0.9", NULL, 2, "Adam beta1"},
    {"net", "beta2", T_FLOAT, N(beta2), "0.999", NULL, 2, "Adam beta2"},
    {"net", "eps", T_FLOAT, N(eps), "1e-8", NULL, 1, "Adam/RMSprop epsilon (PyTorch 1e-8, Keras 1e-7)"},
    {"net", "rho", T_FLOAT, N(rho), "0.9", NULL, 2, "RMSprop decay (Keras rho 0.9 = PyTorch alpha 0.9)"},
    {"net", "momentum", T_FLOAT, N(momentum), "0", NULL, 2, "SGD momentum"},
    {"net", "clip_value", T_FLOAT, N(clip_value), "0", NULL, 2, "clip each gradient to [-v, v] (0 = off)"},
    {"net", "clip_norm", T_FLOAT, N(clip_norm), "0", NULL, 2, "clip the global gradient norm (0 = off)"},
};
#define NKEYS (sizeof keys / sizeof keys[0])

static int fmt_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fmt_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return CLG_ERR_CONFIG;
}

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

/* Store `value` into the field of `k` at `base`; checks type, range and allowed values. */
static int store(const key_def *k, void *base, const char *value, const char *where, const char *sect, char *err,
                 size_t errlen)
{
    char *end;
    void *p = (char *)base + k->off;
    errno = 0;
    switch (k->type) {
    case T_INT:
    case T_LONG: {
        long v = strtol(value, &end, 10);
        if (end == value || *end || errno || (k->type == T_INT && (v > 2147483647L || v < -2147483647L)))
            return fmt_err(err, errlen, "%s: [%s] %s = \"%s\": not an integer", where, sect, k->key, value);
        if ((k->positive == 1 && v <= 0) || (k->positive == 2 && v < 0))
            return fmt_err(err, errlen, "%s: [%s] %s = %ld: must be %s", where, sect, k->key, v,
                           k->positive == 1 ? "> 0" : ">= 0");
        if (k->type == T_INT) *(int *)p = (int)v;
        else *(long *)p = v;
        break;
    }
    case T_FLOAT: {
        float v = strtof(value, &end);
        if (end == value || *end || !isfinite(v))
            return fmt_err(err, errlen, "%s: [%s] %s = \"%s\": not a number", where, sect, k->key, value);
        if ((k->positive == 1 && v <= 0) || (k->positive == 2 && v < 0))
            return fmt_err(err, errlen, "%s: [%s] %s = %g: must be %s", where, sect, k->key, v,
                           k->positive == 1 ? "> 0" : ">= 0");
        *(float *)p = v;
        break;
    }
    default:
        if (k->allowed) {
            const char *a = k->allowed;
            size_t n = strlen(value);
            int ok = 0;
            while (*a) {
                const char *bar = strchr(a, '|');
                size_t len = bar ? (size_t)(bar - a) : strlen(a);
                if (len == n && !strncmp(a, value, n)) ok = 1;
                a += len + (bar ? 1 : 0);
            }
            if (!ok)
                return fmt_err(err, errlen, "%s: [%s] %s = \"%s\": must be one of %s", where, sect, k->key, value,
                               k->allowed);
        }
        if (strlen(value) >= k->size)
            return fmt_err(err, errlen, "%s: [%s] %s: value is too long", where, sect, k->key);
        strcpy((char *)p, value);
    }
    return CLG_OK;
}

static void append_text(struct clg_config *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void append_text(struct clg_config *c, const char *fmt, ...)
{
    char line[1400];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n >= sizeof line) n = sizeof line - 1;
    if (c->text_len + (size_t)n + 1 > c->text_cap) {
        size_t cap = (c->text_cap + (size_t)n + 1) * 2;
        char *t = realloc(c->text, cap);
        if (!t) return;
        c->text = t;
        c->text_cap = cap;
    }
    memcpy(c->text + c->text_len, line, (size_t)n + 1);
    c->text_len += (size_t)n;
}

/* Apply one section/key/value; `where` is "file:line" or "--set". */
static int apply(struct clg_config *c, const char *section, const char *key, const char *value, const char *where,
                 char *err, size_t errlen)
{
    int is_net = !strcmp(section, "generator") || !strcmp(section, "discriminator");
    if (!is_net && strcmp(section, "data") && strcmp(section, "train"))
        return fmt_err(err, errlen, "%s: unknown section [%s] (known: data, train, generator, discriminator)", where,
                       section);
    clg_net_cfg *net = !strcmp(section, "generator") ? &c->gen : &c->disc;
    if (is_net && !strcmp(key, "layer")) {
        if (!strncmp(where, "--set", 5))
            return fmt_err(err, errlen, "--set %s.layer: layers can only be changed in the config file", section);
        if (net->nlayers == CLG_MAX_LAYERS)
            return fmt_err(err, errlen, "%s: [%s] has more than %d layers", where, section, CLG_MAX_LAYERS);
        clg_layer_spec *l = &net->layers[net->nlayers++];
        snprintf(l->text, sizeof l->text, "%s", value);
        snprintf(l->where, sizeof l->where, "%s", where);
        return CLG_OK;
    }
    const char *best = NULL;
    int bestd = 99;
    for (size_t i = 0; i < NKEYS; i++) {
        const key_def *k = &keys[i];
        if (strcmp(k->section, is_net ? "net" : section)) continue;
        if (!strcmp(k->key, key)) {
            int st = store(k, is_net ? (void *)net : (void *)c, value, where, section, err, errlen);
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
        return fmt_err(err, errlen, "%s: unknown key '%s' in [%s] (did you mean '%s'?)", where, key, section, best);
    return fmt_err(err, errlen, "%s: unknown key '%s' in [%s]; `clgan train --help` lists the keys", where, key,
                   section);
}

typedef struct parse_state {
    struct clg_config *c;
    FILE *f;
    int line;
    char *err;
    size_t errlen;
    int status;
} parse_state;

/* inih reads lines through this, so the handler knows the current line number. */
static char *reader(char *str, int num, void *stream)
{
    parse_state *ps = stream;
    char *r = fgets(str, num, ps->f);
    if (r) ps->line++;
    return r;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
    parse_state *ps = user;
    if (ps->status != CLG_OK) return 0;
    char where[CLG_WHERE];
    snprintf(where, sizeof where, "%.280s:%d", ps->c->path, ps->line);
    if (!name) { /* new section (INI_CALL_HANDLER_ON_NEW_SECTION builds) */
        return 1;
    }
    ps->status = apply(ps->c, section, name, value, where, ps->err, ps->errlen);
    if (ps->status == CLG_OK && (!strcmp(section, "generator") || !strcmp(section, "discriminator"))) {
        clg_net_cfg *net = !strcmp(section, "generator") ? &ps->c->gen : &ps->c->disc;
        if (!net->where[0]) snprintf(net->where, sizeof net->where, "%s", where);
    }
    return ps->status == CLG_OK;
}

static int set_defaults(struct clg_config *c, char *err, size_t errlen)
{
    for (size_t i = 0; i < NKEYS; i++) {
        const key_def *k = &keys[i];
        if (!strcmp(k->section, "net")) {
            int st = store(k, &c->gen, k->def, "default", "generator", err, errlen);
            if (st == CLG_OK) st = store(k, &c->disc, k->def, "default", "discriminator", err, errlen);
            if (st != CLG_OK) return st;
        } else {
            int st = store(k, c, k->def, "default", k->section, err, errlen);
            if (st != CLG_OK) return st;
        }
    }
    return CLG_OK;
}

/* Parse from an open stream; `path` names it in messages. */
static int load_stream(clg_config **out, FILE *f, const char *path, char *err, size_t errlen);

int clg_config_load(clg_config **out, const char *path, char *err, size_t errlen)
{
    *out = NULL;
    FILE *f = fopen(path, "r");
    if (!f) {
        fmt_err(err, errlen, "%s: cannot open config: %s", path, strerror(errno));
        return CLG_ERR_IO;
    }
    int st = load_stream(out, f, path, err, errlen);
    fclose(f);
    return st;
}

int clg_config_load_text(clg_config **out, const char *text, const char *name, char *err, size_t errlen)
{
    *out = NULL;
    FILE *f = fmemopen((void *)text, strlen(text), "r");
    if (!f) return fmt_err(err, errlen, "%s: cannot read the config text", name), CLG_ERR_NOMEM;
    int st = load_stream(out, f, name, err, errlen);
    fclose(f);
    return st;
}

static int load_stream(clg_config **out, FILE *f, const char *path, char *err, size_t errlen)
{
    *out = NULL;
    struct clg_config *c = calloc(1, sizeof *c);
    if (!c) return fmt_err(err, errlen, "out of memory"), CLG_ERR_NOMEM;
    snprintf(c->path, sizeof c->path, "%s", path);
    int st = set_defaults(c, err, errlen);
    if (st != CLG_OK) {
        free(c);
        return st;
    }
    parse_state ps = {c, f, 0, err, errlen, CLG_OK};
    int r = ini_parse_stream(reader, &ps, handler, &ps);
    if (ps.status == CLG_OK && r != 0)
        ps.status = fmt_err(err, errlen, "%s:%d: not a valid INI line (expected [section] or key = value)", path,
                            r > 0 ? r : ps.line);
    if (ps.status == CLG_OK && c->disc.nlayers == 0)
        ps.status = fmt_err(err, errlen, "%s: [discriminator] has no `layer = ...` lines", path);
    if (ps.status == CLG_OK && c->gen.nlayers == 0)
        ps.status = fmt_err(err, errlen, "%s: [generator] has no `layer = ...` lines", path);
    if (ps.status == CLG_OK && !c->gen.input[0])
        ps.status = fmt_err(err, errlen, "%s: [generator] needs `input = ` (the latent shape, e.g. 100)", path);
    if (ps.status != CLG_OK) {
        clg_config_free(c);
        return ps.status;
    }
    *out = c;
    return CLG_OK;
}

int clg_config_set(clg_config *c, const char *assignment, char *err, size_t errlen)
{
    const char *eq = strchr(assignment, '=');
    const char *dot = strchr(assignment, '.');
    if (!eq || !dot || dot > eq)
        return fmt_err(err, errlen, "--set %s: expected section.key=value (e.g. train.epochs=1)", assignment);
    char section[64], key[64];
    size_t ls = (size_t)(dot - assignment), lk = (size_t)(eq - dot - 1);
    if (ls >= sizeof section || lk >= sizeof key)
        return fmt_err(err, errlen, "--set %s: name too long", assignment);
    memcpy(section, assignment, ls);
    section[ls] = 0;
    memcpy(key, dot + 1, lk);
    key[lk] = 0;
    char where[CLG_WHERE];
    snprintf(where, sizeof where, "--set %.300s", assignment);
    return apply(c, section, key, eq + 1, where, err, errlen);
}

static void text_section(struct clg_config *c, const char *section, const void *base, const char *table_sect)
{
    append_text(c, "[%s]\n", section);
    for (size_t i = 0; i < NKEYS; i++) {
        const key_def *k = &keys[i];
        if (strcmp(k->section, table_sect)) continue;
        const void *p = (const char *)base + k->off;
        switch (k->type) {
        case T_INT: append_text(c, "%s = %d\n", k->key, *(const int *)p); break;
        case T_LONG: append_text(c, "%s = %ld\n", k->key, *(const long *)p); break;
        case T_FLOAT: append_text(c, "%s = %.9g\n", k->key, *(const float *)p); break;
        default:
            if (*(const char *)p) append_text(c, "%s = %s\n", k->key, (const char *)p);
        }
    }
}

/* The resolved configuration as INI text (every key, defaults included). */
const char *clg_config_text(clg_config *c)
{
    c->text_len = 0;
    if (c->text) c->text[0] = 0;
    text_section(c, "data", c, "data");
    text_section(c, "train", c, "train");
    const clg_net_cfg *nets[2] = {&c->gen, &c->disc};
    const char *names[2] = {"generator", "discriminator"};
    for (int n = 0; n < 2; n++) {
        text_section(c, names[n], nets[n], "net");
        for (int i = 0; i < nets[n]->nlayers; i++) append_text(c, "layer = %s\n", nets[n]->layers[i].text);
    }
    return c->text ? c->text : "";
}

void clg_config_free(clg_config *c)
{
    if (!c) return;
    free(c->text);
    free(c);
}

void clg_config_print_keys(FILE *out)
{
    const char *last = "";
    for (size_t i = 0; i < NKEYS; i++) {
        const key_def *k = &keys[i];
        if (strcmp(last, k->section)) {
            fprintf(out, "  [%s]\n", strcmp(k->section, "net") ? k->section : "generator] and [discriminator");
            last = k->section;
        }
        fprintf(out, "    %-16s %s (default: %s)\n", k->key, k->help, *k->def ? k->def : "none");
    }
    fprintf(out, "    %-16s one layer per line, in order: TYPE key=value ... (see README)\n", "layer");
}

/* ---- layer option lines -------------------------------------------------------------------- */
int clg_opts_parse(clg_opts *o, const char *text, const char *where, char *err, size_t errlen)
{
    memset(o, 0, sizeof *o);
    o->where = where;
    const char *p = text;
    while (*p == ' ' || *p == '\t') p++;
    size_t n = strcspn(p, " \t");
    if (n == 0 || n >= sizeof o->type) return fmt_err(err, errlen, "%s: empty or bad layer type", where);
    memcpy(o->type, p, n);
    p += n;
    for (;;) {
        while (*p == ' ' || *p == '\t') p++;
        if (!*p) break;
        n = strcspn(p, " \t");
        const char *eq = memchr(p, '=', n);
        if (!eq || eq == p)
            return fmt_err(err, errlen, "%s: layer %s: \"%.*s\" is not key=value", where, o->type, (int)n, p);
        if (o->n == CLG_MAX_OPTS) return fmt_err(err, errlen, "%s: layer %s: too many options", where, o->type);
        size_t lk = (size_t)(eq - p), lv = n - lk - 1;
        if (lk >= sizeof o->key[0] || lv >= sizeof o->val[0] || lv == 0)
            return fmt_err(err, errlen, "%s: layer %s: bad option \"%.*s\"", where, o->type, (int)n, p);
        for (int i = 0; i < o->n; i++)
            if (strlen(o->key[i]) == lk && !strncmp(o->key[i], p, lk))
                return fmt_err(err, errlen, "%s: layer %s: option %.*s given twice", where, o->type, (int)lk, p);
        memcpy(o->key[o->n], p, lk);
        memcpy(o->val[o->n], eq + 1, lv);
        o->n++;
        p += n;
    }
    return CLG_OK;
}

static int find_opt(clg_opts *o, const char *key)
{
    for (int i = 0; i < o->n; i++)
        if (!strcmp(o->key[i], key)) {
            o->used[i] = 1;
            return i;
        }
    return -1;
}

int clg_opt_int(clg_opts *o, const char *key, int def, int required, int *out, char *err, size_t errlen)
{
    int i = find_opt(o, key);
    if (i < 0) {
        if (required) return fmt_err(err, errlen, "%s: layer %s needs %s=...", o->where, o->type, key);
        *out = def;
        return CLG_OK;
    }
    char *end;
    errno = 0;
    long v = strtol(o->val[i], &end, 10);
    if (*end || errno || v < -1000000000L || v > 1000000000L)
        return fmt_err(err, errlen, "%s: layer %s: %s=%s is not an integer", o->where, o->type, key, o->val[i]);
    *out = (int)v;
    return CLG_OK;
}

int clg_opt_float(clg_opts *o, const char *key, float def, int *present, float *out, char *err, size_t errlen)
{
    int i = find_opt(o, key);
    if (present) *present = i >= 0;
    if (i < 0) {
        *out = def;
        return CLG_OK;
    }
    char *end;
    float v = strtof(o->val[i], &end);
    if (*end || !isfinite(v))
        return fmt_err(err, errlen, "%s: layer %s: %s=%s is not a number", o->where, o->type, key, o->val[i]);
    *out = v;
    return CLG_OK;
}

int clg_opt_str(clg_opts *o, const char *key, const char *def, const char **out)
{
    int i = find_opt(o, key);
    *out = i < 0 ? def : o->val[i];
    return CLG_OK;
}

int clg_opts_check_unused(const clg_opts *o, const char *known, char *err, size_t errlen)
{
    for (int i = 0; i < o->n; i++)
        if (!o->used[i])
            return fmt_err(err, errlen, "%s: layer %s has no option '%s' (options: %s)", o->where, o->type, o->key[i],
                           *known ? known : "none");
    return CLG_OK;
}
