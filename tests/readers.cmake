# File readers on crafted input: one image decoded from memory (every format, headers announcing
# huge images, truncations, seeded mutations), .npy and safetensors from memory and from files.
# Build with -fsanitize=address,undefined to see them clean under the sanitizers as well.
clgan_test(image_decode test_image_decode.c ${CMAKE_CURRENT_SOURCE_DIR}/fixtures)
clgan_test(npy_safetensors test_npy_st.c ${TEST_SCRATCH}/npy_st)
clgan_test(sizes test_sizes.c ${TEST_SCRATCH}/sizes)
