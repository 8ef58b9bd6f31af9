/* evaluate.c — one evaluation: images through the classifier (features, probabilities), every
 * score of metrics.h on them, and the report: a table of the samples beside the real-versus-real
 * floor, and the same numbers as JSON.
 */
#include <stdlib.h>
#include <string.h>

#include "data/idx.h"
#include "eval/evaluate.h"
#include "eval/metrics.h"
#include "io/file.h"

int clg_eval_read_idx(float **x, size_t *n, const clg_classifier *c, const char *path, size_t skip, clg_err *e)
{
    *x = NULL;
    clg_idx idx;
    long want = (long)(skip + *n);
    TRY(clg_idx_load(&idx, path, want > INT_MAX ? INT_MAX : (int)want, e));
    size_t item = clg_shape_size(c->in);
    if (idx.item_size != item) {
        clg_idx_free(&idx);
        return clg_errf(e, CLG_ERR_FORMAT, "%s: images of %zu pixels, but the classifier takes %dx%dx%d = %zu", path,
                        idx.item_size, c->in.c, c->in.h, c->in.w, item);
    }
    size_t have = (size_t)idx.n > skip ? (size_t)idx.n - skip : 0;
    if (have < *n) *n = have;
    *x = malloc(*n * item * sizeof **x + 1);
    if (!*x) {
        clg_idx_free(&idx);
        return clg_errf(e, CLG_ERR_NOMEM, "%s: out of host memory", path);
    }
    float lo = c->cfg.range == CLG_RANGE_01 ? 0.0f : -1.0f;
    for (size_t i = 0; i < *n * item; i++) (*x)[i] = lo + (1.0f - lo) * idx.data[skip * item + i] / 255.0f;
    clg_idx_free(&idx);
    return CLG_OK;
}

int clg_eval_score(clg_scores *s, clg_classifier *c, const float *gen, size_t ng, const float *real, size_t nr,
                   const float *train, size_t nt)
{
    clg_err *e = &c->ctx->err;
    memset(s, 0, sizeof *s);
    s->n = ng;
    int d = c->dim, k = c->cfg.classes;
    if (ng < 4 || nr < 4 || nt < 2)
        return clg_errf(e, CLG_ERR_ARG, "too few images to score: %zu samples, %zu real, %zu train (at least 4, 4, 2)", ng,
                        nr, nt);
    float *fg = malloc(ng * d * sizeof *fg), *pg = malloc(ng * k * sizeof *pg);
    float *fr = malloc(nr * d * sizeof *fr), *ft = malloc(nt * d * sizeof *ft);
    int st = fg && pg && fr && ft ? CLG_OK : clg_errf(e, CLG_ERR_NOMEM, "out of host memory for features");
    if (st == CLG_OK) st = clg_classifier_run(c, fg, pg, gen, ng);
    if (st == CLG_OK) st = clg_classifier_run(c, fr, NULL, real, nr);
    if (st == CLG_OK) st = clg_classifier_run(c, ft, NULL, train, nt);
    size_t m = (ng < nr ? ng : nr) / 2; /* subsets of half the rows, so that they differ */
    if (m > 1000) m = 1000;
    int splits = ng >= 10000 ? 10 : 1;
    if (st == CLG_OK) st = clg_frechet_sets(&s->fd, fg, ng, fr, nr, d, e);
    if (st == CLG_OK) st = clg_kid(&s->kid, &s->kid_std, fg, ng, fr, nr, d, 50, m, 1, e);
    if (st == CLG_OK) st = clg_class_score(&s->score, &s->score_std, pg, ng, k, splits, e);
    if (st == CLG_OK) st = clg_class_hist(s->hist, &s->used, &s->kl_uniform, pg, ng, k, e);
    if (st == CLG_OK) st = clg_prec_recall(&s->precision, &s->recall, fr, nr, fg, ng, d, 3, e);
    if (st == CLG_OK) st = clg_memorisation(&s->memorised, ft, nt, fg, ng, d, e);
    free(fg), free(pg), free(fr), free(ft);
    if (st != CLG_OK) c->ctx->err.status = st;
    return st;
}

void clg_eval_print(FILE *out, const clg_scores *s, const clg_scores *f, int classes)
{
    fprintf(out, "%-22s %14s %14s\n", "", "samples", "real vs real");
    fprintf(out, "%-22s %14zu %14zu\n", "n", s->n, f->n);
    fprintf(out, "%-22s %14.3f %14.3f\n", "Frechet distance", s->fd, f->fd);
    fprintf(out, "%-22s %7.4f±%-6.4f %7.4f±%-6.4f\n", "KID", s->kid, s->kid_std, f->kid, f->kid_std);
    fprintf(out, "%-22s %14.3f %14.3f\n", "classifier score", s->score, f->score);
    fprintf(out, "%-22s %11d/%-2d %11d/%-2d\n", "classes >= 1%", s->used, classes, f->used, classes);
    fprintf(out, "%-22s %14.4f %14.4f\n", "KL to uniform", s->kl_uniform, f->kl_uniform);
    fprintf(out, "%-22s %14.4f %14.4f\n", "precision (k=3)", s->precision, f->precision);
    fprintf(out, "%-22s %14.4f %14.4f\n", "recall (k=3)", s->recall, f->recall);
    fprintf(out, "%-22s %14.4f %14.4f\n", "memorised", s->memorised, f->memorised);
    fprintf(out, "class histogram (samples):");
    for (int i = 0; i < classes; i++) fprintf(out, " %.3f", s->hist[i]);
    fprintf(out, "\n");
}

static void json_scores(FILE *f, const char *name, const clg_scores *s, int classes, const char *end)
{
    fprintf(f, "  \"%s\": {\"n\": %zu, \"fd\": %.17g, \"kid\": %.17g, \"kid_std\": %.17g, \"score\": %.17g, "
               "\"score_std\": %.17g, \"classes_used\": %d, \"kl_uniform\": %.17g, \"precision\": %.17g, "
               "\"recall\": %.17g, \"memorised\": %.17g, \"histogram\": [",
            name, s->n, s->fd, s->kid, s->kid_std, s->score, s->score_std, s->used, s->kl_uniform, s->precision,
            s->recall, s->memorised);
    for (int i = 0; i < classes; i++) fprintf(f, "%s%.17g", i ? ", " : "", s->hist[i]);
    fprintf(f, "]}%s\n", end);
}

/* a JSON string of s (quotes and backslashes escaped, control bytes dropped) */
static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++)
        if (*s == '"' || *s == '\\') fprintf(f, "\\%c", *s);
        else if ((unsigned char)*s >= 0x20) fputc(*s, f);
    fputc('"', f);
}

int clg_eval_json(const char *path, const clg_scores *s, const clg_scores *floor, int classes, const char *samples,
                  const char *classifier, clg_err *e)
{
    FILE *f;
    char tmp[CLG_TMP_PATH];
    TRY(clg_tmp_open(&f, tmp, path, e));
    fprintf(f, "{\n  \"samples\": ");
    json_str(f, samples);
    fprintf(f, ",\n  \"classifier\": ");
    json_str(f, classifier);
    fprintf(f, ",\n");
    json_scores(f, "scores", s, classes, ",");
    json_scores(f, "real_vs_real", floor, classes, "");
    fprintf(f, "}\n");
    return clg_tmp_commit(f, tmp, path, 1, 0, e);
}
