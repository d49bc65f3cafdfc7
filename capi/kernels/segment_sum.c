/* pylite: SEGMENT_SUM, sums runs of data rows with equal sorted ids.
 *
 * As TFLite's builtin SEGMENT_SUM: data (float32 or int32, rank >= 1) and
 * segment_ids (1-D int32, one id per row of data). The ids must start at 0
 * and grow by 0 or 1 from one row to the next (LiteRT's rule, stricter than
 * TensorFlow's, which allows gaps); anything else fails the invoke with an
 * error naming the id. The output is [last id + 1] + data.dims[1:] ([0, ...]
 * for no rows), row k the sum of the rows with id k, in order; integer sums
 * wrap. Its size depends on the ids, so the output is dynamic unless they
 * are constant (then it is sized in prepare). */
#include <stdint.h>

#include "capi/kernels/internal/indexing.h"

enum { kData = 0, kIds = 1, kOutput = 0 };

/* Checks the ids and returns the output dims. */
static TfLiteStatus ss_dims(PlSubgraph* sg, const PlNode* node, int* dims,
                            int* rank) {
  const TfLiteTensor* data = pl_input(sg, node, kData);
  const TfLiteTensor* ids = pl_input(sg, node, kIds);
  PL_ENSURE_OK(pl_idx_has_data(sg, "SEGMENT_SUM", "segment_ids", ids));
  const int64_t n = pl_num_elements(ids);
  int32_t prev = -1;
  for (int64_t i = 0; i < n; ++i) {
    const int32_t id = ids->data.i32[i];
    if (i == 0 && id != 0) {
      pl_report(sg, "SEGMENT_SUM: the first segment id must be 0, got %d.",
                (int)id);
      return kTfLiteError;
    }
    if (id != prev && (int64_t)id != (int64_t)prev + 1) {
      pl_report(sg, "SEGMENT_SUM: segment id %d at position %lld follows %d; "
                "ids must start at 0 and grow by 0 or 1.", (int)id,
                (long long)i, (int)prev);
      return kTfLiteError;
    }
    prev = id;
  }
  dims[0] = prev + 1;
  for (int i = 1; i < data->dims->size; ++i) dims[i] = data->dims->data[i];
  *rank = data->dims->size;
  return kTfLiteOk;
}

static TfLiteStatus ss_prepare(PlSubgraph* sg, PlNode* node) {
  PL_ENSURE_OK(pl_shape_arity(sg, node, "SEGMENT_SUM", 2, 2, 1, 1));
  const TfLiteTensor* data = pl_input(sg, node, kData);
  const TfLiteTensor* ids = pl_input(sg, node, kIds);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  static const TfLiteType kVal[] = {kTfLiteFloat32, kTfLiteInt32,
                                    kTfLiteNoType};
  static const TfLiteType kIdx[] = {kTfLiteInt32, kTfLiteNoType};
  PL_ENSURE_OK(pl_idx_check_type(sg, "SEGMENT_SUM", "data", data, kVal,
                                 "float32, int32"));
  PL_ENSURE_OK(pl_shape_check_type(sg, "SEGMENT_SUM", "output", output,
                                   data));
  PL_ENSURE_OK(pl_idx_check_type(sg, "SEGMENT_SUM", "segment_ids", ids, kIdx,
                                 "int32"));
  if (data->dims->size < 1 || ids->dims->size != 1 ||
      ids->dims->data[0] != data->dims->data[0]) {
    char ds[160], is[160];
    pl_shape_string(data->dims, ds, sizeof(ds));
    pl_shape_string(ids->dims, is, sizeof(is));
    pl_report(sg, "SEGMENT_SUM: segment_ids shape %s must be 1-D with one id "
              "per row of data shape %s.", is, ds);
    return kTfLiteError;
  }
  if (!pl_is_constant(ids)) {
    pl_set_dynamic(output);
    return kTfLiteOk;
  }
  int dims[PL_MAX_RANK], rank = 0;
  PL_ENSURE_OK(ss_dims(sg, node, dims, &rank));
  return pl_resize(sg, output, rank, dims);
}

static TfLiteStatus ss_eval(PlSubgraph* sg, PlNode* node) {
  const TfLiteTensor* data = pl_input(sg, node, kData);
  const TfLiteTensor* ids = pl_input(sg, node, kIds);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  int dims[PL_MAX_RANK], rank = 0;
  PL_ENSURE_OK(ss_dims(sg, node, dims, &rank));
  PL_ENSURE_OK(pl_idx_output_dims(sg, "SEGMENT_SUM", output,
                                  !pl_is_constant(ids), rank, dims));
  const int64_t n = pl_num_elements(ids);
  const int64_t total = pl_num_elements(output);
  const int64_t inner = dims[0] > 0 ? total / dims[0] : 0;
  if (total == 0) return kTfLiteOk;
  PL_ENSURE_OK(pl_idx_has_data(sg, "SEGMENT_SUM", "data", data));
  if (output->type == kTfLiteFloat32) {
    float* out = output->data.f;
    for (int64_t k = 0; k < total; ++k) out[k] = 0.0f;
    for (int64_t i = 0; i < n; ++i) {
      float* o = out + (int64_t)ids->data.i32[i] * inner;
      const float* x = data->data.f + i * inner;
      for (int64_t k = 0; k < inner; ++k) o[k] += x[k];
    }
  } else {
    int32_t* out = output->data.i32;
    for (int64_t k = 0; k < total; ++k) out[k] = 0;
    for (int64_t i = 0; i < n; ++i) {
      int32_t* o = out + (int64_t)ids->data.i32[i] * inner;
      const int32_t* x = data->data.i32 + i * inner;
      for (int64_t k = 0; k < inner; ++k)
        o[k] = (int32_t)((uint32_t)o[k] + (uint32_t)x[k]);
    }
  }
  return kTfLiteOk;
}

const PlKernel pl_kernel_segment_sum = {
    .name = "SEGMENT_SUM",
    .prepare = ss_prepare,
    .eval = ss_eval,
    .types = "float32, int32 (segment_ids int32)",
};
