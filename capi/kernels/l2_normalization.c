/* pylite: L2_NORMALIZATION over the last axis, float32.
 *
 * As TFLite's builtin kernel: per row of the last axis, the float sum of
 * squares in order, norm = max(sqrtf(sum), 1e-6), y = x / norm. The output
 * has the input's shape. The fused activation option is ignored, as the
 * schema says TFLite does.
 *
 * Differences: TFLite accepts rank 1 to 4; any rank >= 1 works here.
 * Quantized types are not supported yet. */
#include <math.h>
#include <stdint.h>

#include "capi/core/kernel.h"
#include "capi/kernels/internal/nn_common.h"

static TfLiteStatus l2norm_prepare(PlSubgraph* sg, PlNode* node) {
  if (pl_num_inputs(node) != 1 || pl_num_outputs(node) != 1) {
    pl_report(sg, "L2_NORMALIZATION takes 1 input and 1 output, got %d and "
              "%d.", pl_num_inputs(node), pl_num_outputs(node));
    return kTfLiteError;
  }
  const TfLiteTensor* input = pl_input(sg, node, 0);
  TfLiteTensor* output = pl_output(sg, node, 0);
  PL_ENSURE(sg, input != NULL);
  PL_ENSURE(sg, output != NULL);
  const TfLiteTensor* ts[2] = {input, output};
  const char* roles[2] = {"input", "output"};
  PL_ENSURE_OK(pl_nn_require_f32(sg, "L2_NORMALIZATION", 2, ts, roles));
  if (input->dims->size < 1) {
    pl_report(sg, "L2_NORMALIZATION needs an input of rank >= 1, got a "
              "scalar.");
    return kTfLiteError;
  }
  return pl_resize_like(sg, output, input->dims);
}

static TfLiteStatus l2norm_eval(PlSubgraph* sg, PlNode* node) {
  const TfLiteTensor* input = pl_input(sg, node, 0);
  TfLiteTensor* output = pl_output(sg, node, 0);
  const int64_t depth = input->dims->data[input->dims->size - 1];
  const int64_t rows = depth ? pl_num_elements(input) / depth : 0;
  for (int64_t r = 0; r < rows; ++r) {
    const float* x = input->data.f + r * depth;
    float* y = output->data.f + r * depth;
    float sum = 0.0f;
    for (int64_t c = 0; c < depth; ++c) sum += x[c] * x[c];
    float norm = sqrtf(sum);
    norm = norm < 1e-6f ? 1e-6f : norm; /* std::max(norm, epsilon) */
    for (int64_t c = 0; c < depth; ++c) y[c] = x[c] / norm;
  }
  return kTfLiteOk;
}

const PlKernel pl_kernel_l2_normalization = {
    .name = "L2_NORMALIZATION",
    .prepare = l2norm_prepare,
    .eval = l2norm_eval,
};
