/* test_conv.c — conv2d and conv_transpose2d (src/layers/conv2d.c, conv_transpose2d.c) and their
 * kernels (cl/conv.cl), usage: test_conv FIXTURE_DIR.
 *  1. kernels vs tests/conv_ref.h: im2col, col2im (with and without bias), pack/unpack and the
 *     per-channel bias gradient, at offsets inside larger buffers whose other values must stay;
 *  2. both layers, built by clg_net_build from their config line, forward and backward vs the
 *     double references on many geometries (stride 1/2/3, padding 0/1/2/same/valid, output
 *     padding, 7->3, kernels 1..5, batch 1/3/128, chunked batches, a partial last batch):
 *     output shape, y, dx, and dW/db accumulated (+=) onto non-zero gradients, plus the
 *     dx-only and parameter-only paths;
 *  3. finite differences of L = sum(r*y) for dx, dW, db of both layers;
 *  4. PyTorch fixtures (tools/torch_fixtures_conv.py): y, dx, dW, db;
 *  5. bad options are config errors.
 * Error measure: max |got - ref| / max(1, rms(ref)) over a tensor (float sums of K terms err
 * in proportion to the size of their partial sums, i.e. to the tensor's rms, not to each
 * element's own value, which may be near 0). Tolerances: TOL_REF = 2e-5 for layer outputs and
 * gradients vs the double reference and vs PyTorch (measured worst on PoCL: 7.4e-6, the
 * 64->128 k5 conv with K = 1600), times sqrt(K/25000) for dW and db summed over K > 25000
 * terms (measured 2.7e-5 at K = 400000, tolerance 8e-5); kernels: im2col and pack exact,
 * unpack 1e-7, col2im 1e-6, bias gradient 1e-5; finite differences |fd - g| / max(1,|fd|) <=
 * TOL_FD = 1e-4 (the layers are linear in x, W and b, so a central difference with step 0.25
 * is exact up to float rounding; measured worst 1e-6). $CLGAN_TEST_SMALL (Oclgrind) runs only
 * the cases marked small; $CLGAN_TEST_VERBOSE prints every error.
 */
#include "conv_test.h"
#include "layers/reduce.h"
#include "fixture.h"

#define TOL_REF 2e-5
/* dW and db sum over every sample and window position: K = n*positions terms, beyond 25000 of
 * which the float rounding grows as sqrt(K) */
#define TOL_SUM(k) (TOL_REF * fmax(1.0, sqrt((double)(k) / 25000.0)))
#define TOL_FD 1e-4

/* ---- 1. kernels ------------------------------------------------------------------------------ */
static void test_kernels(void)
{
    static const struct { clg_conv_geom g; int nc, small; } G[] = {
        {{3, 7, 7, 3, 3, 3, 2, 0, 0}, 2, 1},   {{2, 5, 6, 5, 6, 3, 1, 1, 1}, 3, 1},
        {{4, 9, 10, 5, 5, 3, 2, 1, 0}, 2, 0},  {{1, 4, 4, 2, 2, 1, 3, 0, 0}, 1, 1},
        {{3, 6, 5, 4, 3, 5, 2, 2, 2}, 2, 0},   {{5, 1, 1, 4, 4, 4, 1, 3, 3}, 3, 1},
        {{2, 8, 8, 7, 7, 4, 1, 2, 1}, 1, 0},   {{3, 12, 14, 6, 7, 4, 2, 1, 1}, 5, 0},
        {{7, 13, 11, 7, 6, 5, 2, 2, 2}, 4, 0},
        /* rows wider than col2im's run of 16 pixels: several runs per row, taps crossing runs */
        {{2, 5, 37, 3, 18, 3, 2, 1, 1}, 2, 1}, {{2, 3, 40, 2, 20, 7, 2, 3, 3}, 1, 0},
        {{1, 2, 35, 2, 33, 3, 1, 0, 0}, 3, 0},
    };
    for (size_t t = 0; t < sizeof G / sizeof G[0]; t++) {
        if (small && !G[t].small) continue;
        const clg_conv_geom *g = &G[t].g;
        int nc = G[t].nc;
        char what[96];
        snprintf(what, sizeof what, "kernels c%d %dx%d -> %dx%d k%d s%d pad %d,%d nc %d", g->c, g->h, g->w, g->oh,
                 g->ow, g->k, g->s, g->pt, g->pl, nc);
        size_t ni = (size_t)nc * g->c * g->h * g->w, nco = (size_t)g->c * g->k * g->k * nc * g->oh * g->ow;
        size_t ioff = 5, coff = 3, extra = 7;
        float *img = test_randv(ni, 11 + t), *col = test_randv(nco, 23 + t), *bias = test_randv(g->c, 31 + t);
        double *ref = malloc((ni > nco ? ni : nco) * sizeof *ref);
        clg_buf bimg = upload_at(img, ni, ioff, extra, 0), bcol = upload_at(NULL, nco, coff, extra, 777.0f);
        clg_buf bb = test_upload(ctx, bias, g->c);
        /* im2col */
        CHECK_OK(ctx, clg_im2col(ctx, &bcol, coff, &bimg, ioff, g, nc));
        ref_im2col(ref, img, nc, g->c, g->h, g->w, g->oh, g->ow, g->k, g->s, g->pt, g->pl);
        float *h = test_download(ctx, &bcol, coff + nco + extra);
        cmp(what, "im2col", h + coff, ref, nco, 0.0);
        free(h);
        check_untouched(&bcol, coff + nco + extra, coff, nco, 777.0f, "im2col");
        /* im2col_t: the same columns transposed, (nc*P, C*k*k) */
        {
            clg_buf bct = upload_at(NULL, nco, coff, extra, 777.0f);
            CHECK_OK(ctx, clg_im2col_t(ctx, &bct, coff, &bimg, ioff, g, nc));
            size_t rows = (size_t)g->c * g->k * g->k, cols = nco / rows;
            double *rt = malloc(nco * sizeof *rt);
            for (size_t r = 0; r < rows; r++)
                for (size_t j = 0; j < cols; j++) rt[j * rows + r] = ref[r * cols + j];
            h = test_download(ctx, &bct, coff + nco + extra);
            cmp(what, "im2col_t", h + coff, rt, nco, 0.0);
            free(h), free(rt);
            check_untouched(&bct, coff + nco + extra, coff, nco, 777.0f, "im2col_t");
            clg_buf_release(&bct);
        }
        /* col2im, with and without bias, into a NaN-filled image */
        for (int wb = 0; wb < 2; wb++) {
            clg_buf bcol2 = upload_at(col, nco, coff, extra, 0), bout = upload_at(NULL, ni, ioff, extra, NAN);
            CHECK_OK(ctx, clg_col2im(ctx, &bout, ioff, &bcol2, coff, wb ? &bb : NULL, g, nc));
            ref_col2im(ref, col, wb ? bias : NULL, nc, g->c, g->h, g->w, g->oh, g->ow, g->k, g->s, g->pt, g->pl);
            h = test_download(ctx, &bout, ioff + ni + extra);
            cmp(what, wb ? "col2im+b" : "col2im", h + ioff, ref, ni, 1e-6);
            free(h);
            check_untouched(&bout, ioff + ni + extra, ioff, ni, NAN, "col2im");
            clg_buf_release(&bcol2);
            clg_buf_release(&bout);
        }
        /* pack (nc,c,P) -> (c,nc,P) and unpack back with bias */
        int p = g->h * g->w;
        clg_buf bpk = upload_at(NULL, ni, coff, extra, 777.0f), bup = upload_at(NULL, ni, ioff, extra, 777.0f);
        CHECK_OK(ctx, clg_pack_cn(ctx, &bpk, coff, &bimg, ioff, g->c, p, nc));
        for (int n = 0; n < nc; n++)
            for (int c = 0; c < g->c; c++)
                for (int q = 0; q < p; q++) ref[((size_t)c * nc + n) * p + q] = img[((size_t)n * g->c + c) * p + q];
        h = test_download(ctx, &bpk, coff + ni + extra);
        cmp(what, "pack_cn", h + coff, ref, ni, 0.0);
        free(h);
        check_untouched(&bpk, coff + ni + extra, coff, ni, 777.0f, "pack_cn");
        CHECK_OK(ctx, clg_unpack_cn(ctx, &bup, ioff, &bpk, coff, &bb, g->c, p, nc));
        for (size_t i = 0; i < ni; i++) ref[i] = (double)img[i] + bias[(i / p) % g->c];
        h = test_download(ctx, &bup, ioff + ni + extra);
        cmp(what, "unpack_cn", h + ioff, ref, ni, 1e-7);
        free(h);
        check_untouched(&bup, ioff + ni + extra, ioff, ni, 777.0f, "unpack_cn");
        /* per-channel bias gradient, accumulated onto bias */
        clg_buf bdy = test_upload(ctx, img, ni), bsc;
        CHECK_OK(ctx, clg_buf_alloc(ctx, &bsc, 1 + clg_plane_sum_scratch((size_t)g->c, (size_t)nc, (size_t)p), "scratch"));
        CHECK_OK(ctx, clg_bias_grad_nchw(ctx, &bb, &bdy, nc, g->c, p, &bsc, 0));
        clg_buf_release(&bdy), clg_buf_release(&bsc);
        for (int c = 0; c < g->c; c++) ref[c] = bias[c];
        for (size_t i = 0; i < ni; i++) ref[(i / p) % g->c] += img[i];
        h = test_download(ctx, &bb, g->c);
        cmp(what, "bias_grad", h, ref, g->c, 1e-5);
        free(h);
        clg_buf *bufs[] = {&bimg, &bcol, &bb, &bpk, &bup};
        for (int i = 0; i < 5; i++) clg_buf_release(bufs[i]);
        free(img), free(col), free(bias), free(ref);
    }
    /* bias gradient at a conv shape: (128, 130, 14x14) */
    if (!small) {
        int n = 128, f = 130, p = 196;
        size_t ni = (size_t)n * f * p;
        float *dy = test_randv(ni, 5);
        double *ref = calloc(f, sizeof *ref);
        clg_buf bdy = test_upload(ctx, dy, ni), bdb, bsc;
        CHECK_OK(ctx, clg_buf_alloc(ctx, &bdb, f, "db"));
        CHECK_OK(ctx, clg_buf_fill(ctx, &bdb, 0.0f, f));
        CHECK_OK(ctx, clg_buf_alloc(ctx, &bsc, clg_plane_sum_scratch((size_t)f, (size_t)n, (size_t)p), "scratch"));
        CHECK_OK(ctx, clg_bias_grad_nchw(ctx, &bdb, &bdy, n, f, p, &bsc, 0));
        clg_buf_release(&bsc);
        for (size_t i = 0; i < ni; i++) ref[(i / p) % f] += dy[i];
        float *h = test_download(ctx, &bdb, f);
        cmp("bias_grad (128,130,196)", "bias_grad", h, ref, f, 1e-5);
        free(h), free(dy), free(ref);
        clg_buf_release(&bdy), clg_buf_release(&bdb);
    }
}

/* ---- layers ---------------------------------------------------------------------------------- */
typedef struct lcase {
    const char *spec;
    int n, c, h, w;   /* samples run, input shape */
    int co, oh, ow;   /* expected output shape */
    int pt, pl;       /* expected top/left padding (conv) or crop (transposed) */
    int batch, small; /* batch the net is built for (0: n); runs under Oclgrind */
} lcase;

/* ---- 2. layers vs the double references ------------------------------------------------------ */
static const lcase CASES[] = {
    /* conv2d */
    {"conv2d filters=4 kernel=3 padding=1", 3, 3, 7, 7, 4, 7, 7, 1, 1, 0, 1},
    {"conv2d filters=5 kernel=3 stride=2", 3, 2, 7, 7, 5, 3, 3, 0, 0, 0, 1},
    {"conv2d filters=3 kernel=4 stride=2 padding=1", 3, 5, 7, 9, 3, 3, 4, 1, 1, 0, 1},
    {"conv2d filters=6 kernel=5 stride=2 padding=same", 3, 7, 14, 14, 6, 7, 7, 1, 1, 0, 0},
    {"conv2d filters=2 kernel=5 stride=2 padding=same", 1, 1, 28, 28, 2, 14, 14, 1, 1, 0, 0},
    {"conv2d filters=3 kernel=3 stride=2 padding=same", 3, 2, 9, 10, 3, 5, 5, 1, 0, 0, 1},
    {"conv2d filters=4 kernel=3 padding=valid", 3, 3, 12, 10, 4, 10, 8, 0, 0, 0, 0},
    {"conv2d filters=7 kernel=1", 3, 5, 6, 5, 7, 6, 5, 0, 0, 0, 0},
    {"conv2d filters=3 kernel=5 padding=2", 3, 3, 6, 6, 3, 6, 6, 2, 2, 0, 0},
    /* stride 1, no more filters than input channels: dx as a convolution of dy (conv2d.c) */
    {"conv2d filters=2 kernel=4 padding=same", 3, 4, 5, 6, 2, 5, 6, 1, 1, 0, 1},
    {"conv2d filters=3 kernel=3 padding=valid chunk=2", 5, 3, 6, 5, 3, 4, 3, 0, 0, 0, 0},
    {"conv2d filters=4 kernel=3 stride=3 padding=2", 3, 3, 8, 7, 4, 4, 3, 2, 2, 0, 0},
    /* one filter, as the DCGAN discriminator's last layer */
    {"conv2d filters=1 kernel=4 stride=2 padding=1", 3, 5, 7, 7, 1, 3, 3, 1, 1, 0, 1},
    {"conv2d filters=1 kernel=4 stride=2 padding=1 chunk=2", 5, 112, 3, 3, 1, 1, 1, 1, 1, 0, 0},
    {"conv2d filters=3 kernel=2 stride=3 bias=0", 3, 2, 8, 8, 3, 3, 3, 0, 0, 0, 1},
    {"conv2d filters=4 kernel=4 stride=2 padding=same", 3, 3, 1, 1, 4, 1, 1, 1, 1, 0, 0},
    {"conv2d filters=5 kernel=3 stride=2 padding=1 chunk=5", 11, 3, 7, 7, 5, 4, 4, 1, 1, 13, 0},
    {"conv2d filters=2 kernel=3 stride=2 padding=1 chunk=2", 3, 2, 5, 5, 2, 3, 3, 1, 1, 4, 1},
    {"conv2d filters=7 kernel=4 stride=2 padding=1", 128, 5, 9, 9, 7, 4, 4, 1, 1, 0, 0},
    {"conv2d filters=8 kernel=5 stride=2 padding=same", 128, 6, 14, 14, 8, 7, 7, 1, 1, 0, 0},
    {"conv2d filters=128 kernel=5 stride=2 padding=same", 4, 64, 14, 14, 128, 7, 7, 1, 1, 0, 0},
    {"conv2d filters=16 kernel=4 stride=2 padding=1", 8, 1, 28, 28, 16, 14, 14, 1, 1, 0, 0},
    {"conv2d filters=2 kernel=5 padding=2", 40, 1, 100, 100, 2, 100, 100, 2, 2, 0, 0}, /* 3 chunks by budget */
    /* conv_transpose2d */
    {"conv_transpose2d filters=4 kernel=4", 3, 10, 1, 1, 4, 4, 4, 0, 0, 0, 1},
    {"conv_transpose2d filters=3 kernel=4 stride=2 padding=1", 3, 5, 4, 4, 3, 8, 8, 1, 1, 0, 1},
    {"conv_transpose2d filters=4 kernel=4 stride=2 padding=2", 3, 5, 7, 7, 4, 12, 12, 2, 2, 0, 0},
    {"conv_transpose2d filters=4 kernel=3 stride=2 padding=1 output_padding=1", 3, 3, 5, 6, 4, 10, 12, 1, 1, 0, 1},
    {"conv_transpose2d filters=3 kernel=5 padding=same", 3, 4, 7, 7, 3, 7, 7, 2, 2, 0, 0},
    {"conv_transpose2d filters=3 kernel=5 stride=2 padding=same", 3, 4, 7, 7, 3, 14, 14, 1, 1, 0, 0},
    {"conv_transpose2d filters=2 kernel=4 stride=2 padding=same", 3, 3, 5, 6, 2, 10, 12, 1, 1, 0, 1},
    {"conv_transpose2d filters=3 kernel=3 stride=2 padding=valid", 3, 2, 4, 5, 3, 9, 11, 0, 0, 0, 0},
    {"conv_transpose2d filters=3 kernel=1 stride=2 padding=valid", 3, 3, 3, 4, 3, 6, 8, 0, 0, 0, 1},
    {"conv_transpose2d filters=2 kernel=2 stride=3 output_padding=2", 3, 3, 3, 3, 2, 10, 10, 0, 0, 0, 0},
    {"conv_transpose2d filters=4 kernel=3 padding=1 bias=0", 3, 3, 5, 5, 4, 5, 5, 1, 1, 0, 0},
    {"conv_transpose2d filters=3 kernel=4 stride=2 padding=1 chunk=4", 10, 5, 3, 3, 3, 6, 6, 1, 1, 11, 0},
    {"conv_transpose2d filters=2 kernel=3 stride=2 padding=1 chunk=1", 2, 2, 3, 3, 2, 5, 5, 1, 1, 3, 1},
    {"conv_transpose2d filters=6 kernel=4 stride=2 padding=1", 128, 7, 4, 4, 6, 8, 8, 1, 1, 0, 0},
    {"conv_transpose2d filters=112 kernel=4", 128, 100, 1, 1, 112, 4, 4, 0, 0, 0, 0},
    {"conv_transpose2d filters=56 kernel=4 stride=2 padding=1", 16, 112, 4, 4, 56, 8, 8, 1, 1, 0, 0},
    {"conv_transpose2d filters=28 kernel=4 stride=2 padding=2", 8, 56, 8, 8, 28, 14, 14, 2, 2, 0, 0},
    {"conv_transpose2d filters=1 kernel=4 stride=2 padding=1", 3, 28, 14, 14, 1, 28, 28, 1, 1, 0, 0},
    /* 2 chunks by the workspace budget */
    {"conv_transpose2d filters=3 kernel=5 stride=2 padding=same", 30, 2, 50, 50, 3, 100, 100, 1, 1, 0, 0},
};

static void run_case(const lcase *c, const char *mode)
{
    char err[512], spec[256];
    built b;
    snprintf(spec, sizeof spec, "%s %s", c->spec, mode);
    int batch = c->batch ? c->batch : c->n;
    if (build(&b, spec, (clg_shape){c->c, c->h, c->w}, batch, err, sizeof err) != CLG_OK) {
        CHECK(0, "%s: %s", spec, err);
        return;
    }
    clg_layer *l = b.l;
    char what[160];
    snprintf(what, sizeof what, "%s n=%d %dx%dx%d", spec + (b.transposed ? 17 : 7), c->n, c->c, c->h, c->w);
    CHECK(l->out.c == c->co && l->out.h == c->oh && l->out.w == c->ow, "%s: output %dx%dx%d, expected %dx%dx%d", what,
          l->out.c, l->out.h, l->out.w, c->co, c->oh, c->ow);
    if (l->out.c != c->co || l->out.h != c->oh || l->out.w != c->ow) {
        unbuild(&b);
        return;
    }
    int fan = (b.transposed ? c->co : c->c) * b.k * b.k; /* PyTorch: weight.size(1) * k * k */
    CHECK(l->params[0].fan_in == fan && l->params[0].fan_out == (b.transposed ? c->c : c->co) * b.k * b.k,
          "%s: fan_in %d fan_out %d", what, l->params[0].fan_in, l->params[0].fan_out);
    ref_geom g = geom_of(&b, c->n);
    g.pt = c->pt, g.pl = c->pl;
    size_t in_ps = clg_shape_size(l->in), out_ps = clg_shape_size(l->out), nx = c->n * in_ps, ny = c->n * out_ps;
    size_t nw = l->params[0].count, nb = b.bias ? l->params[1].count : 1;
    float *x = test_randv(nx, 1), *w = test_randv(nw, 2), *bias = test_randv(nb, 3), *dy = test_randv(ny, 4);
    float *gw0 = test_randv(nw, 5), *gb0 = test_randv(nb, 6);
    set_param(&b, 0, w, 0), set_param(&b, 0, gw0, 1);
    if (b.bias) set_param(&b, 1, bias, 0), set_param(&b, 1, gb0, 1);
    clg_buf bx = test_upload(ctx, x, nx), bdy = test_upload(ctx, dy, ny);
    clg_buf bdx = upload_at(NULL, nx, 0, in_ps, NAN); /* one sample more than needed, must stay NaN */
    CHECK_OK(ctx, clg_buf_fill(ctx, &l->y, NAN, batch * out_ps));
    sync_net(b.net);
    /* forward */
    CHECK_OK(ctx, l->ops->forward(l, ctx, &l->y, &bx, c->n, 1));
    double *ry = malloc(ny * sizeof *ry), *rdx = calloc(nx, sizeof *rdx), *rdw = dcopy(gw0, nw), *rdb = dcopy(gb0, nb);
    ref_fwd(&b, ry, x, w, bias, &g);
    float *h = test_download(ctx, &l->y, batch * out_ps);
    cmp(what, "y", h, ry, ny, TOL_REF);
    free(h);
    check_untouched(&l->y, batch * out_ps, 0, ny, NAN, "forward beyond n samples");
    /* backward: dx overwritten, dW and db accumulated onto gw0, gb0 */
    CHECK_OK(ctx, l->ops->backward(l, ctx, &bdx, &bdy, &bx, &l->y, c->n, 1));
    ref_bwd(&b, rdx, rdw, rdb, dy, x, w, &g);
    h = test_download(ctx, &bdx, nx);
    cmp(what, "dx", h, rdx, nx, TOL_REF);
    free(h);
    check_untouched(&bdx, nx + in_ps, 0, nx, NAN, "backward dx beyond n samples");
    h = test_download(ctx, &l->params[0].grad, nw);
    size_t kw = (size_t)c->n * (b.transposed ? c->h * c->w : c->oh * c->ow), kb = (size_t)c->n * c->oh * c->ow;
    cmp(what, "dW", h, rdw, nw, TOL_SUM(kw));
    free(h);
    if (b.bias) {
        h = test_download(ctx, &l->params[1].grad, nb);
        cmp(what, "db", h, rdb, nb, TOL_SUM(kb));
        free(h);
    }
    if (!small || c->batch) {
        /* dx only: the gradients stay; parameters only (dx NULL): they grow by the same again */
        CHECK_OK(ctx, clg_buf_fill(ctx, &bdx, NAN, nx));
        sync_buf(&bdx);
        CHECK_OK(ctx, l->ops->backward(l, ctx, &bdx, &bdy, &bx, &l->y, c->n, 0));
        h = test_download(ctx, &bdx, nx);
        cmp(what, "dx only", h, rdx, nx, TOL_REF);
        free(h);
        CHECK_OK(ctx, l->ops->backward(l, ctx, NULL, &bdy, &bx, &l->y, c->n, 1));
        for (size_t i = 0; i < nw; i++) rdw[i] = 2 * rdw[i] - gw0[i];
        for (size_t i = 0; i < nb; i++) rdb[i] = 2 * rdb[i] - gb0[i];
        h = test_download(ctx, &l->params[0].grad, nw);
        cmp(what, "dW twice", h, rdw, nw, TOL_SUM(kw));
        free(h);
        if (b.bias) {
            h = test_download(ctx, &l->params[1].grad, nb);
            cmp(what, "db twice", h, rdb, nb, TOL_SUM(kb));
            free(h);
        }
    }
    free(x), free(w), free(bias), free(dy), free(gw0), free(gb0), free(ry), free(rdx), free(rdw), free(rdb);
    clg_buf_release(&bx), clg_buf_release(&bdy), clg_buf_release(&bdx);
    unbuild(&b);
}

static void test_layers(void)
{
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++)
        if (!small || CASES[i].small) /* im2col + GEMM, and the direct kernels (cl/dconv.cl) */
            run_case(&CASES[i], "direct=0"), run_case(&CASES[i], "direct=1");
}

/* ---- 2b. a nearest upsampling folded into the transposed convolution after it ---------------- */
/* The pair runs as one transposed convolution with stride s and a (k+s-1)^2 kernel (layers/
 * conv_common.h): checked through clg_net_forward/backward against the double references of
 * the two layers apart (upsample on the host, then ref_convt_*; dx sums each s x s block). */
static const struct { const char *convt; int s, n, c, h, w, pt, small; } FOLD[] = {
    {"conv_transpose2d filters=3 kernel=5 padding=same direct=0", 2, 2, 4, 3, 4, 2, 1},
    {"conv_transpose2d filters=2 kernel=3 padding=same bias=0 direct=0", 2, 3, 3, 4, 3, 1, 1},
    {"conv_transpose2d filters=4 kernel=4 padding=1 direct=0", 3, 2, 2, 3, 2, 1, 0},
    {"conv_transpose2d filters=2 kernel=1 direct=0", 2, 2, 3, 2, 3, 0, 0},
    {"conv_transpose2d filters=3 kernel=5 padding=same chunk=2 direct=0", 2, 5, 3, 3, 3, 2, 0}, /* 3 chunks */
    {"conv_transpose2d filters=5 kernel=5 padding=valid", 2, 2, 6, 4, 4, 0, 0},
};

static void fold_case(int t)
{
    char ups[64], err[512], what[160];
    snprintf(ups, sizeof ups, "upsample scale=%d mode=nearest", FOLD[t].s);
    snprintf(what, sizeof what, "%s after %s", FOLD[t].convt + 17, ups);
    int n = FOLD[t].n, s = FOLD[t].s;
    clg_net net = {0};
    clg_net_cfg cfg = {0};
    cfg.nlayers = 2;
    snprintf(cfg.layers[0].text, sizeof cfg.layers[0].text, "%s", ups);
    snprintf(cfg.layers[1].text, sizeof cfg.layers[1].text, "%s", FOLD[t].convt);
    for (int i = 0; i < 2; i++) snprintf(cfg.layers[i].where, sizeof cfg.layers[i].where, "test");
    clg_rng rng = {42};
    clg_shape in = {FOLD[t].c, FOLD[t].h, FOLD[t].w};
    if (clg_net_build(&net, ctx, "test", &cfg, in, n, &rng) != CLG_OK) {
        snprintf(err, sizeof err, "%s", clg_last_error(ctx));
        CHECK(0, "%s: %s", what, err);
        return;
    }
    sync_net(&net);
    clg_layer *l = &net.layers[1];
    CHECK(net.layers[0].absorbed && l->in.h == in.h && l->in.w == in.w, "%s: not folded", what);
    built b = {.net = &net, .l = l, .transposed = 1, .k = l->params[0].dims[2], .s = 1, .bias = l->nparams > 1};
    int hu = in.h * s, wu = in.w * s;
    ref_geom g = {n, in.c, hu, wu, l->out.c, l->out.h, l->out.w, b.k, 1, FOLD[t].pt, FOLD[t].pt};
    size_t nx = (size_t)n * clg_shape_size(in), nu = nx * s * s, ny = (size_t)n * clg_shape_size(l->out);
    size_t nw = l->params[0].count, nb = b.bias ? l->params[1].count : 1;
    float *x = test_randv(nx, 71 + t), *w = test_randv(nw, 72 + t), *bias = test_randv(nb, 73 + t);
    float *dy = test_randv(ny, 74 + t), *xu = malloc(nu * sizeof *xu);
    for (size_t i = 0; i < nu; i++) { /* i = ((plane * hu) + yy) * wu + xx */
        size_t plane = i / ((size_t)hu * wu), r = i % ((size_t)hu * wu);
        xu[i] = x[(plane * in.h + (r / wu) / s) * in.w + (r % wu) / s];
    }
    set_param(&b, 0, w, 0);
    if (b.bias) set_param(&b, 1, bias, 0);
    CHECK_OK(ctx, clg_net_zero_grad(&net, ctx));
    clg_buf bx = test_upload(ctx, x, nx), bdy = test_upload(ctx, dy, ny);
    sync_net(&net);
    CHECK_OK(ctx, clg_net_forward(&net, ctx, &bx, n, 1, 2));
    double *ry = malloc(ny * sizeof *ry), *rdxu = calloc(nu, sizeof *rdxu), *rdx = calloc(nx, sizeof *rdx);
    double *rdw = calloc(nw, sizeof *rdw), *rdb = calloc(nb, sizeof *rdb);
    ref_convt_fwd(ry, xu, w, b.bias ? bias : NULL, &g);
    float *h = test_download(ctx, &l->y, ny);
    cmp(what, "y", h, ry, ny, TOL_REF);
    free(h);
    const clg_buf *dx = NULL;
    CHECK_OK(ctx, clg_net_backward(&net, ctx, &dx, &bdy, &bx, n, 1, 2));
    ref_convt_bwd(rdxu, rdw, b.bias ? rdb : NULL, dy, xu, w, &g);
    for (size_t i = 0; i < nu; i++) {
        size_t plane = i / ((size_t)hu * wu), r = i % ((size_t)hu * wu);
        rdx[(plane * in.h + (r / wu) / s) * in.w + (r % wu) / s] += rdxu[i];
    }
    h = test_download(ctx, dx, nx);
    cmp(what, "dx", h, rdx, nx, TOL_REF);
    free(h);
    h = test_download(ctx, &l->params[0].grad, nw);
    cmp(what, "dW", h, rdw, nw, TOL_SUM((size_t)n * hu * wu));
    free(h);
    if (b.bias) {
        h = test_download(ctx, &l->params[1].grad, nb);
        cmp(what, "db", h, rdb, nb, TOL_SUM((size_t)n * l->out.h * l->out.w));
        free(h);
    }
    free(x), free(w), free(bias), free(dy), free(xu), free(ry), free(rdxu), free(rdx), free(rdw), free(rdb);
    clg_buf_release(&bx), clg_buf_release(&bdy);
    clg_net_free(&net);
}

/* Pairs that must not fold: bilinear upsampling, a strided transposed convolution, a conv2d, a
 * transposed convolution on direct kernels. */
static void fold_refused(void)
{
    static const char *pairs[][2] = {{"upsample scale=2 mode=bilinear", "conv_transpose2d filters=2 kernel=3"},
                                     {"upsample scale=2", "conv_transpose2d filters=2 kernel=3 stride=2"},
                                     {"upsample scale=2", "conv2d filters=2 kernel=3"},
                                     {"upsample scale=2", "conv_transpose2d filters=2 kernel=3 direct=1"}};
    for (int t = 0; t < 4; t++) {
        clg_net net = {0};
        clg_net_cfg cfg = {0};
        cfg.nlayers = 2;
        for (int i = 0; i < 2; i++) {
            snprintf(cfg.layers[i].text, sizeof cfg.layers[i].text, "%s", pairs[t][i]);
            snprintf(cfg.layers[i].where, sizeof cfg.layers[i].where, "test");
        }
        clg_rng rng = {1};
        CHECK_OK(ctx, clg_net_build(&net, ctx, "test", &cfg, (clg_shape){2, 4, 4}, 2, &rng));
        CHECK(!net.layers[0].absorbed, "%s + %s: folded", pairs[t][0], pairs[t][1]);
        clg_net_free(&net);
    }
}

static void test_fold(void)
{
    for (int t = 0; t < (int)(sizeof FOLD / sizeof FOLD[0]); t++)
        if (!small || FOLD[t].small) fold_case(t);
    fold_refused();
}

/* ---- 3. finite differences ------------------------------------------------------------------- */
/* L = sum(r*y) after setting `val` (x or a parameter) to v */
static double loss_of(built *b, clg_buf *val, const float *v, size_t cnt, const clg_buf *bx, const float *r, int n)
{
    size_t ny = n * clg_shape_size(b->l->out);
    CHECK_OK(ctx, clg_buf_write(ctx, val, v, cnt, 1));
    sync_net(b->net);
    CHECK_OK(ctx, b->l->ops->forward(b->l, ctx, &b->l->y, bx, n, 1));
    float *y = test_download(ctx, &b->l->y, ny);
    double s = 0;
    for (size_t i = 0; i < ny; i++) s += (double)r[i] * y[i];
    free(y);
    return s;
}

static void fd_one(const char *spec, int n, clg_shape in)
{
    char err[512];
    built b;
    if (build(&b, spec, in, n, err, sizeof err) != CLG_OK) {
        CHECK(0, "%s: %s", spec, err);
        return;
    }
    clg_layer *l = b.l;
    size_t nx = n * clg_shape_size(l->in), ny = n * clg_shape_size(l->out);
    float *x = test_randv(nx, 7), *r = test_randv(ny, 8);
    clg_buf bx = test_upload(ctx, x, nx), br = test_upload(ctx, r, ny), bdx = upload_at(NULL, nx, 0, 0, 0);
    CHECK_OK(ctx, clg_net_zero_grad(b.net, ctx));
    sync_net(b.net);
    CHECK_OK(ctx, l->ops->forward(l, ctx, &l->y, &bx, n, 1));
    CHECK_OK(ctx, l->ops->backward(l, ctx, &bdx, &br, &bx, &l->y, n, 1)); /* dL/dy = r */
    const float eps = 0.25f;
    for (int t = 0; t <= l->nparams; t++) { /* t = 0: x; then weight, bias */
        size_t cnt = t ? l->params[t - 1].count : nx;
        clg_buf *val = t ? &l->params[t - 1].value : &bx;
        float *v = test_download(ctx, val, cnt), *g = test_download(ctx, t ? &l->params[t - 1].grad : &bdx, cnt);
        double worst = 0;
        unsigned seed = 99;
        for (int k = 0; k < (small ? 4 : 16); k++) {
            size_t i = k == 0 ? 0 : k == 1 ? cnt - 1 : (size_t)((test_rand(&seed) + 1.0f) * 0.5f * cnt) % cnt;
            float keep = v[i];
            double lp, lm;
            v[i] = keep + eps;
            lp = loss_of(&b, val, v, cnt, &bx, r, n);
            v[i] = keep - eps;
            lm = loss_of(&b, val, v, cnt, &bx, r, n);
            v[i] = keep;
            CHECK_OK(ctx, clg_buf_write(ctx, val, v, cnt, 1));
            sync_net(b.net);
            double fd = (lp - lm) / (2.0 * eps), e = fabs(fd - g[i]) / fmax(1.0, fabs(fd));
            if (!(e <= worst)) worst = e;
        }
        const char *name = t == 0 ? "fd dx" : t == 1 ? "fd dW" : "fd db";
        if (verbose) printf("  %-44s %-10s max error %.3g (tolerance %.3g)\n", spec, name, worst, TOL_FD);
        CHECK(worst <= TOL_FD, "%s: %s: max error %.3g > %.3g", spec, name, worst, TOL_FD);
        free(v), free(g);
    }
    free(x), free(r);
    clg_buf_release(&bx), clg_buf_release(&br), clg_buf_release(&bdx);
    unbuild(&b);
}

/* each case with im2col + GEMM and with the direct kernels */
static void fd_case(const char *spec, int n, clg_shape in)
{
    char s[256];
    for (int d = 0; d < 2; d++) {
        snprintf(s, sizeof s, "%s direct=%d", spec, d);
        fd_one(s, n, in);
    }
}

static void test_fd(void)
{
    fd_case("conv2d filters=3 kernel=3 stride=2 padding=same", 2, (clg_shape){2, 6, 5});
    fd_case("conv_transpose2d filters=2 kernel=4 stride=2 padding=1", 2, (clg_shape){3, 3, 4});
    if (small) return;
    fd_case("conv2d filters=4 kernel=4 stride=2 padding=1", 3, (clg_shape){3, 7, 7});
    fd_case("conv2d filters=2 kernel=5 padding=2", 2, (clg_shape){3, 5, 6});
    fd_case("conv_transpose2d filters=3 kernel=5 stride=2 padding=same", 2, (clg_shape){4, 4, 5});
    fd_case("conv_transpose2d filters=3 kernel=3 stride=2 padding=1 output_padding=1", 3, (clg_shape){2, 4, 4});
}

/* ---- 4. PyTorch fixtures --------------------------------------------------------------------- */
static const struct { const char *file, *spec; int small; } FIX[] = {
    {"conv_c2d_k3s2p1", "conv2d filters=4 kernel=3 stride=2 padding=1", 1},
    {"conv_c2d_k4s2p1", "conv2d filters=5 kernel=4 stride=2 padding=1", 0},
    {"conv_c2d_k4s2p1_7to3", "conv2d filters=3 kernel=4 stride=2 padding=1", 0},
    {"conv_c2d_same_k5s2", "conv2d filters=4 kernel=5 stride=2 padding=same", 0},
    {"conv_c2d_same_k4s2_odd", "conv2d filters=3 kernel=4 stride=2 padding=same", 1},
    {"conv_c2d_valid_k3_nobias", "conv2d filters=4 kernel=3 padding=valid bias=0", 0},
    {"conv_ct_k4s1p0_1x1", "conv_transpose2d filters=12 kernel=4", 1},
    {"conv_ct_k4s2p1", "conv_transpose2d filters=5 kernel=4 stride=2 padding=1", 0},
    {"conv_ct_k4s2p2_7", "conv_transpose2d filters=4 kernel=4 stride=2 padding=2", 0},
    {"conv_ct_k4s2p1_14to28", "conv_transpose2d filters=1 kernel=4 stride=2 padding=1", 0},
    {"conv_ct_k3s2p1op1", "conv_transpose2d filters=4 kernel=3 stride=2 padding=1 output_padding=1", 1},
    {"conv_ct_same_k5s2", "conv_transpose2d filters=3 kernel=5 stride=2 padding=same", 0},
    {"conv_ct_same_k5s1", "conv_transpose2d filters=3 kernel=5 padding=same", 0},
    {"conv_ct_same_k4s2_odd", "conv_transpose2d filters=2 kernel=4 stride=2 padding=same", 1},
};

static void cmp_fix(const char *what, const char *name, const clg_buf *dev, const fix_tensor *ref)
{
    if (!ref) {
        CHECK(0, "%s: fixture lacks %s", what, name);
        return;
    }
    float *h = test_download(ctx, dev, ref->count);
    double *r = dcopy(ref->data, ref->count);
    cmp(what, name, h, r, ref->count, TOL_REF);
    free(h), free(r);
}

static void test_fixtures(const char *dir)
{
    for (size_t i = 0; i < 2 * (sizeof FIX / sizeof FIX[0]); i++) { /* each with direct=0, then direct=1 */
        if (small && !FIX[i / 2].small) continue;
        char path[1024], err[512], spec[256];
        snprintf(spec, sizeof spec, "%s direct=%zu", FIX[i / 2].spec, i % 2);
        snprintf(path, sizeof path, "%s/%s.bin", dir, FIX[i / 2].file);
        fixture f;
        if (fixture_load(&f, path)) {
            CHECK(0, "cannot load %s", path);
            continue;
        }
        const fix_tensor *x = fixture_get(&f, "x"), *w = fixture_get(&f, "weight"), *y = fixture_get(&f, "y"),
                         *dy = fixture_get(&f, "dy");
        built b;
        if (!x || !w || !y || !dy || x->ndim != 4 ||
            build(&b, spec, (clg_shape){x->dims[1], x->dims[2], x->dims[3]}, x->dims[0], err, sizeof err)) {
            CHECK(0, "%s: bad fixture or spec: %s", FIX[i / 2].file, err);
            fixture_free(&f);
            continue;
        }
        clg_layer *l = b.l;
        int n = x->dims[0];
        CHECK(y->ndim == 4 && y->dims[1] == l->out.c && y->dims[2] == l->out.h && y->dims[3] == l->out.w &&
                  l->params[0].count == w->count,
              "%s: shapes differ from PyTorch's", FIX[i / 2].file);
        if (l->params[0].count == w->count && y->count == n * clg_shape_size(l->out)) {
            set_param(&b, 0, w->data, 0);
            if (b.bias) set_param(&b, 1, fixture_get(&f, "bias")->data, 0);
            clg_buf bx = test_upload(ctx, x->data, x->count), bdy = test_upload(ctx, dy->data, dy->count),
                    bdx = upload_at(NULL, x->count, 0, 0, 0);
            CHECK_OK(ctx, clg_net_zero_grad(b.net, ctx));
            sync_net(b.net);
            CHECK_OK(ctx, l->ops->forward(l, ctx, &l->y, &bx, n, 1));
            CHECK_OK(ctx, l->ops->backward(l, ctx, &bdx, &bdy, &bx, &l->y, n, 1));
            cmp_fix(FIX[i / 2].file, "torch y", &l->y, y);
            cmp_fix(FIX[i / 2].file, "torch dx", &bdx, fixture_get(&f, "dx"));
            cmp_fix(FIX[i / 2].file, "torch dW", &l->params[0].grad, fixture_get(&f, "dweight"));
            if (b.bias) cmp_fix(FIX[i / 2].file, "torch db", &l->params[1].grad, fixture_get(&f, "dbias"));
            clg_buf_release(&bx), clg_buf_release(&bdy), clg_buf_release(&bdx);
        }
        unbuild(&b);
        fixture_free(&f);
    }
}

/* ---- 5. bad options -------------------------------------------------------------------------- */
static void test_errors(void)
{
    /* the chunk plan: within CLG_CONV_WORKSPACE, capped by chunk=, balanced */
    static const struct { int batch; size_t per_sample; int max_chunk, want; } CH[] = {
        {256, 84672, 0, 43}, {128, 84672, 0, 43}, {128, 16128, 0, 128}, {13, 10, 5, 5},
        {10, 10, 4, 4},      {11, 10, 4, 4},      {7, 1u << 30, 0, 1},   {1, 1, 0, 1},
    };
    for (size_t i = 0; i < sizeof CH / sizeof CH[0]; i++) {
        int got = clg_conv_chunk(CH[i].batch, CH[i].per_sample, CH[i].max_chunk);
        CHECK(got == CH[i].want, "clg_conv_chunk(%d, %zu, %d) = %d, expected %d", CH[i].batch, CH[i].per_sample,
              CH[i].max_chunk, got, CH[i].want);
    }
    static const struct { const char *spec; int c, h, w; } BAD[] = {
        {"conv2d kernel=3", 2, 5, 5},
        {"conv2d filters=2", 2, 5, 5},
        {"conv2d filters=2 kernel=3 padding=full", 2, 5, 5},
        {"conv2d filters=2 kernel=3 padding=-1", 2, 5, 5},
        {"conv2d filters=2 kernel=9", 2, 5, 5},
        {"conv2d filters=2 kernel=3 stride=0", 2, 5, 5},
        {"conv2d filters=2 kernel=3 dilation=2", 2, 5, 5},
        {"conv_transpose2d filters=2 kernel=3 stride=2 output_padding=2", 2, 5, 5},
        {"conv_transpose2d filters=2 kernel=3 padding=same stride=2 output_padding=1", 2, 5, 5},
        {"conv_transpose2d filters=2 kernel=3 padding=3", 2, 1, 1},
        {"conv_transpose2d filters=0 kernel=3", 2, 5, 5},
    };
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        char err[512] = "";
        built b;
        int st = build(&b, BAD[i].spec, (clg_shape){BAD[i].c, BAD[i].h, BAD[i].w}, 2, err, sizeof err);
        if (verbose) printf("  \"%s\": %s\n", BAD[i].spec, err);
        CHECK(st == CLG_ERR_CONFIG && strstr(err, "test"), "\"%s\" gives %s (%s), expected a config error",
              BAD[i].spec, clg_status_str(st), err);
        if (st == CLG_OK) unbuild(&b);
    }
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FIXTURE_DIR\n", argv[0]);
        return 2;
    }
    small = getenv("CLGAN_TEST_SMALL") != NULL;
    verbose = getenv("CLGAN_TEST_VERBOSE") != NULL;
    ctx = test_ctx();
    oclgrind = strstr(ctx->platform_name, "Oclgrind") != NULL;
    test_kernels();
    test_layers();
    test_fold();
    test_fd();
    test_fixtures(argv[1]);
    test_errors();
    clg_ctx_free(ctx);
    return test_summary("conv");
}
