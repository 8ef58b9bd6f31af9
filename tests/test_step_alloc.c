/* test_step_alloc.c — nothing is allocated or built inside a training step, CLBlast included.
 * OpenCL's object-creating calls are interposed here (the executable's definitions win over
 * libOpenCL's for libclgan and libclblast alike) and counted; after the trainer is created, steps
 * of the config (argv[1], on synthetic data) with CLGAN_GEMM=clblast must create no buffer and
 * build no program. clCreateKernel is counted and printed: CLBlast creates its kernels per call.
 * With "indirect", CLBlast is made to take its indirect GEMM (padded copies in a temporary
 * buffer) for every size, as it does on GPUs for large products.
 */
#define _GNU_SOURCE
#include <clblast_c.h>
#include <dlfcn.h>

#include "testutil.h"
#include "train/trainer.h"

static long n_buffers, n_programs, n_kernels;
static size_t buffer_bytes;

#define REAL(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

cl_mem clCreateBuffer(cl_context c, cl_mem_flags f, size_t size, void *host, cl_int *e)
{
    n_buffers++;
    buffer_bytes += size;
    return REAL(clCreateBuffer)(c, f, size, host, e);
}

cl_program clCreateProgramWithSource(cl_context c, cl_uint n, const char **s, const size_t *len, cl_int *e)
{
    n_programs++;
    return REAL(clCreateProgramWithSource)(c, n, s, len, e);
}

cl_program clCreateProgramWithBinary(cl_context c, cl_uint n, const cl_device_id *d, const size_t *len,
                                     const unsigned char **bin, cl_int *bst, cl_int *e)
{
    n_programs++;
    return REAL(clCreateProgramWithBinary)(c, n, d, len, bin, bst, e);
}

cl_kernel clCreateKernel(cl_program p, const char *name, cl_int *e)
{
    n_kernels++;
    return REAL(clCreateKernel)(p, name, e);
}

int main(int argc, char **argv)
{
    if (argc < 2) return fprintf(stderr, "usage: test_step_alloc CONFIG [STEPS] [indirect]\n"), 2;
    int steps = argc > 2 ? atoi(argv[2]) : 3;
    setenv("CLGAN_GEMM", "clblast", 1);
    clg_ctx *ctx = test_ctx();
    if (argc > 3 && !strcmp(argv[3], "indirect")) {
        const char *names[] = {"XGEMM_MIN_INDIRECT_SIZE"};
        size_t values[] = {1};
        CHECK(CLBlastOverrideParameters(ctx->device, "GemmRoutine", CLBlastPrecisionSingle, 1, names, values) ==
                  CLBlastSuccess, "forcing CLBlast's indirect GEMM");
    }
    clg_config *cfg;
    char err[1024];
    if (clg_config_load(&cfg, argv[1], err, sizeof err) != CLG_OK) return fprintf(stderr, "%s\n", err), 1;
    /* a grid of a batch and a remainder: two eval shapes that training steps do not use */
    char grid[40];
    snprintf(grid, sizeof grid, "train.grid=%d", cfg->train.batch + 16);
    CHECK(clg_config_set(cfg, grid, err, sizeof err) == CLG_OK, "%s", err);
    clg_trainer *tr;
    CHECK_OK(ctx, clg_trainer_create_with(&tr, ctx, cfg, NULL, NULL, clg_trainer_synthetic_data));
    CHECK_OK(ctx, clg_dataset_shuffle(&tr->data, ctx, &tr->rng_shuffle));
    CHECK_OK(ctx, clFinish(ctx->queue));
    printf("gemm: %s\n", clg_ctx_gemm(ctx));
    for (int i = 0; i < steps; i++) {
        long b0 = n_buffers, p0 = n_programs, k0 = n_kernels;
        size_t bytes0 = buffer_bytes;
        double t0 = test_now();
        CHECK_OK(ctx, clg_trainer_step(tr, i * tr->batch * tr->cfg->train.d_steps, i % tr->ring));
        CHECK_OK(ctx, clFinish(ctx->queue));
        printf("step %d: %.0f ms, %ld buffers (%.1f MiB), %ld programs, %ld kernels created\n", i + 1,
               (test_now() - t0) * 1e3, n_buffers - b0, (buffer_bytes - bytes0) / 1048576.0, n_programs - p0,
               n_kernels - k0);
        CHECK(n_buffers == b0, "step %d allocated %ld device buffers (%.1f MiB)", i + 1, n_buffers - b0,
              (buffer_bytes - bytes0) / 1048576.0);
        CHECK(n_programs == p0, "step %d created %ld programs", i + 1, n_programs - p0);
    }
    /* the sample grid written between steps allocates and builds nothing either */
    long b0 = n_buffers, p0 = n_programs;
    char png[300];
    snprintf(png, sizeof png, "%s/clgan-step-alloc-grid.png", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    CHECK_OK(ctx, clg_trainer_write_grid(tr, png));
    remove(png);
    printf("grid of %d: %ld buffers, %ld programs created\n", cfg->train.grid, n_buffers - b0, n_programs - p0);
    CHECK(n_buffers == b0 && n_programs == p0, "the grid allocated %ld buffers and built %ld programs", n_buffers - b0,
          n_programs - p0);
    clg_trainer_free(tr);
    clg_config_free(cfg);
    clg_ctx_free(ctx);
    return test_summary("step_alloc");
}
