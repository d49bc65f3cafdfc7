/* pylite: RELU_N1_TO_1, y = min(max(x, -1), 1).
 *
 * As TFLite's float32 RELU_N1_TO_1: NaN stays NaN and -0.0 stays -0.0.
 * The output has the input's shape and type.
 *
 * Quantized uint8/int8 RELU_N1_TO_1 is not supported yet. */
#include "capi/kernels/internal/unary_common.h"

static float relu_n1_to_1_f32(float x) {
  return x > 1.0f ? 1.0f : (x < -1.0f ? -1.0f : x);
}

PL_UNARY_F32_KERNEL(relu_n1_to_1, "RELU_N1_TO_1", relu_n1_to_1_f32);
