/* pylite: FLOOR, elementwise.
 *
 * y = floor(x) (floorf), as TFLite's FLOOR, for float32 and float16.
 * The output has the input's shape and type.
 */
#include <math.h>

#include "capi/kernels/internal/unary_common.h"

static float floor_f32(float x) { return floorf(x); }

PL_UNARY_F32_F16_KERNEL(floor, "FLOOR", floor_f32);
