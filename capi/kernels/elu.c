/* pylite: ELU, y = x < 0 ? exp(x) - 1 : x.
 *
 * As TFLite's float32 ELU (alpha fixed at 1): expm1f for negative x, so
 * small negatives keep full precision; NaN and -0.0 pass through. The
 * output has the input's shape and type.
 *
 * Quantized int8 ELU is not supported yet. */
#include <math.h>

#include "capi/kernels/internal/unary_common.h"

static float elu_f32(float x) { return x < 0.0f ? expm1f(x) : x; }

PL_UNARY_F32_KERNEL(elu, "ELU", elu_f32);
