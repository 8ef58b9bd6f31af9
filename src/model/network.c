/* network.c — building a network from its config section (layers, shapes, memory plan,
 * initialisation), and running it forward and backward, and its optimizer update.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/network.h"
#include "layers/reduce.h"

static size_t align_up(size_t n, size_t a) { return (n + a - 1) / a * a; }

/* Layer i's output is a view of layer i-1's (flatten, reshape): nothing to allocate or run. The
 * first layer's input belongs to the caller, so a view there still copies. */
static int is_view(const clg_net *net, int i) { return i > 0 && (net->layers[i].ops->flags & CLG_LAYER_VIEW); }

/* Layer i's input: the output of the last layer before it that runs (absorbed layers do not), or
 * the network's input x. */
static const clg_buf *input_of(const clg_net *net, int i, const clg_buf *x)
{
    while (--i >= 0 && net->layers[i].absorbed) {}
    return i >= 0 ? &net->layers[i].y : x;
}

/* "C" or "C,H,W": whole decimal numbers from 1 to 1e9 (the config's limit for inputs), nothing
 * around them. Not sscanf: "%d" overflows silently and ignores what follows the last number. */
static int parse_shape(clg_shape *s, const char *text)
{
    int v[3] = {0, 1, 1}, n = 0;
    const char *p = text;
    for (;;) {
        if (n == 3 || !(*p >= '0' && *p <= '9')) return -1;
        char *end;
        errno = 0;
        long x = strtol(p, &end, 10);
        if (errno == ERANGE || x < 1 || x > 1000000000L) return -1;
        v[n++] = (int)x;
        if (!*end) break;
        if (*end != ',') return -1;
        p = end + 1;
    }
    if (n == 2) return -1;
    *s = (clg_shape){v[0], v[1], v[2]};
    return 0;
}

static float init_value(const clg_param *p, clg_rng *rng)
{
    const clg_init *in = &p->init;
    switch (in->kind) {
    case CLG_INIT_ZEROS: return 0.0f;
    case CLG_INIT_ONES: return 1.0f;
    case CLG_INIT_NORMAL: return (float)(in->a + in->b * clg_rng_normal(rng));
    case CLG_INIT_UNIFORM: return (float)(in->a + (in->b - in->a) * clg_rng_uniform(rng));
    case CLG_INIT_GLOROT_UNIFORM: {
        double lim = sqrt(6.0 / (p->fan_in + p->fan_out));
        return (float)((2.0 * clg_rng_uniform(rng) - 1.0) * lim);
    }
    case CLG_INIT_GLOROT_NORMAL: {
        double sd = sqrt(2.0 / (p->fan_in + p->fan_out)) / 0.87962566103423978;
        double v;
        do v = clg_rng_normal(rng);
        while (fabs(v) > 2.0);
        return (float)(v * sd);
    }
    case CLG_INIT_TORCH: {
        double lim = p->fan_in > 0 ? 1.0 / sqrt((double)p->fan_in) : 0.0;
        return (float)((2.0 * clg_rng_uniform(rng) - 1.0) * lim);
    }
    }
    return 0.0f;
}

int clg_net_create_layers(clg_net *net, const clg_net_cfg *cfg, clg_shape in, int batch, clg_rng *rng, clg_err *e)
{
    clg_shape cur = in;
    for (int i = 0; i < cfg->nlayers; i++) {
        const clg_layer_spec *spec = &cfg->layers[i];
        clg_layer *l = &net->layers[i];
        uint32_t key = (uint32_t)clg_rng_next(rng);
        TRY(clg_layer_create(l, spec->text, spec->where, cur, batch, i, e));
        l->key = key;
        net->nlayers = i + 1; /* so that destroy runs for it from here on */
        cur = l->out;
        clg_layer *prev = i > 0 ? &net->layers[i - 1] : NULL;
        if (prev && !prev->absorbed && !is_view(net, i - 1) && l->ops->absorb) {
            int r = l->ops->absorb(l, prev, batch, e);
            if (r < 0) return r;
            prev->absorbed = r == 1;
        }
    }
    return CLG_OK;
}

static int plan_memory(clg_net *net, clg_ctx *ctx, int batch)
{
    size_t a = clg_align_floats(ctx);
    size_t np = 0, nb = 0, na = 0, maxact = clg_shape_size(net->in), ws = 0;
    for (int i = 0; i < net->nlayers; i++) {
        clg_layer *l = &net->layers[i];
        for (int j = 0; j < l->nparams; j++) {
            clg_param *p = &l->params[j];
            if (p->trainable) {
                np = align_up(np, a) + p->count;
                net->nparams += p->count;
            } else nb = align_up(nb, a) + p->count;
        }
        if (!is_view(net, i)) na = align_up(na, a) + (size_t)batch * clg_shape_size(l->out);
        na = align_up(na, a) + l->scratch_floats;
        if (clg_shape_size(l->out) > maxact) maxact = clg_shape_size(l->out);
        if (l->workspace_floats > ws) ws = l->workspace_floats;
    }
    /* check the whole plan against the device before allocating any of it */
    double mb = 4.0 / 1048576.0;
    size_t dfl = (size_t)batch * maxact, scratch = 1 + clg_sum_scratch(1, np); /* the gradient norm, partial sums */
    size_t total = 4 * (4 * np + nb + na + 2 * dfl + ws + scratch);
    struct { size_t n; const char *label; } arena[] = {
        {np, "parameters"}, {nb, "buffers"}, {na, "activations"}, {dfl, "activation gradients"}, {ws, "workspace"}};
    int big = 0;
    for (int i = 1; i < 5; i++) big = arena[i].n > arena[big].n ? i : big;
    char plan[400], largest[96], hint[160];
    snprintf(plan, sizeof plan,
             "the %s's memory plan at batch %d (parameters %.1f MiB x4 with gradients and optimizer state, "
             "activations %.1f MiB, activation gradients 2 x %.1f MiB, workspace %.1f MiB)",
             net->name, batch, np * mb, na * mb, dfl * mb, ws * mb);
    snprintf(largest, sizeof largest, "the %s %s", net->name, arena[big].label);
    if (big <= 1) snprintf(hint, sizeof hint, "use a smaller model (fewer units or filters)");
    else snprintf(hint, sizeof hint, "lower train.batch (now %d) or use a smaller model", batch);
    int st = clg_mem_check(ctx, total, plan, 4 * arena[big].n, largest, hint);
    if (st != CLG_OK) return st;
    char what[96];
#define ALLOC(buf, n, label)                                                   \
    snprintf(what, sizeof what, "%s %s", net->name, label);                    \
    if ((st = clg_buf_alloc(ctx, &net->buf, (n), what)) != CLG_OK) return st;
    ALLOC(params, np, "parameters");
    ALLOC(grads, np, "gradients");
    ALLOC(opt_m, np, "optimizer state");
    ALLOC(opt_v, np, "optimizer state");
    ALLOC(buffers, nb, "buffers");
    ALLOC(acts, na, "activations");
    ALLOC(dbuf[0], (size_t)batch * maxact, "activation gradients");
    ALLOC(dbuf[1], (size_t)batch * maxact, "activation gradients");
    ALLOC(workspace, ws, "workspace");
    ALLOC(scratch, scratch, "scratch");
#undef ALLOC
    net->ctx = ctx;
    net->planned_bytes = total;
    ctx->planned_bytes += total;
    np = nb = na = 0;
    size_t yoff = 0; /* where the last allocated output starts */
    for (int i = 0; i < net->nlayers; i++) {
        clg_layer *l = &net->layers[i];
        for (int j = 0; j < l->nparams; j++) {
            clg_param *p = &l->params[j];
            size_t *off = p->trainable ? &np : &nb;
            *off = align_up(*off, a);
            st = clg_buf_view(ctx, &p->value, p->trainable ? &net->params : &net->buffers, *off, p->count, p->name);
            if (st == CLG_OK && p->trainable) st = clg_buf_view(ctx, &p->grad, &net->grads, *off, p->count, p->name);
            if (st != CLG_OK) return st;
            *off += p->count;
        }
        na = align_up(na, a);
        if (!is_view(net, i)) {
            yoff = na;
            na = align_up(na + (size_t)batch * clg_shape_size(l->out), a);
        }
        st = clg_buf_view(ctx, &l->y, &net->acts, yoff, (size_t)batch * clg_shape_size(l->out), "activations");
        if (st == CLG_OK && l->scratch_floats) st = clg_buf_view_as(ctx, &l->scratch, l->scratch_type, &net->acts, na, l->scratch_floats, "scratch");
        na += l->scratch_floats;
        /* every layer's workspace starts at 0: layers run one at a time, so they share it */
        if (st == CLG_OK && l->workspace_floats)
            st = clg_buf_view(ctx, &l->workspace, &net->workspace, 0, l->workspace_floats, "workspace");
        if (st != CLG_OK) return st;
    }
    return CLG_OK;
}

/* A dry run of one training pass (forward, then backward with every gradient) while the arenas
 * are still zero: launches are skipped, and each CLBlast GEMM shape sizes CLBlast's temporary
 * buffer and runs once, so CLBlast builds its program here and a step allocates nothing. The
 * layers' host state that a pass advances (dropout keys, batch counts) is put back. */
static int plan_gemm(clg_net *net, clg_ctx *ctx, int batch)
{
    if (ctx->gemm_own || net->nlayers == 0) return CLG_OK;
    uint32_t keys[CLG_MAX_LAYERS];
    long forwards[CLG_MAX_LAYERS];
    for (int i = 0; i < net->nlayers; i++) keys[i] = net->layers[i].key, forwards[i] = net->layers[i].train_forwards;
    const clg_buf *dx;
    clg_gemm_plan_begin(ctx);
    int st = clg_net_forward(net, ctx, &net->dbuf[0], batch, 1, net->nlayers);
    if (st == CLG_OK) st = clg_net_backward(net, ctx, &dx, &net->dbuf[1], &net->dbuf[0], batch, 1, net->nlayers);
    int st2 = clg_gemm_plan_end(ctx);
    for (int i = 0; i < net->nlayers; i++) net->layers[i].key = keys[i], net->layers[i].train_forwards = forwards[i];
    return st == CLG_OK ? st2 : st;
}

static int init_params(clg_net *net, clg_ctx *ctx, clg_rng *rng)
{
    for (int i = 0; i < net->nlayers; i++) {
        clg_layer *l = &net->layers[i];
        for (int j = 0; j < l->nparams; j++) {
            clg_param *p = &l->params[j];
            float *h = malloc(p->count * sizeof *h);
            if (!h) return clg_fail(ctx, CLG_ERR_NOMEM, "out of host memory");
            for (size_t k = 0; k < p->count; k++) h[k] = init_value(p, rng);
            int st = clg_buf_write(ctx, &p->value, h, p->count, 1);
            free(h);
            if (st != CLG_OK) return st;
        }
    }
    return CLG_OK;
}

int clg_net_build(clg_net *net, clg_ctx *ctx, const char *name, const clg_net_cfg *cfg, clg_shape in, int batch,
                  clg_rng *rng)
{
    memset(net, 0, sizeof *net);
    net->name = name;
    net->cfg = cfg;
    net->in = in;
    net->batch = batch;
    /* layer messages go straight into the context's record: one message, written once */
    int st = clg_net_create_layers(net, cfg, in, batch, rng, &ctx->err);
    if (st == CLG_OK) st = plan_memory(net, ctx, batch);
    if (st == CLG_OK) st = plan_gemm(net, ctx, batch);
    if (st == CLG_OK) st = init_params(net, ctx, rng);
    if (st != CLG_OK) clg_net_free(net);
    return st;
}

int clg_net_parse_input(clg_shape *s, const char *text) { return parse_shape(s, text); }

void clg_net_free(clg_net *net)
{
    if (net->ctx) net->ctx->planned_bytes -= net->planned_bytes;
    net->ctx = NULL;
    net->planned_bytes = 0;
    for (int i = 0; i < net->nlayers; i++) {
        clg_layer *l = &net->layers[i];
        for (int j = 0; j < l->nparams; j++) {
            clg_buf_release(&l->params[j].value);
            clg_buf_release(&l->params[j].grad);
        }
        clg_buf_release(&l->y);
        clg_buf_release(&l->scratch);
        clg_buf_release(&l->workspace);
        clg_layer_destroy(l);
    }
    clg_buf *bufs[] = {&net->params, &net->grads,   &net->opt_m,     &net->opt_v,   &net->buffers,
                       &net->acts,   &net->dbuf[0], &net->dbuf[1], &net->workspace, &net->scratch};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) clg_buf_release(bufs[i]);
    net->nlayers = 0;
}

int clg_net_forward(clg_net *net, clg_ctx *ctx, const clg_buf *x, int n, int train, int upto)
{
    const clg_buf *cur = x;
    for (int i = 0; i < upto; i++) {
        clg_layer *l = &net->layers[i];
        clg_prof_tag(ctx, net->prof_base + 2 * i);
        if (l->absorbed && i + 1 < upto) continue; /* the next layer reads cur itself */
        if (!is_view(net, i)) TRY(l->ops->forward(l, ctx, &l->y, cur, n, train));
        l->train_forwards += train != 0;
        cur = &l->y;
    }
    return CLG_OK;
}

int clg_net_backward(clg_net *net, clg_ctx *ctx, const clg_buf **dx, const clg_buf *dy, const clg_buf *x, int n,
                     int param_grads, int upto)
{
    const clg_buf *cur = dy;
    int k = 0;
    for (int i = upto - 1; i >= 0; i--) {
        clg_layer *l = &net->layers[i];
        if (is_view(net, i) || l->absorbed) continue; /* dy passes through as dx; or done by layer i+1 */
        const clg_buf *xin = input_of(net, i, x);
        clg_buf *out = (xin != x || dx) ? &net->dbuf[k] : NULL;
        clg_prof_tag(ctx, net->prof_base + 2 * i + 1);
        TRY(l->ops->backward(l, ctx, out, cur, xin, &l->y, n, param_grads));
        cur = out;
        k ^= 1;
    }
    if (dx) *dx = cur;
    return CLG_OK;
}

int clg_net_zero_grad(clg_net *net, clg_ctx *ctx) { return clg_buf_fill(ctx, &net->grads, 0.0f, net->grads.n); }

int clg_net_update(clg_net *net, clg_ctx *ctx)
{
    const clg_optim_cfg *c = &net->cfg->opt;
    size_t n = net->params.n;
    if (n == 0) return CLG_OK;
    if (c->clip_value > 0)
        TRY(CLG_LAUNCH1(ctx, CLG_K_CLIP_VALUE, n, KA_MEM(net->grads.sub), KA_LONG(n), KA_FLT(c->clip_value)));
    if (c->clip_norm > 0) {
        TRY(clg_chan_sums(ctx, &net->scratch, 0, 0, &net->scratch, 1, CLG_SUM_SQ, &net->grads, NULL, NULL, 0, 1.0f, 1, 1,
                          n));
        TRY(CLG_LAUNCH1(ctx, CLG_K_CLIP_SCALE, n, KA_MEM(net->grads.sub), KA_MEM(net->scratch.sub), KA_LONG(n),
                        KA_FLT(c->clip_norm)));
    }
    net->t++;
    if (c->kind == CLG_OPT_ADAM) {
        double c1 = c->lr / (1.0 - pow(c->beta1, (double)net->t));
        double c2 = 1.0 / sqrt(1.0 - pow(c->beta2, (double)net->t));
        return CLG_LAUNCH1(ctx, CLG_K_ADAM, n, KA_MEM(net->params.sub), KA_MEM(net->grads.sub), KA_MEM(net->opt_m.sub),
                           KA_MEM(net->opt_v.sub), KA_LONG(n), KA_FLT(c1), KA_FLT(c->beta1), KA_FLT(c->beta2),
                           KA_FLT(c2), KA_FLT(c->eps));
    }
    if (c->kind == CLG_OPT_RMSPROP)
        return CLG_LAUNCH1(ctx, CLG_K_RMSPROP, n, KA_MEM(net->params.sub), KA_MEM(net->grads.sub),
                           KA_MEM(net->opt_v.sub), KA_LONG(n), KA_FLT(c->lr), KA_FLT(c->rho), KA_FLT(c->eps));
    return CLG_LAUNCH1(ctx, CLG_K_SGD, n, KA_MEM(net->params.sub), KA_MEM(net->grads.sub), KA_MEM(net->opt_m.sub),
                       KA_LONG(n), KA_FLT(c->lr), KA_FLT(c->momentum));
}

size_t clg_net_param_count(const clg_net *net) { return net->nparams; }

void clg_net_print(const clg_net *net, FILE *out)
{
    fprintf(out, "%s (input %dx%dx%d)\n", net->name, net->in.c, net->in.h, net->in.w);
    fprintf(out, "  %-3s %-17s %-16s %12s\n", "#", "layer", "output", "params");
    for (int i = 0; i < net->nlayers; i++) {
        const clg_layer *l = &net->layers[i];
        size_t np = 0;
        for (int j = 0; j < l->nparams; j++) np += l->params[j].count;
        char shape[48];
        if (l->out.h == 1 && l->out.w == 1) snprintf(shape, sizeof shape, "%d", l->out.c);
        else snprintf(shape, sizeof shape, "%dx%dx%d", l->out.c, l->out.h, l->out.w);
        fprintf(out, "  %-3d %-17s %-16s %12zu\n", i, l->ops->type, shape, np);
    }
    fprintf(out, "  trainable parameters: %zu\n", net->nparams);
}
