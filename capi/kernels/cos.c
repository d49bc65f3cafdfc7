/* pylite: COS, elementwise.
 *
 * y = cos(x) (cosf), as TFLite's COS, for float32 and float16 (computed
 * in float32, rounded once).
 * The output has the input's shape and type.
 */
#include <math.h>

#include "capi/kernels/internal/unary_common.h"

static float cos_f32(float x) { return cosf(x); }

PL_UNARY_F32_F16_KERNEL(cos, "COS", cos_f32);
