/* pylite: ABS, y = |x|.
 *
 * As TFLite's ABS for float32 (fabsf: -0.0 gives 0.0, NaN keeps its
 * payload), int32 and unquantized int16. Integer minimums wrap to
 * themselves, as in TFLite (|INT32_MIN| is INT32_MIN; the int16 result is
 * computed in int32 and truncated). The output has the input's shape and
 * type.
 * Quantized int8 (per tensor) and int16 (zero points 0), as LiteRT:
 * |x - zi|, rescaled by si / so (a float ratio, in fixed point) only when
 * the two scales differ, plus zo, clamped to the type. int16 without
 * quantization parameters is the plain integer form above. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "capi/kernels/internal/unary_quant.h"

static const TfLiteType kAbsTypes[] = {kTfLiteFloat32, kTfLiteInt32,
                                       kTfLiteInt16, kTfLiteInt8};

typedef struct AbsData {
  int32_t input_zero_point, output_zero_point;
  bool rescale;
  int32_t multiplier;
  int shift;
} AbsData;

static TfLiteStatus abs_init(PlSubgraph* sg, PlNode* node) {
  node->user_data = calloc(1, sizeof(AbsData));
  if (!node->user_data) {
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  return kTfLiteOk;
}

static void abs_free(PlNode* node) {
  free(node->user_data);
  node->user_data = NULL;
}

static TfLiteStatus abs_prepare(PlSubgraph* sg, PlNode* node) {
  AbsData* d = node->user_data;
  const TfLiteTensor* input;
  TfLiteTensor* output;
  PL_ENSURE(sg, d != NULL);
  PL_ENSURE_OK(pl_unary_io(sg, node, "ABS", &input, &output));
  if (input->type == kTfLiteInt8 || pl_unary_is_quantized(input)) {
    /* Quantized: the same checks as the other quantized unary ops. */
    PL_ENSURE_OK(pl_unary_prepare_q(sg, node, "ABS", kAbsTypes, 4, true,
                                    &input, &output));
    const PlQuantParams pi = pl_q_params(input);
    const PlQuantParams po = pl_q_params(output);
    d->input_zero_point = pi.zero_point;
    d->output_zero_point = po.zero_point;
    d->rescale = pi.scale != po.scale;
    if (d->rescale)
      pl_q_multiplier((double)(pi.scale / po.scale), &d->multiplier,
                      &d->shift);
    return kTfLiteOk;
  }
  return pl_unary_prepare(sg, node, "ABS", kAbsTypes, 3);
}

static void abs_quant(const AbsData* d, const TfLiteTensor* in,
                      TfLiteTensor* out) {
  int32_t lo = 0, hi = 0;
  pl_q_type_range(in->type, &lo, &hi);
  const int64_t n = pl_num_elements(in);
  for (int64_t i = 0; i < n; ++i) {
    int32_t v = pl_q_load(in, i) - d->input_zero_point;
    v = v < 0 ? -v : v;
    if (d->rescale) v = pl_q_mul(v, d->multiplier, d->shift);
    pl_q_store(out, i, pl_q_clamp(v + d->output_zero_point, lo, hi));
  }
}

static void abs_f32(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = fabsf(x[i]);
}

static void abs_i32(const int32_t* x, int32_t* y, int64_t n) {
  /* Negation in unsigned arithmetic: defined wrap-around at INT32_MIN. */
  for (int64_t i = 0; i < n; ++i)
    y[i] = x[i] < 0 ? (int32_t)(0u - (uint32_t)x[i]) : x[i];
}

static void abs_i16(const int16_t* x, int16_t* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    y[i] = (int16_t)(uint16_t)(x[i] < 0 ? -(int32_t)x[i] : x[i]);
}

static TfLiteStatus abs_eval(PlSubgraph* sg, PlNode* node) {
  const TfLiteTensor* input = pl_input(sg, node, 0);
  TfLiteTensor* output = pl_output(sg, node, 0);
  const int64_t n = pl_num_elements(input);
  if (input->type == kTfLiteInt8 || pl_unary_is_quantized(input)) {
    abs_quant(node->user_data, input, output);
    return kTfLiteOk;
  }
  switch (input->type) {
    case kTfLiteFloat32:
      abs_f32(input->data.f, output->data.f, n);
      return kTfLiteOk;
    case kTfLiteInt32:
      abs_i32(input->data.i32, output->data.i32, n);
      return kTfLiteOk;
    case kTfLiteInt16:
      abs_i16(input->data.i16, output->data.i16, n);
      return kTfLiteOk;
    default:
      pl_report(sg, "ABS: unsupported type %s.",
                TfLiteTypeGetName(input->type));
      return kTfLiteError;
  }
}

const PlKernel pl_kernel_abs = {
    .name = "ABS",
    .init = abs_init,
    .free = abs_free,
    .prepare = abs_prepare,
    .eval = abs_eval,
    .types = "float32, int32, int16; int8, int16 (quantized)",
};
