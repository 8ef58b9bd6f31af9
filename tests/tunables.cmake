# tunables.cmake — the kernels' tunables: the table's rows reach each program as -D (in the
# binary cache's key, none missing), and a device's tuning record with other GEMM tiles is read
# before the build and still gives a correct GEMM (its own scratch cache folder).
clgan_test(tunables test_tunables.c ${TEST_SCRATCH}/tunables-cache)
