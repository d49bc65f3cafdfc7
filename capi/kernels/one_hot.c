/* pylite: ONE_HOT, expands indices into one-hot vectors.
 *
 * As TFLite's builtin ONE_HOT: inputs indices (int32 or int64), depth (an
 * int32 scalar; int64 is read too), on_value and off_value (one element
 * each, of the output's type: float32, int32, int64, int8, uint8 or bool).
 * OneHotOptions.axis (-1 means last; the schema default is 0) places the
 * new dim of size depth: the output shape is indices.dims[:axis] + [depth] +
 * indices.dims[axis:]. An element is on_value where the index equals its
 * position along the new dim, else off_value, so indices outside
 * [0, depth) give rows of off_value. A negative depth fails the invoke. A
 * non-constant depth makes the output dynamic. Quantized int8 / uint8
 * values are copied as they are when on_value, off_value and the output
 * share one scale and zero point. */
#include <stdint.h>
#include <stdlib.h>

#include "capi/kernels/internal/indexing.h"

enum { kIndices = 0, kDepth = 1, kOn = 2, kOff = 3, kOutput = 0 };

/* Schema BuiltinOptions union type and OneHotOptions field ids. */
enum { kOneHotOptionsType = 61 };
enum { kFieldAxis = 0 };

typedef struct OneHotData {
  int axis;
} OneHotData;

static TfLiteStatus oh_init(PlSubgraph* sg, PlNode* node) {
  OneHotData* data = calloc(1, sizeof(*data));
  if (!data) {
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  /* The schema default (and LiteRT's without options) is 0, not -1. */
  if (node->def->builtin_options_type == kOneHotOptionsType)
    data->axis = pl_fb_i32(&node->def->builtin_options, kFieldAxis, 0);
  node->user_data = data;
  return kTfLiteOk;
}

static void oh_free(PlNode* node) {
  free(node->user_data);
  node->user_data = NULL;
}

/* The output dims from the depth tensor's value. */
static TfLiteStatus oh_dims(PlSubgraph* sg, const PlNode* node, int* dims,
                            int* rank, int* axis_out) {
  const OneHotData* data = node->user_data;
  const TfLiteTensor* indices = pl_input(sg, node, kIndices);
  const TfLiteTensor* depth_t = pl_input(sg, node, kDepth);
  const int ir = indices->dims->size;
  PL_ENSURE_OK(pl_idx_has_data(sg, "ONE_HOT", "depth", depth_t));
  const int64_t depth = pl_idx_at(depth_t, 0);
  if (depth < 0 || depth > INT32_MAX) {
    pl_report(sg, "ONE_HOT: depth must be in [0, 2^31), got %lld.",
              (long long)depth);
    return kTfLiteError;
  }
  const int axis = data->axis == -1 ? ir : data->axis;
  int r = 0;
  for (int i = 0; i < axis; ++i) dims[r++] = indices->dims->data[i];
  dims[r++] = (int)depth;
  for (int i = axis; i < ir; ++i) dims[r++] = indices->dims->data[i];
  *rank = r;
  *axis_out = axis;
  return kTfLiteOk;
}

static TfLiteStatus oh_prepare(PlSubgraph* sg, PlNode* node) {
  PL_ENSURE(sg, node->user_data != NULL);
  PL_ENSURE_OK(pl_shape_arity(sg, node, "ONE_HOT", 4, 4, 1, 1));
  const OneHotData* data = node->user_data;
  const TfLiteTensor* indices = pl_input(sg, node, kIndices);
  const TfLiteTensor* depth = pl_input(sg, node, kDepth);
  const TfLiteTensor* on = pl_input(sg, node, kOn);
  const TfLiteTensor* off = pl_input(sg, node, kOff);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  static const TfLiteType kIdx[] = {kTfLiteInt32, kTfLiteInt64,
                                    kTfLiteNoType};
  static const TfLiteType kVal[] = {kTfLiteFloat32, kTfLiteInt32,
                                    kTfLiteInt64,   kTfLiteInt8,
                                    kTfLiteUInt8,   kTfLiteBool,
                                    kTfLiteNoType};
  PL_ENSURE_OK(pl_idx_check_type(sg, "ONE_HOT", "indices", indices, kIdx,
                                 "int32, int64"));
  PL_ENSURE_OK(pl_idx_check_type(sg, "ONE_HOT", "depth", depth, kIdx,
                                 "int32, int64"));
  PL_ENSURE_OK(pl_idx_check_type_q(
      sg, "ONE_HOT", "output", output, kVal,
      "float32, int32, int64, int8, uint8, bool", true));
  if (on->type != output->type || off->type != output->type) {
    pl_report(sg, "ONE_HOT: on_value (%s) and off_value (%s) must have the "
              "output's type %s.", TfLiteTypeGetName(on->type),
              TfLiteTypeGetName(off->type), TfLiteTypeGetName(output->type));
    return kTfLiteError;
  }
  /* Values are copied as they are: one scale and zero point for all. */
  PL_ENSURE_OK(pl_shape_check_type(sg, "ONE_HOT", "on_value", on, output));
  PL_ENSURE_OK(pl_shape_check_type(sg, "ONE_HOT", "off_value", off, output));
  if (pl_num_elements(depth) != 1 || pl_num_elements(on) != 1 ||
      pl_num_elements(off) != 1) {
    pl_report(sg, "ONE_HOT: depth, on_value and off_value must hold one "
              "value each, got %lld, %lld and %lld.",
              (long long)pl_num_elements(depth),
              (long long)pl_num_elements(on),
              (long long)pl_num_elements(off));
    return kTfLiteError;
  }
  const int ir = indices->dims->size;
  if (data->axis < -1 || data->axis > ir) {
    pl_report(sg, "ONE_HOT: axis %d is out of range [-1, %d] for indices of "
              "rank %d.", data->axis, ir, ir);
    return kTfLiteError;
  }
  if (ir + 1 > PL_MAX_RANK) {
    pl_report(sg, "ONE_HOT: the output would have %d dims (limit %d).",
              ir + 1, PL_MAX_RANK);
    return kTfLiteError;
  }
  if (!pl_is_constant(depth)) {
    pl_set_dynamic(output);
    return kTfLiteOk;
  }
  int dims[PL_MAX_RANK], rank = 0, axis = 0;
  PL_ENSURE_OK(oh_dims(sg, node, dims, &rank, &axis));
  return pl_resize(sg, output, rank, dims);
}

static TfLiteStatus oh_eval(PlSubgraph* sg, PlNode* node) {
  const TfLiteTensor* indices = pl_input(sg, node, kIndices);
  const TfLiteTensor* on = pl_input(sg, node, kOn);
  const TfLiteTensor* off = pl_input(sg, node, kOff);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  int dims[PL_MAX_RANK], rank = 0, axis = 0;
  PL_ENSURE_OK(oh_dims(sg, node, dims, &rank, &axis));
  PL_ENSURE_OK(pl_idx_output_dims(
      sg, "ONE_HOT", output, !pl_is_constant(pl_input(sg, node, kDepth)),
      rank, dims));
  PL_ENSURE_OK(pl_idx_has_data(sg, "ONE_HOT", "indices", indices));
  PL_ENSURE_OK(pl_idx_has_data(sg, "ONE_HOT", "on_value", on));
  PL_ENSURE_OK(pl_idx_has_data(sg, "ONE_HOT", "off_value", off));
  int64_t prefix = 1, suffix = 1;
  for (int i = 0; i < axis; ++i) prefix *= indices->dims->data[i];
  for (int i = axis; i < indices->dims->size; ++i)
    suffix *= indices->dims->data[i];
  const int64_t depth = dims[axis];
  const size_t elem = pl_type_size(output->type);
  char* out = output->data.raw;
  for (int64_t p = 0; p < prefix; ++p) {
    for (int64_t d = 0; d < depth; ++d) {
      for (int64_t s = 0; s < suffix; ++s) {
        const bool hot = pl_idx_at(indices, p * suffix + s) == d;
        memcpy(out, hot ? on->data.raw_const : off->data.raw_const, elem);
        out += elem;
      }
    }
  }
  return kTfLiteOk;
}

const PlKernel pl_kernel_one_hot = {
    .name = "ONE_HOT",
    .init = oh_init,
    .free = oh_free,
    .prepare = oh_prepare,
    .eval = oh_eval,
    .types = "float32, int32, int64, int8, uint8, bool (indices int32, "
             "int64)",
};
