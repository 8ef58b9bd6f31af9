/* idx.c — IDX file reader (MNIST-style datasets), raw or gzip-compressed, through zlib.
 *
 * zlib's gzopen/gzread read both raw and gzip files (detected by the gzip magic). The header is
 * validated before anything large is allocated, and the data buffer grows with the bytes that
 * actually arrive, so a corrupt header announcing gigabytes cannot cause a giant allocation.
 * Every failure writes one line "<path>: <problem>" and leaves the output zeroed.
 */
#include "data/idx.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <zlib.h>

#define IDX_TYPE_UBYTE 0x08
#define IDX_MAX_TOTAL ((uint64_t)1 << 31)  /* largest accepted data size, bytes */
#define IDX_CHUNK ((size_t)1 << 20)        /* bytes per gzread call */
#define IDX_FIRST_CAP ((size_t)1 << 20)    /* initial data buffer, grown by doubling */

/* Write "<path>: <message>" into e (if any); returns `status`. */
static int idx_fail(clg_err *e, int status, const char *path, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return clg_errf(e, status, "%s: %s", path, msg);
}

/* zlib's message for the current error of `gz`, without the "<path>: " prefix zlib adds;
 * *errnum receives zlib's error code. */
static const char *gz_message(int *errnum, gzFile gz, const char *path)
{
    const char *msg = gzerror(gz, errnum);
    size_t plen = strlen(path);
    if (!msg)
        return "unknown error";
    if (strncmp(msg, path, plen) == 0 && msg[plen] == ':' && msg[plen + 1] == ' ')
        msg += plen + 2;
    return msg;
}

/* Read up to `len` bytes into buf, looping over gzread; *got receives the bytes read.
 * Returns 0 at success or clean end of input, -1 when gzread reported an error. */
static int gz_read_full(size_t *got, gzFile gz, uint8_t *buf, size_t len)
{
    *got = 0;
    while (*got < len) {
        size_t want = len - *got;
        if (want > IDX_CHUNK)
            want = IDX_CHUNK;
        int r = gzread(gz, buf + *got, (unsigned)want);
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        *got += (size_t)r;
    }
    return 0;
}

/* Turn the error state of `gz` after a failed or short read into a status and message.
 * Returns 0 (and writes nothing) when the input simply ended: the caller reports truncation. */
static int gz_read_error(clg_err *e, gzFile gz, const char *path)
{
    int errnum = Z_OK;
    const char *msg = gz_message(&errnum, gz, path);
    switch (errnum) {
    case Z_OK:
    case Z_BUF_ERROR: /* clean end of input or stream cut short: reported as truncation */
        return 0;
    case Z_ERRNO:
        return idx_fail(e, CLG_ERR_IO, path, "read error: %s", msg);
    case Z_MEM_ERROR:
        return idx_fail(e, CLG_ERR_NOMEM, path, "out of memory while decompressing");
    default:
        return idx_fail(e, CLG_ERR_FORMAT, path, "corrupt gzip stream: %s", msg);
    }
}

static int idx_type_known(unsigned t)
{
    return t == 0x08 || t == 0x09 || t == 0x0B || t == 0x0C || t == 0x0D || t == 0x0E;
}

/* Read and validate the header: ndim and the dims. Returns CLG_OK or a failure status. */
static int idx_read_header(int *ndim, uint32_t dims[4], gzFile gz, const char *path, clg_err *e)
{
    uint8_t magic[4];
    size_t got;
    int rc;

    if (gz_read_full(&got, gz, magic, sizeof magic) != 0 || got < sizeof magic) {
        if ((rc = gz_read_error(e, gz, path)) != 0)
            return rc;
        if (got == 0)
            return idx_fail(e, CLG_ERR_FORMAT, path, "empty file (no IDX header)");
        return idx_fail(e, CLG_ERR_FORMAT, path,
                        "truncated header: the file ends after %zu bytes (the IDX magic is 4 bytes)",
                        got);
    }
    unsigned long m = ((unsigned long)magic[0] << 24) | ((unsigned long)magic[1] << 16) |
                      ((unsigned long)magic[2] << 8) | (unsigned long)magic[3];
    if (magic[0] != 0 || magic[1] != 0 || !idx_type_known(magic[2]))
        return idx_fail(e, CLG_ERR_FORMAT, path,
                        "not an IDX file (magic 0x%08lx, expected 0x0000080X)", m);
    if (magic[2] != IDX_TYPE_UBYTE)
        return idx_fail(e, CLG_ERR_FORMAT, path,
                        "unsupported IDX data type 0x%02x (only unsigned bytes, 0x08)",
                        (unsigned)magic[2]);
    if (magic[3] < 1 || magic[3] > 4)
        return idx_fail(e, CLG_ERR_FORMAT, path,
                        "unsupported number of dimensions %u (only 1 to 4)", (unsigned)magic[3]);
    *ndim = magic[3];

    uint8_t raw[16];
    size_t need = (size_t)*ndim * 4;
    if (gz_read_full(&got, gz, raw, need) != 0 || got < need) {
        if ((rc = gz_read_error(e, gz, path)) != 0)
            return rc;
        return idx_fail(e, CLG_ERR_FORMAT, path,
                        "truncated header: %d dimensions announced but the file ends after %zu "
                        "of their %zu bytes",
                        *ndim, got, need);
    }
    uint64_t total = 1;
    for (int i = 0; i < *ndim; i++) {
        dims[i] = ((uint32_t)raw[4 * i] << 24) | ((uint32_t)raw[4 * i + 1] << 16) |
                  ((uint32_t)raw[4 * i + 2] << 8) | (uint32_t)raw[4 * i + 3];
        if (dims[i] == 0)
            return idx_fail(e, CLG_ERR_FORMAT, path,
                            "dimension %d of %d is 0 (corrupt header?)", i + 1, *ndim);
    }
    for (int i = 0; i < *ndim; i++) {
        total *= dims[i]; /* total <= 2^31 and dims[i] < 2^32: no uint64 overflow */
        if (total > IDX_MAX_TOTAL || dims[i] > (uint32_t)IDX_MAX_TOTAL - 1) {
            char shape[64];
            int k = 0;
            for (int j = 0; j < *ndim; j++)
                k += snprintf(shape + k, sizeof shape - (size_t)k, "%s%lu", j ? " x " : "",
                              (unsigned long)dims[j]);
            return idx_fail(e, CLG_ERR_FORMAT, path,
                            "header dims %s exceed 2^31 bytes (corrupt header?)", shape);
        }
    }
    return CLG_OK;
}

/* Read `want` data bytes into a buffer that grows with the data received. With `probe` set
 * (the whole file is being loaded) one byte more is asked for in the same final read: zlib then
 * runs into the end of the gzip stream and checks its trailer (CRC and length), reporting a
 * stream that is corrupt or cut short after the data. Bytes after the data are ignored (in a
 * gzip file they are read through to the end of the stream, for the same check). On success
 * *data holds the `want` bytes. */
static int idx_read_data(uint8_t **data, gzFile gz, size_t want, int probe, size_t n_hdr,
                         size_t item_size, const char *path, clg_err *e)
{
    size_t target = want + (probe ? 1 : 0);
    size_t cap = target < IDX_FIRST_CAP ? target : IDX_FIRST_CAP;
    size_t got = 0;
    uint8_t *buf = malloc(cap);
    int rc;

    *data = NULL;
    if (!buf)
        return idx_fail(e, CLG_ERR_NOMEM, path, "out of memory (%zu bytes)", cap);
    for (;;) {
        size_t n;
        int bad = gz_read_full(&n, gz, buf + got, cap - got);
        got += n;
        if (bad || got < cap) {
            int errnum = Z_OK;
            const char *msg = gz_message(&errnum, gz, path);
            if (got >= want && !bad && errnum == Z_OK)
                break; /* the data is complete and the stream ended cleanly */
            if (got >= want && errnum == Z_BUF_ERROR)
                rc = idx_fail(e, CLG_ERR_FORMAT, path,
                              "truncated gzip stream: %s (the data is complete but the gzip "
                              "trailer is missing)", msg);
            else if ((rc = gz_read_error(e, gz, path)) == 0)
                rc = idx_fail(e, CLG_ERR_FORMAT, path,
                              "truncated: header says %zu items of %zu bytes (%zu bytes) but the "
                              "file ends after %zu bytes of data",
                              n_hdr, item_size, n_hdr * item_size, got);
            free(buf);
            return rc;
        }
        if (got == target) {
            if (probe && !gzdirect(gz)) {
                /* More decompressed bytes than the header announced: trailing data, or a
                 * corrupt stream decoding to garbage. Read on to the end of the gzip stream so
                 * that zlib checks its CRC either way. */
                uint8_t sink[4096];
                int r;
                while ((r = gzread(gz, sink, sizeof sink)) > 0)
                    ;
                int errnum = Z_OK;
                const char *msg = gz_message(&errnum, gz, path);
                if (r < 0 || errnum != Z_OK) {
                    rc = errnum == Z_BUF_ERROR
                             ? idx_fail(e, CLG_ERR_FORMAT, path,
                                        "truncated gzip stream: %s", msg)
                             : gz_read_error(e, gz, path);
                    if (rc == 0)
                        rc = idx_fail(e, CLG_ERR_FORMAT, path,
                                      "corrupt gzip stream: %s", msg);
                    free(buf);
                    return rc;
                }
            }
            break;
        }
        size_t ncap = cap * 2 < target ? cap * 2 : target;
        uint8_t *nb = realloc(buf, ncap);
        if (!nb) {
            free(buf);
            return idx_fail(e, CLG_ERR_NOMEM, path, "out of memory (%zu bytes)", ncap);
        }
        buf = nb;
        cap = ncap;
    }
    *data = buf;
    return CLG_OK;
}

/* With a limit only the first items are kept, but the rest of the file is still checked, so
 * that a corrupt or cut file fails the same with or without data.limit: a gzip stream is
 * inflated to its end (zlib then checks its CRC and length; about 0.1 s for Fashion-MNIST's
 * 26 MB), a raw file must be as long as its header says. `have` bytes of data were read. */
static int idx_check_rest(gzFile gz, size_t have, size_t n_hdr, size_t item_size, size_t hdr_len,
                          const char *path, clg_err *e)
{
    size_t total = n_hdr * item_size, got = have;
    if (gzdirect(gz)) {
        struct stat st;
        if (stat(path, &st) == 0 && (uint64_t)st.st_size >= hdr_len + (uint64_t)total)
            return CLG_OK;
        got = stat(path, &st) == 0 && (uint64_t)st.st_size > hdr_len ? (size_t)st.st_size - hdr_len : 0;
    } else {
        uint8_t *sink = malloc(IDX_CHUNK); /* contents unused */
        if (!sink)
            return idx_fail(e, CLG_ERR_NOMEM, path, "out of memory");
        int r;
        while ((r = gzread(gz, sink, (unsigned)IDX_CHUNK)) > 0)
            got += (size_t)r;
        free(sink);
        int errnum = Z_OK;
        const char *msg = gz_message(&errnum, gz, path);
        if (r < 0 || errnum != Z_OK) {
            if (errnum == Z_BUF_ERROR && got >= total)
                return idx_fail(e, CLG_ERR_FORMAT, path,
                                "truncated gzip stream: %s (the gzip trailer is missing)", msg);
            int rc = gz_read_error(e, gz, path);
            if (rc != 0)
                return rc;
        }
        if (got >= total)
            return CLG_OK;
    }
    return idx_fail(e, CLG_ERR_FORMAT, path,
                    "truncated: header says %zu items of %zu bytes (%zu bytes) but the file ends "
                    "after %zu bytes of data",
                    n_hdr, item_size, total, got);
}

int clg_idx_load(clg_idx *out, const char *path, int limit, clg_err *e)
{
    int ndim = 0, rc;
    uint32_t dims[4] = {0, 0, 0, 0};

    clg_err_clear(e);
    if (out)
        memset(out, 0, sizeof *out);
    if (!out || !path)
        return idx_fail(e, CLG_ERR_ARG, path ? path : "(null)",
                        "clg_idx_load: NULL output or path");

    errno = 0;
    gzFile gz = gzopen(path, "rb");
    if (!gz)
        return idx_fail(e, errno == ENOMEM ? CLG_ERR_NOMEM : CLG_ERR_IO, path,
                        "cannot open: %s", errno ? strerror(errno) : "unknown error");
    gzbuffer(gz, 128 * 1024);

    rc = idx_read_header(&ndim, dims, gz, path, e);
    if (rc != CLG_OK) {
        gzclose(gz);
        return rc;
    }

    size_t n_hdr = dims[0], n = n_hdr, item_size = 1;
    for (int i = 1; i < ndim; i++)
        item_size *= dims[i];
    if (limit > 0 && (size_t)limit < n)
        n = (size_t)limit;

    uint8_t *data;
    rc = idx_read_data(&data, gz, n * item_size, n == n_hdr, n_hdr, item_size, path, e);
    if (rc != CLG_OK) {
        gzclose(gz);
        return rc;
    }
    if (n < n_hdr) {
        rc = idx_check_rest(gz, n * item_size, n_hdr, item_size, 4 + 4 * (size_t)ndim, path, e);
        if (rc != CLG_OK) {
            free(data);
            gzclose(gz);
            return rc;
        }
    }
    gzclose(gz);

    out->data = data;
    out->n = (int)n;
    out->ndim = ndim;
    out->dims[0] = (int)n;
    for (int i = 1; i < ndim; i++)
        out->dims[i] = (int)dims[i];
    out->item_size = item_size;
    return CLG_OK;
}

void clg_idx_free(clg_idx *idx)
{
    if (!idx)
        return;
    free(idx->data);
    memset(idx, 0, sizeof *idx);
}
