/* test_idx.c — tests for the IDX reader (src/data/idx.c).
 *
 * Usage: test_idx <scratchdir>. Writes its own raw and gzip fixtures into the scratch directory
 * (good files, truncated, corrupt and malformed ones) and checks every byte, shape, status and
 * error message. If the Fashion-MNIST training images are installed under
 * /usr/share/datasets/fashion-mnist/ they are loaded too; otherwise that check is skipped.
 * Exits non-zero if any check failed, after printing each failure.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <zlib.h>

#include "clgan/clgan.h"
#include "data/idx.h"

#define REAL_DATA "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"

static int g_failures = 0;
static int g_checks = 0;
static const char *g_dir;

#define CHECK(cond, ...)                                                                        \
    do {                                                                                        \
        g_checks++;                                                                             \
        if (!(cond)) {                                                                          \
            g_failures++;                                                                       \
            fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);                     \
            fprintf(stderr, __VA_ARGS__);                                                       \
            fputc('\n', stderr);                                                                \
        }                                                                                       \
    } while (0)

/* ---- fixture writers -------------------------------------------------------------------- */

static void fixture_path(char *out, size_t outlen, const char *name)
{
    snprintf(out, outlen, "%s/%s", g_dir, name);
}

/* The byte stored at flat offset i of the generated data sets. */
static uint8_t pattern(size_t i)
{
    return (uint8_t)((i * 2654435761u) >> 13 ^ i);
}

/* An IDX header: magic 00 00 type ndim, then ndim big-endian uint32 dims. Returns its length. */
static size_t make_header(uint8_t *hdr, unsigned type, int ndim, const uint32_t *dims)
{
    hdr[0] = 0;
    hdr[1] = 0;
    hdr[2] = (uint8_t)type;
    hdr[3] = (uint8_t)ndim;
    for (int i = 0; i < ndim; i++) {
        hdr[4 + 4 * i] = (uint8_t)(dims[i] >> 24);
        hdr[5 + 4 * i] = (uint8_t)(dims[i] >> 16);
        hdr[6 + 4 * i] = (uint8_t)(dims[i] >> 8);
        hdr[7 + 4 * i] = (uint8_t)dims[i];
    }
    return 4 + 4 * (size_t)ndim;
}

/* Write bytes to a raw file. */
static int write_raw(const char *path, const void *a, size_t alen, const void *b, size_t blen)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "cannot create %s: %s\n", path, strerror(errno));
        return -1;
    }
    int ok = fwrite(a, 1, alen, f) == alen && (blen == 0 || fwrite(b, 1, blen, f) == blen);
    ok = (fclose(f) == 0) && ok;
    return ok ? 0 : -1;
}

/* Write bytes to a gzip file with zlib. */
static int write_gz(const char *path, const void *a, size_t alen, const void *b, size_t blen)
{
    gzFile gz = gzopen(path, "wb6");
    if (!gz) {
        fprintf(stderr, "cannot create %s\n", path);
        return -1;
    }
    int ok = gzwrite(gz, a, (unsigned)alen) == (int)alen &&
             (blen == 0 || gzwrite(gz, b, (unsigned)blen) == (int)blen);
    ok = (gzclose(gz) == Z_OK) && ok;
    return ok ? 0 : -1;
}

/* Write an IDX file (header + `ndata` bytes of pattern()), raw or gzip. */
static int write_idx(const char *path, int gz, unsigned type, int ndim, const uint32_t *dims,
                     size_t ndata)
{
    uint8_t hdr[4 + 4 * 8];
    size_t hlen = make_header(hdr, type, ndim, dims);
    uint8_t *data = malloc(ndata ? ndata : 1);
    if (!data)
        return -1;
    for (size_t i = 0; i < ndata; i++)
        data[i] = pattern(i);
    int rc = gz ? write_gz(path, hdr, hlen, data, ndata) : write_raw(path, hdr, hlen, data, ndata);
    free(data);
    return rc;
}

static unsigned char *slurp(size_t *len, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc(sz > 0 ? (size_t)sz : 1);
    if (buf && fread(buf, 1, (size_t)sz, f) != (size_t)sz) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = (size_t)sz;
    return buf;
}

/* ---- checks ----------------------------------------------------------------------------- */

static int all_zero(const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i])
            return 0;
    return 1;
}

/* Name of a status (local, so the test links with idx.c alone or with the whole library). */
static const char *status_name(int status)
{
    switch (status) {
    case CLG_OK: return "CLG_OK";
    case CLG_ERR_ARG: return "CLG_ERR_ARG";
    case CLG_ERR_IO: return "CLG_ERR_IO";
    case CLG_ERR_FORMAT: return "CLG_ERR_FORMAT";
    case CLG_ERR_NOMEM: return "CLG_ERR_NOMEM";
    default: return "other";
    }
}

/* Load `path` expecting success with the given shape (dims[0] is the expected n). */
static void expect_good(const char *path, int limit, int ndim, const uint32_t *dims)
{
    clg_idx idx;
    clg_err err = {0};
    int rc = clg_idx_load(&idx, path, limit, &err);
    CHECK(rc == CLG_OK, "%s (limit %d): status %s, err '%s'", path, limit, status_name(rc),
          err.msg);
    if (rc != CLG_OK)
        return;
    size_t item = 1;
    for (int i = 1; i < ndim; i++)
        item *= dims[i];
    CHECK(idx.n == (int)dims[0], "%s: n %d, expected %u", path, idx.n, dims[0]);
    CHECK(idx.ndim == ndim, "%s: ndim %d, expected %d", path, idx.ndim, ndim);
    for (int i = 0; i < ndim && i < 4; i++)
        CHECK(idx.dims[i] == (int)dims[i], "%s: dims[%d] %d, expected %u", path, i, idx.dims[i],
              dims[i]);
    CHECK(idx.item_size == item, "%s: item_size %zu, expected %zu", path, idx.item_size, item);
    CHECK(idx.data != NULL, "%s: data is NULL", path);
    if (idx.data) {
        size_t total = (size_t)dims[0] * item, bad = 0, first = 0;
        for (size_t i = 0; i < total; i++)
            if (idx.data[i] != pattern(i) && bad++ == 0)
                first = i;
        CHECK(bad == 0, "%s: %zu of %zu bytes differ, first at %zu (%u, expected %u)", path,
              bad, total, first, idx.data[first], pattern(first));
    }
    clg_idx_free(&idx);
    CHECK(idx.data == NULL && idx.n == 0, "%s: clg_idx_free did not zero the struct", path);
    clg_idx_free(&idx); /* second free of a zeroed struct is harmless */
}

/* Load `path` (with `limit`) expecting status `want` and a message containing the path and
 * `needle`. */
static void expect_bad_limit(const char *path, int limit, int want, const char *needle)
{
    clg_idx idx;
    clg_err err;
    memset(&idx, 0xAB, sizeof idx);
    clg_err_clear(&err);
    int rc = clg_idx_load(&idx, path, limit, &err);
    printf("  %-16s %-15s %s\n", strrchr(path, '/') ? strrchr(path, '/') + 1 : path,
           status_name(rc), err.msg);
    CHECK(rc == want, "%s: status %s, expected %s (err '%s')", path, status_name(rc),
          status_name(want), err.msg);
    CHECK(strstr(err.msg, path) != NULL, "%s: err '%s' does not name the path", path, err.msg);
    CHECK(needle == NULL || strstr(err.msg, needle) != NULL, "%s: err '%s' lacks '%s'", path, err.msg,
          needle);
    CHECK(strchr(err.msg, '\n') == NULL, "%s: err '%s' is not one line", path, err.msg);
    CHECK(all_zero(&idx, sizeof idx), "%s: *out not zeroed after failure", path);
    clg_idx_free(&idx);
}

static void expect_bad(const char *path, int want, const char *needle)
{
    expect_bad_limit(path, 0, want, needle);
}

static void make_dir(const char *dir)
{
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        fprintf(stderr, "warning: cannot create %s: %s\n", dir, strerror(errno));
}

int main(int argc, char **argv)
{
    char p[1024];
    if (argc != 2) {
        fprintf(stderr, "usage: %s <scratchdir>\n", argv[0]);
        return 2;
    }
    g_dir = argv[1];
    make_dir(g_dir);

    /* ---- good files ---- */
    printf("good files\n");
    {
        uint32_t d3[3] = {5, 3, 4};
        fixture_path(p, sizeof p, "good3.idx");
        CHECK(write_idx(p, 0, 0x08, 3, d3, 60) == 0, "write %s", p);
        expect_good(p, 0, 3, d3);
        expect_good(p, -1, 3, d3);
        expect_good(p, 5, 3, d3);
        expect_good(p, 100, 3, d3); /* limit > n: all items */
        uint32_t d3l[3] = {2, 3, 4};
        expect_good(p, 2, 3, d3l); /* limit < n on a raw file */

        /* bytes after the data are ignored (raw and gzip) */
        {
            uint8_t hdr[16], data[61];
            size_t hlen = make_header(hdr, 0x08, 3, d3);
            for (size_t i = 0; i < 61; i++)
                data[i] = pattern(i);
            fixture_path(p, sizeof p, "trailing.idx");
            CHECK(write_raw(p, hdr, hlen, data, 61) == 0, "write %s", p);
            expect_good(p, 0, 3, d3);
            fixture_path(p, sizeof p, "trailing.idx.gz");
            CHECK(write_gz(p, hdr, hlen, data, 61) == 0, "write %s", p);
            expect_good(p, 0, 3, d3);
        }

        uint32_t d1[1] = {10};
        fixture_path(p, sizeof p, "labels1.idx");
        CHECK(write_idx(p, 0, 0x08, 1, d1, 10) == 0, "write %s", p);
        expect_good(p, 0, 1, d1);

        uint32_t d4[4] = {3, 2, 5, 7};
        fixture_path(p, sizeof p, "good4.idx.gz");
        CHECK(write_idx(p, 1, 0x08, 4, d4, 210) == 0, "write %s", p);
        expect_good(p, 0, 4, d4);

        /* big enough to span several read chunks and buffer growths */
        uint32_t dg[3] = {3000, 28, 28};
        fixture_path(p, sizeof p, "good.gz");
        CHECK(write_idx(p, 1, 0x08, 3, dg, 3000u * 784u) == 0, "write %s", p);
        expect_good(p, 0, 3, dg);
        uint32_t dgl[3] = {10, 28, 28};
        expect_good(p, 10, 3, dgl); /* limit < n on a gzip file */

        /* a raw file with a name ending in .gz and a gzip file without: content decides */
        fixture_path(p, sizeof p, "raw_named.gz");
        CHECK(write_idx(p, 0, 0x08, 3, dg, 3000u * 784u) == 0, "write %s", p);
        expect_good(p, 0, 3, dg);
        fixture_path(p, sizeof p, "gzip_named.idx");
        CHECK(write_idx(p, 1, 0x08, 3, d3, 60) == 0, "write %s", p);
        expect_good(p, 0, 3, d3);
    }

    /* ---- bad files ---- */
    printf("bad files\n");
    {
        uint32_t d[3] = {100, 4, 4};
        fixture_path(p, sizeof p, "trunc.idx");
        CHECK(write_idx(p, 0, 0x08, 3, d, 50 * 16 + 3) == 0, "write %s", p);
        expect_bad(p, CLG_ERR_FORMAT, "truncated");
        expect_bad(p, CLG_ERR_FORMAT, "ends after 803 bytes of data");
        expect_bad_limit(p, 10, CLG_ERR_FORMAT, "ends after 803 bytes of data"); /* limit too */

        fixture_path(p, sizeof p, "trunc.gz");
        CHECK(write_idx(p, 1, 0x08, 3, d, 50 * 16 + 3) == 0, "write %s", p);
        expect_bad(p, CLG_ERR_FORMAT, "ends after 803 bytes of data");
        expect_bad_limit(p, 10, CLG_ERR_FORMAT, "ends after 803 bytes of data");

        /* a gzip file cut in half: the compressed stream itself ends early */
        char src[1024];
        uint32_t dg[3] = {2000, 28, 28};
        fixture_path(src, sizeof src, "tocut.gz");
        CHECK(write_idx(src, 1, 0x08, 3, dg, 2000u * 784u) == 0, "write %s", src);
        size_t len = 0;
        unsigned char *bytes = slurp(&len, src);
        CHECK(bytes != NULL && len > 1000, "read back %s", src);
        if (bytes) {
            fixture_path(p, sizeof p, "cut.gz");
            CHECK(write_raw(p, bytes, len / 2, NULL, 0) == 0, "write %s", p);
            expect_bad(p, CLG_ERR_FORMAT, "truncated");
            expect_bad_limit(p, 10, CLG_ERR_FORMAT, "truncated"); /* with a limit too */
            /* only the 8-byte trailer missing: data complete, CRC unverifiable */
            fixture_path(p, sizeof p, "notrailer.gz");
            CHECK(write_raw(p, bytes, len - 8, NULL, 0) == 0, "write %s", p);
            expect_bad(p, CLG_ERR_FORMAT, "truncated gzip stream");

            /* corrupt the compressed stream mid-way */
            for (size_t i = len / 2; i < len / 2 + 64; i++)
                bytes[i] ^= 0xA5;
            fixture_path(p, sizeof p, "corrupt.gz");
            CHECK(write_raw(p, bytes, len, NULL, 0) == 0, "write %s", p);
            expect_bad(p, CLG_ERR_FORMAT, "corrupt gzip stream");
            /* a limit before the damage: the stream is still inflated to its end and checked */
            expect_bad_limit(p, 10, CLG_ERR_FORMAT, "corrupt gzip stream");

            /* zeroed bytes early in the stream */
            free(bytes);
            bytes = slurp(&len, src);
            if (bytes) {
                memset(bytes + len / 3, 0, 200);
                fixture_path(p, sizeof p, "corrupt2.gz");
                CHECK(write_raw(p, bytes, len, NULL, 0) == 0, "write %s", p);
                expect_bad(p, CLG_ERR_FORMAT, "corrupt gzip stream");
            }

            /* a flipped byte in the stored CRC: caught by the trailer check */
            free(bytes);
            bytes = slurp(&len, src);
            if (bytes) {
                bytes[len - 6] ^= 0x01;
                fixture_path(p, sizeof p, "badcrc.gz");
                CHECK(write_raw(p, bytes, len, NULL, 0) == 0, "write %s", p);
                expect_bad(p, CLG_ERR_FORMAT, "corrupt gzip stream");
                expect_bad_limit(p, 10, CLG_ERR_FORMAT, "corrupt gzip stream");
                expect_bad_limit(p, 1999, CLG_ERR_FORMAT, "corrupt gzip stream");
            }
            free(bytes);
        }

        /* the same for a small gzip file, decompressed through zlib's internal buffer */
        {
            char small[1024];
            fixture_path(small, sizeof small, "gzip_named.idx");
            bytes = slurp(&len, small);
            CHECK(bytes != NULL && len > 8, "read back %s", small);
            if (bytes) {
                fixture_path(p, sizeof p, "notrailer_small.gz");
                CHECK(write_raw(p, bytes, len - 8, NULL, 0) == 0, "write %s", p);
                expect_bad(p, CLG_ERR_FORMAT, "truncated gzip stream");
                expect_bad_limit(p, 4, CLG_ERR_FORMAT, "truncated gzip stream"); /* limit too */
                free(bytes);
            }
        }

        fixture_path(p, sizeof p, "text.idx");
        CHECK(write_raw(p, "hello world\n", 12, NULL, 0) == 0, "write %s", p);
        expect_bad(p, CLG_ERR_FORMAT, "not an IDX file (magic 0x68656c6c");

        /* a gzip of a gzip: the decompressed content starts with the gzip magic */
        {
            char inner[1024];
            fixture_path(inner, sizeof inner, "gzip_named.idx");
            bytes = slurp(&len, inner);
            CHECK(bytes != NULL, "read back %s", inner);
            if (bytes) {
                fixture_path(p, sizeof p, "double.gz");
                CHECK(write_gz(p, bytes, len, NULL, 0) == 0, "write %s", p);
                expect_bad(p, CLG_ERR_FORMAT, "not an IDX file (magic 0x1f8b");
                free(bytes);
            }
        }

        uint32_t dt[3] = {10, 2, 2};
        fixture_path(p, sizeof p, "float.idx");
        CHECK(write_idx(p, 0, 0x0D, 3, dt, 160) == 0, "write %s", p);
        expect_bad(p, CLG_ERR_FORMAT, "unsupported IDX data type 0x0d");

        uint32_t dz[3] = {10, 0, 28};
        fixture_path(p, sizeof p, "zerodim.idx");
        CHECK(write_idx(p, 0, 0x08, 3, dz, 0) == 0, "write %s", p);
        expect_bad(p, CLG_ERR_FORMAT, "dimension 2");
        uint32_t dz0[1] = {0};
        fixture_path(p, sizeof p, "zeroitems.idx.gz");
        CHECK(write_idx(p, 1, 0x08, 1, dz0, 0) == 0, "write %s", p);
        expect_bad(p, CLG_ERR_FORMAT, "is 0");

        fixture_path(p, sizeof p, "ndim0.idx");
        CHECK(write_idx(p, 0, 0x08, 0, NULL, 16) == 0, "write %s", p);
        expect_bad(p, CLG_ERR_FORMAT, "dimensions 0");
        uint32_t d5[5] = {1, 1, 1, 1, 1};
        fixture_path(p, sizeof p, "ndim5.idx");
        CHECK(write_idx(p, 0, 0x08, 5, d5, 1) == 0, "write %s", p);
        expect_bad(p, CLG_ERR_FORMAT, "dimensions 5");

        fixture_path(p, sizeof p, "empty.idx");
        CHECK(write_raw(p, "", 0, NULL, 0) == 0, "write %s", p);
        expect_bad(p, CLG_ERR_FORMAT, "empty");
        fixture_path(p, sizeof p, "empty.gz");
        CHECK(write_gz(p, "", 0, NULL, 0) == 0, "write %s", p);
        expect_bad(p, CLG_ERR_FORMAT, "empty");
        fixture_path(p, sizeof p, "short.idx");
        CHECK(write_raw(p, "\0\0", 2, NULL, 0) == 0, "write %s", p);
        expect_bad(p, CLG_ERR_FORMAT, "truncated header");
        uint32_t dh[3] = {60000, 28, 28};
        uint8_t hdr[16];
        make_header(hdr, 0x08, 3, dh);
        fixture_path(p, sizeof p, "shorthdr.idx");
        CHECK(write_raw(p, hdr, 9, NULL, 0) == 0, "write %s", p);
        expect_bad(p, CLG_ERR_FORMAT, "truncated header");

        fixture_path(p, sizeof p, "does-not-exist.idx");
        remove(p);
        expect_bad(p, CLG_ERR_IO, "cannot open");
        expect_bad(p, CLG_ERR_IO, strerror(ENOENT));

        expect_bad(g_dir, CLG_ERR_IO, NULL); /* a directory */

        uint32_t dbig[3] = {65536, 65536, 1};
        fixture_path(p, sizeof p, "huge.idx");
        CHECK(write_idx(p, 0, 0x08, 3, dbig, 64) == 0, "write %s", p);
        expect_bad(p, CLG_ERR_FORMAT, "2^31");
        uint32_t dmax[4] = {0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu};
        fixture_path(p, sizeof p, "huge4.idx.gz");
        CHECK(write_idx(p, 1, 0x08, 4, dmax, 64) == 0, "write %s", p);
        expect_bad(p, CLG_ERR_FORMAT, "2^31");
        uint32_t done[1] = {0x80000001u};
        fixture_path(p, sizeof p, "huge1.idx");
        CHECK(write_idx(p, 0, 0x08, 1, done, 64) == 0, "write %s", p);
        expect_bad(p, CLG_ERR_FORMAT, "2^31");
        /* 1 GiB announced, 100 bytes present: truncation, without allocating 1 GiB */
        uint32_t dgig[3] = {1u << 20, 1024, 1};
        fixture_path(p, sizeof p, "gig.idx");
        CHECK(write_idx(p, 0, 0x08, 3, dgig, 100) == 0, "write %s", p);
        expect_bad(p, CLG_ERR_FORMAT, "ends after 100 bytes of data");
    }

    /* ---- arguments ---- */
    {
        clg_err err = {0};
        int rc = clg_idx_load(NULL, "x", 0, &err);
        CHECK(rc == CLG_ERR_ARG, "NULL out: status %s", status_name(rc));
        clg_idx idx;
        rc = clg_idx_load(&idx, NULL, 0, &err);
        CHECK(rc == CLG_ERR_ARG, "NULL path: status %s", status_name(rc));
        fixture_path(p, sizeof p, "does-not-exist.idx");
        rc = clg_idx_load(&idx, p, 0, NULL); /* no error record */
        CHECK(rc == CLG_ERR_IO, "NULL err: status %s", status_name(rc));
        clg_idx_free(NULL);
    }

    /* ---- real data ---- */
    {
        FILE *f = fopen(REAL_DATA, "rb");
        if (!f) {
            printf("skipped real-data check (%s not found)\n", REAL_DATA);
        } else {
            fclose(f);
            clg_idx idx;
            clg_err err = {0};
            int rc = clg_idx_load(&idx, REAL_DATA, 100, &err);
            CHECK(rc == CLG_OK, "%s: status %s, err '%s'", REAL_DATA, status_name(rc), err.msg);
            if (rc == CLG_OK) {
                CHECK(idx.n == 100 && idx.dims[0] == 100, "real: n %d", idx.n);
                CHECK(idx.ndim == 3 && idx.dims[1] == 28 && idx.dims[2] == 28,
                      "real: ndim %d dims %dx%d", idx.ndim, idx.dims[1], idx.dims[2]);
                CHECK(idx.item_size == 784, "real: item_size %zu", idx.item_size);
                CHECK(!all_zero(idx.data, idx.n * idx.item_size), "real: data all zero");
                printf("real data: %s: %d items of %dx%d\n", REAL_DATA, idx.n, idx.dims[1],
                       idx.dims[2]);
            }
            clg_idx_free(&idx);
        }
    }

    if (g_failures) {
        printf("test_idx: %d of %d checks FAILED\n", g_failures, g_checks);
        return 1;
    }
    printf("test_idx: all %d checks passed\n", g_checks);
    return 0;
}
