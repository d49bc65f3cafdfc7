/* pylite: RSQRT, elementwise.
 *
 * y = 1 / sqrt(x), computed as TFLite does (1.0f / sqrtf(x)):
 * x = 0 gives +inf, -0.0 gives -inf, negative x NaN.
 * The output has the input's shape and type.
 *
 * Quantized int8/int16 RSQRT is not supported yet. */
#include <math.h>

#include "capi/kernels/internal/unary_common.h"

static float rsqrt_f32(float x) { return 1.0f / sqrtf(x); }

PL_UNARY_F32_KERNEL(rsqrt, "RSQRT", rsqrt_f32);
