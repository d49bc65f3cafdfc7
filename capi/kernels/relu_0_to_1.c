/* pylite: RELU_0_TO_1, y = min(max(x, 0), 1).
 *
 * As TFLite's float32 RELU_0_TO_1: NaN stays NaN and -0.0 stays -0.0.
 * The output has the input's shape and type.
 *
 * Quantized uint8/int8 RELU_0_TO_1 is not supported yet. */
#include "capi/kernels/internal/unary_common.h"

static float relu_0_to_1_f32(float x) {
  return x > 1.0f ? 1.0f : (x < 0.0f ? 0.0f : x);
}

PL_UNARY_F32_KERNEL(relu_0_to_1, "RELU_0_TO_1", relu_0_to_1_f32);
