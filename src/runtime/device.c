/* device.c — OpenCL platforms and devices: listing them, choosing one from a "P:D" index, "gpu",
 * "cpu" or a name substring (or the fastest real device: a GPU before a CPU, never a simulator
 * such as Oclgrind unless it is named or alone), checking that it has what clgan needs (OpenCL
 * 1.2), and creating the OpenCL context and command queue a clg_ctx holds.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/device.h"

typedef struct dev_entry {
    cl_platform_id platform;
    cl_device_id device;
    clg_dev_info info;
} dev_entry;

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

/* Every device of every platform, in an array sized to the counts the driver reports (*out,
 * to be freed). */
static int enumerate(clg_ctx *ctx, dev_entry **out, int *count)
{
    *out = NULL;
    *count = 0;
    cl_uint np = 0;
    cl_int e = clGetPlatformIDs(0, NULL, &np);
    if (e == -1001 /* CL_PLATFORM_NOT_FOUND_KHR: no platform, no device */) return CLG_OK;
    if (e != CL_SUCCESS) return clg_cl_fail(ctx, e, "clGetPlatformIDs", __FILE__, __LINE__);
    if (np == 0) return CLG_OK;
    cl_platform_id *plats = malloc(np * sizeof *plats);
    if (!plats) return clg_fail(ctx, CLG_ERR_NOMEM, "out of host memory listing the OpenCL devices");
    cl_uint got = 0;
    e = clGetPlatformIDs(np, plats, &got);
    if (e != CL_SUCCESS) return free(plats), clg_cl_fail(ctx, e, "clGetPlatformIDs", __FILE__, __LINE__);
    if (got < np) np = got;
    dev_entry *devs = NULL;
    int n = 0;
    for (cl_uint p = 0; p < np; p++) {
        cl_uint nd = 0;
        if (clGetDeviceIDs(plats[p], CL_DEVICE_TYPE_ALL, 0, NULL, &nd) != CL_SUCCESS || nd == 0) continue;
        cl_device_id *ids = malloc(nd * sizeof *ids);
        dev_entry *grown = ids ? realloc(devs, ((size_t)n + nd) * sizeof *devs) : NULL;
        if (!grown)
            return free(ids), free(devs), free(plats),
                   clg_fail(ctx, CLG_ERR_NOMEM, "out of host memory listing the OpenCL devices");
        devs = grown;
        cl_uint nd2 = 0;
        if (clGetDeviceIDs(plats[p], CL_DEVICE_TYPE_ALL, nd, ids, &nd2) != CL_SUCCESS) nd2 = 0;
        if (nd2 > nd) nd2 = nd; /* never read past what was asked for */
        for (cl_uint d = 0; d < nd2; d++) {
            dev_entry *x = &devs[n++];
            memset(x, 0, sizeof *x);
            x->platform = plats[p];
            x->device = ids[d];
            x->info.pi = (int)p;
            x->info.di = (int)d;
            clGetDeviceInfo(ids[d], CL_DEVICE_TYPE, sizeof x->info.type, &x->info.type, NULL);
            cl_uint cu = 0, mhz = 0;
            clGetDeviceInfo(ids[d], CL_DEVICE_MAX_COMPUTE_UNITS, sizeof cu, &cu, NULL);
            clGetDeviceInfo(ids[d], CL_DEVICE_MAX_CLOCK_FREQUENCY, sizeof mhz, &mhz, NULL);
            clGetDeviceInfo(ids[d], CL_DEVICE_GLOBAL_MEM_SIZE, sizeof x->info.global_mem, &x->info.global_mem, NULL);
            x->info.compute_units = cu;
            x->info.mhz = mhz;
            dev_str(ids[d], CL_DEVICE_NAME, x->info.name, sizeof x->info.name);
            plat_str(plats[p], CL_PLATFORM_NAME, x->info.platform, sizeof x->info.platform);
        }
        free(ids);
    }
    free(plats);
    *out = devs;
    *count = n;
    return CLG_OK;
}

static const char *type_name(cl_device_type t)
{
    if (t & CL_DEVICE_TYPE_GPU) return "GPU";
    if (t & CL_DEVICE_TYPE_CPU) return "CPU";
    if (t & CL_DEVICE_TYPE_ACCELERATOR) return "accelerator";
    return "other";
}

/* The type as clg_device_info gives it: one lower-case word */
static const char *type_word(const clg_dev_info *d)
{
    if (clg_dev_is_simulator(d)) return "simulator";
    if (d->type & CL_DEVICE_TYPE_GPU) return "gpu";
    if (d->type & CL_DEVICE_TYPE_CPU) return "cpu";
    return type_name(d->type);
}

int clg_devices(clg_device_info *out, int max, int *count, char *err, size_t errlen)
{
    *count = 0;
    if (max < 0 || (max > 0 && !out)) return snprintf(err, errlen, "clg_devices: no room for the list"), CLG_ERR_ARG;
    /* enumerate reports into a context's record: a scratch one, whose message is the caller's */
    clg_ctx *tmp = calloc(1, sizeof *tmp);
    if (!tmp) return snprintf(err, errlen, "out of host memory listing the OpenCL devices"), CLG_ERR_NOMEM;
    dev_entry *devs;
    int n;
    int st = enumerate(tmp, &devs, &n);
    if (st != CLG_OK) snprintf(err, errlen, "%s", tmp->err.msg);
    free(tmp);
    if (st != CLG_OK) return st;
    for (int i = 0; i < n && i < max; i++) {
        const clg_dev_info *d = &devs[i].info;
        clg_device_info *o = &out[i];
        memset(o, 0, sizeof *o);
        snprintf(o->spec, sizeof o->spec, "%d:%d", d->pi, d->di);
        snprintf(o->name, sizeof o->name, "%s", d->name);
        snprintf(o->platform, sizeof o->platform, "%s", d->platform);
        snprintf(o->type, sizeof o->type, "%s", type_word(d));
        dev_str(devs[i].device, CL_DEVICE_VENDOR, o->vendor, sizeof o->vendor);
        dev_str(devs[i].device, CL_DEVICE_VERSION, o->version, sizeof o->version);
        dev_str(devs[i].device, CL_DRIVER_VERSION, o->driver, sizeof o->driver);
        o->compute_units = d->compute_units;
        o->mhz = d->mhz;
        o->global_mem = d->global_mem;
    }
    *count = n < max ? n : max;
    free(devs);
    return CLG_OK;
}

int clg_list_devices(FILE *out)
{
    clg_device_info devs[64];
    char err[CLG_ERR_MSG];
    int n, st = clg_devices(devs, 64, &n, err, sizeof err);
    if (st != CLG_OK) return fprintf(out, "%s\n", err), st;
    if (n == 0) {
        fprintf(out, "no OpenCL device found (install a driver, e.g. `apt-get install pocl-opencl-icd`)\n");
        return CLG_ERR_DEVICE;
    }
    for (int i = 0; i < n; i++) {
        const clg_device_info *d = &devs[i];
        int sim = !strcmp(d->type, "simulator");
        fprintf(out, "%s  %s\n", d->spec, d->name);
        fprintf(out, "     platform: %s | vendor: %s | type: %s%s\n", d->platform, d->vendor,
                !strcmp(d->type, "gpu") ? "GPU" : !strcmp(d->type, "cpu") ? "CPU" : d->type,
                sim ? " (used only when named)" : "");
        fprintf(out, "     compute units: %u @ %u MHz | memory: %.1f GiB | %s | driver %s\n", d->compute_units, d->mhz,
                (double)d->global_mem / (1024.0 * 1024.0 * 1024.0), d->version, d->driver);
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

static int ci_equal(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b)) return 0;
    return *a == *b;
}

int clg_dev_is_simulator(const clg_dev_info *d)
{
    return ci_contains(d->platform, "oclgrind") || ci_contains(d->name, "oclgrind");
}

/* Rank of a device for the default choice: GPUs, then accelerators, then CPUs, then others. */
static int type_rank(const clg_dev_info *d)
{
    if (d->type & CL_DEVICE_TYPE_GPU) return 3;
    if (d->type & CL_DEVICE_TYPE_ACCELERATOR) return 2;
    if (d->type & CL_DEVICE_TYPE_CPU) return 1;
    return 0;
}

/* Is a faster than b? (same type class first; then compute units x clock; then memory) */
static int faster(const clg_dev_info *a, const clg_dev_info *b)
{
    if (type_rank(a) != type_rank(b)) return type_rank(a) > type_rank(b);
    double pa = (double)a->compute_units * a->mhz, pb = (double)b->compute_units * b->mhz;
    if (pa != pb) return pa > pb;
    return a->global_mem > b->global_mem;
}

/* "0:0 NAME (GPU, PLATFORM); 1:0 ..." */
static void list_short(const clg_dev_info *devs, int n, char *out, size_t len)
{
    size_t at = 0;
    out[0] = 0;
    for (int i = 0; i < n && at + 1 < len; i++) {
        int w = snprintf(out + at, len - at, "%s%d:%d %s (%s, %s)", i ? "; " : "", devs[i].pi, devs[i].di, devs[i].name,
                         clg_dev_is_simulator(&devs[i]) ? "simulator" : type_name(devs[i].type), devs[i].platform);
        if (w < 0) break;
        at += (size_t)w;
    }
    if (at >= len && len > 4) strcpy(out + len - 4, "...");
}

int clg_dev_choose(const clg_dev_info *devs, int n, const char *spec, const char *origin, char *msg, size_t msglen)
{
    char avail[1024];
    if (n == 0) {
        snprintf(msg, msglen, "no OpenCL device found: install a driver (Debian: apt-get install pocl-opencl-icd)");
        return -1;
    }
    list_short(devs, n, avail, sizeof avail);
    cl_device_type want = 0;
    if (spec && ci_equal(spec, "gpu")) want = CL_DEVICE_TYPE_GPU;
    else if (spec && ci_equal(spec, "cpu")) want = CL_DEVICE_TYPE_CPU;
    if (!spec || !*spec || want) {
        int best = -1, sims = 0;
        for (int i = 0; i < n; i++) {
            if (clg_dev_is_simulator(&devs[i])) {
                sims++;
                continue;
            }
            if (want && !(devs[i].type & want)) continue;
            if (best < 0 || faster(&devs[i], &devs[best])) best = i;
        }
        if (best >= 0) return best;
        if (!want && sims == n) return 0; /* only a simulator is there (a run under oclgrind): it is the one meant */
        if (want)
            snprintf(msg, msglen, "no OpenCL %s device (%s = %s); available: %s", want == CL_DEVICE_TYPE_GPU ? "GPU" : "CPU",
                     origin, spec, avail);
        else
            snprintf(msg, msglen, "no OpenCL device to use by default; available: %s", avail);
        return -1;
    }
    int p, d;
    char tail;
    if (sscanf(spec, "%d:%d%c", &p, &d, &tail) == 2) {
        for (int i = 0; i < n; i++)
            if (devs[i].pi == p && devs[i].di == d) return i;
        snprintf(msg, msglen, "no OpenCL device %s (%s); available: %s", spec, origin, avail);
        return -1;
    }
    for (int i = 0; i < n; i++)
        if (ci_contains(devs[i].name, spec) || ci_contains(devs[i].platform, spec)) return i;
    snprintf(msg, msglen, "no OpenCL device matches \"%s\" (%s); available: %s", spec, origin, avail);
    return -1;
}

int clg_cl_version(const char *text)
{
    const char *p = text;
    while (*p && !isdigit((unsigned char)*p)) p++;
    int major = 0, minor = 0;
    if (sscanf(p, "%d.%d", &major, &minor) != 2 || major < 1) return 0;
    return major * 10 + (minor > 9 ? 9 : minor);
}

int clg_check_cl_versions(const char *name, const char *version, const char *c_version, char *msg, size_t msglen)
{
    int v = clg_cl_version(version), c = clg_cl_version(c_version);
    if (v >= 12 && c >= 12) return 0;
    snprintf(msg, msglen,
             "device %s supports %s (OpenCL C: %s); clgan needs OpenCL 1.2 and OpenCL C 1.2 (its kernels are "
             "OpenCL C 1.2 and it fills buffers with clEnqueueFillBuffer): choose another device with --device "
             "(`clgan devices` lists them) or update its driver",
             name, version, c_version);
    return -1;
}

int clg_device_specs(char (*specs)[16], int max)
{
    dev_entry *devs;
    int n = 0;
    if (enumerate(NULL, &devs, &n) != CLG_OK) return 0;
    for (int i = 0; i < n && i < max; i++) snprintf(specs[i], 16, "%d:%d", devs[i].info.pi, devs[i].info.di);
    free(devs);
    return n < max ? n : max;
}

static void lower(cl_ulong *limit, unsigned long long to)
{
    if (to > 0 && to < *limit) *limit = to;
}
/* FP32 multiply-adds one compute unit starts per clock, for bench's peak estimate. OpenCL does not
 * report it: a CPU core issues its native vector width on each FMA pipe, and x86 cores with
 * AVX2 or AVX-512 (Haswell and later, Zen 2 and later) have two such pipes (one on a few
 * low-end Xeons and on Zen 4's halved AVX-512, which the measured figure then shows); an NVIDIA
 * SM has 64 or 128 FP32 lanes by compute capability, an AMD CU 64, an Intel EU 8. */
static void fp32_lanes(clg_ctx *ctx)
{
    cl_device_type type = 0;
    clGetDeviceInfo(ctx->device, CL_DEVICE_TYPE, sizeof type, &type, NULL);
    unsigned vw = ctx->vector_width ? ctx->vector_width : 1;
    ctx->fp32_lanes = vw;
    snprintf(ctx->lanes_how, sizeof ctx->lanes_how, "%u-wide float", vw);
    if (type & CL_DEVICE_TYPE_CPU) {
        unsigned pipes = vw >= 8 ? 2 : 1;
        ctx->fp32_lanes = vw * pipes;
        snprintf(ctx->lanes_how, sizeof ctx->lanes_how, "%u-wide float x %u FMA pipe%s", vw, pipes, pipes > 1 ? "s" : "");
    } else if (type & CL_DEVICE_TYPE_GPU) {
        cl_uint major = 0, minor = 0; /* CL_DEVICE_COMPUTE_CAPABILITY_{MAJOR,MINOR}_NV */
        if (strstr(ctx->vendor, "NVIDIA") && clGetDeviceInfo(ctx->device, 0x4000, sizeof major, &major, NULL) == CL_SUCCESS) {
            clGetDeviceInfo(ctx->device, 0x4001, sizeof minor, &minor, NULL);
            int half = (major == 6 && minor == 0) || major == 7 || (major == 8 && minor == 0);
            ctx->fp32_lanes = half ? 64 : 128;
            snprintf(ctx->lanes_how, sizeof ctx->lanes_how, "%u FP32 lanes per SM (sm_%u%u)", ctx->fp32_lanes, major, minor);
        } else if (strstr(ctx->vendor, "Advanced Micro") || strstr(ctx->vendor, "AMD")) {
            ctx->fp32_lanes = 64;
            snprintf(ctx->lanes_how, sizeof ctx->lanes_how, "64 FP32 lanes per CU");
        } else if (strstr(ctx->vendor, "Intel")) {
            ctx->fp32_lanes = 8;
            snprintf(ctx->lanes_how, sizeof ctx->lanes_how, "8 FP32 lanes per EU");
        }
    }
}


int clg_device_open(clg_ctx *ctx, const clg_ctx_params *p)
{
    const char *origin = ctx->device_origin;
    const char *spec = p->device;
    dev_entry *devs;
    int n;
    int st = enumerate(ctx, &devs, &n);
    if (st != CLG_OK) return st;
    clg_dev_info *infos = malloc(((size_t)n + 1) * sizeof *infos);
    if (!infos) return free(devs), clg_fail(ctx, CLG_ERR_NOMEM, "out of host memory");
    for (int i = 0; i < n; i++) infos[i] = devs[i].info;
    int i = clg_dev_choose(infos, n, spec, origin, ctx->err.msg, sizeof ctx->err.msg);
    free(infos);
    if (i < 0) return free(devs), (ctx->err.status = CLG_ERR_DEVICE);
    ctx->platform = devs[i].platform;
    ctx->device = devs[i].device;
    ctx->simulator = clg_dev_is_simulator(&devs[i].info);
    /* (Oclgrind's simulated device says it is every type at once: that is not a CPU here) */
    ctx->is_cpu = (devs[i].info.type & CL_DEVICE_TYPE_CPU) && !(devs[i].info.type & CL_DEVICE_TYPE_GPU);
    free(devs);
    dev_str(ctx->device, CL_DEVICE_NAME, ctx->name, sizeof ctx->name);
    dev_str(ctx->device, CL_DEVICE_VENDOR, ctx->vendor, sizeof ctx->vendor);
    dev_str(ctx->device, CL_DEVICE_VERSION, ctx->version, sizeof ctx->version);
    dev_str(ctx->device, CL_DRIVER_VERSION, ctx->driver, sizeof ctx->driver);
    plat_str(ctx->platform, CL_PLATFORM_NAME, ctx->platform_name, sizeof ctx->platform_name);
    snprintf(ctx->desc, sizeof ctx->desc, "%s (%s, %s, %s, driver %s)", ctx->name, ctx->vendor,
             ctx->platform_name, ctx->version, ctx->driver);
    char cver[128];
    dev_str(ctx->device, CL_DEVICE_OPENCL_C_VERSION, cver, sizeof cver);
    if (clg_check_cl_versions(ctx->name, ctx->version, cver, ctx->err.msg, sizeof ctx->err.msg))
        return ctx->err.status = CLG_ERR_DEVICE;

    cl_uint align_bits = 1024;
    clGetDeviceInfo(ctx->device, CL_DEVICE_MEM_BASE_ADDR_ALIGN, sizeof align_bits, &align_bits, NULL);
    ctx->align = align_bits / 8 < 64 ? 64 : align_bits / 8;
    clGetDeviceInfo(ctx->device, CL_DEVICE_MAX_WORK_GROUP_SIZE, sizeof ctx->max_wg, &ctx->max_wg, NULL);
    clGetDeviceInfo(ctx->device, CL_DEVICE_GLOBAL_MEM_SIZE, sizeof ctx->global_mem, &ctx->global_mem, NULL);
    clGetDeviceInfo(ctx->device, CL_DEVICE_MAX_MEM_ALLOC_SIZE, sizeof ctx->max_alloc, &ctx->max_alloc, NULL);
    lower(&ctx->max_alloc, p->max_alloc);
    lower(&ctx->global_mem, p->global_mem);
    cl_uint cu = 1, mhz = 0, vw = 1;
    clGetDeviceInfo(ctx->device, CL_DEVICE_MAX_COMPUTE_UNITS, sizeof cu, &cu, NULL);
    clGetDeviceInfo(ctx->device, CL_DEVICE_MAX_CLOCK_FREQUENCY, sizeof mhz, &mhz, NULL);
    clGetDeviceInfo(ctx->device, CL_DEVICE_NATIVE_VECTOR_WIDTH_FLOAT, sizeof vw, &vw, NULL);
    ctx->compute_units = cu, ctx->mhz = mhz, ctx->vector_width = vw;
    fp32_lanes(ctx);
    if (ctx->max_wg < CLG_WG_REDUCE)
        return clg_fail(ctx, CLG_ERR_DEVICE, "device %s allows work-groups of only %zu items; clgan needs %d",
                        ctx->name, ctx->max_wg, CLG_WG_REDUCE);

    cl_int e;
    ctx->context = clCreateContext(NULL, 1, &ctx->device, NULL, NULL, &e);
    CL_CHECK(ctx, e);
    cl_device_fp_config fp = 0;
    clGetDeviceInfo(ctx->device, CL_DEVICE_SINGLE_FP_CONFIG, sizeof fp, &fp, NULL);
    ctx->has_fma = (fp & CL_FP_FMA) && !(fp & CL_FP_SOFT_FLOAT);
    ctx->profiling = p->profiling != 0;
    ctx->queue = clCreateCommandQueue(ctx->context, ctx->device, ctx->profiling ? CL_QUEUE_PROFILING_ENABLE : 0, &e);
    CL_CHECK(ctx, e);
    return CLG_OK;
}
