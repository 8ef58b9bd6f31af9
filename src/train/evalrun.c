/* evalrun.c — `clgan eval` as a library call: the classifier loaded, the samples taken from a
 * .npy or from a checkpoint's generator and brought to the classifier's pixel range, the real
 * images (test split) and training images (the floor and the memorisation set) read, every score
 * computed for the samples and for the real-versus-real floor, printed and written as JSON.
 */
#include <stdlib.h>
#include <string.h>

#include "eval/evaluate.h"
#include "io/npy.h"
#include "train/classify.h"

/* The samples of `src` as images in the classifier's range: a .npy, or a generator's outputs. */
static int load_samples(float **x, size_t *n, clg_classifier *c, clg_ctx *ctx, const char *src, int pm1, long seed)
{
    size_t item = clg_shape_size(c->in), len = strlen(src);
    float lo = pm1 ? -1.0f : 0.0f, hi = 1.0f;
    *x = NULL;
    if (len > 4 && !strcmp(src + len - 4, ".npy")) {
        int dims[4], nd = 0;
        TRY(clg_npy_load(x, &nd, dims, src, &ctx->err));
        size_t per = 1;
        for (int i = 1; i < nd; i++) per *= (size_t)dims[i];
        int ok = nd >= 2 && per == item && (nd == 2 || (nd == 4 && dims[1] == c->in.c && dims[2] == c->in.h));
        if (!ok || dims[0] < 4) {
            return clg_fail(ctx, CLG_ERR_FORMAT, "%s: expected at least 4 images of shape (n, %d, %d, %d) or (n, %zu) "
                            "for the classifier %s", src, c->in.c, c->in.h, c->in.w, item, c->path);
        }
        if ((size_t)dims[0] < *n) *n = (size_t)dims[0];
    } else {
        clg_generator *g;
        int nz, gc, gh, gw;
        TRY(clg_generator_load(&g, ctx, src));
        clg_generator_shape(g, &nz, &gc, &gh, &gw);
        clg_generator_range(g, &lo, &hi);
        float *z = NULL;
        int st = CLG_OK;
        if ((size_t)gc * gh * gw != item) {
            st = clg_fail(ctx, CLG_ERR_FORMAT, "%s: the generator makes %dx%dx%d images; the classifier %s takes %dx%dx%d",
                          src, gc, gh, gw, c->path, c->in.c, c->in.h, c->in.w);
        } else if (!(z = malloc(*n * nz * sizeof *z)) || !(*x = malloc(*n * item * sizeof **x))) {
            st = clg_fail(ctx, CLG_ERR_NOMEM, "out of host memory for %s's samples", src);
        } else {
            clg_generator_noise(g, z, (int)*n, (uint64_t)seed);
            st = clg_generator_run(g, *x, z, (int)*n);
        }
        free(z);
        clg_generator_free(g);
        TRY(st);
    }
    float clo = c->cfg.range == CLG_RANGE_01 ? 0.0f : -1.0f;
    for (size_t i = 0; i < *n * item; i++) {
        if (!((*x)[i] == (*x)[i]) || (*x)[i] > 1e30f || (*x)[i] < -1e30f) {
            return clg_fail(ctx, CLG_ERR_FORMAT, "%s: value %zu of image %zu is not finite", src, i % item, i / item);
        }
        (*x)[i] = clo + (1.0f - clo) * ((*x)[i] - lo) / (hi - lo);
    }
    return CLG_OK;
}


int clg_eval_samples(clg_ctx *ctx, const char *samples, const char *classifier, const char *real, int n, long seed,
                     int npy_range_pm1, const char *json, FILE *out)
{
    clg_classifier c;
    float *gen = NULL, *rx = NULL, *tx = NULL;
    size_t ng = (size_t)n, nr = (size_t)n, nt = (size_t)n + (n < 5000 ? (size_t)n : 5000);
    clg_scores s, f;
    int st = clg_classifier_load(&c, ctx, classifier);
    if (st == CLG_OK && !real) real = c.cfg.test_images;
    if (st == CLG_OK) st = load_samples(&gen, &ng, &c, ctx, samples, npy_range_pm1, seed);
    if (st == CLG_OK) st = clg_eval_read_idx(&rx, &nr, &c, real, 0, &ctx->err);
    if (st == CLG_OK) st = clg_eval_read_idx(&tx, &nt, &c, c.cfg.images, 0, &ctx->err);
    /* the floor: as many training images as samples; the memorisation set: the training images after them */
    size_t nf = ng < nt / 2 ? ng : nt / 2, item = clg_shape_size(c.in);
    if (st == CLG_OK) st = clg_eval_score(&s, &c, gen, ng, rx, nr, tx + nf * item, nt - nf);
    if (st == CLG_OK) st = clg_eval_score(&f, &c, tx, nf, rx, nr, tx + nf * item, nt - nf);
    if (st == CLG_OK) {
        fprintf(out, "samples %s, real %s (%zu), classifier %s (test accuracy %.4f)\n", samples, real, nr, classifier,
                c.accuracy);
        clg_eval_print(out, &s, &f, c.cfg.classes);
    }
    if (st == CLG_OK && json) st = clg_eval_json(json, &s, &f, c.cfg.classes, samples, classifier, &ctx->err);
    free(gen), free(rx), free(tx);
    clg_classifier_free(&c);
    return st;
}
