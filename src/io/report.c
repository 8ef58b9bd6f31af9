/* report.c — writes report.html for a run: loss curves (raw and smoothed), D(x) and D(G(z)),
 * D accuracy on real and fake as inline SVG charts drawn from metrics.csv, the fixed-noise grid
 * of each epoch as a strip, the resolved networks, device, step time and images/s. A few lines
 * of script count the charts and the images that loaded and say so at the bottom of the page
 * (a missing grid shows up there).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "io/file.h"
#include "io/report.h"

#define NCOL 6 /* d_loss, g_loss, d_real, d_fake, acc_real, acc_fake */

typedef struct series {
    double *v[NCOL];
    long n, cap;
    long xlast; /* the x axis' last value: a step, or for evaluations the epoch (0: n steps) */
} series;

/* Room for cap values per column; -1 (the series keeps what it has) when memory runs out. */
static int grow(series *s, long cap)
{
    for (int k = 0; k < NCOL; k++) {
        double *p = realloc(s->v[k], (size_t)cap * sizeof *p);
        if (!p) return -1;
        s->v[k] = p;
    }
    s->cap = cap;
    return 0;
}

static int load(series *s, const char *path)
{
    memset(s, 0, sizeof *s);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    char line[512];
    if (!fgets(line, sizeof line, f)) {
        fclose(f);
        return 0;
    }
    while (fgets(line, sizeof line, f)) {
        double r[NCOL];
        long step;
        int epoch;
        if (sscanf(line, "%ld,%d,%lf,%lf,%lf,%lf,%lf,%lf", &step, &epoch, &r[0], &r[1], &r[2], &r[3], &r[4], &r[5]) != 8)
            continue;
        if (s->n == s->cap && grow(s, s->cap ? s->cap * 2 : 1024)) break; /* the chart shows what fitted */
        for (int k = 0; k < NCOL; k++) s->v[k][s->n] = r[k];
        s->n++;
    }
    fclose(f);
    return 0;
}

/* eval.csv (epoch, step, fd, kid, ...): FD and KID per evaluation into v[0] and v[1]; none when
 * the run has no evaluations. */
static void load_eval(series *s, const char *path)
{
    memset(s, 0, sizeof *s);
    FILE *f = fopen(path, "r");
    if (!f) return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        double fd, kid;
        long step;
        int epoch;
        if (sscanf(line, "%d,%ld,%lf,%lf", &epoch, &step, &fd, &kid) != 4) continue; /* the header too */
        if (s->n == s->cap && grow(s, s->cap ? s->cap * 2 : 64)) break;
        s->v[0][s->n] = fd, s->v[1][s->n] = kid;
        s->xlast = epoch;
        for (int k = 2; k < NCOL; k++) s->v[k][s->n] = 0;
        s->n++;
    }
    fclose(f);
}

static void html_escape(FILE *o, const char *t)
{
    for (; t && *t; t++) {
        if (*t == '<') fputs("&lt;", o);
        else if (*t == '>') fputs("&gt;", o);
        else if (*t == '&') fputs("&amp;", o);
        else fputc(*t, o);
    }
}

/* One SVG chart of up to 4 series (indices into s), each drawn raw (thin) and, when smooth is
 * set, as an exponential moving average (bold). */
static void chart(FILE *o, const series *s, const char *title, const int *cols, const char *const *names, int ncols,
                  int smooth, double ymin_fixed, double ymax_fixed)
{
    static const char *colors[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e"};
    const int W = 560, H = 220, L = 48, R = 10, T = 24, B = 28;
    double lo = ymin_fixed, hi = ymax_fixed;
    if (lo >= hi) {
        lo = INFINITY, hi = -INFINITY;
        for (int c = 0; c < ncols; c++)
            for (long i = 0; i < s->n; i++) {
                double v = s->v[cols[c]][i];
                if (isfinite(v)) lo = fmin(lo, v), hi = fmax(hi, v);
            }
        if (!(lo < hi)) lo = 0, hi = 1;
    }
    fprintf(o, "<svg class=\"chart\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" xmlns=\"http://www.w3.org/2000/svg\">\n",
            W, H, W, H);
    fprintf(o, "<text x=\"%d\" y=\"16\" font-size=\"13\" font-weight=\"bold\">%s</text>\n", L, title);
    fprintf(o, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>\n", L, T, W - L - R,
            H - T - B);
    for (int k = 0; k <= 4; k++) {
        double v = lo + (hi - lo) * k / 4, y = H - B - (H - T - B) * k / 4.0;
        fprintf(o, "<text x=\"%d\" y=\"%.1f\" font-size=\"10\" text-anchor=\"end\">%.3g</text>\n", L - 4, y + 3, v);
    }
    fprintf(o, "<text x=\"%d\" y=\"%d\" font-size=\"10\" text-anchor=\"end\">%s %ld</text>\n", W - R, H - 8,
            s->xlast ? "epoch" : "step", s->xlast ? s->xlast : s->n);
    long stride = s->n > 800 ? s->n / 800 : 1;
    double alpha = fmin(0.2, fmax(0.005, 10.0 / (double)(s->n + 1))); /* smoothing over ~1/alpha steps */
    for (int c = 0; c < ncols; c++) {
        for (int pass = 0; pass < (smooth ? 2 : 1); pass++) {
            int raw = smooth && pass == 0;
            fprintf(o, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"%s\" stroke-opacity=\"%s\" points=\"",
                    colors[c % 4], raw ? "0.7" : "1.6", raw ? "0.35" : "1");
            double ema = NAN;
            for (long i = 0; i < s->n; i++) {
                double v = s->v[cols[c]][i];
                ema = isnan(ema) ? v : (1 - alpha) * ema + alpha * v;
                if (i % stride && i != s->n - 1) continue;
                double y = raw || !smooth ? v : ema;
                if (!isfinite(y)) continue;
                double px = L + (W - L - R) * (s->n > 1 ? (double)i / (s->n - 1) : 0.5);
                double py = H - B - (H - T - B) * (fmin(fmax(y, lo), hi) - lo) / (hi - lo);
                fprintf(o, "%.1f,%.1f ", px, py);
            }
            fputs("\"/>\n", o);
        }
        fprintf(o, "<text x=\"%d\" y=\"16\" font-size=\"12\" fill=\"%s\">%s</text>\n", W - R - 90 * (ncols - c),
                colors[c % 4], names[c]);
    }
    fputs("</svg>\n", o);
}

int clg_report_write(const clg_report_info *in, clg_err *e)
{
    char path[CLG_TMP_PATH], tmp[CLG_TMP_PATH], metrics[CLG_TMP_PATH], evals[CLG_TMP_PATH];
    int len = snprintf(path, sizeof path, "%s/report.html", in->out_dir);
    if (len < 0 || (size_t)len >= sizeof path)
        return clg_errf(e, CLG_ERR_IO, "%s: run folder path too long for its report", in->out_dir);
    snprintf(metrics, sizeof metrics, "%s/metrics.csv", in->out_dir); /* shorter than path */
    snprintf(evals, sizeof evals, "%s/eval.csv", in->out_dir);
    FILE *o;
    TRY(clg_tmp_open(&o, tmp, path, e));
    series s, ev;
    load(&s, metrics);
    load_eval(&ev, evals);
    time_t now = time(NULL);
    char when[64];
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", localtime(&now));
    fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>clgan: ", o);
    html_escape(o, in->title);
    fputs("</title>\n<style>body{font-family:sans-serif;margin:20px;color:#222}"
          "table{border-collapse:collapse}td,th{padding:2px 10px;text-align:left}"
          ".strip{display:flex;flex-wrap:wrap;gap:8px}.strip figure{margin:0;text-align:center;font-size:11px}"
          ".strip img{width:160px;image-rendering:pixelated;border:1px solid #ccc}"
          "pre{background:#f6f6f6;padding:8px;font-size:12px}#status{color:#666;font-size:12px}</style>\n"
          "</head><body>\n<h1>",
          o);
    html_escape(o, in->title);
    fputs("</h1>\n<table>\n", o);
    fprintf(o, "<tr><th>progress</th><td>step %ld of %ld, %d epoch%s done</td></tr>\n", in->step, in->steps_total,
            in->epochs_done, in->epochs_done == 1 ? "" : "s");
    fputs("<tr><th>device</th><td>", o);
    html_escape(o, in->device);
    fputs("</td></tr>\n", o);
    if (in->ms_per_step > 0)
        fprintf(o, "<tr><th>speed</th><td>%.1f ms/step, %.0f images/s (batch %d; one D step on real and fake plus one "
                "G step)</td></tr>\n", in->ms_per_step, in->batch * 1000.0 / in->ms_per_step, in->batch);
    fprintf(o, "<tr><th>updated</th><td>%s</td></tr>\n</table>\n", when);
    if (s.n) {
        double sum[NCOL] = {0};
        long from = s.n > 100 ? s.n - 100 : 0;
        for (long i = from; i < s.n; i++)
            for (int k = 0; k < NCOL; k++) sum[k] += s.v[k][i] / (double)(s.n - from);
        fprintf(o, "<p>last %ld steps: D loss %.3f, G loss %.3f, D(x) %.3f, D(G(z)) %.3f, D accuracy real %.3f, "
                "fake %.3f</p>\n", s.n - from, sum[0], sum[1], sum[2], sum[3], sum[4], sum[5]);
    }
    fputs("<h2>Training curves</h2>\n<div>\n", o);
    chart(o, &s, "Loss (thin: per step, bold: smoothed)", (int[]){0, 1}, (const char *const[]){"D loss", "G loss"}, 2,
          1, 0, 0);
    chart(o, &s, "D(x) and D(G(z))", (int[]){2, 3}, (const char *const[]){"D(x)", "D(G(z))"}, 2, 1, 0, 1);
    chart(o, &s, "D accuracy", (int[]){4, 5}, (const char *const[]){"real", "fake"}, 2, 1, 0, 1);
    if (ev.n) /* train.eval_every: the samples' scores, one point per evaluation */
        chart(o, &ev, "FD of 2,000 samples per evaluation (lower is better)", (int[]){0}, (const char *const[]){"FD"},
              1, 0, 0, 0);
    fputs("</div>\n<h2>Fixed-noise samples, per epoch</h2>\n<div class=\"strip\">\n", o);
    for (int e = 1; e <= in->epochs_done; e++) {
        char img[1300];
        snprintf(img, sizeof img, "%s/samples/epoch_%03d.png", in->out_dir, e);
        if (access(img, F_OK) != 0) continue;
        fprintf(o, "<figure><img src=\"samples/epoch_%03d.png\" alt=\"epoch %d\"><figcaption>epoch %d</figcaption>"
                "</figure>\n", e, e, e);
    }
    fputs("</div>\n<h2>Networks</h2>\n<pre>", o);
    html_escape(o, in->networks);
    fputs("</pre>\n<p id=\"status\">(the page's self-check needs JavaScript)</p>\n"
          "<script>\n"
          "window.addEventListener('load', function () {\n"
          "  var imgs = document.images, ok = 0;\n"
          "  for (var i = 0; i < imgs.length; i++) if (imgs[i].complete && imgs[i].naturalWidth > 0) ok++;\n"
          "  var charts = document.querySelectorAll('svg.chart polyline').length > 0 ?\n"
          "               document.querySelectorAll('svg.chart').length : 0;\n"
          "  document.getElementById('status').textContent = 'rendered: ' + charts + ' charts, ' + ok + ' of ' +\n"
          "      imgs.length + ' sample images loaded';\n"
          "});\n</script>\n</body></html>\n",
          o);
    for (int k = 0; k < NCOL; k++) free(s.v[k]), free(ev.v[k]);
    return clg_tmp_commit(o, tmp, path, !ferror(o), 0, e);
}
