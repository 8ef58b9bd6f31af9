/* test_enum.c — enumeration with more platforms and devices than any fixed table: the driver's
 * platform and device queries are interposed to report 20 platforms of 40 devices each (copies
 * of the real first ones); every one must be listed with its own index and be openable.
 */
#define _GNU_SOURCE
#include <dlfcn.h>

#include "testutil.h"

#define NP 20
#define ND 40

static cl_platform_id real_platform;
static cl_device_id real_device;

cl_int clGetPlatformIDs(cl_uint num, cl_platform_id *plats, cl_uint *np)
{
    for (cl_uint i = 0; plats && i < num && i < NP; i++) plats[i] = real_platform;
    if (np) *np = NP;
    return CL_SUCCESS;
}

cl_int clGetDeviceIDs(cl_platform_id p, cl_device_type type, cl_uint num, cl_device_id *devs, cl_uint *nd)
{
    (void)p, (void)type;
    for (cl_uint i = 0; devs && i < num && i < ND; i++) devs[i] = real_device;
    if (nd) *nd = ND;
    return CL_SUCCESS;
}

int main(void)
{
    /* the real first platform and device, from the loader behind the interposed functions */
    cl_int (*plat_ids)(cl_uint, cl_platform_id *, cl_uint *) = (cl_int(*)(cl_uint, cl_platform_id *, cl_uint *))dlsym(RTLD_NEXT, "clGetPlatformIDs");
    cl_int (*dev_ids)(cl_platform_id, cl_device_type, cl_uint, cl_device_id *, cl_uint *) =
        (cl_int(*)(cl_platform_id, cl_device_type, cl_uint, cl_device_id *, cl_uint *))dlsym(RTLD_NEXT, "clGetDeviceIDs");
    if (!plat_ids || !dev_ids || plat_ids(1, &real_platform, NULL) != CL_SUCCESS ||
        dev_ids(real_platform, CL_DEVICE_TYPE_ALL, 1, &real_device, NULL) != CL_SUCCESS)
        return fprintf(stderr, "no OpenCL device\n"), 1;
    static char specs[NP * ND + 10][16];
    int n = clg_device_specs(specs, NP * ND + 10);
    CHECK(n == NP * ND, "%d devices listed, expected %d", n, NP * ND);
    CHECK(n == NP * ND && !strcmp(specs[n - 1], "19:39"), "last index %s", n > 0 ? specs[n - 1] : "-");
    clg_ctx *ctx;
    CHECK(clg_ctx_create(&ctx, "19:39") == CLG_OK, "open 19:39: %s", clg_last_error(ctx));
    clg_ctx_free(ctx);
    CHECK(clg_ctx_create(&ctx, "20:0") == CLG_ERR_DEVICE && strstr(clg_last_error(ctx), "20:0") &&
              strstr(clg_last_error(ctx), "available"),
          "20:0 does not exist: %.300s", clg_last_error(ctx));
    clg_ctx_free(ctx);
    FILE *f = tmpfile();
    CHECK(f && clg_list_devices(f) == CLG_OK && ftell(f) > 0, "clgan devices lists them");
    if (f) fclose(f);
    return test_summary("enum");
}
