/* folder.h — an image-folder data set: every PNG, JPEG, BMP, TGA and binary PNM image below a
 * folder, decoded once, resized to a fixed size and turned into 1 or 3 channels; and the decoder
 * of one image held in memory that it is built on.
 */
#ifndef CLGAN_DATA_FOLDER_H
#define CLGAN_DATA_FOLDER_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

/* Bounds checked before any pixel is decoded: a larger image is refused, not decoded. */
#define CLG_IMAGE_MAX_SIDE 16384             /* pixels, either side */
#define CLG_IMAGE_MAX_PIXELS ((int64_t)1 << 25) /* width x height (32 Mpx: 128 MiB as RGBA) */
#define CLG_IMAGE_MAX_FILE ((int64_t)256 << 20) /* bytes of one image file */

typedef struct clg_folder {
    uint8_t *data;   /* n images of (c, h, w) bytes, CHW */
    int n, c, h, w;
    int skipped;     /* files that could not be decoded */
    char first_skipped[512];
} clg_folder;

/* Decode one image file held in memory (buf, len bytes) into `out`, c x h x w bytes, CHW: alpha
 * is composited onto the grey level `background` (0..255), grey images are replicated for c = 3
 * and colour averaged (ITU-R 601 luma) for c = 1, and the image is resized to h x w with
 * stb_image_resize. Formats, told apart by content: PNG (libpng), JPEG (libjpeg-turbo), binary
 * PGM/PPM (P5/P6, 8 or 16 bits), BMP and TGA (stb_image); anything else, or an image over the
 * bounds above, is refused before decoding. Pure host code, no global state: safe on any bytes.
 * Returns CLG_OK; CLG_ERR_FORMAT (not a readable image; the reason in e), CLG_ERR_NOMEM, or
 * CLG_ERR_ARG (c not 1 or 3, h or w outside 1..CLG_IMAGE_MAX_SIDE, background outside 0..255).
 * e may be NULL. */
int clg_image_decode(uint8_t *out, const void *buf, size_t len, int c, int h, int w, int background, clg_err *e);

/* Decode the images below `dir` (recursively, in sorted path order so runs are reproducible)
 * into c channels of h x w with clg_image_decode. limit > 0 stops after that many images. Files
 * that cannot be decoded are skipped and counted. A missing folder, or one without any readable
 * image, is an error (CLG_ERR_IO / CLG_ERR_FORMAT with one line in e). */
int clg_folder_load(clg_folder *out, const char *dir, int c, int h, int w, int background, int limit, clg_err *e);
void clg_folder_free(clg_folder *f);

#endif
