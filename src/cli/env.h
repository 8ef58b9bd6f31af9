/* env.h — the environment variables that choose a context, read here in the CLI (and by the test
 * programs, which include this file) and handed to the library as clg_ctx_params: CLGAN_DEVICE,
 * CLGAN_GEMM, CLGAN_PROFILE, CLGAN_CACHE_DIR (default $XDG_CACHE_HOME/clgan or ~/.cache/clgan),
 * CLGAN_NO_CACHE, CLGAN_CL_DIR, and the test limits CLGAN_TEST_MAX_ALLOC / CLGAN_TEST_GLOBAL_MEM.
 */
#ifndef CLGAN_CLI_ENV_H
#define CLGAN_CLI_ENV_H

#include <stdio.h>
#include <stdlib.h>

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

#endif
