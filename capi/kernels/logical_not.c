/* pylite: LOGICAL_NOT, elementwise !x on a bool tensor of any shape, as
 * TFLite's builtin LOGICAL_NOT. */
#include "capi/kernels/internal/binary.h"

enum { kInput = 0, kOutput = 0 };

static TfLiteStatus logical_not_prepare(PlSubgraph* sg, PlNode* node) {
  PL_ENSURE_OK(pl_bin_check_arity(sg, node, "LOGICAL_NOT", 1, 1));
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  if (input->type != kTfLiteBool || output->type != kTfLiteBool) {
    pl_report(sg, "LOGICAL_NOT needs a bool input and output, got %s -> %s.",
              TfLiteTypeGetName(input->type), TfLiteTypeGetName(output->type));
    return kTfLiteError;
  }
  return pl_resize_like(sg, output, input->dims);
}

static TfLiteStatus logical_not_eval(PlSubgraph* sg, PlNode* node) {
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  if (!pl_same_shape(input, output)) {
    pl_report(sg, "LOGICAL_NOT input shape changed since prepare.");
    return kTfLiteError;
  }
  const int64_t n = pl_num_elements(input);
  const bool* in = input->data.b;
  bool* out = output->data.b;
  for (int64_t i = 0; i < n; ++i) out[i] = !in[i];
  return kTfLiteOk;
}

const PlKernel pl_kernel_logical_not = {
    .name = "LOGICAL_NOT",
    .prepare = logical_not_prepare,
    .eval = logical_not_eval,
    .types = "bool",
};
