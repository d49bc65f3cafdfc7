/* pylite: UNIQUE, the distinct values of a vector and where each element
 * went.
 *
 * As TFLite's builtin UNIQUE: the input is 1-D float32, int8, uint8,
 * int16, int32 or int64. Output 0 holds the distinct values in order of
 * first appearance (its length depends on the data: a dynamic output);
 * output 1 (int32 or int64, as UniqueOptions.idx_out_type says; the tensor
 * must have that type) has the input's shape and holds, for each element,
 * the position of its value in output 0. -0.0 and 0.0 are one value (the
 * first one seen is kept).
 * Quantized int8, uint8 and int16 tensors move as they are when all share
 * one scale and zero point (anything else is a "not supported yet"
 * error).
 *
 * Difference from LiteRT: each NaN is a distinct value, as in TensorFlow
 * (LiteRT keys a std::map by value, where NaN compares equivalent to
 * anything, so its NaN results depend on the map's state). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "capi/kernels/internal/indexing.h"

enum { kInput = 0, kOutput = 0, kIndex = 1 };

/* Schema BuiltinOptions union type and UniqueOptions field ids. */
enum { kUniqueOptionsType = 80 };
enum { kFieldIdxOutType = 0 };
enum { kSchemaInt32 = 2, kSchemaInt64 = 4 };

typedef struct UniqueData {
  TfLiteType idx_type;
} UniqueData;

static TfLiteStatus unique_init(PlSubgraph* sg, PlNode* node) {
  UniqueData* data = calloc(1, sizeof(*data));
  if (!data) {
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  int8_t t = kSchemaInt32;
  if (node->def->builtin_options_type == kUniqueOptionsType)
    t = pl_fb_i8(&node->def->builtin_options, kFieldIdxOutType, kSchemaInt32);
  data->idx_type = t == kSchemaInt64 ? kTfLiteInt64
                   : t == kSchemaInt32 ? kTfLiteInt32 : kTfLiteNoType;
  node->user_data = data;
  return kTfLiteOk;
}

static void unique_free(PlNode* node) {
  free(node->user_data);
  node->user_data = NULL;
}

static TfLiteStatus unique_prepare(PlSubgraph* sg, PlNode* node) {
  PL_ENSURE(sg, node->user_data != NULL);
  PL_ENSURE_OK(pl_shape_arity(sg, node, "UNIQUE", 1, 1, 2, 2));
  const UniqueData* data = node->user_data;
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  TfLiteTensor* index = pl_output(sg, node, kIndex);
  static const TfLiteType kVal[] = {kTfLiteFloat32, kTfLiteInt8,
                                    kTfLiteUInt8,   kTfLiteInt16,
                                    kTfLiteInt32,   kTfLiteInt64,
                                    kTfLiteNoType};
  PL_ENSURE_OK(pl_idx_check_type_q(
      sg, "UNIQUE", "input", input, kVal,
      "float32, int8, uint8, int16, int32, int64", true));
  PL_ENSURE_OK(pl_shape_check_type(sg, "UNIQUE", "output", output, input));
  if (data->idx_type == kTfLiteNoType) {
    pl_report(sg, "UNIQUE: idx_out_type must be INT32 or INT64.");
    return kTfLiteError;
  }
  if (index->type != data->idx_type) {
    pl_report(sg, "UNIQUE: the index output has type %s, idx_out_type says "
              "%s.", TfLiteTypeGetName(index->type),
              TfLiteTypeGetName(data->idx_type));
    return kTfLiteError;
  }
  if (input->dims->size != 1) {
    char s[160];
    pl_shape_string(input->dims, s, sizeof(s));
    pl_report(sg, "UNIQUE: the input must be 1-D, got shape %s.", s);
    return kTfLiteError;
  }
  pl_set_dynamic(output);
  return pl_resize_like(sg, index, input->dims);
}

/* Orders values (NaN after every number) then positions. */
static int unique_cmp(const TfLiteTensor* t, int64_t a, int64_t b) {
  int c = 0;
  switch (t->type) {
    case kTfLiteFloat32: {
      const float x = t->data.f[a], y = t->data.f[b];
      const bool nx = isnan(x), ny = isnan(y);
      if (nx || ny) c = nx == ny ? 0 : (nx ? 1 : -1);
      else c = x < y ? -1 : (y < x ? 1 : 0);
      break;
    }
    case kTfLiteInt8: c = (t->data.int8[a] > t->data.int8[b]) -
                          (t->data.int8[a] < t->data.int8[b]); break;
    case kTfLiteUInt8: c = (t->data.uint8[a] > t->data.uint8[b]) -
                           (t->data.uint8[a] < t->data.uint8[b]); break;
    case kTfLiteInt16: c = (t->data.i16[a] > t->data.i16[b]) -
                           (t->data.i16[a] < t->data.i16[b]); break;
    case kTfLiteInt32: c = (t->data.i32[a] > t->data.i32[b]) -
                           (t->data.i32[a] < t->data.i32[b]); break;
    default: c = (t->data.i64[a] > t->data.i64[b]) -
                 (t->data.i64[a] < t->data.i64[b]); break;
  }
  return c ? c : (a > b) - (a < b);
}

/* Whether two elements are one value (NaN equals nothing). */
static bool unique_same(const TfLiteTensor* t, int64_t a, int64_t b) {
  switch (t->type) {
    case kTfLiteFloat32: return t->data.f[a] == t->data.f[b];
    case kTfLiteInt8: return t->data.int8[a] == t->data.int8[b];
    case kTfLiteUInt8: return t->data.uint8[a] == t->data.uint8[b];
    case kTfLiteInt16: return t->data.i16[a] == t->data.i16[b];
    case kTfLiteInt32: return t->data.i32[a] == t->data.i32[b];
    default: return t->data.i64[a] == t->data.i64[b];
  }
}

/* Bottom-up merge sort of positions (stable, no recursion). */
static void unique_sort(const TfLiteTensor* t, int64_t* p, int64_t* tmp,
                        int64_t n) {
  for (int64_t w = 1; w < n; w *= 2) {
    for (int64_t lo = 0; lo < n; lo += 2 * w) {
      const int64_t mid = lo + w < n ? lo + w : n;
      const int64_t hi = lo + 2 * w < n ? lo + 2 * w : n;
      int64_t i = lo, j = mid, k = lo;
      while (i < mid && j < hi)
        tmp[k++] = unique_cmp(t, p[j], p[i]) < 0 ? p[j++] : p[i++];
      while (i < mid) tmp[k++] = p[i++];
      while (j < hi) tmp[k++] = p[j++];
    }
    memcpy(p, tmp, sizeof(*p) * (size_t)n);
  }
}

static TfLiteStatus unique_eval(PlSubgraph* sg, PlNode* node) {
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  TfLiteTensor* index = pl_output(sg, node, kIndex);
  const int64_t n = pl_num_elements(input);
  PL_ENSURE(sg, pl_same_shape(index, input));
  PL_ENSURE_OK(pl_idx_has_data(sg, "UNIQUE", "input", input));
  const size_t m = (size_t)(n > 0 ? n : 1);
  int64_t* perm = malloc(sizeof(int64_t) * m);
  int64_t* tmp = malloc(sizeof(int64_t) * m);
  int64_t* ids = malloc(sizeof(int64_t) * m);
  if (!perm || !tmp || !ids) {
    free(perm), free(tmp), free(ids);
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  for (int64_t i = 0; i < n; ++i) perm[i] = i;
  unique_sort(input, perm, tmp, n);
  /* tmp[i]: the first position holding element i's value. */
  for (int64_t k = 0; k < n; ++k) {
    const bool same = k > 0 && unique_same(input, perm[k - 1], perm[k]);
    tmp[perm[k]] = same ? tmp[perm[k - 1]] : perm[k];
  }
  int64_t count = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (tmp[i] == i) {
      perm[count] = i; /* perm now lists first appearances */
      ids[i] = count++;
    } else {
      ids[i] = ids[tmp[i]];
    }
  }
  const int dims[1] = {(int)count};
  TfLiteStatus status = pl_resize(sg, output, 1, dims);
  if (status == kTfLiteOk) {
    const size_t elem = pl_type_size(input->type);
    for (int64_t k = 0; k < count; ++k)
      memcpy(output->data.raw + k * (int64_t)elem,
             input->data.raw_const + perm[k] * (int64_t)elem, elem);
    for (int64_t i = 0; i < n; ++i) {
      if (index->type == kTfLiteInt32) index->data.i32[i] = (int32_t)ids[i];
      else index->data.i64[i] = ids[i];
    }
  }
  free(perm), free(tmp), free(ids);
  return status;
}

const PlKernel pl_kernel_unique = {
    .name = "UNIQUE",
    .init = unique_init,
    .free = unique_free,
    .prepare = unique_prepare,
    .eval = unique_eval,
    .types = "float32, int8, uint8, int16, int32, int64 (idx int32, int64)",
};
