/* fuzz_config.c — libFuzzer harness for configurations (src/config/) and every layer's
 * shape inference (src/layers/), without a device.
 *
 * The input is INI text. Properties of an accepted config: its resolved text (every key written
 * out) parses again, to the same text; the generator's layers, built on the host from its
 * `input` shape, and the discriminator's, built on the generator's output, either are rejected
 * with a message or have non-empty shapes and parameters matching their declared shapes
 * (host_shapes.h). A rejected config gives a message and no config.
 */
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "fuzz/fuzz.h"
#include "fuzz/host_shapes.h"

static void shapes(struct clg_config *c)
{
    static clg_net g, d; /* large: kept out of the stack */
    char err[1024] = "";
    clg_shape in, gout, dout;
    if (clg_net_parse_input(&in, c->gen.input) != 0) return;
    int batch = c->train.batch;
    if (fuzz_net_shapes(&g, &gout, &c->gen, in, batch, err, sizeof err) == CLG_OK) {
        FUZZ_CHECK(gout.c > 0 && gout.h > 0 && gout.w > 0, "generator output %dx%dx%d", gout.c, gout.h, gout.w);
        if (fuzz_net_shapes(&d, &dout, &c->disc, gout, batch, err, sizeof err) != CLG_OK)
            FUZZ_CHECK(err[0], "discriminator rejected without a message");
        fuzz_net_destroy(&d);
    } else FUZZ_CHECK(err[0], "generator rejected without a message");
    fuzz_net_destroy(&g);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    clg_err e = {0};
    clg_config *c = (clg_config *)1;
    int st = clg_config_load_buffer(&c, (const char *)data, size, "fuzz.ini", &e);
    if (st != CLG_OK) {
        FUZZ_CHECK(c == NULL && e.msg[0], "rejected (%d) without a message or with a config", st);
        return 0;
    }
    char *t1, *t2;
    size_t n1, n2;
    FUZZ_CHECK(clg_config_write_text(&t1, &n1, c) == CLG_OK, "the resolved text cannot be written");
    FUZZ_CHECK(strlen(t1) == n1, "the resolved text has %zu bytes but a NUL at %zu", n1, strlen(t1));
    clg_config *c2;
    st = clg_config_load_buffer(&c2, t1, n1, "resolved.ini", &e);
    FUZZ_CHECK(st == CLG_OK, "the resolved text does not parse again: %s\n--- resolved text:\n%s", e.msg, t1);
    FUZZ_CHECK(clg_config_write_text(&t2, &n2, c2) == CLG_OK, "the second resolved text cannot be written");
    FUZZ_CHECK(n1 == n2 && !memcmp(t1, t2, n1), "the resolved text changes when parsed again\n--- first:\n%s--- second:\n%s",
               t1, t2);
    free(t1);
    free(t2);
    clg_config_free(c2);
    shapes(c);
    clg_config_free(c);
    return 0;
}
