/* folder.c — reading a folder of images for colour (or grey) GANs: a recursive, sorted walk, one
 * decoder per format (libpng, libjpeg-turbo, a small PNM reader, stb_image for BMP and TGA only),
 * alpha compositing, channel conversion and stb_image_resize to the configured size. Everything
 * is decoded once, into memory, before training starts.
 *
 * Any file may be hostile: its dimensions are read from the header and bounded before pixels are
 * decoded, and formats whose stb decoders are not safe on crafted input (PNG, JPEG and PNM in
 * Debian's stb snapshot, GIF, PSD, PIC, HDR) never reach stb.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jpeglib.h>
#include <png.h>
#include <stb_image_resize.h>

#include "clgan/clgan.h"
#include "data/folder.h"
#include "data/stb_bmp_tga.h"
#include "io/file.h"

#define JPEG_MAX_SCANS 100 /* progressive JPEGs have about 10; each scan costs a pass */

static int dims_ok(clg_err *e, int64_t iw, int64_t ih, const char *fmt)
{
    if (iw < 1 || ih < 1 || iw > CLG_IMAGE_MAX_SIDE || ih > CLG_IMAGE_MAX_SIDE || iw * ih > CLG_IMAGE_MAX_PIXELS)
        return clg_errf(e, CLG_ERR_FORMAT, "%s of %lldx%lld pixels is outside 1..%d a side, %lld in all",
                        fmt, (long long)iw, (long long)ih, CLG_IMAGE_MAX_SIDE, (long long)CLG_IMAGE_MAX_PIXELS);
    return CLG_OK;
}

/* ---- PNG: libpng's simplified API, which sets up its own error handling and converts every
 * PNG colour type and depth (palette, grey, 16 bits, tRNS) to 8-bit RGBA. */
static int decode_png(uint8_t **rgba, int *iw, int *ih, const void *buf, size_t len, clg_err *e)
{
    png_image im;
    memset(&im, 0, sizeof im);
    im.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&im, buf, len))
        return clg_errf(e, CLG_ERR_FORMAT, "PNG: %s", im.message);
    int st = dims_ok(e, im.width, im.height, "PNG");
    if (st != CLG_OK) return png_image_free(&im), st;
    im.format = PNG_FORMAT_RGBA;
    *iw = (int)im.width;
    *ih = (int)im.height;
    *rgba = malloc((size_t)*iw * *ih * 4);
    if (!*rgba) return png_image_free(&im), clg_errf(e, CLG_ERR_NOMEM, "out of memory");
    if (!png_image_finish_read(&im, NULL, *rgba, 0, NULL)) { /* frees im on error */
        free(*rgba);
        *rgba = NULL;
        return clg_errf(e, CLG_ERR_FORMAT, "PNG: %s", im.message);
    }
    return CLG_OK;
}

/* ---- JPEG: libjpeg-turbo with an error manager that longjmps back instead of exiting. Warnings
 * (corrupt data that libjpeg would paper over with grey blocks) are errors too, and a limit on
 * progressive scans bounds the time a small file can cost. */
typedef struct jpeg_guard {
    struct jpeg_error_mgr pub;
    struct jpeg_progress_mgr progress;
    jmp_buf jb;
    char msg[JMSG_LENGTH_MAX];
} jpeg_guard;

static void jpeg_on_error(j_common_ptr ci)
{
    jpeg_guard *g = (jpeg_guard *)ci->err;
    ci->err->format_message(ci, g->msg);
    longjmp(g->jb, 1);
}

static void jpeg_on_message(j_common_ptr ci, int level)
{
    if (level < 0) jpeg_on_error(ci); /* a warning: corrupt data */
}

static void jpeg_on_progress(j_common_ptr ci)
{
    jpeg_guard *g = (jpeg_guard *)ci->err;
    if (ci->is_decompressor && ((j_decompress_ptr)ci)->input_scan_number > JPEG_MAX_SCANS) {
        snprintf(g->msg, sizeof g->msg, "more than %d scans", JPEG_MAX_SCANS);
        longjmp(g->jb, 1);
    }
}

static int decode_jpeg(uint8_t **rgba, int *iw, int *ih, const void *buf, size_t len, clg_err *e)
{
    struct jpeg_decompress_struct ci;
    jpeg_guard g;
    uint8_t *volatile px = NULL;
    volatile int st = CLG_ERR_FORMAT;
    ci.err = jpeg_std_error(&g.pub);
    g.pub.error_exit = jpeg_on_error;
    g.pub.emit_message = jpeg_on_message;
    g.msg[0] = 0;
    if (setjmp(g.jb)) {
        jpeg_destroy_decompress(&ci);
        free(px);
        return clg_errf(e, CLG_ERR_FORMAT, "JPEG: %s", g.msg);
    }
    jpeg_create_decompress(&ci);
    g.progress.progress_monitor = jpeg_on_progress;
    ci.progress = &g.progress;
    ci.mem->max_memory_to_use = 1L << 30;
    jpeg_mem_src(&ci, buf, (unsigned long)len);
    jpeg_read_header(&ci, TRUE);
    if ((st = dims_ok(e, ci.image_width, ci.image_height, "JPEG")) != CLG_OK) goto done;
    ci.out_color_space = JCS_EXT_RGBA;
    jpeg_start_decompress(&ci);
    *iw = (int)ci.output_width;
    *ih = (int)ci.output_height;
    if ((st = dims_ok(e, *iw, *ih, "JPEG")) != CLG_OK) goto done;
    px = malloc((size_t)*iw * *ih * 4);
    if (!px) {
        st = clg_errf(e, CLG_ERR_NOMEM, "out of memory");
        goto done;
    }
    while (ci.output_scanline < ci.output_height) {
        JSAMPROW row = px + (size_t)ci.output_scanline * *iw * 4;
        jpeg_read_scanlines(&ci, &row, 1);
    }
    jpeg_finish_decompress(&ci);
    st = CLG_OK;
done:
    jpeg_destroy_decompress(&ci);
    if (st != CLG_OK) free(px);
    else *rgba = px;
    return st;
}

/* ---- binary PGM/PPM (P5, P6), 8 or 16 bits: a few lines of our own, since the header says
 * exactly how many bytes the pixels take and the file must hold them. */
static int pnm_number(int64_t *v, const uint8_t *b, size_t len, size_t *i)
{
    for (;;) { /* whitespace and # comments */
        while (*i < len && (b[*i] == ' ' || b[*i] == '\t' || b[*i] == '\n' || b[*i] == '\r' || b[*i] == '\v' ||
                            b[*i] == '\f'))
            (*i)++;
        if (*i < len && b[*i] == '#')
            while (*i < len && b[*i] != '\n') (*i)++;
        else break;
    }
    if (*i >= len || b[*i] < '0' || b[*i] > '9') return -1;
    *v = 0;
    while (*i < len && b[*i] >= '0' && b[*i] <= '9') {
        *v = *v * 10 + (b[*i] - '0');
        if (*v > INT_MAX) return -1;
        (*i)++;
    }
    return 0;
}

static int decode_pnm(uint8_t **rgba, int *iw, int *ih, const uint8_t *b, size_t len, clg_err *e)
{
    int ch = b[1] == '6' ? 3 : 1;
    size_t i = 2;
    int64_t w, h, maxv;
    if (pnm_number(&w, b, len, &i) || pnm_number(&h, b, len, &i) || pnm_number(&maxv, b, len, &i) || i >= len)
        return clg_errf(e, CLG_ERR_FORMAT, "PNM: bad header");
    i++; /* the single whitespace byte before the pixels */
    if (maxv < 1 || maxv > 65535) return clg_errf(e, CLG_ERR_FORMAT, "PNM: maxval %lld", (long long)maxv);
    int st = dims_ok(e, w, h, "PNM");
    if (st != CLG_OK) return st;
    int bytes = maxv > 255 ? 2 : 1;
    size_t need = (size_t)w * h * ch * bytes;
    if (len - i < need)
        return clg_errf(e, CLG_ERR_FORMAT, "PNM: truncated: %lldx%lld pixels need %zu bytes, the file has %zu",
                        (long long)w, (long long)h, need, len - i);
    uint8_t *px = malloc((size_t)w * h * 4);
    if (!px) return clg_errf(e, CLG_ERR_NOMEM, "out of memory");
    const uint8_t *s = b + i;
    for (size_t p = 0; p < (size_t)w * h; p++) {
        for (int k = 0; k < 3; k++) {
            const uint8_t *v = s + (p * ch + (ch == 3 ? k : 0)) * bytes;
            unsigned x = bytes == 2 ? (unsigned)v[0] << 8 | v[1] : v[0];
            if (x > maxv) x = (unsigned)maxv;
            px[4 * p + k] = (uint8_t)((x * 255u + (unsigned)maxv / 2) / (unsigned)maxv);
        }
        px[4 * p + 3] = 255;
    }
    *rgba = px;
    *iw = (int)w;
    *ih = (int)h;
    return CLG_OK;
}

/* ---- BMP and TGA through the private stb_image copy. stb fills bytes missing from a short file
 * with zeros, so the announced size must also be one the file could hold: an uncompressed BMP
 * spends at least 1 bit a pixel, a run-length TGA packet covers at most 128 pixels. */
static int decode_stb(uint8_t **rgba, int *iw, int *ih, const uint8_t *b, size_t len, clg_err *e)
{
    int w, h;
    if (len > INT_MAX) return clg_errf(e, CLG_ERR_FORMAT, "file too large");
    if (!clg_stb_info(b, (int)len, &w, &h))
        return clg_errf(e, CLG_ERR_FORMAT, "not a PNG, JPEG, BMP, TGA or binary PNM (P5/P6) image");
    int bmp = b[0] == 'B' && b[1] == 'M';
    /* a negative BMP height means the rows are stored top-down; the decoder returns the size */
    if (bmp && h < 0) h = h == INT_MIN ? 0 : -h;
    int st = dims_ok(e, w, h, bmp ? "BMP" : "TGA");
    if (st != CLG_OK) return st;
    if ((int64_t)w * h > (int64_t)len * (bmp ? 8 : 128))
        return clg_errf(e, CLG_ERR_FORMAT, "%s: truncated: %dx%d pixels cannot fit in %zu bytes",
                        bmp ? "BMP" : "TGA", w, h, len);
    *rgba = clg_stb_load_rgba(b, (int)len, iw, ih);
    if (!*rgba) return clg_errf(e, CLG_ERR_FORMAT, "%s: %s", bmp ? "BMP" : "TGA", clg_stb_failure());
    if (*iw != w || *ih != h) { /* cannot happen; never trust a size twice */
        free(*rgba);
        *rgba = NULL;
        return clg_errf(e, CLG_ERR_FORMAT, "image size changed while decoding");
    }
    return CLG_OK;
}

/* Convert a decoded RGBA image to `c` channels (interleaved), alpha onto `bg`. */
static void to_channels(uint8_t *dst, const uint8_t *rgba, size_t npix, int c, int bg)
{
    for (size_t i = 0; i < npix; i++) {
        const uint8_t *p = rgba + 4 * i;
        float a = p[3] / 255.0f, rgb[3];
        for (int k = 0; k < 3; k++) rgb[k] = p[k] * a + bg * (1.0f - a);
        if (c == 3)
            for (int k = 0; k < 3; k++) dst[3 * i + k] = (uint8_t)(rgb[k] + 0.5f);
        else dst[i] = (uint8_t)(0.299f * rgb[0] + 0.587f * rgb[1] + 0.114f * rgb[2] + 0.5f);
    }
}

int clg_image_decode(uint8_t *out, const void *buf, size_t len, int c, int h, int w, int background, clg_err *e)
{
    if (!out || (!buf && len) || (c != 1 && c != 3) || h < 1 || w < 1 || h > CLG_IMAGE_MAX_SIDE ||
        w > CLG_IMAGE_MAX_SIDE || background < 0 || background > 255)
        return clg_errf(e, CLG_ERR_ARG, "bad arguments: %d channels of %dx%d, background %d", c, h, w,
                        background);
    const uint8_t *b = buf;
    if (len < 8) return clg_errf(e, CLG_ERR_FORMAT, "too short to be an image (%zu bytes)", len);
    if ((int64_t)len > CLG_IMAGE_MAX_FILE)
        return clg_errf(e, CLG_ERR_FORMAT, "larger than %lld MiB", (long long)(CLG_IMAGE_MAX_FILE >> 20));
    uint8_t *rgba = NULL;
    int iw = 0, ih = 0, st;
    if (!memcmp(b, "\x89PNG\r\n\x1a\n", 8)) st = decode_png(&rgba, &iw, &ih, b, len, e);
    else if (b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) st = decode_jpeg(&rgba, &iw, &ih, b, len, e);
    else if (b[0] == 'P' && (b[1] == '5' || b[1] == '6')) st = decode_pnm(&rgba, &iw, &ih, b, len, e);
    else if (!memcmp(b, "GIF8", 4)) st = clg_errf(e, CLG_ERR_FORMAT, "GIF images are not read");
    else st = decode_stb(&rgba, &iw, &ih, b, len, e);
    if (st != CLG_OK) return st;

    size_t npix = (size_t)iw * ih, item = (size_t)c * h * w;
    uint8_t *conv = malloc(npix * c), *hwc = malloc(item);
    if (!conv || !hwc) {
        st = clg_errf(e, CLG_ERR_NOMEM, "out of memory");
        goto done;
    }
    to_channels(conv, rgba, npix, c, background);
    if (iw == w && ih == h) memcpy(hwc, conv, item);
    else if (!stbir_resize_uint8(conv, iw, ih, 0, hwc, w, h, 0, c)) {
        st = clg_errf(e, CLG_ERR_NOMEM, "out of memory resizing %dx%d to %dx%d", iw, ih, w, h);
        goto done;
    }
    for (int k = 0; k < c; k++)
        for (size_t y = 0; y < (size_t)h * w; y++) out[(size_t)k * h * w + y] = hwc[y * c + k];
done:
    free(rgba);
    free(conv);
    free(hwc);
    return st;
}

/* ---- the folder walk */
typedef struct paths {
    char **v;
    int n, cap;
} paths;

static int push(paths *p, const char *s)
{
    if (p->n == INT_MAX) return -1;
    if (p->n == p->cap) {
        int cap = p->cap ? (p->cap > INT_MAX / 2 ? INT_MAX : p->cap * 2) : 256;
        char **v = realloc(p->v, (size_t)cap * sizeof *v);
        if (!v) return -1;
        p->v = v;
        p->cap = cap;
    }
    p->v[p->n] = strdup(s);
    return p->v[p->n++] ? 0 : -1;
}

/* The folders on the current path, by identity: a symbolic link back to one of them is a loop. */
typedef struct ancestry {
    dev_t dev[34];
    ino_t ino[34];
    int n;
} ancestry;

static void walk(paths *p, ancestry *up, const char *dir, int depth)
{
    struct stat st;
    if (depth > 32 || stat(dir, &st) != 0) return;
    for (int i = 0; i < up->n; i++)
        if (up->dev[i] == st.st_dev && up->ino[i] == st.st_ino) return;
    DIR *d = opendir(dir);
    if (!d) return;
    up->dev[up->n] = st.st_dev;
    up->ino[up->n++] = st.st_ino;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char path[4096];
        if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= (int)sizeof path) continue;
        /* a link that leads nowhere is listed, so that reading it fails and it is counted as skipped */
        if (stat(path, &st) != 0) {
            if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) push(p, path);
            continue;
        }
        if (S_ISDIR(st.st_mode)) walk(p, up, path, depth + 1);
        else if (S_ISREG(st.st_mode)) push(p, path);
    }
    up->n--;
    closedir(d);
}

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int clg_folder_load(clg_folder *out, const char *dir, int c, int h, int w, int background, int limit, clg_err *e)
{
    memset(out, 0, sizeof *out);
    struct stat st;
    errno = 0;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        return clg_errf(e, CLG_ERR_IO, "%s: not a folder of images: %s", dir,
                        errno ? strerror(errno) : "not a directory");
    }
    if ((c != 1 && c != 3) || h <= 0 || w <= 0 || h > CLG_IMAGE_MAX_SIDE || w > CLG_IMAGE_MAX_SIDE ||
        background < 0 || background > 255) {
        return clg_errf(e, CLG_ERR_ARG, "%s: images need 1 or 3 channels, a size of 1 to %d and a background of 0 "
                        "to 255 (got %d, %dx%d, %d)", dir, CLG_IMAGE_MAX_SIDE, c, h, w, background);
    }
    paths p = {0};
    ancestry up = {.n = 0};
    walk(&p, &up, dir, 0);
    if (p.n > 1) qsort(p.v, (size_t)p.n, sizeof *p.v, cmp);
    size_t item = (size_t)c * h * w;
    int cap = limit > 0 && limit < p.n ? limit : p.n;
    int status = CLG_OK;
    if (cap && item > SIZE_MAX / (size_t)cap) out->data = NULL;
    else out->data = malloc((size_t)(cap ? cap : 1) * item);
    if (!out->data) {
        status = clg_errf(e, CLG_ERR_NOMEM, "%s: out of memory for %d images of %dx%dx%d", dir, cap, c, h, w);
    }
    for (int i = 0; i < p.n && status == CLG_OK && out->n < cap; i++) {
        clg_err why; /* why this file is skipped */
        size_t len;
        uint8_t *buf;
        int s = clg_read_file(&buf, &len, p.v[i], CLG_IMAGE_MAX_FILE, 1, &why) != CLG_OK
                    ? CLG_ERR_FORMAT /* unreadable: skipped like an undecodable file */
                    : clg_image_decode(out->data + (size_t)out->n * item, buf, len, c, h, w, background, &why);
        free(buf);
        if (s == CLG_ERR_NOMEM) {
            status = clg_errf(e, CLG_ERR_NOMEM, "%s: out of memory decoding %s", dir, p.v[i]);
        } else if (s != CLG_OK) {
            if (!out->skipped) snprintf(out->first_skipped, sizeof out->first_skipped, "%s (%.255s)", p.v[i], why.msg);
            out->skipped++;
        } else out->n++;
    }
    for (int i = 0; i < p.n; i++) free(p.v[i]);
    free(p.v);
    if (status == CLG_OK && out->n == 0) {
        if (p.n == 0) status = clg_errf(e, CLG_ERR_FORMAT, "%s: the folder holds no files", dir);
        else
            status = clg_errf(e, CLG_ERR_FORMAT, "%s: none of its %d files is a readable image (first: %s)", dir, p.n,
                              out->first_skipped);
    }
    out->c = c;
    out->h = h;
    out->w = w;
    if (status != CLG_OK) clg_folder_free(out);
    return status;
}

void clg_folder_free(clg_folder *f)
{
    free(f->data);
    memset(f, 0, sizeof *f);
}
