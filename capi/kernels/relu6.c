/* pylite: RELU6, y = min(max(x, 0), 6).
 *
 * As TFLite's float32 RELU6: NaN stays NaN and -0.0 stays -0.0 (the clamp
 * only replaces values strictly outside [0, 6]). The output has the
 * input's shape and type.
 *
 * Quantized uint8/int8 RELU6 is not supported yet. */
#include "capi/kernels/internal/unary_common.h"

static float relu6_f32(float x) {
  return x > 6.0f ? 6.0f : (x < 0.0f ? 0.0f : x);
}

PL_UNARY_F32_KERNEL(relu6, "RELU6", relu6_f32);
