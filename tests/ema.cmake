# The generator's weight average (train.ema), TensorBoard logs (train.tensorboard) and scores
# during training (train.eval_every) through the CLI; TensorBoard's reader comes from PyPI into
# CLGAN_TB_VENV, made by the tb_venv fixture (tests/eval.cmake).
add_test(NAME ema COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/ema.sh $<TARGET_FILE:clgan-cli> ${CLGAN_TB_VENV}
         ${TEST_SCRATCH}/ema)
set_tests_properties(ema PROPERTIES TIMEOUT 600 FIXTURES_REQUIRED tb_venv)
