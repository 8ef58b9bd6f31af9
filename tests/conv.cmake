# Convolution layers (conv2d, conv_transpose2d) and their kernels (cl/conv.cl): vs double
# references, finite differences, PyTorch fixtures (tests/fixtures/conv_*.bin from
# tools/torch_fixtures_conv.py). Also under Oclgrind (CLGAN_TEST_SMALL: tiny sizes only).
clgan_test(conv test_conv.c ${CMAKE_SOURCE_DIR}/tests/fixtures)
set_tests_properties(conv PROPERTIES LABELS kernels)
clgan_oclgrind_test(conv ${CMAKE_SOURCE_DIR}/tests/fixtures)
# Timing of both layers at the seed models' sizes (not a test): build/tests/bench_conv [REPS]
add_executable(bench_conv ${CMAKE_SOURCE_DIR}/tools/bench_conv.c)
target_link_libraries(bench_conv PRIVATE clgan)
target_include_directories(bench_conv PRIVATE ${CMAKE_SOURCE_DIR}/src)

add_test(NAME conv_clblast COMMAND test_conv ${CMAKE_SOURCE_DIR}/tests/fixtures)
set_tests_properties(conv_clblast PROPERTIES ENVIRONMENT "CLGAN_GEMM=clblast;CLGAN_CACHE_DIR=${CMAKE_BINARY_DIR}/kernel-cache")
