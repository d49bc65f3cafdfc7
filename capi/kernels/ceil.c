/* pylite: CEIL, elementwise.
 *
 * y = ceil(x) (ceilf), as TFLite's CEIL (float32 only there too).
 * The output has the input's shape and type.
 */
#include <math.h>

#include "capi/kernels/internal/unary_common.h"

static float ceil_f32(float x) { return ceilf(x); }

PL_UNARY_F32_KERNEL(ceil, "CEIL", ceil_f32);
