/* kernels.h — the kernel table: one X-macro line per kernel (enum name, program = cl/<file>.cl,
 * kernel function), and the kernel ids it gives. Data only: every runtime part may include it.
 */
#ifndef CLGAN_RUNTIME_KERNELS_H
#define CLGAN_RUNTIME_KERNELS_H

#define CLG_KERNELS(K)                                  \
    K(FILL, common, fill)                               \
    K(AXPBY, common, axpby)                             \
    K(ADD_BIAS, common, add_bias)                       \
    K(LEAKY_FWD, activation, leaky_fwd)                 \
    K(LEAKY_BWD, activation, leaky_bwd)                 \
    K(TANH_FWD, activation, tanh_fwd)                   \
    K(TANH_BWD, activation, tanh_bwd)                   \
    K(SIGMOID_FWD, activation, sigmoid_fwd)             \
    K(SIGMOID_BWD, activation, sigmoid_bwd)             \
    K(IM2COL, conv, im2col)                             \
    K(IM2COL_T, conv, im2col_t)                         \
    K(COL2IM, conv, col2im)                             \
    K(PACK_CN, conv, pack_cn)                           \
    K(UNPACK_CN, conv, unpack_cn)                       \
    K(FLIP_T, conv, flip_t)                             \
    K(FOLD_UP, conv, fold_up)                           \
    K(UNFOLD_UP_GRAD, conv, unfold_up_grad)             \
    K(DCONV_GATHER, dconv, dconv_gather)                \
    K(DCONV_SCATTER, dconv, dconv_scatter)              \
    K(DCONV_WGRAD, dconv, dconv_wgrad)                  \
    K(BN_STATS, batchnorm, bn_stats)                    \
    K(BN_APPLY, batchnorm, bn_apply)                    \
    K(BN_FWD_EVAL, batchnorm, bn_fwd_eval)              \
    K(BN_BWD, batchnorm, bn_bwd)                        \
    K(BN_BWD_COEF, batchnorm, bn_bwd_coef)              \
    K(CHAN_SUMS, reduce, chan_sums)                     \
    K(REDUCE_ROWS, reduce, reduce_rows)                 \
    K(COL_SUMS, reduce, col_sums)                       \
    K(PLANE_SUMS, reduce, plane_sums)                   \
    K(UPSAMPLE_NEAREST_FWD, upsample, upsample_nearest_fwd) \
    K(UPSAMPLE_NEAREST_BWD, upsample, upsample_nearest_bwd) \
    K(UPSAMPLE_BILINEAR_FWD, upsample, upsample_bilinear_fwd) \
    K(UPSAMPLE_BILINEAR_BWD, upsample, upsample_bilinear_bwd) \
    K(DROPOUT_FWD, random, dropout_fwd)                 \
    K(DROPOUT_BWD, random, dropout_bwd)                 \
    K(NOISE_NORMAL, random, noise_normal)               \
    K(NOISE_UNIFORM, random, noise_uniform)             \
    K(GATHER_U8, data, gather_u8)                       \
    K(MAXOUT_FWD, maxout, maxout_fwd)                   \
    K(FMA_PEAK, bench, fma_peak)                        \
    K(BW_COPY, bench, bw_copy)                          \
    K(GEMM_NN, gemm, gemm_nn)                           \
    K(GEMM_NT, gemm, gemm_nt)                           \
    K(GEMM_TN, gemm, gemm_tn)                           \
    K(GEMM_TT, gemm, gemm_tt)                           \
    K(GEMM_VEC, gemm, gemm_vec)                         \
    K(MAXOUT_BWD, maxout, maxout_bwd)                   \
    K(BCE, loss, bce)                                   \
    K(SOFTMAX_XENT, loss, softmax_xent)                 \
    K(SGD, optim, sgd)                                  \
    K(ADAM, optim, adam)                                \
    K(RMSPROP, optim, rmsprop)                          \
    K(CLIP_VALUE, optim, clip_value)                    \
    K(CLIP_SCALE, optim, clip_scale)                    \
    K(EMA, optim, ema)

enum clg_kernel_id {
#define K(id, prog, fn) CLG_K_##id,
    CLG_KERNELS(K)
#undef K
    CLG_NKERNELS
};

#define CLG_MAX_PROGRAMS 16

#endif
