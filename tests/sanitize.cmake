# sanitize.cmake — in a CLGAN_SANITIZE build (ASan+UBSan, see the top-level CMakeLists.txt), gives
# every test of this folder the sanitizer options: leaks are reported except the ones suppressed in
# lsan.supp (inside the OpenCL drivers and libraries, not ours), and any undefined behaviour stops
# the test with a stack trace. Set at the end of the folder, so tests defined after this file and
# tests that set their own ENVIRONMENT get them too.
if(CLGAN_SANITIZE)
  set(CLGAN_SANITIZE_ENV
      "ASAN_OPTIONS=detect_leaks=1:strict_string_checks=1"
      # full (slow) unwinding of allocations: stacks must reach the driver named in lsan.supp
      "LSAN_OPTIONS=suppressions=${CMAKE_SOURCE_DIR}/tests/lsan.supp:print_suppressions=0:fast_unwind_on_malloc=0"
      "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1")
  function(clgan_sanitize_env)
    get_property(tests DIRECTORY PROPERTY TESTS)
    foreach(t IN LISTS tests)
      set_property(TEST ${t} APPEND PROPERTY ENVIRONMENT ${CLGAN_SANITIZE_ENV})
    endforeach()
  endfunction()
  cmake_language(DEFER CALL clgan_sanitize_env)
endif()
