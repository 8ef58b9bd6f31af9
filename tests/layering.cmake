# The parts of src/ import downwards only (tools/check_layers.sh), and the checker itself fails
# on crafted trees that break the order.
add_test(NAME check_layers COMMAND bash ${CMAKE_SOURCE_DIR}/tools/check_layers.sh ${CMAKE_SOURCE_DIR}/src)
add_test(NAME check_layers_test COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/check_layers_test.sh ${CMAKE_SOURCE_DIR}
         ${TEST_SCRATCH}/check_layers)
