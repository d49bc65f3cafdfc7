/* pylite: LOG_SOFTMAX over the last axis, float32 (no options).
 *
 * Semantics in internal/nn_softmax.h. A scalar input is an error, as for
 * SOFTMAX (LiteRT accepts it here but returns an unspecified value). */
#include "capi/kernels/internal/nn_softmax.h"

static TfLiteStatus log_softmax_prepare(PlSubgraph* sg, PlNode* node) {
  return pl_nn_softmax_prepare(sg, node, "LOG_SOFTMAX");
}

static TfLiteStatus log_softmax_eval(PlSubgraph* sg, PlNode* node) {
  const TfLiteTensor* input = pl_input(sg, node, 0);
  TfLiteTensor* output = pl_output(sg, node, 0);
  int64_t rows, depth;
  pl_nn_softmax_rows(input, &rows, &depth);
  for (int64_t r = 0; r < rows; ++r) {
    const float* x = input->data.f + r * depth;
    float* y = output->data.f + r * depth;
    const float m = pl_nn_row_max(x, depth);
    float sum = 0.0f;
    for (int64_t c = 0; c < depth; ++c) sum += expf(x[c] - m);
    const float log_sum = logf(sum);
    for (int64_t c = 0; c < depth; ++c) y[c] = x[c] - m - log_sum;
  }
  return kTfLiteOk;
}

const PlKernel pl_kernel_log_softmax = {
    .name = "LOG_SOFTMAX",
    .prepare = log_softmax_prepare,
    .eval = log_softmax_eval,
};
