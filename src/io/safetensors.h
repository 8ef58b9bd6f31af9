/* safetensors.h — reading and writing safetensors files (8-byte little-endian header length,
 * a JSON header naming each tensor's dtype, shape and byte range, then the raw little-endian
 * data), the checkpoint format. The JSON is handled by cJSON.
 */
#ifndef CLGAN_SAFETENSORS_H
#define CLGAN_SAFETENSORS_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define CLG_ST_MAX_DIMS 6

typedef struct clg_st_tensor {
    char name[160];
    char dtype[8];     /* "F32", "I64", ... */
    int ndim;
    int64_t dims[CLG_ST_MAX_DIMS];
    const void *data;  /* reading: points into the file's data; writing: the caller's data */
    size_t nbytes;
} clg_st_tensor;

typedef struct clg_st_file {
    clg_st_tensor *t;
    int n, cap;
    char **meta_keys, **meta_vals;
    int nmeta, meta_cap;
    unsigned char *blob; /* reading: the whole file */
} clg_st_file;

/* Read a safetensors file; every malformation (short file, absurd header length, bad JSON, a
 * tensor whose shape is not a list of integers, whose bytes fall outside the data or disagree
 * with its shape and dtype, metadata that is not strings) is an error naming the path
 * (CLG_ERR_IO / CLG_ERR_FORMAT / CLG_ERR_NOMEM, the message in e). */
int clg_st_read(clg_st_file *f, const char *path, clg_err *e);
/* The same on a file held in memory (buf, len bytes, copied), `name` naming it in messages. */
int clg_st_parse(clg_st_file *f, const void *buf, size_t len, const char *name, clg_err *e);
const clg_st_tensor *clg_st_find(const clg_st_file *f, const char *name);
const char *clg_st_meta(const clg_st_file *f, const char *key);

/* Writing: add tensors (the data must stay valid until clg_st_write) and metadata, then write
 * to path via path.tmp, flushed and fsync'ed, then renamed: a crash leaves the old file. */
int clg_st_add(clg_st_file *f, const char *name, const char *dtype, int ndim, const int64_t *dims, const void *data,
               size_t nbytes);
int clg_st_set_meta(clg_st_file *f, const char *key, const char *value);
int clg_st_write(const clg_st_file *f, const char *path, clg_err *e);
void clg_st_free(clg_st_file *f);

#endif
