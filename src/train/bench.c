/* bench.c — `clgan bench`: the speed of one training step of a config on synthetic data.
 *
 * Wall time per step (median/min/max over timed steps, each ending in clFinish), then a few
 * more steps with profiling events, summed per layer and pass, with the FLOPs of each layer
 * as its layer table counts them (clg_layer_cost_of: dense 2·N·weights per product, conv2d
 * 2·N·OH·OW·weights, elementwise layers one per value, ...), so GFLOP/s per layer
 * and the fraction of peak follow. Peak FP32 is given twice: an estimate (compute units × clock
 * × FP32 lanes per unit × 2 for FMA; the runtime counts a CPU core's FMA pipes) and a measurement
 * (cl/bench.cl's FMA kernel); a copy kernel measures memory bandwidth, and each layer is held
 * against the bound its FLOPs per byte put it under (the FLOP peak or the bandwidth); bytes
 * moved per layer come from the same table. Under MPI every rank runs the steps (on its share
 * of the batch) and the gradient sums' time and bytes per step are reported beside the step.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "train/bench.h"
#include "train/trainer.h"

#define NTAGS (4 * CLG_MAX_LAYERS + 8)
enum { TAG_OTHER = 4 * CLG_MAX_LAYERS };

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Measured FP32 peak from the FMA kernel, GFLOP/s: PEAK_CHAINS chains of PEAK_VW floats per
 * work-item, 2 flops per lane and FMA. */
static int fma_peak(clg_ctx *ctx, double *gflops)
{
    size_t global = (size_t)ctx->compute_units * 2048, local = (size_t)clg_tunable(ctx, CLG_T_WG);
    int iters = 2048, vw = clg_tunable(ctx, CLG_T_PEAK_VW), chains = clg_tunable(ctx, CLG_T_PEAK_CHAINS);
    clg_buf out;
    TRY(clg_buf_alloc(ctx, &out, global * (size_t)vw, "peak test"));
    double best = 0;
    for (int rep = 0; rep < 3; rep++) {
        double t0 = now_seconds();
        int st = clg_launch(ctx, CLG_K_FMA_PEAK, 1, &global, &local, 4,
                            (clg_karg[]){KA_MEM(out.sub), KA_INT(iters), KA_FLT(0.999f), KA_FLT(0.001f)});
        if (st == CLG_OK) st = clg_finish(ctx);
        if (st != CLG_OK) {
            clg_buf_release(&out);
            return st;
        }
        double g = (double)global * iters * 2 * chains * vw / (now_seconds() - t0) / 1e9;
        if (g > best) best = g;
    }
    clg_buf_release(&out);
    *gflops = best;
    return CLG_OK;
}

/* Measured memory bandwidth from the copy kernel, GB/s (bytes read plus bytes written): buffers
 * of 64 MiB each (less where the device's allocation limit says so), far past the caches; the best
 * of three after a warm-up. */
static int copy_bandwidth(clg_ctx *ctx, double *gbs)
{
    size_t n = (size_t)16 << 20;
    while (n > 4096 && 4 * n > ctx->max_alloc) n /= 2;
    size_t n4 = n / 4, local = (size_t)clg_tunable(ctx, CLG_T_WG), global = clg_round_up(n4, local);
    clg_buf a, b;
    TRY(clg_buf_alloc(ctx, &a, n, "bandwidth test"));
    int st = clg_buf_alloc(ctx, &b, n, "bandwidth test");
    if (st != CLG_OK) {
        clg_buf_release(&a);
        return st;
    }
    double best = 0;
    for (int rep = 0; rep < 4 && st == CLG_OK; rep++) {
        double t0 = now_seconds();
        st = clg_launch(ctx, CLG_K_BW_COPY, 1, &global, &local, 3,
                        (clg_karg[]){KA_MEM(b.sub), KA_MEM(a.sub), KA_INT((int)n4)});
        if (st == CLG_OK) st = clg_finish(ctx);
        double g = 8.0 * n / (now_seconds() - t0) / 1e9;
        if (rep > 0 && g > best) best = g;
    }
    clg_buf_release(&a);
    clg_buf_release(&b);
    *gbs = best;
    return st;
}

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') fputc('\\', f);
        if ((unsigned char)*s >= 32) fputc(*s, f);
    }
    fputc('"', f);
}

int clg_bench(clg_ctx *ctx, const clg_config *cfg_in, int warmup, int steps, FILE *out, FILE *json)
{
    if (!ctx->profiling)
        return clg_fail(ctx, CLG_ERR_ARG, "clg_bench needs a context made with CLG_CTX_PROFILING");
    if (steps < 1 || steps > 100000 || warmup < 0 || warmup > 100000)
        return clg_fail(ctx, CLG_ERR_ARG, "clg_bench: %d timed steps after %d warm-up steps: allowed are 1 to 100000 "
                        "timed and 0 to 100000 warm-up steps", steps, warmup);
    /* synthetic data of the config's shape; no files written */
    struct clg_config cfg = *cfg_in;
    cfg.text = NULL;
    cfg.text_len = cfg.text_cap = 0;
    cfg.train.epochs = 1000000;
    clg_trainer *tr;
    int st = clg_trainer_create_with(&tr, ctx, &cfg, NULL, NULL, clg_trainer_synthetic_data);
    if (st != CLG_OK) {
        clg_trainer_free(tr);
        return st;
    }
    double *t = calloc((size_t)steps, sizeof *t), sums[NTAGS] = {0};
    int prof_steps = steps < 5 ? steps : 5;
    long spe = tr->steps_per_epoch;
    double comm_s = 0;
    for (int i = 0; i < warmup + steps && st == CLG_OK; i++) {
        if (i == warmup) comm_s = tr->comm_s + tr->part.comm_s; /* gradients and synchronised batch norms */
        double t0 = now_seconds();
        if (i % spe == 0) st = clg_dataset_shuffle(&tr->data, ctx, &tr->rng_shuffle);
        if (st == CLG_OK) st = clg_trainer_step(tr, (int)((i % spe) * tr->batch * cfg.train.d_steps), 0);
        if (st == CLG_OK) st = clg_finish(ctx);
        if (i >= warmup) t[i - warmup] = now_seconds() - t0;
    }
    comm_s = (tr->comm_s + tr->part.comm_s - comm_s) / steps; /* per timed step */
    /* the gradient arenas summed per step: D's d_steps times, G's once */
    double grad_bytes = 4.0 * ((double)tr->D.grads.n * cfg.train.d_steps + (double)tr->G.grads.n);
    /* profiled steps */
    if (st == CLG_OK) st = clg_prof_enable(ctx, 8192);
    for (int i = 0; i < prof_steps && st == CLG_OK; i++) {
        clg_prof_tag(ctx, TAG_OTHER);
        st = clg_trainer_step(tr, (int)((i % spe) * tr->batch * cfg.train.d_steps), 0);
        if (st == CLG_OK) st = clg_prof_collect(ctx, sums, NTAGS);
    }
    ctx->prof_on = 0;
    double peak_meas = 0, bw = 0;
    if (st == CLG_OK) st = fma_peak(ctx, &peak_meas);
    if (st == CLG_OK) st = copy_bandwidth(ctx, &bw);
    if (st != CLG_OK) {
        free(t);
        clg_trainer_free(tr);
        return st;
    }
    qsort(t, (size_t)steps, sizeof *t, cmp_double);
    double med = steps % 2 ? t[steps / 2] : 0.5 * (t[steps / 2 - 1] + t[steps / 2]);
    unsigned cu = ctx->compute_units, mhz = ctx->mhz, lanes = ctx->fp32_lanes;
    double peak_est = (double)cu * mhz * 1e6 * lanes * 2 / 1e9;
    /* the honest peak: the estimate is at the reported (base) clock, which a CPU's boost passes */
    double peak = peak_est > peak_meas ? peak_est : peak_meas, balance = bw > 0 ? peak / bw : 0;
    /* cold and warm program builds, in fresh contexts on the same device */
    char spec[16] = "";
    double cold = -1, warm = -1;
    {
        char specs[64][16];
        int nd = clg_device_specs(specs, 64);
        for (int i = 0; i < nd; i++) {
            clg_ctx *probe;
            if (clg_ctx_open_like(&probe, ctx, specs[i], CLG_CTX_NO_CACHE) == CLG_OK && probe->device == ctx->device) {
                memcpy(spec, specs[i], sizeof spec);
                cold = probe->build_seconds;
            }
            clg_ctx_free(probe);
            if (spec[0]) break;
        }
        clg_ctx *probe;
        if (spec[0] && clg_ctx_open_like(&probe, ctx, spec, 0) == CLG_OK) warm = probe->build_seconds;
        if (spec[0]) clg_ctx_free(probe);
    }

    /* per-layer table */
    clg_net *nets[2] = {&tr->G, &tr->D};
    /* calls per step: G forward d_steps, backward 1; D forward and backward 2 d_steps + 1 (param
     * grads in 2 d_steps of them; layer 0's input gradient only in the G step) */
    const int fwd_calls[2] = {cfg.train.d_steps, 2 * cfg.train.d_steps + 1}, dw_calls[2] = {1, 2 * cfg.train.d_steps},
              dx_calls[2] = {1, 2 * cfg.train.d_steps + 1};
    double total_flops = 0, total_dev = 0;
    for (int i = 0; i < NTAGS; i++) total_dev += sums[i] / prof_steps;
    if (out) {
        fprintf(out, "config: %s\ndevice: %s\ngemm: %s\n", cfg_in->path, ctx->desc, clg_ctx_gemm(ctx));
        fprintf(out, "step: median %.2f ms (min %.2f, max %.2f) over %d steps after %d warm-up; %.1f images/s (batch %d)\n",
                med * 1e3, t[0] * 1e3, t[steps - 1] * 1e3, steps, warmup, tr->batch / med, tr->batch);
        fprintf(out, "gradients: %.2f MB per step to sum over ranks; %d rank%s, summing %.2f ms per step (%.1f%% of "
                "the step)\n", grad_bytes / 1e6, tr->ranks, tr->ranks > 1 ? "s" : "", comm_s * 1e3,
                100 * comm_s / med);
        fprintf(out, "program build: cold %.2f s (no clgan cache), warm %.2f s (from the cache)\n", cold, warm);
        if (mhz) /* some runtimes (Intel's CPU one) report no clock: then only the measured peak */
            fprintf(out, "peak FP32: estimate %.1f GFLOP/s (%u compute units x %u MHz x %u lanes: %s; x 2 for FMA), ",
                    peak_est, cu, mhz, lanes, ctx->lanes_how);
        else
            fprintf(out, "peak FP32: estimate unknown (the device reports a clock of 0 MHz), ");
        fprintf(out, "measured %.1f GFLOP/s (FMA kernel, %d chains of %d)\n", peak_meas,
                clg_tunable(ctx, CLG_T_PEAK_CHAINS), clg_tunable(ctx, CLG_T_PEAK_VW));
        fprintf(out, "memory: %.1f GB/s measured (copy kernel, read + write); a layer below %.1f FLOP/byte is held "
                "against it (%% bound: mem), above against %.1f GFLOP/s (fp)\n", bw, balance, peak);
        fprintf(out, "\nper layer, device time per step (profiled over %d steps):\n", prof_steps);
        fprintf(out, "  %-4s %-3s %-17s %-4s %9s %6s %9s %9s %9s %8s %9s\n", "net", "#", "layer", "pass", "ms", "%",
                "GFLOP", "GFLOP/s", "MB", "GB/s", "% bound");
    }
    if (json) {
        fprintf(json, "{\"config\":");
        json_str(json, cfg_in->path);
        fprintf(json, ",\"device\":");
        json_str(json, ctx->desc);
        fprintf(json, ",\"gemm\":");
        json_str(json, clg_ctx_gemm(ctx));
        fprintf(json, ",\"batch\":%d,\"ms_median\":%.4f,\"ms_min\":%.4f,\"ms_max\":%.4f,\"img_per_s\":%.2f,"
                      "\"build_cold_s\":%.3f,\"build_warm_s\":%.3f,\"peak_estimate_gflops\":%.2f,"
                      "\"peak_measured_gflops\":%.2f,\"peak_lanes\":%u,\"bandwidth_gbs\":%.2f,\"ranks\":%d,\"grad_bytes_per_step\":%.0f,\"allreduce_ms\":%.4f,"
                      "\"layers\":[",
                tr->batch, med * 1e3, t[0] * 1e3, t[steps - 1] * 1e3, tr->batch / med, cold, warm, peak_est, peak_meas, lanes, bw,
                tr->ranks, grad_bytes, comm_s * 1e3);
    }
    int first = 1;
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < nets[k]->nlayers; i++) {
            const clg_layer *l = &nets[k]->layers[i];
            clg_layer_cost c = clg_layer_cost_of(l, tr->lbatch); /* this rank's share */
            if (l->absorbed) { /* no pass of its own: its time and work are the next layer's */
                if (out) fprintf(out, "  %-4s %-3d %-17s (folded into layer %d)\n", k ? "D" : "G", i, l->ops->type, i + 1);
                continue;
            }
            for (int pass = 0; pass < 2; pass++) {
                int tag = nets[k]->prof_base + 2 * i + pass;
                double sec = sums[tag] / prof_steps;
                double flops = pass == 0 ? c.fwd_flops * fwd_calls[k]
                                         : c.bwd_dx_flops * (i > 0 ? dx_calls[k] : k == 1 ? 1 : 0) +
                                               c.bwd_dw_flops * dw_calls[k];
                double bytes = pass == 0 ? c.fwd_bytes * fwd_calls[k] : c.bwd_bytes * dx_calls[k];
                if (k == 1 && i >= tr->d_upto) continue; /* a sigmoid folded into the loss */
                total_flops += flops;
                /* the bound this pass is under: bandwidth below the machine's FLOPs per byte */
                int membound = flops < balance * bytes;
                double gbs = sec > 0 ? bytes / sec / 1e9 : 0, gfs = sec > 0 ? flops / sec / 1e9 : 0;
                double frac = membound ? (bw > 0 ? gbs / bw : 0) : gfs / peak;
                if (out)
                    fprintf(out, "  %-4s %-3d %-17s %-4s %9.3f %6.1f %9.4f %9.2f %9.2f %8.2f %5.1f %-3s\n", k ? "D" : "G", i,
                            l->ops->type, pass ? "bwd" : "fwd", sec * 1e3, total_dev > 0 ? 100 * sec / total_dev : 0,
                            flops / 1e9, gfs, bytes / 1e6, gbs, 100 * frac, membound ? "mem" : "fp");
                if (json) {
                    fprintf(json, "%s{\"net\":\"%s\",\"index\":%d,\"type\":\"%s\",\"pass\":\"%s\",\"ms\":%.4f,"
                                  "\"gflop\":%.6f,\"mb\":%.3f,\"gbs\":%.3f,\"bound\":\"%s\"}",
                            first ? "" : ",", k ? "D" : "G", i, l->ops->type, pass ? "bwd" : "fwd", sec * 1e3,
                            flops / 1e9, bytes / 1e6, gbs, membound ? "mem" : "fp");
                    first = 0;
                }
            }
        }
    double other = sums[TAG_OTHER] / prof_steps;
    if (out) {
        fprintf(out, "  %-4s %-3s %-17s %-4s %9.3f %6.1f\n", "-", "-", "loss/optim/data", "", other * 1e3,
                total_dev > 0 ? 100 * other / total_dev : 0);
        fprintf(out, "device time %.2f ms per step (wall %.2f ms); %.2f GFLOP per step = %.2f GFLOP/s, %.1f%% of the "
                "peak (%.1f GFLOP/s)\n", total_dev * 1e3, med * 1e3, total_flops / 1e9, total_flops / med / 1e9,
                100 * total_flops / med / 1e9 / peak, peak);
    }
    if (json)
        fprintf(json, "],\"other_ms\":%.4f,\"device_ms\":%.4f,\"gflop_per_step\":%.6f}\n", other * 1e3, total_dev * 1e3,
                total_flops / 1e9);
    free(t);
    clg_trainer_free(tr);
    return CLG_OK;
}

int clg_bench_json(clg_ctx *ctx, const clg_config *cfg, int warmup, int steps, char **json)
{
    *json = NULL;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) return clg_fail(ctx, CLG_ERR_NOMEM, "out of host memory for the benchmark's JSON");
    int st = clg_bench(ctx, cfg, warmup, steps, NULL, f);
    if (fclose(f) != 0 && st == CLG_OK) st = clg_fail(ctx, CLG_ERR_NOMEM, "out of host memory for the benchmark's JSON");
    if (st != CLG_OK) {
        free(text);
        return st;
    }
    *json = text;
    return CLG_OK;
}
