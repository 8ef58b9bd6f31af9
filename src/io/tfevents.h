/* tfevents.h — a TensorBoard event-file writer: scalars and PNG images as Event protocol
 * buffers (encoded by hand: a handful of fields), in TFRecord framing with masked CRC32C, in a
 * file events.out.tfevents.<seconds>.<hostname> that TensorBoard reads as it grows.
 * Every record is flushed to the file as it is written, so a crash leaves whole records only.
 */
#ifndef CLGAN_IO_TFEVENTS_H
#define CLGAN_IO_TFEVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

typedef struct clg_tfevents clg_tfevents;

/* Create `dir` if it is missing (its parent must exist) and a new event file in it, whose first
 * record names the format ("brain.Event:2"). The file name gets a ".N" suffix if one of the same
 * second and host exists. */
int clg_tfevents_open(clg_tfevents **out, const char *dir, clg_err *e);

/* One scalar (stored as a float, TensorBoard's simple_value) under `tag` at `step`. */
int clg_tfevents_scalar(clg_tfevents *w, const char *tag, int64_t step, double value, clg_err *e);

/* One image: `png` holds a whole PNG file of height × width pixels with `channels` (1 grey,
 * 2 grey + alpha, 3 RGB, 4 RGBA; TensorBoard's colorspace). The PNG's own header must agree with
 * height and width. */
int clg_tfevents_image(clg_tfevents *w, const char *tag, int64_t step, const void *png, size_t png_len, int height,
                       int width, int channels, clg_err *e);

/* Flush the stdio buffer (each call above already does after its record). */
int clg_tfevents_flush(clg_tfevents *w, clg_err *e);

/* Close the file and free the writer (NULL: nothing). Reports a failing close. */
int clg_tfevents_close(clg_tfevents *w, clg_err *e);

/* The event file's path. */
const char *clg_tfevents_path(const clg_tfevents *w);

/* CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) of n bytes, continuing from `crc`
 * (0 to start): clg_crc32c(0, "123456789", 9) == 0xE3069283. */
uint32_t clg_crc32c(uint32_t crc, const void *data, size_t n);

/* TFRecord's masked CRC32C of n bytes: ((c >> 15) | (c << 17)) + 0xa282ead8. */
uint32_t clg_crc32c_masked(const void *data, size_t n);

#endif
