/* pylite: TOPK_V2, the k largest values of each last-dim row.
 *
 * As TFLite's builtin TOPK_V2: input 0 (float32, int32, int64, int16, int8
 * or uint8, rank >= 1) and input 1, a one-element int32 or int16 k. Output 0
 * holds the values (input type), output 1 their indices along the last dim
 * (int32 or int16); both have the input's shape with the last dim k. Each
 * row comes out sorted by value, largest first, ties in index order. A k
 * larger than the last dim is an error; a k of 0 or less gives an empty last
 * dim. A non-constant k makes the outputs dynamic. NaN ranks below every
 * number (LiteRT 2.3's order). int8/uint8/int16 compare raw values, which
 * quantization does not reorder; quantized values must carry the input's
 * quantization (TFLite does not check it). */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capi/core/kernel.h"
#include "capi/kernels/internal/quant_spatial.h"

enum { kInput = 0, kTopK = 1, kOutputValues = 0, kOutputIndices = 1 };

typedef struct TopkData {
  bool shape_at_eval; /* k is not constant */
  int32_t* order;     /* one row of indices, and merge scratch */
  int64_t order_len;
} TopkData;

static TfLiteStatus topk_init(PlSubgraph* sg, PlNode* node) {
  TopkData* data = calloc(1, sizeof(*data));
  if (!data) {
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  node->user_data = data;
  return kTfLiteOk;
}

static void topk_free(PlNode* node) {
  TopkData* data = node->user_data;
  if (data) free(data->order);
  free(data);
  node->user_data = NULL;
}

static TfLiteStatus read_k(PlSubgraph* sg, const TfLiteTensor* k_t,
                           int32_t* k) {
  if (!k_t->data.raw_const) {
    pl_report(sg, "TOPK_V2: the k tensor has no data.");
    return kTfLiteError;
  }
  *k = k_t->type == kTfLiteInt16 ? k_t->data.i16[0] : k_t->data.i32[0];
  return kTfLiteOk;
}

/* Checks k against the input and sizes both outputs. */
static TfLiteStatus resize_outputs(PlSubgraph* sg, PlNode* node) {
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  TfLiteTensor* values = pl_output(sg, node, kOutputValues);
  TfLiteTensor* indices = pl_output(sg, node, kOutputIndices);
  int32_t k = 0;
  PL_ENSURE_OK(read_k(sg, pl_input(sg, node, kTopK), &k));
  const int rank = input->dims->size;
  const int last = input->dims->data[rank - 1];
  if (k > last) {
    pl_report(sg, "TOPK_V2: k %d is larger than the last dim %d.", (int)k,
              last);
    return kTfLiteError;
  }
  int dims[PL_MAX_RANK];
  for (int i = 0; i < rank - 1; ++i) dims[i] = input->dims->data[i];
  dims[rank - 1] = k > 0 ? k : 0;
  PL_ENSURE_OK(pl_resize(sg, values, rank, dims));
  return pl_resize(sg, indices, rank, dims);
}

static TfLiteStatus topk_prepare(PlSubgraph* sg, PlNode* node) {
  TopkData* data = node->user_data;
  PL_ENSURE(sg, data != NULL);
  if (pl_num_inputs(node) != 2 || pl_num_outputs(node) != 2) {
    pl_report(sg, "TOPK_V2 takes 2 inputs and 2 outputs, got %d and %d.",
              pl_num_inputs(node), pl_num_outputs(node));
    return kTfLiteError;
  }
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  const TfLiteTensor* k = pl_input(sg, node, kTopK);
  TfLiteTensor* values = pl_output(sg, node, kOutputValues);
  TfLiteTensor* indices = pl_output(sg, node, kOutputIndices);
  if (!input || !k || !values || !indices) {
    pl_report(sg, "TOPK_V2: the inputs and outputs must all be given.");
    return kTfLiteError;
  }
  switch (input->type) {
    case kTfLiteFloat32:
    case kTfLiteInt32:
    case kTfLiteInt64:
    case kTfLiteInt16:
    case kTfLiteInt8:
    case kTfLiteUInt8:
      break;
    default:
      pl_report(sg,
                "TOPK_V2 supports float32, int32, int64, int16, int8 and "
                "uint8, got %s.",
                TfLiteTypeGetName(input->type));
      return kTfLiteError;
  }
  if (values->type != input->type) {
    pl_report(sg, "TOPK_V2 input type %s does not match values type %s.",
              TfLiteTypeGetName(input->type), TfLiteTypeGetName(values->type));
    return kTfLiteError;
  }
  PL_ENSURE_OK(
      pl_qs_check_move(sg, "TOPK_V2", "input", input, "values", values));
  if (indices->type != kTfLiteInt32 && indices->type != kTfLiteInt16) {
    pl_report(sg, "TOPK_V2 indices must be int32 or int16, got %s.",
              TfLiteTypeGetName(indices->type));
    return kTfLiteError;
  }
  if (k->type != kTfLiteInt32 && k->type != kTfLiteInt16) {
    pl_report(sg, "TOPK_V2 needs an int32 or int16 k, got %s.",
              TfLiteTypeGetName(k->type));
    return kTfLiteError;
  }
  if (pl_num_elements(k) != 1) {
    pl_report(sg, "TOPK_V2 needs a single k, got %lld values.",
              (long long)pl_num_elements(k));
    return kTfLiteError;
  }
  if (input->dims->size < 1) {
    pl_report(sg, "TOPK_V2 needs an input of rank 1 or more, got a scalar.");
    return kTfLiteError;
  }
  data->shape_at_eval = !pl_is_constant(k);
  if (data->shape_at_eval) {
    pl_set_dynamic(values);
    pl_set_dynamic(indices);
    return kTfLiteOk;
  }
  return resize_outputs(sg, node);
}

/* TFLite's order: a number before NaN; numbers by value, largest first;
 * equal values (and NaNs among themselves) by index. A total order, so the
 * sort below gives exactly TFLite's rows. */
#define TOPK_BEFORE(NAME, T, ISNAN)                                 \
  static inline bool NAME(const T* row, int32_t a, int32_t b) {     \
    const bool na = ISNAN(row[a]), nb = ISNAN(row[b]);              \
    if (na != nb) return nb;                                        \
    if (row[b] < row[a]) return true;                               \
    if (row[b] > row[a]) return false;                              \
    return a < b;                                                   \
  }

/* A merge sort of the indices order[0..n) into TFLite's order; `tmp` holds
 * n more indices. */
#define TOPK_SORT(NAME, T, BEFORE)                                           \
  static void NAME(const T* row, int32_t* order, int32_t* tmp, int64_t n) {  \
    for (int64_t width = 1; width < n; width *= 2) {                         \
      for (int64_t lo = 0; lo < n; lo += 2 * width) {                        \
        const int64_t mid = lo + width < n ? lo + width : n;                 \
        const int64_t hi = lo + 2 * width < n ? lo + 2 * width : n;          \
        int64_t a = lo, b = mid, t = lo;                                     \
        while (a < mid && b < hi)                                            \
          tmp[t++] = BEFORE(row, order[b], order[a]) ? order[b++]            \
                                                     : order[a++];           \
        while (a < mid) tmp[t++] = order[a++];                               \
        while (b < hi) tmp[t++] = order[b++];                                \
      }                                                                      \
      memcpy(order, tmp, (size_t)n * sizeof(*order));                        \
    }                                                                        \
  }

/* The first k of n in that order, sorted, into order[0..k): with k much
 * smaller than n, a heap of the k best so far (its root the worst of them)
 * over one pass, then a sort of those k; else a sort of all n. The order
 * is total, so both give the same k indices in the same order. */
#define TOPK_SELECT(NAME, T, BEFORE, SORT)                                   \
  static void NAME(const T* row, int32_t* order, int32_t* tmp, int64_t n,    \
                   int64_t k) {                                              \
    if (k * 8 > n) {                                                         \
      for (int64_t i = 0; i < n; ++i) order[i] = (int32_t)i;                 \
      SORT(row, order, tmp, n);                                              \
      return;                                                                \
    }                                                                        \
    for (int64_t i = 0; i < n; ++i) {                                        \
      int64_t at;                                                            \
      if (i < k) { /* grow: sift the new one up */                           \
        at = i;                                                              \
        while (at > 0 && BEFORE(row, order[(at - 1) / 2], (int32_t)i)) {     \
          order[at] = order[(at - 1) / 2];                                   \
          at = (at - 1) / 2;                                                 \
        }                                                                    \
        order[at] = (int32_t)i;                                              \
        continue;                                                            \
      }                                                                      \
      if (!BEFORE(row, (int32_t)i, order[0])) continue;                      \
      at = 0; /* replace the worst: sift down */                             \
      for (;;) {                                                             \
        const int64_t l = 2 * at + 1, r = l + 1;                             \
        int64_t worst = -1;                                                  \
        if (l < k && BEFORE(row, (int32_t)i, order[l])) worst = l;           \
        if (r < k && BEFORE(row, worst < 0 ? (int32_t)i : order[l],          \
                            order[r]))                                       \
          worst = r;                                                         \
        if (worst < 0) break;                                                \
        order[at] = order[worst];                                            \
        at = worst;                                                          \
      }                                                                      \
      order[at] = (int32_t)i;                                                \
    }                                                                        \
    SORT(row, order, tmp, k);                                                \
  }

#define TOPK_NO_NAN(x) ((void)(x), false)
#define TOPK_DEFINE(S, T, ISNAN)            \
  TOPK_BEFORE(topk_before_##S, T, ISNAN)    \
  TOPK_SORT(topk_sort_##S, T, topk_before_##S) \
  TOPK_SELECT(topk_select_##S, T, topk_before_##S, topk_sort_##S)
TOPK_DEFINE(f32, float, isnan)
TOPK_DEFINE(i32, int32_t, TOPK_NO_NAN)
TOPK_DEFINE(i64, int64_t, TOPK_NO_NAN)
TOPK_DEFINE(i16, int16_t, TOPK_NO_NAN)
TOPK_DEFINE(i8, int8_t, TOPK_NO_NAN)
TOPK_DEFINE(u8, uint8_t, TOPK_NO_NAN)

#define TOPK_ROWS(SORT, T)                                                   \
  do {                                                                       \
    const T* in = (const T*)input->data.raw_const;                           \
    T* vals = (T*)values->data.raw;                                          \
    for (int64_t r = 0; r < rows; ++r) {                                     \
      const T* row = in + r * n;                                             \
      SORT(row, order, order + n, n, k);                                     \
      for (int64_t i = 0; i < k; ++i) {                                      \
        vals[r * k + i] = row[order[i]];                                     \
        if (idx16)                                                           \
          indices->data.i16[r * k + i] = (int16_t)order[i];                  \
        else                                                                 \
          indices->data.i32[r * k + i] = order[i];                           \
      }                                                                      \
    }                                                                        \
  } while (0)

static TfLiteStatus topk_eval(PlSubgraph* sg, PlNode* node) {
  TopkData* data = node->user_data;
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  TfLiteTensor* values = pl_output(sg, node, kOutputValues);
  TfLiteTensor* indices = pl_output(sg, node, kOutputIndices);
  if (data->shape_at_eval) PL_ENSURE_OK(resize_outputs(sg, node));
  const int rank = input->dims->size;
  const int64_t n = input->dims->data[rank - 1];
  /* Guards against an input resized without a new prepare. */
  bool same = values->dims->size == rank && indices->dims->size == rank;
  const int64_t k = same ? values->dims->data[rank - 1] : 0;
  same = same && k <= n;
  for (int i = 0; same && i < rank - 1; ++i)
    same = values->dims->data[i] == input->dims->data[i];
  if (!same) {
    pl_report(sg, "TOPK_V2 input shape changed since prepare.");
    return kTfLiteError;
  }
  if (k == 0 || pl_num_elements(values) == 0) return kTfLiteOk;
  const int64_t rows = pl_num_elements(input) / n;
  if (data->order_len < 2 * n) {
    int32_t* grown = realloc(data->order, sizeof(int32_t) * (size_t)(2 * n));
    if (!grown) {
      pl_report(sg, "Out of memory.");
      return kTfLiteError;
    }
    data->order = grown;
    data->order_len = 2 * n;
  }
  int32_t* order = data->order;
  const bool idx16 = indices->type == kTfLiteInt16;
  switch (input->type) {
    case kTfLiteFloat32: TOPK_ROWS(topk_select_f32, float); break;
    case kTfLiteInt32: TOPK_ROWS(topk_select_i32, int32_t); break;
    case kTfLiteInt64: TOPK_ROWS(topk_select_i64, int64_t); break;
    case kTfLiteInt16: TOPK_ROWS(topk_select_i16, int16_t); break;
    case kTfLiteInt8: TOPK_ROWS(topk_select_i8, int8_t); break;
    default: TOPK_ROWS(topk_select_u8, uint8_t); break;
  }
  return kTfLiteOk;
}

const PlKernel pl_kernel_topk_v2 = {
    .name = "TOPK_V2",
    .init = topk_init,
    .free = topk_free,
    .prepare = topk_prepare,
    .eval = topk_eval,
    .types = "float32, int32, int64, int16, int8 and uint8 (quantized: equal input and output parameters)",
};
