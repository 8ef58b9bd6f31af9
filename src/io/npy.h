/* npy.h — NumPy .npy files of float32 (C order): reading latent vectors, writing generator
 * outputs. The functions are public (clgan.h); this header adds the reader from memory and the
 * forms that report into a clg_err.
 */
#ifndef CLGAN_NPY_H
#define CLGAN_NPY_H

#include <stddef.h>

#include "base/err.h"

/* clg_npy_read on a file held in memory (buf, len bytes), `name` naming it in messages: *data
 * (malloc'ed, ndim/dims set) on CLG_OK; CLG_ERR_FORMAT / CLG_ERR_NOMEM with one line in e. No
 * allocation larger than the data present in buf. */
int clg_npy_parse(float **data, int *ndim, int dims[4], const void *buf, size_t len, const char *name, clg_err *e);
/* clg_npy_read and clg_npy_write (their public forms copy e's message into err/errlen). */
int clg_npy_load(float **data, int *ndim, int dims[4], const char *path, clg_err *e);
int clg_npy_save(const char *path, const float *data, int ndim, const int *dims, clg_err *e);

#endif
