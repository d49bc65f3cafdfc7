/* pylite: SQUEEZE, drops dims of size 1.
 *
 * As TFLite's builtin SQUEEZE, for every type including strings: with
 * SqueezeOptions.squeeze_dims empty (or no options) every dim of size 1 is
 * dropped; otherwise the listed dims (negative ones count from the end,
 * repeats allowed) are dropped and each must have size 1. At most 8 dims,
 * as TFLite. The data is copied unchanged, or shared with the input when
 * the runtime can arrange it (PlKernel.view). */
#include <stdint.h>
#include <stdlib.h>

#include "capi/core/kernel.h"
#include "capi/kernels/internal/shape_util.h"

enum { kInput = 0, kOutput = 0 };

/* Schema BuiltinOptions union type and SqueezeOptions field ids. */
enum { kSqueezeOptionsType = 30 };
enum { kFieldSqueezeDims = 0 };
enum { kMaxSqueezeRank = 8 };

typedef struct SqueezeData {
  int32_t num_dims;
  int32_t dims[kMaxSqueezeRank];
} SqueezeData;

static TfLiteStatus squeeze_init(PlSubgraph* sg, PlNode* node) {
  SqueezeData* data = calloc(1, sizeof(*data));
  if (!data) {
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  if (node->def->builtin_options_type == kSqueezeOptionsType) {
    PlFbVec vec;
    const int found =
        pl_fb_vector(&node->def->builtin_options, kFieldSqueezeDims, 4, &vec);
    if (found == PL_FB_INVALID || vec.len > kMaxSqueezeRank) {
      pl_report(sg, "SQUEEZE: malformed or too long squeeze_dims (limit %d).",
                kMaxSqueezeRank);
      free(data);
      return kTfLiteError;
    }
    data->num_dims = found == PL_FB_OK ? (int32_t)vec.len : 0;
    for (int32_t i = 0; i < data->num_dims; ++i)
      data->dims[i] = pl_fb_vec_i32(&vec, (uint32_t)i);
  }
  node->user_data = data;
  return kTfLiteOk;
}

static void squeeze_free(PlNode* node) {
  free(node->user_data);
  node->user_data = NULL;
}

static TfLiteStatus squeeze_prepare(PlSubgraph* sg, PlNode* node) {
  const SqueezeData* data = node->user_data;
  PL_ENSURE(sg, data != NULL);
  PL_ENSURE_OK(pl_shape_arity(sg, node, "SQUEEZE", 1, 1, 1, 1));
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  PL_ENSURE_OK(pl_shape_check_type(sg, "SQUEEZE", "output", output, input));
  const int rank = input->dims->size;
  char shape[160];
  pl_shape_string(input->dims, shape, sizeof(shape));
  if (rank > kMaxSqueezeRank) {
    pl_report(sg, "SQUEEZE: input shape %s has more than %d dims.", shape,
              kMaxSqueezeRank);
    return kTfLiteError;
  }
  bool drop[kMaxSqueezeRank] = {false};
  if (data->num_dims == 0) {
    for (int i = 0; i < rank; ++i) drop[i] = input->dims->data[i] == 1;
  } else {
    for (int k = 0; k < data->num_dims; ++k) {
      int axis = 0;
      if (!pl_shape_axis(data->dims[k], rank, &axis)) {
        pl_report(sg, "SQUEEZE: squeeze dim %d is out of range for shape %s.",
                  (int)data->dims[k], shape);
        return kTfLiteError;
      }
      if (input->dims->data[axis] != 1) {
        pl_report(sg,
                  "SQUEEZE: cannot squeeze dim %d of shape %s: its size is "
                  "not 1.",
                  (int)data->dims[k], shape);
        return kTfLiteError;
      }
      drop[axis] = true;
    }
  }
  int dims[kMaxSqueezeRank];
  int out_rank = 0;
  for (int i = 0; i < rank; ++i)
    if (!drop[i]) dims[out_rank++] = input->dims->data[i];
  return pl_resize(sg, output, out_rank, dims);
}

static TfLiteStatus squeeze_eval(PlSubgraph* sg, PlNode* node) {
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  const TfLiteTensor* output = pl_output(sg, node, kOutput);
  if (pl_num_elements(input) != pl_num_elements(output)) {
    pl_report(sg, "SQUEEZE: input shape changed since prepare.");
    return kTfLiteError;
  }
  return pl_shape_run1(sg, node, "SQUEEZE", pl_shape_copy_all, NULL);
}

const PlKernel pl_kernel_squeeze = {
    .name = "SQUEEZE",
    .init = squeeze_init,
    .free = squeeze_free,
    .prepare = squeeze_prepare,
    .eval = squeeze_eval,
    .view = pl_shape_view_whole,
    .types = "any fixed-size type, string",
};
