/* pylite: EXP, elementwise.
 *
 * y = exp(x) (expf), as TFLite's reference EXP.
 * The output has the input's shape and type.
 *
 * Quantized int8/int16 EXP is not supported yet. */
#include <math.h>

#include "capi/kernels/internal/unary_common.h"

static float exp_f32(float x) { return expf(x); }

PL_UNARY_F32_KERNEL(exp, "EXP", exp_f32);
