/* folder.c — reading a folder of images for colour (or grey) GANs: a recursive, sorted walk,
 * stb_image to decode, alpha compositing, channel conversion and stb_image_resize to the
 * configured size. Everything is decoded once, into memory, before training starts.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <stb_image.h>
#include <stb_image_resize.h>

#include "clgan/clgan.h"
#include "data/folder.h"

typedef struct paths {
    char **v;
    int n, cap;
} paths;

static int push(paths *p, const char *s)
{
    if (p->n == p->cap) {
        int cap = p->cap ? p->cap * 2 : 256;
        char **v = realloc(p->v, (size_t)cap * sizeof *v);
        if (!v) return -1;
        p->v = v;
        p->cap = cap;
    }
    p->v[p->n] = strdup(s);
    return p->v[p->n++] ? 0 : -1;
}

static void walk(paths *p, const char *dir, int depth)
{
    if (depth > 32) return;
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) != 0) continue;
        if (S_ISDIR(st.st_mode)) walk(p, path, depth + 1);
        else if (S_ISREG(st.st_mode)) push(p, path);
    }
    closedir(d);
}

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

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

int clg_folder_load(clg_folder *out, const char *dir, int c, int h, int w, int background, int limit, char *err,
                    size_t errlen)
{
    memset(out, 0, sizeof *out);
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "%s: not a folder of images: %s", dir, errno ? strerror(errno) : "not a directory");
        return CLG_ERR_IO;
    }
    if ((c != 1 && c != 3) || h <= 0 || w <= 0) {
        snprintf(err, errlen, "%s: images need 1 or 3 channels and a size > 0 (got %d, %dx%d)", dir, c, h, w);
        return CLG_ERR_ARG;
    }
    paths p = {0};
    walk(&p, dir, 0);
    qsort(p.v, (size_t)p.n, sizeof *p.v, cmp);
    size_t item = (size_t)c * h * w;
    int cap = limit > 0 && limit < p.n ? limit : p.n;
    out->data = malloc((size_t)(cap ? cap : 1) * item);
    uint8_t *hwc = malloc(item);
    int status = CLG_OK;
    if (!out->data || !hwc) {
        snprintf(err, errlen, "%s: out of memory for %d images of %dx%dx%d", dir, cap, c, h, w);
        status = CLG_ERR_NOMEM;
    }
    for (int i = 0; i < p.n && status == CLG_OK && out->n < cap; i++) {
        int iw, ih, ic;
        uint8_t *img = stbi_load(p.v[i], &iw, &ih, &ic, 4);
        if (!img) {
            if (!out->skipped) snprintf(out->first_skipped, sizeof out->first_skipped, "%s (%s)", p.v[i], stbi_failure_reason());
            out->skipped++;
            continue;
        }
        uint8_t *conv = malloc((size_t)iw * ih * c);
        if (!conv) {
            stbi_image_free(img);
            snprintf(err, errlen, "%s: out of memory decoding %s", dir, p.v[i]);
            status = CLG_ERR_NOMEM;
            break;
        }
        to_channels(conv, img, (size_t)iw * ih, c, background);
        stbi_image_free(img);
        if (iw == w && ih == h) memcpy(hwc, conv, item);
        else stbir_resize_uint8(conv, iw, ih, 0, hwc, w, h, 0, c);
        free(conv);
        uint8_t *chw = out->data + (size_t)out->n * item;
        for (int k = 0; k < c; k++)
            for (int y = 0; y < h * w; y++) chw[(size_t)k * h * w + y] = hwc[(size_t)y * c + k];
        out->n++;
    }
    free(hwc);
    for (int i = 0; i < p.n; i++) free(p.v[i]);
    free(p.v);
    if (status == CLG_OK && out->n == 0) {
        if (p.n == 0) snprintf(err, errlen, "%s: the folder holds no files", dir);
        else snprintf(err, errlen, "%s: none of its %d files is a readable image (first: %s)", dir, p.n, out->first_skipped);
        status = CLG_ERR_FORMAT;
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
