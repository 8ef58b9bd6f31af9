/* npy.h — NumPy .npy files of float32 (C order): reading latent vectors, writing generator
 * outputs. The functions are public (clgan.h); this header is kept for the library's own use.
 */
#ifndef CLGAN_NPY_H
#define CLGAN_NPY_H

#include "clgan/clgan.h"

#endif
