/* test_bench.c — the benchmark's FLOP counts against hand-computed values for a small network
 * on a batch of 3: conv2d 2 -> 4 channels, 3x3,
 * stride 1, padding 1 on 5x5: 2*N*OH*OW*(4*2*3*3) = 2*3*25*72 = 10800 (+ bias 3*4*25 = 300);
 * conv_transpose2d 4 -> 2 channels, 4x4, stride 2, padding 1 from 5x5: 2*N*IH*IW*(4*2*4*4) =
 * 2*3*25*128 = 19200 (+ bias 3*2*10*10 = 600); leaky_relu on 4x5x5: one per value = 300; dense 200 -> 5: forward 2*3*200*5 + 15 = 6015,
 * input gradient 6000, weight and bias gradients 6015.
 */
#include "model/network.h"
#include "testutil.h"
#include "train/bench.h"

int main(void)
{
    clg_ctx *ctx = test_ctx();
    clg_net_cfg c;
    memset(&c, 0, sizeof c);
    c.opt.kind = CLG_OPT_SGD;
    c.opt.lr = 0.1f;
    const char *layers[] = {"conv2d filters=4 kernel=3 stride=1 padding=1", "leaky_relu slope=0.2",
                            "conv_transpose2d filters=2 kernel=4 stride=2 padding=1", "flatten", "dense units=5"};
    c.nlayers = 5;
    for (int i = 0; i < c.nlayers; i++) {
        snprintf(c.layers[i].text, sizeof c.layers[i].text, "%s", layers[i]);
        snprintf(c.layers[i].where, sizeof c.layers[i].where, "test:%d", i + 1);
    }
    clg_net net;
    clg_rng rng = {1};
    CHECK_OK(ctx, clg_net_build(&net, ctx, "test", &c, (clg_shape){2, 5, 5}, 3, &rng));
    clg_layer_cost k0 = clg_layer_cost_of(&net.layers[0], 3), k1 = clg_layer_cost_of(&net.layers[1], 3),
                   k2 = clg_layer_cost_of(&net.layers[2], 3), k4 = clg_layer_cost_of(&net.layers[4], 3);
    CHECK(k0.fwd_flops == 10800 + 300 && k0.bwd_dx_flops == 10800 && k0.bwd_dw_flops == 10800 + 300,
          "conv2d: %g %g %g", k0.fwd_flops, k0.bwd_dx_flops, k0.bwd_dw_flops);
    CHECK(k1.fwd_flops == 300 && k1.bwd_dw_flops == 0, "leaky_relu: %g", k1.fwd_flops);
    CHECK(k2.fwd_flops == 19200 + 600 && k2.bwd_dx_flops == 19200, "conv_transpose2d: %g %g", k2.fwd_flops,
          k2.bwd_dx_flops);
    /* the dense layer sees 2*10*10 = 200 inputs: 2*3*200*5 = 6000 (+ 15 bias) */
    CHECK(k4.fwd_flops == 6000 + 15 && k4.bwd_dx_flops == 6000 && k4.bwd_dw_flops == 6015, "dense: %g %g %g",
          k4.fwd_flops, k4.bwd_dx_flops, k4.bwd_dw_flops);
    /* bytes: dense forward reads 3*200 inputs, writes 3*5 outputs, reads 1000 + 5 parameters */
    CHECK(k4.fwd_bytes == 4.0 * (600 + 15) + 4.0 * 1005, "dense bytes: %g", k4.fwd_bytes);
    clg_net_free(&net);
    clg_ctx_free(ctx);
    return test_summary("bench");
}
