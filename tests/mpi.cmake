# Data-parallel training under MPI (label mpi): 2 ranks by mpirun on the MLP GAN, only when the
# build found an MPI (CLGAN_HAVE_MPI) and its launcher.
if(CLGAN_HAVE_MPI AND MPIEXEC_EXECUTABLE)
  foreach(case match dropout sync_bn bad_device resume kill)
    add_test(NAME mpi_${case} COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/mpi.sh $<TARGET_FILE:clgan-cli> ${MPIEXEC_EXECUTABLE}
             ${CMAKE_SOURCE_DIR} ${TEST_SCRATCH}/mpi_${case} ${case})
    set_tests_properties(mpi_${case} PROPERTIES LABELS mpi TIMEOUT 300)
  endforeach()
endif()
