/* registry.c — the table of layer types, the one step from a config line to a layer
 * (clg_layer_create), the cost bench reports, and helpers every layer shares: error messages that
 * name the config line, the check that a tensor fits the kernels' int index, parameter
 * declaration and random keys. Options and initialiser specs are read in options.c.
 */
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

int clg_layer_create(clg_layer *l, const char *text, const char *where, clg_shape in, int batch, int index,
                     clg_err *e)
{
    clg_err local;
    if (!e) e = &local;
    memset(l, 0, sizeof *l);
    l->index = index;
    l->in = in;
    snprintf(l->where, sizeof l->where, "%s", where);
    clg_opts o;
    int st = clg_opts_parse(&o, text, l->where, e);
    if (st != CLG_OK) return st;
    l->ops = clg_layer_find(o.type);
    if (!l->ops) {
        char known[512];
        clg_layer_list(known, sizeof known);
        return clg_errf(e, CLG_ERR_CONFIG, "%s: unknown layer type \"%s\" (known: %s)", l->where, o.type, known);
    }
    clg_optval v[CLG_MAX_OPTS];
    char help[512];
    clg_layer_help(help, sizeof help, l->ops);
    st = clg_layer_read_options(v, &o, l, e);
    if (st == CLG_OK) st = l->ops->create(l, v, batch, e);
    if (st == CLG_OK) st = clg_opts_check_unused(&o, help, e);
    if (st == CLG_OK && (l->out.c <= 0 || l->out.h <= 0 || l->out.w <= 0))
        st = clg_layer_err(e, l, "output shape %dx%dx%d is empty", l->out.c, l->out.h, l->out.w);
    /* every tensor a layer launches over is its input or output (or checked by the layer itself,
     * like the convolutions' workspace): all fit the kernels' int index before memory is planned */
    if (st == CLG_OK) st = clg_layer_check_io(e, l, batch);
    if (st != CLG_OK) clg_layer_destroy(l);
    return st;
}

void clg_layer_destroy(clg_layer *l)
{
    if (l->ops && l->ops->destroy) l->ops->destroy(l);
    l->priv = NULL;
    l->ops = NULL;
}

clg_layer_cost clg_layer_cost_of(const clg_layer *l, int n)
{
    clg_layer_cost c = {0};
    double in = (double)clg_shape_size(l->in) * n, out = (double)clg_shape_size(l->out) * n;
    if (l->ops->cost) l->ops->cost(&c, l, n);
    else c.fwd_flops = c.bwd_dx_flops = out;
    /* inputs + outputs + parameters, each read or written once per pass */
    double pbytes = 0;
    for (int j = 0; j < l->nparams; j++) pbytes += 4.0 * l->params[j].count;
    c.fwd_bytes = 4 * (in + out) + pbytes;
    c.bwd_bytes = 4 * (2 * out + 2 * in) + 2 * pbytes;
    return c;
}

void clg_layer_cost_gemm(clg_layer_cost *c, const clg_layer *l, int n, double positions)
{
    double mac = (double)l->params[0].count * n * positions, out = (double)clg_shape_size(l->out) * n;
    c->fwd_flops = 2 * mac + out; /* + bias */
    c->bwd_dx_flops = 2 * mac;
    c->bwd_dw_flops = 2 * mac + out;
}

int clg_layer_err(clg_err *e, const clg_layer *l, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return clg_errf(e, CLG_ERR_CONFIG, "%s: layer %d (%s): %s", l->where, l->index, l->ops ? l->ops->type : "?", msg);
}

void *clg_layer_priv(clg_layer *l, size_t size, clg_err *e)
{
    l->priv = calloc(1, size);
    if (!l->priv) clg_errf(e, CLG_ERR_NOMEM, "%s: layer %d (%s): out of host memory", l->where, l->index, l->ops->type);
    return l->priv;
}

int clg_layer_check_count(clg_err *e, const clg_layer *l, const char *what, int batch, size_t per_sample)
{
    size_t total = clg_mul_sat((size_t)(batch > 0 ? batch : 1), per_sample);
    if (total <= CLG_MAX_ELEMS) return CLG_OK;
    if (per_sample > CLG_MAX_ELEMS) {
        if (per_sample == SIZE_MAX)
            return clg_layer_err(e, l, "%s is too large (its size overflows); the kernels index with int, "
                                 "at most %zu values: make the layer smaller", what, CLG_MAX_ELEMS);
        return clg_layer_err(e, l,
                             "%s has %zu values per sample, above the %zu the kernels can index (int): make the layer "
                             "smaller",
                             what, per_sample, CLG_MAX_ELEMS);
    }
    return clg_layer_err(e, l,
                         "%s at batch %d has %d x %zu = %zu values, above the %zu the kernels can index (int): lower "
                         "train.batch (now %d) to at most %zu, or make the layer smaller",
                         what, batch, batch, per_sample, total, CLG_MAX_ELEMS, batch, CLG_MAX_ELEMS / per_sample);
}

int clg_layer_check_io(clg_err *e, const clg_layer *l, int batch)
{
    TRY(clg_layer_check_count(e, l, "the input", batch, clg_shape_count(l->in)));
    return clg_layer_check_count(e, l, "the output", batch, clg_shape_count(l->out));
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

uint32_t clg_layer_next_key(clg_layer *l) { return clg_hash32(l->key + 0x9e3779b9u); }
