/* pylite: DEPTH_TO_SPACE, moves blocks of channels into space (NHWC).
 *
 * As TFLite's builtin DEPTH_TO_SPACE: input [N, H, W, C] of float32, int32,
 * int64, uint8, int8 or int16; DepthToSpaceOptions.block_size b >= 1 with
 * C % (b*b) == 0; output [N, H*b, W*b, C/(b*b)]. Quantized tensors move
 * their bytes (input and output must share scale and zero point). Layout
 * in internal/spatial_depth.h. Int16 is a superset of TFLite. */
#include "capi/core/kernel.h"
#include "capi/kernels/internal/spatial_depth.h"

static TfLiteStatus d2s_init(PlSubgraph* sg, PlNode* node) {
  return pl_spatial_depth_init(sg, node, kPlDepthToSpaceOptions);
}

static TfLiteStatus d2s_prepare(PlSubgraph* sg, PlNode* node) {
  return pl_spatial_depth_prepare(sg, node, true);
}

static TfLiteStatus d2s_eval(PlSubgraph* sg, PlNode* node) {
  return pl_spatial_depth_eval(sg, node, true);
}

const PlKernel pl_kernel_depth_to_space = {
    .name = "DEPTH_TO_SPACE",
    .init = d2s_init,
    .free = pl_spatial_depth_free,
    .prepare = d2s_prepare,
    .eval = d2s_eval,
    .types = "float32, int32, int64, uint8, int8, int16",
};
