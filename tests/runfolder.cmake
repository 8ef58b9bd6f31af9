# Trustworthy run folders and checkpoints: checkpoint metadata and tensors checked before use,
# no non-finite or exploded weights written, a failed start (resume) changes nothing on disk,
# and --overwrite never mixes an old run's files with the new one's.
clgan_test(checkpoint_trust test_checkpoint_trust.c ${CMAKE_SOURCE_DIR}/configs/test_mlp.ini ${TEST_SCRATCH}/checkpoint_trust)
set_tests_properties(checkpoint_trust PROPERTIES LABELS e2e TIMEOUT 300)

add_test(NAME runfolder COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/runfolder.sh $<TARGET_FILE:clgan-cli> ${CMAKE_SOURCE_DIR}
         ${TEST_SCRATCH}/runfolder)
set_tests_properties(runfolder PROPERTIES LABELS e2e TIMEOUT 300
                     ENVIRONMENT "CLGAN_CACHE_DIR=${CMAKE_BINARY_DIR}/kernel-cache")
