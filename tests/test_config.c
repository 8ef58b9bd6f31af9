/* test_config.c — configuration errors name file:line (or --set) and say what is wrong; good
 * configs load, overrides apply, and every config in configs/ parses.
 * usage: test_config SCRATCH CONFIGS_DIR
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "clgan/clgan.h"
#include "testutil.h"
#include "config/config.h"
#include "eval/classifier.h"


static const char *scratch;

static const char *good =
    "[data]\npath = x.gz\n[train]\nbatch = 8\n[generator]\ninput = 10\nlayer = dense units=4\n"
    "[discriminator]\nlayer = dense units=1\n";

/* Write `text` to a file and load it; returns the status, message in err. */
static int load_text(const char *name, const char *text, char *path, size_t pathlen, char *err, size_t errlen,
                     clg_config **out)
{
    snprintf(path, pathlen, "%s/%s", scratch, name);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    clg_config *c = NULL;
    err[0] = 0;
    int st = clg_config_load(&c, path, err, errlen);
    if (out) *out = c;
    else clg_config_free(c);
    return st;
}

/* The config `text` must fail with a message containing "<path>:<line>" and `what`. */
static void expect_error(const char *name, const char *text, int line, const char *what)
{
    char path[512], err[1024], where[600];
    int st = load_text(name, text, path, sizeof path, err, sizeof err, NULL);
    snprintf(where, sizeof where, "%s:%d:", path, line);
    CHECK(st == CLG_ERR_CONFIG, "%s: status %s", name, clg_status_str(st));
    CHECK(strstr(err, where) != NULL, "%s: message \"%s\" does not name %s", name, err, where);
    CHECK(strstr(err, what) != NULL, "%s: message \"%s\" does not say \"%s\"", name, err, what);
}

int main(int argc, char **argv)
{
    if (argc < 3) return fprintf(stderr, "usage: test_config SCRATCH CONFIGS_DIR\n"), 2;
    scratch = argv[1];
    mkdir(scratch, 0755);
    char path[512], err[1024];
    clg_config *c;

    CHECK(load_text("good.ini", good, path, sizeof path, err, sizeof err, &c) == CLG_OK, "good config: %s", err);
    if (c) {
        CHECK(c->train.batch == 8 && c->gen.nlayers == 1 && c->disc.nlayers == 1, "values read");
        CHECK(!strcmp(c->gen.layers[0].where + strlen(c->gen.layers[0].where) - 2, ":7"), "layer line recorded: %s",
              c->gen.layers[0].where);
        CHECK(clg_config_set(c, "train.epochs=3", err, sizeof err) == CLG_OK && c->train.epochs == 3, "--set: %s", err);
        CHECK(clg_config_set(c, "generator.lr=0.5", err, sizeof err) == CLG_OK && c->gen.opt.lr == 0.5f, "--set net");
        CHECK(clg_config_set(c, "train.epoch=3", err, sizeof err) == CLG_ERR_CONFIG && strstr(err, "--set") &&
                  strstr(err, "did you mean 'epochs'"),
              "--set typo: %s", err);
        CHECK(clg_config_set(c, "train.batch=-1", err, sizeof err) == CLG_ERR_CONFIG && strstr(err, "> 0"),
              "--set bad value: %s", err);
        CHECK(clg_config_set(c, "noequals", err, sizeof err) == CLG_ERR_CONFIG, "--set without =");
        const char *text = clg_config_text(c);
        CHECK(strstr(text, "epochs = 3") && strstr(text, "layer = dense units=4"), "resolved text:\n%s", text);
        clg_config_free(c);
    }
    expect_error("section.ini", "[data]\npath = x\n\n[trian]\nbatch = 3\n", 4, "unknown section [trian]");
    expect_error("key.ini", "[train]\nbatch = 3\nbtach = 4\n", 3, "did you mean 'batch'");
    expect_error("int.ini", "[train]\nbatch = three\n", 2, "not an integer");
    expect_error("neg.ini", "[train]\n\nbatch = 0\n", 3, "must be > 0");
    expect_error("float.ini", "[generator]\nlr = fast\n", 2, "not a finite number");
    expect_error("enum.ini", "[generator]\noptimizer = adamw\n", 2, "must be one of adam|rmsprop|sgd");
    expect_error("ini.ini", "[train]\nbatch = 3\nthis line is not ini\n", 3, "not a valid INI line");
    CHECK(load_text("nolayers.ini", "[generator]\ninput = 3\nlayer = dense units=1\n", path, sizeof path, err,
                    sizeof err, NULL) == CLG_ERR_CONFIG &&
              strstr(err, "[discriminator] has no"),
          "missing discriminator: %s", err);
    CHECK(load_text("empty.ini", "", path, sizeof path, err, sizeof err, NULL) == CLG_ERR_CONFIG,
          "empty file is an error");
    CHECK(clg_config_load(&c, "/nonexistent/x.ini", err, sizeof err) == CLG_ERR_IO && strstr(err, "/nonexistent/x.ini"),
          "missing file: %s", err);

    /* layer option lines */
    clg_opts o;
    clg_err ce;
    CHECK(clg_opts_parse(&o, "dense units=3 init=normal:0:0.02", "f.ini:9", &ce) == CLG_OK &&
              !strcmp(o.type, "dense") && o.n == 2,
          "opts parse");
    int v;
    CHECK(clg_opt_int(&o, "units", 0, 1, &v, &ce) == CLG_OK && v == 3, "opt int");
    CHECK(clg_opts_check_unused(&o, "units", &ce) == CLG_ERR_CONFIG && strstr(ce.msg, "f.ini:9") &&
              strstr(ce.msg, "'init'"),
          "unused option: %s", ce.msg);
    CHECK(clg_opts_parse(&o, "dense units", "f.ini:9", &ce) == CLG_ERR_CONFIG && strstr(ce.msg, "key=value"),
          "bad option: %s", ce.msg);
    CHECK(clg_opts_parse(&o, "dense a=1 a=2", "f.ini:9", &ce) == CLG_ERR_CONFIG, "duplicate option");
    CHECK(clg_opts_parse(&o, "dense units=x", "f.ini:9", &ce) == CLG_OK &&
              clg_opt_int(&o, "units", 0, 1, &v, &ce) == CLG_ERR_CONFIG && strstr(ce.msg, "f.ini:9"),
          "bad int option: %s", ce.msg);

    /* every shipped config parses */
    DIR *d = opendir(argv[2]);
    int nconf = 0;
    struct dirent *e;
    while (d && (e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".ini")) continue;
        snprintf(path, sizeof path, "%s/%s", argv[2], e->d_name);
        if (len > 15 && !strcmp(e->d_name + len - 15, "_classifier.ini")) { /* a classifier's own format */
            clg_cls_cfg cc;
            clg_err cerr = {0};
            CHECK(clg_cls_cfg_load(&cc, path, &cerr) == CLG_OK, "%s: %s", path, cerr.msg);
            clg_cls_cfg_free(&cc);
            nconf++;
            continue;
        }
        int st = clg_config_load(&c, path, err, sizeof err);
        CHECK(st == CLG_OK, "%s: %s", path, err);
        clg_config_free(c);
        nconf++;
    }
    if (d) closedir(d);
    CHECK(nconf >= 2, "found %d configs in %s", nconf, argv[2]);
    return test_summary("config");
}
