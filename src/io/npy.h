/* npy.h — NumPy .npy files of float32 (C order): reading latent vectors, writing generator
 * outputs.
 */
#ifndef CLGAN_NPY_H
#define CLGAN_NPY_H

#include <stddef.h>

/* Read a little-endian float32, C-order .npy file of 1..4 dimensions. *data is malloc'ed. */
int clg_npy_read(float **data, int *ndim, int dims[4], const char *path, char *err, size_t errlen);
/* Write float32 data of shape dims[0..ndim) (via a temp file and rename). */
int clg_npy_write(const char *path, const float *data, int ndim, const int *dims, char *err, size_t errlen);

#endif
