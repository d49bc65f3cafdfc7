/* pylite: the six comparison kernels (EQUAL, NOT_EQUAL, LESS, LESS_EQUAL,
 * GREATER, GREATER_EQUAL), one instantiation per kernel file.
 *
 * As TFLite's builtin comparisons: inputs of one type, a bool output of the
 * broadcast shape (any rank). float32, int32, int64 and unquantized int16
 * everywhere; bool and string for EQUAL / NOT_EQUAL (strings compare as
 * byte strings). Floats compare as C does (NaN is unequal to everything).
 * Quantized int8/uint8/int16 comparisons are not supported yet. */
#ifndef PYLITE_KERNELS_INTERNAL_BINARY_COMPARE_H_
#define PYLITE_KERNELS_INTERNAL_BINARY_COMPARE_H_

#include "capi/kernels/internal/binary.h"

/* Rows for one C comparison operator OP, over every numeric type. */
#define PL_COMPARE_ROWS(P, OP)                                   \
  PL_BIN_ROW(P##_row_f32, float, bool, x OP y)                   \
  PL_BIN_ROW(P##_row_i32, int32_t, bool, x OP y)                 \
  PL_BIN_ROW(P##_row_i64, int64_t, bool, x OP y)                 \
  PL_BIN_ROW(P##_row_i16, int16_t, bool, x OP y)                 \
  PL_BIN_ROW(P##_row_b, bool, bool, x OP y)

/* Never called: string comparisons take pl_compare_strings. */
void pl_compare_row_none(void* out, const void* const* in, const int64_t* step,
                         int64_t n, const void* ctx);


TfLiteStatus pl_compare_strings(PlSubgraph* sg, PlNode* node,
                                const PlBinaryOp* op, bool equal);

/* Defines pl_kernel_SUFFIX for NAME comparing with OP; WITH_EQ adds bool and
 * string inputs (EQUAL, NOT_EQUAL; EQ_SENSE says which). */
#define PL_COMPARE_KERNEL(SUFFIX, NAME, OP, WITH_EQ, EQ_SENSE)                 \
  PL_COMPARE_ROWS(SUFFIX, OP)                                                  \
  static const PlBinaryOp k_##SUFFIX = {                                       \
      .name = NAME,                                                            \
      .out_type = kTfLiteBool,                                                 \
      .types = WITH_EQ ? "float32, int32, int64, int16, bool and string"       \
                       : "float32, int32, int64 and int16",                    \
      .quantized = {[kTfLiteInt8] = true, [kTfLiteUInt8] = true,               \
                    [kTfLiteInt16] = true},                                    \
      .rows = {[kTfLiteFloat32] = SUFFIX##_row_f32,                            \
               [kTfLiteInt32] = SUFFIX##_row_i32,                              \
               [kTfLiteInt64] = SUFFIX##_row_i64,                              \
               [kTfLiteInt16] = SUFFIX##_row_i16,                              \
               [kTfLiteBool] = WITH_EQ ? SUFFIX##_row_b : NULL,                \
               [kTfLiteString] = WITH_EQ ? pl_compare_row_none : NULL},        \
  };                                                                           \
  static TfLiteStatus SUFFIX##_init(PlSubgraph* sg, PlNode* node) {            \
    return pl_binary_init(sg, node, &k_##SUFFIX);                              \
  }                                                                            \
  static TfLiteStatus SUFFIX##_prepare(PlSubgraph* sg, PlNode* node) {         \
    return pl_binary_prepare(sg, node, &k_##SUFFIX);                           \
  }                                                                            \
  static TfLiteStatus SUFFIX##_eval(PlSubgraph* sg, PlNode* node) {            \
    if (pl_input(sg, node, 0)->type == kTfLiteString)                          \
      return pl_compare_strings(sg, node, &k_##SUFFIX, EQ_SENSE);              \
    return pl_binary_eval(sg, node, &k_##SUFFIX);                              \
  }                                                                            \
  const PlKernel pl_kernel_##SUFFIX = {                                        \
      .name = NAME,                                                            \
      .init = SUFFIX##_init,                                                   \
      .free = pl_binary_free,                                                  \
      .prepare = SUFFIX##_prepare,                                             \
      .eval = SUFFIX##_eval,                                                   \
      .types_ref = &k_##SUFFIX.types,                                          \
  };

#endif /* PYLITE_KERNELS_INTERNAL_BINARY_COMPARE_H_ */
