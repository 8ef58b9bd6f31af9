/* test_colour.c — a short colour run on an image folder the test writes itself: 256 PNG images
 * of 16x16 RGB (a red square at a random place on a blue background, with some noise), trained
 * for 200 steps with configs/test_colour.ini. The losses stay finite; the discriminator tells
 * real from fake (over the last 50 steps mean D(x) exceeds mean D(G(z)) by 0.05) without being
 * perfect (accuracy below 0.995); and the generator learned the colours: its fixed-noise grid is
 * an RGB PNG that is blue where the untrained generator is grey (mean blue - mean red > 40 over
 * the images, where the data have about 130).
 * usage: test_colour CONFIG SCRATCH
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <stb_image.h>
#include <stb_image_write.h>

#include "clgan/clgan.h"
#include "testutil.h"


int main(int argc, char **argv)
{
    if (argc < 3) return fprintf(stderr, "usage: test_colour CONFIG SCRATCH\n"), 2;
    char dir[512], path[700], err[1024], set[800];
    mkdir(argv[2], 0755);
    snprintf(dir, sizeof dir, "%s/images", argv[2]);
    mkdir(dir, 0755);
    unsigned s = 12345;
    for (int i = 0; i < 256; i++) {
        unsigned char img[16 * 16 * 3];
        int x0 = (int)((s = s * 1103515245u + 12345u) >> 16) % 10, y0 = (int)((s = s * 1103515245u + 12345u) >> 16) % 10;
        for (int y = 0; y < 16; y++)
            for (int x = 0; x < 16; x++) {
                int in = x >= x0 && x < x0 + 6 && y >= y0 && y < y0 + 6;
                int noise = (int)(((s = s * 1103515245u + 12345u) >> 16) % 21) - 10;
                unsigned char *p = img + 3 * (y * 16 + x);
                p[0] = (unsigned char)(in ? 220 + noise : 20 + (noise > 0 ? noise : 0));
                p[1] = (unsigned char)(40 + (noise > 0 ? noise : 0));
                p[2] = (unsigned char)(in ? 30 : 200 + noise);
            }
        snprintf(path, sizeof path, "%s/img_%03d.png", dir, i);
        stbi_write_png(path, 16, 16, 3, img, 48);
    }
    clg_config *cfg;
    if (clg_config_load(&cfg, argv[1], err, sizeof err) != CLG_OK) return fprintf(stderr, "%s\n", err), 1;
    snprintf(set, sizeof set, "data.path=%s", dir);
    clg_config_set(cfg, set, err, sizeof err);
    clg_config_set(cfg, "train.max_steps=200", err, sizeof err);
    clg_ctx *ctx;
    if (test_ctx_create(&ctx) != CLG_OK) return fprintf(stderr, "%s\n", clg_last_error(ctx)), 1;
    clg_trainer *tr;
    char out[600];
    snprintf(out, sizeof out, "%s/run", argv[2]);
    int st = clg_trainer_create(&tr, ctx, cfg, out, NULL);
    if (st == CLG_OK) st = clg_trainer_run(tr, NULL, NULL);
    CHECK(st == CLG_OK, "training: %s", clg_last_error(ctx));
    clg_trainer_free(tr);

    snprintf(path, sizeof path, "%s/metrics.csv", out);
    FILE *f = fopen(path, "r");
    char line[512];
    int rows = 0, finite = 1;
    double acc = 0, gap = 0;
    if (f && fgets(line, sizeof line, f))
        while (fgets(line, sizeof line, f)) {
            double v[6];
            long step;
            int ep;
            if (sscanf(line, "%ld,%d,%lf,%lf,%lf,%lf,%lf,%lf", &step, &ep, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 8)
                continue;
            if (!isfinite(v[0]) || !isfinite(v[1])) finite = 0;
            if (step > 150) acc += (v[4] + v[5]) / 2 / 50, gap += (v[2] - v[3]) / 50;
            rows++;
        }
    if (f) fclose(f);
    CHECK(rows == 200 && finite, "%d rows, finite %d", rows, finite);
    CHECK(gap > 0.05 && acc < 0.995, "last 50 steps: D(x) - D(G(z)) = %.3f, D accuracy %.3f", gap, acc);
    printf("colour: last 50 steps: D(x) - D(G(z)) = %.3f, D accuracy %.3f\n", gap, acc);

    snprintf(path, sizeof path, "%s/samples/epoch_025.png", out); /* 200 steps = 25 epochs of 8 */
    int w, h, c;
    unsigned char *g = stbi_load(path, &w, &h, &c, 0);
    CHECK(g && c == 3, "%s: an RGB grid (%d channels)", path, g ? c : 0);
    if (g) {
        double blue = 0;
        int n = 0;
        for (int y = 0; y < h; y++) /* skip the 2-pixel borders between tiles */
            for (int x = 0; x < w; x++)
                if (x % 18 >= 2 && y % 18 >= 2) blue += g[3 * (y * w + x) + 2] - g[3 * (y * w + x)], n++;
        CHECK(blue / n > 40, "the grid is not blue enough: mean B - R = %.1f", blue / n);
        printf("colour: grid mean B - R = %.1f\n", blue / n);
        stbi_image_free(g);
    }
    clg_ctx_free(ctx);
    clg_config_free(cfg);
    return test_summary("colour");
}
