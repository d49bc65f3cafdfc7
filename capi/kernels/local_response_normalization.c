/* pylite: LOCAL_RESPONSE_NORMALIZATION across channels, NHWC float32.
 *
 * As TFLite's builtin kernel: input 4-D; for channel c of each pixel,
 * sum = float sum of x_j^2 for j in [max(0, c - radius),
 * min(depth, c + radius)) in order -- the window of TFLite's reference
 * kernel, which stops one channel short of TensorFlow's -- then
 * y_c = x_c * (float)pow(bias + alpha * sum, -beta) with the pow in double
 * (TFLite holds these options as doubles). Options radius, bias, alpha,
 * beta from LocalResponseNormalizationOptions (schema defaults 0 when
 * absent). Quantized types are not supported yet. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "capi/core/kernel.h"
#include "capi/kernels/internal/nn_common.h"

/* Schema BuiltinOptions union type and option field ids. */
enum { kLrnOptionsType = 13 };
enum { kFieldRadius = 0, kFieldBias = 1, kFieldAlpha = 2, kFieldBeta = 3 };

typedef struct LrnData {
  int radius;
  float bias, alpha, beta;
} LrnData;

static TfLiteStatus lrn_init(PlSubgraph* sg, PlNode* node) {
  LrnData* d = calloc(1, sizeof(*d));
  if (!d) {
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  if (node->def->builtin_options_type == kLrnOptionsType) {
    const PlFbTable* o = &node->def->builtin_options;
    d->radius = pl_fb_i32(o, kFieldRadius, 0);
    d->bias = pl_fb_f32(o, kFieldBias, 0.0f);
    d->alpha = pl_fb_f32(o, kFieldAlpha, 0.0f);
    d->beta = pl_fb_f32(o, kFieldBeta, 0.0f);
  }
  node->user_data = d;
  return kTfLiteOk;
}

static void lrn_free(PlNode* node) {
  free(node->user_data);
  node->user_data = NULL;
}

static TfLiteStatus lrn_prepare(PlSubgraph* sg, PlNode* node) {
  const char* op = "LOCAL_RESPONSE_NORMALIZATION";
  if (pl_num_inputs(node) != 1 || pl_num_outputs(node) != 1) {
    pl_report(sg, "%s takes 1 input and 1 output, got %d and %d.", op,
              pl_num_inputs(node), pl_num_outputs(node));
    return kTfLiteError;
  }
  const TfLiteTensor* input = pl_input(sg, node, 0);
  TfLiteTensor* output = pl_output(sg, node, 0);
  PL_ENSURE(sg, input != NULL);
  PL_ENSURE(sg, output != NULL);
  const TfLiteTensor* ts[2] = {input, output};
  const char* roles[2] = {"input", "output"};
  PL_ENSURE_OK(pl_nn_require_f32(sg, op, 2, ts, roles));
  PL_ENSURE_OK(pl_nn_require_rank(sg, op, "input", input, 4));
  return pl_resize_like(sg, output, input->dims);
}

static TfLiteStatus lrn_eval(PlSubgraph* sg, PlNode* node) {
  const LrnData* d = node->user_data;
  const TfLiteTensor* input = pl_input(sg, node, 0);
  TfLiteTensor* output = pl_output(sg, node, 0);
  const int64_t depth = input->dims->data[3];
  const int64_t rows = depth ? pl_num_elements(input) / depth : 0;
  for (int64_t r = 0; r < rows; ++r) {
    const float* x = input->data.f + r * depth;
    float* y = output->data.f + r * depth;
    for (int64_t c = 0; c < depth; ++c) {
      const int64_t lo = c - d->radius > 0 ? c - d->radius : 0;
      const int64_t hi = c + d->radius < depth ? c + d->radius : depth;
      float sum = 0.0f;
      for (int64_t j = lo; j < hi; ++j) sum += x[j] * x[j];
      /* TFLite keeps the options as doubles: pow in double, then float. */
      const float scale = (float)pow((double)d->bias + (double)d->alpha * sum,
                                     -(double)d->beta);
      y[c] = x[c] * scale;
    }
  }
  return kTfLiteOk;
}

const PlKernel pl_kernel_local_response_normalization = {
    .name = "LOCAL_RESPONSE_NORMALIZATION",
    .init = lrn_init,
    .free = lrn_free,
    .prepare = lrn_prepare,
    .eval = lrn_eval,
    .types = "float32",
};
