/* test_sizes.c — size arithmetic that must not overflow int: a sample grid too large for a PNG
 * is refused before the pixels are touched, and a data-set batch outside the set is refused
 * before the gather kernel runs (its 2^31-element bound needs a set of over 2 GiB, not built
 * here); a batch gathered before the first shuffle takes the images in order.
 */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clgan/clgan.h"
#include "config/config.h"
#include "data/dataset.h"
#include "io/image.h"
#include "testutil.h"

int main(int argc, char **argv)
{
    if (argc < 2) return fprintf(stderr, "usage: test_sizes SCRATCH\n"), 2;
    char path[600], err[512];
    snprintf(path, sizeof path, "%s-grid.png", argv[1]);
    float px[16] = {0};
    /* 46341^2 > 2^31: the old int arithmetic overflowed, and the pixels (x) were read past 16 */
    CHECK(clg_write_image_grid(path, px, 1, 1, 46341, 46341, 0, 1, 0, err, sizeof err) == -1 &&
              strstr(err, "too large"),
          "46341x46341 grid: %s", err);
    CHECK(clg_write_image_grid(path, px, 4, 3, 1 << 20, 1 << 20, 0, 1, INT_MAX, err, sizeof err) == -1,
          "2^20 x 2^20 x 4 grid: %s", err);
    CHECK(clg_write_image_grid(path, px, 1, 1, 4, 0, 0, 1, 0, err, sizeof err) == -1, "width 0: %s", err);
    CHECK(clg_write_image_grid(path, px, 4, 1, 2, 2, 0, 1, 1000, err, sizeof err) == 0, "4 tiles, 1000 columns: %s",
          err);
    /* a path too long for the temporary name is refused, not cut short into another file's name */
    static char longpath[4400];
    memset(longpath, 'a', sizeof longpath - 1);
    CHECK(clg_write_image_grid(longpath, px, 1, 1, 2, 2, 0, 1, 0, err, sizeof err) == -1 && strstr(err, "too long"),
          "a 4399-byte path: %s", err);

    clg_ctx *ctx = test_ctx();
    clg_dataset ds;
    clg_shape shape = {1, 4, 4};
    CHECK(clg_dataset_synthetic(&ds, ctx, shape, 10, 0, CLG_RANGE_PM1) == CLG_OK, "synthetic: %s", clg_last_error(ctx));
    clg_buf out;
    CHECK_OK(ctx, clg_buf_alloc(ctx, &out, 10 * 16, "batch"));
    /* before any shuffle the order is the identity (the device permutation was once left unset) */
    CHECK(clg_dataset_batch(&ds, ctx, &out, 0, 10) == CLG_OK, "batch before the first shuffle");
    {
        uint8_t bytes[160];
        float got[160];
        CHECK_OK(ctx, clg_buf_read(ctx, got, &out, 160));
        CHECK(clg_buf_read_raw(ctx, bytes, &ds.data, sizeof bytes) == CLG_OK,
              "read the set");
        int same = 1;
        for (int i = 0; i < 160; i++) same &= fabsf(got[i] - ((float)bytes[i] * ds.scale + ds.shift)) < 1e-5f;
        CHECK(same, "a batch before the first shuffle is the first images in order");
    }
    clg_rng rng = {1};
    CHECK(clg_dataset_shuffle(&ds, ctx, &rng) == CLG_OK, "shuffle");
    CHECK(clg_dataset_batch(&ds, ctx, &out, 0, 10) == CLG_OK, "batch of all 10");
    CHECK(clg_dataset_batch(&ds, ctx, &out, 8, 4) == CLG_ERR_ARG, "batch past the end");
    CHECK(clg_dataset_batch(&ds, ctx, &out, 0, INT_MAX / 8) == CLG_ERR_ARG, "a batch of INT_MAX / 8 images");
    {
        /* partial transfers stay inside the buffer (a view's transfers address its whole parent) */
        float h[8] = {0};
        CHECK(clg_buf_read_at(ctx, h, &out, 156, 4) == CLG_OK, "read the last 4 values");
        CHECK(clg_buf_read_at(ctx, h, &out, 157, 4) == CLG_ERR_INTERNAL, "read 1 value past the end refused");
        CHECK(clg_buf_write_at(ctx, &out, 161, h, 1) == CLG_ERR_INTERNAL, "write past the end refused");
        CHECK(clg_buf_write_at(ctx, &out, SIZE_MAX, h, 2) == CLG_ERR_INTERNAL, "a wrapping offset refused");
        clg_buf v;
        CHECK_OK(ctx, clg_buf_view(ctx, &v, &out, 0, 16, "view"));
        CHECK(clg_buf_read_at(ctx, h, &v, 14, 4) == CLG_ERR_INTERNAL, "a view's read past its end (inside the parent) refused");
        CHECK(clg_buf_write_at(ctx, &v, 16, h, 1) == CLG_ERR_INTERNAL, "a view's write past its end refused");
        clg_buf_release(&v);
    }
    clg_buf_release(&out);
    clg_dataset_close(&ds);
    clg_ctx_free(ctx);
    return test_summary("sizes");
}
