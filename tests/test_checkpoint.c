/* test_checkpoint.c — checkpoints and resume:
 * - a run stopped at step 130 (mid-epoch) or 100 (an epoch end) and resumed to 220 writes the
 *   same metrics.csv, byte for byte, as an uninterrupted run to 220;
 * - save -> load is bit-exact (every tensor of the file equals the device buffers after load);
 * - truncated, corrupt, other-config and wrong-shape checkpoints, and bad .npy files, give
 *   clear errors naming the file.
 * usage: test_checkpoint CONFIG SCRATCH
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "io/safetensors.h"
#include "testutil.h"
#include "train/checkpoint.h"

static clg_err ce; /* the last message of a reader, writer or check */

static const char *config_path, *scratch;

static int train(clg_ctx *ctx, const char *out, long steps, const char *resume, const char *extra, clg_trainer **keep)
{
    char err[1024], set[64];
    clg_config *cfg;
    if (clg_config_load(&cfg, config_path, err, sizeof err) != CLG_OK) return fprintf(stderr, "%s\n", err), -1;
    snprintf(set, sizeof set, "train.max_steps=%ld", steps);
    clg_config_set(cfg, set, err, sizeof err);
    if (extra) clg_config_set(cfg, extra, err, sizeof err);
    clg_trainer *tr;
    int st = clg_trainer_create(&tr, ctx, cfg, out, NULL);
    if (st == CLG_OK && resume) st = clg_trainer_resume(tr, resume);
    if (st == CLG_OK && !keep) st = clg_trainer_run(tr, NULL, NULL);
    if (keep && st == CLG_OK) {
        *keep = tr;
        return st; /* the caller frees both with trainer_done */
    }
    clg_trainer_free(tr);
    clg_config_free(cfg);
    return st;
}

/* Free a trainer kept by train() and the config it was made from. */
static void trainer_done(clg_trainer *tr)
{
    clg_config *cfg = (clg_config *)tr->cfg;
    clg_trainer_free(tr);
    clg_config_free(cfg);
}

static void spit(const char *path, const char *data, long n)
{
    FILE *f = fopen(path, "wb");
    fwrite(data, 1, (size_t)n, f);
    fclose(f);
}

static void resume_case(clg_ctx *ctx, const char *name, long stop_at, const char *reference)
{
    char out[600], metrics[700];
    snprintf(out, sizeof out, "%s/%s", scratch, name);
    CHECK(train(ctx, out, stop_at, NULL, NULL, NULL) == CLG_OK, "%s: first part: %s", name, clg_last_error(ctx));
    CHECK(train(ctx, out, 220, out, NULL, NULL) == CLG_OK, "%s: resume: %s", name, clg_last_error(ctx));
    snprintf(metrics, sizeof metrics, "%s/metrics.csv", out);
    char *a = test_slurp(reference, NULL), *b = test_slurp(metrics, NULL);
    CHECK(a && b && strlen(a) > 1000 && !strcmp(a, b), "%s: resumed metrics.csv differs from the uninterrupted run",
          name);
    free(a), free(b);
}

/* Every tensor in the file equals the corresponding device buffer of the loaded trainer. */
static void round_trip(clg_ctx *ctx, const char *ckpt_dir)
{
    clg_trainer *tr = NULL;
    char path[700];
    snprintf(path, sizeof path, "%s/checkpoints/latest.safetensors", ckpt_dir);
    CHECK(train(ctx, NULL, 220, path, NULL, &tr) == CLG_OK, "load for round trip: %s", clg_last_error(ctx));
    if (!tr) return;
    clg_st_file f;
    CHECK(clg_st_read(&f, path, &ce) == CLG_OK, "%s", ce.msg);
    int tensors = 0, equal = 1;
    clg_net *nets[2] = {&tr->G, &tr->D};
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < nets[k]->nlayers; i++)
            for (int j = 0; j < nets[k]->layers[i].nparams; j++) {
                clg_param *p = &nets[k]->layers[i].params[j];
                char name[200];
                snprintf(name, sizeof name, "%s.%d.%s", nets[k]->name, i, p->name);
                const clg_st_tensor *t = clg_st_find(&f, name);
                float *dev = test_download(ctx, &p->value, p->count);
                if (!t || t->nbytes != p->count * 4 || memcmp(t->data, dev, t->nbytes)) equal = 0;
                free(dev);
                tensors++;
            }
    CHECK(equal && tensors >= 6, "round trip of %d tensors is not bit-exact", tensors);
    CHECK(clg_st_meta(&f, "config") && strstr(clg_st_meta(&f, "config"), "[generator]"), "config in metadata");
    clg_st_free(&f);
    trainer_done(tr);
}

static void expect_load_error(clg_ctx *ctx, const char *path, int status, const char *what, const char *extra)
{
    clg_trainer *tr = NULL;
    int st = train(ctx, NULL, 220, path, extra, &tr);
    CHECK(st == status && strstr(clg_last_error(ctx), path) && strstr(clg_last_error(ctx), what),
          "loading %s: got %s \"%s\", expected %s \"%s\"", path, clg_status_str(st), clg_last_error(ctx),
          clg_status_str(status), what);
    if (tr) trainer_done(tr);
}

int main(int argc, char **argv)
{
    if (argc < 3) return fprintf(stderr, "usage: test_checkpoint CONFIG SCRATCH\n"), 2;
    config_path = argv[1];
    scratch = argv[2];
    mkdir(scratch, 0755);
    clg_ctx *ctx = test_ctx();
    char ref[600], refm[700], path[700], bad[700], err[1024];
    snprintf(ref, sizeof ref, "%s/whole", scratch);
    CHECK(train(ctx, ref, 220, NULL, NULL, NULL) == CLG_OK, "uninterrupted run: %s", clg_last_error(ctx));
    snprintf(refm, sizeof refm, "%s/metrics.csv", ref);
    resume_case(ctx, "mid_epoch", 130, refm);
    resume_case(ctx, "epoch_end", 100, refm);
    round_trip(ctx, ref);

    snprintf(path, sizeof path, "%s/checkpoints/latest.safetensors", ref);
    long n;
    char *blob = test_slurp(path, &n);
    snprintf(bad, sizeof bad, "%s/truncated.safetensors", scratch);
    spit(bad, blob, n - 1000);
    expect_load_error(ctx, bad, CLG_ERR_FORMAT, "truncated", NULL);
    snprintf(bad, sizeof bad, "%s/short.safetensors", scratch);
    spit(bad, blob, 5);
    expect_load_error(ctx, bad, CLG_ERR_FORMAT, "not a valid safetensors file", NULL);
    snprintf(bad, sizeof bad, "%s/badjson.safetensors", scratch);
    memcpy(blob + 8, "{\"x", 3);
    spit(bad, blob, n);
    expect_load_error(ctx, bad, CLG_ERR_FORMAT, "not a valid safetensors file", NULL);
    free(blob);
    expect_load_error(ctx, path, CLG_ERR_CONFIG, "saved from another config", "generator.lr=0.5");
    expect_load_error(ctx, "/nonexistent/ckpt.safetensors", CLG_ERR_IO, "cannot open", NULL);

    /* a tensor of the wrong shape: rewrite the checkpoint with one tensor's dims swapped */
    clg_st_file f, g = {0};
    CHECK(clg_st_read(&f, path, &ce) == CLG_OK, "%s", ce.msg);
    for (int i = 0; i < f.n; i++) {
        clg_st_tensor t = f.t[i];
        if (!strcmp(t.name, "generator.0.weight")) {
            int64_t d = t.dims[0];
            t.dims[0] = t.dims[1], t.dims[1] = d;
        }
        clg_st_add(&g, t.name, t.dtype, t.ndim, t.dims, t.data, t.nbytes);
    }
    for (int i = 0; i < f.nmeta; i++) clg_st_set_meta(&g, f.meta_keys[i], f.meta_vals[i]);
    snprintf(bad, sizeof bad, "%s/shape.safetensors", scratch);
    CHECK(clg_st_write(&g, bad, &ce) == CLG_OK, "%s", ce.msg);
    expect_load_error(ctx, bad, CLG_ERR_FORMAT, "tensor generator.0.weight is F32 (100,128)", NULL);
    clg_st_free(&f);
    free(g.t);
    for (int i = 0; i < g.nmeta; i++) free(g.meta_keys[i]), free(g.meta_vals[i]);
    free(g.meta_keys), free(g.meta_vals);

    /* .npy */
    float *z;
    int nd, dims[4];
    snprintf(bad, sizeof bad, "%s/z.npy", scratch);
    float data[6] = {1, 2, 3, 4, 5, 6};
    CHECK(clg_npy_write(bad, data, 2, (int[]){2, 3}, err, sizeof err) == CLG_OK, "%s", err);
    CHECK(clg_npy_read(&z, &nd, dims, bad, err, sizeof err) == CLG_OK && nd == 2 && dims[0] == 2 && dims[1] == 3 &&
              !memcmp(z, data, sizeof data),
          "npy round trip: %s", err);
    free(z);
    blob = test_slurp(bad, &n);
    snprintf(bad, sizeof bad, "%s/trunc.npy", scratch);
    spit(bad, blob, n - 4);
    CHECK(clg_npy_read(&z, &nd, dims, bad, err, sizeof err) == CLG_ERR_FORMAT && strstr(err, "truncated") &&
              strstr(err, bad),
          "truncated npy: %s", err);
    for (long i = 0; i + 3 < n; i++)
        if (!memcmp(blob + i, "<f4", 3)) {
            blob[i + 2] = '8';
            break;
        }
    snprintf(bad, sizeof bad, "%s/f64.npy", scratch);
    spit(bad, blob, n);
    CHECK(clg_npy_read(&z, &nd, dims, bad, err, sizeof err) == CLG_ERR_FORMAT && strstr(err, "float32"),
          "float64 npy: %s", err);
    blob[1] = 'X';
    spit(bad, blob, n);
    CHECK(clg_npy_read(&z, &nd, dims, bad, err, sizeof err) == CLG_ERR_FORMAT && strstr(err, "not a .npy file"),
          "bad magic: %s", err);
    free(blob);
    clg_ctx_free(ctx);
    return test_summary("checkpoint");
}
