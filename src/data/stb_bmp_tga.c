/* stb_bmp_tga.c — stb_image compiled with only its BMP and TGA decoders (the others in Debian's
 * snapshot are not safe on crafted files), with a maximum side, and static so that it cannot
 * clash with the shared libstb. Its unused declarations warn at the end of this file, hence the
 * file-wide pragma. Two holes of stb's on crafted files are closed here: its pixel buffer is
 * zeroed (a cut TGA leaves part of it unwritten), and a BMP palette shorter than its indices can
 * reach is padded with black entries (stb keeps the palette in an uninitialised stack array).
 */
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wsign-compare"

#include <stdlib.h>
#include <string.h>

#include "data/folder.h"
#include "data/stb_bmp_tga.h"

#define STBI_MALLOC(sz) calloc(1, (sz))
#define STBI_REALLOC(p, sz) realloc((p), (sz))
#define STBI_FREE(p) free(p)
#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_BMP
#define STBI_ONLY_TGA
#define STBI_NO_STDIO
#define STBI_NO_LINEAR
#define STBI_NO_HDR
#define STBI_MAX_DIMENSIONS CLG_IMAGE_MAX_SIDE
#include <stb_image.h>

int clg_stb_info(const uint8_t *buf, int len, int *w, int *h)
{
    int n;
    return stbi_info_from_memory(buf, len, w, h, &n);
}

static uint32_t le32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }

/* stb's BMP reader keeps the palette in an uninitialised stack array and reads as many entries as
 * the pixel offset leaves room for (an OS/2 header's (offset - 38) / 3, others' (offset - 14 -
 * header) / 4, even when that is negative). A palettised BMP whose palette has fewer entries
 * than 2^bpp is rewritten into *padded with the missing entries as zeros (black); one whose pixel
 * offset lies inside its header is refused. Returns 1 padded, 0 left as it is, -1 refused. */
static int bmp_pad_palette(uint8_t **padded, int *newlen, const uint8_t *buf, int len)
{
    *padded = NULL;
    uint8_t hd[30] = {0}; /* the fields read, as stb reads them: zeros past the end of the file */
    memcpy(hd, buf, len < 30 ? (size_t)len : 30);
    if (hd[0] != 'B' || hd[1] != 'M') return 0;
    uint32_t offset = le32(hd + 10), hsz = le32(hd + 14);
    if (hsz != 12 && hsz != 40 && hsz != 56 && hsz != 108 && hsz != 124) return 0; /* stb refuses these */
    int bpp = hsz == 12 ? hd[24] | hd[25] << 8 : hd[28] | hd[29] << 8;
    if (bpp != 1 && bpp != 4 && bpp != 8) return 0;
    if ((size_t)len < 14 + (size_t)hsz || offset < (hsz == 12 ? 38u : 14 + hsz)) return -1;
    int entry = hsz == 12 ? 3 : 4;
    long psize = hsz == 12 ? ((long)offset - 38) / 3 : ((long)offset - 14 - (long)hsz) >> 2;
    long need = 1L << bpp;
    if (psize == 0 || psize >= need) return 0; /* stb refuses an empty palette itself */
    /* the palette ends at `at` (at most 14 + 124 + 255 * 4 bytes): the entries it lacks go there,
     * and a palette cut by the end of the file reads as zeros, as stb reads past the end */
    size_t add = (size_t)(need - psize) * (size_t)entry, at = 14 + (size_t)hsz + (size_t)psize * (size_t)entry;
    size_t total = ((size_t)len > at ? (size_t)len : at) + add;
    if (total > INT32_MAX) return -1;
    uint8_t *b = calloc(1, total);
    if (!b) return -1;
    memcpy(b, buf, (size_t)len < at ? (size_t)len : at);
    if ((size_t)len > at) memcpy(b + at + add, buf + at, (size_t)len - at);
    uint32_t off2 = offset + (uint32_t)add;
    b[10] = (uint8_t)off2, b[11] = (uint8_t)(off2 >> 8), b[12] = (uint8_t)(off2 >> 16), b[13] = (uint8_t)(off2 >> 24);
    *padded = b;
    *newlen = (int)total;
    return 1;
}

uint8_t *clg_stb_load_rgba(const uint8_t *buf, int len, int *w, int *h)
{
    int n, plen = 0;
    uint8_t *padded;
    int pad = bmp_pad_palette(&padded, &plen, buf, len);
    if (pad < 0) return stbi__errpuc("bad palette", "BMP pixel offset inside its header"), NULL;
    uint8_t *px = pad ? stbi_load_from_memory(padded, plen, w, h, &n, 4) : stbi_load_from_memory(buf, len, w, h, &n, 4);
    free(padded);
    return px;
}

const char *clg_stb_failure(void) { return stbi_failure_reason(); }
