/* test_folder.c — the image-folder data set: PNG, JPEG and BMP files written by the test itself
 * (grey and colour, odd sizes, with alpha, in a sub-folder), a corrupt file among them, an empty
 * folder, a folder of only unreadable files, a folder of crafted images that must be skipped
 * (huge headers, 16-bit PNM, GIF), a symbolic link looping back to its folder, and a missing
 * folder.
 * usage: test_folder SCRATCH
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <stb_image_write.h>

#include "clgan/clgan.h"
#include "testutil.h"
#include "data/folder.h"


static void write_file(const char *path, const char *bytes, size_t n)
{
    FILE *f = fopen(path, "wb");
    fwrite(bytes, 1, n, f);
    fclose(f);
}

int main(int argc, char **argv)
{
    if (argc < 2) return fprintf(stderr, "usage: test_folder SCRATCH\n"), 2;
    char dir[512], sub[600], path[700];
    clg_err err = {0};
    snprintf(dir, sizeof dir, "%s", argv[1]);
    mkdir(dir, 0755);
    snprintf(sub, sizeof sub, "%s/imgs", dir);
    mkdir(sub, 0755);
    snprintf(path, sizeof path, "%s/imgs/deeper", dir);
    mkdir(path, 0755);

    /* a: 5x3 RGB PNG, pure red; b: 7x9 grey JPEG, mid grey; c: 4x4 RGBA PNG, fully transparent;
     * d: 6x6 BMP, blue; e: a corrupt PNG; f: a text file */
    unsigned char red[5 * 3 * 3], grey[7 * 9], clear[4 * 4 * 4], blue[6 * 6 * 3];
    for (int i = 0; i < 15; i++) red[3 * i] = 255, red[3 * i + 1] = 0, red[3 * i + 2] = 0;
    memset(grey, 128, sizeof grey);
    memset(clear, 0, sizeof clear);
    for (int i = 0; i < 36; i++) blue[3 * i] = 0, blue[3 * i + 1] = 0, blue[3 * i + 2] = 255;
    snprintf(path, sizeof path, "%s/a.png", sub);
    CHECK(stbi_write_png(path, 5, 3, 3, red, 15), "write a.png");
    snprintf(path, sizeof path, "%s/b.jpg", sub);
    CHECK(stbi_write_jpg(path, 7, 9, 1, grey, 95), "write b.jpg");
    snprintf(path, sizeof path, "%s/deeper/c.png", sub);
    CHECK(stbi_write_png(path, 4, 4, 4, clear, 16), "write c.png");
    snprintf(path, sizeof path, "%s/d.bmp", sub);
    CHECK(stbi_write_bmp(path, 6, 6, 3, blue), "write d.bmp");
    snprintf(path, sizeof path, "%s/e.png", sub);
    write_file(path, "\x89PNG\r\n\x1a\nthis is not the rest of a png", 37);
    snprintf(path, sizeof path, "%s/f.txt", sub);
    write_file(path, "hello", 5);

    clg_folder f;
    int st = clg_folder_load(&f, sub, 3, 8, 8, 255, 0, &err);
    CHECK(st == CLG_OK, "load: %s", err.msg);
    if (st == CLG_OK) {
        CHECK(f.n == 4 && f.skipped == 2, "4 images, 2 skipped; got %d, %d", f.n, f.skipped);
        CHECK(strstr(f.first_skipped, "e.png") != NULL, "first skipped: %s", f.first_skipped);
        CHECK(f.c == 3 && f.h == 8 && f.w == 8, "shape %dx%dx%d", f.c, f.h, f.w);
        /* sorted order: a.png, b.jpg, d.bmp, deeper/c.png */
        const unsigned char *a = f.data, *b = f.data + 192, *d = f.data + 384, *c = f.data + 576;
        int ok = 1;
        for (int i = 0; i < 64; i++) {
            ok &= a[i] == 255 && a[64 + i] == 0 && a[128 + i] == 0;          /* red, CHW */
            ok &= abs(b[i] - 128) <= 2 && abs(b[128 + i] - 128) <= 2;         /* grey replicated */
            ok &= d[i] == 0 && d[64 + i] == 0 && d[128 + i] == 255;          /* blue */
            ok &= c[i] == 255 && c[64 + i] == 255 && c[128 + i] == 255;      /* transparent -> bg */
        }
        CHECK(ok, "pixel values after resize, channel conversion and alpha compositing");
        clg_folder_free(&f);
    }
    st = clg_folder_load(&f, sub, 1, 5, 3, 0, 2, &err);
    CHECK(st == CLG_OK && f.n == 2 && f.c == 1, "grey, limit 2: %s", err.msg);
    if (st == CLG_OK) {
        CHECK(abs(f.data[0] - 76) <= 1, "red as grey = 0.299*255 = 76, got %d", f.data[0]);
        clg_folder_free(&f);
    }

    snprintf(path, sizeof path, "%s/empty", dir);
    mkdir(path, 0755);
    st = clg_folder_load(&f, path, 3, 8, 8, 255, 0, &err);
    CHECK(st == CLG_ERR_FORMAT && strstr(err.msg, path) && strstr(err.msg, "no files"), "empty folder: %s", err.msg);

    snprintf(path, sizeof path, "%s/junk", dir);
    mkdir(path, 0755);
    snprintf(sub, sizeof sub, "%s/junk/x.png", dir);
    write_file(sub, "not an image", 12);
    st = clg_folder_load(&f, path, 3, 8, 8, 255, 0, &err);
    CHECK(st == CLG_ERR_FORMAT && strstr(err.msg, "none of its 1 files is a readable image"), "unreadable only: %s", err.msg);

    /* Crafted files are skipped and counted, never fatal and never slow: an 18-byte PPM announcing
     * 1 x 16777215 pixels (stb zero-filled and resized it for 26 s), a PGM of 16-bit samples at
     * maxval 1000 (read as 8 bits by stb: 1000 -> 3; decoded here to white), a GIF (stb's GIF
     * decoder is not safe on crafted files) and a BMP claiming 10000 x 10000 in 60 bytes. */
    snprintf(path, sizeof path, "%s/crafted", dir);
    mkdir(path, 0755);
    snprintf(sub, sizeof sub, "%s/crafted/a_huge.ppm", dir);
    write_file(sub, "P6 1 16777215 255\n", 18);
    snprintf(sub, sizeof sub, "%s/crafted/b_wide.pgm", dir);
    write_file(sub, "P5 1 1 1000\n\x03\xe8", 14);
    snprintf(sub, sizeof sub, "%s/crafted/c.gif", dir);
    write_file(sub, "GIF89a\x01\x00\x01\x00\x00\x00\x00;", 14);
    snprintf(sub, sizeof sub, "%s/crafted/d.bmp", dir);
    CHECK(stbi_write_bmp(sub, 6, 6, 3, blue), "write d.bmp");
    FILE *bf = fopen(sub, "r+b");
    unsigned char bmphdr[60];
    CHECK(bf && fread(bmphdr, 1, 60, bf) == 60, "read d.bmp");
    bmphdr[18] = 0x10, bmphdr[19] = 0x27, bmphdr[22] = 0x10, bmphdr[23] = 0x27; /* 10000 x 10000 */
    rewind(bf);
    fwrite(bmphdr, 1, 60, bf);
    fclose(bf);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    st = clg_folder_load(&f, path, 1, 4, 4, 0, 0, &err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9;
    CHECK(st == CLG_OK && f.n == 1 && f.skipped == 3, "crafted: 1 image, 3 skipped; got %s, %d, %d (%s)",
          clg_status_str(st), f.n, f.skipped, err.msg);
    CHECK(secs < 1.0, "crafted folder took %.1f s", secs);
    if (st == CLG_OK) {
        CHECK(f.data[0] == 255 && f.data[15] == 255, "16-bit PGM at maxval 1000 is white, got %d", f.data[0]);
        CHECK(strstr(f.first_skipped, "a_huge.ppm") && strstr(f.first_skipped, "outside"), "first skipped: %s",
              f.first_skipped);
        clg_folder_free(&f);
    }

    /* A symbolic link back to its own folder: each image is read once. */
    snprintf(path, sizeof path, "%s/loop", dir);
    mkdir(path, 0755);
    snprintf(sub, sizeof sub, "%s/loop/a.png", dir);
    CHECK(stbi_write_png(sub, 5, 3, 3, red, 15), "write loop/a.png");
    snprintf(sub, sizeof sub, "%s/loop/again", dir);
    unlink(sub);
    CHECK(symlink(".", sub) == 0, "symlink %s", sub);
    st = clg_folder_load(&f, path, 3, 4, 4, 0, 0, &err);
    CHECK(st == CLG_OK && f.n == 1 && f.skipped == 0, "loop: 1 image; got %d, %d (%s)", f.n, f.skipped, err.msg);
    if (st == CLG_OK) clg_folder_free(&f);

    /* A link to a file that is gone is skipped and counted, not silently dropped. */
    snprintf(sub, sizeof sub, "%s/loop/gone.png", dir);
    unlink(sub);
    CHECK(symlink("/nonexistent/gone.png", sub) == 0, "symlink %s", sub);
    st = clg_folder_load(&f, path, 3, 4, 4, 0, 0, &err);
    CHECK(st == CLG_OK && f.n == 1 && f.skipped == 1 && strstr(f.first_skipped, "gone.png"),
          "dangling link: 1 image, 1 skipped; got %d, %d (%s)", f.n, f.skipped, st == CLG_OK ? f.first_skipped : err.msg);
    if (st == CLG_OK) clg_folder_free(&f);
    unlink(sub);

    /* out-of-range arguments are refused, not decoded into */
    st = clg_folder_load(&f, path, 3, 8, 8, 256, 0, &err);
    CHECK(st == CLG_ERR_ARG && strstr(err.msg, "background"), "background 256: %s", err.msg);

    st = clg_folder_load(&f, "/nonexistent/folder", 3, 8, 8, 255, 0, &err);
    CHECK(st == CLG_ERR_IO && strstr(err.msg, "/nonexistent/folder"), "missing folder: %s", err.msg);

    return test_summary("folder");
}
