/* pylite: PADV2, constant padding with a given value.
 *
 * PAD with a third input: the pad value, one element of the input's type
 * (strings included). See pad.c and internal/shape_pad.h. */
#include "capi/core/kernel.h"
#include "capi/kernels/internal/shape_pad.h"

const PlKernel pl_kernel_padv2 = {
    .name = "PADV2",
    .prepare = pl_pad_prepare,
    .eval = pl_pad_eval,
    .types = "any fixed-size type, string",
};
