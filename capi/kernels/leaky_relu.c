/* pylite: LEAKY_RELU, y = x > 0 ? x : alpha * x.
 *
 * As TFLite's float32 LEAKY_RELU: alpha from LeakyReluOptions (0 when the
 * options are absent or of another type), any value including alpha > 1
 * (no max() shortcut); NaN stays NaN, -0.0 gives alpha * -0.0. The output
 * has the input's shape and type.
 *
 * Quantized uint8/int8/int16 LEAKY_RELU is not supported yet. */
#include <stdlib.h>

#include "capi/kernels/internal/unary_common.h"

/* Schema BuiltinOptions union type and LeakyReluOptions field id. */
enum { kLeakyReluOptionsType = 75 };
enum { kFieldAlpha = 0 };

typedef struct LeakyReluData {
  float alpha;
} LeakyReluData;

static TfLiteStatus leaky_relu_init(PlSubgraph* sg, PlNode* node) {
  LeakyReluData* data = calloc(1, sizeof(*data));
  if (!data) {
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  if (node->def->builtin_options_type == kLeakyReluOptionsType)
    data->alpha = pl_fb_f32(&node->def->builtin_options, kFieldAlpha, 0.0f);
  node->user_data = data;
  return kTfLiteOk;
}

static void leaky_relu_free(PlNode* node) {
  free(node->user_data);
  node->user_data = NULL;
}

static TfLiteStatus leaky_relu_prepare(PlSubgraph* sg, PlNode* node) {
  static const TfLiteType kTypes[] = {kTfLiteFloat32};
  PL_ENSURE(sg, node->user_data != NULL);
  return pl_unary_prepare(sg, node, "LEAKY_RELU", kTypes, 1);
}

static void leaky_relu_f32(const float* x, float* y, int64_t n, float alpha) {
  for (int64_t i = 0; i < n; ++i) y[i] = x[i] > 0.0f ? x[i] : x[i] * alpha;
}

static TfLiteStatus leaky_relu_eval(PlSubgraph* sg, PlNode* node) {
  const LeakyReluData* data = node->user_data;
  const TfLiteTensor* input = pl_input(sg, node, 0);
  TfLiteTensor* output = pl_output(sg, node, 0);
  leaky_relu_f32(input->data.f, output->data.f, pl_num_elements(input),
                 data->alpha);
  return kTfLiteOk;
}

const PlKernel pl_kernel_leaky_relu = {
    .name = "LEAKY_RELU",
    .init = leaky_relu_init,
    .free = leaky_relu_free,
    .prepare = leaky_relu_prepare,
    .eval = leaky_relu_eval,
};
