# The generator's weight average (train.ema), TensorBoard logs (train.tensorboard) and scores
# during training (train.eval_every) through the CLI; TensorBoard's reader comes from PyPI into
# the build's tb-venv, as for tfevents_read.
add_test(NAME ema COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/ema.sh $<TARGET_FILE:clgan-cli> ${CMAKE_BINARY_DIR}/tb-venv
         ${TEST_SCRATCH}/ema)
set_tests_properties(ema PROPERTIES TIMEOUT 600)
