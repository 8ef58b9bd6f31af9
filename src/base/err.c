/* err.c — writing a clg_err (see err.h). */
#include <stdio.h>
#include <string.h>

#include "base/err.h"

int clg_verrf(clg_err *e, int status, const char *fmt, va_list ap)
{
    if (e) {
        vsnprintf(e->msg, sizeof e->msg, fmt, ap);
        e->status = status;
    }
    return status;
}

int clg_errf(clg_err *e, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    clg_verrf(e, status, fmt, ap);
    va_end(ap);
    return status;
}

int clg_err_prefix(clg_err *e, const char *fmt, ...)
{
    if (!e) return CLG_ERR_INTERNAL;
    char head[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(head, sizeof head, fmt, ap);
    va_end(ap);
    /* shift the message right by "head: " (cut at the end if it no longer fits) */
    size_t h = strlen(head), m = strlen(e->msg), room = sizeof e->msg - 1;
    if (h + 2 > room) h = room - 2;
    if (h + 2 + m > room) m = room - h - 2;
    memmove(e->msg + h + 2, e->msg, m);
    memcpy(e->msg, head, h);
    e->msg[h] = ':', e->msg[h + 1] = ' ', e->msg[h + 2 + m] = 0;
    return e->status;
}

int clg_err_export(char *err, size_t errlen, const clg_err *e, int status)
{
    if (status != CLG_OK && err && errlen) snprintf(err, errlen, "%s", e->msg);
    return status;
}
