/* pylite: SIN, elementwise.
 *
 * y = sin(x) (sinf), as TFLite's SIN, for float32 and float16 (computed
 * in float32, rounded once).
 * The output has the input's shape and type.
 */
#include <math.h>

#include "capi/kernels/internal/unary_common.h"

static float sin_f32(float x) { return sinf(x); }

PL_UNARY_F32_F16_KERNEL(sin, "SIN", sin_f32);
