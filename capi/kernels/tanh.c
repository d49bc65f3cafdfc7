/* pylite: TANH, elementwise.
 *
 * y = tanh(x) (tanhf), as TFLite's reference TANH kernel, for float32
 * and float16 (computed in float32, rounded once).
 * The output has the input's shape and type.
 *
 * Quantized uint8/int8/int16 TANH is not supported yet. */
#include <math.h>

#include "capi/kernels/internal/unary_common.h"

static float tanh_f32(float x) { return tanhf(x); }

PL_UNARY_F32_F16_KERNEL(tanh, "TANH", tanh_f32);
