/* test_status.c — one closed status space: every OpenCL and CLBlast code becomes one of clgan's
 * own statuses (the raw code and its name stay in the message), CLBlast's codes that overlap
 * clgan's numbers are named as CLBlast's, and a failing driver call seen through the public API
 * (clGetPlatformIDs interposed) returns a clgan status, never the raw code.
 */
#define _GNU_SOURCE
#include <dlfcn.h>

#include "testutil.h"

static cl_int fail_platforms; /* when non-zero, clGetPlatformIDs returns it */

cl_int clGetPlatformIDs(cl_uint num, cl_platform_id *plats, cl_uint *np)
{
    if (fail_platforms) return fail_platforms;
    cl_int (*real)(cl_uint, cl_platform_id *, cl_uint *) =
        (cl_int(*)(cl_uint, cl_platform_id *, cl_uint *))dlsym(RTLD_NEXT, "clGetPlatformIDs");
    return real ? real(num, plats, np) : CL_INVALID_VALUE;
}

static int is_own(int st) { return strcmp(clg_status_str(st), "unknown status") != 0; }

int main(void)
{
    /* every code either library can return maps into the closed set */
    for (int clblast = 0; clblast < 2; clblast++)
        for (int code = -2100; code < 0; code++) {
            int st = clg_raw_status(code, clblast);
            CHECK(st != CLG_OK && is_own(st), "%s code %d maps to %d", clblast ? "CLBlast" : "OpenCL", code, st);
        }
    static const struct {
        int code, clblast, status;
        const char *name;
    } cases[] = {
        {-4, 0, CLG_ERR_NOMEM, "CL_MEM_OBJECT_ALLOCATION_FAILURE"},
        {-6, 0, CLG_ERR_NOMEM, "CL_OUT_OF_HOST_MEMORY"},
        {-61, 0, CLG_ERR_NOMEM, "CL_INVALID_BUFFER_SIZE"},
        {-11, 0, CLG_ERR_BUILD, "CL_BUILD_PROGRAM_FAILURE"},
        {-1, 0, CLG_ERR_DEVICE, "CL_DEVICE_NOT_FOUND"},
        {-1001, 0, CLG_ERR_DEVICE, "CL_PLATFORM_NOT_FOUND_KHR"}, /* was CLG_ERR_IO's number */
        {-5, 0, CLG_ERR_OPENCL, "CL_OUT_OF_RESOURCES"},
        {-4, 1, CLG_ERR_NOMEM, "CL_MEM_OBJECT_ALLOCATION_FAILURE"}, /* CLBlastTempBufferAllocFailure */
        {-1009, 1, CLG_ERR_INTERNAL, "CLBlastInsufficientMemoryC"},  /* was CLG_ERR_INTERNAL's own name */
        {-1011, 1, CLG_ERR_INTERNAL, "CLBlastInsufficientMemoryA"},
        {-2050, 1, CLG_ERR_INTERNAL, "CLBlastInsufficientMemoryTemp"},
        {-2046, 1, CLG_ERR_DEVICE, "CLBlastInvalidLocalMemUsage"},
        {-1024, 1, CLG_ERR_OPENCL, "CLBlastNotImplemented"},
        {-1009, 0, CLG_ERR_OPENCL, "unknown OpenCL error"}, /* not CLBlast's when OpenCL returned it */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        clg_ctx *ctx = NULL; /* clg_raw_fail with a context is checked below through clg_ctx_create */
        int st = clg_raw_fail(ctx, cases[i].code, cases[i].clblast, "call", "f.c", 1);
        CHECK(st == cases[i].status, "%d (%s): status %s, expected %s", cases[i].code, cases[i].name,
              clg_status_str(st), clg_status_str(cases[i].status));
        CHECK(strstr(clg_raw_name(cases[i].code, cases[i].clblast), cases[i].name), "%d named %s, expected %s",
              cases[i].code, clg_raw_name(cases[i].code, cases[i].clblast), cases[i].name);
    }
    CHECK(!strcmp(clg_status_str(-1001), "CLG_ERR_IO") && !strcmp(clg_status_str(CLG_ERR_OPENCL), "CLG_ERR_OPENCL") &&
              !strcmp(clg_status_str(-5), "unknown status"),
          "status names: only clgan's own");

    /* through the public API: a driver failure comes back as a clgan status, with the raw code named */
    clg_ctx *ctx;
    fail_platforms = CL_OUT_OF_RESOURCES;
    int st = clg_ctx_create(&ctx, NULL);
    CHECK(st == CLG_ERR_OPENCL && strstr(clg_last_error(ctx), "CL_OUT_OF_RESOURCES (-5)") &&
              strstr(clg_last_error(ctx), "clGetPlatformIDs"),
          "context on a failing driver: %s \"%s\"", clg_status_str(st), clg_last_error(ctx));
    clg_ctx_free(ctx);
    fail_platforms = CL_OUT_OF_HOST_MEMORY;
    st = clg_list_devices(stderr);
    CHECK(st == CLG_ERR_NOMEM, "listing on a failing driver: %d", st);
    fail_platforms = -1001; /* no platform at all: a device error, not CLG_ERR_IO */
    st = clg_ctx_create(&ctx, NULL);
    CHECK(st == CLG_ERR_DEVICE && strstr(clg_last_error(ctx), "no OpenCL device"), "no platform: %s \"%s\"",
          clg_status_str(st), clg_last_error(ctx));
    clg_ctx_free(ctx);
    fail_platforms = 0;
    return test_summary("status");
}
