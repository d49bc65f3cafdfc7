/* pylite: PAD, constant padding (with PADV2: internal/shape_pad.h).
 *
 * As TFLite's builtin PAD / PADV2: paddings (input 1) is an int32 or int64
 * tensor of shape [rank, 2] holding, per dim, the elements added before
 * and after (each >= 0). The pad value is PADV2's input 2 (one element of
 * the input's type), or else 0 (the zero point for quantized tensors).
 * Quantized input and output must share scale and zero point, and PADV2's
 * pad value must be quantized as the output (as LiteRT checks).
 * Every type moves; strings pad with "" (or PADV2's string), a superset of
 * TFLite. Any rank. Non-constant paddings make the output dynamic. */
#include "capi/core/kernel.h"
#include "capi/kernels/internal/shape_pad.h"
#include "capi/kernels/internal/shape_util.h"

const PlKernel pl_kernel_pad = {
    .name = "PAD",
    .prepare = pl_pad_prepare,
    .eval = pl_pad_eval,
    .types = "any fixed-size type, string",
};
