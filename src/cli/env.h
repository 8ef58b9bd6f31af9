/* env.h — the environment variables that choose a context, read here in the CLI (and by the test
 * programs, which include this file) and handed to the library as clg_ctx_params: CLGAN_DEVICE,
 * CLGAN_GEMM, CLGAN_PROFILE, CLGAN_CACHE_DIR (default $XDG_CACHE_HOME/clgan or ~/.cache/clgan),
 * CLGAN_NO_CACHE, CLGAN_CL_DIR, and the test limits CLGAN_TEST_MAX_ALLOC / CLGAN_TEST_GLOBAL_MEM.
 */
#ifndef CLGAN_CLI_ENV_H
#define CLGAN_CLI_ENV_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clgan/clgan.h"

/* Parameters and the storage their strings point into. */
typedef struct clg_env_params {
    clg_ctx_params p;
    char cache_dir[1024];
} clg_env_params;

static inline unsigned long long clg_env_bytes(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? strtoull(v, NULL, 10) : 0;
}

/* The parameters for `device` (a --device value; NULL or "": $CLGAN_DEVICE, else the default). */
static inline const clg_ctx_params *clg_env_params_get(clg_env_params *e, const char *device)
{
    clg_ctx_params *p = &e->p;
    clg_ctx_params_init(p);
    p->device = device;
    p->device_origin = "--device";
    if (!device || !*device) {
        p->device = getenv("CLGAN_DEVICE");
        p->device_origin = "$CLGAN_DEVICE";
    }
    p->gemm = getenv("CLGAN_GEMM");
    p->gemm_origin = "$CLGAN_GEMM";
    p->profiling = getenv("CLGAN_PROFILE") != NULL;
    p->no_cache = getenv("CLGAN_NO_CACHE") != NULL;
    p->cl_dir = getenv("CLGAN_CL_DIR");
    const char *d = getenv("CLGAN_CACHE_DIR"), *x = getenv("XDG_CACHE_HOME"), *h = getenv("HOME");
    if (d && *d) snprintf(e->cache_dir, sizeof e->cache_dir, "%s", d);
    else if (x && *x) snprintf(e->cache_dir, sizeof e->cache_dir, "%s/clgan", x);
    else snprintf(e->cache_dir, sizeof e->cache_dir, "%s/.cache/clgan", h ? h : "/tmp");
    p->cache_dir = e->cache_dir;
    p->max_alloc = clg_env_bytes("CLGAN_TEST_MAX_ALLOC");
    p->global_mem = clg_env_bytes("CLGAN_TEST_GLOBAL_MEM");
    return p;
}

/* clg_ctx_create_ex with the environment's parameters (flags: CLG_CTX_PROFILING, CLG_CTX_NO_CACHE). */
static inline int clg_env_ctx_create(clg_ctx **out, const char *device, int flags)
{
    clg_env_params e;
    clg_env_params_get(&e, device);
    if (flags & CLG_CTX_PROFILING) e.p.profiling = 1;
    if (flags & CLG_CTX_NO_CACHE) e.p.no_cache = 1;
    return clg_ctx_open(out, &e.p);
}

/* Under MPI, before any OpenCL call: ranks sharing a host share its cores, so PoCL's worker
 * threads (unless POCL_MAX_PTHREAD_COUNT or --threads says otherwise) are divided among them. */
static inline void clg_env_rank_threads(void)
{
    int local = clg_dist_local_size();
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    if (local <= 1 || getenv("POCL_MAX_PTHREAD_COUNT") || cores < 1) return;
    char buf[24];
    snprintf(buf, sizeof buf, "%ld", cores / local > 0 ? cores / local : 1);
    setenv("POCL_MAX_PTHREAD_COUNT", buf, 1);
}

/* The device of this rank (`device`: a --device value, NULL for $CLGAN_DEVICE or the default).
 * A comma-separated list gives one spec per rank on the host, taken by local rank; otherwise,
 * with several ranks on a host that has several GPUs and no device or `gpu` asked for, local
 * rank k takes the k-th GPU (modulo their number); any other choice is one device the host's
 * ranks share. *device becomes the choice (kept in buf); -1 with a message in err when the list
 * is short. */
static inline int clg_env_rank_device(const char **device_io, char *buf, size_t n, char *err, size_t errlen)
{
    const char *device = *device_io;
    const char *spec = device && *device ? device : getenv("CLGAN_DEVICE");
    const char *origin = device && *device ? "--device" : "$CLGAN_DEVICE";
    int k = clg_dist_local_rank(), local = clg_dist_local_size();
    if (spec && strchr(spec, ',')) {
        const char *at = spec;
        for (int i = 0; i < k && at; i++) at = strchr(at, ',') ? strchr(at, ',') + 1 : NULL;
        size_t len = at ? strcspn(at, ",") : 0;
        if (!at || !len || len >= n) {
            snprintf(err, errlen, "%s %s: no device for local rank %d of the %d ranks on this host (give one spec "
                     "per local rank, comma-separated)", origin, spec, k, local);
            return -1;
        }
        memcpy(buf, at, len);
        buf[len] = 0;
        *device_io = buf;
        return 0;
    }
    if (local > 1 && (!spec || !*spec || !strcmp(spec, "gpu"))) {
        clg_device_info info[64];
        int count = 0, gpus[64], ngpu = 0;
        char e[256];
        if (clg_devices(info, 64, &count, e, sizeof e) == CLG_OK)
            for (int i = 0; i < count; i++)
                if (!strcmp(info[i].type, "gpu")) gpus[ngpu++] = i;
        if (ngpu > 1) {
            snprintf(buf, n, "%s", info[gpus[k % ngpu]].spec);
            *device_io = buf;
        }
    }
    return 0;
}

#endif
