/* pylite: ZEROS_LIKE, zeros of the input's shape and type.
 *
 * As TFLite's builtin ZEROS_LIKE (float32, int32, int64), extended to every
 * fixed-size type (all-zero bytes: 0, 0.0, false). Strings are an error. */
#include <stdint.h>
#include <string.h>

#include "capi/core/kernel.h"
#include "capi/kernels/internal/shape_util.h"

enum { kInput = 0, kOutput = 0 };

static TfLiteStatus zeros_like_prepare(PlSubgraph* sg, PlNode* node) {
  PL_ENSURE_OK(pl_shape_arity(sg, node, "ZEROS_LIKE", 1, 1, 1, 1));
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  if (input->type == kTfLiteString) {
    pl_report(sg, "ZEROS_LIKE: type STRING is not supported.");
    return kTfLiteError;
  }
  PL_ENSURE_OK(pl_shape_check_type(sg, "ZEROS_LIKE", "output", output, input));
  return pl_resize_like(sg, output, input->dims);
}

static TfLiteStatus zeros_like_eval(PlSubgraph* sg, PlNode* node) {
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  if (!pl_same_shape(pl_input(sg, node, kInput), output)) {
    pl_report(sg, "ZEROS_LIKE: input shape changed since prepare.");
    return kTfLiteError;
  }
  if (output->bytes) memset(output->data.raw, 0, output->bytes);
  return kTfLiteOk;
}

const PlKernel pl_kernel_zeros_like = {
    .name = "ZEROS_LIKE",
    .prepare = zeros_like_prepare,
    .eval = zeros_like_eval,
    .types = "any fixed-size type",
};
