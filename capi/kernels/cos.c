/* pylite: COS, elementwise.
 *
 * y = cos(x) (cosf), as TFLite's COS (float32 only there too).
 * The output has the input's shape and type.
 */
#include <math.h>

#include "capi/kernels/internal/unary_common.h"

static float cos_f32(float x) { return cosf(x); }

PL_UNARY_F32_KERNEL(cos, "COS", cos_f32);
