/* gemm.cl — single-precision GEMM for CPU OpenCL devices (PoCL and the like).
 *
 *   C = alpha * op(A) * op(B) + beta * C,   all matrices row-major, C is M x N, op(A) M x K,
 *   op(B) K x N, with element offsets (a_off, b_off, c_off) and leading dimensions (lda, ldb, ldc)
 *   counted in floats, exactly like a row-major BLAS sgemm. beta == 0 never reads C (so C may hold
 *   NaN/garbage), as in BLAS.
 *
 * Design (why it looks like this):
 *  - CPU devices have no fast local memory and PoCL turns barriers into work-item loop fission,
 *    so there is no local memory and no barrier. Each work-item computes one register tile of C
 *    and streams its operands straight from global memory, relying on the CPU caches.
 *  - The register tile is written with explicit OpenCL vector types (float4/8/16) so the
 *    compiler emits SIMD FMAs directly instead of depending on PoCL's work-item vectorizer.
 *  - "Outer-product" kernels (gemm_nn, gemm_tn, gemm_tt): a tile of TILE_M rows x TILE_N
 *    columns is held as TILE_M x (TILE_N/VW) vectors along the contiguous output dimension. Per
 *    k, one row segment of the K-major operand is loaded as TILE_N/VW vectors and each of the
 *    TILE_M scalars of the other operand is broadcast into them (mad). gemm_tt is computed as
 *    C^T = B * A with the same code and a transposed store.
 *  - "Dot-product" kernel (gemm_nt): both operands are contiguous along K, so the tile
 *    (NT_TILE_M x NT_TILE_N) keeps one NT_VW-wide partial sum per C element, loads NT_VW
 *    consecutive k of every A row and B row, and reduces horizontally at the end. The K tail that
 *    does not fill a vector is one more step on the last NT_VW columns, with the A lanes that
 *    were already summed zeroed by select().
 *  - Edges: tiles that stick out of C are handled in the same kernels without slowing the inner
 *    loop: row indices are clamped (loads stay inside the matrices, the surplus rows are not
 *    stored), and in the outer-product kernels a tile crossing the right edge is shifted left to
 *    end at the edge, recomputing a few columns of its neighbour but storing only its own. Only
 *    when C is narrower than one tile are column vectors gathered element by element with zero
 *    fill. Stores are guarded (vector stores inside, element stores at edges).
 *  - gemm_transpose (Y = X^T) is a helper: gemm_nt with small K (<= ~256) and N >= TILE_N is
 *    faster as a transpose of B into a scratch buffer followed by gemm_nn, because the
 *    dot-product kernel pays a horizontal reduction per element of C.
 *  - Fixed local size (reqd_work_group_size), because PoCL compiles one work-group function per
 *    local size; work-items outside C return at once (there are no barriers).
 *  - Work-item dimension 0 runs along the rows of C (dimension 1 along columns), so the
 *    work-items that run one after another share the K x TILE_N panel of B (it stays in L1/L2)
 *    while the smaller row operand is re-read from L2; this is what the im2col shapes (M small,
 *    N and K large) need.
 *
 * Tunables (build options -D..., from the host's tunables table, src/runtime/tunables.h, which
 * also sizes the NDRange with them and may hold per-device values from a tuning record):
 *  TILE_M, TILE_N, VW : register tile of gemm_nn / gemm_tn / gemm_tt; VW is the vector width
 *                       (4, 8 or 16) and TILE_N must be a multiple of VW. For gemm_tt the tile
 *                       is TILE_M columns of C by TILE_N rows of C (it computes C^T). Registers:
 *                       TILE_M*TILE_N/VW accumulators + TILE_N/VW + 1 should fit the SIMD
 *                       register file (32 on AVX-512: 6 x 64 with float16 = 24 + 5;
 *                       16 on AVX2: e.g. 4 x 16 with float8 = 8 + 3).
 *  NT_TILE_M, NT_TILE_N, NT_VW : register tile and K vector width (4, 8 or 16) of gemm_nt;
 *                       NT_TILE_M*NT_TILE_N + NT_TILE_M + NT_TILE_N vectors (4 x 4 x 16:
 *                       24; on AVX2 e.g. 2 x 4 x 8).
 *  TR_TILE            : gemm_transpose block (TR_TILE x TR_TILE elements per work-item).
 *  WG_M, WG_N         : local size (dimension 0 x dimension 1) of every kernel here.
 *  GEMM_USE_FMA       : 1 = multiply-add with fma() (one instruction where the device has FMA;
 *                       PoCL compiles mad() to a separate multiply and add, about half the speed),
 *                       0 = mad(). The host passes 1 when CL_DEVICE_SINGLE_FP_CONFIG has
 *                       CL_FP_FMA and not CL_FP_SOFT_FLOAT (fma() is a slow library call on CPUs
 *                       without FMA).
 * The table's values were measured on PoCL 3.1, 2-core Skylake-AVX512; `clgan tune` compares this
 * kernel with CLBlast per device, and a tuning record may hold other tiles for a device.
 * Large K: every work-item streams its whole K panel, so for K beyond ~512 the host should split
 * K into equal launches of at most GEMM_K_CHUNK, a host tunable (move a_off/b_off along K,
 * beta = 1 after the first); that keeps the panels in L2 and doubled the speed of the im2col shapes.
 *
 * Launch (all kernels take the same arguments):
 *   (int M, int N, int K, float alpha, float beta,
 *    __global const float *A, int a_off, int lda, __global const float *B, int b_off, int ldb,
 *    __global float *C, int c_off, int ldc)
 *   local  = {WG_M, WG_N}
 *   global = {roundup(ceil(R / tm), WG_M), roundup(ceil(S / tn), WG_N)}, where
 *     gemm_nn, gemm_tn: R = M, S = N, tm = TILE_M,    tn = TILE_N
 *     gemm_tt:          R = N, S = M, tm = TILE_M,    tn = TILE_N
 *     gemm_nt:          R = M, S = N, tm = NT_TILE_M, tn = NT_TILE_N
 *   gemm_transpose has its own arguments (see there).
 * Indices are int: every matrix must have fewer than 2^31 elements (offset included).
 * Valid OpenCL C 1.2; "#pragma unroll" is only a hint (loops have constant trip counts).
 */

#if !defined(TILE_M) || !defined(TILE_N) || !defined(VW) || !defined(NT_TILE_M) || !defined(NT_TILE_N) || \
    !defined(NT_VW) || !defined(TR_TILE) || !defined(WG_M) || !defined(WG_N) || !defined(GEMM_USE_FMA)
#error "TILE_M, TILE_N, VW, NT_TILE_M, NT_TILE_N, NT_VW, TR_TILE, WG_M, WG_N, GEMM_USE_FMA: set by the host's tunables table (src/runtime/tunables.h)"
#endif

#if GEMM_USE_FMA
#define GEMM_MAD(a, b, c) fma(a, b, c)
#else
#define GEMM_MAD(a, b, c) mad(a, b, c)
#endif

#if TILE_N % VW != 0
#error "TILE_N must be a multiple of VW"
#endif
#define NV (TILE_N / VW) /* vectors per tile row */

#define GEMM_CAT_(a, b) a##b
#define GEMM_CAT(a, b) GEMM_CAT_(a, b)

/* floatV: the outer-product vector (width VW); floatK: the dot-product vector (width NT_VW). */
#define floatV GEMM_CAT(float, VW)
#define vloadV GEMM_CAT(vload, VW)
#define vstoreV GEMM_CAT(vstore, VW)
#define floatK GEMM_CAT(float, NT_VW)
#define vloadK GEMM_CAT(vload, NT_VW)
#define intK GEMM_CAT(int, NT_VW)

/* Lane numbers 0 .. NT_VW-1 as an intK. */
#if NT_VW == 16
#define GEMM_LANES ((int16)(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15))
#elif NT_VW == 8
#define GEMM_LANES ((int8)(0, 1, 2, 3, 4, 5, 6, 7))
#elif NT_VW == 4
#define GEMM_LANES ((int4)(0, 1, 2, 3))
#endif

/* Horizontal sum of a floatK. */
static inline float gemm_hsum(floatK v)
{
#if NT_VW == 16
    float8 s8 = v.lo + v.hi;
    float4 s4 = s8.lo + s8.hi;
#elif NT_VW == 8
    float4 s4 = v.lo + v.hi;
#elif NT_VW == 4
    float4 s4 = v;
#else
#error "NT_VW must be 4, 8 or 16"
#endif
    float2 s2 = s4.lo + s4.hi;
    return s2.x + s2.y;
}

/* C element update with BLAS beta semantics (beta == 0: C is not read). */
static inline void gemm_put(__global float *c, const float alpha, const float beta, const float v)
{
    *c = beta == 0.0f ? alpha * v : alpha * v + beta * *c;
}

/* One k of the outer product: acc (TILE_M x NV vectors) += X's TILE_M values at x[xo[r]] times
 * Y's row segment yv. */
static inline void gemm_outer_step(floatV acc[TILE_M][NV], const floatV yv[NV], const __global float *x,
                                   const int xo[TILE_M])
{
#pragma unroll
    for (int r = 0; r < TILE_M; r++) {
        const floatV xv = (floatV)(x[xo[r]]);
#pragma unroll
        for (int v = 0; v < NV; v++) acc[r][v] = GEMM_MAD(xv, yv[v], acc[r][v]);
    }
}

/* Outer-product tile: D(P x Q) = X(P x K) * Y(K x Q), D = C (c_trans = 0) or C^T (c_trans = 1).
 * X(p, k) = x_trans ? X[k*ldx + p] : X[p*ldx + k];  Y(k, q) = Y[k*ldy + q]  (q contiguous).
 * The work-item owns rows p0 .. p0+TILE_M-1 and columns q0 .. q0+TILE_N-1 of D. x_trans and
 * c_trans are compile-time constants at every call site, so the branches on them fold away. */
static inline void gemm_outer(const int P, const int Q, const int K, const float alpha, const float beta,
                              const __global float *X, const int ldx, const int x_trans,
                              const __global float *Y, const int ldy, __global float *C, const int ldc,
                              const int c_trans, const int p0, const int q0)
{
    floatV acc[TILE_M][NV];
#pragma unroll
    for (int r = 0; r < TILE_M; r++)
#pragma unroll
        for (int v = 0; v < NV; v++) acc[r][v] = (floatV)(0.0f);

    /* Offsets of X(p0 + r, 0), rows clamped into the matrix, and the step from k to k + 1. */
    int xo[TILE_M];
#pragma unroll
    for (int r = 0; r < TILE_M; r++) {
        const int p = min(p0 + r, P - 1);
        xo[r] = x_trans ? p : p * ldx;
    }
    const int xs = x_trans ? ldx : 1;
    const __global float *x = X;

    /* A tile that crosses the right edge is shifted left to end at column Q, so it still takes
     * the fast path; it then stores only the columns it owns (q >= q0). */
    const int qs = q0 + TILE_N <= Q || Q < TILE_N ? q0 : Q - TILE_N;
    const __global float *y = Y + qs;

    if (qs + TILE_N <= Q) {
        /* Fast path: the whole TILE_N-wide panel of Y is inside the matrix. */
        for (int k = 0; k < K; k++) {
            floatV yv[NV];
#pragma unroll
            for (int v = 0; v < NV; v++) yv[v] = vloadV(v, y);
            gemm_outer_step(acc, yv, x, xo);
            x += xs;
            y += ldy;
        }
    } else {
        /* Q < TILE_N (narrow matrix): vectors that cross column Q are gathered with zero fill. */
        for (int k = 0; k < K; k++) {
            floatV yv[NV];
#pragma unroll
            for (int v = 0; v < NV; v++) {
                if (qs + (v + 1) * VW <= Q) {
                    yv[v] = vloadV(v, y);
                } else {
                    float t[VW];
#pragma unroll
                    for (int e = 0; e < VW; e++) {
                        t[e] = 0.0f;
                        if (qs + v * VW + e < Q) t[e] = y[v * VW + e];
                    }
                    yv[v] = vloadV(0, t);
                }
            }
            gemm_outer_step(acc, yv, x, xo);
            x += xs;
            y += ldy;
        }
    }

    /* Store columns q0 .. min(q0 + TILE_N, Q) - 1: whole vectors where possible, else element by
     * element (edges, transposed C). */
#pragma unroll
    for (int r = 0; r < TILE_M; r++) {
        const int p = p0 + r;
        if (p >= P) break;
#pragma unroll
        for (int v = 0; v < NV; v++) {
            const int q = qs + v * VW;
            if (!c_trans && q >= q0 && q + VW <= Q) {
                __global float *c = C + p * ldc + q;
                floatV out = acc[r][v] * alpha;
                if (beta != 0.0f) out = GEMM_MAD((floatV)(beta), vloadV(0, c), out);
                vstoreV(out, 0, c);
            } else if (q + VW > q0 && q < Q) {
                float t[VW];
                vstoreV(acc[r][v], 0, t);
                for (int e = max(q0 - q, 0); e < VW && q + e < Q; e++)
                    gemm_put(c_trans ? C + (q + e) * ldc + p : C + p * ldc + q + e, alpha, beta, t[e]);
            }
        }
    }
}

#define GEMM_ARGS                                                                                          \
    const int M, const int N, const int K, const float alpha, const float beta, __global const float *A,    \
        const int a_off, const int lda, __global const float *B, const int b_off, const int ldb,           \
        __global float *C, const int c_off, const int ldc

/* An outer-product kernel: D (P x Q) = X * Y through gemm_outer, the work-item's tile at
 * (p0, q0) = (global id 0 * TILE_M, global id 1 * TILE_N). */
#define GEMM_OUTER_KERNEL(name, P, Q, X, ldx, x_trans, Y, ldy, c_trans)                                     \
    __kernel __attribute__((reqd_work_group_size(WG_M, WG_N, 1))) void name(GEMM_ARGS)                     \
    {                                                                                                      \
        const int p0 = get_global_id(0) * TILE_M, q0 = get_global_id(1) * TILE_N;                         \
        if (p0 >= P || q0 >= Q) return;                                                                    \
        gemm_outer(P, Q, K, alpha, beta, X, ldx, x_trans, Y, ldy, C + c_off, ldc, c_trans, p0, q0);        \
    }

/* C = alpha * A * B + beta * C;  A is M x K (lda >= K), B is K x N (ldb >= N). */
GEMM_OUTER_KERNEL(gemm_nn, M, N, A + a_off, lda, 0, B + b_off, ldb, 0)

/* C = alpha * A^T * B + beta * C;  A is K x M (lda >= M), B is K x N (ldb >= N). */
GEMM_OUTER_KERNEL(gemm_tn, M, N, A + a_off, lda, 1, B + b_off, ldb, 0)

/* C = alpha * A^T * B^T + beta * C;  A is K x M (lda >= M), B is N x K (ldb >= K).
 * Computed as C^T = B * A: dimension 0 runs over N (rows of C^T), dimension 1 over M. */
GEMM_OUTER_KERNEL(gemm_tt, N, M, B + b_off, ldb, 0, A + a_off, lda, 1)

/* C = alpha * A * B^T + beta * C;  A is M x K (lda >= K), B is N x K (ldb >= K). */
__kernel __attribute__((reqd_work_group_size(WG_M, WG_N, 1))) void gemm_nt(GEMM_ARGS)
{
    const int p0 = get_global_id(0) * NT_TILE_M, q0 = get_global_id(1) * NT_TILE_N;
    if (p0 >= M || q0 >= N) return;
    A += a_off;
    B += b_off;
    C += c_off;

    const __global float *a[NT_TILE_M], *b[NT_TILE_N];
#pragma unroll
    for (int r = 0; r < NT_TILE_M; r++) a[r] = A + min(p0 + r, M - 1) * lda;
#pragma unroll
    for (int s = 0; s < NT_TILE_N; s++) b[s] = B + min(q0 + s, N - 1) * ldb;

    floatK acc[NT_TILE_M][NT_TILE_N];
#pragma unroll
    for (int r = 0; r < NT_TILE_M; r++)
#pragma unroll
        for (int s = 0; s < NT_TILE_N; s++) acc[r][s] = (floatK)(0.0f);

    int k = 0;
    for (; k + NT_VW <= K; k += NT_VW) {
        floatK av[NT_TILE_M], bv[NT_TILE_N];
#pragma unroll
        for (int r = 0; r < NT_TILE_M; r++) av[r] = vloadK(0, a[r] + k);
#pragma unroll
        for (int s = 0; s < NT_TILE_N; s++) bv[s] = vloadK(0, b[s] + k);
#pragma unroll
        for (int r = 0; r < NT_TILE_M; r++)
#pragma unroll
            for (int s = 0; s < NT_TILE_N; s++) acc[r][s] = GEMM_MAD(av[r], bv[s], acc[r][s]);
    }

    if (k < K) {
        /* K tail shorter than a vector: if K >= NT_VW, load the last full vector (it overlaps
         * the previous one) and zero the A lanes already summed; else gather with zero fill. */
        floatK av[NT_TILE_M], bv[NT_TILE_N];
        if (K >= NT_VW) {
            const int ks = K - NT_VW;
            const intK keep = GEMM_LANES >= (intK)(k - ks);
#pragma unroll
            for (int r = 0; r < NT_TILE_M; r++) av[r] = select((floatK)(0.0f), vloadK(0, a[r] + ks), keep);
#pragma unroll
            for (int s = 0; s < NT_TILE_N; s++) bv[s] = vloadK(0, b[s] + ks);
        } else {
            float t[NT_VW];
#pragma unroll
            for (int r = 0; r < NT_TILE_M; r++) {
                for (int e = 0; e < NT_VW; e++) t[e] = k + e < K ? a[r][k + e] : 0.0f;
                av[r] = vloadK(0, t);
            }
#pragma unroll
            for (int s = 0; s < NT_TILE_N; s++) {
                for (int e = 0; e < NT_VW; e++) t[e] = k + e < K ? b[s][k + e] : 0.0f;
                bv[s] = vloadK(0, t);
            }
        }
#pragma unroll
        for (int r = 0; r < NT_TILE_M; r++)
#pragma unroll
            for (int s = 0; s < NT_TILE_N; s++) acc[r][s] = GEMM_MAD(av[r], bv[s], acc[r][s]);
    }

    float sum[NT_TILE_M][NT_TILE_N];
#pragma unroll
    for (int r = 0; r < NT_TILE_M; r++)
#pragma unroll
        for (int s = 0; s < NT_TILE_N; s++) sum[r][s] = gemm_hsum(acc[r][s]);

#pragma unroll
    for (int r = 0; r < NT_TILE_M; r++) {
        if (p0 + r >= M) break;
#pragma unroll
        for (int s = 0; s < NT_TILE_N; s++)
            if (q0 + s < N) gemm_put(C + (p0 + r) * ldc + q0 + s, alpha, beta, sum[r][s]);
    }
}

/* Y = X^T: X is R x S (row-major, ldx), Y is S x R (ldy). One work-item per TR_TILE x TR_TILE
 * block (global = {roundup(ceil(R / TR_TILE), WG_M), roundup(ceil(S / TR_TILE), WG_N)},
 * local = {WG_M, WG_N}). A host can run gemm_nt as this transpose of B into a scratch buffer
 * followed by gemm_nn, which is faster when K is small (see the design notes at the top). */
__kernel __attribute__((reqd_work_group_size(WG_M, WG_N, 1))) void gemm_transpose(
    const int R, const int S, __global const float *X, const int x_off, const int ldx, __global float *Y,
    const int y_off, const int ldy)
{
    const int r0 = get_global_id(0) * TR_TILE, s0 = get_global_id(1) * TR_TILE;
    if (r0 >= R || s0 >= S) return;
    X += x_off + r0 * ldx + s0;
    Y += y_off + s0 * ldy + r0;
    const int nr = min(TR_TILE, R - r0), ns = min(TR_TILE, S - s0);
    for (int r = 0; r < nr; r++)
        for (int s = 0; s < ns; s++) Y[s * ldy + r] = X[r * ldx + s];
}

/* C's one row (M = 1) or one column (N = 1) as len dot products of length K, one per work-item:
 * C(j) = c[c_off + j*cs] = alpha * sum_k X(k) Y(k, j) + beta * C(j), X(k) = x[x_off + k*xs],
 * Y(k, j) = y[y_off + k*ysk + j*ysj]. The tiled kernels would give all but one row of a tile,
 * and all but one of WG_M work-items, nothing to do; here the K loop of every work-item runs
 * in step with its neighbours' (unit ysj: neighbouring columns of Y, which a CPU vectorizes). */
__kernel void gemm_vec(const int len, const int K, const float alpha, const float beta, __global const float *x,
                       const int x_off, const int xs, __global const float *y, const int y_off, const int ysk,
                       const int ysj, __global float *c, const int c_off, const int cs)
{
    const int j = get_global_id(0);
    if (j >= len) return;
    x += x_off;
    y += y_off + j * ysj;
    float acc = 0.0f;
    for (int k = 0; k < K; k++) acc = GEMM_MAD(x[k * xs], y[k * ysk], acc);
    gemm_put(c + c_off + j * cs, alpha, beta, acc);
}
