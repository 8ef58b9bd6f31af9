# clgan as others use it: installed to a prefix and linked from C (pkg-config, find_package,
# add_subdirectory), and the Python package over libclgan.so with its example notebook. Not in
# sanitizer builds (a sanitized libclgan.so cannot be loaded by an unsanitized Python).
if(NOT CLGAN_SANITIZE)
  add_test(NAME install COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/install.sh ${CMAKE_BINARY_DIR} ${CMAKE_SOURCE_DIR}
           ${TEST_SCRATCH}/install)
  set_tests_properties(install PROPERTIES LABELS package TIMEOUT 900)

  # Debian's Python (/usr/bin first) has the NumPy, pytest and nbconvert that tools/setup.sh installs
  set(PY_ENV "CLGAN_LIBRARY=$<TARGET_FILE:clgan_shared>" "PYTHONPATH=${CMAKE_SOURCE_DIR}/python"
             "CLGAN_CACHE_DIR=${CMAKE_BINARY_DIR}/kernel-cache" "PATH=/usr/bin:$ENV{PATH}")
  add_test(NAME python COMMAND /usr/bin/python3 -m pytest -q -p no:cacheprovider ${CMAKE_SOURCE_DIR}/python/tests)
  set_tests_properties(python PROPERTIES LABELS package TIMEOUT 600
                       ENVIRONMENT "${PY_ENV};CLGAN_CLI=$<TARGET_FILE:clgan-cli>")
  add_test(NAME notebook COMMAND /usr/bin/python3 -m nbconvert --to notebook --execute
           --ExecutePreprocessor.timeout=600 --output-dir ${TEST_SCRATCH}/notebook
           ${CMAKE_SOURCE_DIR}/python/examples/train_mlp_gan.ipynb)
  set_tests_properties(notebook PROPERTIES LABELS package TIMEOUT 900
                       ENVIRONMENT "${PY_ENV};CLGAN_SOURCE=${CMAKE_SOURCE_DIR};CLGAN_NOTEBOOK_OUT=${TEST_SCRATCH}/notebook/run;MPLBACKEND=Agg")
endif()
