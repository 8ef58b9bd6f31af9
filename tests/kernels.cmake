# kernels.cmake — registers the layer tests (tests/test_kernels.c: the layers and a small network
# against tests/ref.h) and the gradient checks (tests/test_grad.c), each on the default device and
# again under Oclgrind with small sizes. The kernels themselves are rows of tests/test_ops.c
# (tests/ops.cmake).
clgan_test(kernels test_kernels.c)
clgan_test(grad test_grad.c)
clgan_oclgrind_test(kernels)
clgan_oclgrind_test(grad)

# The GEMM has two back ends (cl/gemm.cl on CPU devices, CLBlast elsewhere); run the layer tests
# through the one the device does not use by default as well, and our GEMM kernel under Oclgrind.
add_test(NAME kernels_clblast COMMAND test_kernels)
set_tests_properties(kernels_clblast PROPERTIES ENVIRONMENT "CLGAN_GEMM=clblast;CLGAN_CACHE_DIR=${CMAKE_BINARY_DIR}/kernel-cache")
if(OCLGRIND)
  # (without --uninitialized: Oclgrind 21.10's uninitialised-value plugin crashes inside itself
  # on cl/gemm.cl's wide vector code; bounds, API and race checks run)
  add_test(NAME oclgrind_kernels_owngemm
           COMMAND ${OCLGRIND} --check-api --data-races $<TARGET_FILE:test_kernels>)
  set_tests_properties(oclgrind_kernels_owngemm PROPERTIES LABELS oclgrind
                       ENVIRONMENT "CLGAN_GEMM=own;CLGAN_NO_CACHE=1;CLGAN_TEST_SMALL=1"
                       FAIL_REGULAR_EXPRESSION "Invalid (read|write)|[Uu]ninitiali[sz]ed|data race|Oclgrind - |OCLGRIND")
  clgan_test_device(oclgrind_kernels_owngemm Oclgrind)
endif()
