/* device.c — OpenCL platforms and devices: listing them, choosing one from a "P:D" index or a
 * name substring (or $CLGAN_DEVICE, or the first GPU, else the first CPU), and creating the
 * context and command queue a clg_ctx holds.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/runtime.h"

#define MAX_PLATFORMS 16
#define MAX_DEVICES 32

typedef struct dev_entry {
    cl_platform_id platform;
    cl_device_id device;
    int pi, di;
    cl_device_type type;
} dev_entry;

static int enumerate(dev_entry *out, int *count)
{
    cl_platform_id plats[MAX_PLATFORMS];
    cl_uint np = 0;
    *count = 0;
    cl_int e = clGetPlatformIDs(MAX_PLATFORMS, plats, &np);
    if (e == -1001 /* CL_PLATFORM_NOT_FOUND_KHR */ || np == 0) return CLG_OK;
    if (e != CL_SUCCESS) return e;
    for (cl_uint p = 0; p < np; p++) {
        cl_device_id devs[MAX_DEVICES];
        cl_uint nd = 0;
        if (clGetDeviceIDs(plats[p], CL_DEVICE_TYPE_ALL, MAX_DEVICES, devs, &nd) != CL_SUCCESS) continue;
        for (cl_uint d = 0; d < nd && *count < MAX_PLATFORMS * 4; d++) {
            dev_entry *x = &out[(*count)++];
            x->platform = plats[p];
            x->device = devs[d];
            x->pi = (int)p;
            x->di = (int)d;
            clGetDeviceInfo(devs[d], CL_DEVICE_TYPE, sizeof x->type, &x->type, NULL);
        }
    }
    return CLG_OK;
}

static void dev_str(cl_device_id d, cl_device_info what, char *buf, size_t n)
{
    buf[0] = 0;
    if (clGetDeviceInfo(d, what, n, buf, NULL) != CL_SUCCESS) snprintf(buf, n, "?");
    buf[n - 1] = 0;
}

static void plat_str(cl_platform_id p, cl_platform_info what, char *buf, size_t n)
{
    buf[0] = 0;
    if (clGetPlatformInfo(p, what, n, buf, NULL) != CL_SUCCESS) snprintf(buf, n, "?");
    buf[n - 1] = 0;
}

static const char *type_name(cl_device_type t)
{
    if (t & CL_DEVICE_TYPE_GPU) return "GPU";
    if (t & CL_DEVICE_TYPE_CPU) return "CPU";
    if (t & CL_DEVICE_TYPE_ACCELERATOR) return "accelerator";
    return "other";
}

int clg_list_devices(FILE *out)
{
    dev_entry devs[MAX_PLATFORMS * 4];
    int n;
    int st = enumerate(devs, &n);
    if (st != CLG_OK) return st;
    if (n == 0) {
        fprintf(out, "no OpenCL device found (install a driver, e.g. `apt-get install pocl-opencl-icd`)\n");
        return CLG_ERR_DEVICE;
    }
    for (int i = 0; i < n; i++) {
        char name[256], vendor[256], ver[128], drv[128], pname[256];
        cl_uint cu = 0, mhz = 0;
        cl_ulong mem = 0;
        dev_str(devs[i].device, CL_DEVICE_NAME, name, sizeof name);
        dev_str(devs[i].device, CL_DEVICE_VENDOR, vendor, sizeof vendor);
        dev_str(devs[i].device, CL_DEVICE_VERSION, ver, sizeof ver);
        dev_str(devs[i].device, CL_DRIVER_VERSION, drv, sizeof drv);
        plat_str(devs[i].platform, CL_PLATFORM_NAME, pname, sizeof pname);
        clGetDeviceInfo(devs[i].device, CL_DEVICE_MAX_COMPUTE_UNITS, sizeof cu, &cu, NULL);
        clGetDeviceInfo(devs[i].device, CL_DEVICE_MAX_CLOCK_FREQUENCY, sizeof mhz, &mhz, NULL);
        clGetDeviceInfo(devs[i].device, CL_DEVICE_GLOBAL_MEM_SIZE, sizeof mem, &mem, NULL);
        fprintf(out, "%d:%d  %s\n", devs[i].pi, devs[i].di, name);
        fprintf(out, "     platform: %s | vendor: %s | type: %s\n", pname, vendor, type_name(devs[i].type));
        fprintf(out, "     compute units: %u @ %u MHz | memory: %.1f GiB | %s | driver %s\n", cu, mhz,
                (double)mem / (1024.0 * 1024.0 * 1024.0), ver, drv);
    }
    return CLG_OK;
}

static int ci_contains(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++) {
        size_t i = 0;
        while (i < n && hay[i] && tolower((unsigned char)hay[i]) == tolower((unsigned char)needle[i])) i++;
        if (i == n) return 1;
    }
    return n == 0;
}

/* Pick a device for `spec`; returns its index in devs or -1 with a message in ctx. */
static int choose(clg_ctx *ctx, const dev_entry *devs, int n, const char *spec, const char *origin)
{
    if (n == 0) {
        clg_fail(ctx, CLG_ERR_DEVICE, "no OpenCL device found: install a driver (Debian: apt-get install pocl-opencl-icd)");
        return -1;
    }
    if (!spec || !*spec) {
        for (int i = 0; i < n; i++)
            if (devs[i].type & CL_DEVICE_TYPE_GPU) return i;
        for (int i = 0; i < n; i++)
            if (devs[i].type & CL_DEVICE_TYPE_CPU) return i;
        return 0;
    }
    int p, d;
    char tail;
    if (sscanf(spec, "%d:%d%c", &p, &d, &tail) == 2) {
        for (int i = 0; i < n; i++)
            if (devs[i].pi == p && devs[i].di == d) return i;
        clg_fail(ctx, CLG_ERR_DEVICE, "no OpenCL device %s (%s); `clgan devices` lists them", spec, origin);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        char name[256], pname[256];
        dev_str(devs[i].device, CL_DEVICE_NAME, name, sizeof name);
        plat_str(devs[i].platform, CL_PLATFORM_NAME, pname, sizeof pname);
        if (ci_contains(name, spec) || ci_contains(pname, spec)) return i;
    }
    clg_fail(ctx, CLG_ERR_DEVICE, "no OpenCL device matches \"%s\" (%s); `clgan devices` lists them", spec, origin);
    return -1;
}

int clg_ctx_create(clg_ctx **out, const char *spec) { return clg_ctx_create_ex(out, spec, 0); }

double clg_ctx_build_seconds(const clg_ctx *ctx) { return ctx ? ctx->build_seconds : 0; }

int clg_device_specs(char (*specs)[16], int max)
{
    dev_entry devs[MAX_PLATFORMS * 4];
    int n = 0;
    if (enumerate(devs, &n) != CLG_OK) return 0;
    for (int i = 0; i < n && i < max; i++) snprintf(specs[i], 16, "%d:%d", devs[i].pi, devs[i].di);
    return n < max ? n : max;
}

int clg_ctx_create_ex(clg_ctx **out, const char *spec, int flags)
{
    clg_ctx *ctx = calloc(1, sizeof *ctx);
    *out = ctx;
    if (!ctx) return CLG_ERR_NOMEM;
    const char *origin = "--device";
    if (!spec || !*spec) {
        spec = getenv("CLGAN_DEVICE");
        origin = "$CLGAN_DEVICE";
    }
    dev_entry devs[MAX_PLATFORMS * 4];
    int n;
    int st = enumerate(devs, &n);
    if (st != CLG_OK) return clg_cl_fail(ctx, st, "clGetPlatformIDs", __FILE__, __LINE__);
    int i = choose(ctx, devs, n, spec, origin);
    if (i < 0) return CLG_ERR_DEVICE;
    ctx->platform = devs[i].platform;
    ctx->device = devs[i].device;
    /* (Oclgrind's simulated device says it is every type at once: that is not a CPU here) */
    ctx->is_cpu = (devs[i].type & CL_DEVICE_TYPE_CPU) && !(devs[i].type & CL_DEVICE_TYPE_GPU);
    dev_str(ctx->device, CL_DEVICE_NAME, ctx->name, sizeof ctx->name);
    dev_str(ctx->device, CL_DEVICE_VENDOR, ctx->vendor, sizeof ctx->vendor);
    dev_str(ctx->device, CL_DEVICE_VERSION, ctx->version, sizeof ctx->version);
    dev_str(ctx->device, CL_DRIVER_VERSION, ctx->driver, sizeof ctx->driver);
    plat_str(ctx->platform, CL_PLATFORM_NAME, ctx->platform_name, sizeof ctx->platform_name);
    snprintf(ctx->desc, sizeof ctx->desc, "%s (%s, %s, %s, driver %s)", ctx->name, ctx->vendor,
             ctx->platform_name, ctx->version, ctx->driver);

    cl_uint align_bits = 1024;
    clGetDeviceInfo(ctx->device, CL_DEVICE_MEM_BASE_ADDR_ALIGN, sizeof align_bits, &align_bits, NULL);
    ctx->align = align_bits / 8 < 64 ? 64 : align_bits / 8;
    clGetDeviceInfo(ctx->device, CL_DEVICE_MAX_WORK_GROUP_SIZE, sizeof ctx->max_wg, &ctx->max_wg, NULL);
    clGetDeviceInfo(ctx->device, CL_DEVICE_GLOBAL_MEM_SIZE, sizeof ctx->global_mem, &ctx->global_mem, NULL);
    clGetDeviceInfo(ctx->device, CL_DEVICE_MAX_MEM_ALLOC_SIZE, sizeof ctx->max_alloc, &ctx->max_alloc, NULL);
    if (ctx->max_wg < CLG_WG_REDUCE)
        return clg_fail(ctx, CLG_ERR_DEVICE, "device %s allows work-groups of only %zu items; clgan needs %d",
                        ctx->name, ctx->max_wg, CLG_WG_REDUCE);

    cl_int e;
    ctx->context = clCreateContext(NULL, 1, &ctx->device, NULL, NULL, &e);
    CL_CHECK(ctx, e);
    cl_device_fp_config fp = 0;
    clGetDeviceInfo(ctx->device, CL_DEVICE_SINGLE_FP_CONFIG, sizeof fp, &fp, NULL);
    ctx->has_fma = (fp & CL_FP_FMA) && !(fp & CL_FP_SOFT_FLOAT);
    /* GEMM: our register-tiled kernel on CPU devices, where it measured 5-50x faster than CLBlast
     * (tools/gemm_bench.c); CLBlast elsewhere. CLGAN_GEMM=clblast|own overrides. */
    const char *g = getenv("CLGAN_GEMM");
    ctx->gemm_own = g && *g ? !strcmp(g, "own") : ctx->is_cpu;
    if (g && *g && strcmp(g, "own") && strcmp(g, "clblast"))
        return clg_fail(ctx, CLG_ERR_ARG, "$CLGAN_GEMM=%s: expected clblast or own", g);
    ctx->profiling = (flags & CLG_CTX_PROFILING) || getenv("CLGAN_PROFILE") != NULL;
    ctx->no_cache = (flags & CLG_CTX_NO_CACHE) != 0;
    ctx->queue = clCreateCommandQueue(ctx->context, ctx->device,
                                      ctx->profiling ? CL_QUEUE_PROFILING_ENABLE : 0, &e);
    CL_CHECK(ctx, e);
    TRY(clg_build_kernels(ctx, ""));
    return clg_tune_apply(ctx);
}

const char *clg_ctx_warning(const clg_ctx *ctx) { return ctx ? ctx->warning : ""; }

const char *clg_ctx_gemm(const clg_ctx *ctx)
{
    if (!ctx) return "";
    if (ctx->tuned[0]) return ctx->tuned;
    return ctx->gemm_own ? "own (cl/gemm.cl)" : "clblast";
}

int clg_tune_device(clg_ctx *ctx, FILE *log) { return clg_tune(ctx, log); }

void clg_ctx_free(clg_ctx *ctx)
{
    if (!ctx) return;
    for (int i = 0; i < CLG_NKERNELS; i++)
        if (ctx->kernels[i]) clReleaseKernel(ctx->kernels[i]);
    for (int i = 0; i < CLG_MAX_PROGRAMS; i++)
        if (ctx->programs[i]) clReleaseProgram(ctx->programs[i]);
    if (ctx->queue) {
        clFinish(ctx->queue);
        clReleaseCommandQueue(ctx->queue);
    }
    if (ctx->context) clReleaseContext(ctx->context);
    free(ctx->prof_ev);
    free(ctx->prof_tags);
    free(ctx);
}

const char *clg_ctx_device_desc(const clg_ctx *ctx)
{
    return ctx ? ctx->desc : "";
}
