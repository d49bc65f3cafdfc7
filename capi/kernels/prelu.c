/* pylite: PRELU, x >= 0 ? x : x * alpha, with alpha broadcast to x.
 *
 * As TFLite's builtin PRELU for float32: input 0 is x, input 1 alpha, of one
 * type; alpha must broadcast to x's own shape (the output takes x's shape;
 * an alpha that would widen it is an error in prepare), at any rank. NaN in
 * x stays NaN, -0.0 passes through (-0.0 >= 0). Quantized int8/uint8/int16
 * PRELU is not supported yet. */
#include "capi/kernels/internal/binary.h"

PL_BIN_ROW(prelu_row_f32, float, float, x >= 0.0f ? x : x * y)

static const PlBinaryOp kPrelu = {
    .name = "PRELU",
    .types = "float32",
    .quantized = {[kTfLiteInt8] = true, [kTfLiteUInt8] = true,
                  [kTfLiteInt16] = true},
    .rows = {[kTfLiteFloat32] = prelu_row_f32},
};

static TfLiteStatus prelu_init(PlSubgraph* sg, PlNode* node) {
  return pl_binary_init(sg, node, &kPrelu);
}

static TfLiteStatus prelu_prepare(PlSubgraph* sg, PlNode* node) {
  PL_ENSURE_OK(pl_binary_prepare(sg, node, &kPrelu));
  const TfLiteTensor* input = pl_input(sg, node, 0);
  const TfLiteTensor* alpha = pl_input(sg, node, 1);
  const TfLiteTensor* output = pl_output(sg, node, 0);
  if (!pl_same_shape(input, output)) {
    char s1[160], s2[160];
    pl_shape_string(input->dims, s1, sizeof(s1));
    pl_shape_string(alpha->dims, s2, sizeof(s2));
    pl_report(sg, "PRELU alpha %s must broadcast to the input's shape %s.",
              s2, s1);
    return kTfLiteError;
  }
  return kTfLiteOk;
}

static TfLiteStatus prelu_eval(PlSubgraph* sg, PlNode* node) {
  return pl_binary_eval(sg, node, &kPrelu);
}

const PlKernel pl_kernel_prelu = {
    .name = "PRELU",
    .init = prelu_init,
    .free = pl_binary_free,
    .prepare = prelu_prepare,
    .eval = prelu_eval,
};
