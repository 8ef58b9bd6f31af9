/* ops_xent.h — op rows for the softmax cross-entropy of cl/loss.cl (the classifier's loss):
 * gradient and statistics against plain C in double precision, with labels as the byte gather
 * writes them (floats holding class indices), and finite differences of the batch loss. */
#ifndef CLGAN_TEST_OPS_XENT_H
#define CLGAN_TEST_OPS_XENT_H

/* Reference: g (n*k) = (softmax - onehot) / n; s[0] = mean loss, s[1] = accuracy. */
static void ref_xent(double *g, double *s, const float *z, const float *lab, int n, int k)
{
    s[0] = s[1] = 0;
    for (int i = 0; i < n; i++) {
        const float *zi = z + (size_t)i * k;
        int y = (int)lab[i], best = 0;
        double m = zi[0], sum = 0;
        for (int j = 1; j < k; j++)
            if (zi[j] > m) m = zi[j], best = j;
        for (int j = 0; j < k; j++) sum += exp(zi[j] - m);
        for (int j = 0; j < k; j++) g[(size_t)i * k + j] = (exp(zi[j] - m) / sum - (j == y)) / n;
        s[0] += (log(sum) - (zi[y] - m)) / n;
        s[1] += (double)(best == y) / n;
    }
}

/* (n, k, seed): logits in [-8, 8] (one row at +-80 to check the shift), labels in [0, k). */
static void op_softmax_xent(const op_case *row)
{
    int n = row->p[0], k = row->p[1];
    size_t nk = (size_t)n * k;
    float *z = test_randu(nk, 900 + (unsigned)row->p[2], -8, 8), *lab = test_randu(n, 950 + (unsigned)row->p[2], 0, k);
    for (int i = 0; i < n; i++) lab[i] = floorf(lab[i]) < k ? floorf(lab[i]) : (float)(k - 1);
    if (n >= 2 && k >= 2) z[k] = 80.0f, z[k + 1] = -80.0f;
    clg_buf zb = test_upload(ctx, z, nk), lb = test_upload(ctx, lab, n), dz = up_pad(NULL, nk), st = up_pad(NULL, 2);
    CHECK_OK(ctx, CLG_LAUNCH_GROUP(ctx, CLG_K_SOFTMAX_XENT, KA_MEM(dz.sub), KA_MEM(st.sub), KA_MEM(zb.sub),
                                   KA_MEM(lb.sub), KA_INT(n), KA_INT(k)));
    float *g = down_pad(&dz, nk, "softmax_xent dz"), *s = down_pad(&st, 2, "softmax_xent stats");
    double *rg = dalloc(nk), rs[2];
    ref_xent(rg, rs, z, lab, n, k);
    double e = errv(g, rg, nk, 1.0 / n);
    CHECK_ERR(e, TOL_ELEM, "softmax_xent dz n=%d k=%d err %g", n, k, e);
    e = errv(s, rs, 1, 1);
    CHECK_ERR(e, TOL_RED, "softmax_xent loss n=%d k=%d: %g vs %g", n, k, s[0], rs[0]);
    CHECK(fabs(s[1] - rs[1]) <= 1e-6, "softmax_xent accuracy n=%d k=%d: %g vs %g", n, k, s[1], rs[1]);
    /* the gradient is that of the batch loss: central differences of the double reference */
    double *tmp = dalloc(nk), ts[2];
    for (size_t j = 0; j < nk; j += 1 + nk / 23) {
        float keep = z[j], h = 1e-2f;
        z[j] = keep + h;
        ref_xent(tmp, ts, z, lab, n, k);
        double up = ts[0];
        z[j] = keep - h;
        ref_xent(tmp, ts, z, lab, n, k);
        z[j] = keep;
        double fd = (up - ts[0]) / (2.0 * h);
        CHECK(fabs(fd - g[j]) <= 1e-3 * fmax(1.0 / n, fabs(fd)) + 2e-6, "softmax_xent n=%d k=%d dz[%zu] %g vs fd %g",
              n, k, j, g[j], fd);
    }
    free(z), free(lab), free(g), free(s), free(rg), free(tmp);
    clg_buf_release(&zb), clg_buf_release(&lb), clg_buf_release(&dz), clg_buf_release(&st);
}

#endif
