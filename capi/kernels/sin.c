/* pylite: SIN, elementwise.
 *
 * y = sin(x) (sinf), as TFLite's SIN (float32 only there too).
 * The output has the input's shape and type.
 */
#include <math.h>

#include "capi/kernels/internal/unary_common.h"

static float sin_f32(float x) { return sinf(x); }

PL_UNARY_F32_KERNEL(sin, "SIN", sin_f32);
