/* labels.h — class labels from an IDX file of one dimension (unsigned bytes, raw or .gz: MNIST's
 * and Fashion-MNIST's train-labels-idx1-ubyte), checked against the number of classes. */
#ifndef CLGAN_DATA_LABELS_H
#define CLGAN_DATA_LABELS_H

#include <stdint.h>

#include "base/err.h"

/* *out = n labels (malloc'd; free()), the first `limit` (> 0) or all. Each must be below
 * `classes`; a file of more than one dimension or a label out of range is CLG_ERR_FORMAT with a
 * message naming the path (and the item). On failure *out is NULL. */
int clg_labels_load(uint8_t **out, int *n, const char *path, int limit, int classes, clg_err *e);

#endif
