/* pylite: HARD_SWISH, y = x * relu6(x + 3) / 6.
 *
 * As TFLite's reference float32 HARD_SWISH, in its order of operations:
 * (x * min(6, max(0, x + 3))) / 6, where a NaN x + 3 clamps to 0 (so
 * NaN * 0 gives NaN) and x <= -3 gives a signed zero. The output has the
 * input's shape and type.
 *
 * Quantized uint8/int8 HARD_SWISH is not supported yet. */
#include "capi/kernels/internal/unary_common.h"

static float hard_swish_f32(float x) {
  float r = x + 3.0f;
  r = 0.0f < r ? r : 0.0f; /* std::max(0, r) keeps 0 for NaN */
  r = r < 6.0f ? r : 6.0f;
  return x * r / 6.0f;
}

PL_UNARY_F32_KERNEL(hard_swish, "HARD_SWISH", hard_swish_f32);
