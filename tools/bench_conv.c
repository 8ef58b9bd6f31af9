/* bench_conv.c — times conv2d and conv_transpose2d forward and backward on the default OpenCL
 * device (PoCL here), each built alone by clg_net_build from its config line, plus the data-
 * movement kernels of cl/conv.cl on their own and the bias gradient (layers/reduce.h).
 * Built with the tests (tests/conv.cmake) as bench_conv; not run by ctest.
 *
 * usage: bench_conv [REPS] [dcgan]   (default 5; the median of REPS timed runs after one warm-up;
 * "dcgan": only the layers of configs/dcgan.ini that lean on col2im and the per-channel sums)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "layers/im2col.h"
#include "layers/reduce.h"
#include "model/network.h"

static clg_ctx *ctx;
static int reps = 5;

/* Wall time, or with $BENCH_CPU the process's CPU time (all PoCL threads; steadier when other
 * work shares the machine, and about (wall time x cores used) when it does not). */
static double now_ms(void)
{
    struct timespec t;
    clock_gettime(getenv("BENCH_CPU") ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec * 1e-6;
}

static int cmpd(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

#define OK(expr)                                                                         \
    do {                                                                                 \
        int st_ = (expr);                                                                \
        if (st_ != CLG_OK) {                                                             \
            fprintf(stderr, "%s: %s\n", #expr, clg_last_error(ctx));                      \
            exit(1);                                                                     \
        }                                                                                \
    } while (0)

/* Median wall time (ms) of `reps` runs of op(arg), each ending with clFinish. */
#define TIME(result, stmt)                                                               \
    do {                                                                                 \
        double t_[64];                                                                   \
        for (int r_ = -1; r_ < reps; r_++) {                                             \
            double t0_ = now_ms();                                                       \
            stmt;                                                                        \
            clFinish(ctx->queue);                                                        \
            if (r_ >= 0) t_[r_] = now_ms() - t0_;                                        \
        }                                                                                \
        qsort(t_, reps, sizeof t_[0], cmpd);                                             \
        result = t_[reps / 2];                                                           \
    } while (0)

static void bench_layer(const char *spec, clg_shape in, int n)
{
    static clg_net net;
    static clg_net_cfg cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.nlayers = 1;
    snprintf(cfg.layers[0].text, sizeof cfg.layers[0].text, "%s", spec);
    snprintf(cfg.layers[0].where, sizeof cfg.layers[0].where, "bench");
    clg_rng rng = {1};
    if (clg_net_build(&net, ctx, "bench", &cfg, in, n, &rng) != CLG_OK) {
        fprintf(stderr, "%s\n", clg_last_error(ctx));
        exit(1);
    }
    clg_layer *l = &net.layers[0];
    size_t nx = (size_t)n * clg_shape_size(l->in), ny = (size_t)n * clg_shape_size(l->out);
    clg_buf x, dy, dx;
    OK(clg_buf_alloc(ctx, &x, nx, "x"));
    OK(clg_buf_alloc(ctx, &dx, nx, "dx"));
    OK(clg_buf_alloc(ctx, &dy, ny, "dy"));
    double f, b, bp;
    TIME(f, OK(l->ops->forward(l, ctx, &l->y, &x, n, 1)));
    TIME(b, OK(l->ops->backward(l, ctx, &dx, &dy, &x, &l->y, n, 1)));
    TIME(bp, OK(l->ops->backward(l, ctx, NULL, &dy, &x, &l->y, n, 1)));
    printf("%-60s %dx%dx%dx%d -> %dx%dx%d: forward %.1f ms, backward %.1f ms (params only %.1f), "
           "total %.1f ms; workspace %.1f MiB\n",
           spec, n, in.c, in.h, in.w, l->out.c, l->out.h, l->out.w, f, b, bp, f + b,
           l->workspace_floats * 4.0 / 1048576.0);
    clg_buf_release(&x), clg_buf_release(&dx), clg_buf_release(&dy);
    clg_net_free(&net);
}

/* The kernels of one conv2d chunk on their own (whole batch): conv 64->128 k5 s2 'same' 14x14. */
static void bench_kernels(void)
{
    int n = 128, ci = 64, co = 128;
    clg_conv_geom g = {ci, 14, 14, 7, 7, 5, 2, 1, 1};
    size_t nx = (size_t)n * ci * 196, ny = (size_t)n * co * 49, ncol = (size_t)ci * 25 * n * 49;
    clg_buf x, y, col, yp, db;
    OK(clg_buf_alloc(ctx, &x, nx, "x"));
    OK(clg_buf_alloc(ctx, &y, ny, "y"));
    OK(clg_buf_alloc(ctx, &yp, ny, "y'"));
    OK(clg_buf_alloc(ctx, &col, ncol, "col"));
    OK(clg_buf_alloc(ctx, &db, co, "db"));
    double t_im, t_ci, t_pk, t_up, t_bn, t_bn2;
    TIME(t_im, OK(clg_im2col(ctx, &col, 0, &x, 0, &g, n)));
    TIME(t_ci, OK(clg_col2im(ctx, &x, 0, &col, 0, NULL, &g, n)));
    TIME(t_pk, OK(clg_pack_cn(ctx, &yp, 0, &y, 0, co, 49, n)));
    TIME(t_up, OK(clg_unpack_cn(ctx, &y, 0, &yp, 0, &db, co, 49, n)));
    clg_buf sc;
    OK(clg_buf_alloc(ctx, &sc, clg_plane_sum_scratch((size_t)co, (size_t)n, 196) + 1, "scratch"));
    TIME(t_bn, OK(clg_bias_grad_nchw(ctx, &db, &y, n, co, 49, &sc, 0)));
    TIME(t_bn2, OK(clg_bias_grad_nchw(ctx, &db, &x, n, ci, 196, &sc, 0)));
    printf("kernels, conv 64->128 k5 s2 same, 128x64x14x14: im2col %.1f ms, col2im %.1f ms, pack %.1f ms, "
           "unpack+bias %.1f ms\nbias gradient (128,128,7x7): %.2f ms; (128,64,14x14): %.2f ms\n",
           t_im, t_ci, t_pk, t_up, t_bn, t_bn2);
    clg_buf_release(&sc);
    clg_buf *b[] = {&x, &y, &yp, &col, &db};
    for (int i = 0; i < 5; i++) clg_buf_release(b[i]);
}

/* The conv and batch-norm layers of configs/dcgan.ini at batch 128, and its col2im on its own. */
static void bench_dcgan(void)
{
    bench_layer("conv2d filters=56 kernel=4 stride=2 padding=1 bias=0", (clg_shape){28, 14, 14}, 128);
    bench_layer("conv_transpose2d filters=28 kernel=4 stride=2 padding=2 bias=0", (clg_shape){56, 8, 8}, 128);
    bench_layer("conv_transpose2d filters=1 kernel=4 stride=2 padding=1 bias=0", (clg_shape){28, 14, 14}, 128);
    const clg_shape bns[] = {{112, 4, 4}, {56, 8, 8}, {28, 14, 14}, {56, 7, 7}, {112, 3, 3}};
    for (int i = 0; i < 5; i++) bench_layer("batchnorm", bns[i], 128);
    int n = 128;
    clg_conv_geom g = {28, 14, 14, 7, 7, 4, 2, 1, 1};
    clg_buf x, col;
    OK(clg_buf_alloc(ctx, &x, (size_t)n * 28 * 196, "x"));
    OK(clg_buf_alloc(ctx, &col, (size_t)28 * 16 * n * 49, "col"));
    double t_im, t_ci;
    TIME(t_im, OK(clg_im2col(ctx, &col, 0, &x, 0, &g, n)));
    TIME(t_ci, OK(clg_col2im(ctx, &x, 0, &col, 0, NULL, &g, n)));
    printf("kernels, conv 28->56 k4 s2 p1, 128x28x14x14: im2col %.2f ms, col2im %.2f ms\n", t_im, t_ci);
    clg_buf_release(&x), clg_buf_release(&col);
}

int main(int argc, char **argv)
{
    if (argc > 1) reps = atoi(argv[1]);
    if (reps < 1 || reps > 64) reps = 5;
    if (clg_ctx_create(&ctx, NULL) != CLG_OK) {
        fprintf(stderr, "%s\n", clg_last_error(ctx));
        return 1;
    }
    printf("device: %s\n", clg_ctx_device_desc(ctx));
    if (argc > 2 && !strcmp(argv[2], "dcgan")) {
        bench_dcgan();
        clg_ctx_free(ctx);
        return 0;
    }
    bench_layer("conv2d filters=128 kernel=5 stride=2 padding=same", (clg_shape){64, 14, 14}, 128);
    bench_layer("conv_transpose2d filters=56 kernel=4 stride=2 padding=1", (clg_shape){112, 4, 4}, 128);
    bench_kernels();
    clg_ctx_free(ctx);
    return 0;
}
