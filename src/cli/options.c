/* options.c — the command line's option parsing shared by every command: bounded integers parsed
 * whole, devices, --threads, --set, and loading a config with its overrides.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clgan/clgan.h"
#include "cli/cli.h"

int cli_die(const char *fmt, const char *a, const char *b)
{
    fprintf(stderr, "%s: ", prog);
    fprintf(stderr, fmt, a, b);
    fputc('\n', stderr);
    return 1;
}


/* The value of numeric option `opt` of command `cmd`: the whole of `s` a base-10 integer (digits
 * with an optional leading '-'; strtol alone would also take spaces and '+') in [lo, hi];
 * otherwise one message naming the option, the value and the range, and -1. */
int cli_opt_long(long *out, const char *cmd, const char *opt, const char *s, long lo, long hi)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    const char *why = NULL;
    const char *d = *s == '-' ? s + 1 : s;
    if (end == s || *end || *d < '0' || *d > '9') why = "not an integer";
    else if (errno == ERANGE || v < lo || v > hi) why = "out of range";
    if (why) {
        fprintf(stderr, "%s: %s: %s %s: %s (allowed: %ld to %ld)\n", prog, cmd, opt, s, why, lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

/* --device D: an empty value is refused rather than quietly taken as "the default device". */
int cli_opt_device(const char **out, const char *cmd, const char *s)
{
    if (!*s) {
        fprintf(stderr, "%s: %s: --device \"\": empty device (give P:D, gpu, cpu or a name; see `clgan devices`)\n",
                prog, cmd);
        return -1;
    }
    *out = s;
    return 0;
}

int cli_opt_int(int *out, const char *cmd, const char *opt, const char *s, long lo, long hi)
{
    long v;
    if (cli_opt_long(&v, cmd, opt, s, lo, hi)) return -1;
    *out = (int)v; /* the bounds callers pass are within int */
    return 0;
}

/* n floats of a product of counts, as a byte count; 0 if it overflows size_t. */
size_t cli_floats_bytes(size_t a, size_t b, size_t c)
{
    size_t n = sizeof(float);
    size_t f[3] = {a, b, c};
    for (int i = 0; i < 3; i++) {
        if (f[i] && n > SIZE_MAX / f[i]) return 0;
        n *= f[i];
    }
    return n;
}

/* --threads N: PoCL's CPU device reads its thread count from the environment when the OpenCL
 * platform starts, so it is set before any OpenCL call. Other drivers ignore it. */
int cli_set_threads(const char *cmd, const char *s)
{
    long n;
    if (cli_opt_long(&n, cmd, "--threads", s, 1, MAX_THREADS)) return -1;
    char buf[24];
    snprintf(buf, sizeof buf, "%ld", n);
    setenv("POCL_MAX_PTHREAD_COUNT", buf, 1);
    return 0;
}

/* Record one --set; more than MAX_SETS is an error rather than a silently dropped override. */
int cli_add_set(const char **sets, int *nsets, const char *cmd, const char *assignment)
{
    if (*nsets == MAX_SETS) {
        fprintf(stderr, "%s: %s: more than %d --set options\n", prog, cmd, MAX_SETS);
        return -1;
    }
    sets[(*nsets)++] = assignment;
    return 0;
}

/* The config file with the --set overrides applied, or NULL after printing why not. */
clg_config *cli_load_config(const char *path, const char *const *sets, int nsets)
{
    char err[2048];
    clg_config *cfg;
    if (clg_config_load(&cfg, path, err, sizeof err) != CLG_OK) return cli_die("%s%s", err, ""), NULL;
    for (int i = 0; i < nsets; i++)
        if (clg_config_set(cfg, sets[i], err, sizeof err) != CLG_OK) {
            clg_config_free(cfg);
            return cli_die("%s%s", err, ""), NULL;
        }
    return cfg;
}
