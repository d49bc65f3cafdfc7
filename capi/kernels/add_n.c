/* pylite: ADD_N, the elementwise sum of two or more tensors.
 *
 * As TFLite's builtin ADD_N for float32 and int32: every input has the
 * output's type and the first input's shape (no broadcasting). The inputs
 * are added left to right, each partial float sum clamped to
 * [-FLT_MAX, FLT_MAX] as TFLite's ADD-based kernel does (so inf + 1 - inf
 * is -FLT_MAX, not NaN); int32 sums wrap around. */
#include "capi/kernels/internal/binary.h"

enum { kOutput = 0 };

static TfLiteStatus add_n_prepare(PlSubgraph* sg, PlNode* node) {
  const int n = pl_num_inputs(node);
  if (n < 2 || pl_num_outputs(node) != 1) {
    pl_report(sg, "ADD_N takes at least 2 inputs and 1 output, got %d and %d.",
              n, pl_num_outputs(node));
    return kTfLiteError;
  }
  PL_ENSURE_OK(pl_bin_check_arity(sg, node, "ADD_N", n, 1));
  const TfLiteTensor* first = pl_input(sg, node, 0);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  if (first->type != kTfLiteFloat32 && first->type != kTfLiteInt32) {
    pl_report(sg, "ADD_N supports float32 and int32, got %s.",
              TfLiteTypeGetName(first->type));
    return kTfLiteError;
  }
  if (output->type != first->type) {
    pl_report(sg, "ADD_N output must be %s like its inputs, got %s.",
              TfLiteTypeGetName(first->type), TfLiteTypeGetName(output->type));
    return kTfLiteError;
  }
  for (int i = 1; i < n; ++i) {
    const TfLiteTensor* in = pl_input(sg, node, i);
    if (in->type != first->type) {
      pl_report(sg, "ADD_N input %d is %s, input 0 is %s.", i,
                TfLiteTypeGetName(in->type), TfLiteTypeGetName(first->type));
      return kTfLiteError;
    }
    if (!pl_same_shape(in, first)) {
      char s1[160], s2[160];
      pl_shape_string(first->dims, s1, sizeof(s1));
      pl_shape_string(in->dims, s2, sizeof(s2));
      pl_report(sg, "ADD_N inputs must have one shape: input 0 is %s, input "
                "%d is %s.", s1, i, s2);
      return kTfLiteError;
    }
  }
  return pl_resize_like(sg, output, first->dims);
}

static TfLiteStatus add_n_eval(PlSubgraph* sg, PlNode* node) {
  const int n = pl_num_inputs(node);
  const TfLiteTensor* first = pl_input(sg, node, 0);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  for (int i = 0; i < n; ++i) {
    if (!pl_same_shape(pl_input(sg, node, i), output)) {
      pl_report(sg, "ADD_N input shapes changed since prepare.");
      return kTfLiteError;
    }
  }
  const int64_t count = pl_num_elements(first);
  if (first->type == kTfLiteFloat32) {
    float* out = output->data.f;
    const float* a = pl_input(sg, node, 0)->data.f;
    for (int i = 1; i < n; ++i) {
      const float* b = pl_input(sg, node, i)->data.f;
      for (int64_t j = 0; j < count; ++j)
        out[j] = pl_bin_clamp_f32(a[j] + b[j], -FLT_MAX, FLT_MAX);
      a = out;
    }
  } else {
    int32_t* out = output->data.i32;
    const int32_t* a = pl_input(sg, node, 0)->data.i32;
    for (int i = 1; i < n; ++i) {
      const int32_t* b = pl_input(sg, node, i)->data.i32;
      for (int64_t j = 0; j < count; ++j)
        out[j] = (int32_t)((uint32_t)a[j] + (uint32_t)b[j]);
      a = out;
    }
  }
  return kTfLiteOk;
}

const PlKernel pl_kernel_add_n = {
    .name = "ADD_N",
    .prepare = add_n_prepare,
    .eval = add_n_eval,
    .types = "float32, int32 (LiteRT has no quantized ADD_N)",
};
