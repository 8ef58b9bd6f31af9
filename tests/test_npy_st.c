/* test_npy_st.c — the .npy and safetensors readers on crafted files and buffers: shapes whose
 * product wraps to 0, headers announcing gigabytes with no data behind them (nothing may be
 * allocated for them), non-integer, negative and huge dimensions, offsets outside the data,
 * metadata that is not a string map; and good files read back from files and from memory.
 * usage: test_npy_st SCRATCH
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "clgan/clgan.h"
#include "io/npy.h"
#include "io/safetensors.h"
#include "testutil.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

static clg_err ce; /* the last message */
static char scratch[512];

/* A .npy file: version-1 header holding `dict`, then `ndata` bytes of data (1.0f, 2.0f, ...). */
static size_t make_npy(unsigned char *b, const char *dict, size_t ndata)
{
    size_t n = strlen(dict), hl = (10 + n + 1 + 63) / 64 * 64 - 10;
    memcpy(b, "\x93NUMPY\x01\x00", 8);
    b[8] = (unsigned char)(hl & 255), b[9] = (unsigned char)(hl >> 8);
    memset(b + 10, ' ', hl);
    memcpy(b + 10, dict, n);
    b[10 + hl - 1] = '\n';
    for (size_t i = 0; i < ndata; i++) {
        float v = (float)(i / 4 + 1);
        b[10 + hl + i] = ((unsigned char *)&v)[i % 4];
    }
    return 10 + hl + ndata;
}

static int npy(const unsigned char *b, size_t n, int *nd, int dims[4], float **z)
{
    return clg_npy_parse(z, nd, dims, b, n, "mem.npy", &ce);
}

static void spit(const char *path, const void *b, size_t n)
{
    FILE *f = fopen(path, "wb");
    fwrite(b, 1, n, f);
    fclose(f);
}

/* A safetensors buffer from a JSON header and `ndata` zero bytes of data. */
static size_t make_st(unsigned char *b, const char *json, size_t ndata)
{
    size_t hl = strlen(json);
    for (int i = 0; i < 8; i++) b[i] = (unsigned char)((uint64_t)hl >> (8 * i));
    memcpy(b + 8, json, hl);
    memset(b + 8 + hl, 0, ndata);
    return 8 + hl + ndata;
}

static int st_mem(const char *json, size_t ndata)
{
    static unsigned char b[8192];
    clg_st_file f;
    size_t n = make_st(b, json, ndata);
    int st = clg_st_parse(&f, b, n, "mem.safetensors", &ce);
    if (st == CLG_OK) clg_st_free(&f);
    return st;
}

int main(int argc, char **argv)
{
    if (argc < 2) return fprintf(stderr, "usage: test_npy_st SCRATCH\n"), 2;
    snprintf(scratch, sizeof scratch, "%s", argv[1]);
    mkdir(scratch, 0755);
    static unsigned char b[1 << 16];
    char path[700];
    float *z = NULL;
    int nd, dims[4];
    size_t n;

    /* --- .npy --- */
    n = make_npy(b, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 24);
    CHECK(npy(b, n, &nd, dims, &z) == CLG_OK && nd == 2 && dims[0] == 2 && dims[1] == 3 && z && z[0] == 1.0f &&
              z[5] == 6.0f,
          "good npy: %s", ce.msg);
    free(z);
    n = make_npy(b, "{'descr':'<f4','fortran_order':False,'shape':(5,)}", 20);
    CHECK(npy(b, n, &nd, dims, &z) == CLG_OK && nd == 1 && dims[0] == 5, "compact npy header: %s", ce.msg);
    free(z);

    /* 2^30 x 2^30 x 16 wraps a 64-bit product to 0: an error, not an empty array */
    n = make_npy(b, "{'descr': '<f4', 'fortran_order': False, 'shape': (1073741824, 1073741824, 16), }", 0);
    z = (float *)b;
    CHECK(npy(b, n, &nd, dims, &z) == CLG_ERR_FORMAT && strstr(ce.msg, "2^30") && !z, "wrapping shape: %s", ce.msg);
    snprintf(path, sizeof path, "%s/wrap.npy", scratch);
    spit(path, b, n);
    CHECK(clg_npy_read(&z, &nd, dims, path, ce.msg, sizeof ce.msg) == CLG_ERR_FORMAT && strstr(ce.msg, path) && !z,
          "wrapping shape from a file: %s", ce.msg);
    /* non-integers and signs are not dimensions */
    n = make_npy(b, "{'descr': '<f4', 'fortran_order': False, 'shape': (2e3,), }", 24);
    CHECK(npy(b, n, &nd, dims, &z) == CLG_ERR_FORMAT && strstr(ce.msg, "integers"), "shape (2e3,): %s", ce.msg);
    n = make_npy(b, "{'descr': '<f4', 'fortran_order': False, 'shape': (-2, 3), }", 24);
    CHECK(npy(b, n, &nd, dims, &z) == CLG_ERR_FORMAT, "shape (-2, 3): %s", ce.msg);
    n = make_npy(b, "{'descr': '<f4', 'fortran_order': False, 'shape': (), }", 4);
    CHECK(npy(b, n, &nd, dims, &z) == CLG_ERR_FORMAT, "scalar: %s", ce.msg);
    n = make_npy(b, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 1, 1, 1), }", 4);
    CHECK(npy(b, n, &nd, dims, &z) == CLG_ERR_FORMAT && strstr(ce.msg, "4 dimensions"), "5 dims: %s", ce.msg);
    n = make_npy(b, "{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }", 8);
    CHECK(npy(b, n, &nd, dims, &z) == CLG_ERR_FORMAT && strstr(ce.msg, "Fortran"), "Fortran order: %s", ce.msg);
    n = make_npy(b, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 12);
    CHECK(npy(b, n, &nd, dims, &z) == CLG_ERR_FORMAT && strstr(ce.msg, "after the data"), "trailing bytes: %s", ce.msg);
    CHECK(npy(b, 9, &nd, dims, &z) == CLG_ERR_FORMAT, "9 bytes: %s", ce.msg);

    /* A header announcing 2^30 floats (4 GiB) with no data: refused as truncated before any
     * allocation. With the address space limited to 1 GiB more than now, allocating first would
     * fail as out of memory instead. */
    n = make_npy(b, "{'descr': '<f4', 'fortran_order': False, 'shape': (1073741824,), }", 0);
    snprintf(path, sizeof path, "%s/huge.npy", scratch);
    spit(path, b, n);
    struct rlimit old;
    int limited = 0;
#ifndef UNDER_ASAN
    FILE *sf = fopen("/proc/self/statm", "r");
    unsigned long pages = 0;
    if (sf && fscanf(sf, "%lu", &pages) == 1 && getrlimit(RLIMIT_AS, &old) == 0) {
        struct rlimit lim = old;
        lim.rlim_cur = pages * 4096ul + (1ul << 30);
        limited = setrlimit(RLIMIT_AS, &lim) == 0;
    }
    if (sf) fclose(sf);
#endif
    int st = clg_npy_read(&z, &nd, dims, path, ce.msg, sizeof ce.msg);
    if (limited) setrlimit(RLIMIT_AS, &old);
    CHECK(st == CLG_ERR_FORMAT && strstr(ce.msg, "truncated") && !z, "4 GiB header, no data (%s): %s",
          limited ? "address space limited" : "unlimited", ce.msg);

    /* --- safetensors --- */
    CHECK(st_mem("{\"a\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]},"
                 "\"__metadata__\":{\"k\":\"v\"}}", 24) == CLG_OK, "good: %s", ce.msg);
    CHECK(st_mem("{\"a\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[0,0]}}", 0) == CLG_OK,
          "empty tensor: %s", ce.msg);
    /* [1e300, 0]: the float -> int64 cast was undefined and the product 0 let it through */
    /* a tensor named twice: which one a lookup finds would depend on order */
    CHECK(st_mem("{\"d\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                 "\"e\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]},"
                 "\"d\":{\"dtype\":\"F32\",\"shape\":[0,1],\"data_offsets\":[4,4]}}", 4) == CLG_ERR_FORMAT &&
              strstr(ce.msg, "\"d\" appears twice"),
          "a tensor named twice: %s", ce.msg);
    CHECK(st_mem("{\"a\":{\"dtype\":\"F32\",\"shape\":[1e300,0],\"data_offsets\":[0,0]}}", 0) == CLG_ERR_FORMAT &&
              strstr(ce.msg, "integers"),
          "shape [1e300, 0]: %s", ce.msg);
    CHECK(st_mem("{\"a\":{\"dtype\":\"F32\",\"shape\":[2,3.5],\"data_offsets\":[0,28]}}", 28) == CLG_ERR_FORMAT,
          "shape [2, 3.5]: %s", ce.msg);
    CHECK(st_mem("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1,-2],\"data_offsets\":[0,8]}}", 8) == CLG_ERR_FORMAT,
          "shape [-1, -2]: %s", ce.msg);
    CHECK(st_mem("{\"a\":{\"dtype\":\"F32\",\"shape\":[\"2\"],\"data_offsets\":[0,8]}}", 8) == CLG_ERR_FORMAT,
          "shape [\"2\"]: %s", ce.msg);
    CHECK(st_mem("{\"a\":{\"dtype\":\"U8\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,0]}}", 0) ==
              CLG_ERR_FORMAT,
          "2^64 elements: %s", ce.msg);
    CHECK(st_mem("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[\"0\",8]}}", 8) == CLG_ERR_FORMAT,
          "string offset: %s", ce.msg);
    CHECK(st_mem("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0.5,8.5]}}", 9) == CLG_ERR_FORMAT,
          "fractional offsets: %s", ce.msg);
    CHECK(st_mem("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", 8) == CLG_ERR_FORMAT &&
              strstr(ce.msg, "truncated"),
          "offsets past the data: %s", ce.msg);
    CHECK(st_mem("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,12]}}", 12) == CLG_ERR_FORMAT,
          "byte count disagrees with the shape: %s", ce.msg);
    CHECK(st_mem("{\"a\":{\"dtype\":\"Q7\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8) == CLG_ERR_FORMAT,
          "unknown dtype: %s", ce.msg);
    /* metadata must be a map of strings (an array of strings made it dereference NULL names) */
    CHECK(st_mem("{\"__metadata__\":[\"x\",\"y\"]}", 0) == CLG_ERR_FORMAT && strstr(ce.msg, "__metadata__"),
          "metadata array: %s", ce.msg);
    CHECK(st_mem("{\"__metadata__\":{\"k\":3}}", 0) == CLG_ERR_FORMAT, "metadata number: %s", ce.msg);
    CHECK(st_mem("[1,2]", 0) == CLG_ERR_FORMAT, "header array: %s", ce.msg);
    {
        clg_st_file f;
        CHECK(clg_st_parse(&f, "\xff\xff\xff\xff\xff\xff\xff\xff{}", 10, "mem", &ce) == CLG_ERR_FORMAT,
              "header length 2^64-1: %s", ce.msg);
        CHECK(clg_st_parse(&f, "\x01", 1, "mem", &ce) == CLG_ERR_FORMAT, "1 byte: %s", ce.msg);
    }

    /* a file written by clg_st_write reads back the same from the file and from memory */
    clg_st_file w = {0}, r;
    float vals[6] = {1, 2, 3, 4, 5, 6};
    int64_t shp[2] = {2, 3};
    clg_st_add(&w, "x", "F32", 2, shp, vals, sizeof vals);
    /* an empty tensor with a dimension of 2^53 - 1: every digit written (cJSON's own number
     * printing rounds it to 15 significant digits) */
    int64_t big[2] = {0, 9007199254740991};
    clg_st_add(&w, "big", "F32", 2, big, vals, 0);
    clg_st_set_meta(&w, "step", "7");
    snprintf(path, sizeof path, "%s/good.safetensors", scratch);
    CHECK(clg_st_write(&w, path, &ce) == CLG_OK, "write: %s", ce.msg);
    free(w.t);
    for (int i = 0; i < w.nmeta; i++) free(w.meta_keys[i]), free(w.meta_vals[i]);
    free(w.meta_keys), free(w.meta_vals);
    long len = 0;
    char *blob = test_slurp(path, &len);
    CHECK(blob && clg_st_parse(&r, blob, (size_t)len, path, &ce) == CLG_OK, "parse: %s", ce.msg);
    CHECK(r.n == 2, "%d tensors read back", r.n);
    if (blob && r.n == 2) {
        const clg_st_tensor *t = clg_st_find(&r, "x");
        CHECK(t && t->ndim == 2 && t->dims[1] == 3 && !memcmp(t->data, vals, sizeof vals), "tensor x read back");
        t = clg_st_find(&r, "big");
        CHECK(t && t->ndim == 2 && t->dims[0] == 0 && t->dims[1] == 9007199254740991 && t->nbytes == 0,
              "a dimension of 2^53 - 1 read back as %lld", t ? (long long)t->dims[1] : -1LL);
        CHECK(clg_st_meta(&r, "step") && !strcmp(clg_st_meta(&r, "step"), "7"), "metadata read back");
        clg_st_free(&r);
    }
    free(blob);
    return test_summary("npy_safetensors");
}
