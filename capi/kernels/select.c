/* pylite: SELECT, condition ? x : y, as TFLite's builtin SELECT (v1): x and
 * y of one shape; the condition of that shape, a scalar, or 1-D over x's
 * first dim. See capi/kernels/internal/binary_select.h. */
#include "capi/kernels/internal/binary_select.h"

static TfLiteStatus select_prepare(PlSubgraph* sg, PlNode* node) {
  return pl_select_prepare(sg, node, false);
}

static TfLiteStatus select_eval(PlSubgraph* sg, PlNode* node) {
  return pl_select_eval(sg, node, false);
}

const PlKernel pl_kernel_select = {
    .name = "SELECT",
    .prepare = select_prepare,
    .eval = select_eval,
    .types = "bool, int8, uint8, int16, int32, int64, float32, float64 "
             "(quantized values copied as stored)",
};
