/* fuzz.h — what the libFuzzer harnesses of tests/fuzz share: the input as an in-memory file
 * (for readers that take a path), and a property check that stops the run like a crash does, so
 * libFuzzer saves the input that broke it.
 */
#ifndef CLGAN_FUZZ_H
#define CLGAN_FUZZ_H

/* memfd_create needs _GNU_SOURCE, defined for the harnesses by tests/fuzz.cmake */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

/* A broken property: print it and abort (libFuzzer reports a crash and writes the input). */
#define FUZZ_CHECK(cond, ...)                                                        \
    do {                                                                             \
        if (!(cond)) {                                                               \
            fprintf(stderr, "%s:%d: property broken: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                            \
            fputc('\n', stderr);                                                     \
            abort();                                                                 \
        }                                                                            \
    } while (0)

/* Put `size` bytes into one anonymous in-memory file, reused across runs (no disk traffic), and
 * write a path to it into `path` ("/proc/self/fd/N"): opening that path reads from the start. */
static inline void fuzz_memfile(char path[64], const uint8_t *data, size_t size)
{
    static int fd = -1;
    if (fd < 0) fd = memfd_create("clgan-fuzz", 0);
    if (fd < 0 || ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size) {
        perror("fuzz: in-memory file");
        abort();
    }
    snprintf(path, 64, "/proc/self/fd/%d", fd);
}

/* Read every byte of [p, p + n) so that ASan reports a buffer shorter than it claims to be. */
static inline unsigned fuzz_touch(const void *p, size_t n)
{
    const volatile unsigned char *b = p;
    unsigned sum = 0;
    for (size_t i = 0; i < n; i++) sum += b[i];
    return sum;
}

#endif
