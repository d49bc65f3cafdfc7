/* pylite: SUM, the sum over the given axes.
 *
 * As TFLite's builtin SUM; the shared semantics (axes, keep_dims, types,
 * accumulation order, empty inputs) and the differences from TFLite are
 * described in internal/reduce_common.h. */
#include "capi/core/kernel.h"
#include "capi/kernels/internal/reduce_common.h"

static TfLiteStatus sum_prepare(PlSubgraph* sg, PlNode* node) {
  return pl_reduce_prepare(sg, node, PL_REDUCE_SUM);
}

static TfLiteStatus sum_eval(PlSubgraph* sg, PlNode* node) {
  return pl_reduce_eval(sg, node, PL_REDUCE_SUM);
}

const PlKernel pl_kernel_sum = {
    .name = "SUM",
    .init = pl_reduce_init,
    .free = pl_reduce_free,
    .prepare = sum_prepare,
    .eval = sum_eval,
    .types = "float32, int32, int64, int8, uint8, int16 (quantized)",
};
