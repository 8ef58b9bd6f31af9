/* tunables.c — the tunables table (tunables.h) as data, a context's values, their check (a tuning
 * record may hold anything) and the -D build options of each program.
 */
#include <stdio.h>
#include <string.h>

#include "runtime/core.h"

const clg_tunable_def clg_tunable_defs[CLG_NTUNABLES] = {
#define T(id, progs, v, origin, what) [CLG_T_##id] = {#id, progs, v, origin, what},
    CLG_TUNABLES(T)
#undef T
};

int clg_tunable(const clg_ctx *ctx, clg_tunable_id id) { return ctx->tun[id]; }

void clg_tunables_init(const clg_ctx *ctx, int *values)
{
    for (int i = 0; i < CLG_NTUNABLES; i++) values[i] = clg_tunable_defs[i].value;
    /* fma() only where the device has it in hardware (a slow library call elsewhere; mad() is
     * a separate multiply and add on PoCL, about half the speed) */
    values[CLG_T_GEMM_USE_FMA] = ctx->has_fma != 0;
    /* the peak kernel's chains are of the native float width: a CPU fills its vector FMA pipes,
     * a GPU (width 1) runs scalar chains in each lane */
    unsigned vw = ctx->vector_width;
    values[CLG_T_PEAK_VW] = vw == 2 || vw == 4 || vw == 8 || vw == 16 ? (int)vw : 1;
}

int clg_tunable_find(const char *name)
{
    for (int i = 0; i < CLG_NTUNABLES; i++)
        if (!strcmp(clg_tunable_defs[i].name, name)) return i;
    return -1;
}

static int width_ok(int v) { return v == 4 || v == 8 || v == 16; }

int clg_tunables_check(const clg_ctx *ctx, const int *v, char *why, size_t n)
{
    /* bounds keep the register tiles compilable and the launches within int indices */
    static const struct {
        clg_tunable_id id;
        int lo, hi;
    } range[] = {{CLG_T_TILE_M, 1, 32},    {CLG_T_TILE_N, 4, 256},  {CLG_T_NT_TILE_M, 1, 16},
                 {CLG_T_NT_TILE_N, 1, 16}, {CLG_T_TR_TILE, 1, 64},  {CLG_T_WG_M, 1, 1024},
                 {CLG_T_WG_N, 1, 1024},    {CLG_T_GEMM_K_CHUNK, 1, 1 << 20}, {CLG_T_GEMM_USE_FMA, 0, 1}};
    for (size_t i = 0; i < sizeof range / sizeof range[0]; i++) {
        int x = v[range[i].id];
        if (x < range[i].lo || x > range[i].hi) {
            snprintf(why, n, "%s = %d is outside [%d, %d]", clg_tunable_defs[range[i].id].name, x, range[i].lo,
                     range[i].hi);
            return -1;
        }
    }
    if (!width_ok(v[CLG_T_VW]) || !width_ok(v[CLG_T_NT_VW])) {
        snprintf(why, n, "VW = %d, NT_VW = %d: each must be 4, 8 or 16", v[CLG_T_VW], v[CLG_T_NT_VW]);
        return -1;
    }
    if (v[CLG_T_TILE_N] % v[CLG_T_VW]) {
        snprintf(why, n, "TILE_N = %d is not a multiple of VW = %d", v[CLG_T_TILE_N], v[CLG_T_VW]);
        return -1;
    }
    if ((size_t)v[CLG_T_WG_M] * (size_t)v[CLG_T_WG_N] > ctx->max_wg) {
        snprintf(why, n, "WG_M x WG_N = %d x %d is above the device's work-group limit %zu", v[CLG_T_WG_M],
                 v[CLG_T_WG_N], ctx->max_wg);
        return -1;
    }
    return 0;
}

/* Whether `program` is in the space-separated list `programs` ("*" = every program). */
static int in_list(const char *programs, const char *program)
{
    if (!strcmp(programs, "*")) return 1;
    size_t len = strlen(program);
    for (const char *p = programs; *p;) {
        size_t w = strcspn(p, " ");
        if (w == len && !strncmp(p, program, len)) return 1;
        p += w;
        p += strspn(p, " ");
    }
    return 0;
}

int clg_tunables_options(const clg_ctx *ctx, const char *program, char *out, size_t n)
{
    size_t len = 0;
    if (n) out[0] = 0;
    for (int i = 0; i < CLG_NTUNABLES; i++) {
        if (!in_list(clg_tunable_defs[i].programs, program)) continue;
        int w = snprintf(out + len, n - len, " -D%s=%d", clg_tunable_defs[i].name, ctx->tun[i]);
        if (w < 0 || (size_t)w >= n - len) return -1;
        len += (size_t)w;
    }
    return (int)len;
}
