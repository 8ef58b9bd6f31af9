/* network.h — a network: an ordered list of layers (PyTorch's nn.Sequential) with its memory
 * planned before the first step: one arena each for parameters, gradients, optimizer state,
 * buffers (running statistics) and activations, a backward ping-pong pair sized to the largest
 * activation, and a workspace shared by all layers.
 */
#ifndef CLGAN_NETWORK_H
#define CLGAN_NETWORK_H

#include <stdio.h>

#include "layers/layer.h"
#include "base/rng.h"

typedef struct clg_net {
    const char *name;          /* "generator" / "discriminator" */
    int nlayers;
    clg_layer layers[CLG_MAX_LAYERS];
    clg_shape in;
    int batch;
    size_t nparams;            /* trainable values (without padding) */
    clg_buf params, grads, opt_m, opt_v; /* same layout; the optimizer runs over the whole arena */
    clg_buf buffers;           /* non-trainable parameters (running statistics) */
    clg_buf acts;              /* every layer's output */
    clg_buf dbuf[2];           /* activation gradients, ping-pong */
    clg_buf workspace;
    clg_buf scratch;           /* the gradient norm (1 float), then its partial sums */
    const clg_net_cfg *cfg;
    long t;                    /* optimizer steps taken */
    int prof_base;             /* profiling tags: prof_base + 2*layer (+1 for backward) */
    clg_ctx *ctx;              /* the device the arenas live on (for the memory accounting) */
    size_t planned_bytes;      /* device bytes of this plan, counted in ctx->planned_bytes */
} clg_net;

/* Build from a config section: create every layer, check shapes, plan and allocate memory,
 * initialise parameters from `rng`. A failure's message is in ctx->err, naming the config line. */
int clg_net_build(clg_net *net, clg_ctx *ctx, const char *name, const clg_net_cfg *cfg, clg_shape in, int batch,
                  clg_rng *rng);
void clg_net_free(clg_net *net);
/* The first step of clg_net_build, on the host only: every layer of `cfg` created on input `in`
 * (options parsed, shapes inferred and checked against the kernels' limits, parameters declared),
 * nothing allocated on a device. `net` is zeroed by the caller; clg_net_free releases the layers,
 * also after a failure. Used by clg_net_build and by the config fuzzer. */
int clg_net_create_layers(clg_net *net, const clg_net_cfg *cfg, clg_shape in, int batch, clg_rng *rng, clg_err *e);

/* Run layers [0, upto) on x (n samples). The result is net->layers[upto-1].y. */
int clg_net_forward(clg_net *net, clg_ctx *ctx, const clg_buf *x, int n, int train, int upto);
/* Back-propagate dy (the gradient at the output of layer upto-1) down to the input. When
 * need_dx, *dx receives the input gradient's buffer. */
int clg_net_backward(clg_net *net, clg_ctx *ctx, const clg_buf **dx, const clg_buf *dy, const clg_buf *x, int n,
                     int param_grads, int upto);
int clg_net_zero_grad(clg_net *net, clg_ctx *ctx);
/* Clip (per the config) and apply one optimizer update. */
int clg_net_update(clg_net *net, clg_ctx *ctx);
/* Print each layer's output shape and parameter count. */
void clg_net_print(const clg_net *net, FILE *out);
size_t clg_net_param_count(const clg_net *net);
/* Parse "100" or "100,1,1" (each a whole number from 1 to 1e9, nothing else around them);
 * returns -1 if malformed or out of range, leaving *s unchanged. */
int clg_net_parse_input(clg_shape *s, const char *text);

#endif
