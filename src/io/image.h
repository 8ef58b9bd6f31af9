/* image.h — writing sample grids: n images (NCHW floats) tiled into one PNG. */
#ifndef CLGAN_IMAGE_H
#define CLGAN_IMAGE_H

#include "base/err.h"

/* Tile n images of (c,h,w) floats in [lo, hi] into a grid with a 2-pixel border (cols columns;
 * cols <= 0: near-square), written to `path` (via a temp file and rename). c is 1 (grey) or 3
 * (RGB). CLG_OK, or CLG_ERR_IO with the message in e. (clg_write_image_grid in clgan.h is the
 * public form, returning -1.) */
int clg_image_grid(const char *path, const float *x, int n, int c, int h, int w, float lo, float hi, int cols,
                   clg_err *e);

#endif
