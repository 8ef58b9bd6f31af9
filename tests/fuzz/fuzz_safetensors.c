/* fuzz_safetensors.c — libFuzzer harness for the safetensors reader and writer
 * (src/io/safetensors.c), the checkpoint container, from memory (clg_st_parse).
 *
 * Properties of an accepted file: every tensor has a known dtype, a non-negative shape and
 * exactly the bytes they imply, inside the file's data section (st_util.h); writing it out and
 * reading that file back (clg_st_read) gives the same tensors (names, dtypes, shapes, bytes) and
 * metadata.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz.h"
#include "fuzz/st_util.h"

static char g_dir[64];

static void cleanup(void)
{
    char p[128];
    snprintf(p, sizeof p, "%s/f.safetensors", g_dir);
    remove(p);
    rmdir(g_dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char out[128];
    clg_err e = {0};
    if (!g_dir[0]) { /* a folder in memory for the written copy */
        snprintf(g_dir, sizeof g_dir, "/dev/shm/clgan-fuzz-XXXXXX");
        FUZZ_CHECK(mkdtemp(g_dir) != NULL, "cannot make a scratch folder");
        atexit(cleanup);
    }
    clg_st_file f;
    int st = clg_st_parse(&f, data, size, "fuzz.safetensors", &e);
    if (st != CLG_OK) {
        FUZZ_CHECK(e.msg[0] && f.n == 0 && f.blob == NULL, "rejected (%d) without a message or with tensors", st);
        return 0;
    }
    fuzz_check_tensors(&f, data, size);

    snprintf(out, sizeof out, "%s/f.safetensors", g_dir);
    st = clg_st_write(&f, out, &e);
    FUZZ_CHECK(st == CLG_OK, "an accepted file cannot be written: %s", e.msg);
    clg_st_file g;
    st = clg_st_read(&g, out, &e);
    FUZZ_CHECK(st == CLG_OK, "a written file does not read back: %s", e.msg);
    FUZZ_CHECK(g.n == f.n && g.nmeta == f.nmeta, "%d tensors and %d metadata written, %d and %d read back", f.n,
               f.nmeta, g.n, g.nmeta);
    for (int i = 0; i < f.n; i++) {
        const clg_st_tensor *a = &f.t[i], *b = &g.t[i];
        FUZZ_CHECK(!strcmp(a->name, b->name) && !strcmp(a->dtype, b->dtype) && a->ndim == b->ndim &&
                       !memcmp(a->dims, b->dims, sizeof a->dims[0] * (size_t)a->ndim) && a->nbytes == b->nbytes &&
                       (a->nbytes == 0 || !memcmp(a->data, b->data, a->nbytes)),
                   "tensor %d (%s) changed on the round trip", i, a->name);
    }
    for (int i = 0; i < f.nmeta; i++)
        FUZZ_CHECK(!strcmp(f.meta_keys[i], g.meta_keys[i]) && !strcmp(f.meta_vals[i], g.meta_vals[i]),
                   "metadata %s changed on the round trip", f.meta_keys[i]);
    clg_st_free(&g);
    clg_st_free(&f);
    return 0;
}
