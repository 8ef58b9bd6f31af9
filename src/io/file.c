/* file.c — a whole regular file into memory, its size checked before anything is allocated; and
 * writing through a temp file and a rename (.npy and safetensors files). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/file.h"

int clg_read_file(uint8_t **buf, size_t *len, const char *path, int64_t max, int bare, clg_err *e)
{
    *buf = NULL;
    *len = 0;
    const char *sep = bare ? "" : ": ", *name = bare ? "" : path;
    FILE *f = fopen(path, "rb");
    if (!f) return clg_errf(e, CLG_ERR_IO, "%s%scannot open: %s", name, sep, strerror(errno));
    struct stat st;
    int status = CLG_OK;
    uint8_t *b = NULL;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode))
        status = clg_errf(e, CLG_ERR_IO, "%s%snot a regular file", name, sep);
    else if ((int64_t)st.st_size > max)
        status = clg_errf(e, CLG_ERR_FORMAT, "%s%slarger than %lld MiB", name, sep, (long long)(max >> 20));
    else if (!(b = malloc(st.st_size ? (size_t)st.st_size : 1)))
        status = clg_errf(e, CLG_ERR_NOMEM, "%s%sout of memory", name, sep);
    else if (fread(b, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
        status = clg_errf(e, CLG_ERR_IO, "%s%sread error", name, sep);
        free(b);
        b = NULL;
    }
    fclose(f);
    *buf = b;
    if (b) *len = (size_t)st.st_size;
    return status;
}

int clg_tmp_open(FILE **f, char tmp[CLG_TMP_PATH], const char *path, clg_err *e)
{
    *f = NULL;
    if (snprintf(tmp, CLG_TMP_PATH, "%s.tmp", path) >= CLG_TMP_PATH)
        return clg_errf(e, CLG_ERR_IO, "%.200s...: path too long", path);
    *f = fopen(tmp, "wb");
    if (!*f) return clg_errf(e, CLG_ERR_IO, "%s: cannot create: %s", tmp, strerror(errno));
    return CLG_OK;
}

int clg_tmp_commit(FILE *f, const char *tmp, const char *path, int ok, int sync, clg_err *e)
{
    if (sync) ok = ok && fflush(f) == 0 && fsync(fileno(f)) == 0;
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) {
        int st = clg_errf(e, CLG_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
        remove(tmp);
        return st;
    }
    return CLG_OK;
}
