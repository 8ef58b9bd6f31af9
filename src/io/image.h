/* image.h — writing sample grids: n images (NCHW floats) tiled into one PNG. */
#ifndef CLGAN_IMAGE_H
#define CLGAN_IMAGE_H

#include <stddef.h>

/* Tile n images of (c,h,w) floats in [lo, hi] into a near-square grid with a 2-pixel border,
 * written to `path` (via a temp file and rename). c is 1 (grey) or 3 (RGB). Returns 0, or -1
 * with a message in err. */
int clg_write_grid(const char *path, const float *x, int n, int c, int h, int w, float lo, float hi, char *err,
                   size_t errlen);

#endif
