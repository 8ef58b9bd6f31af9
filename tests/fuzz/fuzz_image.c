/* fuzz_image.c — libFuzzer harness for the image decoder behind image folders
 * (clg_image_decode, src/data/folder.c): PNG (libpng), JPEG (libjpeg-turbo), PGM/PPM, BMP and TGA,
 * alpha compositing, channel conversion and resizing.
 *
 * The input is one image file; the channels (1 or 3), the size (1 to 64, square or not) and the
 * background requested come from a hash of the input. Properties: an accepted image fills exactly
 * the c*h*w bytes asked for (the output buffer is that size, so ASan sees any write past it, and a
 * canary pattern shows bytes left unwritten); a refused one says why, with CLG_ERR_FORMAT.
 */
#include <stdlib.h>
#include <string.h>

#include "clgan/clgan.h"
#include "data/folder.h"
#include "fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < size; i++) h = (h ^ data[i]) * 16777619u;
    int c = h & 1 ? 3 : 1, H = 1 + (int)(h >> 1) % 64, W = h & 2 ? H : 1 + (int)(h >> 8) % 64, bg = (int)(h >> 16) & 255;
    size_t bytes = (size_t)c * H * W;
    /* two runs over buffers filled with different canaries: a byte the decoder did not write
     * keeps its canary and the two outputs differ there */
    uint8_t *a = malloc(bytes), *b = malloc(bytes);
    memset(a, 0x00, bytes);
    memset(b, 0xff, bytes);
    clg_err why = {0};
    int st = clg_image_decode(a, data, size, c, H, W, bg, &why);
    if (st != CLG_OK) {
        FUZZ_CHECK((st == CLG_ERR_FORMAT || st == CLG_ERR_NOMEM) && why.msg[0], "a bad image gave %d, \"%s\"", st, why.msg);
    } else {
        int st2 = clg_image_decode(b, data, size, c, H, W, bg, &why);
        FUZZ_CHECK(st2 == CLG_OK, "the same image decoded once, then not: %s", why.msg);
        FUZZ_CHECK(!memcmp(a, b, bytes), "the %dx%dx%d output is not fully written (or not deterministic)", c, H, W);
    }
    free(a);
    free(b);
    return 0;
}
