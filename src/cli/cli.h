/* cli.h — what the command files of the clgan tool share: the bounds of numeric options and
 * their parsing (one message naming the option and its range), device and --set options, config
 * loading, and the commands main() dispatches to. Only the CLI exits; these return 1 after
 * printing the message.
 */
#ifndef CLGAN_CLI_H
#define CLGAN_CLI_H

#include <stddef.h>

#include "clgan/clgan.h"
#include "cli/env.h"

static const char *const prog = "clgan";

/* Bounds of the numeric options. Image counts stay far below INT_MAX so that every size derived
 * from them (images x latent size, images x pixels, the grid's width) fits its type. */
#define MAX_IMAGES 100000L /* sample -n, interpolate rows x steps, vectors in a --noise file */
#define MAX_ROWS 1000L     /* interpolate --rows */
#define MAX_STEPS 1000L    /* interpolate --steps */
#define MAX_BENCH 100000L  /* bench --steps and --warmup */
#define MAX_THREADS 1024L  /* --threads */
#define MAX_SETS 256       /* --set options per command */

/* one "clgan: " line on stderr, fmt taking the two strings a and b; returns 1 */
int cli_die(const char *fmt, const char *a, const char *b);
int cli_opt_long(long *out, const char *cmd, const char *opt, const char *s, long lo, long hi);
int cli_opt_device(const char **out, const char *cmd, const char *s);
int cli_opt_int(int *out, const char *cmd, const char *opt, const char *s, long lo, long hi);
size_t cli_floats_bytes(size_t a, size_t b, size_t c);
int cli_set_threads(const char *cmd, const char *s);
int cli_add_set(const char **sets, int *nsets, const char *cmd, const char *assignment);
clg_config *cli_load_config(const char *path, const char *const *sets, int nsets);

int cmd_train(int argc, char **argv);
int cmd_sample(int argc, char **argv);
int cmd_interpolate(int argc, char **argv);
int cmd_classify(int argc, char **argv);
int cmd_eval(int argc, char **argv);

#endif
