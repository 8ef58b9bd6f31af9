# Sample scores (src/eval): Fréchet distance, KID, classifier score, class histogram,
# precision/recall and memorisation against closed forms and brute-force references.
clgan_test(metrics test_metrics.c)

# TensorBoard event files: framing, CRC32C and the encoded Events checked in C, then read back by
# TensorBoard's own reader (tb_venv.sh installs it into the virtual environment CLGAN_TB_VENV
# on first use, which needs network for pip).
clgan_test(tfevents test_tfevents.c ${TEST_SCRATCH}/tfevents)
set_tests_properties(tfevents PROPERTIES FIXTURES_SETUP tfevents_file)
add_test(NAME tfevents_read COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/tfevents_read.sh ${CLGAN_TB_VENV}
         ${TEST_SCRATCH}/tfevents)
set_tests_properties(tfevents_read PROPERTIES FIXTURES_REQUIRED "tfevents_file;tb_venv" TIMEOUT 600)
# the virtual environment both event-file readers use (tfevents_read, ema), made once per run
add_test(NAME tb_venv COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/tb_venv.sh ${CLGAN_TB_VENV})
set_tests_properties(tb_venv PROPERTIES FIXTURES_SETUP tb_venv TIMEOUT 600)
