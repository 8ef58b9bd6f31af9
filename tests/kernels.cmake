# kernels.cmake — registers the kernel tests (tests/test_kernels.c: every kernel, clg_gemm, the
# layers and a small network against tests/ref.h) and the gradient checks (tests/test_grad.c),
# each on the default device and again under Oclgrind with small sizes.
clgan_test(kernels test_kernels.c)
clgan_test(grad test_grad.c)
clgan_oclgrind_test(kernels)
clgan_oclgrind_test(grad)
