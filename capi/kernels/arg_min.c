/* pylite: ARG_MIN, the index of the smallest value along an axis.
 *
 * As TFLite's builtin ARG_MIN; the shared semantics (axis, output_type, ties,
 * NaN, types) and the differences from TFLite are described in
 * internal/reduce_arg.h. */
#include "capi/core/kernel.h"
#include "capi/kernels/internal/reduce_arg.h"

static TfLiteStatus arg_min_init(PlSubgraph* sg, PlNode* node) {
  return pl_arg_init(sg, node, false);
}

static TfLiteStatus arg_min_eval(PlSubgraph* sg, PlNode* node) {
  return pl_arg_eval(sg, node, false);
}

const PlKernel pl_kernel_arg_min = {
    .name = "ARG_MIN",
    .init = arg_min_init,
    .free = pl_arg_free,
    .prepare = pl_arg_prepare,
    .eval = arg_min_eval,
    .types = "float32, int32, uint8, int8 and bool (quantized uint8/int8 compare as stored)",
};
