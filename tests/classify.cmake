# The domain classifier and `clgan eval`: a short classifier run on a Fashion-MNIST subset reaches
# well above chance; eval ranks real test images far below uniform noise and writes JSON; bad
# input gives one clear message.
add_test(NAME classify COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/classify.sh $<TARGET_FILE:clgan-cli>
         ${TEST_SCRATCH}/classify)
set_tests_properties(classify PROPERTIES TIMEOUT 300)
