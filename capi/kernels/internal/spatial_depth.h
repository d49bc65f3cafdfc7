/* pylite: DEPTH_TO_SPACE and SPACE_TO_DEPTH, the two block rearrangements
 * of NHWC tensors (one implementation, two directions).
 *
 * With block size b (>= 1):
 *   DEPTH_TO_SPACE [N, H, W, C] -> [N, H*b, W*b, C/(b*b)], C % (b*b) == 0:
 *     out[n][h*b + i][w*b + j][c] = in[n][h][w][(i*b + j) * C/(b*b) + c]
 *   SPACE_TO_DEPTH [N, H, W, C] -> [N, H/b, W/b, C*b*b], H % b == W % b == 0
 *     (its exact inverse).
 * The block size comes from DepthToSpaceOptions / SpaceToDepthOptions
 * (field 0); options of another type read as 0 and fail prepare, as in
 * TFLite. */
#ifndef PYLITE_KERNELS_INTERNAL_SPATIAL_DEPTH_H_
#define PYLITE_KERNELS_INTERNAL_SPATIAL_DEPTH_H_

#include "capi/kernels/internal/spatial_util.h"

enum { kPlDepthToSpaceOptions = 94, kPlSpaceToDepthOptions = 19 };

typedef struct PlSpatialDepth {
  int block;
} PlSpatialDepth;

PL_SPATIAL_FN TfLiteStatus pl_spatial_depth_init(PlSubgraph* sg, PlNode* node,
                                                 int options_type) {
  PlSpatialDepth* d = calloc(1, sizeof(*d));
  if (!d) {
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  if (node->def->builtin_options_type == options_type)
    d->block = pl_fb_i32(&node->def->builtin_options, 0, 0);
  node->user_data = d;
  return kTfLiteOk;
}

PL_SPATIAL_FN void pl_spatial_depth_free(PlNode* node) {
  free(node->user_data);
  node->user_data = NULL;
}

PL_SPATIAL_FN TfLiteStatus pl_spatial_depth_prepare(PlSubgraph* sg,
                                                    PlNode* node,
                                                    bool to_space) {
  const char* op = to_space ? "DEPTH_TO_SPACE" : "SPACE_TO_DEPTH";
  const PlSpatialDepth* d = node->user_data;
  PL_ENSURE(sg, d != NULL);
  PL_ENSURE_OK(pl_shape_arity(sg, node, op, 1, 1, 1, 1));
  const TfLiteTensor* input = pl_input(sg, node, 0);
  TfLiteTensor* output = pl_output(sg, node, 0);
  PL_ENSURE_OK(pl_spatial_check_move(sg, op, input, output));
  PL_ENSURE_OK(pl_spatial_check_rank(sg, op, "input", input, 4));
  char s[160];
  pl_shape_string(input->dims, s, sizeof(s));
  const int64_t b = d->block;
  if (b < 1) {
    pl_report(sg, "%s: block_size must be >= 1, got %d.", op, d->block);
    return kTfLiteError;
  }
  const int* in = input->dims->data;
  int64_t out[4] = {in[0], in[1], in[2], in[3]};
  if (to_space) {
    if (in[3] % (b * b) != 0) {
      pl_report(sg, "%s: input depth of shape %s is not a multiple of "
                "block_size^2 = %lld.", op, s, (long long)(b * b));
      return kTfLiteError;
    }
    out[1] *= b, out[2] *= b, out[3] /= b * b;
  } else {
    if (in[1] % b != 0 || in[2] % b != 0) {
      pl_report(sg, "%s: input height and width of shape %s must be "
                "multiples of block_size %d.", op, s, d->block);
      return kTfLiteError;
    }
    out[1] /= b, out[2] /= b, out[3] *= b * b;
  }
  return pl_spatial_resize64(sg, op, output, 4, out);
}

PL_SPATIAL_FN TfLiteStatus pl_spatial_depth_eval(PlSubgraph* sg, PlNode* node,
                                                 bool to_space) {
  const PlSpatialDepth* d = node->user_data;
  const TfLiteTensor* input = pl_input(sg, node, 0);
  TfLiteTensor* output = pl_output(sg, node, 0);
  if (pl_num_elements(output) == 0) return kTfLiteOk;
  const size_t e = pl_type_size(input->type);
  /* Name the dims from the space side: [N, SH, SW, SC] where SH = H*b. */
  const TfLiteTensor* space = to_space ? output : input;
  const int64_t b = d->block, n = space->dims->data[0];
  const int64_t sh = space->dims->data[1], sw = space->dims->data[2];
  const int64_t sc = space->dims->data[3];
  const int64_t dw = sw / b, dc = sc * b * b;
  const char* src = input->data.raw_const;
  char* dst = output->data.raw;
  const size_t row = (size_t)sc * e;
  /* Each run of sc channels moves as one block. */
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t y = 0; y < sh; ++y) {
      for (int64_t x = 0; x < sw; ++x) {
        const int64_t s_off = ((i * sh + y) * sw + x) * sc;
        const int64_t d_off =
            ((i * (sh / b) + y / b) * dw + x / b) * dc +
            ((y % b) * b + (x % b)) * sc;
        if (to_space) memcpy(dst + s_off * (int64_t)e,
                             src + d_off * (int64_t)e, row);
        else memcpy(dst + d_off * (int64_t)e, src + s_off * (int64_t)e, row);
      }
    }
  }
  return kTfLiteOk;
}

#endif /* PYLITE_KERNELS_INTERNAL_SPATIAL_DEPTH_H_ */
