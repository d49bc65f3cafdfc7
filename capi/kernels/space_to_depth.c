/* pylite: SPACE_TO_DEPTH, moves blocks of space into channels (NHWC).
 *
 * As TFLite's builtin SPACE_TO_DEPTH: input [N, H, W, C] of float32, int32,
 * int64, uint8, int8 or int16; SpaceToDepthOptions.block_size b >= 1 with
 * H % b == W % b == 0; output [N, H/b, W/b, C*b*b]. Quantized tensors move
 * their bytes (input and output must share scale and zero point). Layout
 * in internal/spatial_depth.h. Int16 is a superset of TFLite. */
#include "capi/core/kernel.h"
#include "capi/kernels/internal/spatial_depth.h"

static TfLiteStatus s2d_init(PlSubgraph* sg, PlNode* node) {
  return pl_spatial_depth_init(sg, node, kPlSpaceToDepthOptions);
}

static TfLiteStatus s2d_prepare(PlSubgraph* sg, PlNode* node) {
  return pl_spatial_depth_prepare(sg, node, false);
}

static TfLiteStatus s2d_eval(PlSubgraph* sg, PlNode* node) {
  return pl_spatial_depth_eval(sg, node, false);
}

const PlKernel pl_kernel_space_to_depth = {
    .name = "SPACE_TO_DEPTH",
    .init = s2d_init,
    .free = pl_spatial_depth_free,
    .prepare = s2d_prepare,
    .eval = s2d_eval,
    .types = "float32, int32, int64, uint8, int8, int16",
};
