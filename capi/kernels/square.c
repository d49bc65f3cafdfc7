/* pylite: SQUARE, elementwise.
 *
 * y = x * x in float32, as TFLite's SQUARE (float32 only there too;
 * the converter lowers integer squares to MUL).
 * The output has the input's shape and type.
 */
#include <math.h>

#include "capi/kernels/internal/unary_common.h"

static float square_f32(float x) { return x * x; }

PL_UNARY_F32_KERNEL(square, "SQUARE", square_f32);
