/* pylite: shared helpers of the spatial family (DEPTH_TO_SPACE,
 * SPACE_TO_DEPTH, SPACE_TO_BATCH_ND, BATCH_TO_SPACE_ND, RESIZE_*).
 *
 * These ops move whole elements (the resize ops pick or blend pixels of
 * NHWC images), so the data-movement forms are written once by element
 * size. Header-only (static functions) so each kernel includes what it
 * uses. */
#ifndef PYLITE_KERNELS_INTERNAL_SPATIAL_UTIL_H_
#define PYLITE_KERNELS_INTERNAL_SPATIAL_UTIL_H_

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capi/core/kernel.h"
#include "capi/kernels/internal/shape_util.h"

#define PL_SPATIAL_FN static __attribute__((unused))

/* The types the data-movement kernels accept: LiteRT's float32, int32,
 * int64, uint8, int8 and int16 forms. Quantized tensors move their bytes
 * unchanged, so input and output must share scale and zero point (checked
 * by pl_shape_check_type). */
PL_SPATIAL_FN TfLiteStatus pl_spatial_check_move(PlSubgraph* sg,
                                                 const char* op,
                                                 const TfLiteTensor* input,
                                                 const TfLiteTensor* output) {
  switch (input->type) {
    case kTfLiteFloat32:
    case kTfLiteInt32:
    case kTfLiteInt64:
    case kTfLiteUInt8:
    case kTfLiteInt8:
    case kTfLiteInt16:
      break;
    default:
      pl_report(sg, "%s: input type %s is not supported (float32, int32, "
                "int64, uint8, int8, int16).", op,
                TfLiteTypeGetName(input->type));
      return kTfLiteError;
  }
  return pl_shape_check_type(sg, op, "output", output, input);
}

/* Checks that `t` has rank `rank`; the message names the shape. */
PL_SPATIAL_FN TfLiteStatus pl_spatial_check_rank(PlSubgraph* sg,
                                                 const char* op,
                                                 const char* what,
                                                 const TfLiteTensor* t,
                                                 int rank) {
  if (t->dims->size == rank) return kTfLiteOk;
  char s[160];
  pl_shape_string(t->dims, s, sizeof(s));
  pl_report(sg, "%s: %s must have %d dims, got shape %s.", op, what, rank, s);
  return kTfLiteError;
}

/* Output dims are checked to fit an int before resizing. */
PL_SPATIAL_FN TfLiteStatus pl_spatial_resize64(PlSubgraph* sg, const char* op,
                                               TfLiteTensor* t, int rank,
                                               const int64_t* dims) {
  int d[PL_MAX_RANK];
  for (int i = 0; i < rank; ++i) {
    if (dims[i] < 0 || dims[i] > INT32_MAX) {
      pl_report(sg, "%s: output dim %d would be %lld.", op, i,
                (long long)dims[i]);
      return kTfLiteError;
    }
    d[i] = (int)dims[i];
  }
  return pl_resize(sg, t, rank, d);
}

/* Checks an output's dims against the ones computed at eval. */
PL_SPATIAL_FN TfLiteStatus pl_spatial_same_dims(PlSubgraph* sg,
                                                const char* op,
                                                const TfLiteTensor* t,
                                                int rank,
                                                const int64_t* dims) {
  bool same = t->dims->size == rank;
  for (int i = 0; same && i < rank; ++i) same = t->dims->data[i] == dims[i];
  if (!same) {
    pl_report(sg, "%s: input shapes changed since prepare.", op);
    return kTfLiteError;
  }
  return kTfLiteOk;
}

#endif /* PYLITE_KERNELS_INTERNAL_SPATIAL_UTIL_H_ */
