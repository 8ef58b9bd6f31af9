/* fuzz_image.c — libFuzzer harness for the image-folder decoder (src/data/folder.c): PNG, JPEG,
 * BMP, PPM, ... through stb_image, alpha compositing, channel conversion and resizing.
 *
 * The input is one image file, put alone in a folder in memory; the channels (1 or 3) and the
 * size (1 to 64 square or not) requested come from a hash of the input. Properties: an accepted
 * image comes back as exactly one image of the requested channels and size (its buffer holds
 * c*h*w bytes, all readable); a rejected one is counted as skipped, with a reason, and the load
 * fails with a message.
 */
#include <sanitizer/allocator_interface.h>
#include <stdlib.h>
#include <string.h>

#include "clgan/clgan.h"
#include "data/folder.h"
#include "fuzz/fuzz.h"

static char g_dir[64], g_file[96];

static void cleanup(void)
{
    remove(g_file);
    rmdir(g_dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!g_dir[0]) {
        snprintf(g_dir, sizeof g_dir, "/dev/shm/clgan-fuzz-XXXXXX");
        FUZZ_CHECK(mkdtemp(g_dir) != NULL, "cannot make a scratch folder");
        snprintf(g_file, sizeof g_file, "%s/image", g_dir);
        atexit(cleanup);
    }
    FILE *fp = fopen(g_file, "wb");
    FUZZ_CHECK(fp && fwrite(data, 1, size, fp) == size && fclose(fp) == 0, "cannot write %s", g_file);
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < size; i++) h = (h ^ data[i]) * 16777619u;
    int c = h & 1 ? 3 : 1, H = 1 + (int)(h >> 1) % 64, W = h & 2 ? H : 1 + (int)(h >> 8) % 64, bg = (int)(h >> 16) & 255;

    clg_folder f;
    char err[1024] = "";
    int st = clg_folder_load(&f, g_dir, c, H, W, bg, 0, err, sizeof err);
    if (st != CLG_OK) {
        FUZZ_CHECK(st == CLG_ERR_FORMAT && err[0] && f.data == NULL, "a bad image gave %d, \"%s\"", st, err);
        return 0;
    }
    FUZZ_CHECK(f.n == 1 && f.skipped == 0, "%d images, %d skipped from one file", f.n, f.skipped);
    FUZZ_CHECK(f.c == c && f.h == H && f.w == W, "asked for %dx%dx%d, got %dx%dx%d", c, H, W, f.c, f.h, f.w);
    size_t bytes = (size_t)c * H * W;
    FUZZ_CHECK(__sanitizer_get_allocated_size(f.data) >= bytes, "%zu bytes for a %zu-byte image",
               __sanitizer_get_allocated_size(f.data), bytes);
    fuzz_touch(f.data, bytes);
    clg_folder_free(&f);
    return 0;
}
