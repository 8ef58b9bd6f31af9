/* config.h — the parsed form of a model/training configuration (INI: keys.c, ini.c, write.c), and
 * the small option parser that layers use for their one-line specs ("dense units=200 ...").
 */
#ifndef CLGAN_CONFIG_H
#define CLGAN_CONFIG_H

#include <stddef.h>

#include "base/err.h"

#define CLG_MAX_LAYERS 48
#define CLG_WHERE 320

typedef struct clg_layer_spec {
    char text[256];        /* "dense units=200 init=glorot_uniform" */
    char where[CLG_WHERE]; /* "configs/mlp_gan.ini:31" */
} clg_layer_spec;

/* The config's choices, resolved when it is read (each enum's order is its key's list of names,
 * clg_*_names below, so 0 is the default of every one). */
typedef enum clg_optimizer { CLG_OPT_ADAM, CLG_OPT_RMSPROP, CLG_OPT_SGD } clg_optimizer;
typedef enum clg_noise_kind { CLG_NOISE_NORMAL, CLG_NOISE_UNIFORM } clg_noise_kind;
typedef enum clg_loss { CLG_LOSS_BCE } clg_loss;
typedef enum clg_g_loss { CLG_G_NON_SATURATING, CLG_G_MINIMAX } clg_g_loss;
typedef enum clg_range { CLG_RANGE_PM1, CLG_RANGE_01 } clg_range; /* "-1,1", "0,1" */
/* The names, NULL-terminated, as written in a config. */
extern const char *const clg_optimizer_names[], *const clg_noise_names[], *const clg_loss_names[],
    *const clg_g_loss_names[], *const clg_range_names[];

/* What the optimizer update of one network reads. */
typedef struct clg_optim_cfg {
    clg_optimizer kind;
    float lr, beta1, beta2, eps, rho, momentum;
    float clip_value, clip_norm; /* 0 = off */
} clg_optim_cfg;

/* [generator] or [discriminator]: what a network is built from. */
typedef struct clg_net_cfg {
    char input[64];        /* generator: latent shape "100" or "100,1,1" */
    char input_where[CLG_WHERE];
    clg_optim_cfg opt;
    int nlayers;
    clg_layer_spec layers[CLG_MAX_LAYERS];
    char where[CLG_WHERE]; /* where the section starts */
} clg_net_cfg;

/* [data]: what the data set is read from and how its pixels are scaled. */
typedef struct clg_data_cfg {
    char path[4096];
    clg_range range;       /* -1,1 (tanh outputs) or 0,1 (sigmoid outputs) */
    int limit;             /* 0 = all items */
    int size;              /* image folders: images are resized to size x size */
    int channels;          /* image folders: 1 (grey) or 3 (RGB) */
    int background;        /* image folders: grey level that transparent pixels are composited onto */
} clg_data_cfg;

/* The latent noise: N(0,1) or U(min, max). */
typedef struct clg_noise_cfg {
    clg_noise_kind kind;
    float min, max;
} clg_noise_cfg;

/* [train] */
typedef struct clg_train_cfg {
    int batch, epochs;
    long max_steps;        /* 0 = no limit */
    long seed;
    clg_noise_cfg noise;
    int d_steps;           /* discriminator steps per generator step */
    clg_loss loss;
    clg_g_loss g_loss;
    float label_smoothing;
    int log_every, sample_every, grid;
    int checkpoint_every, keep_checkpoints;
    float ema;             /* decay of the generator's weight average (0 = none) */
    int tensorboard;       /* 1: event files under <out>/tb/ */
    int eval_every;        /* epochs between scores of the samples (0 = never) */
    char eval_classifier[4096]; /* the classifier file that scores them */
    int sync_bn;           /* under MPI: batch norm statistics over all ranks */
} clg_train_cfg;

struct clg_config {
    char path[4096];       /* the file (or the name given for a buffer), for messages */
    clg_data_cfg data;
    clg_train_cfg train;
    clg_net_cfg gen, disc;
    char *text;            /* the resolved configuration, as text (for logs and checkpoints) */
    size_t text_len, text_cap;
};

/* Parse `len` bytes of INI text (any bytes; NUL and control characters are errors naming the
 * line); `name` stands for the file in messages. Needs no OpenCL. (clg_config_load_text in
 * clgan.h is the public form, with the message copied into err/errlen; likewise the two below.) */
int clg_config_load_buffer(clg_config **out, const char *text, size_t len, const char *name, clg_err *e);
/* Read the config file `path` (clg_config_load): CLG_ERR_IO if it cannot be read. */
int clg_config_load_file(clg_config **out, const char *path, clg_err *e);
/* Apply one `section.key=value` override (clg_config_set). */
int clg_config_assign(clg_config *c, const char *assignment, clg_err *e);
/* The resolved configuration as INI text, every key included, in a new malloc'd string (*len
 * bytes, NUL-terminated); it always parses back to the same text. CLG_ERR_NOMEM if out of memory. */
int clg_config_write_text(char **out, size_t *len, const clg_config *c);
/* The same text, owned by the config (valid until the next call or clg_config_free). */
const char *clg_config_text(struct clg_config *c);
/* 1 when `key` (of [train]) only sets the length of the run or how often it reports and saves,
 * so that a resume may change it; 0 for every key that shapes the model or its training. */
int clg_config_key_is_run_length(const char *key);

/* ---- layer options: "type key=value key=value" ------------------------------------------- */
#define CLG_MAX_OPTS 16
typedef struct clg_opts {
    char type[32];
    int n;
    char key[CLG_MAX_OPTS][32];
    char val[CLG_MAX_OPTS][96];
    int used[CLG_MAX_OPTS];
    const char *where;
} clg_opts;

/* Layer option lines (options.c). */
int clg_opts_parse(clg_opts *o, const char *text, const char *where, clg_err *e);
/* Each getter marks the key used; a missing key takes `def` unless `required`. Bad values give
 * a "where: layer TYPE: option KEY=VAL: ..." message. */
int clg_opt_int(clg_opts *o, const char *key, int def, int required, int *out, clg_err *e);
int clg_opt_float(clg_opts *o, const char *key, float def, int *present, float *out, clg_err *e);
/* A float from the whole of `s`: 0, -1 if it is not a finite number, -2 if out of float range. */
int clg_parse_float(float *out, const char *s);
int clg_opt_str(clg_opts *o, const char *key, const char *def, const char **out);
/* Error if a key was given that no getter asked for. */
int clg_opts_check_unused(const clg_opts *o, const char *known, clg_err *e);

#endif
