/* idx.h — reader for IDX files, the format of MNIST, Fashion-MNIST and KMNIST.
 *
 * An IDX file is a big-endian header (two zero bytes, a data-type byte, a dimension-count byte,
 * then one uint32 per dimension) followed by the data, row-major. Files may be raw or
 * gzip-compressed; the reader tells them apart by content, not by name. Only unsigned-byte data
 * (type 0x08) is accepted, with 1 to 4 dimensions.
 */
#ifndef CLGAN_DATA_IDX_H
#define CLGAN_DATA_IDX_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

typedef struct clg_idx {
    uint8_t *data;     /* n * item_size bytes, row-major */
    int n;             /* first dimension: number of items */
    int ndim;          /* 1..4 */
    int dims[4];       /* dims[0] == n */
    size_t item_size;  /* product of dims[1..ndim-1] (1 for ndim==1) */
} clg_idx;

/* Load a raw or gzip-compressed IDX file of unsigned bytes. limit > 0 loads only the first
 * `limit` items (the rest is still checked: a gzip stream is inflated to its end to verify its
 * CRC, a raw file must hold all the data its header announces); limit <= 0 loads them all.
 * Returns CLG_OK, or CLG_ERR_ARG / CLG_ERR_IO / CLG_ERR_FORMAT / CLG_ERR_NOMEM with one line in
 * `e` (may be NULL) naming the path and the problem; on failure *out is left zeroed. */
int clg_idx_load(clg_idx *out, const char *path, int limit, clg_err *e);

/* Free the data of `idx` and zero it; safe on a zeroed struct and on NULL. */
void clg_idx_free(clg_idx *idx);

#endif
