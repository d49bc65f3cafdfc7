/* pylite: SOFTMAX over the last axis, float32, with SoftmaxOptions.beta.
 *
 * Semantics in internal/nn_softmax.h. beta defaults to 0 when the options
 * are absent, as the schema says (every output is then 1 / depth). */
#include "capi/kernels/internal/nn_softmax.h"

#include <stdlib.h>

/* Schema BuiltinOptions union type and SoftmaxOptions field id. */
enum { kSoftmaxOptionsType = 9 };
enum { kFieldBeta = 0 };

typedef struct SoftmaxData {
  float beta;
} SoftmaxData;

static TfLiteStatus softmax_init(PlSubgraph* sg, PlNode* node) {
  SoftmaxData* d = calloc(1, sizeof(*d));
  if (!d) {
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  if (node->def->builtin_options_type == kSoftmaxOptionsType)
    d->beta = pl_fb_f32(&node->def->builtin_options, kFieldBeta, 0.0f);
  node->user_data = d;
  return kTfLiteOk;
}

static void softmax_free(PlNode* node) {
  free(node->user_data);
  node->user_data = NULL;
}

static TfLiteStatus softmax_prepare(PlSubgraph* sg, PlNode* node) {
  return pl_nn_softmax_prepare(sg, node, "SOFTMAX");
}

static TfLiteStatus softmax_eval(PlSubgraph* sg, PlNode* node) {
  const SoftmaxData* d = node->user_data;
  const TfLiteTensor* input = pl_input(sg, node, 0);
  TfLiteTensor* output = pl_output(sg, node, 0);
  int64_t rows, depth;
  pl_nn_softmax_rows(input, &rows, &depth);
  for (int64_t r = 0; r < rows; ++r) {
    const float* x = input->data.f + r * depth;
    float* y = output->data.f + r * depth;
    const float m = pl_nn_row_max(x, depth);
    float sum = 0.0f;
    for (int64_t c = 0; c < depth; ++c) {
      const float e = expf((x[c] - m) * d->beta);
      y[c] = e;
      sum += e;
    }
    for (int64_t c = 0; c < depth; ++c) y[c] = y[c] / sum;
  }
  return kTfLiteOk;
}

const PlKernel pl_kernel_softmax = {
    .name = "SOFTMAX",
    .init = softmax_init,
    .free = softmax_free,
    .prepare = softmax_prepare,
    .eval = softmax_eval,
};
