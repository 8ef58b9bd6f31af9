/* options.c — layer option lines: `layer = TYPE key=value ...` split into a type and options,
 * each read as an integer, float or string against its own limits, and the options a layer did
 * not use reported with the ones it knows. Messages name the config line and the layer.
 */
#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"

int clg_opts_parse(clg_opts *o, const char *text, const char *where, clg_err *e)
{
    memset(o, 0, sizeof *o);
    o->where = where;
    const char *p = text;
    while (*p == ' ' || *p == '\t') p++;
    size_t n = strcspn(p, " \t");
    if (n == 0 || n >= sizeof o->type) return clg_errf(e, CLG_ERR_CONFIG, "%s: empty or bad layer type", where);
    memcpy(o->type, p, n);
    p += n;
    for (;;) {
        while (*p == ' ' || *p == '\t') p++;
        if (!*p) break;
        n = strcspn(p, " \t");
        const char *eq = memchr(p, '=', n);
        if (!eq || eq == p)
            return clg_errf(e, CLG_ERR_CONFIG, "%s: layer %s: \"%.*s\" is not key=value", where, o->type, (int)n, p);
        if (o->n == CLG_MAX_OPTS) return clg_errf(e, CLG_ERR_CONFIG, "%s: layer %s: too many options", where, o->type);
        size_t lk = (size_t)(eq - p), lv = n - lk - 1;
        if (lv == 0)
            return clg_errf(e, CLG_ERR_CONFIG, "%s: layer %s: option \"%.*s\" has no value", where, o->type, (int)n, p);
        if (lk >= sizeof o->key[0] || lv >= sizeof o->val[0])
            return clg_errf(e, CLG_ERR_CONFIG,
                            "%s: layer %s: option \"%.*s\" is too long (names up to %zu characters, values up to %zu)",
                            where, o->type, (int)(n > 120 ? 120 : n), p, sizeof o->key[0] - 1, sizeof o->val[0] - 1);
        for (int i = 0; i < o->n; i++)
            if (strlen(o->key[i]) == lk && !strncmp(o->key[i], p, lk))
                return clg_errf(e, CLG_ERR_CONFIG, "%s: layer %s: option %.*s given twice", where, o->type, (int)lk, p);
        memcpy(o->key[o->n], p, lk);
        memcpy(o->val[o->n], eq + 1, lv);
        o->n++;
        p += n;
    }
    return CLG_OK;
}

static int find_opt(clg_opts *o, const char *key)
{
    for (int i = 0; i < o->n; i++)
        if (!strcmp(o->key[i], key)) {
            o->used[i] = 1;
            return i;
        }
    return -1;
}

/* Layer integers are bounded well inside int so that products of a few of them stay sane. */
#define OPT_INT_LIMIT 1000000000L

int clg_opt_int(clg_opts *o, const char *key, int def, int required, int *out, clg_err *e)
{
    int i = find_opt(o, key);
    if (i < 0) {
        if (required) return clg_errf(e, CLG_ERR_CONFIG, "%s: layer %s needs %s=...", o->where, o->type, key);
        *out = def;
        return CLG_OK;
    }
    char *end;
    errno = 0;
    long v = strtol(o->val[i], &end, 10);
    if (end == o->val[i] || *end)
        return clg_errf(e, CLG_ERR_CONFIG, "%s: layer %s: %s=%s is not an integer", o->where, o->type, key, o->val[i]);
    /* on overflow strtol gives LONG_MAX or LONG_MIN, beyond the limits */
    if (v > OPT_INT_LIMIT)
        return clg_errf(e, CLG_ERR_CONFIG, "%s: layer %s: %s=%s is above the limit %ld", o->where, o->type, key, o->val[i],
                        OPT_INT_LIMIT);
    if (v < -OPT_INT_LIMIT)
        return clg_errf(e, CLG_ERR_CONFIG, "%s: layer %s: %s=%s is below the limit %ld", o->where, o->type, key, o->val[i],
                        -OPT_INT_LIMIT);
    *out = (int)v;
    return CLG_OK;
}

int clg_parse_float(float *out, const char *s)
{
    char *end;
    errno = 0;
    float v = strtof(s, &end);
    if (end == s || *end || isnan(v) || (isinf(v) && errno != ERANGE)) return -1;
    if (errno == ERANGE) return -2;
    *out = v;
    return 0;
}

int clg_opt_float(clg_opts *o, const char *key, float def, int *present, float *out, clg_err *e)
{
    int i = find_opt(o, key);
    if (present) *present = i >= 0;
    if (i < 0) {
        *out = def;
        return CLG_OK;
    }
    int r = clg_parse_float(out, o->val[i]);
    if (r == -1)
        return clg_errf(e, CLG_ERR_CONFIG, "%s: layer %s: %s=%s is not a finite number", o->where, o->type, key, o->val[i]);
    if (r == -2)
        return clg_errf(e, CLG_ERR_CONFIG,
                        "%s: layer %s: %s=%s is out of range for a float (magnitudes from %.9g to %.9g, or 0)", o->where,
                        o->type, key, o->val[i], FLT_MIN, FLT_MAX);
    return CLG_OK;
}

int clg_opt_str(clg_opts *o, const char *key, const char *def, const char **out)
{
    int i = find_opt(o, key);
    *out = i < 0 ? def : o->val[i];
    return CLG_OK;
}

int clg_opts_check_unused(const clg_opts *o, const char *known, clg_err *e)
{
    for (int i = 0; i < o->n; i++)
        if (!o->used[i])
            return clg_errf(e, CLG_ERR_CONFIG, "%s: layer %s has no option '%s' (options: %s)", o->where, o->type, o->key[i],
                            *known ? known : "none");
    return CLG_OK;
}
