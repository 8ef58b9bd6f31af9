/* test_image_decode.c — clg_image_decode on crafted bytes: headers announcing huge images, 16-bit
 * PNM, truncated PNG/JPEG/BMP/PNM, a JPEG whose Huffman table indexes past stb's tables
 * (tests/fixtures/bad_huffman.jpg), GIF, bad arguments, then a few thousand seeded mutations
 * of valid files of every format (run this under -fsanitize=address,undefined to see them clean).
 * usage: test_image_decode FIXTURES_DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <stb_image_write.h>
#include <zlib.h>

#include "clgan/clgan.h"
#include "data/folder.h"
#include "testutil.h"

typedef struct membuf {
    unsigned char *p;
    size_t n;
} membuf;

static void mem_write(void *ctx, void *data, int size)
{
    membuf *m = ctx;
    m->p = realloc(m->p, m->n + (size_t)size);
    memcpy(m->p + m->n, data, (size_t)size);
    m->n += (size_t)size;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

/* Leave `v` in the stack below this call and in freed heap blocks of many sizes, where a decoder
 * that reads memory it never wrote would find it. */
static void dirty_memory(uint8_t v)
{
    volatile uint8_t junk[1 << 16];
    for (size_t i = 0; i < sizeof junk; i++) junk[i] = v;
    for (size_t n = 16; n <= (1u << 16); n *= 2) {
        void *p = malloc(n);
        if (p) memset(p, v, n), free(p);
    }
}

static clg_err rec;                   /* the decoder's message */
static const char *const why = rec.msg;
static uint8_t out[3 * 64 * 64];

static int dec(const void *b, size_t n, int c, int h, int w)
{
    return clg_image_decode(out, b, n, c, h, w, 255, &rec);
}

/* A PNG of the given IHDR (8-bit RGB) and one IDAT of `idat` bytes of zlib data for `raw`
 * uncompressed bytes, with correct CRCs. */
static size_t make_png(unsigned char *p, uint32_t w, uint32_t h, size_t raw)
{
    size_t n = 0;
    memcpy(p, "\x89PNG\r\n\x1a\n", 8);
    n = 8;
    unsigned char ihdr[13] = {w >> 24, w >> 16, w >> 8, w, h >> 24, h >> 16, h >> 8, h, 8, 2, 0, 0, 0};
    unsigned char *rawb = calloc(raw ? raw : 1, 1);
    uLongf zl = compressBound(raw) + 16;
    unsigned char *z = malloc(zl);
    compress(z, &zl, rawb, raw);
    struct {
        const char *type;
        const unsigned char *d;
        uint32_t len;
    } ch[3] = {{"IHDR", ihdr, 13}, {"IDAT", z, (uint32_t)zl}, {"IEND", NULL, 0}};
    for (int i = 0; i < 3; i++) {
        unsigned char *c = p + n;
        c[0] = ch[i].len >> 24, c[1] = ch[i].len >> 16, c[2] = ch[i].len >> 8, c[3] = ch[i].len;
        memcpy(c + 4, ch[i].type, 4);
        if (ch[i].len) memcpy(c + 8, ch[i].d, ch[i].len);
        uint32_t crc = (uint32_t)crc32(0, c + 4, 4 + ch[i].len);
        c += 8 + ch[i].len;
        c[0] = crc >> 24, c[1] = crc >> 16, c[2] = crc >> 8, c[3] = crc;
        n += 12 + ch[i].len;
    }
    free(rawb);
    free(z);
    return n;
}

/* a fixture file's bytes (test_slurp), its length in *len */
static unsigned char *slurp(size_t *len, const char *path)
{
    long n = 0;
    unsigned char *b = (unsigned char *)test_slurp(path, &n);
    *len = b ? (size_t)n : 0;
    return b;
}

int main(int argc, char **argv)
{
    if (argc < 2) return fprintf(stderr, "usage: test_image_decode FIXTURES_DIR\n"), 2;
    char path[1024];
    unsigned char buf[4096];

    /* A PPM announcing 1 x 16777215 pixels in 14 bytes: refused from its header, at once (stb
     * decoded it, zero-filled, and resized it for 26 s). */
    double t0 = now();
    CHECK(dec("P6 1 16777215\n", 14, 3, 64, 64) == CLG_ERR_FORMAT && strstr(why, "PNM"), "huge PPM: %s", why);
    CHECK(dec("P5 16384 16384 255\n", 19, 1, 8, 8) == CLG_ERR_FORMAT && strstr(why, "outside"), "huge PGM: %s", why);
    CHECK(now() - t0 < 0.5, "huge headers took %.2f s", now() - t0);
    /* within the bounds but the pixels are missing: refused, not zero-filled */
    CHECK(dec("P5 1000 1000 255\nabc", 21, 1, 8, 8) == CLG_ERR_FORMAT && strstr(why, "truncated"), "short PGM: %s",
          why);

    /* 16-bit PGM, maxval 1000 (big-endian samples): 1000 is white, 500 mid grey. stb took the
     * high byte (1000 -> 3) and read past its buffer converting 16 bits to 8. */
    int n = snprintf((char *)buf, sizeof buf, "P5\n# comment\n2 1\n1000\n");
    buf[n] = 1000 >> 8, buf[n + 1] = 1000 & 255, buf[n + 2] = 500 >> 8, buf[n + 3] = 500 & 255;
    CHECK(dec(buf, (size_t)n + 4, 1, 1, 2) == CLG_OK && out[0] == 255 && out[1] == 128,
          "16-bit PGM: %s -> %d %d", why, out[0], out[1]);
    CHECK(dec(buf, (size_t)n + 3, 1, 1, 2) == CLG_ERR_FORMAT, "16-bit PGM one byte short: %s", why);
    /* 16-bit PPM at maxval 65535, 3 channels */
    n = snprintf((char *)buf, sizeof buf, "P6 1 1 65535\n");
    memcpy(buf + n, "\xff\xff\x00\x00\x80\x00", 6);
    CHECK(dec(buf, (size_t)n + 6, 3, 1, 1) == CLG_OK && out[0] == 255 && out[1] == 0 && out[2] == 128,
          "16-bit PPM: %s -> %d %d %d", why, out[0], out[1], out[2]);

    /* The most extreme shape within the bounds resizes fine. */
    unsigned char *tall = malloc(20 + 16384);
    n = snprintf((char *)tall, 20, "P5 1 16384 255\n");
    memset(tall + n, 200, 16384);
    CHECK(dec(tall, (size_t)n + 16384, 3, 64, 64) == CLG_OK && out[0] == 200 && out[3 * 64 * 64 - 1] == 200,
          "1x16384 PGM: %s", why);
    free(tall);

    /* PNG: a header announcing 100000 x 100000 is refused before any allocation; a valid IHDR
     * whose IDAT holds too few rows is an error, not a partly black image. */
    size_t pn = make_png(buf, 100000, 100000, 100);
    t0 = now();
    CHECK(dec(buf, pn, 3, 8, 8) == CLG_ERR_FORMAT && strstr(why, "PNG") && strstr(why, "outside"), "huge PNG: %s",
          why);
    CHECK(now() - t0 < 0.5, "huge PNG took %.2f s", now() - t0);
    pn = make_png(buf, 4, 4, 2 * (1 + 12)); /* 2 of 4 rows */
    CHECK(dec(buf, pn, 3, 8, 8) == CLG_ERR_FORMAT && strstr(why, "PNG"), "PNG short of rows: %s", why);
    pn = make_png(buf, 4, 4, 4 * (1 + 12));
    CHECK(dec(buf, pn, 3, 4, 4) == CLG_OK && out[0] == 0, "hand-made PNG: %s", why);
    buf[40] ^= 1; /* damage the IDAT: CRC mismatch */
    CHECK(dec(buf, pn, 3, 4, 4) == CLG_ERR_FORMAT, "PNG with a bad CRC: %s", why);

    /* JPEG: decoded by libjpeg-turbo; the crafted Huffman table is an error in its words. */
    snprintf(path, sizeof path, "%s/bad_huffman.jpg", argv[1]);
    size_t jl = 0;
    unsigned char *bad = slurp(&jl, path);
    CHECK(bad && jl > 100, "cannot read %s", path);
    if (bad) CHECK(dec(bad, jl, 3, 8, 8) == CLG_ERR_FORMAT && !strncmp(why, "JPEG: ", 6), "bad Huffman: %s", why);
    free(bad);
    unsigned char px[32 * 24 * 3];
    for (int i = 0; i < (int)sizeof px; i++) px[i] = (unsigned char)(i * 7);
    membuf jpg = {0}, bmp = {0}, tga = {0}, tgarle = {0}, png = {0};
    stbi_write_jpg_to_func(mem_write, &jpg, 32, 24, 3, px, 90);
    CHECK(dec(jpg.p, jpg.n, 3, 24, 32) == CLG_OK, "valid JPEG: %s", why);
    CHECK(dec(jpg.p, jpg.n / 2, 3, 24, 32) == CLG_ERR_FORMAT && !strncmp(why, "JPEG: ", 6), "half a JPEG: %s", why);

    /* BMP and TGA through stb, bounded: a BMP header announcing 10000 x 10000 in 60 bytes. */
    stbi_write_bmp_to_func(mem_write, &bmp, 32, 24, 3, px);
    CHECK(dec(bmp.p, bmp.n, 3, 24, 32) == CLG_OK && out[0] == px[0] && out[1] == px[3], "valid BMP: %s", why);
    /* The same pixels top-down: a negative height in the header and the rows stored first to last. */
    {
        uint32_t off;
        memcpy(&off, bmp.p + 10, 4);
        size_t row = 32 * 3; /* a multiple of 4: no padding */
        CHECK(off + 24 * row == bmp.n, "BMP layout: offset %u, %zu bytes", off, bmp.n);
        unsigned char *td = malloc(bmp.n);
        uint8_t bottom_up[sizeof out];
        memcpy(bottom_up, out, sizeof out);
        memcpy(td, bmp.p, off);
        int32_t neg = -24;
        memcpy(td + 22, &neg, 4);
        for (int r = 0; r < 24; r++) memcpy(td + off + r * row, (unsigned char *)bmp.p + off + (23 - r) * row, row);
        memset(out, 0, sizeof out);
        CHECK(dec(td, bmp.n, 3, 24, 32) == CLG_OK && !memcmp(out, bottom_up, 3 * 24 * 32), "top-down BMP: %s", why);
        free(td);
    }
    memcpy(buf, bmp.p, 60);
    uint32_t big = 10000;
    memcpy(buf + 18, &big, 4), memcpy(buf + 22, &big, 4); /* little-endian width, height */
    CHECK(dec(buf, 60, 3, 8, 8) == CLG_ERR_FORMAT && strstr(why, "BMP"), "BMP of 10000x10000 in 60 bytes: %s", why);
    big = 20000;
    memcpy(buf + 18, &big, 4);
    CHECK(dec(buf, 60, 3, 8, 8) == CLG_ERR_FORMAT, "BMP wider than the bound: %s", why);
    stbi_write_tga_with_rle = 0;
    stbi_write_tga_to_func(mem_write, &tga, 32, 24, 3, px);
    stbi_write_tga_with_rle = 1;
    stbi_write_tga_to_func(mem_write, &tgarle, 32, 24, 3, px);
    CHECK(dec(tga.p, tga.n, 3, 24, 32) == CLG_OK && out[0] == px[0], "valid TGA: %s", why);
    CHECK(dec(tgarle.p, tgarle.n, 3, 24, 32) == CLG_OK && out[0] == px[0], "valid RLE TGA: %s", why);

    /* A BMP whose 2-entry palette 8-bit indices overrun decodes the overrun as black; one whose
     * pixel offset lies inside its header (stb then reads no palette at all) is refused. */
    {
        unsigned char sp[68] = {'B', 'M', 68, 0, 0, 0, 0, 0, 0, 0, 62, 0, 0, 0, 40, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 1, 0,
                                8, 0};
        const unsigned char pal[8] = {0, 0, 255, 0, 0, 255, 0, 0}; /* BGRx: red, green */
        memcpy(sp + 54, pal, 8);
        sp[62] = 1, sp[63] = 200; /* green, then an index past the palette */
        CHECK(dec(sp, sizeof sp, 3, 1, 2) == CLG_OK && out[0] == 0 && out[2] == 255 && out[4] == 0 && out[1] == 0 &&
                  out[3] == 0 && out[5] == 0,
              "short-palette BMP: %s (%d %d %d / %d %d %d)", why, out[0], out[2], out[4], out[1], out[3], out[5]);
        sp[10] = 51, sp[14] = 56; /* offset 51 inside a 56-byte header */
        CHECK(dec(sp, sizeof sp, 3, 1, 2) == CLG_ERR_FORMAT, "BMP pixel offset inside the header: %s", why);
        CHECK(dec(sp, 29, 3, 1, 2) == CLG_ERR_FORMAT, "the same cut inside its bpp field: %s", why);
    }

    /* Crafted files whose pixels stb leaves to whatever memory held: a BMP whose pixel offset lies in
     * its header (stb reads no palette: an uninitialised stack array) and a TGA cut
     * short (stb's pixel buffer was not zeroed). Decoded after filling the stack and the heap with
     * two different bytes, the output must be the same. */
    static const char *const unstable[] = {"bmp_offset_in_header.bmp", "tga_cut.tga"};
    for (int f = 0; f < 2; f++) {
        snprintf(path, sizeof path, "%s/%s", argv[1], unstable[f]);
        size_t ul = 0;
        unsigned char *u = slurp(&ul, path);
        CHECK(u != NULL, "cannot read %s", path);
        if (!u) continue;
        static uint8_t first[sizeof out];
        int st[2];
        for (int round = 0; round < 2; round++) {
            dirty_memory(round ? 0x5a : 0xa5);
            memset(out, round ? 0x11 : 0xee, sizeof out);
            st[round] = dec(u, ul, 3, 21, 38);
            if (!round) memcpy(first, out, sizeof out);
        }
        CHECK(st[0] == st[1] && (st[0] != CLG_OK || !memcmp(first, out, 3 * 21 * 38)),
              "%s: decoded differently after other memory contents (%d, %d)", unstable[f], st[0], st[1]);
        free(u);
    }
    stbi_write_png_to_func(mem_write, &png, 32, 24, 3, px, 96);
    CHECK(dec(png.p, png.n, 3, 24, 32) == CLG_OK && out[0] == px[0] && out[32 * 24] == px[1], "valid PNG: %s", why);

    /* GIF and other formats stb would try are refused. */
    CHECK(dec("GIF89a\x01\x00\x01\x00\x00\x00\x00", 13, 3, 8, 8) == CLG_ERR_FORMAT && strstr(why, "GIF"), "GIF: %s",
          why);
    CHECK(dec("8BPS\0\1\0\0\0\0\0\0\0\3", 14, 3, 8, 8) == CLG_ERR_FORMAT, "PSD: %s", why);
    CHECK(dec("#?RADIANCE\n", 11, 3, 8, 8) == CLG_ERR_FORMAT, "HDR: %s", why);
    CHECK(dec("hello", 5, 3, 8, 8) == CLG_ERR_FORMAT && strstr(why, "too short"), "5 bytes: %s", why);

    /* bad arguments */
    CHECK(dec(png.p, png.n, 2, 8, 8) == CLG_ERR_ARG, "2 channels");
    CHECK(dec(png.p, png.n, 3, 0, 8) == CLG_ERR_ARG, "height 0");
    CHECK(dec(png.p, png.n, 3, 8, CLG_IMAGE_MAX_SIDE + 1) == CLG_ERR_ARG, "width over the bound");
    CHECK(clg_image_decode(out, png.p, png.n, 3, 8, 8, 256, &rec) == CLG_ERR_ARG, "background 256");
    CHECK(clg_image_decode(out, NULL, 10, 3, 8, 8, 0, NULL) == CLG_ERR_ARG, "NULL buffer");

    /* Seeded mutations of every valid file: flipped bytes, overwritten runs and cut tails. Every
     * call must return a status; under the sanitizers, without a report. */
    membuf *seeds[] = {&jpg, &bmp, &tga, &tgarle, &png};
    unsigned rng = 12345;
    int ok = 0, total = 0;
    t0 = now();
    for (int s = 0; s < 5; s++)
        for (int it = 0; it < 600; it++) {
            size_t len = seeds[s]->n;
            unsigned char *m = malloc(len);
            memcpy(m, seeds[s]->p, len);
            int flips = 1 + (int)((rng = rng * 1664525u + 1013904223u) >> 29);
            for (int k = 0; k < flips; k++) {
                rng = rng * 1664525u + 1013904223u;
                size_t at = (rng >> 8) % len;
                m[at] = (unsigned char)(rng & 0x80 ? rng >> 24 : (m[at] ^ (1u << (rng >> 28 & 7))));
            }
            rng = rng * 1664525u + 1013904223u;
            if (rng >> 31) len = (rng >> 8) % len;
            int st = dec(m, len, (it & 1) ? 3 : 1, 16, 16);
            ok += st == CLG_OK;
            total += st == CLG_OK || st == CLG_ERR_FORMAT;
            free(m);
        }
    CHECK(total == 3000, "every mutation gives CLG_OK or CLG_ERR_FORMAT (%d of 3000)", total);
    printf("mutations: %d of 3000 still decode, %.2f s\n", ok, now() - t0);
    for (int s = 0; s < 5; s++) free(seeds[s]->p);
    return test_summary("image_decode");
}
