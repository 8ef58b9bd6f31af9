/* labels.c — class labels from a one-dimensional IDX file (the IDX reader does the file). */
#include <stdlib.h>

#include "data/idx.h"
#include "data/labels.h"

int clg_labels_load(uint8_t **out, int *n, const char *path, int limit, int classes, clg_err *e)
{
    *out = NULL;
    *n = 0;
    clg_idx idx;
    int st = clg_idx_load(&idx, path, limit, e);
    if (st != CLG_OK) return st;
    if (idx.ndim != 1) {
        clg_idx_free(&idx);
        return clg_errf(e, CLG_ERR_FORMAT, "%s: not a label file: %d dimensions, expected 1 (one byte per image)",
                        path, idx.ndim);
    }
    for (int i = 0; i < idx.n; i++)
        if (idx.data[i] >= classes) {
            int bad = idx.data[i];
            clg_idx_free(&idx);
            return clg_errf(e, CLG_ERR_FORMAT, "%s: item %d has label %d, outside the %d classes (0 to %d)", path, i,
                            bad, classes, classes - 1);
        }
    *out = idx.data;
    *n = idx.n;
    return CLG_OK;
}
