/* folder.h — an image-folder data set: every PNG/JPEG/BMP/TGA (and whatever else stb_image
 * reads) below a folder, decoded once, resized to a fixed size and turned into 1 or 3 channels.
 */
#ifndef CLGAN_DATA_FOLDER_H
#define CLGAN_DATA_FOLDER_H

#include <stddef.h>
#include <stdint.h>

typedef struct clg_folder {
    uint8_t *data;   /* n images of (c, h, w) bytes, CHW */
    int n, c, h, w;
    int skipped;     /* files that could not be decoded */
    char first_skipped[512];
} clg_folder;

/* Decode the images below `dir` (recursively, in sorted path order so runs are reproducible)
 * into c channels of h x w: alpha is composited onto the grey level `background`, grey images
 * are replicated for c = 3 and colour averaged (ITU-R 601 luma) for c = 1; images are resized
 * with stb_image_resize. limit > 0 stops after that many images. Unreadable files are skipped
 * and counted. A missing folder, or one without any readable image, is an error (CLG_ERR_IO /
 * CLG_ERR_FORMAT with one line in err). */
int clg_folder_load(clg_folder *out, const char *dir, int c, int h, int w, int background, int limit, char *err,
                    size_t errlen);
void clg_folder_free(clg_folder *f);

#endif
