/* device.h — choosing an OpenCL device and opening it (OpenCL context, queue, limits) for a
 * clg_ctx; the choice itself is pure host logic, exposed for the tests.
 */
#ifndef CLGAN_RUNTIME_DEVICE_H
#define CLGAN_RUNTIME_DEVICE_H

#include "runtime/core.h"

typedef struct clg_dev_info {
    int pi, di;                        /* "P:D" as `clgan devices` prints it */
    cl_device_type type;
    unsigned compute_units, mhz;
    cl_ulong global_mem;
    char name[128], platform[128];
} clg_dev_info;
/* A simulator (Oclgrind reports every device type): never chosen unless named or alone. */
int clg_dev_is_simulator(const clg_dev_info *d);
/* The device for `spec`: "P:D", "gpu", "cpu", a name/platform substring, or NULL/"" for the
 * fastest real device (GPU over CPU, then compute units x clock, then memory). Returns its index
 * in devs, or -1 with a message listing the devices in msg. `origin` names where spec came from. */
int clg_dev_choose(const clg_dev_info *devs, int n, const char *spec, const char *origin, char *msg, size_t msglen);
/* Parse "OpenCL 1.2 ..." / "OpenCL C 1.1 ..." into major*10+minor (0 if unreadable). */
int clg_cl_version(const char *text);
/* Check a device's OpenCL version and OpenCL C version against what clgan needs (1.2); 0 when
 * fine, else -1 with a message in msg. */
int clg_check_cl_versions(const char *name, const char *version, const char *c_version, char *msg, size_t msglen);

/* Choose the device p->device names (messages name ctx->device_origin) and open it: the OpenCL
 * context, the queue (profiling when p->profiling), the limits (lowered to p->max_alloc,
 * p->global_mem when smaller), the description. */
int clg_device_open(clg_ctx *ctx, const clg_ctx_params *p);

#endif
