/* error.c — status names and messages: OpenCL and CLBlast error codes by name, a hint for each
 * common one, and the per-context "last error" that every failing call fills in.
 */
#include <stdio.h>
#include <string.h>

#include "runtime/runtime.h"

static const struct {
    int code;
    const char *name;
    const char *hint;
} codes[] = {
    {CLG_OK, "CLG_OK", ""},
    {CLG_ERR_ARG, "CLG_ERR_ARG", ""},
    {CLG_ERR_IO, "CLG_ERR_IO", ""},
    {CLG_ERR_FORMAT, "CLG_ERR_FORMAT", ""},
    {CLG_ERR_CONFIG, "CLG_ERR_CONFIG", ""},
    {CLG_ERR_DEVICE, "CLG_ERR_DEVICE", ""},
    {CLG_ERR_BUILD, "CLG_ERR_BUILD", ""},
    {CLG_ERR_NOMEM, "CLG_ERR_NOMEM", ""},
    {CLG_ERR_NUMERIC, "CLG_ERR_NUMERIC", ""},
    {CLG_ERR_INTERRUPTED, "CLG_ERR_INTERRUPTED", ""},
    {CLG_ERR_INTERNAL, "CLG_ERR_INTERNAL", ""},
    {-1, "CL_DEVICE_NOT_FOUND", "no OpenCL device of the requested type; see `clgan devices`"},
    {-2, "CL_DEVICE_NOT_AVAILABLE", "the device is in use or switched off"},
    {-3, "CL_COMPILER_NOT_AVAILABLE", "this OpenCL driver has no compiler"},
    {-4, "CL_MEM_OBJECT_ALLOCATION_FAILURE", "out of device memory: use a smaller batch or model"},
    {-5, "CL_OUT_OF_RESOURCES", "the device ran out of resources (memory, or a kernel fault)"},
    {-6, "CL_OUT_OF_HOST_MEMORY", "out of host memory"},
    {-7, "CL_PROFILING_INFO_NOT_AVAILABLE", ""},
    {-8, "CL_MEM_COPY_OVERLAP", ""},
    {-11, "CL_BUILD_PROGRAM_FAILURE", "a kernel failed to compile; the build log follows"},
    {-13, "CL_MISALIGNED_SUB_BUFFER_OFFSET", "sub-buffer offset not aligned for this device"},
    {-30, "CL_INVALID_VALUE", "an argument is out of range (a bug in clgan)"},
    {-33, "CL_INVALID_DEVICE", ""},
    {-34, "CL_INVALID_CONTEXT", ""},
    {-36, "CL_INVALID_COMMAND_QUEUE", ""},
    {-38, "CL_INVALID_MEM_OBJECT", "a buffer is missing or freed (a bug in clgan)"},
    {-44, "CL_INVALID_PROGRAM", ""},
    {-45, "CL_INVALID_PROGRAM_EXECUTABLE", ""},
    {-46, "CL_INVALID_KERNEL_NAME", "a kernel named in the table is missing from cl/"},
    {-48, "CL_INVALID_KERNEL", ""},
    {-49, "CL_INVALID_ARG_INDEX", ""},
    {-50, "CL_INVALID_ARG_VALUE", ""},
    {-51, "CL_INVALID_ARG_SIZE", ""},
    {-52, "CL_INVALID_KERNEL_ARGS", "a kernel argument was not set (a bug in clgan)"},
    {-54, "CL_INVALID_WORK_GROUP_SIZE", "the device does not support this work-group size"},
    {-55, "CL_INVALID_WORK_ITEM_SIZE", ""},
    {-61, "CL_INVALID_BUFFER_SIZE", "a buffer is larger than the device allows: use a smaller batch"},
    {-63, "CL_INVALID_GLOBAL_WORK_SIZE", ""},
    {-1001, "CL_PLATFORM_NOT_FOUND_KHR", "no OpenCL platform: install a driver (e.g. pocl-opencl-icd)"},
    /* CLBlast's own codes */
    {-1024, "CLBlastNotImplemented", ""},
    {-1022, "CLBlastInvalidMatrixA", ""},
    {-1021, "CLBlastInvalidMatrixB", ""},
    {-1020, "CLBlastInvalidMatrixC", ""},
    {-1011, "CLBlastInsufficientMemoryA", "matrix A is smaller than its dimensions say (a bug in clgan)"},
    {-1010, "CLBlastInsufficientMemoryB", "matrix B is smaller than its dimensions say (a bug in clgan)"},
    {-1009, "CLBlastInsufficientMemoryC", "matrix C is smaller than its dimensions say (a bug in clgan)"},
    {-2048, "CLBlastKernelLaunchError", ""},
    {-2047, "CLBlastKernelRunError", ""},
    {-2046, "CLBlastNoDoublePrecision", ""},
    {-2045, "CLBlastNoHalfPrecision", ""},
    {-2043, "CLBlastInvalidLocalMemUsage", ""},
    {-2041, "CLBlastDatabaseError", ""},
    {-2039, "CLBlastUnknownError", ""},
    {-2040, "CLBlastInvalidOverrideKernel", ""},
};

/* Note: clgan's own codes (-1000..-1009) and CLBlast's (-1009..-2048) overlap at -1009 only;
 * clgan's win, and CLBlast failures are always reported through clg_cl_fail with the call. */
static int find(int code)
{
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
        if (codes[i].code == code) return (int)i;
    return -1;
}

const char *clg_status_str(int status)
{
    int i = find(status);
    return i >= 0 ? codes[i].name : "unknown error";
}

const char *clg_cl_hint(int err)
{
    int i = find(err);
    return i >= 0 ? codes[i].hint : "";
}

int clg_fail(clg_ctx *ctx, int status, const char *fmt, ...)
{
    if (ctx) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(ctx->err, sizeof ctx->err, fmt, ap);
        va_end(ap);
    }
    return status;
}

int clg_cl_fail(clg_ctx *ctx, int err, const char *call, const char *file, int line)
{
    const char *hint = clg_cl_hint(err);
    /* The first failure is the informative one; later ones are consequences. */
    char paren[96];
    int i = find(err);
    if (i >= 0) snprintf(paren, sizeof paren, "%s", codes[i].name);
    else snprintf(paren, sizeof paren, "error %d", err);
    return clg_fail(ctx, (err == CL_MEM_OBJECT_ALLOCATION_FAILURE || err == CL_OUT_OF_HOST_MEMORY) ? CLG_ERR_NOMEM : err,
                    "%s failed with %s (%s:%d)%s%s", call, paren, file, line, *hint ? ": " : "", hint);
}

const char *clg_last_error(const clg_ctx *ctx)
{
    return ctx ? ctx->err : "no context";
}
