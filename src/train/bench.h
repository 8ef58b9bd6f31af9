/* bench.h — internal header of `clgan bench` (the tests include it); the FLOP and byte counts it
 * reports per layer come from the layer table.
 */
#ifndef CLGAN_BENCH_H
#define CLGAN_BENCH_H

#include "layers/layer.h"

/* clg_layer_cost_of: layers/layer.h */

#endif
