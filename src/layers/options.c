/* options.c — a layer's options read through its type's table (layer.h: clg_option): each value
 * is found in the config line or taken from the table's default, read as an integer, float, word
 * or initialiser against its own limits, and the same table gives the help text. Messages name
 * the config line and the layer, as the config reports numbers ("KEY=VAL is above the limit N").
 */
#include <errno.h>
#include <float.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layers/layer.h"

/* The position (0, 1, ...) of `text` among the '|'-separated `words`, or -1. */
static int word_index(const char *words, const char *text)
{
    size_t len = strlen(text);
    for (int k = 0; words && *words; k++) {
        size_t w = strcspn(words, "|");
        if (w == len && !strncmp(words, text, len)) return k;
        words += w + (words[w] == '|');
    }
    return -1;
}

/* "a", "a or b", "a, b or c" from "a|b|c". */
static void word_list(char *out, size_t n, const char *words)
{
    size_t len = 0;
    out[0] = 0;
    while (*words && len < n) {
        size_t w = strcspn(words, "|");
        const char *sep = !len ? "" : words[w] ? ", " : " or ";
        len += (size_t)snprintf(out + len, n - len, "%s%.*s", sep, (int)w, words);
        words += w + (words[w] == '|');
    }
}

static int read_int(clg_optval *v, const clg_opts *o, const clg_option *t, clg_err *e)
{
    int k = word_index(t->words, v->text);
    if (k >= 0) {
        v->i = -(k + 1);
        return CLG_OK;
    }
    char *end;
    const char *val = v->text;
    errno = 0;
    long x = strtol(val, &end, 10);
    /* strtol skips leading spaces: a number starts with a sign or a digit */
    if (end == val || *end || !(val[0] == '-' || val[0] == '+' || (val[0] >= '0' && val[0] <= '9'))) {
        char expect[160];
        snprintf(expect, sizeof expect, "a whole number from %ld to %ld", t->lo, t->hi);
        if (t->words) { /* "..., same or valid"; one word: "..., or auto" */
            char list[96];
            word_list(list, sizeof list, t->words);
            size_t len = strlen(expect);
            snprintf(expect + len, sizeof expect - len, ", %s%s", strchr(t->words, '|') ? "" : "or ", list);
        }
        return clg_errf(e, CLG_ERR_CONFIG, "%s: layer %s: %s=%s is not %s", o->where, o->type, t->name, val, expect);
    }
    /* on overflow strtol gives LONG_MAX or LONG_MIN, beyond the limits */
    if (x > t->hi || x < t->lo)
        return clg_errf(e, CLG_ERR_CONFIG, "%s: layer %s: %s=%s is %s the limit %ld", o->where, o->type, t->name, val,
                        x > t->hi ? "above" : "below", x > t->hi ? t->hi : t->lo);
    v->i = (int)x;
    return CLG_OK;
}

static int read_one(clg_optval *v, const clg_opts *o, const clg_layer *l, const clg_option *t, clg_err *e)
{
    switch (t->kind) {
    case CLG_OPTION_INT: return read_int(v, o, t, e);
    case CLG_OPTION_FLOAT: {
        int r = clg_parse_float(&v->f, v->text);
        if (r == -1)
            return clg_errf(e, CLG_ERR_CONFIG, "%s: layer %s: %s=%s is not a finite number", o->where, o->type,
                            t->name, v->text);
        if (r == -2)
            return clg_errf(e, CLG_ERR_CONFIG,
                            "%s: layer %s: %s=%s is out of range for a float (magnitudes from %.9g to %.9g, or 0)",
                            o->where, o->type, t->name, v->text, FLT_MIN, FLT_MAX);
        return CLG_OK;
    }
    case CLG_OPTION_WORD: {
        v->i = word_index(t->words, v->text);
        if (v->i >= 0) return CLG_OK;
        char list[96];
        word_list(list, sizeof list, t->words);
        return clg_layer_err(e, l, "%s=%s: expected %s", t->name, v->text, list);
    }
    case CLG_OPTION_INIT: return clg_parse_init(&v->init, v->text, l, e);
    }
    return clg_errf(e, CLG_ERR_INTERNAL, "%s: layer %s: option %s has no kind", o->where, o->type, t->name);
}

int clg_layer_read_options(clg_optval *v, clg_opts *o, const clg_layer *l, clg_err *e)
{
    const clg_layer_ops *ops = l->ops;
    if (ops->noptions > CLG_MAX_OPTS) /* v holds CLG_MAX_OPTS values (clg_layer_create) */
        return clg_errf(e, CLG_ERR_INTERNAL, "%s: layer %s declares %d options, more than the %d a layer may have",
                        o->where, o->type, ops->noptions, CLG_MAX_OPTS);
    for (int i = 0; i < ops->noptions; i++) {
        const clg_option *t = &ops->options[i];
        memset(&v[i], 0, sizeof v[i]);
        clg_opt_str(o, t->name, t->def, &v[i].text); /* marks it used */
        if (!v[i].text) return clg_errf(e, CLG_ERR_CONFIG, "%s: layer %s needs %s=...", o->where, o->type, t->name);
        TRY(read_one(&v[i], o, l, t, e));
    }
    return CLG_OK;
}

void clg_layer_help(char *out, size_t n, const clg_layer_ops *ops)
{
    size_t len = 0;
    out[0] = 0;
    for (int i = 0; i < ops->noptions && len < n; i++) {
        const clg_option *t = &ops->options[i];
        const char *value = t->value ? t->value : t->words;
        const char *bar = t->value && t->words ? "|" : "";
        len += (size_t)snprintf(out + len, n - len, "%s%s=%s%s%s", i ? " " : "", t->name, value, bar,
                                t->value && t->words ? t->words : "");
        if (t->def && len < n) len += (size_t)snprintf(out + len, n - len, " (%s)", t->def);
    }
}

int clg_parse_init(clg_init *out, const char *spec, const clg_layer *l, clg_err *e)
{
    static const struct {
        const char *name;
        clg_init_kind kind;
        int nargs;
    } kinds[] = {{"zeros", CLG_INIT_ZEROS, 0},
                 {"ones", CLG_INIT_ONES, 0},
                 {"normal", CLG_INIT_NORMAL, 2},
                 {"uniform", CLG_INIT_UNIFORM, 2},
                 {"glorot_uniform", CLG_INIT_GLOROT_UNIFORM, 0},
                 {"glorot_normal", CLG_INIT_GLOROT_NORMAL, 0},
                 {"torch", CLG_INIT_TORCH, 0}};
    char name[32];
    size_t n = strcspn(spec, ":");
    if (n >= sizeof name) n = sizeof name - 1;
    memcpy(name, spec, n);
    name[n] = 0;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        if (strcmp(kinds[i].name, name)) continue;
        out->kind = kinds[i].kind;
        out->a = out->b = 0;
        if (kinds[i].nargs == 0) {
            if (spec[n]) return clg_layer_err(e, l, "init %s takes no arguments", name);
            return CLG_OK;
        }
        /* ":A:B", each a whole finite float (no sscanf: it skips spaces and overflows silently) */
        char a[64], b[64];
        const char *colon = spec[n] == ':' ? strchr(spec + n + 1, ':') : NULL;
        size_t la = colon ? (size_t)(colon - (spec + n + 1)) : 0;
        const char *args = out->kind == CLG_INIT_NORMAL ? "mean and std" : "low and high";
        if (!colon || la >= sizeof a || strlen(colon + 1) >= sizeof b)
            return clg_layer_err(e, l, "init \"%s\": expected %s:A:B (%s)", spec, name, args);
        memcpy(a, spec + n + 1, la);
        a[la] = 0;
        snprintf(b, sizeof b, "%s", colon + 1);
        const char *num[2] = {a, b};
        float *dst[2] = {&out->a, &out->b};
        for (int j = 0; j < 2; j++) {
            int r = num[j][0] == ' ' || num[j][0] == '\t' ? -1 : clg_parse_float(dst[j], num[j]);
            if (r == -1)
                return clg_layer_err(e, l, "init \"%s\": \"%s\" is not a finite number (expected %s:A:B, %s)", spec,
                                     num[j], name, args);
            if (r == -2) return clg_layer_err(e, l, "init \"%s\": %s is out of range for a float", spec, num[j]);
        }
        return CLG_OK;
    }
    return clg_layer_err(e, l,
                         "unknown init \"%s\" (known: zeros, ones, normal:MEAN:STD, uniform:A:B, glorot_uniform, "
                         "glorot_normal, torch)",
                         spec);
}
