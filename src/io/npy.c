/* npy.c — the .npy format (version 1.0-3.0 headers): magic "\x93NUMPY", version, header length,
 * then a Python dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (...)} padded
 * with spaces to a multiple of 64 bytes, then the data. Only float32 in C order is accepted.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clgan/clgan.h"
#include "io/npy.h"

int clg_npy_read(float **data, int *ndim, int dims[4], const char *path, char *err, size_t errlen)
{
    *data = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno)), CLG_ERR_IO;
    unsigned char pre[10];
    char header[4096];
    int st = CLG_ERR_FORMAT;
    const char *why = NULL;
    if (fread(pre, 1, 8, f) != 8 || memcmp(pre, "\x93NUMPY", 6)) {
        why = "not a .npy file (no \\x93NUMPY magic)";
        goto out;
    }
    uint32_t hl;
    if (pre[6] == 1) {
        unsigned char b[2];
        if (fread(b, 1, 2, f) != 2) goto trunc;
        hl = b[0] | (uint32_t)b[1] << 8;
    } else if (pre[6] == 2 || pre[6] == 3) {
        unsigned char b[4];
        if (fread(b, 1, 4, f) != 4) goto trunc;
        hl = b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    } else {
        why = "unsupported .npy version";
        goto out;
    }
    if (hl >= sizeof header) {
        why = "header too long";
        goto out;
    }
    if (fread(header, 1, hl, f) != hl) goto trunc;
    header[hl] = 0;
    if (!strstr(header, "'descr': '<f4'") && !strstr(header, "'descr':'<f4'")) {
        why = "data type is not float32 ('<f4'); save with x.astype(np.float32)";
        goto out;
    }
    if (strstr(header, "'fortran_order': True")) {
        why = "Fortran order is not supported; save with np.ascontiguousarray(x)";
        goto out;
    }
    const char *s = strstr(header, "'shape':");
    const char *p = s ? strchr(s, '(') : NULL;
    if (!p) {
        why = "no shape in the header";
        goto out;
    }
    p++;
    *ndim = 0;
    size_t count = 1;
    while (*p && *p != ')') {
        char *end;
        long v = strtol(p, &end, 10);
        if (end == p) {
            p++;
            continue;
        }
        if (*ndim == 4 || v <= 0 || v > (1L << 30)) {
            why = "shape has more than 4 dimensions or a bad size";
            goto out;
        }
        dims[(*ndim)++] = (int)v;
        count *= (size_t)v;
        p = end;
    }
    if (*ndim == 0 || count > (1u << 30)) {
        why = "bad shape";
        goto out;
    }
    *data = malloc(count * sizeof(float));
    if (!*data) {
        st = CLG_ERR_NOMEM;
        why = "out of memory";
        goto out;
    }
    if (fread(*data, sizeof(float), count, f) != count) goto trunc;
    fclose(f);
    return CLG_OK;
trunc:
    why = "truncated";
out:
    fclose(f);
    free(*data);
    *data = NULL;
    snprintf(err, errlen, "%s: %s", path, why);
    return st;
}

int clg_npy_write(const char *path, const float *data, int ndim, const int *dims, char *err, size_t errlen)
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
    char tmp[1200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    if (!f) return snprintf(err, errlen, "%s: cannot create: %s", tmp, strerror(errno)), CLG_ERR_IO;
    uint16_t hl = (uint16_t)(n + pad + 1);
    unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)(hl & 0xff), (unsigned char)(hl >> 8)};
    int ok = fwrite(pre, 1, 10, f) == 10 && fwrite(header, 1, (size_t)n, f) == (size_t)n;
    for (size_t i = 0; i < pad && ok; i++) ok = fputc(' ', f) != EOF;
    ok = ok && fputc('\n', f) != EOF && fwrite(data, sizeof(float), count, f) == count;
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) {
        remove(tmp);
        return snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno)), CLG_ERR_IO;
    }
    return CLG_OK;
}
