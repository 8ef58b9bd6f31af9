# End-to-end tests: training runs on real Fashion-MNIST (installed by dataset-fashion-mnist).
clgan_test(train test_train.c ${CMAKE_SOURCE_DIR}/configs/test_mlp.ini ${TEST_SCRATCH}/train)
set_tests_properties(train PROPERTIES LABELS e2e TIMEOUT 900)

clgan_test(config test_config.c ${TEST_SCRATCH}/config ${CMAKE_SOURCE_DIR}/configs)

add_test(NAME cli COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli.sh $<TARGET_FILE:clgan-cli> ${CMAKE_SOURCE_DIR}
         ${TEST_SCRATCH}/cli)
set_tests_properties(cli PROPERTIES ENVIRONMENT "CLGAN_CACHE_DIR=${CMAKE_BINARY_DIR}/kernel-cache")

clgan_test(folder test_folder.c ${TEST_SCRATCH}/folder)

clgan_test(maxout test_maxout.c)
clgan_oclgrind_test(maxout)

clgan_test(checkpoint test_checkpoint.c ${CMAKE_SOURCE_DIR}/configs/test_mlp.ini ${TEST_SCRATCH}/checkpoint)
set_tests_properties(checkpoint PROPERTIES LABELS e2e TIMEOUT 900)

add_test(NAME report COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/report.sh $<TARGET_FILE:clgan-cli> ${CMAKE_SOURCE_DIR}
         ${TEST_SCRATCH}/report)
set_tests_properties(report PROPERTIES ENVIRONMENT "CLGAN_CACHE_DIR=${CMAKE_BINARY_DIR}/kernel-cache" TIMEOUT 600)

clgan_test(bench test_bench.c)

clgan_test(colour test_colour.c ${CMAKE_SOURCE_DIR}/configs/test_colour.ini ${TEST_SCRATCH}/colour)
set_tests_properties(colour PROPERTIES LABELS e2e TIMEOUT 600)

clgan_test(tune test_tune.c)
set_tests_properties(tune PROPERTIES ENVIRONMENT "CLGAN_CACHE_DIR=${TEST_SCRATCH}/tune-cache" TIMEOUT 600)

# the convolution stack end to end: seed 003's DCGAN on real data, learning and determinism
add_test(NAME train_dcgan COMMAND test_train ${CMAKE_SOURCE_DIR}/configs/test_dcgan.ini ${TEST_SCRATCH}/train_dcgan 150 20)
set_tests_properties(train_dcgan PROPERTIES LABELS e2e TIMEOUT 900
                     ENVIRONMENT "CLGAN_CACHE_DIR=${CMAKE_BINARY_DIR}/kernel-cache")
