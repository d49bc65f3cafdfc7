/* pylite: L2_POOL_2D, the square root of the mean square of each window (NHWC float32).
 *
 * Semantics, options, error cases and differences from TFLite are those of
 * the shared pool kernel in internal/nn_pool.h. */
#include "capi/kernels/internal/nn_pool.h"

static TfLiteStatus l2_pool_prepare(PlSubgraph* sg, PlNode* node) {
  return pl_nn_pool_prepare(sg, node, "L2_POOL_2D", PL_POOL_L2);
}

static TfLiteStatus l2_pool_eval(PlSubgraph* sg, PlNode* node) {
  return pl_nn_pool_eval(sg, node, PL_POOL_L2);
}

const PlKernel pl_kernel_l2_pool_2d = {
    .name = "L2_POOL_2D",
    .init = pl_nn_pool_init,
    .free = pl_nn_pool_free,
    .prepare = l2_pool_prepare,
    .eval = l2_pool_eval,
    .types = "float32",
};
