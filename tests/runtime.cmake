# runtime.cmake — the host runtime: no allocation or program build inside a training step (also
# with CLBlast's indirect GEMM), device choice, device memory limits, OpenCL C version, GEMM
# reporting, the one status space OpenCL and CLBlast codes map into.
clgan_test(step_alloc test_step_alloc.c ${CMAKE_SOURCE_DIR}/configs/test_dcgan.ini 3)
add_test(NAME step_alloc_indirect COMMAND test_step_alloc ${CMAKE_SOURCE_DIR}/configs/test_dcgan.ini 3 indirect)
set_tests_properties(step_alloc step_alloc_indirect PROPERTIES TIMEOUT 300
                     ENVIRONMENT "CLGAN_CACHE_DIR=${CMAKE_BINARY_DIR}/kernel-cache")
clgan_test(device test_device.c)
clgan_test(enum test_enum.c)
add_test(NAME runtime_cli COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/runtime_cli.sh $<TARGET_FILE:clgan-cli>
         ${CMAKE_SOURCE_DIR} ${TEST_SCRATCH}/runtime_cli)
set_tests_properties(runtime_cli PROPERTIES ENVIRONMENT "CLGAN_CACHE_DIR=${CMAKE_BINARY_DIR}/kernel-cache")
clgan_test(status test_status.c)
