/* pylite: SELECT_V2, condition ? x : y with all three broadcast numpy-style
 * at any rank, as TFLite's builtin SELECT_V2. See
 * capi/kernels/internal/binary_select.h. */
#include "capi/kernels/internal/binary_select.h"

static TfLiteStatus select_v2_prepare(PlSubgraph* sg, PlNode* node) {
  return pl_select_prepare(sg, node, true);
}

static TfLiteStatus select_v2_eval(PlSubgraph* sg, PlNode* node) {
  return pl_select_eval(sg, node, true);
}

const PlKernel pl_kernel_select_v2 = {
    .name = "SELECT_V2",
    .prepare = select_v2_prepare,
    .eval = select_v2_eval,
    .types = "bool, int8, uint8, int16, int32, int64, float32, float64 "
             "(quantized values copied as stored)",
};
