/* dataset.c — the device-resident training set: IDX images (idx.c) or a folder of images
 * (folder.c), uploaded once as
 * bytes, shuffled per epoch on the host (a permutation of ints, uploaded once per epoch) and
 * gathered into float batches by the gather_u8 kernel.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config/config.h"
#include "data/dataset.h"
#include "data/folder.h"
#include "data/idx.h"

/* Read an IDX file into CHW bytes. */
static int load_idx(uint8_t **data, int *n, clg_shape *shape, const clg_data_cfg *cfg, clg_err *e)
{
    clg_idx idx;
    int st = clg_idx_load(&idx, cfg->path, cfg->limit, e);
    if (st != CLG_OK) return st;
    if (idx.ndim == 3) *shape = (clg_shape){1, idx.dims[1], idx.dims[2]};
    else if (idx.ndim == 4) *shape = (clg_shape){idx.dims[3], idx.dims[1], idx.dims[2]}; /* IDX stores HWC */
    else {
        clg_idx_free(&idx);
        return clg_errf(e, CLG_ERR_FORMAT, "%s: an image file needs 3 or 4 dimensions (N,H,W[,C]) but has %d",
                        cfg->path, idx.ndim);
    }
    if (idx.ndim == 4 && shape->c > 1) {
        size_t hw = (size_t)shape->h * shape->w, c = (size_t)shape->c;
        uint8_t *tmp = malloc(idx.item_size);
        if (!tmp) return clg_idx_free(&idx), clg_errf(e, CLG_ERR_NOMEM, "out of host memory");
        for (int i = 0; i < idx.n; i++) {
            uint8_t *img = idx.data + (size_t)i * idx.item_size;
            for (size_t p = 0; p < hw; p++)
                for (size_t k = 0; k < c; k++) tmp[k * hw + p] = img[p * c + k];
            memcpy(img, tmp, idx.item_size);
        }
        free(tmp);
    }
    *data = idx.data; /* ownership moves to the caller */
    *n = idx.n;
    return CLG_OK;
}

/* Upload n images of ds->shape (CHW bytes; takes ownership of data) and set the scaling. */
static int upload(clg_dataset *ds, clg_ctx *ctx, clg_range range, const char *what_path, uint8_t *data, int n)
{
    size_t item = clg_shape_size(ds->shape);
    ds->n = n;
    if (range == CLG_RANGE_01) {
        ds->scale = 1.0f / 255.0f;
        ds->shift = 0.0f;
    } else {
        ds->scale = 1.0f / 127.5f;
        ds->shift = -1.0f;
    }
    size_t bytes = (size_t)n * item;
    char what[1200], hint[96];
    snprintf(what, sizeof what, "the %d images (%zu bytes each) of %.1000s", n, item, what_path);
    snprintf(hint, sizeof hint, "set data.limit below %d", n);
    if (clg_mem_check(ctx, bytes, what, bytes, what, hint) != CLG_OK) {
        free(data);
        return CLG_ERR_NOMEM;
    }
    int st = clg_buf_create(ctx, &ds->data, CLG_U8, bytes, data, what);
    free(data);
    if (st != CLG_OK) return st;
    ds->perm = malloc((size_t)ds->n * sizeof(int));
    if (!ds->perm) {
        clg_dataset_close(ds);
        return clg_fail(ctx, CLG_ERR_NOMEM, "out of memory for the shuffle of %d images", n);
    }
    /* the identity order until the first shuffle, so a batch gathered before it is defined */
    for (int i = 0; i < ds->n; i++) ds->perm[i] = i;
    if (clg_buf_create(ctx, &ds->perm_dev, CLG_I32, (size_t)ds->n, ds->perm, "the data set's order") != CLG_OK) {
        clg_dataset_close(ds);
        return clg_fail(ctx, CLG_ERR_NOMEM, "out of memory for the shuffle of %d images", n);
    }
    return CLG_OK;
}

int clg_dataset_open(clg_dataset *ds, clg_ctx *ctx, const clg_data_cfg *cfg, FILE *log)
{
    memset(ds, 0, sizeof *ds);
    uint8_t *data = NULL;
    int n = 0, st;
    struct stat sb;
    if (stat(cfg->path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        clg_folder f;
        st = clg_folder_load(&f, cfg->path, cfg->channels, cfg->size, cfg->size,
                             cfg->background, cfg->limit, &ctx->err);
        if (st != CLG_OK) return st;
        if (f.skipped && log)
            fprintf(log, "warning: %s: skipped %d %s (first: %s)\n", cfg->path, f.skipped,
                    f.skipped > 1 ? "files that are not readable images" : "file that is not a readable image",
                    f.first_skipped);
        data = f.data;
        n = f.n;
        ds->shape = (clg_shape){f.c, f.h, f.w};
    } else {
        st = load_idx(&data, &n, &ds->shape, cfg, &ctx->err);
        if (st != CLG_OK) return st;
    }
    return upload(ds, ctx, cfg->range, cfg->path, data, n);
}

int clg_dataset_synthetic(clg_dataset *ds, clg_ctx *ctx, clg_shape shape, int n, long seed, clg_range range)
{
    memset(ds, 0, sizeof *ds);
    ds->shape = shape;
    size_t bytes = (size_t)n * clg_shape_size(shape);
    uint8_t *data = malloc(bytes ? bytes : 1);
    if (!data) return clg_fail(ctx, CLG_ERR_NOMEM, "out of host memory");
    clg_rng r = {(uint64_t)seed + 99};
    for (size_t i = 0; i < bytes; i++) data[i] = (uint8_t)(clg_rng_next(&r) >> 56);
    return upload(ds, ctx, range, "synthetic", data, n);
}

void clg_dataset_close(clg_dataset *ds)
{
    clg_buf_release(&ds->data);
    clg_buf_release(&ds->perm_dev);
    free(ds->perm);
    memset(ds, 0, sizeof *ds);
}

int clg_dataset_shuffle(clg_dataset *ds, clg_ctx *ctx, clg_rng *rng)
{
    for (int i = 0; i < ds->n; i++) ds->perm[i] = i;
    for (int i = ds->n - 1; i > 0; i--) {
        int j = (int)clg_rng_below(rng, (uint32_t)i + 1);
        int t = ds->perm[i];
        ds->perm[i] = ds->perm[j];
        ds->perm[j] = t;
    }
    return clg_buf_write_raw(ctx, &ds->perm_dev, ds->perm, (size_t)ds->n, 1);
}

int clg_dataset_batch(clg_dataset *ds, clg_ctx *ctx, clg_buf *out, int base, int n)
{
    /* the gather kernel indexes a batch in int */
    size_t isz = clg_shape_size(ds->shape);
    if (n < 0 || base < 0 || isz > INT_MAX || (n && isz > (size_t)INT_MAX / (size_t)n) || n > ds->n - base)
        return clg_fail(ctx, CLG_ERR_ARG, "a batch of %d images of %zu bytes from %d is outside the data set (%d images) "
                        "or the 2^31 elements a batch may hold", n, isz, base, ds->n);
    int item = (int)isz;
    return CLG_LAUNCH1(ctx, CLG_K_GATHER_U8, n * item, KA_MEM(out->sub), KA_MEM(ds->data.sub), KA_MEM(ds->perm_dev.sub),
                       KA_INT(n), KA_INT(item), KA_INT(base), KA_FLT(ds->scale), KA_FLT(ds->shift));
}
