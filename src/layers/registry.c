/* registry.c — the table of layer types, and helpers every layer shares: error messages that
 * name the config line, bounded integer options, the check that a tensor fits the kernels' int
 * index, parameter declaration, initialiser specs and random keys.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layers/layer.h"
#include "base/rng.h"

extern const clg_layer_ops clg_layer_maxout;
extern const clg_layer_ops clg_layer_dense, clg_layer_relu, clg_layer_leaky_relu, clg_layer_tanh, clg_layer_sigmoid,
    clg_layer_dropout, clg_layer_flatten, clg_layer_reshape;
extern const clg_layer_ops clg_layer_batchnorm, clg_layer_upsample;
extern const clg_layer_ops clg_layer_conv2d, clg_layer_conv_transpose2d;

static const clg_layer_ops *const registry[] = {
    &clg_layer_maxout,
    &clg_layer_dense,   &clg_layer_relu,    &clg_layer_leaky_relu, &clg_layer_tanh,
    &clg_layer_sigmoid, &clg_layer_dropout, &clg_layer_flatten,    &clg_layer_reshape,
    &clg_layer_batchnorm, &clg_layer_upsample,
    &clg_layer_conv2d,    &clg_layer_conv_transpose2d,
};
#define NREG (sizeof registry / sizeof registry[0])

const clg_layer_ops *clg_layer_find(const char *type)
{
    for (size_t i = 0; i < NREG; i++)
        if (!strcmp(registry[i]->type, type)) return registry[i];
    return NULL;
}

void clg_layer_list(char *out, size_t n)
{
    out[0] = 0;
    for (size_t i = 0; i < NREG; i++) {
        size_t len = strlen(out);
        snprintf(out + len, n - len, "%s%s", i ? ", " : "", registry[i]->type);
    }
}

/* A failure of an err/errlen step recorded in e (its message is already in e->msg). */
static int failed(clg_err *e, int st)
{
    e->status = st;
    return st;
}

int clg_layer_create(clg_layer *l, const char *text, const char *where, clg_shape in, int batch, int index,
                     clg_err *e)
{
    clg_err local;
    if (!e) e = &local;
    clg_err_clear(e);
    memset(l, 0, sizeof *l);
    l->index = index;
    l->in = in;
    snprintf(l->where, sizeof l->where, "%s", where);
    clg_opts o;
    int st = clg_opts_parse(&o, text, l->where, e->msg, sizeof e->msg);
    if (st != CLG_OK) return failed(e, st);
    l->ops = clg_layer_find(o.type);
    if (!l->ops) {
        char known[512];
        clg_layer_list(known, sizeof known);
        return clg_errf(e, CLG_ERR_CONFIG, "%s: unknown layer type \"%s\" (known: %s)", l->where, o.type, known);
    }
    st = l->ops->create(l, &o, batch, e->msg, sizeof e->msg);
    if (st == CLG_OK) st = clg_opts_check_unused(&o, l->ops->options, e->msg, sizeof e->msg);
    if (st == CLG_OK && (l->out.c <= 0 || l->out.h <= 0 || l->out.w <= 0))
        st = clg_layer_err(e->msg, sizeof e->msg, l, "output shape %dx%dx%d is empty", l->out.c, l->out.h, l->out.w);
    /* every tensor a layer launches over is its input or output (or checked by the layer itself,
     * like the convolutions' workspace): all fit the kernels' int index before memory is planned */
    if (st == CLG_OK) st = clg_layer_check_io(e->msg, sizeof e->msg, l, batch);
    if (st == CLG_OK) return CLG_OK;
    clg_layer_destroy(l);
    return failed(e, st);
}

void clg_layer_destroy(clg_layer *l)
{
    if (l->ops && l->ops->destroy) l->ops->destroy(l);
    l->priv = NULL;
    l->ops = NULL;
}

int clg_layer_err(char *err, size_t errlen, const clg_layer *l, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(err, errlen, "%s: layer %d (%s): %s", l->where, l->index, l->ops ? l->ops->type : "?", msg);
    return CLG_ERR_CONFIG;
}

int clg_layer_int_value(const clg_opts *o, const char *key, const char *val, long lo, long hi, const char *expect,
                        int *out, char *err, size_t errlen)
{
    char *end;
    errno = 0;
    long v = strtol(val, &end, 10);
    /* strtol skips leading spaces: a number starts with a sign or a digit */
    if (end == val || *end || !(val[0] == '-' || val[0] == '+' || (val[0] >= '0' && val[0] <= '9'))) {
        snprintf(err, errlen, "%s: layer %s: %s=%s is not %s", o->where, o->type, key, val,
                 expect ? expect : "an integer");
        return CLG_ERR_CONFIG;
    }
    /* on overflow strtol gives LONG_MAX or LONG_MIN, beyond the limits */
    if (v > hi || v < lo) {
        snprintf(err, errlen, "%s: layer %s: %s=%s is %s the limit %ld", o->where, o->type, key, val,
                 v > hi ? "above" : "below", v > hi ? hi : lo);
        return CLG_ERR_CONFIG;
    }
    *out = (int)v;
    return CLG_OK;
}

int clg_layer_opt_int(clg_opts *o, const char *key, int def, int required, long lo, long hi, int *out, char *err,
                      size_t errlen)
{
    const char *val;
    clg_opt_str(o, key, NULL, &val);
    if (!val) {
        if (required) {
            snprintf(err, errlen, "%s: layer %s needs %s=...", o->where, o->type, key);
            return CLG_ERR_CONFIG;
        }
        *out = def;
        return CLG_OK;
    }
    return clg_layer_int_value(o, key, val, lo, hi, NULL, out, err, errlen);
}

int clg_layer_check_count(char *err, size_t errlen, const clg_layer *l, const char *what, int batch,
                          size_t per_sample)
{
    size_t total = clg_mul_sat((size_t)(batch > 0 ? batch : 1), per_sample);
    if (total <= CLG_MAX_ELEMS) return CLG_OK;
    if (per_sample > CLG_MAX_ELEMS) {
        if (per_sample == SIZE_MAX)
            return clg_layer_err(err, errlen, l, "%s is too large (its size overflows); the kernels index with int, "
                                 "at most %zu values: make the layer smaller", what, CLG_MAX_ELEMS);
        return clg_layer_err(err, errlen, l,
                             "%s has %zu values per sample, above the %zu the kernels can index (int): make the layer "
                             "smaller",
                             what, per_sample, CLG_MAX_ELEMS);
    }
    return clg_layer_err(err, errlen, l,
                         "%s at batch %d has %d x %zu = %zu values, above the %zu the kernels can index (int): lower "
                         "train.batch (now %d) to at most %zu, or make the layer smaller",
                         what, batch, batch, per_sample, total, CLG_MAX_ELEMS, batch, CLG_MAX_ELEMS / per_sample);
}

int clg_layer_check_io(char *err, size_t errlen, const clg_layer *l, int batch)
{
    TRY(clg_layer_check_count(err, errlen, l, "the input", batch, clg_shape_count(l->in)));
    return clg_layer_check_count(err, errlen, l, "the output", batch, clg_shape_count(l->out));
}

clg_param *clg_layer_param(clg_layer *l, const char *name, int trainable, clg_init init, int ndim, const int *dims)
{
    clg_param *p = &l->params[l->nparams++];
    memset(p, 0, sizeof *p);
    p->name = name;
    p->trainable = trainable;
    p->init = init;
    p->ndim = ndim;
    p->count = 1;
    for (int i = 0; i < ndim; i++) {
        p->dims[i] = dims[i];
        p->count *= (size_t)dims[i];
    }
    return p;
}

int clg_parse_init(clg_init *out, const char *spec, const clg_layer *l, char *err, size_t errlen)
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
            if (spec[n]) return clg_layer_err(err, errlen, l, "init %s takes no arguments", name);
            return CLG_OK;
        }
        /* ":A:B", each a whole finite float (no sscanf: it skips spaces and overflows silently) */
        char a[64], b[64];
        const char *colon = spec[n] == ':' ? strchr(spec + n + 1, ':') : NULL;
        size_t la = colon ? (size_t)(colon - (spec + n + 1)) : 0;
        if (!colon || la >= sizeof a || strlen(colon + 1) >= sizeof b)
            return clg_layer_err(err, errlen, l, "init \"%s\": expected %s:A:B (%s)", spec, name,
                                 out->kind == CLG_INIT_NORMAL ? "mean and std" : "low and high");
        memcpy(a, spec + n + 1, la);
        a[la] = 0;
        snprintf(b, sizeof b, "%s", colon + 1);
        const char *num[2] = {a, b};
        float *dst[2] = {&out->a, &out->b};
        for (int j = 0; j < 2; j++) {
            int r = num[j][0] == ' ' || num[j][0] == '\t' ? -1 : clg_parse_float(dst[j], num[j]);
            if (r == -1)
                return clg_layer_err(err, errlen, l, "init \"%s\": \"%s\" is not a finite number (expected %s:A:B, %s)",
                                     spec, num[j], name, out->kind == CLG_INIT_NORMAL ? "mean and std" : "low and high");
            if (r == -2)
                return clg_layer_err(err, errlen, l, "init \"%s\": %s is out of range for a float", spec, num[j]);
        }
        return CLG_OK;
    }
    return clg_layer_err(err, errlen, l,
                         "unknown init \"%s\" (known: zeros, ones, normal:MEAN:STD, uniform:A:B, glorot_uniform, "
                         "glorot_normal, torch)",
                         spec);
}

uint32_t clg_layer_next_key(clg_layer *l) { return clg_hash32(l->key + 0x9e3779b9u); }
