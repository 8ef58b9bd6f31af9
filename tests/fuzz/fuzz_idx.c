/* fuzz_idx.c — libFuzzer harness for the IDX reader (src/data/idx.c), raw and gzip.
 *
 * Properties of an accepted file: 1 to 4 dimensions, dims[0] == n, item_size the product of the
 * other dimensions, every one of the n * item_size bytes readable; loading again with a limit
 * gives exactly the first `limit` items. A rejected file leaves the output zeroed and a message.
 */
#include <string.h>

#include "data/idx.h"
#include "fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    clg_err err = {0};
    fuzz_memfile(path, data, size);
    clg_idx a;
    int st = clg_idx_load(&a, path, 0, &err);
    if (st != CLG_OK) {
        FUZZ_CHECK(a.data == NULL && a.n == 0 && a.ndim == 0, "rejected, but the output is not zeroed");
        FUZZ_CHECK(err.msg[0] != 0, "rejected without a message");
        return 0;
    }
    FUZZ_CHECK(a.ndim >= 1 && a.ndim <= 4, "ndim %d", a.ndim);
    FUZZ_CHECK(a.n >= 0 && a.dims[0] == a.n, "n %d, dims[0] %d", a.n, a.dims[0]);
    size_t item = 1;
    for (int i = 1; i < a.ndim; i++) {
        FUZZ_CHECK(a.dims[i] >= 0, "dims[%d] = %d", i, a.dims[i]);
        item *= (size_t)a.dims[i];
    }
    FUZZ_CHECK(a.item_size == item, "item_size %zu, product of dims %zu", a.item_size, item);
    size_t total = (size_t)a.n * a.item_size;
    FUZZ_CHECK(total <= size * 1032u + 1024u, "%zu bytes of data from a %zu-byte file", total, size); /* deflate's limit */
    fuzz_touch(a.data, total);

    if (a.n > 1) {
        int limit = a.n / 2;
        clg_idx b;
        st = clg_idx_load(&b, path, limit, &err);
        FUZZ_CHECK(st == CLG_OK, "the whole file loads but its first %d items do not: %s", limit, err.msg);
        FUZZ_CHECK(b.n == limit && b.ndim == a.ndim && b.item_size == a.item_size, "limit %d gave n %d", limit, b.n);
        FUZZ_CHECK(memcmp(a.data, b.data, (size_t)limit * a.item_size) == 0, "limited load differs");
        clg_idx_free(&b);
    }
    clg_idx_free(&a);
    return 0;
}
