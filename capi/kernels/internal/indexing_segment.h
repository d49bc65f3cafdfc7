/* pylite: the unsorted segment reductions (UNSORTED_SEGMENT_SUM, _PROD,
 * _MAX, _MIN), written once.
 *
 * As TFLite's builtin kernels: data is float32 or int32; segment_ids is
 * int32 whose shape is a prefix of the data's; num_segments is an int32
 * tensor holding one value. The output is [num_segments] +
 * data.dims[rank(segment_ids):]: each segment starts at the reduction's
 * identity (0, 1, the type's lowest value, its highest value) and folds in,
 * in order, every data slice whose id names it. Negative ids are skipped;
 * an id >= num_segments fails the invoke with an error naming it. MAX and
 * MIN keep the earlier value on ties and NaN, as std::max / std::min do.
 * Integer sums and products wrap. A non-constant num_segments makes the
 * output dynamic. */
#ifndef PYLITE_KERNELS_INTERNAL_INDEXING_SEGMENT_H_
#define PYLITE_KERNELS_INTERNAL_INDEXING_SEGMENT_H_

#include <float.h>
#include <stdint.h>

#include "capi/kernels/internal/indexing.h"

typedef enum PlSegmentOp {
  kPlSegmentSum,
  kPlSegmentProd,
  kPlSegmentMax,
  kPlSegmentMin,
} PlSegmentOp;

enum { kPlSegData = 0, kPlSegIds = 1, kPlSegNum = 2, kPlSegOutput = 0 };

/* The output dims from num_segments. */
PL_IDX_FN TfLiteStatus pl_segment_dims(PlSubgraph* sg, const PlNode* node,
                                       const char* op, int* dims, int* rank) {
  const TfLiteTensor* data = pl_input(sg, node, kPlSegData);
  const TfLiteTensor* ids = pl_input(sg, node, kPlSegIds);
  const TfLiteTensor* num = pl_input(sg, node, kPlSegNum);
  PL_ENSURE_OK(pl_idx_has_data(sg, op, "num_segments", num));
  const int32_t segments = num->data.i32[0];
  if (segments < 0) {
    pl_report(sg, "%s: num_segments must be >= 0, got %d.", op,
              (int)segments);
    return kTfLiteError;
  }
  int r = 0;
  dims[r++] = segments;
  for (int i = ids->dims->size; i < data->dims->size; ++i)
    dims[r++] = data->dims->data[i];
  *rank = r;
  return kTfLiteOk;
}

PL_IDX_FN TfLiteStatus pl_segment_prepare(PlSubgraph* sg, PlNode* node,
                                          const char* op) {
  PL_ENSURE_OK(pl_shape_arity(sg, node, op, 3, 3, 1, 1));
  const TfLiteTensor* data = pl_input(sg, node, kPlSegData);
  const TfLiteTensor* ids = pl_input(sg, node, kPlSegIds);
  const TfLiteTensor* num = pl_input(sg, node, kPlSegNum);
  TfLiteTensor* output = pl_output(sg, node, kPlSegOutput);
  static const TfLiteType kVal[] = {kTfLiteFloat32, kTfLiteInt32,
                                    kTfLiteNoType};
  static const TfLiteType kIdx[] = {kTfLiteInt32, kTfLiteNoType};
  PL_ENSURE_OK(pl_idx_check_type(sg, op, "data", data, kVal,
                                 "float32, int32"));
  PL_ENSURE_OK(pl_shape_check_type(sg, op, "output", output, data));
  PL_ENSURE_OK(pl_idx_check_type(sg, op, "segment_ids", ids, kIdx, "int32"));
  PL_ENSURE_OK(pl_idx_check_type(sg, op, "num_segments", num, kIdx,
                                 "int32"));
  if (pl_num_elements(num) != 1) {
    pl_report(sg, "%s: num_segments must hold one value, got %lld.", op,
              (long long)pl_num_elements(num));
    return kTfLiteError;
  }
  bool ok = ids->dims->size <= data->dims->size;
  for (int i = 0; ok && i < ids->dims->size; ++i)
    ok = ids->dims->data[i] == data->dims->data[i];
  if (!ok) {
    char ds[160], is[160];
    pl_shape_string(data->dims, ds, sizeof(ds));
    pl_shape_string(ids->dims, is, sizeof(is));
    pl_report(sg, "%s: segment_ids shape %s must be a prefix of data shape "
              "%s.", op, is, ds);
    return kTfLiteError;
  }
  if (!pl_is_constant(num)) {
    pl_set_dynamic(output);
    return kTfLiteOk;
  }
  int dims[PL_MAX_RANK], rank = 0;
  PL_ENSURE_OK(pl_segment_dims(sg, node, op, dims, &rank));
  return pl_resize(sg, output, rank, dims);
}

#define PL_SEGMENT_FOLD(T, U, name, lowest, highest)                         \
  static void pl_segment_fold_##name(PlSegmentOp op, T* out, const T* in,    \
                                     const int32_t* ids, int64_t n_ids,      \
                                     int64_t total, int64_t inner) {         \
    T init = 0;                                                              \
    switch (op) {                                                            \
      case kPlSegmentSum: init = 0; break;                                   \
      case kPlSegmentProd: init = 1; break;                                  \
      case kPlSegmentMax: init = (lowest); break;                            \
      default: init = (highest); break;                                      \
    }                                                                        \
    for (int64_t k = 0; k < total; ++k) out[k] = init;                       \
    for (int64_t i = 0; i < n_ids; ++i) {                                    \
      if (ids[i] < 0) continue;                                              \
      T* o = out + (int64_t)ids[i] * inner;                                  \
      const T* x = in + i * inner;                                           \
      for (int64_t k = 0; k < inner; ++k) {                                  \
        const T a = o[k], b = x[k];                                          \
        switch (op) {                                                        \
          case kPlSegmentSum: o[k] = (T)((U)a + (U)b); break;                \
          case kPlSegmentProd: o[k] = (T)((U)a * (U)b); break;               \
          case kPlSegmentMax: o[k] = a < b ? b : a; break;                   \
          default: o[k] = b < a ? b : a; break;                              \
        }                                                                    \
      }                                                                      \
    }                                                                        \
  }
PL_SEGMENT_FOLD(float, float, f, -FLT_MAX, FLT_MAX)
PL_SEGMENT_FOLD(int32_t, uint32_t, i32, INT32_MIN, INT32_MAX)

PL_IDX_FN TfLiteStatus pl_segment_eval(PlSubgraph* sg, PlNode* node,
                                       const char* op, PlSegmentOp kind) {
  const TfLiteTensor* data = pl_input(sg, node, kPlSegData);
  const TfLiteTensor* ids = pl_input(sg, node, kPlSegIds);
  TfLiteTensor* output = pl_output(sg, node, kPlSegOutput);
  int dims[PL_MAX_RANK], rank = 0;
  PL_ENSURE_OK(pl_segment_dims(sg, node, op, dims, &rank));
  PL_ENSURE_OK(pl_idx_output_dims(
      sg, op, output, !pl_is_constant(pl_input(sg, node, kPlSegNum)), rank,
      dims));
  PL_ENSURE_OK(pl_idx_has_data(sg, op, "segment_ids", ids));
  const int64_t n_ids = pl_num_elements(ids);
  for (int64_t i = 0; i < n_ids; ++i) {
    if (ids->data.i32[i] >= dims[0]) {
      pl_report(sg, "%s: segment id %d (at position %lld of segment_ids) is "
                "not below num_segments %d.", op, (int)ids->data.i32[i],
                (long long)i, dims[0]);
      return kTfLiteError;
    }
  }
  int64_t inner = 1;
  for (int i = 1; i < rank; ++i) inner *= dims[i];
  const int64_t total = pl_num_elements(output);
  if (n_ids > 0 && inner > 0)
    PL_ENSURE_OK(pl_idx_has_data(sg, op, "data", data));
  if (data->type == kTfLiteFloat32)
    pl_segment_fold_f(kind, output->data.f, data->data.f, ids->data.i32,
                      n_ids, total, inner);
  else
    pl_segment_fold_i32(kind, output->data.i32, data->data.i32,
                        ids->data.i32, n_ids, total, inner);
  return kTfLiteOk;
}

#endif /* PYLITE_KERNELS_INTERNAL_INDEXING_SEGMENT_H_ */
