/* test_layer_limits.c — layer options and shapes at their limits: each out-of-range option is
 * reported as that option against its own limit (not as another problem), generator input
 * shapes are parsed whole and bounded, and a network whose tensors would pass the kernels' int
 * index fails while it is built, naming the layer and what to lower, before any device memory
 * is planned. The first parts run on the host only; the last opens the test device.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clgan/clgan.h"
#include "config/config.h"
#include "layers/layer.h"
#include "model/network.h"
#include "testutil.h"

/* Create one layer from `spec` on input `in` at `batch`, as the network does (clg_layer_create:
 * options, create, unused options, then the input/output check); the status, message in e. */
static int make(const char *spec, clg_shape in, int batch, clg_err *e)
{
    clg_layer l;
    int st = clg_layer_create(&l, spec, "net.ini:7", in, batch, 0, e);
    if (st == CLG_OK) clg_layer_destroy(&l);
    return st;
}

/* `spec` must fail with a message that contains `what` (and names net.ini:7). */
static void expect_fail(const char *spec, clg_shape in, int batch, const char *what)
{
    clg_err e;
    int st = make(spec, in, batch, &e);
    const char *err = e.msg;
    CHECK(st == CLG_ERR_CONFIG, "\"%s\": status %d (%s)", spec, st, err);
    CHECK(strstr(err, "net.ini:7") && strstr(err, what), "\"%s\": message \"%s\" does not say \"%s\"", spec, err, what);
}

static void expect_ok(const char *spec, clg_shape in, int batch)
{
    clg_err e;
    int st = make(spec, in, batch, &e);
    const char *err = e.msg;
    CHECK(st == CLG_OK, "\"%s\": %s", spec, err);
}

static void test_options(void)
{
    const clg_shape img = {1, 28, 28}, flat = {100, 1, 1};
    /* padding: the limit, not "expected a number" */
    expect_fail("conv2d filters=8 kernel=3 padding=2000000", img, 8,
                "net.ini:7: layer conv2d: padding=2000000 is above the limit 1048576");
    expect_fail("conv_transpose2d filters=8 kernel=3 padding=2000000", img, 8,
                "net.ini:7: layer conv_transpose2d: padding=2000000 is above the limit 1048576");
    expect_fail("conv2d filters=8 kernel=3 padding=99999999999999999999", img, 8, "is above the limit 1048576");
    expect_fail("conv2d filters=8 kernel=3 padding=-1", img, 8, "padding=-1 is below the limit 0");
    expect_fail("conv2d filters=8 kernel=3 padding=full", img, 8,
                "padding=full is not a whole number from 0 to 1048576, same or valid");
    expect_fail("conv_transpose2d filters=8 kernel=3 padding=3x", img, 8,
                "padding=3x is not a whole number from 0 to 1048576, same or valid");
    expect_fail("conv2d filters=8 kernel=3 direct=yes", img, 8, "direct=yes is not a whole number from 0 to 1, or auto");
    expect_fail("conv2d filters=8 kernel=3 direct=2", img, 8, "direct=2 is above the limit 1");
    /* at the limit the option passes, and what fails is the real problem: the output's size */
    expect_fail("conv2d filters=8 kernel=3 padding=1048576", img, 1, "the im2col workspace has 74768644582628 values");
    expect_ok("conv2d filters=8 kernel=3 padding=same", img, 8);
    expect_ok("conv_transpose2d filters=8 kernel=4 stride=2 padding=valid", img, 8);
    /* each conv option against its own limit (they were one message for all, or an overflow) */
    expect_fail("conv2d filters=8 kernel=2000000", img, 8, "kernel=2000000 is above the limit 1048576");
    expect_fail("conv2d filters=8 kernel=0", img, 8, "kernel=0 is below the limit 1");
    expect_fail("conv2d filters=8 kernel=3 stride=0", img, 8, "stride=0 is below the limit 1");
    expect_fail("conv2d filters=8 kernel=3 stride=2000000000", img, 8, "stride=2000000000 is above the limit 1048576");
    expect_fail("conv2d filters=8 kernel=3 chunk=-1", img, 8, "chunk=-1 is below the limit 0");
    expect_fail("conv2d filters=0 kernel=3", img, 8, "filters=0 is below the limit 1");
    expect_fail("conv2d filters=5000000 kernel=3", img, 8, "filters=5000000 is above the limit 1048576");
    expect_fail("conv2d filters=8 kernel=3 bias=2", img, 8, "bias=2 is above the limit 1");
    expect_fail("conv2d filters=8 kernel=3 stride=x", img, 8, "stride=x is not a whole number from 1 to 1048576");
    expect_fail("conv2d filters=8 kernel=30", img, 8, "kernel 30 with padding=0 does not fit the 28x28 input");
    expect_fail("conv_transpose2d filters=8 kernel=3 stride=1000000000", img, 8,
                "stride=1000000000 is above the limit 1048576");
    /* in range, but the output side (28 * 2^20) is not: said as such, not an int overflow */
    expect_fail("conv_transpose2d filters=1 kernel=1 stride=1048576", img, 1, "is above the limit 1048576 per side");
    expect_fail("conv_transpose2d filters=8 kernel=3 stride=2 output_padding=-1", img, 8,
                "output_padding=-1 is below the limit 0");
    expect_fail("conv_transpose2d filters=8 kernel=3 stride=2 output_padding=2", img, 8,
                "output_padding=2 must be smaller than stride=2");
    expect_fail("conv_transpose2d filters=8 kernel=3 padding=40", img, 8, "crops the whole");
    /* kernel^2 x channels past int: reported as the weights' size, not wrapped into a fan */
    expect_fail("conv2d filters=1 kernel=50000 padding=25000", (clg_shape){1000, 1, 1}, 1,
                "one filter's weights (input channels x kernel^2)");
    /* the other layers */
    expect_fail("dense units=0", flat, 8, "units=0 is below the limit 1");
    expect_fail("dense units=3000000000", flat, 8, "units=3000000000 is above the limit 1000000000");
    expect_fail("dense units=4 bias=7", flat, 8, "bias=7 is above the limit 1");
    expect_fail("upsample scale=100000000000", img, 8, "scale=100000000000 is above the limit 64");
    expect_fail("upsample scale=0", img, 8, "scale=0 is below the limit 1");
    expect_fail("upsample scale=64", (clg_shape){1, 20000, 1}, 1, "is above the limit 1048576 per side");
    expect_fail("maxout k=0", flat, 8, "k=0 is below the limit 1");
    expect_fail("maxout k=3", flat, 8, "100 input features are not a multiple of k=3");
    expect_fail("batchnorm affine=2", img, 8, "affine=2 is above the limit 1");
    expect_fail("batchnorm momentum=2", img, 8, "momentum=2 must be in [0, 1]");
    expect_fail("batchnorm eps=0", img, 8, "eps=0 must be > 0");
    expect_fail("dropout p=1", flat, 8, "p=1 must be in [0, 1)");
    expect_fail("leaky_relu slope=x", flat, 8, "slope=x is not a finite number");
    expect_fail("reshape c=0 h=10 w=10", flat, 8, "c=0 is below the limit 1");
    expect_fail("reshape c=4 h=5 w=2000000000", flat, 8, "w=2000000000 is above the limit 1000000000");
    expect_fail("reshape c=1 h=5 w=5", flat, 8, "cannot reshape 100x1x1 (100 values) to 1x5x5 (25 values)");
    /* 2^21 * 2^21 * 2^22 wraps to 0 in 64 bits: equal to nothing, and said in real numbers */
    expect_fail("reshape c=2097152 h=2097152 w=4194304", (clg_shape){1000, 1000, 1000}, 1, "cannot reshape");
    expect_ok("reshape c=4 h=5 w=5", flat, 8);
    /* flatten of a shape past int was cast to a negative feature count */
    expect_fail("flatten", (clg_shape){100000, 100000, 1}, 1, "cannot flatten 100000x100000x1");
}

static void test_parse_input(void)
{
    static const struct {
        const char *text;
        int ok, c, h, w;
    } cases[] = {
        {"100", 1, 100, 1, 1},        {"100,1,1", 1, 100, 1, 1},  {"3,64,64", 1, 3, 64, 64},
        {"1000000000", 1, 1000000000, 1, 1},
        {"4294967297", 0, 0, 0, 0},   /* sscanf("%d") read this as 1 */
        {"99999999999999999999999", 0, 0, 0, 0},
        {"1000000001", 0, 0, 0, 0},   {"0", 0, 0, 0, 0},          {"-5", 0, 0, 0, 0},
        {"100x", 0, 0, 0, 0},         /* sscanf stopped at the x and took 100 */
        {"100,1,1,", 0, 0, 0, 0},     {"1,2", 0, 0, 0, 0},        {"1,2,3,4", 0, 0, 0, 0},
        {"1,,2", 0, 0, 0, 0},         {"", 0, 0, 0, 0},           {" 5", 0, 0, 0, 0},
        {"+5", 0, 0, 0, 0},           {"3,64,4294967360", 0, 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        clg_shape s = {-7, -7, -7};
        int r = clg_net_parse_input(&s, cases[i].text);
        if (cases[i].ok)
            CHECK(r == 0 && s.c == cases[i].c && s.h == cases[i].h && s.w == cases[i].w, "input \"%s\": %d -> %dx%dx%d",
                  cases[i].text, r, s.c, s.h, s.w);
        else
            CHECK(r == -1 && s.c == -7, "input \"%s\" accepted as %dx%dx%d", cases[i].text, s.c, s.h, s.w);
    }
}

/* Build the generator of `text` on the device: it must fail with CLG_ERR_CONFIG, saying each of
 * `what` (NULL-terminated), before anything is planned on the device. */
static void expect_build_fail(clg_ctx *ctx, const char *name, const char *text, const char *const *what)
{
    char err[1024] = "";
    clg_config *cfg = NULL;
    int st = clg_config_load_text(&cfg, text, name, err, sizeof err);
    CHECK(st == CLG_OK, "%s: %s", name, err);
    if (st != CLG_OK) return;
    clg_shape in;
    CHECK(clg_net_parse_input(&in, cfg->gen.input) == 0, "%s: input %s", name, cfg->gen.input);
    cl_ulong before = ctx->planned_bytes;
    clg_net net;
    clg_rng rng = {1};
    double t0 = test_now();
    st = clg_net_build(&net, ctx, "generator", &cfg->gen, in, cfg->train.batch, &rng);
    snprintf(err, sizeof err, "%s", clg_last_error(ctx));
    double dt = test_now() - t0;
    CHECK(st == CLG_ERR_CONFIG, "%s: status %s (%s)", name, clg_status_str(st), err);
    for (int i = 0; what[i]; i++) CHECK(strstr(err, what[i]) != NULL, "%s: \"%s\" does not say \"%s\"", name, err, what[i]);
    /* the memory plan's message would name the arenas: the check comes before it */
    CHECK(!strstr(err, "memory plan"), "%s: failed at the memory plan, not at the layer: %s", name, err);
    CHECK(ctx->planned_bytes == before, "%s: %llu bytes planned", name, (unsigned long long)(ctx->planned_bytes - before));
    CHECK(dt < 2.0, "%s: the failing build took %.2f s", name, dt);
    if (st == CLG_OK) clg_net_free(&net);
    clg_config_free(cfg);
}

#define CFG(batch, input, layers)                                                                                  \
    "[data]\npath = synthetic\n[train]\nbatch = " batch "\n[generator]\ninput = " input "\n" layers               \
    "[discriminator]\nlayer = dense units=1\n"

static void test_build(void)
{
    clg_ctx *ctx = test_ctx();
    /* dense output 4096 x 1e6 = 4.1e9 values: the layer, its size and the batch that fits */
    expect_build_fail(ctx, "dense.ini", CFG("4096", "100", "layer = dense units=4\nlayer = dense units=1000000\n"),
                      (const char *const[]){"dense.ini:8: layer 1 (dense)", "the output at batch 4096",
                                            "4096 x 1000000 = 4096000000", "lower train.batch (now 4096) to at most 2147",
                                            NULL});
    /* an upsample whose input fits but whose output (16 x 8 x 4096 x 4096) does not */
    expect_build_fail(ctx, "ups.ini", CFG("16", "8,1024,1024", "layer = upsample scale=4\n"),
                      (const char *const[]){"layer 0 (upsample)", "the output at batch 16", "to at most 15", NULL});
    /* a convolution's output (64 x 8 x 2048 x 2048) */
    expect_build_fail(ctx, "conv.ini",
                      CFG("64", "1,2048,2048", "layer = conv2d filters=8 kernel=3 padding=same\n"),
                      (const char *const[]){"layer 0 (conv2d)", "the output at batch 64", "to at most 63", NULL});
    /* the generator's input itself (the latent batch the trainer draws) */
    expect_build_fail(ctx, "input.ini", CFG("8", "1000000000", "layer = dense units=1\n"),
                      (const char *const[]){"layer 0 (dense)", "the input at batch 8", "to at most 2", NULL});
    /* one sample alone past the limit: make the layer smaller (train.batch cannot help) */
    expect_build_fail(ctx, "sample.ini", CFG("1", "1000,1000,3000", "layer = relu\n"),
                      (const char *const[]){"layer 0 (relu)", "3000000000 values per sample", "make the layer smaller",
                                            NULL});
    clg_ctx_free(ctx);
}

/* Each type's option table: its help names every option, and writing an option at its table
 * default creates the same layer as leaving it out (the parser reads what the table says). */
static void test_option_tables(void)
{
    /* the required options of the types that have some, and an input each type accepts */
    static const struct {
        const char *type, *required;
        clg_shape in;
    } base[] = {{"dense", "units=3", {4, 1, 1}},   {"maxout", "k=2", {4, 1, 1}},
                {"reshape", "c=4", {4, 1, 1}},     {"conv2d", "filters=2 kernel=3", {2, 5, 5}},
                {"conv_transpose2d", "filters=2 kernel=3", {2, 5, 5}}};
    char types[512];
    clg_layer_list(types, sizeof types);
    int ntypes = 0;
    for (char *t = strtok(types, ", "); t; t = strtok(NULL, ", "), ntypes++) {
        const clg_layer_ops *ops = clg_layer_find(t);
        const char *req = "";
        clg_shape in = {2, 5, 5};
        for (size_t i = 0; i < sizeof base / sizeof base[0]; i++)
            if (!strcmp(base[i].type, t)) req = base[i].required, in = base[i].in;
        char help[512], spec[256];
        clg_layer_help(help, sizeof help, ops);
        snprintf(spec, sizeof spec, "%s %s", t, req);
        clg_layer plain, set;
        clg_err e;
        CHECK(clg_layer_create(&plain, spec, "net.ini:7", in, 4, 0, &e) == CLG_OK, "%s: %s", spec, e.msg);
        for (int i = 0; i < ops->noptions; i++) {
            const clg_option *o = &ops->options[i];
            char named[48];
            snprintf(named, sizeof named, "%s=", o->name);
            CHECK(strstr(help, named) != NULL, "%s: help \"%s\" does not name %s", t, help, o->name);
            if (!o->def) continue;
            snprintf(spec, sizeof spec, "%s %s %s=%s", t, req, o->name, o->def);
            int st = clg_layer_create(&set, spec, "net.ini:7", in, 4, 0, &e);
            CHECK(st == CLG_OK, "%s: %s", spec, e.msg);
            if (st != CLG_OK) continue;
            int same = set.out.c == plain.out.c && set.out.h == plain.out.h && set.out.w == plain.out.w &&
                       set.nparams == plain.nparams && set.scratch_floats == plain.scratch_floats &&
                       set.workspace_floats == plain.workspace_floats;
            for (int j = 0; same && j < set.nparams; j++)
                same = set.params[j].count == plain.params[j].count &&
                       set.params[j].init.kind == plain.params[j].init.kind &&
                       set.params[j].init.a == plain.params[j].init.a && set.params[j].init.b == plain.params[j].init.b;
            CHECK(same, "%s: not the layer its default makes", spec);
            clg_layer_destroy(&set);
        }
        clg_layer_destroy(&plain);
    }
    CHECK(ntypes == 13, "%d layer types listed", ntypes);
    /* the unused-option message lists the options from the table */
    expect_fail("dense units=3 colour=red", (clg_shape){4, 1, 1}, 4,
                "has no option 'colour' (options: units=N bias=0|1 (1) init=INIT (torch) bias_init=INIT (torch))");
    expect_fail("relu slope=0.2", (clg_shape){4, 1, 1}, 4, "has no option 'slope' (options: none)");
}

int main(void)
{
    test_options();
    test_option_tables();
    test_parse_input();
    test_build();
    return test_summary("layer_limits");
}
