/* pylite: the six comparison kernels (EQUAL, NOT_EQUAL, LESS, LESS_EQUAL,
 * GREATER, GREATER_EQUAL), one instantiation per kernel file.
 *
 * As TFLite's builtin comparisons: inputs of one type, a bool output of the
 * broadcast shape (any rank). float32, int32, int64 and unquantized int16
 * everywhere; bool and string for EQUAL / NOT_EQUAL (strings compare as
 * byte strings). Floats compare as C does (NaN is unequal to everything).
 * Quantized int8 and uint8 inputs (and int16 with parameters for EQUAL /
 * NOT_EQUAL; LiteRT's other comparisons compare int16 as stored) may have
 * different parameters: as LiteRT, each value, offset by its zero point
 * and shifted left 8 bits, is multiplied by its own scale in fixed point
 * (capi/kernels/internal/binary_quant.h) and the results compared. */
#ifndef PYLITE_KERNELS_INTERNAL_BINARY_COMPARE_H_
#define PYLITE_KERNELS_INTERNAL_BINARY_COMPARE_H_

#include "capi/kernels/internal/binary.h"
#include "capi/kernels/internal/binary_quant.h"

/* Rows for one C comparison operator OP, over every numeric type. */
#define PL_COMPARE_ROWS(P, OP)                                   \
  PL_BIN_ROW(P##_row_f32, float, bool, x OP y)                   \
  PL_BIN_ROW(P##_row_i32, int32_t, bool, x OP y)                 \
  PL_BIN_ROW(P##_row_i64, int64_t, bool, x OP y)                 \
  PL_BIN_ROW(P##_row_i16, int16_t, bool, x OP y)                 \
  PL_BIN_ROW(P##_row_b, bool, bool, x OP y)                      \
  PL_BINQ_ROW(P##_qrow_i8, int8_t, bool,                         \
              pl_binq_scale_in(q, 0, x) OP pl_binq_scale_in(q, 1, y)) \
  PL_BINQ_ROW(P##_qrow_u8, uint8_t, bool,                        \
              pl_binq_scale_in(q, 0, x) OP pl_binq_scale_in(q, 1, y)) \
  PL_BINQ_ROW(P##_qrow_i16, int16_t, bool,                       \
              pl_binq_scale_in(q, 0, x) OP pl_binq_scale_in(q, 1, y))

/* Never called: string comparisons take pl_compare_strings. */
void pl_compare_row_none(void* out, const void* const* in, const int64_t* step,
                         int64_t n, const void* ctx);


TfLiteStatus pl_compare_strings(PlSubgraph* sg, PlNode* node,
                                const PlBinaryOp* op, bool equal);

/* Defines pl_kernel_SUFFIX for NAME comparing with OP; WITH_EQ adds bool and
 * string inputs (EQUAL, NOT_EQUAL; EQ_SENSE says which). */
#define PL_COMPARE_KERNEL(SUFFIX, NAME, OP, WITH_EQ, EQ_SENSE)                 \
  PL_COMPARE_ROWS(SUFFIX, OP)                                                  \
  static TfLiteStatus SUFFIX##_qprepare(PlSubgraph* sg, const PlNode* node,    \
                                        const TfLiteTensor* const* in,         \
                                        const TfLiteTensor* output,            \
                                        PlBinaryData* data) {                  \
    (void)node, (void)output;                                                  \
    PL_ENSURE_OK(pl_binq_prepare_compare(sg, NAME, in, &data->q));             \
    data->qrow = in[0]->type == kTfLiteInt8    ? SUFFIX##_qrow_i8              \
                 : in[0]->type == kTfLiteUInt8 ? SUFFIX##_qrow_u8              \
                                               : SUFFIX##_qrow_i16;            \
    return kTfLiteOk;                                                          \
  }                                                                            \
  static const PlBinaryOp k_##SUFFIX = {                                       \
      .name = NAME,                                                            \
      .out_type = kTfLiteBool,                                                 \
      .types = WITH_EQ ? "float32, int32, int64, int16, bool and string"       \
                       : "float32, int32, int64 and int16",                    \
      .quantized = {[kTfLiteInt8] = true, [kTfLiteUInt8] = true,               \
                    [kTfLiteInt16] = WITH_EQ},                                 \
      .qprepare = SUFFIX##_qprepare,                                           \
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
      .types = WITH_EQ ? "float32, int32, int64, int16, bool, string; "        \
                         "quantized int8, uint8, int16"                        \
                       : "float32, int32, int64, int16; quantized int8, "      \
                         "uint8",                                              \
  };

#endif /* PYLITE_KERNELS_INTERNAL_BINARY_COMPARE_H_ */
