/* test_checkpoint_trust.c — nothing in a checkpoint is trusted, nothing bad is written:
 * - clg_checkpoint_check_meta accepts exactly the points a run reaches and refuses the rest
 *   (out-of-range or inconsistent step/epoch/batch_in_epoch, optimizer counts, flags, image
 *   shape, extreme values) without overflow;
 * - a resume from a checkpoint with crafted metadata (fixed_key too), a non-finite tensor, a
 *   weight beyond CLG_WEIGHT_BOUND, a negative second moment or a missing tensor fails with a
 *   message naming the file and the tensor, before the trainer's weights change;
 * - training with a learning rate far too high (SGD, Adam, RMSprop) stops with a message naming
 *   the network and the step, and every checkpoint on disk is finite, within CLG_WEIGHT_BOUND and
 *   samples to finite images; the last good one stays latest.
 * usage: test_checkpoint_trust CONFIG SCRATCH
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "io/safetensors.h"
#include "testutil.h"
#include "train/checkpoint.h"

static clg_err ce; /* the last message of a reader, writer or check */

static const char *config_path, *scratch;

/* Create a trainer for CONFIG with the given overrides ("a=b" strings, NULL-terminated). */
static int make(clg_trainer **tr, clg_config **cfg, clg_ctx *ctx, const char *out, const char *const *sets)
{
    char err[1024];
    *tr = NULL;
    if (clg_config_load(cfg, config_path, err, sizeof err) != CLG_OK) return fprintf(stderr, "%s\n", err), -1;
    for (int i = 0; sets && sets[i]; i++)
        if (clg_config_set(*cfg, sets[i], err, sizeof err) != CLG_OK) return fprintf(stderr, "%s\n", err), -1;
    return clg_trainer_create(tr, ctx, *cfg, out, NULL);
}

static void done(clg_trainer *tr, clg_config *cfg)
{
    clg_trainer_free(tr);
    clg_config_free(cfg);
}

/* ---- clg_checkpoint_check_meta on its own --------------------------------------------------- */
static void pure_checks(void)
{
    const char *msg = ce.msg;
    clg_ckpt_limits lim = {6400, 64, 1, 1, 28, 28}; /* 100 steps per epoch */
    clg_ckpt_meta ok_mid = {130, 2, 30, 130, 130, 1, 1, 2, 3, 1, 28, 28};
    clg_ckpt_meta ok_end = {100, 1, 0, 100, 100, 0, 1, 2, 3, 1, 28, 28};
    CHECK(clg_checkpoint_check_meta(&ok_mid, &lim, &ce) == CLG_OK, "mid-epoch: %s", msg);
    CHECK(clg_checkpoint_check_meta(&ok_end, &lim, &ce) == CLG_OK, "epoch end: %s", msg);
    clg_ckpt_meta zero = {0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 28, 28};
    CHECK(clg_checkpoint_check_meta(&zero, &lim, &ce) == CLG_OK, "step 0: %s", msg);

    struct {
        const char *what;
        clg_ckpt_meta m;
        const char *expect;
    } bad[] = {
        {"batch_in_epoch past the data", {30, 1, 1000000, 30, 30, 0, 1, 2, 3, 1, 28, 28}, "not a point of this run"},
        {"batch_in_epoch = steps per epoch", {100, 1, 100, 100, 100, 0, 1, 2, 3, 1, 28, 28}, "not a point"},
        {"epoch too high", {130, 7, 30, 130, 130, 0, 1, 2, 3, 1, 28, 28}, "not a point"},
        {"epoch too low at an epoch end", {200, 1, 0, 200, 200, 0, 1, 2, 3, 1, 28, 28}, "not a point"},
        {"step and position disagree", {131, 2, 30, 131, 131, 0, 1, 2, 3, 1, 28, 28}, "not a point"},
        {"negative step", {-5, 0, 0, -5, -5, 0, 1, 2, 3, 1, 28, 28}, "negative"},
        {"negative batch_in_epoch", {30, 1, -1, 30, 30, 0, 1, 2, 3, 1, 28, 28}, "negative"},
        {"huge step", {LONG_MAX, LONG_MAX, 0, LONG_MAX, LONG_MAX, 0, 1, 2, 3, 1, 28, 28}, "not a point"},
        {"huge everything", {LONG_MAX, LONG_MAX, LONG_MAX, LONG_MAX, LONG_MAX, LONG_MAX, 1, 2, 3, 1, 28, 28}, "not a point"},
        {"LONG_MIN", {LONG_MIN, LONG_MIN, LONG_MIN, LONG_MIN, LONG_MIN, LONG_MIN, 1, 2, 3, 1, 28, 28}, "negative"},
        {"generator_t", {130, 2, 30, 129, 130, 0, 1, 2, 3, 1, 28, 28}, "optimizer steps"},
        {"discriminator_t", {130, 2, 30, 130, 260, 0, 1, 2, 3, 1, 28, 28}, "optimizer steps"},
        {"epoch_not_perfect", {130, 2, 30, 130, 130, 2, 1, 2, 3, 1, 28, 28}, "epoch_not_perfect"},
        {"image shape", {130, 2, 30, 130, 130, 0, 1, 2, 3, 3, 28, 28}, "3x28x28"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int st = clg_checkpoint_check_meta(&bad[i].m, &lim, &ce);
        CHECK(st == CLG_ERR_FORMAT && strstr(msg, bad[i].expect), "%s: got %d \"%s\", expected \"%s\"", bad[i].what,
              st, msg, bad[i].expect);
    }
    /* d_steps 2: 50 steps per epoch, D updated twice per step */
    clg_ckpt_limits lim2 = {6400, 64, 2, 1, 28, 28};
    clg_ckpt_meta d2 = {60, 2, 10, 60, 120, 0, 1, 2, 3, 1, 28, 28};
    CHECK(clg_checkpoint_check_meta(&d2, &lim2, &ce) == CLG_OK, "d_steps 2: %s", msg);
    d2.discriminator_t = 121;
    CHECK(clg_checkpoint_check_meta(&d2, &lim2, &ce) == CLG_ERR_FORMAT, "d_steps 2, odd D count");
    /* impossible limits are the caller's error, also without overflow */
    clg_ckpt_limits none[] = {{0, 64, 1, 1, 28, 28}, {6400, 0, 1, 1, 28, 28}, {6400, 64, 0, 1, 28, 28},
                              {10, 64, 1, 1, 28, 28}, {LONG_MAX, LONG_MAX, LONG_MAX, 1, 28, 28}, {-1, -1, -1, 1, 28, 28}};
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++)
        CHECK(clg_checkpoint_check_meta(&ok_mid, &none[i], &ce) == CLG_ERR_ARG, "limits %zu: %s", i, msg);
    /* without a record the status still comes back */
    CHECK(clg_checkpoint_check_meta(&bad[0].m, &lim, NULL) == CLG_ERR_FORMAT, "no record");
}

/* ---- crafted checkpoints ------------------------------------------------------------------ */
/* Copy src to dst with metadata `key` set to `value` (NULL: removed), tensor `drop` left out and
 * the first value of tensor `poison` set to `bad`. */
static void craft(const char *dst, const char *src, const char *key, const char *value, const char *drop,
                  const char *poison, float bad)
{
    clg_st_file f, g = {0};
    CHECK(clg_st_read(&f, src, &ce) == CLG_OK, "%s", ce.msg);
    float *nan_copy = NULL;
    for (int i = 0; i < f.n; i++) {
        clg_st_tensor t = f.t[i];
        if (drop && !strcmp(t.name, drop)) continue;
        if (poison && !strcmp(t.name, poison)) {
            nan_copy = malloc(t.nbytes);
            memcpy(nan_copy, t.data, t.nbytes);
            nan_copy[0] = bad;
            t.data = nan_copy;
        }
        clg_st_add(&g, t.name, t.dtype, t.ndim, t.dims, t.data, t.nbytes);
    }
    for (int i = 0; i < f.nmeta; i++)
        if (!key || strcmp(f.meta_keys[i], key)) clg_st_set_meta(&g, f.meta_keys[i], f.meta_vals[i]);
    if (key && value) clg_st_set_meta(&g, key, value);
    CHECK(clg_st_write(&g, dst, &ce) == CLG_OK, "%s", ce.msg);
    free(nan_copy);
    clg_st_free(&f);
    free(g.t);
    for (int i = 0; i < g.nmeta; i++) free(g.meta_keys[i]), free(g.meta_vals[i]);
    free(g.meta_keys), free(g.meta_vals);
}

/* Resuming from `path` fails with `what` in a message naming the file, and leaves the trainer's
 * counters and the generator's first weights as they were. */
static void expect_refused(clg_ctx *ctx, const char *path, const char *what)
{
    clg_trainer *tr;
    clg_config *cfg;
    const char *sets[] = {"train.max_steps=60", NULL};
    CHECK_OK(ctx, make(&tr, &cfg, ctx, NULL, sets));
    clg_param *w = &tr->G.layers[0].params[0];
    float *before = test_download(ctx, &w->value, w->count);
    int st = clg_trainer_resume(tr, path);
    CHECK(st != CLG_OK && strstr(clg_last_error(ctx), path) && strstr(clg_last_error(ctx), what),
          "resume from %s: got %s \"%s\", expected \"%s\"", path, clg_status_str(st), clg_last_error(ctx), what);
    float *after = test_download(ctx, &w->value, w->count);
    CHECK(!memcmp(before, after, w->count * sizeof(float)) && tr->step == 0 && tr->epoch == 0 && tr->G.t == 0,
          "a refused resume from %s changed the trainer", path);
    free(before), free(after);
    done(tr, cfg);
}

static void crafted(clg_ctx *ctx)
{
    char base[600], good[700], bad[700];
    snprintf(base, sizeof base, "%s/base", scratch);
    clg_trainer *tr;
    clg_config *cfg;
    const char *sets[] = {"train.max_steps=30", "train.checkpoint_every=10", NULL};
    CHECK_OK(ctx, make(&tr, &cfg, ctx, base, sets));
    CHECK_OK(ctx, clg_trainer_run(tr, NULL, NULL));
    done(tr, cfg);
    snprintf(good, sizeof good, "%s/checkpoints/latest.safetensors", base);

    /* the unmodified checkpoint resumes */
    const char *sets60[] = {"train.max_steps=60", NULL};
    CHECK_OK(ctx, make(&tr, &cfg, ctx, NULL, sets60));
    CHECK(clg_trainer_resume(tr, good) == CLG_OK && tr->step == 30, "resume from %s: %s", good, clg_last_error(ctx));
    done(tr, cfg);

    static const struct {
        const char *key, *value, *drop, *poison, *expect;
        float bad; /* the value poison gets; 0: NaN */
    } cases[] = {
        {"batch_in_epoch", "1000000", NULL, NULL, "not a point of this run", 0},
        {"step", "-30", NULL, NULL, "negative", 0},
        {"step", "", NULL, NULL, "\"step\" = \"\" is not an integer", 0},
        {"step", "30x", NULL, NULL, "is not an integer", 0},
        {"step", "99999999999999999999999", NULL, NULL, "is not an integer", 0},
        {"epoch", "5", NULL, NULL, "not a point of this run", 0},
        {"generator_t", "29", NULL, NULL, "optimizer steps", 0},
        {"epoch_not_perfect", "7", NULL, NULL, "epoch_not_perfect", 0},
        {"rng_noise", "zz", NULL, NULL, "rng_noise", 0},
        {"rng_shuffle", NULL, NULL, NULL, "has no \"rng_shuffle\"", 0},
        {"image_shape", "3,28,28", NULL, NULL, "3x28x28", 0},
        {"image_shape", "1,28", NULL, NULL, "not C,H,W", 0},
        {"generator_keys", "1,2,3,4,5", NULL, NULL, "one hexadecimal key per layer", 0},
        {"generator_keys", "1,2,3", NULL, NULL, "one hexadecimal key per layer", 0},
        {NULL, NULL, "optimizer.discriminator.4.weight.v", NULL, "has no tensor optimizer.discriminator.4.weight.v", 0},
        {NULL, NULL, NULL, "discriminator.1.weight", "tensor discriminator.1.weight holds a non-finite value", 0},
        {NULL, NULL, NULL, "optimizer.generator.2.bias.m", "non-finite", 0},
        /* finite but impossible: training keeps weights within the bound, second moments are >= 0 */
        {NULL, NULL, NULL, "generator.0.weight", "tensor generator.0.weight holds 2e+06, beyond the bound", 2e6f},
        {NULL, NULL, NULL, "discriminator.4.bias", "tensor discriminator.4.bias holds -1.5e+06, beyond", -1.5e6f},
        {NULL, NULL, NULL, "optimizer.generator.2.bias.v",
         "tensor optimizer.generator.2.bias.v holds -0.001, but a second moment cannot be negative", -1e-3f},
        {NULL, NULL, NULL, "optimizer.discriminator.1.weight.v", "optimizer.discriminator.1.weight.v holds -1,", -1.0f},
        {"fixed_key", "zz", NULL, NULL, "\"fixed_key\" = \"zz\" is not a 64-bit hexadecimal", 0},
        {"fixed_key", "", NULL, NULL, "\"fixed_key\" = \"\" is not a 64-bit hexadecimal", 0},
        {"fixed_key", NULL, NULL, NULL, "has no \"fixed_key\"", 0},
        {"fixed_key", "0000000000000001", NULL, NULL, "\"fixed_key\" = \"0000000000000001\" is not the key", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(bad, sizeof bad, "%s/crafted_%zu.safetensors", scratch, i);
        craft(bad, good, cases[i].key, cases[i].value, cases[i].drop, cases[i].poison,
              cases[i].bad != 0.0f ? cases[i].bad : NAN);
        expect_refused(ctx, bad, cases[i].expect);
    }
}

/* ---- learning rates far too high ------------------------------------------------------------ */
/* Every checkpoint in DIR/checkpoints is finite, within the bound, and its generator samples to
 * finite images; returns latest's step (0 if none). */
static long check_folder(clg_ctx *ctx, const char *dir, const char *what)
{
    char path[800];
    long latest = 0;
    for (long s = 1; s <= 400; s++) {
        if (s == 400) snprintf(path, sizeof path, "%s/checkpoints/latest.safetensors", dir);
        else snprintf(path, sizeof path, "%s/checkpoints/step_%07ld.safetensors", dir, s);
        struct stat sb;
        if (stat(path, &sb) != 0) continue;
        clg_st_file f;
        CHECK(clg_st_read(&f, path, &ce) == CLG_OK, "%s", ce.msg);
        int finite = 1, bounded = 1;
        for (int i = 0; i < f.n; i++) {
            if (strcmp(f.t[i].dtype, "F32")) continue;
            const unsigned char *p = f.t[i].data;
            int weight = strncmp(f.t[i].name, "optimizer.", 10) && !strstr(f.t[i].name, "running_");
            for (size_t k = 0; k < f.t[i].nbytes / 4; k++) {
                float v;
                memcpy(&v, p + 4 * k, 4);
                if (!isfinite(v)) finite = 0;
                else if (weight && fabsf(v) > CLG_WEIGHT_BOUND) bounded = 0;
            }
        }
        CHECK(finite && bounded, "%s: %s holds %s", what, path, finite ? "weights beyond the bound" : "non-finite values");
        if (s == 400 && clg_st_meta(&f, "step")) latest = atol(clg_st_meta(&f, "step"));
        clg_st_free(&f);
        clg_generator *g;
        if (clg_generator_load(&g, ctx, path) == CLG_OK) {
            float z[4 * 100], x[4 * 784];
            clg_generator_noise(g, z, 4, 1);
            int st = clg_generator_run(g, x, z, 4), ok = 1;
            for (int k = 0; k < 4 * 784; k++) ok &= isfinite(x[k]) != 0;
            CHECK(st == CLG_OK && ok, "%s: %s samples to non-finite images", what, path);
        } else CHECK(0, "%s: %s does not load: %s", what, path, clg_last_error(ctx));
        clg_generator_free(g);
    }
    return latest;
}

/* ckpt_every 0: no checkpoint before the end, so the weight check at the statistics read-back
 * must stop the run */
static void blow_up(clg_ctx *ctx, const char *opt, const char *lr, int ckpt_every, int expect_good)
{
    char out[600], o1[64], o2[64], l1[64], l2[64], ce[64];
    snprintf(out, sizeof out, "%s/lr_%s_%s_%d", scratch, opt, lr, ckpt_every);
    snprintf(ce, sizeof ce, "train.checkpoint_every=%d", ckpt_every);
    snprintf(o1, sizeof o1, "generator.optimizer=%s", opt);
    snprintf(o2, sizeof o2, "discriminator.optimizer=%s", opt);
    snprintf(l1, sizeof l1, "generator.lr=%s", lr);
    snprintf(l2, sizeof l2, "discriminator.lr=%s", lr);
    const char *sets[] = {o1, o2, l1, l2, "train.max_steps=200", ce, "train.log_every=10", NULL};
    clg_trainer *tr;
    clg_config *cfg;
    CHECK_OK(ctx, make(&tr, &cfg, ctx, out, sets));
    int st = clg_trainer_run(tr, NULL, NULL);
    const char *msg = clg_last_error(ctx);
    CHECK(st == CLG_ERR_NUMERIC && strstr(msg, "step ") && (strstr(msg, "generator") || strstr(msg, "discriminator")),
          "%s lr %s: got %s \"%s\", expected a stop naming the network and step", opt, lr, clg_status_str(st), msg);
    char kept[64] = "no checkpoint was written";
    long latest = check_folder(ctx, out, opt);
    if (latest) snprintf(kept, sizeof kept, "stays the last good one (step %ld)", latest);
    CHECK(st != CLG_ERR_NUMERIC || strstr(msg, kept), "%s lr %s: message \"%s\" should say \"%s\"", opt, lr, msg, kept);
    CHECK(!expect_good || latest > 0, "%s lr %s: a good checkpoint was expected to stay", opt, lr);
    CHECK(ckpt_every || (latest == 0 && !strstr(msg, "before writing a checkpoint")),
          "%s lr %s without checkpoints: the read-back check should have stopped it: \"%s\"", opt, lr, msg);
    done(tr, cfg);
}

int main(int argc, char **argv)
{
    if (argc < 3) return fprintf(stderr, "usage: test_checkpoint_trust CONFIG SCRATCH\n"), 2;
    config_path = argv[1];
    scratch = argv[2];
    mkdir(scratch, 0755);
    pure_checks();
    clg_ctx *ctx = test_ctx();
    crafted(ctx);
    blow_up(ctx, "sgd", "1e6", 1, 0);     /* NaN by the first read-back */
    blow_up(ctx, "sgd", "10", 1, 1);      /* exploding after good steps: the good checkpoint stays */
    blow_up(ctx, "adam", "1e6", 1, 0);    /* used to "succeed" with weights near 1e9 */
    blow_up(ctx, "rmsprop", "1e6", 1, 0);
    blow_up(ctx, "adam", "1e6", 0, 0);
    clg_ctx_free(ctx);
    return test_summary("checkpoint_trust");
}
