/* st_util.h — checks shared by the safetensors and checkpoint harnesses: every tensor a reader
 * accepted lies inside the file's data section and has exactly the bytes its dtype and shape say.
 */
#ifndef CLGAN_FUZZ_ST_UTIL_H
#define CLGAN_FUZZ_ST_UTIL_H

#include <string.h>

#include "clgan/clgan.h"
#include "fuzz/fuzz.h"
#include "io/safetensors.h"

/* Bytes per element of the dtypes safetensors names (0: not one of them). */
static size_t fuzz_dtype_size(const char *d)
{
    static const struct { const char *name; size_t size; } t[] = {
        {"F64", 8}, {"I64", 8}, {"U64", 8}, {"F32", 4}, {"I32", 4}, {"U32", 4}, {"F16", 2},
        {"BF16", 2}, {"I16", 2}, {"U16", 2}, {"U8", 1}, {"I8", 1}, {"BOOL", 1}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (!strcmp(d, t[i].name)) return t[i].size;
    return 0;
}

/* Check every tensor of `f`, read from the `size` bytes of `file`. */
static void fuzz_check_tensors(const clg_st_file *f, const uint8_t *file, size_t size)
{
    FUZZ_CHECK(size >= 8, "a %zu-byte file was accepted", size);
    uint64_t hl = 0;
    for (int i = 0; i < 8; i++) hl |= (uint64_t)file[i] << (8 * i);
    FUZZ_CHECK(hl <= size - 8, "header length %llu in a %zu-byte file", (unsigned long long)hl, size);
    FUZZ_CHECK(f->n >= 0 && f->nmeta >= 0, "counts %d %d", f->n, f->nmeta);
    for (int i = 0; i < f->n; i++) {
        const clg_st_tensor *t = &f->t[i];
        size_t es = fuzz_dtype_size(t->dtype), count = 1;
        FUZZ_CHECK(es > 0, "tensor %s: dtype \"%s\"", t->name, t->dtype);
        FUZZ_CHECK(t->ndim >= 0 && t->ndim <= CLG_ST_MAX_DIMS, "tensor %s: %d dimensions", t->name, t->ndim);
        for (int k = 0; k < t->ndim; k++) {
            FUZZ_CHECK(t->dims[k] >= 0, "tensor %s: dimension %d is %lld", t->name, k, (long long)t->dims[k]);
            FUZZ_CHECK(!__builtin_mul_overflow(count, (size_t)t->dims[k], &count), "tensor %s: shape overflows",
                       t->name);
        }
        FUZZ_CHECK(!__builtin_mul_overflow(count, es, &count) && t->nbytes == count,
                   "tensor %s: %zu bytes for its dtype and shape, %zu given", t->name, count, t->nbytes);
        /* its bytes come from the data section of the blob the reader keeps */
        const uint8_t *data = f->blob + 8 + hl, *end = f->blob + size, *p = t->data;
        FUZZ_CHECK(t->nbytes == 0 || (p >= data && p <= end && t->nbytes <= (size_t)(end - p)),
                   "tensor %s: its %zu bytes are not inside the data section", t->name, t->nbytes);
        if (t->nbytes) FUZZ_CHECK(!memcmp(p, file + (p - f->blob), t->nbytes), "tensor %s: bytes differ", t->name);
    }
    for (int i = 0; i < f->nmeta; i++)
        FUZZ_CHECK(f->meta_keys[i] && f->meta_vals[i], "metadata %d is NULL", i);
}

#endif
