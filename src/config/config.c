/* config.c — reading configurations: INI text (a file or a buffer), then `--set` overrides, and
 * writing the resolved configuration back as INI text that parses to the same values.
 *
 * Keys are read through a table of {section, key, type, default, names or range, help, flags};
 * an unknown section or key, or a bad value, is an error naming file:line (or "--set"). A key
 * with a list of names (optimizer, noise, loss, range) is stored as its enum, so nothing
 * compares strings while training; keys flagged K_RUN_LENGTH are those a resume may change. Sections
 * [generator] and [discriminator] share one key table and list their layers as repeated
 * `layer = TYPE key=value ...` lines, one per nn.Sequential module (their options: options.c).
 *
 * The INI syntax is libinih's (`;` or `#` starts a comment line, ` ;` an inline comment, values
 * are trimmed) without its line-length limit: libinih as Debian builds it cuts lines at 199
 * bytes and reads the rest as a new line, which let the tail of a long comment set a key and
 * made long `--set data.path=` values unreadable once written out. Lines are read whole here, and
 * a value may be written in double quotes (escapes \" and \\) to keep leading or trailing spaces
 * or a " ;"; the writer quotes every value that needs it, so its output always reads back.
 */
#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"

enum { T_INT, T_LONG, T_FLOAT, T_STR, T_ENUM };
enum { K_RUN_LENGTH = 1 }; /* key_def.flags: a resume may change the key */

typedef struct key_def {
    const char *section; /* "data", "train", or "net" for generator/discriminator */
    const char *key;
    int type;
    size_t off;          /* in clg_config, or in clg_net_cfg for "net" */
    size_t size;         /* for strings */
    const char *def;
    const char *const *names; /* an enum's names (its values in order), NULL-terminated */
    long ilo, ihi;       /* integers: allowed range */
    double flo, fhi;     /* floats: allowed range, ends open per the flags */
    int flo_open, fhi_open;
    int flags;           /* K_RUN_LENGTH */
    const char *help;
} key_def;

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
static const key_def keys[] = {
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
#define NKEYS (sizeof keys / sizeof keys[0])

/* A config (file or buffer) larger than this is refused rather than read. */
#define MAX_CONFIG_BYTES (16u << 20)

int clg_config_fail(char *err, size_t errlen, const char *fmt, ...)
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

/* The first byte that cannot stand in a one-line value (a control character other than tab),
 * or NULL. */
static const char *find_control(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7f) return s + i;
    return NULL;
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
        if (end == value || *end)
            return clg_config_fail(err, errlen, "%s: [%s] %s = \"%s\": not an integer", where, sect, k->key, value);
        /* on overflow strtol gives LONG_MAX or LONG_MIN, beyond every limit below */
        if (v < k->ilo && k->ilo <= 1)
            return clg_config_fail(err, errlen, "%s: [%s] %s = %s: must be %s", where, sect, k->key, value,
                           k->ilo == 1 ? "> 0" : ">= 0");
        if (v < k->ilo || (errno == ERANGE && v < 0))
            return clg_config_fail(err, errlen, "%s: [%s] %s = %s: below the limit %ld", where, sect, k->key, value, k->ilo);
        if (v > k->ihi || errno == ERANGE)
            return clg_config_fail(err, errlen, "%s: [%s] %s = %s: above the limit %ld", where, sect, k->key, value, k->ihi);
        if (k->type == T_INT) *(int *)p = (int)v;
        else *(long *)p = v;
        break;
    }
    case T_FLOAT: {
        float v = strtof(value, &end);
        if (end == value || *end || isnan(v) || (isinf(v) && errno != ERANGE))
            return clg_config_fail(err, errlen, "%s: [%s] %s = \"%s\": not a finite number", where, sect, k->key, value);
        if (errno == ERANGE)
            return clg_config_fail(err, errlen, "%s: [%s] %s = %s: out of range for a float (magnitudes from %.9g to %.9g, or 0)",
                           where, sect, k->key, value, FLT_MIN, FLT_MAX);
        if (v < k->flo || (k->flo_open && v == k->flo))
            return clg_config_fail(err, errlen, "%s: [%s] %s = %s: must be %s %g", where, sect, k->key, value,
                           k->flo_open ? ">" : ">=", k->flo);
        if (v > k->fhi || (k->fhi_open && v == k->fhi))
            return clg_config_fail(err, errlen, "%s: [%s] %s = %s: must be %s %g", where, sect, k->key, value,
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
            return clg_config_fail(err, errlen, "%s: [%s] %s = \"%s\": must be one of %s", where, sect, k->key, value,
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
static int check_shape(const char *value, const char *where, const char *sect, char *err, size_t errlen)
{
    const char *p = value;
    int n = 0;
    for (;;) {
        char *end;
        errno = 0;
        long v = strtol(p, &end, 10);
        if (end == p || (*end && *end != ',') || ++n > 3) break;
        if (errno == ERANGE || v > 1000000000L || v < 1)
            return clg_config_fail(err, errlen, "%s: [%s] input = %s: %.*s is outside 1 to 1000000000", where, sect, value,
                           (int)(end - p), p);
        if (!*end) {
            if (n == 2) break;
            return CLG_OK;
        }
        p = end + 1;
    }
    return clg_config_fail(err, errlen, "%s: [%s] input = \"%s\": expected C or C,H,W (e.g. 100 or 100,1,1)", where, sect,
                   value);
}

/* Apply one section/key/value; `where` is "file:line" or "--set ...". */
static int apply(struct clg_config *c, const char *section, const char *key, const char *value, const char *where,
                 char *err, size_t errlen)
{
    int is_net = !strcmp(section, "generator") || !strcmp(section, "discriminator");
    if (!is_net && strcmp(section, "data") && strcmp(section, "train"))
        return clg_config_fail(err, errlen, "%s: unknown section [%s] (known: data, train, generator, discriminator)", where,
                       section);
    const char *bad = find_control(value, strlen(value));
    if (bad) /* it would break the line when the config is written out */
        return clg_config_fail(err, errlen, "%s: [%s] %s: the value contains a control character (byte 0x%02x)", where,
                       section, key, (unsigned char)*bad);
    clg_net_cfg *net = !strcmp(section, "generator") ? &c->gen : &c->disc;
    if (is_net && !strcmp(key, "layer")) {
        if (!strncmp(where, "--set", 5))
            return clg_config_fail(err, errlen, "--set %s.layer: layers can only be changed in the config file", section);
        if (net->nlayers == CLG_MAX_LAYERS)
            return clg_config_fail(err, errlen, "%s: [%s] has more than %d layers", where, section, CLG_MAX_LAYERS);
        clg_layer_spec *l = &net->layers[net->nlayers];
        if (strlen(value) >= sizeof l->text)
            return clg_config_fail(err, errlen, "%s: [%s] layer line is too long: %zu characters, the limit is %zu", where,
                           section, strlen(value), sizeof l->text - 1);
        net->nlayers++;
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
            if (is_net && !strcmp(key, "input") && *value) {
                int st = check_shape(value, where, section, err, errlen);
                if (st != CLG_OK) return st;
            }
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
        return clg_config_fail(err, errlen, "%s: unknown key '%s' in [%s] (did you mean '%s'?)", where, key, section, best);
    return clg_config_fail(err, errlen, "%s: unknown key '%s' in [%s]; `clgan train --help` lists the keys", where, key,
                   section);
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

/* ---- reading INI text ---------------------------------------------------------------------- */

/* "file:line" for messages and layer records; a very long file name keeps its end. */
static void format_where(char *out, size_t n, const char *path, int line)
{
    size_t len = strlen(path), keep = n - 16;
    if (len > keep) snprintf(out, n, "...%s:%d", path + len - (keep - 3), line);
    else snprintf(out, n, "%s:%d", path, line);
}

static int is_space(char ch) { return ch == ' ' || ch == '\t'; }

/* The value after '=' (s, n bytes, with no line break), unquoted into `out` (n + 1 bytes). A
 * bare value ends at a ';' that follows a space (an inline comment) and is trimmed; a quoted one
 * ends at its closing quote, after which only a comment may follow. */
static int parse_value(char *out, const char *s, size_t n, const char *where, char *err, size_t errlen)
{
    size_t i = 0;
    while (i < n && is_space(s[i])) i++;
    if (i < n && s[i] == '"') {
        size_t o = 0;
        for (i++;; i++) {
            if (i >= n) return clg_config_fail(err, errlen, "%s: quoted value without its closing quote", where);
            if (s[i] == '"') break;
            if (s[i] == '\\') {
                if (i + 1 >= n || (s[i + 1] != '"' && s[i + 1] != '\\'))
                    return clg_config_fail(err, errlen, "%s: in a quoted value a backslash must be followed by \" or \\",
                                   where);
                i++;
            }
            out[o++] = s[i];
        }
        out[o] = 0;
        for (i++; i < n && is_space(s[i]); i++) {
        }
        if (i < n && s[i] != ';' && s[i] != '#')
            return clg_config_fail(err, errlen, "%s: text after the closing quote of a value (only a ; or # comment may follow)",
                           where);
        return CLG_OK;
    }
    /* as libinih: a ';' right after a space or tab starts a comment (the space after '=' counts) */
    size_t e = 0;
    while (e < n && !(s[e] == ';' && e > 0 && is_space(s[e - 1]))) e++;
    while (e > i && is_space(s[e - 1])) e--;
    memcpy(out, s + i, e - i);
    out[e - i] = 0;
    return CLG_OK;
}

/* A key set in a section, and the line that set it: a second setting of the same key is an
 * error, not a silent override (`layer` lines repeat by design and are not recorded). */
typedef struct seen_key {
    char section[16];
    const char *key; /* keys[]' own name */
    int line;
} seen_key;

/* The line that already set `key` in `section`, recording it at `line` if none did; 0 if none. */
static int seen_before(seen_key *seen, int *nseen, const char *section, const char *key, int line)
{
    const char *name = NULL;
    for (size_t i = 0; i < NKEYS && !name; i++)
        if (!strcmp(keys[i].key, key)) name = keys[i].key;
    if (!name) return 0; /* apply() has refused it already */
    for (int i = 0; i < *nseen; i++)
        if (seen[i].key == name && !strcmp(seen[i].section, section)) return seen[i].line;
    seen_key *k = &seen[(*nseen)++]; /* at most one per (section, key): 2 x NKEYS */
    snprintf(k->section, sizeof k->section, "%s", section);
    k->key = name;
    k->line = line;
    return 0;
}

/* Parse INI text (len bytes, any bytes) into c; `name` stands for the file in messages. */
static int parse_ini(struct clg_config *c, const char *text, size_t len, const char *name, char *err, size_t errlen)
{
    char section[16] = "", where[CLG_WHERE];
    char *buf = malloc(len + 1); /* one line's key and value, unquoted */
    if (!buf) return clg_config_fail(err, errlen, "%s: out of memory", name), CLG_ERR_NOMEM;
    int st = CLG_OK, lineno = 0, nseen = 0;
    seen_key seen[2 * NKEYS];
    size_t pos = 0;
    if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) pos = 3; /* UTF-8 byte order mark */
    while (st == CLG_OK && pos < len) {
        lineno++;
        const char *line = text + pos;
        const char *nl = memchr(line, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - line) : len - pos;
        pos += n + (nl ? 1 : 0);
        if (n > 0 && line[n - 1] == '\r') n--;
        format_where(where, sizeof where, name, lineno);
        const char *bad = find_control(line, n);
        if (bad) {
            st = clg_config_fail(err, errlen, "%s: %s byte in the config text (byte 0x%02x)", where,
                         *bad ? "a control character" : "a NUL", (unsigned char)*bad);
            break;
        }
        while (n > 0 && is_space(*line)) line++, n--;
        while (n > 0 && is_space(line[n - 1])) n--;
        if (n == 0 || *line == ';' || *line == '#') continue;
        if (*line == '[') {
            const char *close = memchr(line, ']', n);
            size_t after = close ? (size_t)(close - line) + 1 : n;
            while (after < n && is_space(line[after])) after++;
            if (!close || (after < n && line[after] != ';' && line[after] != '#')) {
                st = clg_config_fail(err, errlen, "%s: not a valid section header (expected [name])", where);
                break;
            }
            size_t a = 1, b = (size_t)(close - line);
            while (a < b && is_space(line[a])) a++;
            while (b > a && is_space(line[b - 1])) b--;
            memcpy(buf, line + a, b - a);
            buf[b - a] = 0;
            if (strcmp(buf, "data") && strcmp(buf, "train") && strcmp(buf, "generator") && strcmp(buf, "discriminator")) {
                st = clg_config_fail(err, errlen, "%s: unknown section [%s] (known: data, train, generator, discriminator)",
                             where, buf);
                break;
            }
            strcpy(section, buf);
            continue;
        }
        const char *eq = memchr(line, '=', n);
        if (!eq) {
            st = clg_config_fail(err, errlen, "%s: not a valid INI line (expected [section], key = value or a ; comment)",
                         where);
            break;
        }
        size_t kn = (size_t)(eq - line);
        while (kn > 0 && is_space(line[kn - 1])) kn--;
        if (kn == 0) {
            st = clg_config_fail(err, errlen, "%s: a value without a key (expected key = value)", where);
            break;
        }
        if (!section[0]) {
            st = clg_config_fail(err, errlen, "%s: key '%.*s' comes before any [section]", where, (int)(kn > 64 ? 64 : kn),
                         line);
            break;
        }
        /* key and value side by side in buf: "key\0value\0" fits in the line's length + 1 */
        memcpy(buf, line, kn);
        buf[kn] = 0;
        char *value = buf + kn + 1;
        size_t vn = n - (size_t)(eq + 1 - line);
        st = parse_value(value, eq + 1, vn, where, err, errlen);
        if (st != CLG_OK) break;
        st = apply(c, section, buf, value, where, err, errlen);
        int first = st == CLG_OK && strcmp(buf, "layer") ? seen_before(seen, &nseen, section, buf, lineno) : 0;
        if (first) {
            st = clg_config_fail(err, errlen, "%s: key '%s' in [%s] is already set on line %d (give each key once)", where, buf,
                         section, first);
            break;
        }
        if (st == CLG_OK && (!strcmp(section, "generator") || !strcmp(section, "discriminator"))) {
            clg_net_cfg *net = !strcmp(section, "generator") ? &c->gen : &c->disc;
            if (!net->where[0]) snprintf(net->where, sizeof net->where, "%s", where);
        }
    }
    free(buf);
    return st;
}

int clg_config_load_buffer(clg_config **out, const char *text, size_t len, const char *name, char *err, size_t errlen)
{
    *out = NULL;
    if (len > MAX_CONFIG_BYTES)
        return clg_config_fail(err, errlen, "%s: the config is %zu bytes; the limit is %u", name, len, MAX_CONFIG_BYTES);
    struct clg_config *c = calloc(1, sizeof *c);
    if (!c) return clg_config_fail(err, errlen, "out of memory"), CLG_ERR_NOMEM;
    snprintf(c->path, sizeof c->path, "%s", name);
    int st = set_defaults(c, err, errlen);
    if (st == CLG_OK) st = parse_ini(c, text, len, name, err, errlen);
    if (st == CLG_OK && c->disc.nlayers == 0)
        st = clg_config_fail(err, errlen, "%s: [discriminator] has no `layer = ...` lines", name);
    if (st == CLG_OK && c->gen.nlayers == 0)
        st = clg_config_fail(err, errlen, "%s: [generator] has no `layer = ...` lines", name);
    if (st == CLG_OK && !c->gen.input[0])
        st = clg_config_fail(err, errlen, "%s: [generator] needs `input = ` (the latent shape, e.g. 100)", name);
    if (st != CLG_OK) {
        clg_config_free(c);
        return st;
    }
    *out = c;
    return CLG_OK;
}

int clg_config_load_text(clg_config **out, const char *text, const char *name, char *err, size_t errlen)
{
    return clg_config_load_buffer(out, text, strlen(text), name, err, errlen);
}

int clg_config_load(clg_config **out, const char *path, char *err, size_t errlen)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        clg_config_fail(err, errlen, "%s: cannot open config: %s", path, strerror(errno));
        return CLG_ERR_IO;
    }
    size_t len = 0, cap = 4096;
    char *text = malloc(cap);
    int st = text ? CLG_OK : CLG_ERR_NOMEM;
    while (st == CLG_OK) {
        if (len == cap) {
            char *t = cap <= MAX_CONFIG_BYTES ? realloc(text, cap * 2) : NULL;
            if (!t) {
                st = cap <= MAX_CONFIG_BYTES ? CLG_ERR_NOMEM
                                             : clg_config_fail(err, errlen, "%s: the config is larger than %u bytes", path,
                                                       MAX_CONFIG_BYTES);
                break;
            }
            text = t;
            cap *= 2;
        }
        size_t got = fread(text + len, 1, cap - len, f);
        len += got;
        if (got == 0) break;
    }
    if (st == CLG_OK && ferror(f)) {
        clg_config_fail(err, errlen, "%s: cannot read config: %s", path, strerror(errno));
        st = CLG_ERR_IO;
    }
    if (st == CLG_ERR_NOMEM) clg_config_fail(err, errlen, "%s: out of memory", path);
    fclose(f);
    if (st == CLG_OK) st = clg_config_load_buffer(out, text, len, path, err, errlen);
    free(text);
    return st;
}

int clg_config_set(clg_config *c, const char *assignment, char *err, size_t errlen)
{
    const char *eq = strchr(assignment, '=');
    const char *dot = strchr(assignment, '.');
    if (!eq || !dot || dot > eq)
        return clg_config_fail(err, errlen, "--set %.300s: expected section.key=value (e.g. train.epochs=1)", assignment);
    char section[64], key[64];
    size_t ls = (size_t)(dot - assignment), lk = (size_t)(eq - dot - 1);
    if (ls >= sizeof section || lk >= sizeof key)
        return clg_config_fail(err, errlen, "--set %.300s: name too long", assignment);
    memcpy(section, assignment, ls);
    section[ls] = 0;
    memcpy(key, dot + 1, lk);
    key[lk] = 0;
    /* messages quote the assignment, shortened and with control characters shown as '?' */
    char where[CLG_WHERE];
    size_t w = (size_t)snprintf(where, sizeof where, "--set ");
    for (const char *p = assignment; *p && w < 200; p++) where[w++] = find_control(p, 1) ? '?' : *p;
    if (w >= 200) where[w++] = '.', where[w++] = '.', where[w++] = '.';
    where[w] = 0;
    return apply(c, section, key, eq + 1, where, err, errlen);
}

/* ---- writing INI text ---------------------------------------------------------------------- */
typedef struct text_buf {
    char *s;
    size_t len, cap;
    int oom;
} text_buf;

static void put(text_buf *b, const char *s, size_t n)
{
    if (b->oom) return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = (b->len + n + 1) * 2;
        char *t = realloc(b->s, cap);
        if (!t) {
            b->oom = 1;
            return;
        }
        b->s = t;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = 0;
}

static void puts_(text_buf *b, const char *s) { put(b, s, strlen(s)); }

/* `key = value`, the value quoted when reading it bare would change it: empty, spaces at either
 * end, a leading quote, or a ';' or '#' anywhere (a " ;" would start a comment). */
static void put_kv(text_buf *b, const char *key, const char *value)
{
    size_t n = strlen(value);
    int quote = n == 0 || is_space(value[0]) || is_space(value[n - 1]) || value[0] == '"' || strpbrk(value, ";#");
    puts_(b, key);
    puts_(b, " = ");
    if (!quote) puts_(b, value);
    else {
        put(b, "\"", 1);
        for (const char *p = value; *p; p++) {
            if (*p == '"' || *p == '\\') put(b, "\\", 1);
            put(b, p, 1);
        }
        put(b, "\"", 1);
    }
    put(b, "\n", 1);
}

static void put_section(text_buf *b, const char *section, const void *base, const char *table_sect)
{
    char num[64];
    puts_(b, "[");
    puts_(b, section);
    puts_(b, "]\n");
    for (size_t i = 0; i < NKEYS; i++) {
        const key_def *k = &keys[i];
        if (strcmp(k->section, table_sect)) continue;
        const void *p = (const char *)base + k->off;
        switch (k->type) {
        case T_INT: snprintf(num, sizeof num, "%d", *(const int *)p); break;
        case T_LONG: snprintf(num, sizeof num, "%ld", *(const long *)p); break;
        case T_FLOAT: snprintf(num, sizeof num, "%.9g", *(const float *)p); break; /* 9 digits: exact */
        case T_ENUM: snprintf(num, sizeof num, "%s", k->names[*(const int *)p]); break;
        default:
            /* an unset key without a default (the discriminator's input) is left out */
            if (!*(const char *)p && !*k->def) continue;
            put_kv(b, k->key, (const char *)p);
            continue;
        }
        put_kv(b, k->key, num);
    }
}

int clg_config_write_text(char **out, size_t *len, const clg_config *c)
{
    text_buf b = {0};
    put_section(&b, "data", c, "data");
    put_section(&b, "train", c, "train");
    const clg_net_cfg *nets[2] = {&c->gen, &c->disc};
    const char *names[2] = {"generator", "discriminator"};
    for (int n = 0; n < 2; n++) {
        put_section(&b, names[n], nets[n], "net");
        for (int i = 0; i < nets[n]->nlayers; i++) put_kv(&b, "layer", nets[n]->layers[i].text);
    }
    if (b.oom) {
        free(b.s);
        *out = NULL;
        if (len) *len = 0;
        return CLG_ERR_NOMEM;
    }
    *out = b.s;
    if (len) *len = b.len;
    return CLG_OK;
}

const char *clg_config_text(clg_config *c)
{
    char *t;
    size_t n;
    if (clg_config_write_text(&t, &n, c) != CLG_OK) return ""; /* reads back as an error, never as another config */
    free(c->text);
    c->text = t;
    c->text_len = n;
    c->text_cap = n + 1;
    return t;
}

void clg_config_free(clg_config *c)
{
    if (!c) return;
    free(c->text);
    free(c);
}

int clg_config_key_is_run_length(const char *key)
{
    for (size_t i = 0; i < NKEYS; i++)
        if (!strcmp(keys[i].section, "train") && !strcmp(keys[i].key, key)) return (keys[i].flags & K_RUN_LENGTH) != 0;
    return 0;
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
    fprintf(out, "  Values may be written in double quotes (escapes \\\" and \\\\) to keep spaces at either end\n"
                 "  or a ';' that would start a comment.\n");
}
