/* layer.h — the one table of functions every layer exports, and the layer record the network
 * keeps for each nn.Sequential module. A layer's own options live behind `priv`; its parameters
 * and buffers are declared in `params` at create time and placed in the network's arenas
 * before the first step (no allocation inside a step).
 *
 * Signatures: outputs first, then inputs, then sizes. Per-sample shapes are (C,H,W); a dense
 * layer's features are (F,1,1). Backward accumulates (+=) into parameter gradients and
 * overwrites dx.
 */
#ifndef CLGAN_LAYER_H
#define CLGAN_LAYER_H

#include <limits.h>
#include <stdint.h>

#include "base/err.h"
#include "base/shape.h"
#include "config/config.h"
#include "runtime/runtime.h"

/* The most values one kernel launch may cover: the element kernels index with int and their
 * global size is rounded up to whole work-groups, so room for that stays below INT_MAX. */
#define CLG_MAX_ELEMS ((size_t)INT_MAX - 65535)

/* Parameter initialisers (PyTorch's names where there is one). */
typedef enum clg_init_kind {
    CLG_INIT_ZEROS,
    CLG_INIT_ONES,
    CLG_INIT_NORMAL,         /* N(a, b) */
    CLG_INIT_UNIFORM,        /* U(a, b) */
    CLG_INIT_GLOROT_UNIFORM, /* U(-l, l), l = sqrt(6 / (fan_in + fan_out)): Keras' default */
    CLG_INIT_GLOROT_NORMAL,  /* Keras: truncated N(0, s) at 2s, s = sqrt(2/(fan_in+fan_out))/0.87962566 */
    CLG_INIT_TORCH,          /* PyTorch's default for Linear/Conv: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) */
} clg_init_kind;

typedef struct clg_init {
    clg_init_kind kind;
    float a, b;
} clg_init;

#define CLG_MAX_PARAMS 4
typedef struct clg_param {
    const char *name;   /* state_dict suffix: "weight", "bias", "running_mean", ... */
    int ndim, dims[4];  /* PyTorch shape */
    size_t count;
    clg_init init;
    int fan_in, fan_out;
    int trainable;      /* 0: a buffer (running statistics), not touched by the optimizer */
    clg_buf value, grad;
} clg_param;

/* Where a layer's batch sits when the batch is split in equal parts over processes (data-parallel
 * training); the trainer sets it on every layer. NULL (the default): the layer's batch is the
 * whole batch. */
typedef struct clg_batch_part {
    int first; /* the whole batch's index of this part's first sample (dropout keys masks by it) */
    int parts; /* the number of equal parts */
    /* buf[off, off+n) of every part replaced by its sum over the parts (batch norm's per-channel
     * sums, so all parts normalise with the whole batch's statistics); NULL: each part uses its own */
    int (*sum)(void *user, clg_ctx *ctx, clg_buf *buf, size_t off, size_t n);
    void *user;
} clg_batch_part;

/* A layer knows nothing of the network that holds it: every device buffer it touches is its
 * own view (parameters, scratch, workspace, y), placed by whoever plans the memory (the
 * network, or a test), so a layer can be created and run alone. */
typedef struct clg_layer {
    const struct clg_layer_ops *ops;
    int index;
    char where[CLG_WHERE];
    clg_shape in, out;
    int nparams;
    clg_param params[CLG_MAX_PARAMS];
    size_t scratch_floats;   /* private device scratch the layer asks for at create */
    clg_dtype scratch_type;  /* its element type (maxout keeps int arg-max indices): 4 bytes each */
    clg_buf scratch;
    size_t workspace_floats; /* shared workspace (e.g. im2col columns), largest wins */
    clg_buf workspace;       /* its view: the first workspace_floats of the shared workspace */
    clg_buf y;               /* output activations (N, out) */
    uint32_t key;            /* random key of the last forward (dropout) */
    long train_forwards;     /* forward passes in training mode (batch norm's num_batches_tracked) */
    const clg_batch_part *part; /* its share of a split batch (NULL: the whole batch) */
    int absorbed;            /* the next layer does this one's work, reading this one's input (its
                              * absorb hook said so): a network runs neither pass of it */
    void *priv;              /* the layer's options and host state; freed by destroy */
} clg_layer;

/* ---- options: each layer type declares its options once, in a table that drives both the
 * parsing (clg_layer_create) and the help text (clg_layer_help), so the two cannot drift. ---- */
typedef enum clg_option_kind {
    CLG_OPTION_INT,   /* a whole number in [lo, hi]; `words`, when set, are accepted instead and
                       * read as -1, -2, ... in their order ("same|valid": same -1, valid -2) */
    CLG_OPTION_FLOAT, /* a finite float (ranges with a reason are checked by the layer's create) */
    CLG_OPTION_WORD,  /* one of `words` ("nearest|bilinear"), read as its index */
    CLG_OPTION_INIT,  /* an initialiser spec (clg_parse_init) */
} clg_option_kind;

typedef struct clg_option {
    const char *name;
    clg_option_kind kind;
    const char *def;   /* the default as written in a config; NULL: the option is required */
    long lo, hi;       /* CLG_OPTION_INT: the accepted range */
    const char *words; /* the accepted words, '|' between them */
    const char *value; /* the help's placeholder: "N" in "units=N" (words by default) */
} clg_option;

/* One option's value after parsing: i (INT, WORD), f (FLOAT), init (INIT); text as written (or
 * the default), valid while the create runs. */
typedef struct clg_optval {
    int i;
    float f;
    clg_init init;
    const char *text;
} clg_optval;

/* What a layer type is, for code outside it that used to compare types by name. */
enum {
    CLG_LAYER_SIGMOID = 1 << 0,        /* y = sigmoid(x): a loss may take x as logits instead */
    CLG_LAYER_COUNTS_BATCHES = 1 << 1, /* train_forwards is state to save (PyTorch's batch norm
                                        * num_batches_tracked) */
    CLG_LAYER_VIEW = 1 << 2,           /* y is x reshaped (same values, same order): a network plans y
                                        * as a view of x and passes dy through as dx, launching
                                        * nothing; forward and backward copy when called alone */
};

/* The work of one pass over n samples (what `clgan bench` divides time by). */
typedef struct clg_layer_cost {
    double fwd_flops;    /* one forward pass */
    double bwd_dx_flops; /* the input gradient */
    double bwd_dw_flops; /* the parameter gradients */
    double fwd_bytes, bwd_bytes;
} clg_layer_cost;

typedef struct clg_layer_ops {
    const char *type;
    const clg_option *options; /* the table, noptions entries, in parsing order */
    int noptions;
    unsigned flags;            /* CLG_LAYER_* */
    /* Set l->out from l->in, declare params/scratch/workspace from the parsed options v (one per
     * table entry, in its order). */
    int (*create)(clg_layer *l, const clg_optval *v, int batch, clg_err *e);
    /* y (n, out) = f(x (n, in)); train selects batch statistics and dropout. */
    int (*forward)(clg_layer *l, clg_ctx *ctx, clg_buf *y, const clg_buf *x, int n, int train);
    /* dx (n, in) from dy (n, out); dx may be NULL (first layer, input gradient not needed).
     * Parameter gradients are accumulated only when param_grads is set. */
    int (*backward)(clg_layer *l, clg_ctx *ctx, clg_buf *dx, const clg_buf *dy, const clg_buf *x,
                    const clg_buf *y, int n, int param_grads);
    void (*destroy)(clg_layer *l);
    /* FLOPs of n samples' passes; NULL: one per output value each way, no parameter gradient.
     * Bytes are counted alike for all (clg_layer_cost_of). */
    void (*cost)(clg_layer_cost *c, const clg_layer *l, int n);
    /* Optional (NULL: never). Called by a network on a created layer with the layer before it:
     * when l can do prev's work as part of its own (cheaper than both apart), it takes prev's
     * input as its own (l->in = prev->in), re-plans its scratch and workspace and returns 1; the
     * network then marks prev absorbed and hands l prev's input. 0: it did not; < 0: an error. */
    int (*absorb)(clg_layer *l, const clg_layer *prev, int batch, clg_err *e);
} clg_layer_ops;

/* A layer type's table, for a file whose functions are named create, forward, backward and
 * destroy (every file with one type): its options table with noptions entries (NULL, 0 for
 * none), flags and cost (NULL for elementwise). */
#define CLG_LAYER_TYPE(type_, options_, noptions_, flags_, cost_)                                                 \
    {.type = type_, .options = options_, .noptions = noptions_, .flags = flags_, .create = create,                \
     .forward = forward, .backward = backward, .destroy = destroy, .cost = cost_}
#define CLG_NOPTIONS(table) ((int)(sizeof(table) / sizeof((table)[0])))

/* The registry of layer types (src/layers/registry.c). */
const clg_layer_ops *clg_layer_find(const char *type);
void clg_layer_list(char *out, size_t n);
/* A type's options as help text, from its table: "units=N bias=0|1 (1) init=INIT (torch) ...". */
void clg_layer_help(char *out, size_t n, const clg_layer_ops *ops);
/* Read the options of l's type (l->ops) from the line `o` into v, one per table entry (at most
 * CLG_MAX_OPTS); each option found is marked used. Part of clg_layer_create (options.c). */
int clg_layer_read_options(clg_optval *v, clg_opts *o, const clg_layer *l, clg_err *e);

/* The whole step from a config line to a layer, the same for the network and for tests: parse
 * `text` ("conv2d filters=8 kernel=3"), find its type, read its options through the type's
 * table, run the type's create on input `in` at `batch` samples (output shape, parameters,
 * scratch and workspace declared), refuse an option the type does not have, refuse an empty
 * output, and check the input and output against the kernels' int index (clg_layer_check_io).
 * `where` ("net.ini:7") and `index` (the position in the network) name the layer in messages;
 * `where` is copied into l->where.
 * *l is overwritten (zeroed first); l->key is left 0 for the caller to seed. Nothing is
 * allocated on a device: the caller places params, scratch, workspace and y. On failure the
 * layer is destroyed again (nothing to free) and e holds one message naming `where`. */
int clg_layer_create(clg_layer *l, const char *text, const char *where, clg_shape in, int batch, int index,
                     clg_err *e);
/* Release a layer's host state (its type's destroy); device views are the caller's. */
void clg_layer_destroy(clg_layer *l);
/* The FLOPs and bytes of a layer's passes over n samples (its table's cost). */
clg_layer_cost clg_layer_cost_of(const clg_layer *l, int n);
/* The cost of a layer whose passes are GEMMs with its first parameter at `positions` places per
 * sample (dense 1, conv2d OH*OW, conv_transpose2d IH*IW): 2 FLOPs per multiply-add in each of
 * the three products, plus one per output value for the bias (forward, and its gradient). */
void clg_layer_cost_gemm(clg_layer_cost *c, const clg_layer *l, int n, double positions);

/* Shared helpers for layers. */
/* "where: layer INDEX (TYPE): message" into e; returns CLG_ERR_CONFIG. */
int clg_layer_err(clg_err *e, const clg_layer *l, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* CLG_OK if a tensor of `batch` samples of `per_sample` values (SIZE_MAX: overflowed) stays
 * within CLG_MAX_ELEMS; otherwise CLG_ERR_CONFIG with a message naming the layer, the tensor
 * (`what`), its size and what to lower (train.batch, or the layer's size when one sample is
 * already too large). Runs while the network is built, before any allocation. */
int clg_layer_check_count(clg_err *e, const clg_layer *l, const char *what, int batch, size_t per_sample);
/* A layer's input and output (what its kernels launch over) at `batch`; clg_layer_create checks
 * every layer with it. */
int clg_layer_check_io(clg_err *e, const clg_layer *l, int batch);
/* Declare a parameter; returns it for further setup. */
clg_param *clg_layer_param(clg_layer *l, const char *name, int trainable, clg_init init, int ndim, const int *dims);
/* Parse an init spec "glorot_uniform", "normal:0:0.02", "uniform:-0.05:0.05", "zeros", "ones",
 * "torch" into *out; messages name the layer l. */
int clg_parse_init(clg_init *out, const char *spec, const clg_layer *l, clg_err *e);
/* The layer's own host state: `size` zeroed bytes set as l->priv (freed by its destroy), or NULL
 * with the message in e (then return CLG_ERR_NOMEM). */
void *clg_layer_priv(clg_layer *l, size_t size, clg_err *e);
/* The scale of an upsample layer with mode=nearest; 0 for any other layer. */
int clg_upsample_nearest_scale(const clg_layer *l);
/* The next random key of a layer (dropout): a hash of the previous one. */
uint32_t clg_layer_next_key(clg_layer *l);

#endif
