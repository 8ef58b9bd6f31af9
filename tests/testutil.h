/* testutil.h — shared helpers for the OpenCL tests: a CHECK macro that counts failures, a context
 * on the test device ($CLGAN_TEST_DEVICE, see test_device()), host<->device helpers,
 * a seeded host RNG, and the max-relative-error comparison every kernel test uses.
 * Each test program ends with `return test_summary("name");`, which prints
 * "N passed, M failed" and returns non-zero on any failure.
 */
#ifndef CLGAN_TESTUTIL_H
#define CLGAN_TESTUTIL_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/env.h"
#include "model/network.h"
#include "runtime/runtime.h"

static int t_pass, t_fail;

#define CHECK(cond, ...)                                                                       \
    do {                                                                                       \
        if (cond) t_pass++;                                                                    \
        else {                                                                                 \
            t_fail++;                                                                          \
            fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);                    \
            fprintf(stderr, __VA_ARGS__);                                                      \
            fputc('\n', stderr);                                                               \
        }                                                                                      \
    } while (0)

/* Stop the test on a library error (prints the context's message). */
#define CHECK_OK(ctx, expr)                                                                    \
    do {                                                                                       \
        int st_ = (expr);                                                                      \
        if (st_ != CLG_OK) {                                                                   \
            fprintf(stderr, "FAIL %s:%d: %s -> %s: %s\n", __FILE__, __LINE__, #expr,           \
                    clg_status_str(st_), clg_last_error(ctx));                                 \
            exit(1);                                                                           \
        }                                                                                      \
    } while (0)

/* A call that reports into the clg_err *e: CLG_OK, else the check fails with the message. */
#define CHECK_E(e, expr)                                                                       \
    do {                                                                                       \
        int st_ = (expr);                                                                      \
        CHECK(st_ == CLG_OK, "%s: %s", clg_status_str(st_), (e)->msg);                         \
    } while (0)

static inline int test_summary(const char *name)
{
    printf("%s: %d passed, %d failed\n", name, t_pass, t_fail);
    return t_fail ? 1 : 0;
}

/* The device the tests run on: $CLGAN_TEST_DEVICE (P:D or a name substring), which ctest sets for
 * every test (tests/CMakeLists.txt: PoCL, Oclgrind or rusticl by label), so that a CLGAN_DEVICE
 * meant for training never moves a test to another OpenCL implementation. Unset (a test run by
 * hand): clgan's default ($CLGAN_DEVICE, else the first GPU, else the first CPU). */
static inline const char *test_device(void)
{
    const char *d = getenv("CLGAN_TEST_DEVICE");
    return d && *d ? d : NULL;
}

/* A context on the test device, with the parameters the environment gives (as the CLI maps them:
 * CLGAN_GEMM, CLGAN_CACHE_DIR, CLGAN_NO_CACHE, ...; see src/cli/env.h). */
static inline int test_ctx_create(clg_ctx **ctx) { return clg_env_ctx_create(ctx, test_device(), 0); }

static inline clg_ctx *test_ctx(void)
{
    clg_ctx *ctx;
    if (test_ctx_create(&ctx) != CLG_OK) {
        fprintf(stderr, "cannot open the test device%s%s: %s\n", test_device() ? " $CLGAN_TEST_DEVICE=" : "",
                test_device() ? test_device() : "", clg_last_error(ctx));
        exit(1);
    }
    return ctx;
}

/* deterministic host values in [-1, 1) */
static inline float test_rand(unsigned *s)
{
    *s = *s * 1664525u + 1013904223u;
    return (float)((*s >> 8) & 0xffffff) / 8388608.0f - 1.0f;
}

static inline float *test_randv(size_t n, unsigned seed)
{
    float *v = malloc(n * sizeof *v);
    for (size_t i = 0; i < n; i++) v[i] = test_rand(&seed);
    return v;
}

/* n deterministic host values uniform in [lo, hi) */
static inline float *test_randu(size_t n, unsigned seed, float lo, float hi)
{
    float *v = malloc((n ? n : 1) * sizeof *v);
    for (size_t i = 0; i < n; i++) v[i] = lo + (hi - lo) * 0.5f * (test_rand(&seed) + 1.0f);
    return v;
}

/* monotonic seconds (tests report how long their sections took) */
static inline double test_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* A device buffer holding `host` (n floats). */
static inline clg_buf test_upload(clg_ctx *ctx, const float *host, size_t n)
{
    clg_buf b;
    CHECK_OK(ctx, clg_buf_alloc(ctx, &b, n, "test buffer"));
    if (host) CHECK_OK(ctx, clg_buf_write(ctx, &b, host, n, 1));
    return b;
}

static inline float *test_download(clg_ctx *ctx, const clg_buf *b, size_t n)
{
    float *h = malloc(n * sizeof *h);
    CHECK_OK(ctx, clg_buf_read(ctx, h, b, n));
    return h;
}

/* max over i of |a-b| / max(1, |b|)  (absolute near zero, relative elsewhere) */
static inline double test_maxerr(const float *a, const double *ref, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)a[i] - ref[i]) / fmax(1.0, fabs(ref[i]));
        if (!(d <= m)) m = d; /* NaN propagates as failure */
    }
    return m;
}

/* Oclgrind (21.10 and its current source) tracks "uninitialised" global memory per buffer, and
 * every host-side store (clEnqueueWriteBuffer, clEnqueueFillBuffer, clEnqueueCopyBuffer) replaces
 * the shadow of the *whole* buffer with one the size of that store (Uninitialized::
 * hostMemoryStore -> ShadowMemory::allocate): after a write at an offset, a fill or a copy, the
 * rest of the buffer reads as uninitialised and kernels' stores to it are dropped. clgan
 * zero-fills every buffer it allocates, so writing a whole buffer back in one store from offset
 * 0 only re-establishes what is true on a real device (and is a no-op there). */
static inline void test_shadow_sync(clg_ctx *ctx, const clg_buf *root)
{
    if (!root->n) return;
    float *h = test_download(ctx, root, root->n);
    CHECK_OK(ctx, clg_buf_write(ctx, (clg_buf *)root, h, root->n, 1));
    free(h);
}

static inline void test_net_sync(clg_ctx *ctx, clg_net *net)
{
    clg_buf *b[] = {&net->params, &net->grads, &net->opt_m,   &net->opt_v,     &net->buffers,
                    &net->acts,   &net->dbuf[0], &net->dbuf[1], &net->workspace, &net->scratch};
    for (size_t i = 0; i < sizeof b / sizeof b[0]; i++) test_shadow_sync(ctx, b[i]);
}

/* flatten's forward is a buffer copy into the activation arena, which Oclgrind counts as such a
 * store in the middle of clg_net_forward: tests that run networks there use an identity computed
 * by a kernel (leaky_relu slope=1 on a flat input) instead. */
static inline int test_on_oclgrind(const clg_ctx *ctx) { return strstr(ctx->platform_name, "Oclgrind") != NULL; }

/* A whole file as a NUL-terminated string (NULL if unreadable); *len gets its size. */
static inline char *test_slurp(const char *path, long *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = calloc((size_t)n + 1, 1);
    if (fread(s, 1, (size_t)n, f) != (size_t)n) n = 0;
    fclose(f);
    if (len) *len = n;
    return s;
}

#endif
