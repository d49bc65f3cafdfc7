/* pylite: POW, x raised to y, with numpy-style broadcasting.
 *
 * As TFLite's builtin POW for float32 and int32: inputs and output share one
 * type; the output is the broadcast of the input shapes at any rank. float32
 * is powf. int32 is pow in double converted back as x86 does (results out of
 * range give INT32_MIN), as TFLite computes it; a negative exponent anywhere
 * in y fails the invoke, as in TFLite. */
#include "capi/kernels/internal/binary.h"

PL_BIN_ROW(pow_row_f32, float, float, powf(x, y))
PL_BIN_ROW(pow_row_i32, int32_t, int32_t,
           pl_bin_f64_to_i32(pow((double)x, (double)y)))

static TfLiteStatus pow_check(PlSubgraph* sg, const TfLiteTensor* x,
                              const TfLiteTensor* y) {
  (void)x;
  if (y->type != kTfLiteInt32) return kTfLiteOk;
  const int32_t* d = y->data.i32;
  const int64_t n = pl_num_elements(y);
  for (int64_t i = 0; i < n; ++i) {
    if (d[i] < 0) {
      pl_report(sg, "POW: int32 exponents must be >= 0, got %d.", (int)d[i]);
      return kTfLiteError;
    }
  }
  return kTfLiteOk;
}

static const PlBinaryOp kPow = {
    .name = "POW",
    .check = pow_check,
    .types = "float32 and int32",
    .rows = {[kTfLiteFloat32] = pow_row_f32, [kTfLiteInt32] = pow_row_i32},
};

PL_BINARY_KERNEL(pow, "POW", kPow,
                 "float32 and int32")
