/* pylite: NEG, y = -x.
 *
 * As TFLite's NEG: float32, float16 and bfloat16 flip the sign bit (-0.0
 * and NaN included); int8, int16, int32 and int64 negate the stored
 * integers, the minimum wrapping to itself. Like TFLite, int8 and int16
 * ignore quantization parameters (the raw values are negated). The output
 * has the input's shape and type. Asymmetric uint16 NEG is not supported
 * yet. */
#include <stdint.h>

#include "capi/kernels/internal/unary_common.h"

static const TfLiteType kNegTypes[] = {
    kTfLiteFloat32, kTfLiteInt32,   kTfLiteInt64,   kTfLiteInt8,
    kTfLiteInt16,   kTfLiteFloat16, kTfLiteBFloat16};
enum { kNumNegTypes = sizeof(kNegTypes) / sizeof(kNegTypes[0]) };

static TfLiteStatus neg_prepare(PlSubgraph* sg, PlNode* node) {
  const TfLiteTensor* input;
  TfLiteTensor* output;
  PL_ENSURE_OK(pl_unary_io(sg, node, "NEG", &input, &output));
  if (input->type != output->type) {
    pl_report(sg, "NEG input type %s does not match output type %s.",
              TfLiteTypeGetName(input->type), TfLiteTypeGetName(output->type));
    return kTfLiteError;
  }
  if (!pl_unary_type_in(input->type, kNegTypes, kNumNegTypes))
    return pl_unary_bad_type(sg, "NEG", input, kNegTypes, kNumNegTypes);
  return pl_resize_like(sg, output, input->dims);
}

static void neg_f32(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = -x[i];
}

static void neg_i32(const int32_t* x, int32_t* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = (int32_t)(0u - (uint32_t)x[i]);
}

static void neg_i64(const int64_t* x, int64_t* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = (int64_t)(0u - (uint64_t)x[i]);
}

static void neg_i8(const int8_t* x, int8_t* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    y[i] = (int8_t)(uint8_t)(0u - (uint8_t)x[i]);
}

static void neg_i16(const int16_t* x, int16_t* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    y[i] = (int16_t)(uint16_t)(0u - (uint16_t)x[i]);
}

/* float16 and bfloat16: the sign is the top bit of the 16. */
static void neg_16bit_float(const uint16_t* x, uint16_t* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = x[i] ^ 0x8000u;
}

static TfLiteStatus neg_eval(PlSubgraph* sg, PlNode* node) {
  const TfLiteTensor* input = pl_input(sg, node, 0);
  TfLiteTensor* output = pl_output(sg, node, 0);
  const int64_t n = pl_num_elements(input);
  switch (input->type) {
    case kTfLiteFloat32:
      neg_f32(input->data.f, output->data.f, n);
      return kTfLiteOk;
    case kTfLiteInt32:
      neg_i32(input->data.i32, output->data.i32, n);
      return kTfLiteOk;
    case kTfLiteInt64:
      neg_i64(input->data.i64, output->data.i64, n);
      return kTfLiteOk;
    case kTfLiteInt8:
      neg_i8(input->data.int8, output->data.int8, n);
      return kTfLiteOk;
    case kTfLiteInt16:
      neg_i16(input->data.i16, output->data.i16, n);
      return kTfLiteOk;
    case kTfLiteFloat16:
    case kTfLiteBFloat16:
      neg_16bit_float((const uint16_t*)input->data.raw_const,
                      (uint16_t*)output->data.raw, n);
      return kTfLiteOk;
    default:
      pl_report(sg, "NEG: unsupported type %s.",
                TfLiteTypeGetName(input->type));
      return kTfLiteError;
  }
}

const PlKernel pl_kernel_neg = {
    .name = "NEG",
    .init = NULL,
    .free = NULL,
    .prepare = neg_prepare,
    .eval = neg_eval,
    .types = "float32, float16, bfloat16, int32, int64, int8, int16 (raw "
             "values negated, quantization ignored as in LiteRT)",
};
