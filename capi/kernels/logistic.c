/* pylite: LOGISTIC (sigmoid), elementwise.
 *
 * As TFLite's reference float32 LOGISTIC: y = 1 / (1 + exp(-x)), except
 * that above x = 16.619047164916992188 the result is exactly 1 and below
 * x = -9 it is exp(x) (where the two agree to float precision). NaN stays
 * NaN. float16 is computed in float32 and rounded once. The output has
 * the input's shape and type.
 *
 * Quantized uint8/int8/int16 LOGISTIC is not supported yet. */
#include <math.h>

#include "capi/kernels/internal/unary_common.h"

static float logistic_f32(float x) {
  const float kCutoffUpper = 16.619047164916992188f;
  const float kCutoffLower = -9.0f;
  if (x > kCutoffUpper) return 1.0f;
  if (x < kCutoffLower) return expf(x);
  return 1.0f / (1.0f + expf(-x));
}

PL_UNARY_F32_F16_KERNEL(logistic, "LOGISTIC", logistic_f32);
