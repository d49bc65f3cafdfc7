/* pylite: BATCH_TO_SPACE_ND (layout and checks: internal/spatial_batch.h).
 *
 * As TFLite's builtin BATCH_TO_SPACE_ND: input [N, H, W, C] or [N, H, C]
 * of float32, int32, int64, uint8, int8 or int16; block_shape and
 * crops int32 inputs, constant or not (then the output is sized at
 * run time). Quantized tensors move their bytes (input and output must
 * share scale and zero point). Differences, on the safe side: block_shape
 * values must be >= 1 and crops >= 0 (TFLite divides by them or reads out
 * of bounds). */
#include "capi/core/kernel.h"
#include "capi/kernels/internal/spatial_batch.h"

static TfLiteStatus batch_to_space_nd_prepare(PlSubgraph* sg, PlNode* node) {
  return pl_spatial_batch_prepare(sg, node, false);
}

static TfLiteStatus batch_to_space_nd_eval(PlSubgraph* sg, PlNode* node) {
  return pl_spatial_batch_eval(sg, node, false);
}

const PlKernel pl_kernel_batch_to_space_nd = {
    .name = "BATCH_TO_SPACE_ND",
    .prepare = batch_to_space_nd_prepare,
    .eval = batch_to_space_nd_eval,
    .types = "float32, int32, int64, uint8, int8, int16",
};
