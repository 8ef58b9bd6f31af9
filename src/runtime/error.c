/* error.c — the one status space: clgan's own codes by name, and every OpenCL and CLBlast code
 * mapped to one of them (the raw code and its name stay in the message), written into the
 * context's clg_err record that clg_last_error returns.
 * (And mkdir -p, the one file-system helper the runtime parts share.)
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "runtime/core.h"

static const struct {
    int code;
    const char *name;
} own[] = {
    {CLG_OK, "CLG_OK"},
    {CLG_ERR_ARG, "CLG_ERR_ARG"},
    {CLG_ERR_IO, "CLG_ERR_IO"},
    {CLG_ERR_FORMAT, "CLG_ERR_FORMAT"},
    {CLG_ERR_CONFIG, "CLG_ERR_CONFIG"},
    {CLG_ERR_DEVICE, "CLG_ERR_DEVICE"},
    {CLG_ERR_BUILD, "CLG_ERR_BUILD"},
    {CLG_ERR_NOMEM, "CLG_ERR_NOMEM"},
    {CLG_ERR_NUMERIC, "CLG_ERR_NUMERIC"},
    {CLG_ERR_INTERRUPTED, "CLG_ERR_INTERRUPTED"},
    {CLG_ERR_INTERNAL, "CLG_ERR_INTERNAL"},
    {CLG_ERR_OPENCL, "CLG_ERR_OPENCL"},
};

/* A raw code: its name, the clgan status it becomes, and a hint for the message. */
typedef struct raw_code {
    int code;
    const char *name;
    int status;
    const char *hint;
} raw_code;

#define NOMEM CLG_ERR_NOMEM
#define BUILD CLG_ERR_BUILD
#define DEV CLG_ERR_DEVICE
#define BUG CLG_ERR_INTERNAL
#define CL CLG_ERR_OPENCL

/* OpenCL 1.2 (and the ICD loader's CL_PLATFORM_NOT_FOUND_KHR). CLBlast returns these too. */
static const raw_code cl_codes[] = {
    {-1, "CL_DEVICE_NOT_FOUND", DEV, "no OpenCL device of the requested type; see `clgan devices`"},
    {-2, "CL_DEVICE_NOT_AVAILABLE", DEV, "the device is in use or switched off"},
    {-3, "CL_COMPILER_NOT_AVAILABLE", BUILD, "this OpenCL driver has no compiler"},
    {-4, "CL_MEM_OBJECT_ALLOCATION_FAILURE", NOMEM, "out of device memory: use a smaller batch or model"},
    {-5, "CL_OUT_OF_RESOURCES", CL, "the device ran out of resources (memory, or a kernel fault)"},
    {-6, "CL_OUT_OF_HOST_MEMORY", NOMEM, "out of host memory"},
    {-7, "CL_PROFILING_INFO_NOT_AVAILABLE", CL, ""},
    {-8, "CL_MEM_COPY_OVERLAP", BUG, ""},
    {-9, "CL_IMAGE_FORMAT_MISMATCH", CL, ""},
    {-10, "CL_IMAGE_FORMAT_NOT_SUPPORTED", CL, ""},
    {-11, "CL_BUILD_PROGRAM_FAILURE", BUILD, "a kernel failed to compile; the build log follows"},
    {-12, "CL_MAP_FAILURE", CL, ""},
    {-13, "CL_MISALIGNED_SUB_BUFFER_OFFSET", BUG, "sub-buffer offset not aligned for this device"},
    {-14, "CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST", CL, ""},
    {-15, "CL_COMPILE_PROGRAM_FAILURE", BUILD, ""},
    {-16, "CL_LINKER_NOT_AVAILABLE", BUILD, ""},
    {-17, "CL_LINK_PROGRAM_FAILURE", BUILD, ""},
    {-18, "CL_DEVICE_PARTITION_FAILED", CL, ""},
    {-19, "CL_KERNEL_ARG_INFO_NOT_AVAILABLE", CL, ""},
    {-30, "CL_INVALID_VALUE", BUG, "an argument is out of range (a bug in clgan)"},
    {-31, "CL_INVALID_DEVICE_TYPE", DEV, ""},
    {-32, "CL_INVALID_PLATFORM", DEV, ""},
    {-33, "CL_INVALID_DEVICE", DEV, ""},
    {-34, "CL_INVALID_CONTEXT", CL, ""},
    {-35, "CL_INVALID_QUEUE_PROPERTIES", DEV, "the device cannot make a queue with these properties"},
    {-36, "CL_INVALID_COMMAND_QUEUE", CL, ""},
    {-37, "CL_INVALID_HOST_PTR", BUG, ""},
    {-38, "CL_INVALID_MEM_OBJECT", BUG, "a buffer is missing or freed (a bug in clgan)"},
    {-39, "CL_INVALID_IMAGE_FORMAT_DESCRIPTOR", CL, ""},
    {-40, "CL_INVALID_IMAGE_SIZE", CL, ""},
    {-41, "CL_INVALID_SAMPLER", CL, ""},
    {-42, "CL_INVALID_BINARY", BUILD, ""},
    {-43, "CL_INVALID_BUILD_OPTIONS", BUILD, ""},
    {-44, "CL_INVALID_PROGRAM", BUILD, ""},
    {-45, "CL_INVALID_PROGRAM_EXECUTABLE", BUILD, ""},
    {-46, "CL_INVALID_KERNEL_NAME", BUILD, "a kernel named in the table is missing from cl/"},
    {-47, "CL_INVALID_KERNEL_DEFINITION", BUILD, ""},
    {-48, "CL_INVALID_KERNEL", BUG, ""},
    {-49, "CL_INVALID_ARG_INDEX", BUG, ""},
    {-50, "CL_INVALID_ARG_VALUE", BUG, ""},
    {-51, "CL_INVALID_ARG_SIZE", BUG, ""},
    {-52, "CL_INVALID_KERNEL_ARGS", BUG, "a kernel argument was not set (a bug in clgan)"},
    {-53, "CL_INVALID_WORK_DIMENSION", BUG, ""},
    {-54, "CL_INVALID_WORK_GROUP_SIZE", DEV, "the device does not support this work-group size"},
    {-55, "CL_INVALID_WORK_ITEM_SIZE", DEV, ""},
    {-56, "CL_INVALID_GLOBAL_OFFSET", BUG, ""},
    {-57, "CL_INVALID_EVENT_WAIT_LIST", BUG, ""},
    {-58, "CL_INVALID_EVENT", BUG, ""},
    {-59, "CL_INVALID_OPERATION", CL, ""},
    {-60, "CL_INVALID_GL_OBJECT", CL, ""},
    {-61, "CL_INVALID_BUFFER_SIZE", NOMEM, "a buffer is larger than the device allows: use a smaller batch"},
    {-62, "CL_INVALID_MIP_LEVEL", CL, ""},
    {-63, "CL_INVALID_GLOBAL_WORK_SIZE", BUG, ""},
    {-64, "CL_INVALID_PROPERTY", CL, ""},
    {-65, "CL_INVALID_IMAGE_DESCRIPTOR", CL, ""},
    {-66, "CL_INVALID_COMPILER_OPTIONS", BUILD, ""},
    {-67, "CL_INVALID_LINKER_OPTIONS", BUILD, ""},
    {-68, "CL_INVALID_DEVICE_PARTITION_COUNT", CL, ""},
    {-1001, "CL_PLATFORM_NOT_FOUND_KHR", DEV, "no OpenCL platform: install a driver (e.g. pocl-opencl-icd)"},
};

/* CLBlast's own codes (clblast_c.h). An operand "smaller than its dimensions say" is a wrong
 * call, not exhausted memory: clgan sized it. */
static const raw_code blast_codes[] = {
    {-1024, "CLBlastNotImplemented", CL, ""},
    {-1022, "CLBlastInvalidMatrixA", BUG, ""},
    {-1021, "CLBlastInvalidMatrixB", BUG, ""},
    {-1020, "CLBlastInvalidMatrixC", BUG, ""},
    {-1019, "CLBlastInvalidVectorX", BUG, ""},
    {-1018, "CLBlastInvalidVectorY", BUG, ""},
    {-1017, "CLBlastInvalidDimension", BUG, ""},
    {-1016, "CLBlastInvalidLeadDimA", BUG, ""},
    {-1015, "CLBlastInvalidLeadDimB", BUG, ""},
    {-1014, "CLBlastInvalidLeadDimC", BUG, ""},
    {-1013, "CLBlastInvalidIncrementX", BUG, ""},
    {-1012, "CLBlastInvalidIncrementY", BUG, ""},
    {-1011, "CLBlastInsufficientMemoryA", BUG, "matrix A is smaller than its dimensions say (a bug in clgan)"},
    {-1010, "CLBlastInsufficientMemoryB", BUG, "matrix B is smaller than its dimensions say (a bug in clgan)"},
    {-1009, "CLBlastInsufficientMemoryC", BUG, "matrix C is smaller than its dimensions say (a bug in clgan)"},
    {-1008, "CLBlastInsufficientMemoryX", BUG, ""},
    {-1007, "CLBlastInsufficientMemoryY", BUG, ""},
    {-2050, "CLBlastInsufficientMemoryTemp", BUG, "the temporary GEMM buffer is too small (a bug in clgan)"},
    {-2049, "CLBlastInvalidBatchCount", BUG, ""},
    {-2048, "CLBlastInvalidOverrideKernel", CL, ""},
    {-2047, "CLBlastMissingOverrideParameter", CL, ""},
    {-2046, "CLBlastInvalidLocalMemUsage", DEV, "not enough local memory on this device for CLBlast's kernel"},
    {-2045, "CLBlastNoHalfPrecision", DEV, ""},
    {-2044, "CLBlastNoDoublePrecision", DEV, ""},
    {-2043, "CLBlastInvalidVectorScalar", BUG, ""},
    {-2042, "CLBlastInsufficientMemoryScalar", BUG, ""},
    {-2041, "CLBlastDatabaseError", CL, "CLBlast has no parameters for this device"},
    {-2040, "CLBlastUnknownError", CL, ""},
    {-2039, "CLBlastUnexpectedError", CL, ""},
};

#undef NOMEM
#undef BUILD
#undef DEV
#undef BUG
#undef CL

static const raw_code *find_raw(int code, int clblast)
{
    for (size_t i = 0; i < sizeof cl_codes / sizeof cl_codes[0]; i++)
        if (cl_codes[i].code == code) return &cl_codes[i];
    /* -1007 .. -2050 are CLBlast's only when CLBlast returned them (OpenCL extensions reuse the range) */
    for (size_t i = 0; clblast && i < sizeof blast_codes / sizeof blast_codes[0]; i++)
        if (blast_codes[i].code == code) return &blast_codes[i];
    return NULL;
}

const char *clg_status_str(int status)
{
    for (size_t i = 0; i < sizeof own / sizeof own[0]; i++)
        if (own[i].code == status) return own[i].name;
    return "unknown status";
}

int clg_raw_status(int code, int clblast)
{
    if (code == 0) return CLG_OK;
    const raw_code *r = find_raw(code, clblast);
    return r ? r->status : CLG_ERR_OPENCL;
}

const char *clg_raw_name(int code, int clblast)
{
    const raw_code *r = find_raw(code, clblast);
    return r ? r->name : clblast ? "an unknown OpenCL or CLBlast error" : "an unknown OpenCL error";
}

int clg_fail(clg_ctx *ctx, int status, const char *fmt, ...)
{
    if (!ctx) return status;
    va_list ap;
    va_start(ap, fmt);
    clg_verrf(&ctx->err, status, fmt, ap);
    va_end(ap);
    return status;
}

int clg_raw_fail(clg_ctx *ctx, int code, int clblast, const char *call, const char *file, int line)
{
    const raw_code *r = find_raw(code, clblast);
    const char *hint = r ? r->hint : "";
    return clg_fail(ctx, clg_raw_status(code, clblast), "%s failed with %s (%d) (%s:%d)%s%s", call,
                    clg_raw_name(code, clblast), code, file, line, *hint ? ": " : "", hint);
}

const char *clg_raw_hint(int code, int clblast)
{
    const raw_code *r = find_raw(code, clblast);
    return r ? r->hint : "";
}

const char *clg_last_error(const clg_ctx *ctx)
{
    return ctx ? ctx->err.msg : "no context";
}

void clg_mkdir_p(const char *path)
{
    char tmp[1024];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            mkdir(tmp, 0755);
            *p = '/';
        }
    mkdir(tmp, 0755);
}
