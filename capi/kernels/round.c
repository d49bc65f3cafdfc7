/* pylite: ROUND, to the nearest integer, ties to even.
 *
 * As TFLite's float32 ROUND (RoundToNearest): y = floor(x), plus 1 when
 * the fraction x - floor(x) is above 0.5, or exactly 0.5 with an odd
 * floor. This differs from rintf only in the sign of zero: values in
 * (-0.5, 0) round to +0.0, while -0.0 itself stays -0.0. NaN and
 * infinities pass through. float32 and float16 (computed in float32).
 * The output has the input's shape and type. */
#include <math.h>

#include "capi/kernels/internal/unary_common.h"

static float round_f32(float x) {
  const float f = floorf(x);
  const float diff = x - f;
  if (diff < 0.5f || (diff == 0.5f && fmodf(f, 2.0f) == 0.0f)) return f;
  return f + 1.0f;
}

PL_UNARY_F32_F16_KERNEL(round, "ROUND", round_f32);
