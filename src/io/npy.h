/* npy.h — NumPy .npy files of float32 (C order): reading latent vectors, writing generator
 * outputs. The functions are public (clgan.h); this header adds the reader from memory.
 */
#ifndef CLGAN_NPY_H
#define CLGAN_NPY_H

#include <stddef.h>

#include "clgan/clgan.h"

/* clg_npy_read on a file held in memory (buf, len bytes), `name` naming it in messages: *data
 * (malloc'ed, ndim/dims set) on CLG_OK; CLG_ERR_FORMAT / CLG_ERR_NOMEM with one line in err. No
 * allocation larger than the data present in buf. */
int clg_npy_parse(float **data, int *ndim, int dims[4], const void *buf, size_t len, const char *name, char *err,
                  size_t errlen);

#endif
