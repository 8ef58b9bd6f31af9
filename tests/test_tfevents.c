/* test_tfevents.c — the TensorBoard event writer (src/io/tfevents.c): CRC-32C known answers
 * (RFC 3720's vectors and "123456789"), then scalars and a PNG written into DIR/tb and the file
 * read back here: TFRecord framing, both masked CRCs of every record, and each Event decoded
 * field by field (version record, wall time, step, tag, value, image size and bytes). The file
 * holds only whole records after every call, before it is closed. Bad calls write nothing.
 * Leaves DIR/tb/events.out.tfevents.* and DIR/expected.png for tests/tfevents_read.sh, which
 * reads them with TensorBoard's own reader.
 * Usage: test_tfevents DIR
 */
#include <dirent.h>
#include <png.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/tfevents.h"
#include "testutil.h"

static clg_err err;

#define CHECK_ST(expr) CHECK_E(&err, expr)

/* bit by bit, the definition the table must reproduce */
static uint32_t crc_bitwise(const unsigned char *p, size_t n)
{
    uint32_t c = ~0u;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++) c = c & 1 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    }
    return ~c;
}

static void test_crc(void)
{
    unsigned char z[32] = {0}, f[32], r[1000];
    memset(f, 0xff, sizeof f);
    uint32_t c = clg_crc32c(0, "123456789", 9);
    CHECK(c == 0xE3069283u, "crc32c(\"123456789\") = %08x, expected e3069283", c);
    CHECK(clg_crc32c(0, z, 32) == 0x8A9136AAu, "crc32c(32 zeros) = %08x", clg_crc32c(0, z, 32));
    CHECK(clg_crc32c(0, f, 32) == 0x62A8AB43u, "crc32c(32 x ff) = %08x", clg_crc32c(0, f, 32));
    CHECK(clg_crc32c(clg_crc32c(0, "1234", 4), "56789", 5) == 0xE3069283u, "crc32c in two parts differs");
    unsigned s = 5;
    for (size_t i = 0; i < sizeof r; i++) r[i] = (unsigned char)(test_rand(&s) * 128 + 128);
    CHECK(clg_crc32c(0, r, sizeof r) == crc_bitwise(r, sizeof r), "table and bitwise CRC differ");
    /* the mask of 0xE3069283: rotate right by 15, add 0xa282ead8 */
    uint32_t m = ((0xE3069283u >> 15) | (0xE3069283u << 17)) + 0xa282ead8u;
    CHECK(clg_crc32c_masked("123456789", 9) == m, "masked crc %08x, expected %08x", clg_crc32c_masked("123456789", 9), m);
}

/* ---- reading the file back ---- */

typedef struct field {
    int num, wire;
    uint64_t v;               /* varint, fixed32 or fixed64 */
    const unsigned char *p; /* length-delimited */
    size_t n;
} field;

static uint64_t le(const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++) v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static int varint(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
    *v = 0;
    for (int s = 0; s < 64 && *p < end; s += 7) {
        unsigned char b = *(*p)++;
        *v |= (uint64_t)(b & 0x7f) << s;
        if (!(b & 0x80)) return 1;
    }
    return 0;
}

/* the next field of a message; 0 at its end or on malformed input (then *bad is set) */
static int next(field *f, const unsigned char **p, const unsigned char *end, int *bad)
{
    uint64_t key;
    if (*p >= end) return 0;
    if (!varint(p, end, &key)) return *bad = 1, 0;
    f->num = (int)(key >> 3), f->wire = (int)(key & 7);
    if (f->wire == 0) return varint(p, end, &f->v) ? 1 : (*bad = 1, 0);
    int w = f->wire == 1 ? 8 : f->wire == 5 ? 4 : 0;
    if (w) {
        if (end - *p < w) return *bad = 1, 0;
        f->v = le(*p, w), *p += w;
        return 1;
    }
    if (f->wire != 2 || !varint(p, end, &f->v) || (uint64_t)(end - *p) < f->v) return *bad = 1, 0;
    f->p = *p, f->n = (size_t)f->v, *p += f->n;
    return 1;
}

/* what one Event holds */
typedef struct event {
    double wall;
    int64_t step;
    char version[32], tag[64];
    int has_value, has_image;
    float value;
    int64_t h, w, cs;
    const unsigned char *png;
    size_t png_n;
} event;

static int decode(event *ev, const unsigned char *p, size_t n)
{
    memset(ev, 0, sizeof *ev);
    const unsigned char *end = p + n;
    field f = {0}, g = {0}, h = {0}, i = {0};
    int bad = 0;
    while (next(&f, &p, end, &bad)) {
        if (f.num == 1 && f.wire == 1) memcpy(&ev->wall, &f.v, 8);
        else if (f.num == 2 && f.wire == 0) ev->step = (int64_t)f.v;
        else if (f.num == 3 && f.wire == 2) snprintf(ev->version, sizeof ev->version, "%.*s", (int)f.n, f.p);
        else if (f.num == 5 && f.wire == 2) {
            const unsigned char *q = f.p, *qe = f.p + f.n;
            while (next(&g, &q, qe, &bad)) { /* Summary.value */
                const unsigned char *r = g.p, *re = g.p + g.n;
                while (g.num == 1 && next(&h, &r, re, &bad)) {
                    if (h.num == 1 && h.wire == 2) snprintf(ev->tag, sizeof ev->tag, "%.*s", (int)h.n, h.p);
                    else if (h.num == 2 && h.wire == 5) {
                        uint32_t u = (uint32_t)h.v;
                        memcpy(&ev->value, &u, 4);
                        ev->has_value = 1;
                    } else if (h.num == 4 && h.wire == 2) {
                        ev->has_image = 1;
                        const unsigned char *s = h.p, *se = h.p + h.n;
                        while (next(&i, &s, se, &bad)) {
                            if (i.num == 1) ev->h = (int64_t)i.v;
                            if (i.num == 2) ev->w = (int64_t)i.v;
                            if (i.num == 3) ev->cs = (int64_t)i.v;
                            if (i.num == 4) ev->png = i.p, ev->png_n = i.n;
                        }
                    }
                }
            }
        }
    }
    return !bad;
}

/* Reads every record of the file; returns the number of whole, CRC-correct records (-1 on any
 * framing or CRC error, or a cut record at the end). Keeps the file's bytes in *data. */
static int read_records(const char *path, unsigned char **data, size_t *size, size_t *off, int max)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) return -1;
    fseek(fp, 0, SEEK_END);
    *size = (size_t)ftell(fp);
    rewind(fp);
    *data = malloc(*size + 1);
    size_t got = fread(*data, 1, *size, fp);
    fclose(fp);
    if (got != *size) return -1;
    size_t pos = 0;
    int n = 0;
    while (pos < *size) {
        if (*size - pos < 12 || n >= max) return -1;
        uint64_t len = le(*data + pos, 8);
        if ((uint32_t)le(*data + pos + 8, 4) != clg_crc32c_masked(*data + pos, 8)) return -1;
        if (*size - pos - 12 < len + 4) return -1;
        if ((uint32_t)le(*data + pos + 12 + len, 4) != clg_crc32c_masked(*data + pos + 12, len)) return -1;
        off[n++] = pos + 12;
        pos += 16 + len;
    }
    return n;
}

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* whole records only, right now (the writer still open) */
static int whole(const char *path)
{
    unsigned char *d = NULL;
    size_t size, off[64];
    int n = read_records(path, &d, &size, off, 64);
    free(d);
    return n;
}

/* a 5 × 7 RGB gradient as a PNG in memory (libpng's simplified API) */
static unsigned char *make_png(size_t *n)
{
    unsigned char px[5 * 7 * 3];
    for (int i = 0; i < 5 * 7 * 3; i++) px[i] = (unsigned char)(i * 7);
    png_image im;
    memset(&im, 0, sizeof im);
    im.version = PNG_IMAGE_VERSION, im.width = 7, im.height = 5, im.format = PNG_FORMAT_RGB;
    png_alloc_size_t size = 0;
    if (!png_image_write_to_memory(&im, NULL, &size, 0, px, 0, NULL)) return NULL;
    unsigned char *buf = malloc(size);
    if (!png_image_write_to_memory(&im, buf, &size, 0, px, 0, NULL)) return free(buf), NULL;
    *n = size;
    return buf;
}

/* leave DIR/tb empty of earlier event files and absent, so that open must create it */
static void clear(const char *tb)
{
    DIR *d = opendir(tb);
    if (!d) return;
    struct dirent *de;
    char p[8192];
    while ((de = readdir(d)))
        if (!strncmp(de->d_name, "events.out.tfevents.", 20)) snprintf(p, sizeof p, "%s/%s", tb, de->d_name), remove(p);
    closedir(d);
    rmdir(tb);
}

int main(int argc, char **argv)
{
    if (argc < 2) return fprintf(stderr, "usage: test_tfevents DIR\n"), 2;
    test_crc();
    char tb[4096], png_path[4096], bad[4200];
    mkdir(argv[1], 0777);
    snprintf(tb, sizeof tb, "%s/tb", argv[1]);
    snprintf(png_path, sizeof png_path, "%s/expected.png", argv[1]);
    clear(tb);

    snprintf(bad, sizeof bad, "%s/no-such-folder/tb", argv[1]);
    clg_tfevents *w = NULL;
    CHECK(clg_tfevents_open(&w, bad, &err) == CLG_ERR_IO && !w && strstr(err.msg, "no-such-folder"), "%s", err.msg);

    CHECK_ST(clg_tfevents_open(&w, tb, &err));
    if (!w) return test_summary("tfevents");
    const char *path = clg_tfevents_path(w);
    CHECK(strstr(path, "/tb/events.out.tfevents.") != NULL, "file name %s", path);
    CHECK(whole(path) == 1, "after open: %d whole records, expected the version record", whole(path));

    /* loss/d at steps 0..9, fd at 0 and 5; after each call the file holds whole records */
    int records = 1;
    for (int i = 0; i < 10; i++) {
        CHECK_ST(clg_tfevents_scalar(w, "loss/d", i, 0.25 * i - 1, &err));
        records++;
        if (i == 0 || i == 5) {
            CHECK_ST(clg_tfevents_scalar(w, "fd", i, i ? 42.25 : 123.5, &err));
            records++;
        }
        CHECK(whole(path) == records, "after step %d: %d whole records, expected %d", i, whole(path), records);
    }
    size_t png_n = 0;
    unsigned char *png = make_png(&png_n);
    CHECK(png != NULL, "libpng could not encode the test image");
    if (!png) return test_summary("tfevents");
    FILE *fp = fopen(png_path, "wb");
    CHECK(fp && fwrite(png, 1, png_n, fp) == png_n && fclose(fp) == 0, "cannot write %s", png_path);
    CHECK_ST(clg_tfevents_image(w, "samples", 3, png, png_n, 5, 7, 3, &err));
    records++;

    /* bad calls: a message, nothing written */
    long size = file_size(path);
    CHECK(clg_tfevents_image(w, "samples", 4, png, png_n, 7, 5, 3, &err) == CLG_ERR_ARG && strstr(err.msg, "5 × 7"),
          "swapped height and width: %s", err.msg);
    CHECK(clg_tfevents_image(w, "samples", 4, png + 1, png_n - 1, 5, 7, 3, &err) == CLG_ERR_ARG &&
              strstr(err.msg, "not a PNG"), "no signature: %s", err.msg);
    CHECK(clg_tfevents_image(w, "samples", 4, png, png_n, 5, 7, 5, &err) == CLG_ERR_ARG, "5 channels: %s", err.msg);
    CHECK(clg_tfevents_scalar(w, "", 4, 1, &err) == CLG_ERR_ARG && strstr(err.msg, "without a tag"), "%s", err.msg);
    CHECK(file_size(path) == size, "a refused call wrote %ld bytes", file_size(path) - size);
    CHECK_ST(clg_tfevents_flush(w, &err));
    char saved[4096];
    snprintf(saved, sizeof saved, "%s", path);
    path = saved;
    CHECK_ST(clg_tfevents_close(w, &err));

    /* the whole file, decoded */
    unsigned char *data = NULL;
    size_t fsize, off[64];
    int n = read_records(path, &data, &fsize, off, 64);
    CHECK(n == records, "%d records read, %d written", n, records);
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    int li = 0, fi = 0;
    for (int r = 0; r < n; r++) {
        event ev;
        size_t len = (size_t)le(data + off[r] - 12, 8);
        CHECK(decode(&ev, data + off[r], len), "record %d: malformed protocol buffer", r);
        CHECK(fabs(ev.wall - (double)now.tv_sec) < 600, "record %d: wall time %f, now %lld", r, ev.wall,
              (long long)now.tv_sec);
        if (r == 0) {
            CHECK(!strcmp(ev.version, "brain.Event:2") && !ev.has_value, "first record: version '%s'", ev.version);
        } else if (ev.has_image) {
            CHECK(!strcmp(ev.tag, "samples") && ev.step == 3 && ev.h == 5 && ev.w == 7 && ev.cs == 3, "image: %s step %lld "
                  "%lld × %lld colorspace %lld", ev.tag, (long long)ev.step, (long long)ev.h, (long long)ev.w, (long long)ev.cs);
            CHECK(ev.png_n == png_n && !memcmp(ev.png, png, png_n), "image bytes differ (%zu, %zu written)", ev.png_n, png_n);
        } else if (!strcmp(ev.tag, "loss/d")) {
            CHECK(ev.has_value && ev.step == li && ev.value == (float)(0.25 * li - 1), "loss/d: step %lld value %g, "
                  "expected %d, %g", (long long)ev.step, ev.value, li, 0.25 * li - 1);
            li++;
        } else {
            float want = fi ? 42.25f : 123.5f;
            CHECK(!strcmp(ev.tag, "fd") && ev.step == fi * 5 && ev.value == want, "record %d: tag '%s' step %lld "
                  "value %g", r, ev.tag, (long long)ev.step, ev.value);
            fi++;
        }
    }
    CHECK(li == 10 && fi == 2, "%d loss/d and %d fd scalars, expected 10 and 2", li, fi);
    free(data), free(png);
    return test_summary("tfevents");
}
