/* fixture.h — reads reference tensors written by tools/torch_fixtures.py (PyTorch), so tests
 * can compare against PyTorch without needing Python.
 *
 * File format (little-endian): magic "CLGFIX01", uint32 count, then per tensor: uint32 name
 * length, the name bytes, uint32 ndim, ndim x uint32 dims, then prod(dims) float32 values.
 */
#ifndef CLGAN_FIXTURE_H
#define CLGAN_FIXTURE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct fix_tensor {
    char name[64];
    int ndim, dims[6];
    size_t count;
    float *data;
} fix_tensor;

typedef struct fixture {
    int n;
    fix_tensor *t;
} fixture;

/* Load a fixture file; returns 0, or -1 with a message on stderr. */
static inline int fixture_load(fixture *f, const char *path)
{
    memset(f, 0, sizeof *f);
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        fprintf(stderr, "%s: cannot open fixture\n", path);
        return -1;
    }
    char magic[8];
    uint32_t count;
    if (fread(magic, 1, 8, fp) != 8 || memcmp(magic, "CLGFIX01", 8) || fread(&count, 4, 1, fp) != 1 || count > 4096) {
        fprintf(stderr, "%s: not a clgan fixture file (magic CLGFIX01)\n", path);
        fclose(fp);
        return -1;
    }
    f->t = calloc(count, sizeof *f->t);
    for (uint32_t i = 0; i < count; i++) {
        fix_tensor *t = &f->t[i];
        uint32_t len, nd, d;
        if (fread(&len, 4, 1, fp) != 1 || len >= sizeof t->name || fread(t->name, 1, len, fp) != len ||
            fread(&nd, 4, 1, fp) != 1 || nd > 6)
            goto bad;
        t->ndim = (int)nd;
        t->count = 1;
        for (uint32_t k = 0; k < nd; k++) {
            if (fread(&d, 4, 1, fp) != 1 || d > (1u << 28)) goto bad;
            t->dims[k] = (int)d;
            t->count *= d;
        }
        t->data = malloc(t->count * sizeof(float) + 1);
        if (fread(t->data, sizeof(float), t->count, fp) != t->count) goto bad;
        f->n++;
    }
    fclose(fp);
    return 0;
bad:
    fprintf(stderr, "%s: truncated or corrupt fixture\n", path);
    fclose(fp);
    return -1;
}

static inline const fix_tensor *fixture_get(const fixture *f, const char *name)
{
    for (int i = 0; i < f->n; i++)
        if (!strcmp(f->t[i].name, name)) return &f->t[i];
    fprintf(stderr, "fixture has no tensor \"%s\"\n", name);
    return NULL;
}

static inline void fixture_free(fixture *f)
{
    for (int i = 0; i < f->n; i++) free(f->t[i].data);
    free(f->t);
    memset(f, 0, sizeof *f);
}

#endif
