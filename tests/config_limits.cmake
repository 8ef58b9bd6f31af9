# config_limits.cmake — configuration text that no length or number limit can change: long
# lines, comments, quoting, out-of-range numbers and the resolved-text round trip (no device),
# and the command line's bounds on every numeric option.
clgan_test(config_limits test_config_limits.c ${TEST_SCRATCH}/config_limits ${CMAKE_SOURCE_DIR}/configs)
