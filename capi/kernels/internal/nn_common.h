/* pylite: small checks shared by the nn family's kernels (header-only). */
#ifndef PYLITE_KERNELS_INTERNAL_NN_COMMON_H_
#define PYLITE_KERNELS_INTERNAL_NN_COMMON_H_

#include <stdio.h>

#include "capi/core/kernel.h"

static inline bool pl_nn_is_quantized_type(TfLiteType t) {
  return t == kTfLiteInt8 || t == kTfLiteUInt8 || t == kTfLiteInt16 ||
         t == kTfLiteInt4 || t == kTfLiteInt2;
}

/* Requires float32 for every given tensor (NULL entries skipped); names the
 * role of the first one that is not, and says "not supported yet" for the
 * quantized types. */
static inline TfLiteStatus pl_nn_require_f32(PlSubgraph* sg, const char* op,
                                             int count,
                                             const TfLiteTensor* const* ts,
                                             const char* const* roles) {
  for (int i = 0; i < count; ++i) {
    if (!ts[i] || ts[i]->type == kTfLiteFloat32) continue;
    if (pl_nn_is_quantized_type(ts[i]->type)) {
      pl_report(sg,
                "%s: %s type %s (quantized or hybrid) is not supported yet; "
                "only float32.",
                op, roles[i], TfLiteTypeGetName(ts[i]->type));
    } else {
      pl_report(sg, "%s: unsupported %s type %s; only float32 is supported.",
                op, roles[i], TfLiteTypeGetName(ts[i]->type));
    }
    return kTfLiteError;
  }
  return kTfLiteOk;
}

/* Fused activations that are a clamp (TANH and SIGN_BIT are rejected). */
static inline TfLiteStatus pl_nn_check_activation(PlSubgraph* sg,
                                                  const char* op,
                                                  int activation) {
  switch (activation) {
    case PL_ACT_NONE:
    case PL_ACT_RELU:
    case PL_ACT_RELU_N1_TO_1:
    case PL_ACT_RELU6:
      return kTfLiteOk;
    default:
      pl_report(sg,
                "%s float32 supports the fused activations NONE, RELU, "
                "RELU_N1_TO_1 and RELU6, got %d.",
                op, activation);
      return kTfLiteError;
  }
}

/* Requires `rank` dims; `role` names the tensor in the message. */
static inline TfLiteStatus pl_nn_require_rank(PlSubgraph* sg, const char* op,
                                              const char* role,
                                              const TfLiteTensor* t,
                                              int rank) {
  if (t->dims->size == rank) return kTfLiteOk;
  char s[160];
  pl_shape_string(t->dims, s, sizeof(s));
  pl_report(sg, "%s %s must be %d-D, got shape %s.", op, role, rank, s);
  return kTfLiteError;
}

#endif /* PYLITE_KERNELS_INTERNAL_NN_COMMON_H_ */
