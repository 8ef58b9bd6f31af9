/* stb_bmp_tga.h — a private copy of stb_image limited to its BMP and TGA decoders, for folder.c. */
#ifndef CLGAN_DATA_STB_BMP_TGA_H
#define CLGAN_DATA_STB_BMP_TGA_H

#include <stdint.h>

/* stbi_info_from_memory / stbi_load_from_memory (4 channels) of that copy; the reason of the
 * last failure. Sides above CLG_IMAGE_MAX_SIDE are refused inside the decoders. */
int clg_stb_info(const uint8_t *buf, int len, int *w, int *h);
uint8_t *clg_stb_load_rgba(const uint8_t *buf, int len, int *w, int *h);
const char *clg_stb_failure(void);

#endif
