/* pylite: LOG, elementwise.
 *
 * As TFLite's LOG. The output has the input's shape and type.
 * float32: y = logf(x): log(0) is -inf, negative x NaN.
 * int8 (per tensor) and int16 (zero points 0): LiteRT's tables of logf
 * (internal/quant_lut.h), where inputs <= 0 map to the output's lowest
 * representable value. */
#include <math.h>
#include <stdlib.h>

#include "capi/kernels/internal/unary_quant.h"

typedef struct LogData {
  PlUnaryLut lut;
  float output_min; /* the real value of the output type's minimum */
} LogData;

static const TfLiteType kLogTypes[] = {kTfLiteFloat32, kTfLiteInt8,
                                       kTfLiteInt16};

static float log_f32(float x) { return logf(x); }

static float log_lut_fn(float x, const void* ctx) {
  if (x <= 0.0f) return *(const float*)ctx;
  return logf(x);
}

static TfLiteStatus log_init(PlSubgraph* sg, PlNode* node) {
  node->user_data = calloc(1, sizeof(LogData));
  if (!node->user_data) {
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  return kTfLiteOk;
}

static void log_free(PlNode* node) {
  free(node->user_data);
  node->user_data = NULL;
}

static TfLiteStatus log_prepare(PlSubgraph* sg, PlNode* node) {
  LogData* d = node->user_data;
  const TfLiteTensor* input;
  TfLiteTensor* output;
  PL_ENSURE(sg, d != NULL);
  PL_ENSURE_OK(pl_unary_prepare_q(sg, node, "LOG", kLogTypes, 3, true,
                                  &input, &output));
  if (pl_unary_q_type(input)) {
    const PlQuantParams po = pl_q_params(output);
    const int32_t type_min = output->type == kTfLiteInt8 ? -128 : -32768;
    d->output_min = (float)(type_min - po.zero_point) * po.scale;
    pl_unary_lut_build(input, output, log_lut_fn, &d->output_min, &d->lut);
  }
  return kTfLiteOk;
}

static TfLiteStatus log_eval(PlSubgraph* sg, PlNode* node) {
  const LogData* d = node->user_data;
  const TfLiteTensor* input = pl_input(sg, node, 0);
  if (pl_unary_q_type(input))
    pl_unary_lut_eval(&d->lut, input, pl_output(sg, node, 0));
  else
    pl_unary_map_f32(sg, node, log_f32);
  return kTfLiteOk;
}

const PlKernel pl_kernel_log = {
    .name = "LOG",
    .init = log_init,
    .free = log_free,
    .prepare = log_prepare,
    .eval = log_eval,
    .types = "float32, int8, int16 (quantized)",
};
