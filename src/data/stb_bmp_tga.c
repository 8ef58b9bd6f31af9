/* stb_bmp_tga.c — stb_image compiled with only its BMP and TGA decoders (the others in Debian's
 * snapshot are not safe on crafted files), with a maximum side, and static so that it cannot
 * clash with the shared libstb. Its unused declarations warn at the end of this file, hence the
 * file-wide pragma.
 */
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wsign-compare"

#include "data/folder.h"
#include "data/stb_bmp_tga.h"

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

uint8_t *clg_stb_load_rgba(const uint8_t *buf, int len, int *w, int *h)
{
    int n;
    return stbi_load_from_memory(buf, len, w, h, &n, 4);
}

const char *clg_stb_failure(void) { return stbi_failure_reason(); }
