/* test_config_limits.c — no length or number limit changes what a config means: a long comment
 * stays a comment, long lines are read whole, numbers out of range are reported as such (with the
 * limit) and the resolved text clgan writes (run folders, checkpoints) always parses back to the
 * same text, including long paths with '#', ';', '=', quotes and spaces. Needs no OpenCL device.
 * usage: test_config_limits SCRATCH CONFIGS_DIR
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "clgan/clgan.h"
#include "config/config.h"
#include "layers/layer.h"
#include "testutil.h"

static const char *scratch;

static const char *good_tail =
    "[generator]\ninput = 10\nlayer = dense units=4\n[discriminator]\nlayer = dense units=1\n";

/* Parse `text` as file `name`; returns the status, the config in *out (NULL on error). */
static int parse(clg_config **out, const char *text, const char *name, char *err, size_t errlen)
{
    err[0] = 0;
    return clg_config_load_text(out, text, name, err, errlen);
}

/* `text` must parse, and its resolved text must parse again to the same resolved text. */
static void check_round_trip(const char *what, clg_config *c)
{
    char err[2048];
    const char *t1 = clg_config_text(c);
    char *copy = strdup(t1);
    clg_config *c2 = NULL;
    int st = parse(&c2, copy, "resolved.ini", err, sizeof err);
    CHECK(st == CLG_OK, "%s: resolved text does not parse: %s\n%s", what, err, copy);
    if (st == CLG_OK) {
        const char *t2 = clg_config_text(c2);
        CHECK(!strcmp(t2, copy), "%s: resolved text changed on a second pass:\n%s\n---\n%s", what, copy, t2);
        CHECK(!strcmp(c->data.path, c2->data.path), "%s: data.path \"%s\" came back as \"%s\"", what, c->data.path,
              c2->data.path);
        CHECK(c->train.seed == c2->train.seed && c->gen.nlayers == c2->gen.nlayers, "%s: values changed", what);
        /* the same text through a file, as config.ini is read back */
        char path[600];
        snprintf(path, sizeof path, "%s/resolved.ini", scratch);
        FILE *f = fopen(path, "w");
        fputs(copy, f);
        fclose(f);
        clg_config *c3 = NULL;
        st = clg_config_load(&c3, path, err, sizeof err);
        CHECK(st == CLG_OK && !strcmp(clg_config_text(c3), copy), "%s: config.ini does not read back: %s", what, err);
        clg_config_free(c3);
    }
    clg_config_free(c2);
    free(copy);
}

/* `text` must fail with a message containing each of the given strings. */
static void expect_error(const char *name, const char *text, const char *what1, const char *what2)
{
    char err[2048];
    clg_config *c = NULL;
    int st = parse(&c, text, name, err, sizeof err);
    CHECK(st == CLG_ERR_CONFIG, "%s: status %s (expected a config error)", name, clg_status_str(st));
    CHECK(strstr(err, what1) != NULL, "%s: message \"%s\" does not say \"%s\"", name, err, what1);
    CHECK(!what2 || strstr(err, what2) != NULL, "%s: message \"%s\" does not say \"%s\"", name, err, what2);
    clg_config_free(c);
}

static char *repeat(char ch, size_t n)
{
    char *s = malloc(n + 1);
    memset(s, ch, n);
    s[n] = 0;
    return s;
}

int main(int argc, char **argv)
{
    if (argc < 3) return fprintf(stderr, "usage: test_config_limits SCRATCH CONFIGS_DIR\n"), 2;
    scratch = argv[1];
    mkdir(scratch, 0755);
    char text[8192], err[2048];
    clg_config *c = NULL;

    /* a comment longer than any line buffer stays a comment: its tail is not a key */
    char *xs = repeat('x', 230);
    snprintf(text, sizeof text, "[train]\n; %s seed = 99\n# %s batch = 7\nepochs = 2\n%s", xs, xs, good_tail);
    int st = parse(&c, text, "comment.ini", err, sizeof err);
    CHECK(st == CLG_OK, "long comments: %s", err);
    if (c) CHECK(c->train.seed == 1 && c->train.batch == 128 && c->train.epochs == 2, "a long comment set seed=%ld batch=%d", c->train.seed,
                 c->train.batch);
    clg_config_free(c);

    /* a long value is read whole */
    char *longpath = repeat('p', 400);
    longpath[0] = '/';
    snprintf(text, sizeof text, "[data]\npath = %s\n[train]\nseed = 5\n%s", longpath, good_tail);
    st = parse(&c, text, "long.ini", err, sizeof err);
    CHECK(st == CLG_OK, "long path line: %s", err);
    if (c) {
        CHECK(!strcmp(c->data.path, longpath) && c->train.seed == 5, "long path read as \"%.40s...\" (%zu chars)",
              c->data.path, strlen(c->data.path));
        check_round_trip("long path from a file", c);
    }
    clg_config_free(c);

    /* a long layer line keeps all its options */
    char *spaces = repeat(' ', 200);
    snprintf(text, sizeof text, "[generator]\ninput = 10\nlayer = dense units=4%sbias=0\n[discriminator]\nlayer = dense units=1\n",
             spaces);
    st = parse(&c, text, "layerline.ini", err, sizeof err);
    CHECK(st == CLG_OK && c && c->gen.nlayers == 1 && strstr(c->gen.layers[0].text, "bias=0"),
          "long layer line: %s %s", err, c ? c->gen.layers[0].text : "");
    clg_config_free(c);
    /* a layer line too long to keep is an error naming file:line, not cut short */
    char *opts = repeat('1', 300);
    snprintf(text, sizeof text, "[generator]\ninput = 10\nlayer = dense units=%s\n[discriminator]\nlayer = dense units=1\n",
             opts);
    expect_error("layerlong.ini", text, "layerlong.ini:3:", "too long");

    /* --set values with '#', ';', '=', quotes, backslashes and spaces, 400 characters long, survive
     * the resolved text */
    snprintf(text, sizeof text, "[train]\nseed = 9\n%s", good_tail);
    const char *odd[] = {"/data/a #b ;c =d  e\\f \"g\" ; h # i",
                         " leading and trailing spaces ",
                         ";starts with a semicolon",
                         "\"quoted\"",
                         "#hash",
                         "tab\tinside",
                         "ends with a backslash\\",
                         ""};
    for (size_t i = 0; i < sizeof odd / sizeof odd[0] + 1; i++) {
        char value[600], set[700];
        if (i < sizeof odd / sizeof odd[0]) snprintf(value, sizeof value, "%s", odd[i]);
        else {
            /* ~400 characters with every special character */
            value[0] = 0;
            while (strlen(value) < 400) strcat(value, "/dir #1 ;x=y \"q\" \\");
        }
        st = parse(&c, text, "odd.ini", err, sizeof err);
        snprintf(set, sizeof set, "data.path=%s", value);
        CHECK(st == CLG_OK && clg_config_set(c, set, err, sizeof err) == CLG_OK, "--set %s: %s", set, err);
        if (c) {
            CHECK(!strcmp(c->data.path, value), "--set stored \"%s\"", c->data.path);
            check_round_trip(set, c);
        }
        clg_config_free(c);
    }
    /* a value with a line break would become two lines: refused */
    st = parse(&c, text, "odd.ini", err, sizeof err);
    CHECK(st == CLG_OK && clg_config_set(c, "data.path=x\n[train]\nseed = 5", err, sizeof err) == CLG_ERR_CONFIG &&
              strstr(err, "--set data.path") && strstr(err, "control character"),
          "--set with a newline: %s", err);
    if (c) CHECK(c->train.seed == 9, "seed changed to %ld", c->train.seed);
    clg_config_free(c);

    /* quoted values in files; a " ;" starts a comment outside quotes only */
    snprintf(text, sizeof text, "[data]\npath = \"a ; b # c \\\" d\"   ; comment\n[train]\nseed = 3 ; inline\n%s",
             good_tail);
    st = parse(&c, text, "quoted.ini", err, sizeof err);
    CHECK(st == CLG_OK && c && !strcmp(c->data.path, "a ; b # c \" d") && c->train.seed == 3, "quoted value: %s [%s]", err,
          c ? c->data.path : "");
    if (c) check_round_trip("quoted value", c);
    clg_config_free(c);
    expect_error("unterminated.ini", "[data]\npath = \"abc\n", "unterminated.ini:2:", "closing quote");
    expect_error("afterquote.ini", "[data]\npath = \"abc\" def\n", "afterquote.ini:2:", "after the closing quote");

    /* bytes that cannot be written back are errors naming the line */
    char withnul[] = "[train]\nseed = 1\0 = 5\n";
    clg_err ce;
    st = clg_config_load_buffer(&c, withnul, sizeof withnul - 1, "nul.ini", &ce);
    CHECK(st == CLG_ERR_CONFIG && strstr(ce.msg, "nul.ini:2:") && strstr(ce.msg, "NUL"), "NUL byte: %s", ce.msg);
    expect_error("ctrl.ini", "[data]\npath = a\x01" "b\n", "ctrl.ini:2:", "control character");

    /* numbers out of range say so and give the limit, not "not an integer" */
    expect_error("bigint.ini", "[train]\nbatch = 3000000000\n", "bigint.ini:2:", "above the limit");
    expect_error("hugeint.ini", "[train]\nseed = 99999999999999999999999\n", "hugeint.ini:2:", "above the limit");
    expect_error("negint.ini", "[train]\nbatch = -3000000000\n", "negint.ini:2:", "must be > 0");
    expect_error("bigfloat.ini", "[generator]\nlr = 1e39\n", "bigfloat.ini:2:", "out of range");
    expect_error("input.ini", "[generator]\ninput = 4294967297\n", "input.ini:2:", "outside 1 to 1000000000");
    expect_error("input3.ini", "[generator]\ninput = 100,1,99999999999\n", "input3.ini:2:", "outside 1 to 1000000000");
    expect_error("input2.ini", "[generator]\ninput = 100,1\n", "input2.ini:2:", "expected C or C,H,W");
    expect_error("notint.ini", "[train]\nbatch = 12abc\n", "notint.ini:2:", "not an integer");
    expect_error("bg.ini", "[data]\nbackground = 256\n", "bg.ini:2:", "above the limit 255");
    expect_error("beta.ini", "[generator]\nbeta1 = 1\n", "beta.ini:2:", "must be < 1");

    /* a key given twice in a section is an error naming both lines (the last one would win);
     * layer lines repeat, and the same key in two sections is two keys */
    expect_error("dup.ini", "[train]\nbatch = 64\n; more\nbatch = 32\n", "dup.ini:4:", "already set on line 2");
    expect_error("dup2.ini", "[train]\nseed = 1\n[data]\n[train]\nseed = 2\n", "dup2.ini:5:", "line 2");
    expect_error("dup3.ini", "[discriminator]\nlr = 0.1\nlr = 0.2\n", "dup3.ini:3:", "'lr' in [discriminator]");
    {
        clg_config *c = NULL;
        int st = parse(&c, "[generator]\nlr = 0.1\ninput = 10\nlayer = dense units=8\nlayer = relu\n"
                           "layer = dense units=4\n[discriminator]\nlr = 0.2\nlayer = dense units=1\n",
                       "repeat.ini", err, sizeof err);
        CHECK(st == CLG_OK && c->gen.nlayers == 3, "repeated layer lines: %s", err);
        clg_config_free(c);
    }

    /* layer options: the real problem, with the limit */
    clg_opts o;
    int v;
    float fv;
    CHECK(clg_opts_parse(&o, "dense units=2000000000", "f.ini:9", &ce) == CLG_OK &&
              clg_opt_int(&o, "units", 0, 1, &v, &ce) == CLG_ERR_CONFIG &&
              strstr(ce.msg, "f.ini:9") && strstr(ce.msg, "units=2000000000 is above the limit 1000000000"),
          "units=2e9: %s", ce.msg);
    CHECK(clg_opts_parse(&o, "dense units=-99999999999999999999", "f.ini:9", &ce) == CLG_OK &&
              clg_opt_int(&o, "units", 0, 1, &v, &ce) == CLG_ERR_CONFIG &&
              strstr(ce.msg, "is below the limit -1000000000"),
          "units=-1e20: %s", ce.msg);
    CHECK(clg_opts_parse(&o, "dense units=4x", "f.ini:9", &ce) == CLG_OK &&
              clg_opt_int(&o, "units", 0, 1, &v, &ce) == CLG_ERR_CONFIG && strstr(ce.msg, "not an integer"),
          "units=4x: %s", ce.msg);
    CHECK(clg_opts_parse(&o, "leaky_relu slope=1e39", "f.ini:9", &ce) == CLG_OK &&
              clg_opt_float(&o, "slope", 0, NULL, &fv, &ce) == CLG_ERR_CONFIG && strstr(ce.msg, "f.ini:9") &&
              strstr(ce.msg, "out of range"),
          "slope=1e39: %s", ce.msg);
    char longopt[200];
    snprintf(longopt, sizeof longopt, "dense init=normal:0:0.%0120d", 2);
    CHECK(clg_opts_parse(&o, longopt, "f.ini:9", &ce) == CLG_ERR_CONFIG && strstr(ce.msg, "f.ini:9") &&
              strstr(ce.msg, "too long"),
          "long option value: %s", ce.msg);
    clg_layer l;
    memset(&l, 0, sizeof l);
    snprintf(l.where, sizeof l.where, "g.ini:4");
    clg_init in;
    clg_err ie;
    CHECK(clg_parse_init(&in, "normal:0:0.02", &l, &ie) == CLG_OK && in.b == 0.02f, "init: %s", ie.msg);
    CHECK(clg_parse_init(&in, "normal:nan:1", &l, &ie) == CLG_ERR_CONFIG && strstr(ie.msg, "g.ini:4"),
          "init with NaN accepted");
    CHECK(clg_parse_init(&in, "uniform:0:1e39", &l, &ie) == CLG_ERR_CONFIG && strstr(ie.msg, "out of range"),
          "init 1e39: %s", ie.msg);
    CHECK(clg_parse_init(&in, "normal: 0:1", &l, &ie) == CLG_ERR_CONFIG, "init with a space accepted");

    /* the resolved text of every shipped config, and of odd but valid ones, reads back the same */
    DIR *d = opendir(argv[2]);
    struct dirent *e;
    int nconf = 0;
    while (d && (e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".ini")) continue;
        if (len > 15 && !strcmp(e->d_name + len - 15, "_classifier.ini")) continue; /* not a GAN config */
        char path[1200];
        snprintf(path, sizeof path, "%s/%s", argv[2], e->d_name);
        st = clg_config_load(&c, path, err, sizeof err);
        CHECK(st == CLG_OK, "%s: %s", path, err);
        if (c) check_round_trip(path, c);
        clg_config_free(c);
        nconf++;
    }
    if (d) closedir(d);
    CHECK(nconf >= 2, "found %d configs in %s", nconf, argv[2]);
    const char *valid[] = {
        "\xEF\xBB\xBF[train]\r\nseed = 4\r\n[generator]\r\ninput = 10\r\nlayer = dense units=4\r\n"
        "[discriminator]\nlayer = dense units=1",
        "  [ generator ]  ; indented\n\tinput=10\nlayer=conv2d init=normal:0:0.02 padding=same\n"
        "[discriminator]\nlayer = dense units=1 ;comment\n[generator]\nlayer = tanh\n[data]\npath=a=b:c;not a comment\n",
        "[generator]\ninput = \"10\"\nlayer = \"dense  units=4\"\n[discriminator]\ninput = 5 ; y\n"
        "layer = dense units=1\n[train]\nnoise_min = -0\nnoise_max = 1e-30\nlabel_smoothing = 1\n",
    };
    for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++) {
        st = parse(&c, valid[i], "valid.ini", err, sizeof err);
        CHECK(st == CLG_OK, "valid config %zu: %s", i, err);
        if (c) check_round_trip("valid config", c);
        clg_config_free(c);
    }

    free(xs);
    free(longpath);
    free(spaces);
    free(opts);
    return test_summary("config_limits");
}
