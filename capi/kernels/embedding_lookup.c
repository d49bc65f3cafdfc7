/* pylite: EMBEDDING_LOOKUP, picks rows of a table by id.
 *
 * As TFLite's builtin EMBEDDING_LOOKUP: lookup is 1-D int32, value has rank
 * >= 2; the output (value's type) is [lookup size] + value.dims[1:], row i
 * being value[lookup[i]]. Every fixed-size value type moves. An id outside
 * [0, value.dims[0]) fails the invoke with an error naming it (nothing is
 * written).
 *
 * Hybrid form, as LiteRT: an int8 or uint8 value with a float32 output is
 * dequantized row by row, y = q * scale, with the value's one scale or, per
 * axis along dim 0, the scale of the looked-up row. The zero point must be
 * 0 (LiteRT ignores the others); uint8 bytes are read as int8, as LiteRT
 * does. Not supported yet: int4 values and float16 outputs. */
#include <stdint.h>

#include "capi/kernels/internal/quant.h"

#include "capi/kernels/internal/indexing.h"

enum { kLookup = 0, kValue = 1, kOutput = 0 };

static TfLiteStatus el_prepare(PlSubgraph* sg, PlNode* node) {
  PL_ENSURE_OK(pl_shape_arity(sg, node, "EMBEDDING_LOOKUP", 2, 2, 1, 1));
  const TfLiteTensor* lookup = pl_input(sg, node, kLookup);
  const TfLiteTensor* value = pl_input(sg, node, kValue);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  if (lookup->type != kTfLiteInt32 || lookup->dims->size != 1) {
    char s[160];
    pl_shape_string(lookup->dims, s, sizeof(s));
    pl_report(sg, "EMBEDDING_LOOKUP: lookup must be 1-D int32, got %s of "
              "shape %s.", TfLiteTypeGetName(lookup->type), s);
    return kTfLiteError;
  }
  if (value->dims->size < 2) {
    char s[160];
    pl_shape_string(value->dims, s, sizeof(s));
    pl_report(sg, "EMBEDDING_LOOKUP: value must have rank >= 2, got shape "
              "%s.", s);
    return kTfLiteError;
  }
  if (output->type == kTfLiteFloat32 && value->type != kTfLiteFloat32) {
    if (value->type != kTfLiteInt8 && value->type != kTfLiteUInt8) {
      pl_report(sg, "EMBEDDING_LOOKUP: the hybrid form with a %s value is "
                "not supported yet (int8 and uint8 are).",
                TfLiteTypeGetName(value->type));
      return kTfLiteError;
    }
    const PlQuantRule rule = {0, true};
    PL_ENSURE_OK(pl_q_check(sg, "EMBEDDING_LOOKUP", "value", value, &rule));
    int dims[PL_MAX_RANK];
    dims[0] = lookup->dims->data[0];
    for (int i = 1; i < value->dims->size; ++i) dims[i] = value->dims->data[i];
    return pl_resize(sg, output, value->dims->size, dims);
  }
  if (value->type == kTfLiteString) {
    pl_report(sg, "EMBEDDING_LOOKUP: string values are not supported.");
    return kTfLiteError;
  }
  PL_ENSURE_OK(pl_shape_check_type(sg, "EMBEDDING_LOOKUP", "output", output,
                                   value));
  int dims[PL_MAX_RANK];
  dims[0] = lookup->dims->data[0];
  for (int i = 1; i < value->dims->size; ++i) dims[i] = value->dims->data[i];
  return pl_resize(sg, output, value->dims->size, dims);
}

static TfLiteStatus el_eval(PlSubgraph* sg, PlNode* node) {
  const TfLiteTensor* lookup = pl_input(sg, node, kLookup);
  const TfLiteTensor* value = pl_input(sg, node, kValue);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  PL_ENSURE_OK(pl_idx_has_data(sg, "EMBEDDING_LOOKUP", "lookup", lookup));
  const int64_t n = pl_num_elements(lookup);
  const int64_t rows = value->dims->data[0];
  for (int64_t i = 0; i < n; ++i) {
    const int32_t id = lookup->data.i32[i];
    if (id < 0 || id >= rows) {
      pl_report(sg, "EMBEDDING_LOOKUP: id %d (at position %lld of lookup) is "
                "out of range [0, %lld).", (int)id, (long long)i,
                (long long)rows);
      return kTfLiteError;
    }
  }
  const int64_t row_elems = rows > 0 ? pl_num_elements(value) / rows : 0;
  if (output->type == kTfLiteFloat32 && value->type != kTfLiteFloat32) {
    /* Hybrid: dequantize each looked-up row (bytes read as int8). */
    if (row_elems == 0 || n == 0) return kTfLiteOk;
    PL_ENSURE_OK(pl_idx_has_data(sg, "EMBEDDING_LOOKUP", "value", value));
    const TfLiteAffineQuantization* q = value->quantization.params;
    const int8_t* table = (const int8_t*)value->data.raw_const;
    for (int64_t i = 0; i < n; ++i) {
      const int32_t id = lookup->data.i32[i];
      const float scale =
          q->scale->size > 1 ? q->scale->data[id] : q->scale->data[0];
      for (int64_t j = 0; j < row_elems; ++j)
        output->data.f[i * row_elems + j] =
            (float)table[id * row_elems + j] * scale;
    }
    return kTfLiteOk;
  }
  const size_t row = (size_t)row_elems * pl_type_size(value->type);
  if (row == 0 || n == 0) return kTfLiteOk;
  PL_ENSURE_OK(pl_idx_has_data(sg, "EMBEDDING_LOOKUP", "value", value));
  PL_ENSURE(sg, pl_num_elements(output) == n * row_elems);
  for (int64_t i = 0; i < n; ++i)
    memcpy(output->data.raw + i * (int64_t)row,
           value->data.raw_const + lookup->data.i32[i] * (int64_t)row, row);
  return kTfLiteOk;
}

const PlKernel pl_kernel_embedding_lookup = {
    .name = "EMBEDDING_LOOKUP",
    .prepare = el_prepare,
    .eval = el_eval,
    .types = "any fixed-size type (lookup int32); hybrid int8, uint8 value "
             "with float32 output",
};
