/* image.c — sample grids as PNG files (stb_image_write), written to a temp file and renamed so
 * a viewer never sees half an image.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stb_image_write.h>

#include "clgan/clgan.h"
#include "io/image.h"

/* The public writer keeps its -1 and err/errlen. */
int clg_write_image_grid(const char *path, const float *x, int n, int c, int h, int w, float lo, float hi, int cols,
                         char *err, size_t errlen)
{
    clg_err e = {0};
    return clg_err_export(err, errlen, &e, clg_image_grid(path, x, n, c, h, w, lo, hi, cols, &e)) == CLG_OK ? 0 : -1;
}

int clg_image_grid(const char *path, const float *x, int n, int c, int h, int w, float lo, float hi, int cols, clg_err *e)
{
    if (n <= 0 || (c != 1 && c != 3) || h <= 0 || w <= 0) {
        return clg_errf(e, CLG_ERR_IO, "%s: cannot draw %d images of %d channels of %dx%d", path, n, c, h, w);
    }
    if (cols <= 0) cols = (int)ceil(sqrt((double)n));
    if (cols > n) cols = n;
    int rows = (n + cols - 1) / cols, pad = 2;
    /* stb_image_write sizes its buffers in int: (W * c + 1) * H bytes must fit */
    int64_t W64 = (int64_t)cols * (w + pad) + pad, H64 = (int64_t)rows * (h + pad) + pad;
    if (W64 > INT_MAX / 4 || H64 > INT_MAX / 4 || (W64 * c + 1) * H64 > INT_MAX) {
        return clg_errf(e, CLG_ERR_IO, "%s: a grid of %lldx%lld pixels is too large for a PNG", path, (long long)W64,
                        (long long)H64);
    }
    int W = (int)W64, H = (int)H64;
    unsigned char *img = malloc((size_t)W * H * c);
    if (!img) {
        return clg_errf(e, CLG_ERR_IO, "%s: out of memory", path);
    }
    memset(img, 40, (size_t)W * H * c);
    for (int i = 0; i < n; i++) {
        int gx = pad + (i % cols) * (w + pad), gy = pad + (i / cols) * (h + pad);
        for (int k = 0; k < c; k++)
            for (int y = 0; y < h; y++)
                for (int xx = 0; xx < w; xx++) {
                    float v = x[(((size_t)i * c + k) * h + y) * w + xx];
                    float t = (v - lo) / (hi - lo);
                    if (!(t > 0.0f)) t = 0.0f; /* NaN too */
                    if (t > 1.0f) t = 1.0f;
                    img[((size_t)(gy + y) * W + gx + xx) * c + k] = (unsigned char)lrintf(t * 255.0f);
                }
    }
    char tmp[4200];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
        free(img);
        return clg_errf(e, CLG_ERR_IO, "%.200s...: path too long (at most %zu bytes)", path, sizeof tmp - 5);
    }
    int ok = stbi_write_png(tmp, W, H, c, img, W * c);
    free(img);
    if (!ok || rename(tmp, path) != 0) {
        int st = clg_errf(e, CLG_ERR_IO, "%s: cannot write PNG: %s", path, strerror(errno));
        remove(tmp);
        return st;
    }
    return CLG_OK;
}
