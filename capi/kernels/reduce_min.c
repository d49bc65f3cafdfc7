/* pylite: REDUCE_MIN, the minimum over the given axes.
 *
 * As TFLite's builtin REDUCE_MIN; the shared semantics (axes, keep_dims, types,
 * accumulation order, empty inputs) and the differences from TFLite are
 * described in internal/reduce_common.h. */
#include "capi/core/kernel.h"
#include "capi/kernels/internal/reduce_common.h"

static TfLiteStatus reduce_min_prepare(PlSubgraph* sg, PlNode* node) {
  return pl_reduce_prepare(sg, node, PL_REDUCE_MIN);
}

static TfLiteStatus reduce_min_eval(PlSubgraph* sg, PlNode* node) {
  return pl_reduce_eval(sg, node, PL_REDUCE_MIN);
}

const PlKernel pl_kernel_reduce_min = {
    .name = "REDUCE_MIN",
    .init = pl_reduce_init,
    .free = pl_reduce_free,
    .prepare = reduce_min_prepare,
    .eval = reduce_min_eval,
    .types = "float32, int32, int64, int8, uint8, int16, bool",
};
