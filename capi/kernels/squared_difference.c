/* pylite: SQUARED_DIFFERENCE, (x - y)^2 with numpy-style broadcasting.
 *
 * As TFLite's builtin SQUARED_DIFFERENCE for float32 and int32: inputs and
 * output share one type; the output is the broadcast of the input shapes at
 * any rank; int32 arithmetic wraps around. No options, no activation.
 * Quantized int8 (LiteRT has no uint8 or int16 form), bit-exact with
 * LiteRT's reference kernel (capi/kernels/internal/binary_quant.h). */
#include "capi/kernels/internal/binary.h"
#include "capi/kernels/internal/binary_quant.h"

static inline int32_t sqdiff_i32(int32_t x, int32_t y) {
  const uint32_t d = (uint32_t)x - (uint32_t)y;
  return (int32_t)(d * d);
}

PL_BIN_ROW_AVX2(sqdiff_row_f32, float, float, (x - y) * (x - y))
PL_BIN_ROW(sqdiff_row_i32, int32_t, int32_t, sqdiff_i32(x, y))


static TfLiteStatus sqdiff_qprepare(PlSubgraph* sg, const PlNode* node,
                                    const TfLiteTensor* const* in,
                                    const TfLiteTensor* output,
                                    PlBinaryData* data) {
  (void)node;
  PL_ENSURE_OK(pl_binq_prepare_sqdiff(sg, "SQUARED_DIFFERENCE", in, output,
                                      &data->q));
  data->qrow = pl_binq_row_sqdiff_i8;
  return kTfLiteOk;
}

static const PlBinaryOp kSquaredDifference = {
    .name = "SQUARED_DIFFERENCE",
    .types = "float32 and int32",
    .quantized = {[kTfLiteInt8] = true},
    .qprepare = sqdiff_qprepare,
    .rows = {[kTfLiteFloat32] = sqdiff_row_f32,
             [kTfLiteInt32] = sqdiff_row_i32},
};

PL_BINQ_KERNEL(squared_difference, "SQUARED_DIFFERENCE",
               kSquaredDifference, "float32, int32; quantized int8")
