/* pylite: SQRT, elementwise.
 *
 * y = sqrt(x) (sqrtf), as TFLite's float32 SQRT: negative x gives NaN,
 * sqrt(-0.0) is -0.0.
 * The output has the input's shape and type.
 *
 * Quantized int8/int16 SQRT is not supported yet. */
#include <math.h>

#include "capi/kernels/internal/unary_common.h"

static float sqrt_f32(float x) { return sqrtf(x); }

PL_UNARY_F32_KERNEL(sqrt, "SQRT", sqrt_f32);
