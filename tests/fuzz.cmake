# fuzz.cmake — libFuzzer harnesses (tests/fuzz/fuzz_*.c), built with -DCLGAN_FUZZ=ON (clang). Each
# is a ctest labelled "fuzz" that runs it for CLGAN_FUZZ_SECONDS (30) on a scratch copy of its
# seed corpus tests/fuzz/corpus/<name>/ with its dictionary tests/fuzz/<name>.dict. Run them
# longer by hand: build-fuzz/tests/fuzz_<name> -max_total_time=600 -dict=... CORPUS_COPY.
if(CLGAN_FUZZ)
  set(CLGAN_FUZZ_SECONDS 30 CACHE STRING "seconds each fuzz test runs its harness")
  set(FUZZ_DIR ${CMAKE_CURRENT_SOURCE_DIR}/fuzz)
  file(GLOB FUZZ_SOURCES CONFIGURE_DEPENDS ${FUZZ_DIR}/fuzz_*.c)
  foreach(src IN LISTS FUZZ_SOURCES)
    get_filename_component(name ${src} NAME_WE)
    string(REGEX REPLACE "^fuzz_" "" name ${name})
    add_executable(fuzz_${name} ${src})
    target_link_libraries(fuzz_${name} PRIVATE clgan)
    target_include_directories(fuzz_${name} PRIVATE ${CMAKE_SOURCE_DIR}/src ${CMAKE_SOURCE_DIR}/tests)
    target_compile_definitions(fuzz_${name} PRIVATE _GNU_SOURCE)
    target_link_options(fuzz_${name} PRIVATE -fsanitize=fuzzer)
    add_test(NAME fuzz_${name}
             COMMAND bash ${FUZZ_DIR}/run_fuzz.sh $<TARGET_FILE:fuzz_${name}> ${FUZZ_DIR}/corpus/${name}
                     ${FUZZ_DIR}/${name}.dict ${TEST_SCRATCH}/fuzz_${name} ${CLGAN_FUZZ_SECONDS})
    set_tests_properties(fuzz_${name} PROPERTIES LABELS fuzz TIMEOUT 300)
  endforeach()
endif()
