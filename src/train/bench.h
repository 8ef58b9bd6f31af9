/* bench.h — the FLOP and byte counts `clgan bench` reports per layer (internal; exposed for the
 * tests).
 */
#ifndef CLGAN_BENCH_H
#define CLGAN_BENCH_H

#include "layers/layer.h"

typedef struct clg_layer_cost {
    double fwd_flops;    /* one forward pass over n samples */
    double bwd_dx_flops; /* the input gradient */
    double bwd_dw_flops; /* the parameter gradients */
    double fwd_bytes, bwd_bytes;
} clg_layer_cost;

clg_layer_cost clg_layer_cost_of(const clg_layer *l, int n);

#endif
