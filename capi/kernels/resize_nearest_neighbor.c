/* pylite: RESIZE_NEAREST_NEIGHBOR, nearest-pixel resampling of NHWC images.
 *
 * As TFLite's builtin RESIZE_NEAREST_NEIGHBOR (shapes and options:
 * internal/spatial_resize.h; ResizeNearestNeighborOptions.align_corners and
 * half_pixel_centers). Per axis, in float: scale = in / out (or (in - 1) /
 * (out - 1) when align_corners and out > 1), offset = 0.5 with
 * half_pixel_centers else 0; output v reads input
 * min(round((v + offset) * scale) if align_corners else
 * floor((v + offset) * scale), in - 1), and with half_pixel_centers at
 * least 0 (round: halves away from zero), as TFLite's reference kernel;
 * both options may be set at once (as TFLite, unlike TensorFlow).
 * Types: float32, int32, uint8, int8, int16, and int64 (a superset of
 * LiteRT, which rejects it at invoke); pixels move as bytes, so
 * quantized input and output must share scale and zero point. */
#include <math.h>

#include "capi/core/kernel.h"
#include "capi/kernels/internal/spatial_resize.h"

/* Schema BuiltinOptions union type and ResizeNearestNeighborOptions field
 * ids. */
enum { kResizeNearestOptionsType = 74 };
enum { kFieldAlignCorners = 0, kFieldHalfPixelCenters = 1 };

static const char kOp[] = "RESIZE_NEAREST_NEIGHBOR";

static TfLiteStatus nearest_init(PlSubgraph* sg, PlNode* node) {
  return pl_spatial_resize_init(sg, node, kResizeNearestOptionsType,
                                kFieldAlignCorners, kFieldHalfPixelCenters);
}

static TfLiteStatus nearest_prepare(PlSubgraph* sg, PlNode* node) {
  PL_ENSURE_OK(pl_spatial_resize_prepare(sg, node, kOp));
  return pl_spatial_check_move(sg, kOp, pl_input(sg, node, 0),
                               pl_output(sg, node, 0));
}

static int32_t nearest_source(int32_t v, int32_t in, int32_t out,
                              bool align, bool half) {
  const float scale = (align && out > 1) ? (in - 1) / (float)(out - 1)
                                         : in / (float)out;
  const float offset = half ? 0.5f : 0.0f;
  const float s = (v + offset) * scale;
  int32_t r = align ? (int32_t)roundf(s) : (int32_t)floorf(s);
  if (r > in - 1) r = in - 1;
  if (half && r < 0) r = 0;
  return r;
}

static TfLiteStatus nearest_eval(PlSubgraph* sg, PlNode* node) {
  const PlSpatialResize* d = node->user_data;
  PL_ENSURE_OK(pl_spatial_resize_output(sg, node, kOp));
  const TfLiteTensor* input = pl_input(sg, node, 0);
  TfLiteTensor* output = pl_output(sg, node, 0);
  if (pl_num_elements(output) == 0) return kTfLiteOk;
  const int64_t e = (int64_t)pl_type_size(input->type);
  const int32_t n = input->dims->data[0], ih = input->dims->data[1];
  const int32_t iw = input->dims->data[2], ch = input->dims->data[3];
  const int32_t oh = output->dims->data[1], ow = output->dims->data[2];
  const char* in = input->data.raw_const;
  char* out = output->data.raw;
  const size_t pixel = (size_t)(ch * e);
  for (int32_t b = 0; b < n; ++b) {
    for (int32_t y = 0; y < oh; ++y) {
      const int32_t sy =
          nearest_source(y, ih, oh, d->align_corners, d->half_pixel_centers);
      for (int32_t x = 0; x < ow; ++x) {
        const int32_t sx = nearest_source(x, iw, ow, d->align_corners,
                                          d->half_pixel_centers);
        memcpy(out + (((int64_t)b * oh + y) * ow + x) * ch * e,
               in + (((int64_t)b * ih + sy) * iw + sx) * ch * e, pixel);
      }
    }
  }
  return kTfLiteOk;
}

const PlKernel pl_kernel_resize_nearest_neighbor = {
    .name = "RESIZE_NEAREST_NEIGHBOR",
    .init = nearest_init,
    .free = pl_spatial_resize_free,
    .prepare = nearest_prepare,
    .eval = nearest_eval,
    .types = "float32, int32, int64, uint8, int8, int16",
};
