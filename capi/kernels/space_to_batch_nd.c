/* pylite: SPACE_TO_BATCH_ND (layout and checks: internal/spatial_batch.h).
 *
 * As TFLite's builtin SPACE_TO_BATCH_ND: input [N, H, W, C] or [N, H, C]
 * of float32, int32, int64, uint8, int8 or int16; block_shape and
 * paddings int32 inputs, constant or not (then the output is sized at
 * run time). Quantized tensors move their bytes (input and output must
 * share scale and zero point). Differences, on the safe side: block_shape
 * values must be >= 1 and paddings >= 0 (TFLite divides by them or reads out
 * of bounds). */
#include "capi/core/kernel.h"
#include "capi/kernels/internal/spatial_batch.h"

static TfLiteStatus space_to_batch_nd_prepare(PlSubgraph* sg, PlNode* node) {
  return pl_spatial_batch_prepare(sg, node, true);
}

static TfLiteStatus space_to_batch_nd_eval(PlSubgraph* sg, PlNode* node) {
  return pl_spatial_batch_eval(sg, node, true);
}

const PlKernel pl_kernel_space_to_batch_nd = {
    .name = "SPACE_TO_BATCH_ND",
    .prepare = space_to_batch_nd_prepare,
    .eval = space_to_batch_nd_eval,
    .types = "float32, int32, int64, uint8, int8, int16",
};
