/* config.h — the parsed form of a model/training configuration (INI, see config.c), and
 * the small option parser that layers use for their one-line specs ("dense units=200 ...").
 */
#ifndef CLGAN_CONFIG_H
#define CLGAN_CONFIG_H

#include <stddef.h>

#include "clgan/clgan.h"

#define CLG_MAX_LAYERS 48
#define CLG_WHERE 320

typedef struct clg_layer_spec {
    char text[256];        /* "dense units=200 init=glorot_uniform" */
    char where[CLG_WHERE]; /* "configs/mlp_gan.ini:31" */
} clg_layer_spec;

typedef struct clg_net_cfg {
    char input[64];        /* generator: latent shape "100" or "100,1,1" */
    char input_where[CLG_WHERE];
    char optimizer[16];    /* adam | rmsprop | sgd */
    float lr, beta1, beta2, eps, rho, momentum;
    float clip_value, clip_norm; /* 0 = off */
    int nlayers;
    clg_layer_spec layers[CLG_MAX_LAYERS];
    char where[CLG_WHERE]; /* where the section starts */
} clg_net_cfg;

struct clg_config {
    char path[4096];       /* the file (or the name given for a buffer), for messages */
    /* [data] */
    char data_path[4096];
    char data_range[16];   /* "-1,1" (tanh outputs) or "0,1" (sigmoid outputs) */
    int data_limit;        /* 0 = all items */
    int data_size;         /* image folders: images are resized to size x size */
    int data_channels;     /* image folders: 1 (grey) or 3 (RGB) */
    int data_background;   /* image folders: grey level that transparent pixels are composited onto */
    /* [train] */
    int batch, epochs;
    long max_steps;        /* 0 = no limit */
    long seed;
    char noise[16];        /* normal | uniform */
    float noise_min, noise_max; /* uniform noise range */
    int d_steps;           /* discriminator steps per generator step */
    char loss[16];         /* bce */
    char g_loss[24];       /* non_saturating | minimax */
    float label_smoothing;
    int log_every, sample_every, grid;
    int checkpoint_every, keep_checkpoints;
    clg_net_cfg gen, disc;
    char *text;            /* the resolved configuration, as text (for logs and checkpoints) */
    size_t text_len, text_cap;
};

/* Parse `len` bytes of INI text (any bytes; NUL and control characters are errors naming the
 * line); `name` stands for the file in messages. Needs no OpenCL. */
int clg_config_load_buffer(clg_config **out, const char *text, size_t len, const char *name, char *err,
                           size_t errlen);
/* The resolved configuration as INI text, every key included, in a new malloc'd string (*len
 * bytes, NUL-terminated); it always parses back to the same text. CLG_ERR_NOMEM if out of memory. */
int clg_config_write_text(char **out, size_t *len, const clg_config *c);
/* The same text, owned by the config (valid until the next call or clg_config_free). */
const char *clg_config_text(struct clg_config *c);

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
int clg_opts_parse(clg_opts *o, const char *text, const char *where, char *err, size_t errlen);
/* Each getter marks the key used; a missing key takes `def` unless `required`. Bad values give
 * a "where: layer TYPE: option KEY=VAL: ..." message. */
int clg_opt_int(clg_opts *o, const char *key, int def, int required, int *out, char *err, size_t errlen);
int clg_opt_float(clg_opts *o, const char *key, float def, int *present, float *out, char *err, size_t errlen);
/* A float from the whole of `s`: 0, -1 if it is not a finite number, -2 if out of float range. */
int clg_parse_float(float *out, const char *s);
int clg_opt_str(clg_opts *o, const char *key, const char *def, const char **out);
/* Error if a key was given that no getter asked for. */
int clg_opts_check_unused(const clg_opts *o, const char *known, char *err, size_t errlen);

/* Write a printf-style message into err and return CLG_ERR_CONFIG (config.c and options.c). */
int clg_config_fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
