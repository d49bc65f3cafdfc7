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
static PL_BIN_UNUSED void pl_compare_row_none(void* out, const void* const* in,
                                              const int64_t* step, int64_t n,
                                              const void* ctx) {
  (void)out, (void)in, (void)step, (void)n, (void)ctx;
}

typedef struct PlCompareStrings {
  const TfLiteTensor* a;
  const TfLiteTensor* b;
  bool* out;
  bool equal; /* EQUAL, else NOT_EQUAL */
} PlCompareStrings;

static PL_BIN_UNUSED void pl_compare_strings_visit(void* ctx, int64_t out_off,
                                                   const int64_t* in_off,
                                                   const int64_t* step,
                                                   int64_t n) {
  const PlCompareStrings* c = ctx;
  for (int64_t i = 0; i < n; ++i) {
    const char *pa = NULL, *pb = NULL;
    size_t la = 0, lb = 0;
    pl_string_get(c->a, (int32_t)(in_off[0] + i * step[0]), &pa, &la);
    pl_string_get(c->b, (int32_t)(in_off[1] + i * step[1]), &pb, &lb);
    const bool same = la == lb && (la == 0 || memcmp(pa, pb, la) == 0);
    c->out[out_off + i] = same == c->equal;
  }
}

static PL_BIN_UNUSED TfLiteStatus pl_compare_strings(PlSubgraph* sg,
                                                     PlNode* node,
                                                     const PlBinaryOp* op,
                                                     bool equal) {
  const TfLiteTensor* in[2] = {pl_input(sg, node, 0), pl_input(sg, node, 1)};
  TfLiteTensor* output = pl_output(sg, node, 0);
  int dims[PL_MAX_RANK];
  int rank = 0;
  PL_ENSURE_OK(pl_bin_eval_shape(sg, op->name, 2, in, output, dims, &rank));
  for (int k = 0; k < 2; ++k) {
    if (!pl_string_valid(in[k]) ||
        pl_string_count(in[k]) != pl_num_elements(in[k])) {
      pl_report(sg, "%s input %d is not a valid string tensor of %lld items.",
                op->name, k, (long long)pl_num_elements(in[k]));
      return kTfLiteError;
    }
  }
  PlBcast plan;
  const TfLiteIntArray* d[2] = {in[0]->dims, in[1]->dims};
  if (!pl_bcast_plan(&plan, 2, d, dims, rank)) return kTfLiteOk;
  PlCompareStrings c = {in[0], in[1], output->data.b, equal};
  pl_bcast_walk(&plan, pl_compare_strings_visit, &c);
  return kTfLiteOk;
}

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
  };

#endif /* PYLITE_KERNELS_INTERNAL_BINARY_COMPARE_H_ */
