/* fuzz_npy.c — libFuzzer harness for the .npy reader (src/io/npy.c).
 *
 * Properties of an accepted file: 1 to 4 dimensions, each > 0; the data holds exactly the product
 * of the shape float32 values (its allocation is that many times 4 bytes, every byte readable),
 * and the file was long enough to hold them. A rejected file leaves *data NULL and a message.
 */
#include <sanitizer/allocator_interface.h>
#include <stdlib.h>

#include "clgan/clgan.h"
#include "fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64], err[512] = "";
    fuzz_memfile(path, data, size);
    float *x = (float *)1;
    int ndim = -1, dims[4] = {0};
    int st = clg_npy_read(&x, &ndim, dims, path, err, sizeof err);
    if (st != CLG_OK) {
        FUZZ_CHECK(x == NULL && err[0], "rejected (%d) without a message or with data", st);
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
    free(x);
    return 0;
}
