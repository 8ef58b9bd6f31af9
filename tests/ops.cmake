# ops.cmake — the op-case harness (tests/test_ops.c, tests/ops*.h): every kernel of the runtime's
# table against plain C, clg_gemm, the layers and a small network on both GEMM back ends, gradients
# of single layers, networks and the loss against finite differences, and a check that fails for
# any kernel no case launches. Launches are counted by wrapping clg_launch at link time (GNU ld
# and lld).
clgan_test(ops test_ops.c)
target_link_options(test_ops PRIVATE "-Wl,--wrap=clg_launch")
set_tests_properties(ops PROPERTIES LABELS kernels)
# Under Oclgrind (the small run): CLBlast's GEMM with every check; cl/gemm.cl's kernels without
# --uninitialized (Oclgrind 21.10's uninitialised-value plugin crashes inside itself on their wide
# vector code; bounds, API and race checks run), and there only the rows with OP_GEMM (clg_gemm,
# the dense layer, the network and its gradients).
clgan_oclgrind_test(ops)
if(OCLGRIND)
  set_property(TEST oclgrind_ops APPEND PROPERTY ENVIRONMENT "CLGAN_GEMM=clblast")
  add_test(NAME oclgrind_ops_owngemm COMMAND ${OCLGRIND} --check-api --data-races $<TARGET_FILE:test_ops> gemm)
  set_tests_properties(oclgrind_ops_owngemm PROPERTIES LABELS oclgrind
                       ENVIRONMENT "CLGAN_GEMM=own;CLGAN_NO_CACHE=1;CLGAN_TEST_SMALL=1"
                       FAIL_REGULAR_EXPRESSION "Invalid (read|write)|[Uu]ninitiali[sz]ed|data race|Oclgrind - |OCLGRIND")
  clgan_test_device(oclgrind_ops_owngemm Oclgrind)
endif()
