/* gemm_bench.c — standalone SGEMM benchmark for the shapes clgan uses: CLBlast (default or with
 * overridden tuning parameters) versus the CPU kernels in cl/gemm.cl. Every GEMM is row-major,
 * C(M,N) = op(A) op(B), alpha = 1, beta = 0, timed one call at a time with clFinish. Several
 * variants can be compared in one process: per shape, each is warmed up twice, then the timed
 * runs are interleaved (variant 1, 2, ..., 1, 2, ...) so that a noisy machine affects all alike,
 * each timed call preceded by an untimed one of the same variant (warm caches for all); the
 * median of up to --reps runs is reported. Results of the smaller shapes are checked against
 * a plain-C GEMM (componentwise relative error, column "err").
 *
 * Build (not part of the CMake build):
 *   cc -O2 -std=c11 -o /tmp/gemm_bench tools/gemm_bench.c -lclblast -lOpenCL -lm
 * Variants (-v, repeatable; default: one "cb"):
 *   cb                                          CLBlast with its database parameters
 *   cb direct=WGD=64,MDIMCD=8,...               override "XgemmDirect" (keys not given keep the
 *   cb xgemm=MWG=64,...  mi=1                   Intel-CPU database defaults), "Xgemm", and
 *                                               "GemmRoutine" XGEMM_MIN_INDIRECT_SIZE
 *   ours tile=6,64,16 nt=4,4,16 wg=8,1 opts=-DGEMM_USE_FMA=1 (opts= repeatable)
 *                                               cl/gemm.cl with these tunables (TILE_M,TILE_N,VW;
 *                                               NT_TILE_M,NT_TILE_N,NT_VW; WG_M,WG_N; more -D);
 *                                               add kc=N to split K into equal launches of at most
 *                                               N (host-side K blocking: offsets move along K,
 *                                               beta = 1 after the first launch); ntx=1 runs NT as
 *                                               gemm_transpose of B to a scratch buffer + gemm_nn
 *                                               when N >= TILE_N and K <= 256
 * Other options:
 *   --shapes mlp,conv,dcgan     shape sets (default mlp)
 *   --shape ta,tb,M,N,K         an ad-hoc shape instead (repeatable)
 *   --reps N                    at most N timed runs (max 64, default 20) ...
 *   --budget S                  ... fewer for slow shapes (about S seconds per variant, >= 3 runs)
 *   --stat min                  report the fastest run instead of the median (on a shared machine
 *                               the median of long runs includes preemption, in 4 ms ticks)
 *   --cl PATH                   kernel source (default cl/gemm.cl)
 *   --check [--cases N]         correctness sweep of every variant instead: edge sizes, all four
 *                               transposes, offsets, padded leading dimensions, alpha/beta, NaN in
 *                               C with beta = 0, C padding untouched (300 cases; 48 = no big ones)
 *   --list                      print the shapes, one per line "ta tb M N K name"
 * PyTorch yardstick for the same shapes (run right after, in the same command):
 *   gemm_bench --list | python3 -c 'import sys,time,torch; torch.set_num_threads(2)
 *   for l in sys.stdin:
 *     ta,tb,m,n,k = map(int, l.split()[:5])
 *     A = torch.randn(k,m).t() if ta else torch.randn(m,k)
 *     B = torch.randn(n,k).t() if tb else torch.randn(k,n)
 *     C = torch.empty(m,n); t = []
 *     for i in range(22): t0 = time.perf_counter(); torch.mm(A, B, out=C); t.append(time.perf_counter()-t0)
 *     print(l.strip(), "%.3f ms" % (sorted(t[2:])[10] * 1e3))'
 *   (Debian's python3-torch uses the netlib reference BLAS; for a realistic yardstick put
 *   OpenBLAS's libblas.so.3 first: LD_LIBRARY_PATH=<libopenblas0-pthread>/openblas-pthread.)
 * Example:
 *   gemm_bench -v cb -v "cb direct=WGD=64,KWID=16" -v "ours opts=-DGEMM_USE_FMA=1" --shapes mlp
 */
#define _POSIX_C_SOURCE 200809L
#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>
#include <clblast_c.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    const char *name;
    int ta, tb;
    int m, n, k;
} shape;

static shape shapes[256];
static int nshapes;

static void add(const char *name, int ta, int tb, int m, int n, int k)
{
    shapes[nshapes++] = (shape){name, ta, tb, m, n, k};
}

static void make_shapes(const char *sets)
{
    static char names[256][48];
    if (strstr(sets, "mlp")) {
        /* dense layers, batch 128: forward NT, backward dx NN, weight grad TN */
        static const int io[][2] = {{100, 200}, {200, 200}, {200, 784}, {784, 200}, {200, 100}, {100, 1}};
        for (int l = 0; l < 6; l++) {
            int in = io[l][0], out = io[l][1];
            snprintf(names[nshapes], 48, "fwd %dx%d", in, out);
            add(names[nshapes], 0, 1, 128, out, in);
            snprintf(names[nshapes], 48, "dx  %dx%d", in, out);
            add(names[nshapes], 0, 0, 128, in, out);
            snprintf(names[nshapes], 48, "dW  %dx%d", in, out);
            add(names[nshapes], 1, 0, out, in, 128);
        }
    }
    if (strstr(sets, "conv")) {
        /* im2col convolutions, batch 128, 28x28 -> 14x14 -> 7x7 */
        add("conv1 fwd k16", 0, 0, 64, 128 * 196, 16);
        add("conv1 fwd k25", 0, 0, 64, 128 * 196, 25);
        add("conv1 dW", 0, 1, 64, 25, 128 * 196);
        add("conv2 fwd", 0, 0, 128, 128 * 49, 1600);
        add("conv2 dW", 0, 1, 128, 1600, 128 * 49);
        add("conv2 dcol", 1, 0, 1600, 128 * 49, 128);
        add("conv3 fwd", 0, 0, 256, 128 * 49, 3200);
    }
    if (strstr(sets, "dcgan")) {
        /* Keras DCGAN, batch 256 */
        add("dcg dense fwd", 0, 1, 256, 12544, 100);
        add("dcg dense dW", 1, 0, 12544, 100, 256);
        add("dcg dense dx", 0, 0, 256, 100, 12544);
        add("dcg conv fwd", 0, 0, 128, 256 * 49, 1600);
        add("dcg disc fc", 0, 1, 256, 1, 6272);
    }
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

#define CK(call)                                                                                             \
    do {                                                                                                     \
        cl_int e_ = (call);                                                                                  \
        if (e_ != CL_SUCCESS) {                                                                              \
            fprintf(stderr, "%s:%d: %s failed: %d\n", __FILE__, __LINE__, #call, (int)e_);                  \
            exit(1);                                                                                         \
        }                                                                                                    \
    } while (0)

static cl_context ctx;
static cl_command_queue queue;
static cl_device_id dev;

/* ---- CLBlast parameter overrides ---- */

typedef struct {
    const char *kernel;
    int n;
    const char *names[16];
    size_t values[16];
} override;

/* CLBlast 1.5.3 database defaults for "Intel CPU" (what PoCL on an Intel Xeon gets, since its
 * device name matches none of the tuned ones). */
static const override def_direct = {
    "XgemmDirect", 10,
    {"KWID", "MDIMAD", "MDIMCD", "NDIMBD", "NDIMCD", "PADA", "PADB", "VWMD", "VWND", "WGD"},
    {2, 8, 8, 8, 8, 1, 1, 4, 4, 32}};
static const override def_xgemm = {
    "Xgemm", 16,
    {"GEMMK", "KREG", "KWG", "KWI", "MDIMA", "MDIMC", "MWG", "NDIMB", "NDIMC", "NWG", "SA", "SB", "STRM", "STRN",
     "VWM", "VWN"},
    {0, 1, 32, 2, 16, 16, 64, 8, 8, 64, 0, 0, 0, 0, 4, 4}};
static const override def_routine = {"GemmRoutine", 1, {"XGEMM_MIN_INDIRECT_SIZE"}, {576}};

static void parse_override(override *o, const char *spec)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", spec);
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        char *eq = strchr(tok, '=');
        if (!eq) { fprintf(stderr, "bad override '%s'\n", tok); exit(2); }
        *eq = 0;
        int i;
        for (i = 0; i < o->n && strcmp(o->names[i], tok); i++) {}
        if (i == o->n) { fprintf(stderr, "%s has no parameter %s\n", o->kernel, tok); exit(2); }
        o->values[i] = (size_t)atol(eq + 1);
    }
}

/* This is all an application needs to do: CLBlastOverrideParameters(device, kernel name,
 * precision, count, names, values) with every parameter of that kernel; CLBlast then compiles
 * (and caches per value set) its program with these values on the next call. */
static void apply_override(const override *o)
{
    CLBlastStatusCode s = CLBlastOverrideParameters(dev, o->kernel, CLBlastPrecisionSingle, (size_t)o->n,
                                                    (const char **)o->names, o->values);
    if (s != CLBlastSuccess) { fprintf(stderr, "CLBlastOverrideParameters(%s) = %d\n", o->kernel, s); exit(1); }
}

/* ---- variants ---- */

typedef struct {
    char label[400];
    int ours;
    override direct, xgemm, routine; /* cb */
    int tile_m, tile_n, vw, nt_m, nt_n, nt_vw, wg_m, wg_n;
    int kc;  /* > 0: split K into chunks of kc, one launch each, accumulating with beta = 1 */
    int ntx; /* NT as gemm_transpose of B into a scratch buffer + gemm_nn (N >= TILE_N, K <= 256) */
    cl_kernel ktr;
    char opts[200];
    cl_kernel kern[4]; /* nn, nt, tn, tt */
} variant;

static variant variants[16];
static int nvariants;
static const char *clpath = "cl/gemm.cl";

/* "x,y,z" (or "x,y" when z is NULL) */
static void parse3(const char *s, int *x, int *y, int *z)
{
    int dummy;
    if (sscanf(s, "%d,%d,%d", x, y, z ? z : &dummy) < (z ? 3 : 2)) {
        fprintf(stderr, "bad list '%s'\n", s);
        exit(2);
    }
}

static void parse_variant(variant *v, const char *spec)
{
    memset(v, 0, sizeof *v);
    snprintf(v->label, sizeof v->label, "%s", spec);
    v->direct = def_direct;
    v->xgemm = def_xgemm;
    v->routine = def_routine;
    /* the defaults of cl/gemm.cl */
    v->tile_m = 6, v->tile_n = 64, v->vw = 16, v->nt_m = 4, v->nt_n = 4, v->nt_vw = 16, v->wg_m = 8, v->wg_n = 1;
    char buf[400];
    snprintf(buf, sizeof buf, "%s", spec);
    char *tok = strtok(buf, " ");
    if (!tok || (strcmp(tok, "cb") && strcmp(tok, "ours"))) { fprintf(stderr, "bad variant '%s'\n", spec); exit(2); }
    v->ours = !strcmp(tok, "ours");
    while ((tok = strtok(NULL, " "))) {
        char *eq = strchr(tok, '=');
        if (!eq) { fprintf(stderr, "bad variant item '%s'\n", tok); exit(2); }
        *eq++ = 0;
        if (!strcmp(tok, "direct")) parse_override(&v->direct, eq);
        else if (!strcmp(tok, "xgemm")) parse_override(&v->xgemm, eq);
        else if (!strcmp(tok, "mi")) v->routine.values[0] = (size_t)atol(eq);
        else if (!strcmp(tok, "tile")) parse3(eq, &v->tile_m, &v->tile_n, &v->vw);
        else if (!strcmp(tok, "nt")) parse3(eq, &v->nt_m, &v->nt_n, &v->nt_vw);
        else if (!strcmp(tok, "wg")) parse3(eq, &v->wg_m, &v->wg_n, NULL);
        else if (!strcmp(tok, "kc")) v->kc = atoi(eq);
        else if (!strcmp(tok, "ntx")) v->ntx = atoi(eq);
        else if (!strcmp(tok, "opts")) { /* repeatable: opts=-DA=1 opts=-DB=2 */
            size_t l = strlen(v->opts);
            snprintf(v->opts + l, sizeof v->opts - l, "%s%s", l ? " " : "", eq);
        }
        else { fprintf(stderr, "bad variant item '%s'\n", tok); exit(2); }
    }
}

static void build_ours(variant *v)
{
    FILE *f = fopen(clpath, "rb");
    if (!f) { perror(clpath); exit(1); }
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *src = malloc((size_t)len + 1);
    if (fread(src, 1, (size_t)len, f) != (size_t)len) { perror(clpath); exit(1); }
    src[len] = 0;
    fclose(f);
    char opts[512];
    snprintf(opts, sizeof opts,
             "-cl-std=CL1.2 -DTILE_M=%d -DTILE_N=%d -DVW=%d -DNT_TILE_M=%d -DNT_TILE_N=%d -DNT_VW=%d -DWG_M=%d "
             "-DWG_N=%d %s",
             v->tile_m, v->tile_n, v->vw, v->nt_m, v->nt_n, v->nt_vw, v->wg_m, v->wg_n, v->opts);
    cl_int e;
    cl_program p = clCreateProgramWithSource(ctx, 1, (const char **)&src, NULL, &e);
    CK(e);
    double t0 = now();
    e = clBuildProgram(p, 1, &dev, opts, NULL, NULL);
    char log[16384];
    clGetProgramBuildInfo(p, dev, CL_PROGRAM_BUILD_LOG, sizeof log, log, NULL);
    if (e != CL_SUCCESS || strstr(log, "warning")) fprintf(stderr, "build log:\n%s\n", log);
    CK(e);
    fprintf(stderr, "built %s with %s in %.2f s\n", clpath, opts, now() - t0);
    const char *names[4] = {"gemm_nn", "gemm_nt", "gemm_tn", "gemm_tt"};
    for (int i = 0; i < 4; i++) {
        v->kern[i] = clCreateKernel(p, names[i], &e);
        CK(e);
    }
    v->ktr = clCreateKernel(p, "gemm_transpose", &e);
    CK(e);
    clReleaseProgram(p);
    free(src);
}

static size_t roundup(size_t x, size_t m) { return (x + m - 1) / m * m; }

/* How a host launches cl/gemm.cl (see the comment at its top). */
static cl_int gemm_ours(const variant *v, int ta, int tb, int m, int n, int k, float alpha, cl_mem a, int aoff,
                        int lda, cl_mem b, int boff, int ldb, float beta, cl_mem c, int coff, int ldc)
{
    cl_kernel kk = v->kern[ta * 2 + tb];
    int r = ta && tb ? n : m, s = ta && tb ? m : n;
    int tm = !ta && tb ? v->nt_m : v->tile_m, tn = !ta && tb ? v->nt_n : v->tile_n;
    size_t local[2] = {(size_t)v->wg_m, (size_t)v->wg_n};
    size_t global[2] = {roundup((size_t)(r + tm - 1) / tm, local[0]), roundup((size_t)(s + tn - 1) / tn, local[1])};
    int i = 0;
    clSetKernelArg(kk, i++, sizeof(int), &m);
    clSetKernelArg(kk, i++, sizeof(int), &n);
    clSetKernelArg(kk, i++, sizeof(int), &k);
    clSetKernelArg(kk, i++, sizeof(float), &alpha);
    clSetKernelArg(kk, i++, sizeof(float), &beta);
    clSetKernelArg(kk, i++, sizeof(cl_mem), &a);
    clSetKernelArg(kk, i++, sizeof(int), &aoff);
    clSetKernelArg(kk, i++, sizeof(int), &lda);
    clSetKernelArg(kk, i++, sizeof(cl_mem), &b);
    clSetKernelArg(kk, i++, sizeof(int), &boff);
    clSetKernelArg(kk, i++, sizeof(int), &ldb);
    clSetKernelArg(kk, i++, sizeof(cl_mem), &c);
    clSetKernelArg(kk, i++, sizeof(int), &coff);
    clSetKernelArg(kk, i++, sizeof(int), &ldc);
    return clEnqueueNDRangeKernel(queue, kk, 2, NULL, global, local, 0, NULL, NULL);
}

static cl_mem scratch;
static size_t scratch_n;

/* Bt (K x N, ld N) = B^T for B (N x K), then C = A Bt with gemm_nn. */
static cl_int gemm_ours_ntx(const variant *v, int m, int n, int k, float alpha, cl_mem a, int aoff, int lda,
                            cl_mem b, int boff, int ldb, float beta, cl_mem c, int coff, int ldc)
{
    if ((size_t)k * n > scratch_n) {
        if (scratch) clReleaseMemObject(scratch);
        cl_int e;
        scratch_n = (size_t)k * n;
        scratch = clCreateBuffer(ctx, CL_MEM_READ_WRITE, scratch_n * 4, NULL, &e);
        CK(e);
    }
    size_t local[2] = {(size_t)v->wg_m, (size_t)v->wg_n};
    /* 16 = TR_TILE (its default in cl/gemm.cl) */
    size_t global[2] = {roundup((size_t)(n + 15) / 16, local[0]), roundup((size_t)(k + 15) / 16, local[1])};
    int zero = 0, i = 0;
    clSetKernelArg(v->ktr, i++, sizeof(int), &n);
    clSetKernelArg(v->ktr, i++, sizeof(int), &k);
    clSetKernelArg(v->ktr, i++, sizeof(cl_mem), &b);
    clSetKernelArg(v->ktr, i++, sizeof(int), &boff);
    clSetKernelArg(v->ktr, i++, sizeof(int), &ldb);
    clSetKernelArg(v->ktr, i++, sizeof(cl_mem), &scratch);
    clSetKernelArg(v->ktr, i++, sizeof(int), &zero);
    clSetKernelArg(v->ktr, i++, sizeof(int), &n);
    cl_int e = clEnqueueNDRangeKernel(queue, v->ktr, 2, NULL, global, local, 0, NULL, NULL);
    if (e != CL_SUCCESS) return e;
    return gemm_ours(v, 0, 0, m, n, k, alpha, a, aoff, lda, scratch, 0, n, beta, c, coff, ldc);
}

/* Makes v the active variant (for CLBlast: installs its parameters; cheap once compiled). */
static const variant *active;
static void activate(const variant *v)
{
    if (v == active) return;
    if (!v->ours) {
        apply_override(&v->direct);
        apply_override(&v->xgemm);
        apply_override(&v->routine);
    }
    active = v;
}

static void gemm_any(int ta, int tb, int m, int n, int k, float alpha, cl_mem a, int aoff, int lda, cl_mem b,
                     int boff, int ldb, float beta, cl_mem c, int coff, int ldc)
{
    if (active->ours) {
        /* K split into equal chunks of at most kc */
        int nch = active->kc > 0 ? (k + active->kc - 1) / active->kc : 1, kc = (k + nch - 1) / nch;
        for (int k0 = 0; k0 < k; k0 += kc) {
            int kn = k - k0 < kc ? k - k0 : kc;
            /* A(i, k0) and B(k0, j) as element offsets for the four layouts */
            int ao = aoff + (ta ? k0 * lda : k0), bo = boff + (tb ? k0 : k0 * ldb);
            if (!ta && tb && active->ntx && n >= active->tile_n && kn <= 256)
                CK(gemm_ours_ntx(active, m, n, kn, alpha, a, ao, lda, b, bo, ldb, k0 ? 1.0f : beta, c, coff, ldc));
            else
                CK(gemm_ours(active, ta, tb, m, n, kn, alpha, a, ao, lda, b, bo, ldb, k0 ? 1.0f : beta, c, coff,
                             ldc));
        }
    } else {
        CLBlastStatusCode s = CLBlastSgemm(CLBlastLayoutRowMajor, ta ? CLBlastTransposeYes : CLBlastTransposeNo,
                                           tb ? CLBlastTransposeYes : CLBlastTransposeNo, (size_t)m, (size_t)n,
                                           (size_t)k, alpha, a, (size_t)aoff, (size_t)lda, b, (size_t)boff,
                                           (size_t)ldb, beta, c, (size_t)coff, (size_t)ldc, &queue, NULL);
        if (s != CLBlastSuccess) { fprintf(stderr, "CLBlastSgemm failed: %d\n", s); exit(1); }
    }
}

/* ---- reference and checks ---- */

static float frand(uint64_t *st)
{
    *st = *st * 6364136223846793005ULL + 1442695040888963407ULL;
    return (float)((*st >> 40) / 16777216.0 * 2.0 - 1.0);
}

/* Max over C of |got - ref| / (|alpha| sum_k |a||b| + |beta c0| + tiny): the componentwise
 * relative error, which is O(K * eps) for any correct float GEMM. */
static double check(int ta, int tb, int m, int n, int k, float alpha, const float *a, int aoff, int lda,
                    const float *b, int boff, int ldb, float beta, const float *c0, const float *c, int coff,
                    int ldc)
{
    double worst = 0;
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
            double s = 0, sa = 0;
            for (int p = 0; p < k; p++) {
                double x = ta ? a[aoff + p * lda + i] : a[aoff + i * lda + p];
                double y = tb ? b[boff + j * ldb + p] : b[boff + p * ldb + j];
                s += x * y;
                sa += fabs(x * y);
            }
            double ref = alpha * s, den = fabs(alpha) * sa + 1e-30;
            if (beta != 0) {
                ref += beta * (double)c0[coff + i * ldc + j];
                den += fabs(beta * (double)c0[coff + i * ldc + j]);
            }
            double got = c[coff + i * ldc + j];
            double err = isfinite(got) ? fabs(got - ref) / den : INFINITY;
            if (err > worst) worst = err;
        }
    return worst;
}

/* Edge sizes, all four transposes, offsets, padded leading dimensions, alpha/beta, NaN in C for
 * beta = 0, and the padding of C must stay untouched. */
static int ncases = 300;
static int check_sweep(void)
{
    static const int sizes[] = {1, 2, 3, 5, 7, 8, 13, 16, 17, 31, 33, 63, 64, 65, 100, 129};
    const int ns = (int)(sizeof sizes / sizeof *sizes);
    uint64_t st = 12345;
    int fails = 0, count = 0;
    double worst_all = 0;
    for (int trial = 0; trial < ncases; trial++) {
        int m = sizes[trial % ns], n = sizes[(trial * 7 + 3) % ns], k = sizes[(trial * 11 + 5) % ns];
        if (trial % 50 == 49) { m = 200 + trial % 7; n = 784 + trial % 5; k = 300 + trial % 3; }
        int ta = (trial / 2) % 2, tb = trial % 2;
        float alpha = trial % 3 ? 1.0f : -1.25f, beta = trial % 4 == 1 ? 0.5f : trial % 4 == 3 ? 1.0f : 0.0f;
        int ar = ta ? k : m, ac = ta ? m : k, br = tb ? n : k, bc = tb ? k : n;
        int lda = ac + trial % 3, ldb = bc + (trial / 3) % 2, ldc = n + trial % 5;
        int aoff = trial % 7, boff = trial % 5, coff = trial % 3;
        size_t asz = (size_t)aoff + (size_t)ar * lda, bsz = (size_t)boff + (size_t)br * ldb,
               csz = (size_t)coff + (size_t)m * ldc;
        float *a = malloc(asz * 4), *b = malloc(bsz * 4), *c0 = malloc(csz * 4), *c = malloc(csz * 4);
        for (size_t i = 0; i < asz; i++) a[i] = frand(&st);
        for (size_t i = 0; i < bsz; i++) b[i] = frand(&st);
        for (size_t i = 0; i < csz; i++) c0[i] = beta == 0 ? NAN : frand(&st);
        /* padding (offset and ld slack) of C gets a sentinel that must survive */
        for (size_t i = 0; i < csz; i++)
            if (i < (size_t)coff || (int)((i - coff) % ldc) >= n) c0[i] = 777.0f;
        cl_int e;
        cl_mem da = clCreateBuffer(ctx, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, asz * 4, a, &e);
        CK(e);
        cl_mem db = clCreateBuffer(ctx, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, bsz * 4, b, &e);
        CK(e);
        cl_mem dc = clCreateBuffer(ctx, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, csz * 4, c0, &e);
        CK(e);
        gemm_any(ta, tb, m, n, k, alpha, da, aoff, lda, db, boff, ldb, beta, dc, coff, ldc);
        CK(clEnqueueReadBuffer(queue, dc, CL_TRUE, 0, csz * 4, c, 0, NULL, NULL));
        double err = check(ta, tb, m, n, k, alpha, a, aoff, lda, b, boff, ldb, beta, c0, c, coff, ldc);
        int pad_ok = 1;
        for (size_t i = 0; i < csz; i++)
            if ((i < (size_t)coff || (int)((i - coff) % ldc) >= n) && c[i] != 777.0f) pad_ok = 0;
        int ok = err < 1e-5 && pad_ok;
        if (!ok) {
            fails++;
            printf("FAIL %c%c M=%d N=%d K=%d lda=%d ldb=%d ldc=%d off=%d,%d,%d alpha=%g beta=%g: err %.3g pad %s\n",
                   ta ? 'T' : 'N', tb ? 'T' : 'N', m, n, k, lda, ldb, ldc, aoff, boff, coff, alpha, beta, err,
                   pad_ok ? "ok" : "CLOBBERED");
        }
        if (err > worst_all) worst_all = err;
        count++;
        clReleaseMemObject(da);
        clReleaseMemObject(db);
        clReleaseMemObject(dc);
        free(a);
        free(b);
        free(c0);
        free(c);
    }
    printf("check: %d cases, %d failures, max componentwise relative error %.3g\n", count, fails, worst_all);
    return fails != 0;
}

/* ---- benchmark ---- */

static int use_min; /* --stat min: report the fastest run instead of the median */

static void bench(int maxreps, double budget)
{
    double total[16] = {0};
    printf("%-14s %2s %6s %6s %5s", "shape", "op", "M", "N", "K");
    for (int v = 0; v < nvariants; v++) printf(" %9s %7s", v ? "ms" : "ms(v0)", "err");
    printf("   (%s ms per variant; err: max componentwise relative error)\n", use_min ? "fastest" : "median");
    for (int si = 0; si < nshapes; si++) {
        const shape *sh = &shapes[si];
        int m = sh->m, n = sh->n, k = sh->k;
        int lda = sh->ta ? m : k, ldb = sh->tb ? k : n, ldc = n;
        size_t asz = (size_t)m * k, bsz = (size_t)k * n, csz = (size_t)m * n;
        float *a = malloc(asz * 4), *b = malloc(bsz * 4), *c = malloc(csz * 4);
        uint64_t st = 99 + si;
        for (size_t i = 0; i < asz; i++) a[i] = frand(&st);
        for (size_t i = 0; i < bsz; i++) b[i] = frand(&st);
        cl_int e;
        cl_mem da = clCreateBuffer(ctx, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, asz * 4, a, &e);
        CK(e);
        cl_mem db = clCreateBuffer(ctx, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, bsz * 4, b, &e);
        CK(e);
        cl_mem dc = clCreateBuffer(ctx, CL_MEM_READ_WRITE, csz * 4, NULL, &e);
        CK(e);
        double slowest = 0;
        char errs[16][16];
        for (int v = 0; v < nvariants; v++) { /* warm-up (compilation happens here) and check */
            activate(&variants[v]);
            float nan = NAN;
            CK(clEnqueueFillBuffer(queue, dc, &nan, 4, 0, csz * 4, 0, NULL, NULL));
            double first = 0;
            for (int w = 0; w < 2; w++) {
                double t0 = now();
                gemm_any(sh->ta, sh->tb, m, n, k, 1.0f, da, 0, lda, db, 0, ldb, 0.0f, dc, 0, ldc);
                CK(clFinish(queue));
                first = now() - t0;
            }
            if (first > slowest) slowest = first;
            snprintf(errs[v], 16, "-");
            if ((double)m * n * k <= 3e7) {
                CK(clEnqueueReadBuffer(queue, dc, CL_TRUE, 0, csz * 4, c, 0, NULL, NULL));
                snprintf(errs[v], 16, "%.1g",
                         check(sh->ta, sh->tb, m, n, k, 1.0f, a, 0, lda, b, 0, ldb, 0.0f, NULL, c, 0, ldc));
            }
        }
        int reps = (int)(budget / (slowest + 1e-6));
        if (reps > maxreps) reps = maxreps;
        if (reps < 3) reps = 3;
        static double t[16][64];
        for (int r = 0; r < reps; r++)
            for (int v = 0; v < nvariants; v++) {
                activate(&variants[v]);
                /* an untimed call first, so that every variant finds the operands in cache (as
                 * the previous variant's call would otherwise favour the one after it) */
                gemm_any(sh->ta, sh->tb, m, n, k, 1.0f, da, 0, lda, db, 0, ldb, 0.0f, dc, 0, ldc);
                CK(clFinish(queue));
                double t0 = now();
                gemm_any(sh->ta, sh->tb, m, n, k, 1.0f, da, 0, lda, db, 0, ldb, 0.0f, dc, 0, ldc);
                CK(clFinish(queue));
                t[v][r] = now() - t0;
            }
        printf("%-14s %c%c %6d %6d %5d", sh->name, sh->ta ? 'T' : 'N', sh->tb ? 'T' : 'N', m, n, k);
        for (int v = 0; v < nvariants; v++) {
            qsort(t[v], (size_t)reps, sizeof(double), cmp_double);
            double med = use_min ? t[v][0] : reps % 2 ? t[v][reps / 2] : 0.5 * (t[v][reps / 2 - 1] + t[v][reps / 2]);
            total[v] += med;
            printf(" %9.3f %7s", med * 1e3, errs[v]);
        }
        printf("\n");
        fflush(stdout);
        clReleaseMemObject(da);
        clReleaseMemObject(db);
        clReleaseMemObject(dc);
        free(a);
        free(b);
        free(c);
    }
    printf("%-14s %2s %6s %6s %5s", "TOTAL", "", "", "", "");
    for (int v = 0; v < nvariants; v++) printf(" %9.3f %7s", total[v] * 1e3, "");
    printf("\n");
    for (int v = 0; v < nvariants; v++) printf("v%d = %s\n", v, variants[v].label);
}

int main(int argc, char **argv)
{
    const char *sets = "mlp";
    int reps = 20, do_check = 0, list = 0;
    double budget = 2.0;
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : "";
        if (!strcmp(o, "-v") && nvariants < 16) parse_variant(&variants[nvariants++], v), i++;
        else if (!strcmp(o, "--shapes")) sets = v, i++;
        else if (!strcmp(o, "--shape")) { /* ad-hoc shape "ta,tb,M,N,K" (repeatable) */
            int ta, tb, m, n, k;
            if (sscanf(v, "%d,%d,%d,%d,%d", &ta, &tb, &m, &n, &k) != 5 || nshapes >= 200) {
                fprintf(stderr, "bad --shape '%s'\n", v);
                return 2;
            }
            add(v, ta, tb, m, n, k);
            sets = "";
            i++;
        }
        else if (!strcmp(o, "--reps")) reps = atoi(v), i++;
        else if (!strcmp(o, "--stat")) use_min = !strcmp(v, "min"), i++;
        else if (!strcmp(o, "--budget")) budget = atof(v), i++;
        else if (!strcmp(o, "--cl")) clpath = v, i++;
        else if (!strcmp(o, "--check")) do_check = 1;
        else if (!strcmp(o, "--cases")) ncases = atoi(v), i++;
        else if (!strcmp(o, "--list")) list = 1;
        else { fprintf(stderr, "unknown option %s (see the comment at the top of gemm_bench.c)\n", o); return 2; }
    }
    if (reps > 64) reps = 64;
    if (!nvariants) parse_variant(&variants[nvariants++], "cb");
    make_shapes(sets);
    if (list) {
        for (int i = 0; i < nshapes; i++)
            printf("%d %d %d %d %d %s\n", shapes[i].ta, shapes[i].tb, shapes[i].m, shapes[i].n, shapes[i].k,
                   shapes[i].name);
        return 0;
    }

    cl_platform_id plat;
    CK(clGetPlatformIDs(1, &plat, NULL));
    CK(clGetDeviceIDs(plat, CL_DEVICE_TYPE_ALL, 1, &dev, NULL));
    char name[256];
    clGetDeviceInfo(dev, CL_DEVICE_NAME, sizeof name, name, NULL);
    fprintf(stderr, "device: %s\n", name);
    cl_int e;
    ctx = clCreateContext(NULL, 1, &dev, NULL, NULL, &e);
    CK(e);
    queue = clCreateCommandQueue(ctx, dev, 0, &e);
    CK(e);
    for (int v = 0; v < nvariants; v++)
        if (variants[v].ours) build_ours(&variants[v]);

    if (do_check) {
        int fails = 0;
        for (int v = 0; v < nvariants; v++) {
            activate(&variants[v]);
            printf("v%d = %s: ", v, variants[v].label);
            fails += check_sweep();
        }
        return fails != 0;
    }
    bench(reps, budget);
    return 0;
}
