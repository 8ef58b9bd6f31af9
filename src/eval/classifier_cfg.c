/* classifier_cfg.c — the classifier's config file: INI lines ([section], key = value, `;` or `#`
 * comment lines and ` ;` inline comments) read against one key table; every error names
 * file:line, the section and the key.
 */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval/classifier.h"
#include "io/file.h"

enum { K_STR, K_INT, K_LONG, K_FLOAT, K_ENUM, K_LAYER };

typedef struct key_def {
    const char *section, *key;
    int type;
    size_t off, size;
    const char *def; /* NULL: required */
    double lo, hi;
    const char *const *names;
} key_def;

#define C(f) offsetof(clg_cls_cfg, f)
#define S(f) C(f), sizeof(((clg_cls_cfg *)0)->f)
static const key_def keys[] = {
    {"data", "images", K_STR, S(images), NULL, 0, 0, NULL},
    {"data", "labels", K_STR, S(labels), NULL, 0, 0, NULL},
    {"data", "test_images", K_STR, S(test_images), NULL, 0, 0, NULL},
    {"data", "test_labels", K_STR, S(test_labels), NULL, 0, 0, NULL},
    {"data", "range", K_ENUM, C(range), 0, "0,1", 0, 0, clg_range_names},
    {"data", "limit", K_INT, C(limit), 0, "0", 0, INT_MAX, NULL},
    {"data", "test_limit", K_INT, C(test_limit), 0, "0", 0, INT_MAX, NULL},
    {"data", "classes", K_INT, C(classes), 0, "10", 2, 256, NULL},
    {"train", "batch", K_INT, C(batch), 0, "128", 1, 65536, NULL},
    {"train", "epochs", K_INT, C(epochs), 0, "5", 1, 100000, NULL},
    {"train", "log_every", K_INT, C(log_every), 0, "100", 1, 1000000, NULL},
    {"train", "seed", K_LONG, C(seed), 0, "1", 0, 9.2e18, NULL},
    {"classifier", "optimizer", K_ENUM, C(net.opt.kind), 0, "adam", 0, 0, clg_optimizer_names},
    {"classifier", "lr", K_FLOAT, C(net.opt.lr), 0, "0.001", 1e-30, 1e30, NULL},
    {"classifier", "beta1", K_FLOAT, C(net.opt.beta1), 0, "0.9", 0, 0.999999, NULL},
    {"classifier", "beta2", K_FLOAT, C(net.opt.beta2), 0, "0.999", 0, 0.999999, NULL},
    {"classifier", "eps", K_FLOAT, C(net.opt.eps), 0, "1e-8", 1e-30, 1e30, NULL},
    {"classifier", "momentum", K_FLOAT, C(net.opt.momentum), 0, "0", 0, 1e30, NULL},
    {"classifier", "layer", K_LAYER, 0, 0, "", 0, 0, NULL},
};
#define NKEYS (sizeof keys / sizeof keys[0])

static int set(clg_cls_cfg *c, const key_def *k, const char *v, const char *where, clg_err *e)
{
    char *p = (char *)c + k->off, *end;
    switch (k->type) {
    case K_STR:
        if (strlen(v) >= k->size) return clg_errf(e, CLG_ERR_CONFIG, "%s: [%s] %s: value too long", where, k->section, k->key);
        strcpy(p, v);
        return CLG_OK;
    case K_ENUM:
        for (int i = 0; k->names[i]; i++)
            if (!strcmp(k->names[i], v)) return *(int *)p = i, CLG_OK;
        return clg_errf(e, CLG_ERR_CONFIG, "%s: [%s] %s = %s: not one of the accepted values (%s%s%s)", where,
                        k->section, k->key, v, k->names[0], k->names[1] ? ", " : "", k->names[1] ? k->names[1] : "");
    case K_FLOAT: {
        float f;
        if (clg_parse_float(&f, v) != 0 || f < k->lo || f > k->hi)
            return clg_errf(e, CLG_ERR_CONFIG, "%s: [%s] %s = %s: expected a number from %g to %g", where, k->section,
                            k->key, v, k->lo, k->hi);
        *(float *)p = f;
        return CLG_OK;
    }
    default: {
        errno = 0;
        long long x = strtoll(v, &end, 10);
        if (errno || end == v || *end || x < k->lo || x > k->hi)
            return clg_errf(e, CLG_ERR_CONFIG, "%s: [%s] %s = %s: expected a whole number from %.0f to %.0f", where,
                            k->section, k->key, v, k->lo, k->hi);
        if (k->type == K_INT) *(int *)p = (int)x;
        else *(long *)p = (long)x;
        return CLG_OK;
    }
    }
}

/* One `key = value` line of `section`. */
static int apply(clg_cls_cfg *c, const char *section, const char *key, const char *v, const char *where, clg_err *e)
{
    for (size_t i = 0; i < NKEYS; i++) {
        const key_def *k = &keys[i];
        if (strcmp(k->section, section) || strcmp(k->key, key)) continue;
        if (k->type != K_LAYER) return set(c, k, v, where, e);
        if (c->net.nlayers >= CLG_MAX_LAYERS)
            return clg_errf(e, CLG_ERR_CONFIG, "%s: [classifier] has more than %d layers", where, CLG_MAX_LAYERS);
        clg_layer_spec *l = &c->net.layers[c->net.nlayers++];
        if (strlen(v) >= sizeof l->text) return clg_errf(e, CLG_ERR_CONFIG, "%s: layer line too long", where);
        strcpy(l->text, v);
        snprintf(l->where, sizeof l->where, "%s", where);
        return CLG_OK;
    }
    return clg_errf(e, CLG_ERR_CONFIG, "%s: unknown key '%s' in [%s]", where, key, section);
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t') s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r')) s[--n] = 0;
    return s;
}

int clg_cls_cfg_parse(clg_cls_cfg *c, const char *text, size_t len, const char *name, clg_err *e)
{
    memset(c, 0, sizeof *c);
    snprintf(c->name, sizeof c->name, "%s", name);
    char where[CLG_WHERE], section[16] = "";
    int st = CLG_OK, seen[NKEYS] = {0};
    for (size_t i = 0; i < NKEYS && st == CLG_OK; i++)
        if (keys[i].def && keys[i].type != K_LAYER && keys[i].type != K_STR) st = set(c, &keys[i], keys[i].def, name, e);
    snprintf(c->net.where, sizeof c->net.where, "%s", name);
    c->text = malloc(len + 1);
    char *buf = malloc(len + 1);
    if (!c->text || !buf) st = clg_errf(e, CLG_ERR_NOMEM, "%s: out of memory", name);
    if (st == CLG_OK) memcpy(c->text, text, len), c->text[len] = 0;
    size_t pos = 0;
    for (int lineno = 1; st == CLG_OK && pos < len; lineno++) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - text - pos) : len - pos;
        memcpy(buf, text + pos, n), buf[n] = 0;
        pos += n + 1;
        snprintf(where, sizeof where, "%s:%d", name, lineno);
        if (strlen(buf) != n) {
            st = clg_errf(e, CLG_ERR_CONFIG, "%s: a NUL byte in the config text", where);
            break;
        }
        char *cut = strstr(buf, " ;");
        if (cut) *cut = 0;
        char *s = trim(buf);
        if (!*s || *s == ';' || *s == '#') continue;
        if (*s == '[') {
            char *close = strchr(s, ']');
            if (!close || close[1] || close - s - 1 >= (long)sizeof section) {
                st = clg_errf(e, CLG_ERR_CONFIG, "%s: not a valid section header (expected [name])", where);
                break;
            }
            *close = 0;
            if (strcmp(s + 1, "data") && strcmp(s + 1, "train") && strcmp(s + 1, "classifier")) {
                st = clg_errf(e, CLG_ERR_CONFIG, "%s: unknown section [%s] (known: data, train, classifier)", where, s + 1);
                break;
            }
            if (!strcmp(s + 1, "classifier")) snprintf(c->net.where, sizeof c->net.where, "%s", where);
            strcpy(section, s + 1);
            continue;
        }
        char *eq = strchr(s, '=');
        if (!eq || !section[0]) {
            st = clg_errf(e, CLG_ERR_CONFIG, "%s: expected key = value inside a [section]", where);
            break;
        }
        *eq = 0;
        char *key = trim(s), *val = trim(eq + 1);
        for (size_t i = 0; i < NKEYS; i++)
            if (!strcmp(keys[i].section, section) && !strcmp(keys[i].key, key) && keys[i].type != K_LAYER &&
                seen[i]++)
                st = clg_errf(e, CLG_ERR_CONFIG, "%s: [%s] %s is set twice", where, section, key);
        if (st == CLG_OK) st = apply(c, section, key, val, where, e);
    }
    for (size_t i = 0; i < NKEYS && st == CLG_OK; i++)
        if (!keys[i].def && !seen[i])
            st = clg_errf(e, CLG_ERR_CONFIG, "%s: [%s] needs `%s = ...`", name, keys[i].section, keys[i].key);
    if (st == CLG_OK && c->net.nlayers == 0)
        st = clg_errf(e, CLG_ERR_CONFIG, "%s: [classifier] has no `layer = ...` lines", name);
    free(buf);
    if (st != CLG_OK) clg_cls_cfg_free(c);
    return st;
}

int clg_cls_cfg_load(clg_cls_cfg *c, const char *path, clg_err *e)
{
    memset(c, 0, sizeof *c);
    uint8_t *text;
    size_t len;
    int st = clg_read_file(&text, &len, path, (int64_t)1 << 20, 0, e);
    if (st != CLG_OK) return st;
    st = clg_cls_cfg_parse(c, (const char *)text, len, path, e);
    free(text);
    return st;
}

void clg_cls_cfg_free(clg_cls_cfg *c)
{
    free(c->text);
    c->text = NULL;
}
