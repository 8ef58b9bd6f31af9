/* fuzz_npy.c — libFuzzer harness for the .npy reader (src/io/npy.c), from memory
 * (clg_npy_parse) and from a file (clg_npy_read).
 *
 * Properties of an accepted file: 1 to 4 dimensions, each > 0; the data holds exactly the product
 * of the shape float32 values (its allocation is that many times 4 bytes, every byte readable),
 * and the file was long enough to hold them. A rejected file leaves *data NULL and a message.
 * Reading the same bytes from a file gives the same status, shape and values.
 */
#include <sanitizer/allocator_interface.h>
#include <stdlib.h>

#include <string.h>

#include "clgan/clgan.h"
#include "fuzz/fuzz.h"
#include "io/npy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    clg_err e = {0};
    float *x = (float *)1;
    int ndim = -1, dims[4] = {0};
    int st = clg_npy_parse(&x, &ndim, dims, data, size, "fuzz.npy", &e);

    /* the file reader agrees */
    fuzz_memfile(path, data, size);
    float *y = (float *)1;
    int ndim2 = -1, dims2[4] = {0};
    char err2[512] = "";
    int st2 = clg_npy_read(&y, &ndim2, dims2, path, err2, sizeof err2);
    FUZZ_CHECK(st == st2, "from memory %d (%s), from a file %d (%s)", st, e.msg, st2, err2);

    if (st != CLG_OK) {
        FUZZ_CHECK(x == NULL && y == NULL && e.msg[0] && err2[0], "rejected (%d) without a message or with data", st);
        return 0;
    }
    FUZZ_CHECK(ndim >= 1 && ndim <= 4, "ndim %d", ndim);
    size_t count = 1;
    for (int i = 0; i < ndim; i++) {
        FUZZ_CHECK(dims[i] > 0, "dims[%d] = %d", i, dims[i]);
        FUZZ_CHECK(!__builtin_mul_overflow(count, (size_t)dims[i], &count), "the shape's product overflows");
    }
    FUZZ_CHECK(count * 4 <= size, "%zu values from a %zu-byte file", count, size);
    size_t got = __sanitizer_get_allocated_size(x);
    FUZZ_CHECK(got == count * 4, "the data has %zu bytes, the shape says %zu values (%zu bytes)", got, count,
               count * 4);
    fuzz_touch(x, count * 4);
    FUZZ_CHECK(ndim2 == ndim && !memcmp(dims, dims2, sizeof dims[0] * (size_t)ndim) && !memcmp(x, y, count * 4),
               "the file reader gives another shape or other values");
    free(x);
    free(y);
    return 0;
}
