/* report.h — the run's report.html: one self-contained page (inline SVG charts, relative links
 * to the sample grids) rewritten at each epoch end, so it is useful while the run goes on.
 */
#ifndef CLGAN_REPORT_H
#define CLGAN_REPORT_H

#include <stddef.h>

#include "base/err.h"

typedef struct clg_report_info {
    const char *out_dir;      /* reads out_dir/metrics.csv and links out_dir/samples/epoch_*.png */
    const char *title;        /* the config's path */
    const char *device;       /* device description */
    const char *networks;     /* the resolved network tables, as text */
    int epochs_done;
    long step, steps_total;
    int batch;
    double ms_per_step;       /* measured over this run's steps; 0 = unknown */
} clg_report_info;

/* Write out_dir/report.html (via a temp file and rename). CLG_OK, or CLG_ERR_IO with the message in e. */
int clg_report_write(const clg_report_info *info, clg_err *e);

#endif
