/* ops_reduce.h — op runners for the reductions and the training-step kernels against tests/ref.h:
 * the per-channel sums of layers/reduce.h (cl/reduce.cl) in every mode, the BCE loss with its
 * statistics and the trainer's statistics ring (cl/loss.cl), the optimizers and gradient
 * clipping (cl/optim.cl). Part of test_ops.c (see ops.h).
 */
#ifndef CLGAN_TEST_OPS_REDUCE_H
#define CLGAN_TEST_OPS_REDUCE_H

#include "ops.h"
#include "train/trainer.h"

/* ---- reduce.cl ---------------------------------------------------------------------------------- */

/* Per-channel sums (layers/reduce.h) in every mode against double sums, on the shapes of its rows (n, C, hw, seed): at and
 * past one group's span (CLG_RED_SPAN = 4096 values), with two passes (> 4096 values), hw below
 * and above the group size, written at an offset (neighbours untouched) and accumulated; twice,
 * for bit-identical results. Every shape also runs with a span of 128 values, which takes up to
 * four passes (1048581 values: 8193, 65, 1 partial sums; hw = 1 takes 4 rows per item, so
 * 1025 rows take six), and through clg_plane_chan_sums (per-plane sums, then over the samples). */
static void op_chan_sums(const op_case *row)
{
    const size_t off = 5;
    int ci = row->p[3]; /* the seed */
    const int *sh = row->p;
    size_t n = (size_t)sh[0], hw = (size_t)sh[2], m = n * hw;
    int C = sh[1];
    size_t total = n * C * hw;
    float *xv = test_randu(total, 1300 + ci, -1, 1), *x2v = test_randu(total, 1400 + ci, -2, 2);
    float *auxv = test_randu(2 * C, 1500 + ci, -1, 1);
    clg_buf x = test_upload(ctx, xv, total), x2 = test_upload(ctx, x2v, total), aux = test_upload(ctx, auxv, 2 * C);
    for (int mode = CLG_SUM_X; mode <= CLG_SUM_DY_DYX; mode++) {
        int rows = mode == CLG_SUM_DY_DYX ? 2 * C : C;
        float div = mode == CLG_SUM_SQDEV ? (float)m : 1.0f;
        double *r = dalloc(rows);
        for (int c = 0; c < C; c++) {
            float mu = auxv[C + c] / div; /* aux_off = C */
            for (size_t b = 0; b < n; b++)
                for (size_t k = 0; k < hw; k++) {
                    size_t i = (b * C + c) * hw + k;
                    double v = xv[i], d = (double)xv[i] - mu;
                    r[c] += mode == CLG_SUM_X ? v : mode == CLG_SUM_SQ ? v * v : mode == CLG_SUM_SQDEV ? d * d : v;
                    if (mode == CLG_SUM_DY_DYX) r[C + c] += v * ((double)x2v[i] - mu);
                }
        }
        for (int si = 0; si < 3; si++) { /* spans of 4096 and 128 values; then clg_plane_chan_sums (span: -) */
            size_t span = si == 1 ? 2 * CLG_RED_WG : CLG_RED_SPAN;
            size_t nsc = si == 2 ? clg_plane_sum_scratch(rows, n, hw) : clg_sum_scratch_span(rows, m, span);
            float *init = malloc((off + rows) * sizeof *init);
            for (size_t i = 0; i < off + rows; i++) init[i] = i < off ? -7.0f : 0.5f;
            float *first = NULL;
            for (int rep = 0; rep < 2; rep++)
                for (int acc = 0; acc <= 1; acc++) {
                    clg_buf out = up_pad(init, off + rows), sc = up_pad(NULL, off + nsc);
                    if (si == 2)
                        CHECK_OK(ctx, clg_plane_chan_sums(ctx, &out, off, acc, &sc, off, mode, &x, &x2, &aux, C, div, n, C,
                                                          hw));
                    else
                        CHECK_OK(ctx, clg_chan_sums_span(ctx, span, &out, off, acc, &sc, off, mode, &x, &x2, &aux, C, div,
                                                         n, C, hw));
                    float *h = down_pad(&out, off + rows, "chan_sums");
                    float *hs = down_pad(&sc, off + nsc, "chan_sums scratch");
                    double e = 0;
                    for (int j = 0; j < rows; j++) {
                        double want = r[j] + (acc ? 0.5 : 0.0);
                        double d = fabs(h[off + j] - want) / fmax(1.0, fabs(want));
                        if (!(d <= e)) e = d;
                    }
                    CHECK_ERR(e, TOL_RED, "chan_sums mode %d n=%zu C=%d hw=%zu span %zu acc=%d: err %g", mode, n, C, hw,
                              span, acc, e);
                    for (size_t i = 0; i < off; i++) {
                        CHECK(h[i] == -7.0f, "chan_sums mode %d n=%zu C=%d hw=%zu wrote before out_off", mode, n, C, hw);
                        CHECK(hs[i] == 0.0f, "chan_sums mode %d n=%zu C=%d hw=%zu wrote before scratch_off", mode, n, C,
                              hw);
                    }
                    if (!acc && !rep) first = h;
                    else {
                        if (!acc) CHECK(!memcmp(first + off, h + off, rows * sizeof *h),
                                        "chan_sums mode %d n=%zu C=%d hw=%zu: a second run differs", mode, n, C, hw);
                        free(h);
                    }
                    free(hs);
                    clg_buf_release(&out), clg_buf_release(&sc);
                }
            free(first), free(init);
        }
        free(r);
    }
    free(xv), free(x2v), free(auxv);
    clg_buf_release(&x), clg_buf_release(&x2), clg_buf_release(&aux);
}

/* ---- loss.cl ------------------------------------------------------------------------------------ */

static void op_bce(const op_case *row)
{
    /* (y, sign, real): D on real, D on fake, smoothed real label, minimax G, non-saturating G */
    static const float modes[][3] = {{1, 1, 1}, {0, 1, 0}, {0.9f, 1, 1}, {0, -1, 0}, {1, 1, 0}};
    int n = row->p[0];
    for (int fl = 0; fl <= 1; fl++) {
        float *z = fl ? test_randu(n, 700 + n, -8, 8) : test_randu(n, 800 + n, 0.001f, 0.999f);
        for (int i = 0; i < n; i++) { /* keep p away from 0.5 so float and double agree on accuracy */
            float c = fl ? 0.0f : 0.5f;
            if (fabsf(z[i] - c) < 1e-3f) z[i] = c + (z[i] < c ? -1e-3f : 1e-3f);
        }
        if (fl && n >= 3) z[0] = 60.0f, z[2] = -60.0f;         /* stable for large |s| */
        if (!fl && n >= 3) z[0] = 0.0f, z[2] = 1.0f;           /* log clamped at -100 */
        clg_buf zb = test_upload(ctx, z, n), dz = up_pad(NULL, n);
        for (int m = 0; m < 5; m++) {
            float y = modes[m][0], sign = modes[m][1];
            int real = (int)modes[m][2], off = 3 * (m % 2);
            clg_buf st = up_pad(NULL, 6);
            CHECK_OK(ctx, CLG_LAUNCH_GROUP(ctx, CLG_K_BCE, KA_MEM(dz.sub), KA_MEM(st.sub), KA_MEM(zb.sub), KA_INT(n),
                                           KA_FLT(y), KA_FLT(sign), KA_INT(fl), KA_INT(real), KA_INT(off)));
            float *g = down_pad(&dz, n, "bce dz"), *s = down_pad(&st, 6, "bce stats");
            double *rg = dalloc(n), rs[3];
            ref_bce(rg, rs, z, n, y, sign, fl, real);
            double e = errv(g, rg, n, 1.0 / n); /* relative to the 1/n scale of dz */
            CHECK_ERR(e, TOL_ELEM, "bce dz n=%d logits=%d y=%g sign=%g err %g", n, fl, y, sign, e);
            e = errv(s + off, rs, 2, 1);
            CHECK_ERR(e, TOL_RED, "bce loss/mean p n=%d logits=%d y=%g sign=%g: %g %g vs %g %g", n, fl, y, sign,
                  s[off], s[off + 1], rs[0], rs[1]);
            CHECK(fabs(s[off + 2] - rs[2]) <= 1e-6, "bce accuracy n=%d logits=%d real=%d: %g vs %g", n, fl, real,
                  s[off + 2], rs[2]);
            CHECK(s[3 - off] == 0.0f && s[4 - off] == 0.0f && s[5 - off] == 0.0f,
                  "bce n=%d wrote stats outside off=%d", n, off);
            free(g), free(s), free(rg);
            clg_buf_release(&st);
        }
        free(z);
        clg_buf_release(&zb), clg_buf_release(&dz);
    }
}

/* The trainer's statistics ring: each loss launch writes 3 values at its slot offset; on the last
 * step of the ring none may land past the ring (guards after it, in the same allocation, so a
 * write past the end shows on any device, and Oclgrind reports it on the sub-buffer). */
static void op_bce_ring(const op_case *row)
{
    (void)row;
    const int ring = 2, n = 5, guard = 8;
    const int offs[] = {S_D_LOSS_REAL, S_D_LOSS_FAKE, S_G_LOSS};
    float *z = test_randu(n, 901, -3, 3);
    clg_buf zb = test_upload(ctx, z, n), dz = up_pad(NULL, n);
    size_t total = (size_t)ring * S_NSTATS + guard;
    float *init = malloc(total * sizeof *init);
    for (size_t i = 0; i < total; i++) init[i] = SENTINEL;
    clg_buf all = test_upload(ctx, init, total), ringb;
    CHECK_OK(ctx, clg_buf_view(ctx, &ringb, &all, 0, (size_t)ring * S_NSTATS, "ring"));
    for (int k = 0; k < 3; k++) {
        int off = (ring - 1) * S_NSTATS + offs[k];
        CHECK(offs[k] + 3 <= S_NSTATS, "bce ring: slot %d + 3 values pass the %d per step", offs[k], S_NSTATS);
        CHECK_OK(ctx, CLG_LAUNCH_GROUP(ctx, CLG_K_BCE, KA_MEM(dz.sub), KA_MEM(ringb.sub), KA_MEM(zb.sub), KA_INT(n),
                                       KA_FLT(1.0f), KA_FLT(1.0f), KA_INT(1), KA_INT(1), KA_INT(off)));
    }
    float *h = test_download(ctx, &all, total);
    for (int i = ring * S_NSTATS; i < (int)total; i++)
        CHECK(h[i] == SENTINEL, "bce on the last ring slot wrote %g past the ring (index %d of %d)", h[i], i,
              ring * S_NSTATS);
    free(h), free(init), free(z);
    clg_buf_release(&ringb), clg_buf_release(&all), clg_buf_release(&zb), clg_buf_release(&dz);
}

/* ---- optim.cl ----------------------------------------------------------------------------------- */

static void op_optimizers(const op_case *row)
{
    size_t n = (size_t)row->p[0];
    for (int opt = 0; opt < 3; opt++)
        for (int variant = 0; variant < 2; variant++) {
            const char *name = opt == 0 ? "sgd" : opt == 1 ? "adam" : "rmsprop";
            float *pv = test_randu(n, 900 + (unsigned)n, -1, 1);
            double *rp = dalloc(n), *rm = dalloc(n), *rv = dalloc(n), *rgr = dalloc(n);
            to_double(rp, pv, n);
            clg_buf p = up_pad(pv, n), m = up_pad(NULL, n), v = up_pad(NULL, n), g = up_pad(NULL, n);
            const double lr = 0.1, mom = variant ? 0.9 : 0.0, b1 = 0.9, b2 = 0.999, rho = 0.9;
            const double eps = variant ? 1e-3 : 1e-8; /* 1e-3 is comparable to sqrt(v): eps placement */
            for (long t = 1; t <= 3; t++) {
                float *gv = test_randu(n, 1000 * (unsigned)t + (unsigned)n, -1, 1);
                if (variant) for (size_t i = 0; i < n; i++) gv[i] *= 1e-2f;
                CHECK_OK(ctx, clg_buf_write(ctx, &g, gv, n, 1));
                to_double(rgr, gv, n);
                if (opt == 0) {
                    CHECK_OK(ctx, CLG_LAUNCH1(ctx, CLG_K_SGD, n, KA_MEM(p.sub), KA_MEM(g.sub), KA_MEM(m.sub),
                                              KA_LONG(n), KA_FLT(lr), KA_FLT(mom)));
                    ref_sgd(rp, rm, rgr, n, (float)lr, (float)mom);
                } else if (opt == 1) {
                    double c1, c2;
                    ref_adam_consts(lr, (float)b1, (float)b2, t, &c1, &c2);
                    CHECK_OK(ctx, CLG_LAUNCH1(ctx, CLG_K_ADAM, n, KA_MEM(p.sub), KA_MEM(g.sub), KA_MEM(m.sub),
                                              KA_MEM(v.sub), KA_LONG(n), KA_FLT(c1), KA_FLT(b1), KA_FLT(b2),
                                              KA_FLT(c2), KA_FLT(eps)));
                    ref_adam(rp, rm, rv, rgr, n, (float)c1, (float)b1, (float)b2, (float)c2, (float)eps);
                } else {
                    CHECK_OK(ctx, CLG_LAUNCH1(ctx, CLG_K_RMSPROP, n, KA_MEM(p.sub), KA_MEM(g.sub), KA_MEM(v.sub),
                                              KA_LONG(n), KA_FLT(lr), KA_FLT(rho), KA_FLT(eps)));
                    ref_rmsprop(rp, rv, rgr, n, (float)lr, (float)rho, (float)eps);
                }
                float *hp = down_pad(&p, n, name), *hm = down_pad(&m, n, name), *hv = down_pad(&v, n, name);
                double e = errv(hp, rp, n, 1);
                CHECK_ERR(e, TOL_OPT, "%s variant %d n=%zu t=%ld: params err %g", name, variant, n, t, e);
                if (opt <= 1) {
                    e = errv(hm, rm, n, variant ? 1e-3 : 0.1); /* m cancels: floor 0.1 |g| */
                    CHECK_ERR(e, TOL_ELEM, "%s variant %d n=%zu t=%ld: m err %g", name, variant, n, t, e);
                }
                if (opt >= 1) {
                    e = errv(hv, rv, n, 1e-9);
                    CHECK_ERR(e, TOL_ELEM, "%s variant %d n=%zu t=%ld: v err %g", name, variant, n, t, e);
                }
                free(hp), free(hm), free(hv), free(gv);
            }
            free(pv), free(rp), free(rm), free(rv), free(rgr);
            clg_buf_release(&p), clg_buf_release(&m), clg_buf_release(&v), clg_buf_release(&g);
        }
}

static void op_clipping(const op_case *row)
{
    size_t n = (size_t)row->p[0];
    float *gv = test_randu(n, 1100 + (unsigned)n, -2, 2);
    double *r = dalloc(n);
    /* clip_value */
    clg_buf g = up_pad(gv, n);
    CHECK_OK(ctx, CLG_LAUNCH1(ctx, CLG_K_CLIP_VALUE, n, KA_MEM(g.sub), KA_LONG(n), KA_FLT(0.5f)));
    float *h = down_pad(&g, n, "clip_value");
    to_double(r, gv, n);
    ref_clip_value(r, n, 0.5);
    CHECK(errv(h, r, n, 1) == 0, "clip_value n=%zu", n);
    free(h);
    /* the squared norm, as clg_net_update takes it: result then partial sums in one buffer */
    clg_buf sq = up_pad(NULL, 1 + clg_sum_scratch(1, n));
    CHECK_OK(ctx, clg_buf_write(ctx, &g, gv, n, 1));
    CHECK_OK(ctx, clg_chan_sums(ctx, &sq, 0, 0, &sq, 1, CLG_SUM_SQ, &g, NULL, NULL, 0, 1.0f, 1, 1, n));
    h = down_pad(&sq, 1 + clg_sum_scratch(1, n), "sumsq");
    to_double(r, gv, n);
    double rs = ref_sumsq(r, n);
    CHECK(fabs(h[0] - rs) <= TOL_RED * fmax(1, rs), "sumsq n=%zu: %g vs %g", n, h[0], rs);
    free(h);
    /* clip_scale: once scaling (max_norm below the norm), once not (above: unchanged) */
    for (int k = 0; k < 2; k++) {
        double norm = sqrt(rs), maxn = k ? 2 * norm + 1 : 0.5 * norm;
        CHECK_OK(ctx, clg_buf_write(ctx, &g, gv, n, 1));
        CHECK_OK(ctx, clg_chan_sums(ctx, &sq, 0, 0, &sq, 1, CLG_SUM_SQ, &g, NULL, NULL, 0, 1.0f, 1, 1, n));
        CHECK_OK(ctx, CLG_LAUNCH1(ctx, CLG_K_CLIP_SCALE, n, KA_MEM(g.sub), KA_MEM(sq.sub), KA_LONG(n),
                                  KA_FLT(maxn)));
        h = down_pad(&g, n, "clip_scale");
        to_double(r, gv, n);
        ref_clip_norm(r, n, (float)maxn);
        double e = errv(h, r, n, 1);
        CHECK_ERR(e, TOL_ELEM, "clip_scale n=%zu max_norm=%g err %g", n, maxn, e);
        if (k) CHECK(!memcmp(h, gv, n * sizeof *h), "clip_scale n=%zu: changed g below max_norm", n);
        else {
            double s2 = 0;
            for (size_t i = 0; i < n; i++) s2 += (double)h[i] * h[i];
            CHECK(fabs(sqrt(s2) - maxn) <= TOL_RED * maxn, "clip_scale n=%zu: norm %g, max %g", n, sqrt(s2), maxn);
        }
        free(h);
    }
    free(gv), free(r);
    clg_buf_release(&g), clg_buf_release(&sq);
}

#endif
