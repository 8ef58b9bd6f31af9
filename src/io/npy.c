/* npy.c — the .npy format (version 1.0-3.0 headers): magic "\x93NUMPY", version, header length,
 * then a Python dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (...)} padded
 * with spaces to a multiple of 64 bytes, then the data. Only float32 in C order is accepted. The
 * reader checks the shape (integers, bounded, overflow-free product) against the bytes present
 * before allocating anything.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clgan/clgan.h"
#include "io/file.h"
#include "io/npy.h"

/* The value of `key` in the header dict: the first non-space byte after 'key' and its colon. */
static const char *dict_value(const char *h, const char *key)
{
    char k[32];
    snprintf(k, sizeof k, "'%s'", key);
    const char *p = strstr(h, k);
    if (!p) return NULL;
    p += strlen(k);
    while (*p == ' ') p++;
    if (*p++ != ':') return NULL;
    while (*p == ' ') p++;
    return p;
}

/* Parse "(d0, d1, ...)": 1 to 4 decimal integers in 1..2^30, nothing else. */
static const char *parse_shape(int *ndim, int dims[4], const char *p)
{
    if (!p || *p++ != '(') return "no shape in the header";
    *ndim = 0;
    for (;;) {
        while (*p == ' ') p++;
        if (*p == ')') break;
        if (*p < '0' || *p > '9') return "the shape is not a tuple of integers";
        long long v = 0;
        while (*p >= '0' && *p <= '9') {
            v = v * 10 + (*p++ - '0');
            if (v > (1LL << 30)) return "a dimension is larger than 2^30";
        }
        if (v == 0) return "a dimension is 0 (empty arrays are not read)";
        if (*ndim == 4) return "more than 4 dimensions";
        dims[(*ndim)++] = (int)v;
        while (*p == ' ') p++;
        if (*p == ',') p++;
        else if (*p != ')') return "the shape is not a tuple of integers";
    }
    return *ndim ? NULL : "a scalar (shape ()) is not read";
}

int clg_npy_parse(float **data, int *ndim, int dims[4], const void *buf, size_t len, const char *name, clg_err *e)
{
    const unsigned char *b = buf;
    char header[4096];
    const char *why = NULL;
    int st = CLG_ERR_FORMAT;
    *data = NULL;
    *ndim = 0;
    if (len < 10 || memcmp(b, "\x93NUMPY", 6)) {
        why = "not a .npy file (no \\x93NUMPY magic)";
        goto out;
    }
    size_t hl, off;
    if (b[6] == 1) hl = b[8] | (size_t)b[9] << 8, off = 10;
    else if (b[6] == 2 || b[6] == 3) {
        if (len < 12) goto trunc;
        hl = b[8] | (size_t)b[9] << 8 | (size_t)b[10] << 16 | (size_t)b[11] << 24, off = 12;
    } else {
        why = "unsupported .npy version";
        goto out;
    }
    if (hl >= sizeof header) {
        why = "header too long";
        goto out;
    }
    if (len - off < hl) goto trunc;
    memcpy(header, b + off, hl);
    header[hl] = 0;
    off += hl;
    const char *descr = dict_value(header, "descr"), *fo = dict_value(header, "fortran_order");
    if (!descr || strncmp(descr, "'<f4'", 5)) {
        why = "data type is not float32 ('<f4'); save with x.astype(np.float32)";
        goto out;
    }
    if (!fo || strncmp(fo, "False", 5)) {
        why = "Fortran order is not supported; save with np.ascontiguousarray(x)";
        goto out;
    }
    int nd = 0, d[4];
    if ((why = parse_shape(&nd, d, dict_value(header, "shape")))) goto out;
    size_t count = 1;
    for (int i = 0; i < nd; i++) {
        if ((size_t)d[i] > ((size_t)1 << 30) / count) {
            why = "the shape holds more than 2^30 values";
            goto out;
        }
        count *= (size_t)d[i];
    }
    /* The bytes must be there before anything is allocated for them. */
    if (len - off < count * sizeof(float)) goto trunc;
    if (len - off > count * sizeof(float)) {
        why = "bytes after the data (the shape does not match the file)";
        goto out;
    }
    *data = malloc(count * sizeof(float));
    if (!*data) {
        st = CLG_ERR_NOMEM;
        why = "out of memory";
        goto out;
    }
    memcpy(*data, b + off, count * sizeof(float));
    *ndim = nd;
    memcpy(dims, d, sizeof d);
    return CLG_OK;
trunc:
    why = "truncated (the file is shorter than its header says)";
out:
    return clg_errf(e, st, "%s: %s", name, why);
}

/* 2^30 floats and a header at most */
#define NPY_MAX_FILE ((int64_t)(1LL << 32) + 8192)

int clg_npy_load(float **data, int *ndim, int dims[4], const char *path, clg_err *e)
{
    *data = NULL;
    uint8_t *buf;
    size_t len;
    int st = clg_read_file(&buf, &len, path, NPY_MAX_FILE, 0, e);
    if (st == CLG_ERR_FORMAT) return clg_errf(e, st, "%s: more than 4 GiB: too large for a .npy of float32", path);
    if (st == CLG_OK) st = clg_npy_parse(data, ndim, dims, buf, len, path, e);
    free(buf);
    return st;
}

int clg_npy_read(float **data, int *ndim, int dims[4], const char *path, char *err, size_t errlen)
{
    clg_err e = {0};
    return clg_err_export(err, errlen, &e, clg_npy_load(data, ndim, dims, path, &e));
}

int clg_npy_save(const char *path, const float *data, int ndim, const int *dims, clg_err *e)
{
    char shape[128] = "", header[256];
    size_t count = 1;
    for (int i = 0; i < ndim; i++) {
        size_t len = strlen(shape);
        snprintf(shape + len, sizeof shape - len, "%d,%s", dims[i], ndim > 1 && i < ndim - 1 ? " " : "");
        count *= (size_t)dims[i];
    }
    if (ndim > 1) shape[strlen(shape) - 1] = 0; /* (n, c, h, w) without the trailing comma */
    int n = snprintf(header, sizeof header, "{'descr': '<f4', 'fortran_order': False, 'shape': (%s), }", shape);
    size_t total = 10 + (size_t)n + 1, pad = (64 - total % 64) % 64;
    char tmp[CLG_TMP_PATH];
    FILE *f;
    TRY(clg_tmp_open(&f, tmp, path, e));
    uint16_t hl = (uint16_t)(n + pad + 1);
    unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)(hl & 0xff), (unsigned char)(hl >> 8)};
    int ok = fwrite(pre, 1, 10, f) == 10 && fwrite(header, 1, (size_t)n, f) == (size_t)n;
    for (size_t i = 0; i < pad && ok; i++) ok = fputc(' ', f) != EOF;
    ok = ok && fputc('\n', f) != EOF && fwrite(data, sizeof(float), count, f) == count;
    return clg_tmp_commit(f, tmp, path, ok, 0, e);
}

int clg_npy_write(const char *path, const float *data, int ndim, const int *dims, char *err, size_t errlen)
{
    clg_err e = {0};
    return clg_err_export(err, errlen, &e, clg_npy_save(path, data, ndim, dims, &e));
}
