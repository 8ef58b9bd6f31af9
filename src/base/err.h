/* err.h — the library's one error convention: a failing call returns a clg_status and writes
 * one message (naming what and where) into a clg_err the caller owns. A context carries its own
 * clg_err (runtime: clg_fail), host-only code takes a `clg_err *`; messages are written once,
 * where the failure is seen, and never copied between buffers on the way up.
 */
#ifndef CLGAN_BASE_ERR_H
#define CLGAN_BASE_ERR_H

#include <stdarg.h>
#include <stddef.h>

#include "clgan/clgan.h"

/* Large enough for an OpenCL build log's head and a device list. */
#define CLG_ERR_MSG 8192

typedef struct clg_err {
    int status;            /* the status of the failure written last (CLG_OK: none) */
    char msg[CLG_ERR_MSG]; /* its message ("" when none) */
} clg_err;

/* Write the message and return `status` (so: `return clg_errf(e, CLG_ERR_CONFIG, ...)`).
 * e may be NULL (the status is still returned). */
int clg_errf(clg_err *e, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int clg_verrf(clg_err *e, int status, const char *fmt, va_list ap);
/* Put `prefix: ` before the message already in e (context added on the way up, e.g. the file
 * a failure happened in); returns e->status. */
int clg_err_prefix(clg_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The public API's `char *err, size_t errlen` boundary (clgan.h), the one place a message is
 * copied: when status is not CLG_OK, e's message goes into err (cut to errlen, always
 * NUL-terminated when errlen > 0; err may be NULL). Returns status. */
int clg_err_export(char *err, size_t errlen, const clg_err *e, int status);
static inline void clg_err_clear(clg_err *e)
{
    if (e) e->status = CLG_OK, e->msg[0] = 0;
}

/* Propagate a non-OK status. */
#ifndef TRY
#define TRY(expr)                                                             \
    do {                                                                      \
        int s_ = (expr);                                                      \
        if (s_ != CLG_OK) return s_;                                          \
    } while (0)
#endif

#endif
