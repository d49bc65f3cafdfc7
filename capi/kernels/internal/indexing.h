/* pylite: shared helpers of the indexing kernels (SCATTER_ND, ONE_HOT,
 * EMBEDDING_LOOKUP, DYNAMIC_UPDATE_SLICE, MATRIX_DIAG, UNIQUE, the segment
 * reductions, ...).
 *
 * Header-only (static functions): each kernel includes what it uses. The
 * arity and type checks of the shape kernels (shape_util.h) are reused. */
#ifndef PYLITE_KERNELS_INTERNAL_INDEXING_H_
#define PYLITE_KERNELS_INTERNAL_INDEXING_H_

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "capi/core/kernel.h"
#include "capi/kernels/internal/shape_util.h"

#define PL_IDX_FN static __attribute__((unused))

/* Element i of an int16, int32 or int64 tensor as int64. */
static inline int64_t pl_idx_at(const TfLiteTensor* t, int64_t i) {
  switch (t->type) {
    case kTfLiteInt16: return t->data.i16[i];
    case kTfLiteInt32: return t->data.i32[i];
    default: return t->data.i64[i];
  }
}

static inline bool pl_idx_is_int(const TfLiteTensor* t) {
  return t->type == kTfLiteInt32 || t->type == kTfLiteInt64;
}

/* Reports and fails unless `t` has one of the listed types (a
 * kTfLiteNoType-terminated list). `what` names it. Quantized tensors pass
 * only when `quantized_ok` (ops that move bytes without doing math). */
PL_IDX_FN TfLiteStatus pl_idx_check_type_q(PlSubgraph* sg, const char* op,
                                           const char* what,
                                           const TfLiteTensor* t,
                                           const TfLiteType* allowed,
                                           const char* allowed_names,
                                           bool quantized_ok) {
  bool ok = false;
  for (const TfLiteType* a = allowed; *a != kTfLiteNoType; ++a)
    ok = ok || t->type == *a;
  if (!ok) {
    pl_report(sg, "%s: %s of type %s is not supported (supported: %s).", op,
              what, TfLiteTypeGetName(t->type), allowed_names);
    return kTfLiteError;
  }
  if (!quantized_ok && pl_shape_is_quantized(t)) {
    pl_report(sg, "%s: quantized %s (%s) is not supported yet.", op, what,
              TfLiteTypeGetName(t->type));
    return kTfLiteError;
  }
  return kTfLiteOk;
}

/* The same for ops that compute on the values: quantized is an error. */
PL_IDX_FN TfLiteStatus pl_idx_check_type(PlSubgraph* sg, const char* op,
                                         const char* what,
                                         const TfLiteTensor* t,
                                         const TfLiteType* allowed,
                                         const char* allowed_names) {
  return pl_idx_check_type_q(sg, op, what, t, allowed, allowed_names, false);
}

/* Reports and fails unless `t` has data when it has elements. */
PL_IDX_FN TfLiteStatus pl_idx_has_data(PlSubgraph* sg, const char* op,
                                       const char* what,
                                       const TfLiteTensor* t) {
  if (pl_num_elements(t) > 0 && !t->data.raw_const) {
    pl_report(sg, "%s: %s has no data.", op, what);
    return kTfLiteError;
  }
  return kTfLiteOk;
}

/* Sets an output's dims in eval when it is dynamic, and checks them
 * otherwise (sized in prepare). */
PL_IDX_FN TfLiteStatus pl_idx_output_dims(PlSubgraph* sg, const char* op,
                                          TfLiteTensor* t, bool dynamic,
                                          int rank, const int* dims) {
  if (dynamic) return pl_resize(sg, t, rank, dims);
  if (!TfLiteIntArrayEqualsArray(t->dims, rank, dims)) {
    char want[160], have[160];
    pl_shape_dims_str(dims, rank, want, sizeof(want));
    pl_shape_string(t->dims, have, sizeof(have));
    pl_report(sg, "%s: output shape %s changed since prepare (now %s).", op,
              have, want);
    return kTfLiteError;
  }
  return kTfLiteOk;
}

#endif /* PYLITE_KERNELS_INTERNAL_INDEXING_H_ */
