/* tfevents.c — TensorBoard event files (see tfevents.h): the Event protocol buffer written
 * field by field (wire format: varint keys, little-endian fixed64/fixed32, length-delimited
 * strings and nested messages), each Event framed as a TFRecord
 *   uint64 length | masked crc32c(length) | data | masked crc32c(data)
 * and flushed at once. Field numbers (tensorflow/core/util/event.proto, summary.proto):
 *   Event: wall_time 1 (double), step 2 (int64), file_version 3 (string), summary 5
 *   Summary: value 1 (repeated Value); Value: tag 1, simple_value 2 (float), image 4
 *   Image: height 1, width 2, colorspace 3 (int32), encoded_image_string 4 (bytes)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "io/tfevents.h"

struct clg_tfevents {
    FILE *f;
    char *path;
    int failed; /* a write failed: the file may end in part of a record, so nothing more goes in */
};

/* ---- CRC-32C ---- */

/* the byte table of the reflected Castagnoli polynomial 0x82F63B78 (entry i: i shifted through
 * 8 rounds of the polynomial), fixed so that the CRC needs no initialisation or shared state */
static const uint32_t crc_tab[256] = {
    0x00000000, 0xf26b8303, 0xe13b70f7, 0x1350f3f4, 0xc79a971f, 0x35f1141c,
    0x26a1e7e8, 0xd4ca64eb, 0x8ad958cf, 0x78b2dbcc, 0x6be22838, 0x9989ab3b,
    0x4d43cfd0, 0xbf284cd3, 0xac78bf27, 0x5e133c24, 0x105ec76f, 0xe235446c,
    0xf165b798, 0x030e349b, 0xd7c45070, 0x25afd373, 0x36ff2087, 0xc494a384,
    0x9a879fa0, 0x68ec1ca3, 0x7bbcef57, 0x89d76c54, 0x5d1d08bf, 0xaf768bbc,
    0xbc267848, 0x4e4dfb4b, 0x20bd8ede, 0xd2d60ddd, 0xc186fe29, 0x33ed7d2a,
    0xe72719c1, 0x154c9ac2, 0x061c6936, 0xf477ea35, 0xaa64d611, 0x580f5512,
    0x4b5fa6e6, 0xb93425e5, 0x6dfe410e, 0x9f95c20d, 0x8cc531f9, 0x7eaeb2fa,
    0x30e349b1, 0xc288cab2, 0xd1d83946, 0x23b3ba45, 0xf779deae, 0x05125dad,
    0x1642ae59, 0xe4292d5a, 0xba3a117e, 0x4851927d, 0x5b016189, 0xa96ae28a,
    0x7da08661, 0x8fcb0562, 0x9c9bf696, 0x6ef07595, 0x417b1dbc, 0xb3109ebf,
    0xa0406d4b, 0x522bee48, 0x86e18aa3, 0x748a09a0, 0x67dafa54, 0x95b17957,
    0xcba24573, 0x39c9c670, 0x2a993584, 0xd8f2b687, 0x0c38d26c, 0xfe53516f,
    0xed03a29b, 0x1f682198, 0x5125dad3, 0xa34e59d0, 0xb01eaa24, 0x42752927,
    0x96bf4dcc, 0x64d4cecf, 0x77843d3b, 0x85efbe38, 0xdbfc821c, 0x2997011f,
    0x3ac7f2eb, 0xc8ac71e8, 0x1c661503, 0xee0d9600, 0xfd5d65f4, 0x0f36e6f7,
    0x61c69362, 0x93ad1061, 0x80fde395, 0x72966096, 0xa65c047d, 0x5437877e,
    0x4767748a, 0xb50cf789, 0xeb1fcbad, 0x197448ae, 0x0a24bb5a, 0xf84f3859,
    0x2c855cb2, 0xdeeedfb1, 0xcdbe2c45, 0x3fd5af46, 0x7198540d, 0x83f3d70e,
    0x90a324fa, 0x62c8a7f9, 0xb602c312, 0x44694011, 0x5739b3e5, 0xa55230e6,
    0xfb410cc2, 0x092a8fc1, 0x1a7a7c35, 0xe811ff36, 0x3cdb9bdd, 0xceb018de,
    0xdde0eb2a, 0x2f8b6829, 0x82f63b78, 0x709db87b, 0x63cd4b8f, 0x91a6c88c,
    0x456cac67, 0xb7072f64, 0xa457dc90, 0x563c5f93, 0x082f63b7, 0xfa44e0b4,
    0xe9141340, 0x1b7f9043, 0xcfb5f4a8, 0x3dde77ab, 0x2e8e845f, 0xdce5075c,
    0x92a8fc17, 0x60c37f14, 0x73938ce0, 0x81f80fe3, 0x55326b08, 0xa759e80b,
    0xb4091bff, 0x466298fc, 0x1871a4d8, 0xea1a27db, 0xf94ad42f, 0x0b21572c,
    0xdfeb33c7, 0x2d80b0c4, 0x3ed04330, 0xccbbc033, 0xa24bb5a6, 0x502036a5,
    0x4370c551, 0xb11b4652, 0x65d122b9, 0x97baa1ba, 0x84ea524e, 0x7681d14d,
    0x2892ed69, 0xdaf96e6a, 0xc9a99d9e, 0x3bc21e9d, 0xef087a76, 0x1d63f975,
    0x0e330a81, 0xfc588982, 0xb21572c9, 0x407ef1ca, 0x532e023e, 0xa145813d,
    0x758fe5d6, 0x87e466d5, 0x94b49521, 0x66df1622, 0x38cc2a06, 0xcaa7a905,
    0xd9f75af1, 0x2b9cd9f2, 0xff56bd19, 0x0d3d3e1a, 0x1e6dcdee, 0xec064eed,
    0xc38d26c4, 0x31e6a5c7, 0x22b65633, 0xd0ddd530, 0x0417b1db, 0xf67c32d8,
    0xe52cc12c, 0x1747422f, 0x49547e0b, 0xbb3ffd08, 0xa86f0efc, 0x5a048dff,
    0x8ecee914, 0x7ca56a17, 0x6ff599e3, 0x9d9e1ae0, 0xd3d3e1ab, 0x21b862a8,
    0x32e8915c, 0xc083125f, 0x144976b4, 0xe622f5b7, 0xf5720643, 0x07198540,
    0x590ab964, 0xab613a67, 0xb831c993, 0x4a5a4a90, 0x9e902e7b, 0x6cfbad78,
    0x7fab5e8c, 0x8dc0dd8f, 0xe330a81a, 0x115b2b19, 0x020bd8ed, 0xf0605bee,
    0x24aa3f05, 0xd6c1bc06, 0xc5914ff2, 0x37faccf1, 0x69e9f0d5, 0x9b8273d6,
    0x88d28022, 0x7ab90321, 0xae7367ca, 0x5c18e4c9, 0x4f48173d, 0xbd23943e,
    0xf36e6f75, 0x0105ec76, 0x12551f82, 0xe03e9c81, 0x34f4f86a, 0xc69f7b69,
    0xd5cf889d, 0x27a40b9e, 0x79b737ba, 0x8bdcb4b9, 0x988c474d, 0x6ae7c44e,
    0xbe2da0a5, 0x4c4623a6, 0x5f16d052, 0xad7d5351
};

uint32_t clg_crc32c(uint32_t crc, const void *data, size_t n)
{
    const unsigned char *p = data;
    crc = ~crc;
    for (size_t i = 0; i < n; i++) crc = crc_tab[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
    return ~crc;
}

uint32_t clg_crc32c_masked(const void *data, size_t n)
{
    uint32_t c = clg_crc32c(0, data, n);
    return ((c >> 15) | (c << 17)) + 0xa282ead8u;
}

/* ---- protocol buffer encoding ---- */

/* a growing byte buffer; `bad` is set once an allocation fails and later writes are dropped */
typedef struct pbuf {
    unsigned char *p;
    size_t n, cap;
    int bad;
} pbuf;

static void put(pbuf *b, const void *data, size_t n)
{
    if (b->bad) return;
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->n + n) cap *= 2;
        unsigned char *q = realloc(b->p, cap);
        if (!q) {
            b->bad = 1;
            return;
        }
        b->p = q, b->cap = cap;
    }
    memcpy(b->p + b->n, data, n);
    b->n += n;
}

static void put_varint(pbuf *b, uint64_t v)
{
    unsigned char q[10];
    int n = 0;
    do {
        q[n++] = (unsigned char)((v & 0x7f) | (v >= 0x80 ? 0x80 : 0));
        v >>= 7;
    } while (v);
    put(b, q, n);
}

static void put_le(pbuf *b, uint64_t v, int bytes)
{
    unsigned char q[8];
    for (int i = 0; i < bytes; i++) q[i] = (unsigned char)(v >> (8 * i));
    put(b, q, bytes);
}

enum { WIRE_VARINT = 0, WIRE_FIXED64 = 1, WIRE_LEN = 2, WIRE_FIXED32 = 5 };

static void put_key(pbuf *b, int field, int wire) { put_varint(b, (uint64_t)field << 3 | wire); }

static void put_bytes(pbuf *b, int field, const void *data, size_t n)
{
    put_key(b, field, WIRE_LEN);
    put_varint(b, n);
    put(b, data, n);
}

static void put_double(pbuf *b, int field, double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    put_key(b, field, WIRE_FIXED64);
    put_le(b, u, 8);
}

static void put_float(pbuf *b, int field, float v)
{
    uint32_t u;
    memcpy(&u, &v, sizeof u);
    put_key(b, field, WIRE_FIXED32);
    put_le(b, u, 4);
}

static void put_int(pbuf *b, int field, int64_t v)
{
    put_key(b, field, WIRE_VARINT);
    put_varint(b, (uint64_t)v); /* negative int64: ten bytes of two's complement, as protobuf does */
}

static double wall_time(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* ---- records ---- */

/* One TFRecord around `data`, then a flush: a process that dies between two records leaves a
 * file of whole records (TensorBoard also skips a cut last record, should it die in the write). */
static int write_record(clg_tfevents *w, const pbuf *data, clg_err *e)
{
    if (data->bad) return clg_errf(e, CLG_ERR_NOMEM, "%s: out of host memory encoding an event", w->path);
    if (w->failed) return clg_errf(e, CLG_ERR_IO, "%s: an earlier write failed; no more events go in", w->path);
    unsigned char h[12];
    for (int i = 0; i < 8; i++) h[i] = (unsigned char)((uint64_t)data->n >> (8 * i));
    uint32_t ch = clg_crc32c_masked(h, 8), cd = clg_crc32c_masked(data->p, data->n);
    for (int i = 0; i < 4; i++) h[8 + i] = (unsigned char)(ch >> (8 * i));
    unsigned char tail[4];
    for (int i = 0; i < 4; i++) tail[i] = (unsigned char)(cd >> (8 * i));
    errno = 0;
    if (fwrite(h, 1, 12, w->f) != 12 || fwrite(data->p, 1, data->n, w->f) != data->n || fwrite(tail, 1, 4, w->f) != 4 ||
        fflush(w->f) != 0) {
        w->failed = 1;
        return clg_errf(e, CLG_ERR_IO, "%s: cannot write an event: %s", w->path, errno ? strerror(errno) : "write error");
    }
    return CLG_OK;
}

/* An Event with wall time and step around an already encoded Summary.Value (or, with value
 * NULL, the file-version record). */
static int write_event(clg_tfevents *w, int64_t step, const pbuf *value, clg_err *e)
{
    pbuf ev = {0}, sum = {0};
    put_double(&ev, 1, wall_time());
    if (value) {
        put_int(&ev, 2, step);
        if (value->bad) sum.bad = 1;
        else put_bytes(&sum, 1, value->p, value->n);
        if (sum.bad) ev.bad = 1;
        else put_bytes(&ev, 5, sum.p, sum.n);
    } else {
        static const char version[] = "brain.Event:2";
        put_bytes(&ev, 3, version, sizeof version - 1);
    }
    int st = write_record(w, &ev, e);
    free(ev.p), free(sum.p);
    return st;
}

static int check_call(const clg_tfevents *w, const char *tag, const char *what, clg_err *e)
{
    if (!w || !w->f) return clg_errf(e, CLG_ERR_ARG, "event file: %s on a writer that is not open", what);
    if (!tag || !*tag) return clg_errf(e, CLG_ERR_ARG, "%s: %s without a tag", w->path, what);
    return CLG_OK;
}

int clg_tfevents_scalar(clg_tfevents *w, const char *tag, int64_t step, double value, clg_err *e)
{
    TRY(check_call(w, tag, "a scalar", e));
    pbuf v = {0};
    put_bytes(&v, 1, tag, strlen(tag));
    put_float(&v, 2, (float)value);
    int st = write_event(w, step, &v, e);
    free(v.p);
    return st;
}

static uint32_t be32(const unsigned char *p) { return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3]; }

int clg_tfevents_image(clg_tfevents *w, const char *tag, int64_t step, const void *png, size_t png_len, int height,
                       int width, int channels, clg_err *e)
{
    TRY(check_call(w, tag, "an image", e));
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    const unsigned char *p = png;
    /* the signature, then the IHDR chunk: length, "IHDR", width, height (big-endian) */
    if (!p || png_len < 24 || memcmp(p, sig, 8) != 0 || memcmp(p + 12, "IHDR", 4) != 0)
        return clg_errf(e, CLG_ERR_ARG, "%s: image '%s' at step %lld is not a PNG file (%zu bytes)", w->path, tag,
                        (long long)step, png_len);
    if (height < 1 || width < 1 || be32(p + 16) != (uint32_t)width || be32(p + 20) != (uint32_t)height)
        return clg_errf(e, CLG_ERR_ARG, "%s: image '%s' at step %lld: %d × %d given, the PNG is %u × %u (height × width)",
                        w->path, tag, (long long)step, height, width, (unsigned)be32(p + 20), (unsigned)be32(p + 16));
    if (channels < 1 || channels > 4)
        return clg_errf(e, CLG_ERR_ARG, "%s: image '%s': %d channels, 1 to 4 expected", w->path, tag, channels);
    pbuf img = {0}, v = {0};
    put_int(&img, 1, height);
    put_int(&img, 2, width);
    put_int(&img, 3, channels);
    put_bytes(&img, 4, png, png_len);
    put_bytes(&v, 1, tag, strlen(tag));
    if (img.bad) v.bad = 1;
    else put_bytes(&v, 4, img.p, img.n);
    int st = write_event(w, step, &v, e);
    free(img.p), free(v.p);
    return st;
}

/* ---- the file ---- */

int clg_tfevents_open(clg_tfevents **out, const char *dir, clg_err *e)
{
    if (!out || !dir || !*dir) return clg_errf(e, CLG_ERR_ARG, "event file: no output or no folder given");
    *out = NULL;
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return clg_errf(e, CLG_ERR_IO, "%s: cannot create the event folder: %s", dir, strerror(errno));
    char host[256] = "localhost";
    if (gethostname(host, sizeof host) != 0) strcpy(host, "localhost");
    host[sizeof host - 1] = 0;
    for (char *c = host; *c; c++)
        if (*c == '/') *c = '_';
    clg_tfevents *w = calloc(1, sizeof *w);
    size_t len = strlen(dir) + strlen(host) + 64;
    if (w) w->path = malloc(len);
    if (!w || !w->path) {
        free(w);
        return clg_errf(e, CLG_ERR_NOMEM, "%s: out of host memory opening an event file", dir);
    }
    long long secs = (long long)time(NULL);
    /* "x": never append to or truncate another writer's file of the same second */
    for (int n = 0; n < 1000 && !w->f; n++) {
        if (n == 0) snprintf(w->path, len, "%s/events.out.tfevents.%lld.%s", dir, secs, host);
        else snprintf(w->path, len, "%s/events.out.tfevents.%lld.%s.%d", dir, secs, host, n);
        w->f = fopen(w->path, "wbx");
        if (!w->f && errno != EEXIST) break;
    }
    if (!w->f) {
        int st = clg_errf(e, CLG_ERR_IO, "%s: cannot create an event file: %s", w->path, strerror(errno));
        free(w->path), free(w);
        return st;
    }
    int st = write_event(w, 0, NULL, e);
    if (st != CLG_OK) {
        fclose(w->f);
        remove(w->path);
        free(w->path), free(w);
        return st;
    }
    *out = w;
    return CLG_OK;
}

int clg_tfevents_flush(clg_tfevents *w, clg_err *e)
{
    if (!w || !w->f) return clg_errf(e, CLG_ERR_ARG, "event file: flush on a writer that is not open");
    if (fflush(w->f) != 0) return clg_errf(e, CLG_ERR_IO, "%s: cannot write: %s", w->path, strerror(errno));
    return CLG_OK;
}

int clg_tfevents_close(clg_tfevents *w, clg_err *e)
{
    if (!w) return CLG_OK;
    int st = CLG_OK;
    if (w->f && fclose(w->f) != 0) st = clg_errf(e, CLG_ERR_IO, "%s: cannot close: %s", w->path, strerror(errno));
    free(w->path), free(w);
    return st;
}

const char *clg_tfevents_path(const clg_tfevents *w) { return w ? w->path : NULL; }
