/* classify.c — the domain classifier's training loop: the train split's images resident on the
 * device (the GAN's data set) with its labels as a second byte set gathered through the same
 * permutation, per step a forward, the softmax cross-entropy kernel (cl/loss.cl), backward and one
 * optimizer update; statistics read back every train.log_every steps; the test accuracy after
 * each epoch; the classifier written at the end.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "data/dataset.h"
#include "data/labels.h"
#include "train/classify.h"

/* Open one split: its images on the device, its labels on the host (and on the device when
 * `lab` is given, as a byte set sharing the images' permutation). */
static int open_split(clg_dataset *ds, uint8_t **labels, clg_dataset *lab, clg_ctx *ctx, const clg_cls_cfg *cfg,
                      const char *images, const char *labpath, int limit, FILE *log)
{
    clg_data_cfg d = {0};
    snprintf(d.path, sizeof d.path, "%s", images);
    d.range = cfg->range;
    d.limit = limit;
    TRY(clg_dataset_open(ds, ctx, &d, log));
    int n;
    TRY(clg_labels_load(labels, &n, labpath, limit, cfg->classes, &ctx->err));
    if (n != ds->n)
        return clg_fail(ctx, CLG_ERR_FORMAT, "%s has %d labels but %s has %d images", labpath, n, images, ds->n);
    if (!lab) return CLG_OK;
    memset(lab, 0, sizeof *lab);
    *lab = (clg_dataset){.shape = {1, 1, 1}, .n = n, .perm_dev = ds->perm_dev, .scale = 1.0f, .shift = 0.0f};
    return clg_buf_create(ctx, &lab->data, CLG_U8, (size_t)n, *labels, "the labels");
}

/* Accuracy of c on the whole of ds (in its current order, which for the test split is the file's). */
static int accuracy(double *acc, clg_classifier *c, clg_ctx *ctx, clg_dataset *ds, const uint8_t *labels,
                    clg_buf *xb)
{
    int b = c->net.batch, k = c->cfg.classes, nl = c->net.nlayers;
    float *z = malloc((size_t)b * k * sizeof *z);
    if (!z) return clg_fail(ctx, CLG_ERR_NOMEM, "out of host memory");
    long right = 0;
    int st = CLG_OK;
    for (int i = 0; st == CLG_OK && i < ds->n; i += b) {
        int m = ds->n - i < b ? ds->n - i : b;
        st = clg_dataset_batch(ds, ctx, xb, i, m);
        if (st == CLG_OK) st = clg_net_forward(&c->net, ctx, xb, m, 0, nl);
        if (st == CLG_OK) st = clg_buf_read(ctx, z, &c->net.layers[nl - 1].y, (size_t)m * k);
        for (int r = 0; st == CLG_OK && r < m; r++) {
            int best = 0;
            for (int j = 1; j < k; j++)
                if (z[r * k + j] > z[r * k + best]) best = j;
            right += best == labels[ds->perm[i + r]];
        }
    }
    free(z);
    *acc = ds->n ? (double)right / ds->n : 0;
    return st;
}

/* The output may be written: not a folder, its folder there, and not an existing file unless
 * `overwrite`. Checked before training (minutes that a late refusal would waste) and again just
 * before the write, in case the file appeared meanwhile. */
static int out_ok(clg_ctx *ctx, const char *path, int overwrite)
{
    struct stat sb;
    if (!path || !*path) return clg_fail(ctx, CLG_ERR_ARG, "no classifier file given");
    if (stat(path, &sb) == 0) {
        if (S_ISDIR(sb.st_mode)) return clg_fail(ctx, CLG_ERR_IO, "%s is a folder, not a classifier file", path);
        if (!overwrite)
            return clg_fail(ctx, CLG_ERR_IO, "%s already exists: not overwritten (choose another output file or "
                            "allow overwriting it)", path);
        return CLG_OK;
    }
    const char *slash = strrchr(path, '/');
    if (!slash) return CLG_OK;
    char dir[4096];
    size_t n = slash == path ? 1 : (size_t)(slash - path);
    if (n >= sizeof dir) return clg_fail(ctx, CLG_ERR_IO, "%s: path too long", path);
    memcpy(dir, path, n);
    dir[n] = 0;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return clg_fail(ctx, CLG_ERR_IO, "%s: no folder %s to write it in", path, dir);
    return CLG_OK;
}

int clg_classify_train(clg_classify_result *res, clg_ctx *ctx, const clg_cls_cfg *cfg, const char *out_path,
                       int overwrite, FILE *log)
{
    memset(res, 0, sizeof *res);
    TRY(out_ok(ctx, out_path, overwrite));
    clg_dataset train = {0}, test = {0}, lab = {0};
    uint8_t *ltrain = NULL, *ltest = NULL;
    clg_classifier c = {0};
    clg_buf xb = {0}, yb = {0}, dz = {0}, stats = {0};
    int b = cfg->batch, k = cfg->classes;
    int st = open_split(&train, &ltrain, &lab, ctx, cfg, cfg->images, cfg->labels, cfg->limit, log);
    if (st == CLG_OK)
        st = open_split(&test, &ltest, NULL, ctx, cfg, cfg->test_images, cfg->test_labels, cfg->test_limit, log);
    if (st == CLG_OK && (test.shape.c != train.shape.c || test.shape.h != train.shape.h || test.shape.w != train.shape.w))
        st = clg_fail(ctx, CLG_ERR_FORMAT, "%s: images of %dx%dx%d, but %s has %dx%dx%d", cfg->test_images, test.shape.c,
                      test.shape.h, test.shape.w, cfg->images, train.shape.c, train.shape.h, train.shape.w);
    if (st == CLG_OK && train.n < b)
        st = clg_fail(ctx, CLG_ERR_CONFIG, "%s: %d training images, fewer than train.batch = %d", cfg->name, train.n, b);
    if (st == CLG_OK) st = clg_classifier_build(&c, ctx, cfg, train.shape, b, (uint64_t)cfg->seed);
    if (st == CLG_OK) st = clg_buf_alloc(ctx, &xb, (size_t)b * clg_shape_size(train.shape), "classifier batch");
    if (st == CLG_OK) st = clg_buf_alloc(ctx, &yb, (size_t)b, "classifier labels");
    if (st == CLG_OK) st = clg_buf_alloc(ctx, &dz, (size_t)b * k, "classifier loss gradient");
    if (st == CLG_OK) st = clg_buf_alloc(ctx, &stats, 2, "classifier statistics");
    if (st == CLG_OK && log) clg_net_print(&c.net, log);
    clg_rng rng = {(uint64_t)cfg->seed ^ 0x5eedc1a55ull};
    int per_epoch = train.n / b, nl = c.net.nlayers;
    time_t t0 = time(NULL);
    for (int ep = 1; st == CLG_OK && ep <= cfg->epochs; ep++) {
        double lsum = 0, asum = 0;
        int logged = 0;
        st = clg_dataset_shuffle(&train, ctx, &rng);
        for (int s = 0; st == CLG_OK && s < per_epoch; s++) {
            st = clg_dataset_batch(&train, ctx, &xb, s * b, b);
            if (st == CLG_OK) st = clg_dataset_batch(&lab, ctx, &yb, s * b, b);
            if (st == CLG_OK) st = clg_net_forward(&c.net, ctx, &xb, b, 1, nl);
            if (st == CLG_OK)
                st = CLG_LAUNCH_GROUP(ctx, CLG_K_SOFTMAX_XENT, KA_MEM(dz.sub), KA_MEM(stats.sub),
                                      KA_MEM(c.net.layers[nl - 1].y.sub), KA_MEM(yb.sub), KA_INT(b), KA_INT(k));
            if (st == CLG_OK) st = clg_net_zero_grad(&c.net, ctx);
            if (st == CLG_OK) st = clg_net_backward(&c.net, ctx, NULL, &dz, &xb, b, 1, nl);
            if (st == CLG_OK) st = clg_net_update(&c.net, ctx);
            res->steps++;
            if (st == CLG_OK && ((s + 1) % cfg->log_every == 0 || s + 1 == per_epoch)) {
                float v[2];
                st = clg_buf_read(ctx, v, &stats, 2);
                if (st == CLG_OK && !(v[0] == v[0] && v[0] < 1e30f))
                    st = clg_fail(ctx, CLG_ERR_NUMERIC, "the classifier's loss became %g at step %ld (lower "
                                  "[classifier] lr)", v[0], res->steps);
                lsum += v[0], asum += v[1], logged++;
            }
        }
        double acc = 0;
        if (st == CLG_OK) st = accuracy(&acc, &c, ctx, &test, ltest, &xb);
        if (st == CLG_OK && log)
            fprintf(log, "epoch %d/%d: loss %.4f, batch accuracy %.4f, test accuracy %.4f (%ld s)\n", ep, cfg->epochs,
                    lsum / logged, asum / logged, acc, (long)(time(NULL) - t0));
        res->accuracy = acc;
        res->train_loss = logged ? lsum / logged : 0;
    }
    if (st == CLG_OK) st = out_ok(ctx, out_path, overwrite);
    if (st == CLG_OK) st = clg_classifier_save(&c, &res->hash, out_path, res->accuracy);
    clg_buf_release(&xb), clg_buf_release(&yb), clg_buf_release(&dz), clg_buf_release(&stats);
    clg_buf_release(&lab.data);
    clg_classifier_free(&c);
    clg_dataset_close(&train), clg_dataset_close(&test);
    free(ltrain), free(ltest);
    return st;
}

int clg_classify(clg_ctx *ctx, const char *config, const char *out, int overwrite, FILE *log, double *accuracy,
                 uint64_t *hash)
{
    clg_cls_cfg cfg;
    TRY(clg_cls_cfg_load(&cfg, config, &ctx->err));
    clg_classify_result r;
    int st = clg_classify_train(&r, ctx, &cfg, out, overwrite, log);
    clg_cls_cfg_free(&cfg);
    *accuracy = r.accuracy;
    *hash = r.hash;
    return st;
}
