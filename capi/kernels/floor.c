/* pylite: FLOOR, elementwise.
 *
 * y = floor(x) (floorf), as TFLite's FLOOR (float32 only there too).
 * The output has the input's shape and type.
 */
#include <math.h>

#include "capi/kernels/internal/unary_common.h"

static float floor_f32(float x) { return floorf(x); }

PL_UNARY_F32_KERNEL(floor, "FLOOR", floor_f32);
