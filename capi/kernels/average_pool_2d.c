/* pylite: AVERAGE_POOL_2D, the mean of each window (NHWC float32, int8,
 * uint8, int16).
 *
 * Semantics, options, error cases and differences from TFLite are those of
 * the shared pool kernel in internal/nn_pool.h. */
#include "capi/kernels/internal/nn_pool.h"

static TfLiteStatus average_pool_prepare(PlSubgraph* sg, PlNode* node) {
  return pl_nn_pool_prepare(sg, node, "AVERAGE_POOL_2D", PL_POOL_AVERAGE);
}

static TfLiteStatus average_pool_eval(PlSubgraph* sg, PlNode* node) {
  return pl_nn_pool_eval(sg, node, PL_POOL_AVERAGE);
}

const PlKernel pl_kernel_average_pool_2d = {
    .name = "AVERAGE_POOL_2D",
    .init = pl_nn_pool_init,
    .free = pl_nn_pool_free,
    .prepare = average_pool_prepare,
    .eval = average_pool_eval,
    .types = "float32, int8, uint8, int16",
};
