/* pylite: ARG_MAX, the index of the largest value along an axis.
 *
 * As TFLite's builtin ARG_MAX; the shared semantics (axis, output_type, ties,
 * NaN, types) and the differences from TFLite are described in
 * internal/reduce_arg.h. */
#include "capi/core/kernel.h"
#include "capi/kernels/internal/reduce_arg.h"

static TfLiteStatus arg_max_init(PlSubgraph* sg, PlNode* node) {
  return pl_arg_init(sg, node, true);
}

static TfLiteStatus arg_max_eval(PlSubgraph* sg, PlNode* node) {
  return pl_arg_eval(sg, node, true);
}

const PlKernel pl_kernel_arg_max = {
    .name = "ARG_MAX",
    .init = arg_max_init,
    .free = pl_arg_free,
    .prepare = pl_arg_prepare,
    .eval = arg_max_eval,
    .types = "float32, int32, uint8, int8 and bool (quantized uint8/int8 compare as stored)",
};
