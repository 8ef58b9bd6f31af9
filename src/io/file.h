/* file.h — whole files: reading a regular file into memory, bounded (the one place the readers
 * of .npy, safetensors and image folders open, check and read what they are given), and writing
 * one through PATH.tmp and a rename, so that a failed or interrupted write leaves the old file.
 */
#ifndef CLGAN_IO_FILE_H
#define CLGAN_IO_FILE_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "base/err.h"

/* Read `path` (a regular file of at most max bytes) into *buf (malloc'ed, at least 1 byte; *len
 * bytes). Fails with one message in e naming the path ("PATH: cannot open: ...", "PATH: not a
 * regular file", "PATH: larger than N MiB", "PATH: out of memory", "PATH: read error"), or
 * without the "PATH: " when `bare` is set (for callers that name the file themselves):
 * CLG_ERR_IO, CLG_ERR_FORMAT (over max) or CLG_ERR_NOMEM. */
int clg_read_file(uint8_t **buf, size_t *len, const char *path, int64_t max, int bare, clg_err *e);

/* Writing: *f opened on PATH.tmp, whose name goes into tmp; CLG_ERR_IO ("PATH...: path too long",
 * "PATH.tmp: cannot create: ...") with nothing opened. */
#define CLG_TMP_PATH 4200
int clg_tmp_open(FILE **f, char tmp[CLG_TMP_PATH], const char *path, clg_err *e);
/* Close f (flushed, and fsync'ed when `sync`) and, when `ok` (every write went well) and the
 * close did too, rename tmp over path; otherwise remove tmp: CLG_ERR_IO "PATH: cannot write: ...". */
int clg_tmp_commit(FILE *f, const char *tmp, const char *path, int ok, int sync, clg_err *e);

#endif
