# layer_limits.cmake — layer options reported against their own limits, generator input shapes
# parsed whole, and tensors past the kernels' int index refused while the network is built.
clgan_test(layer_limits test_layer_limits.c)
