/* host_shapes.h — a network's layers created on the host only (clg_net_create_layers: options
 * parsed, each layer's output shape inferred and its parameters declared, the steps clg_net_build
 * takes before it plans device memory), with the properties every accepted layer must have, so
 * that configs can be fuzzed without an OpenCL device. Nothing is allocated on a device.
 */
#ifndef CLGAN_FUZZ_HOST_SHAPES_H
#define CLGAN_FUZZ_HOST_SHAPES_H

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "fuzz/fuzz.h"
#include "model/network.h"

/* Create the layers of `cfg` on input shape `in` into `net` with clg_net_create_layers (the host
 * half of clg_net_build); the result is the last layer's output in *out. Properties of every
 * accepted layer are checked (FUZZ_CHECK). The caller frees with fuzz_net_destroy, also after a
 * failure. */
static int fuzz_net_shapes(clg_net *net, clg_shape *out, const clg_net_cfg *cfg, clg_shape in, int batch, char *err,
                           size_t errlen)
{
    memset(net, 0, sizeof *net);
    net->cfg = cfg;
    net->in = in;
    net->batch = batch;
    clg_rng rng = {1};
    clg_err e;
    int st = clg_net_create_layers(net, cfg, in, batch, &rng, &e);
    if (st != CLG_OK) return snprintf(err, errlen, "%.*s", (int)errlen - 1, e.msg), st;
    for (int i = 0; i < net->nlayers; i++) {
        const clg_layer *l = &net->layers[i];
        /* an accepted layer's input and output at the batch fit the kernels' int index */
        FUZZ_CHECK((double)batch * l->in.c * l->in.h * l->in.w <= INT_MAX &&
                       (double)batch * l->out.c * l->out.h * l->out.w <= INT_MAX,
                   "%s: batch %d x %dx%dx%d -> %dx%dx%d passes the int index check", l->where, batch, l->in.c,
                   l->in.h, l->in.w, l->out.c, l->out.h, l->out.w);
        FUZZ_CHECK(l->out.c > 0 && l->out.h > 0 && l->out.w > 0, "%s: empty output accepted", l->where);
        /* an accepted layer: its parameters are what their shapes say */
        FUZZ_CHECK(l->nparams >= 0 && l->nparams <= CLG_MAX_PARAMS, "%s: %d parameters", l->where, l->nparams);
        for (int j = 0; j < l->nparams; j++) {
            const clg_param *p = &l->params[j];
            size_t count = 1;
            FUZZ_CHECK(p->ndim >= 1 && p->ndim <= 4, "%s: %s has %d dimensions", l->where, p->name, p->ndim);
            for (int k = 0; k < p->ndim; k++) {
                FUZZ_CHECK(p->dims[k] > 0, "%s: %s dimension %d is %d", l->where, p->name, k, p->dims[k]);
                FUZZ_CHECK(!__builtin_mul_overflow(count, (size_t)p->dims[k], &count), "%s: %s overflows", l->where,
                           p->name);
            }
            FUZZ_CHECK(p->count == count, "%s: %s count %zu, product of its shape %zu", l->where, p->name, p->count,
                       count);
        }
    }
    *out = net->nlayers ? net->layers[net->nlayers - 1].out : in;
    return CLG_OK;
}

static void fuzz_net_destroy(clg_net *net) { clg_net_free(net); }

#endif
