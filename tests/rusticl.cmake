# rusticl.cmake — the op-case harness (kernels, layers, networks, gradients), the convolution, batch
# norm and maxout tests and a short training run again on Mesa's rusticl over llvmpipe (label
# rusticl): a third CPU OpenCL implementation, with its own compiler and limits (llvmpipe, for one, ends a work-item after 65535
# iterations of a loop). Full test sizes: they take seconds each there. The training run is 30
# steps (too few for the learning checks, which need ~200 and a step takes ~0.3 s there): every
# kernel of a step runs, and one seed gives one metrics.csv. Registered when Mesa's ICD is
# installed (mesa-opencl-icd); rusticl shows its llvmpipe device only with RUSTICL_ENABLE.
find_file(RUSTICL_ICD rusticl.icd PATHS /etc/OpenCL/vendors $ENV{OCL_ICD_VENDORS} NO_DEFAULT_PATH)
if(NOT RUSTICL_ICD)
  message(STATUS "rusticl.icd not found: tests of label rusticl not registered")
  return()
endif()

function(clgan_rusticl_test name)
  add_test(NAME rusticl_${name} COMMAND ${ARGN})
  set_tests_properties(rusticl_${name} PROPERTIES LABELS rusticl TIMEOUT 300)
  clgan_test_device(rusticl_${name} llvmpipe RUSTICL_ENABLE=llvmpipe)
endfunction()

clgan_rusticl_test(ops test_ops)
# (one GEMM back end there, ours; the coverage check still holds)
set_property(TEST rusticl_ops APPEND PROPERTY ENVIRONMENT_MODIFICATION "CLGAN_GEMM=set:own")
clgan_rusticl_test(conv test_conv ${CMAKE_SOURCE_DIR}/tests/fixtures)
clgan_rusticl_test(bn test_bn ${CMAKE_SOURCE_DIR}/tests/fixtures)
clgan_rusticl_test(maxout test_maxout)
clgan_rusticl_test(train test_train ${CMAKE_SOURCE_DIR}/configs/test_mlp.ini ${TEST_SCRATCH}/rusticl_train 30 5)
