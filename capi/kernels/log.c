/* pylite: LOG, elementwise.
 *
 * y = log(x) (logf), as TFLite's LOG: log(0) is -inf, negative x NaN.
 * The output has the input's shape and type.
 *
 * Quantized int8/int16 LOG is not supported yet. */
#include <math.h>

#include "capi/kernels/internal/unary_common.h"

static float log_f32(float x) { return logf(x); }

PL_UNARY_F32_KERNEL(log, "LOG", log_f32);
