/* pylite: MEAN, the mean over the given axes.
 *
 * As TFLite's builtin MEAN; the shared semantics (axes, keep_dims, types,
 * accumulation order, empty inputs) and the differences from TFLite are
 * described in internal/reduce_common.h. */
#include "capi/core/kernel.h"
#include "capi/kernels/internal/reduce_common.h"

static TfLiteStatus mean_prepare(PlSubgraph* sg, PlNode* node) {
  return pl_reduce_prepare(sg, node, PL_REDUCE_MEAN);
}

static TfLiteStatus mean_eval(PlSubgraph* sg, PlNode* node) {
  return pl_reduce_eval(sg, node, PL_REDUCE_MEAN);
}

const PlKernel pl_kernel_mean = {
    .name = "MEAN",
    .init = pl_reduce_init,
    .free = pl_reduce_free,
    .prepare = mean_prepare,
    .eval = mean_eval,
    .types = "float32, int32, int64, int8, uint8, int16 (quantized)",
};
