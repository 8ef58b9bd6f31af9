# Batch norm and upsample layers: vs double references, finite differences, PyTorch fixtures
# (tests/fixtures/bn_*.bin, upsample_*.bin from tools/torch_fixtures_bn.py). Also under Oclgrind
# (CLGAN_TEST_SMALL: tiny sizes only).
clgan_test(bn test_bn.c ${CMAKE_SOURCE_DIR}/tests/fixtures)
set_tests_properties(bn PROPERTIES LABELS kernels)
clgan_oclgrind_test(bn ${CMAKE_SOURCE_DIR}/tests/fixtures)
