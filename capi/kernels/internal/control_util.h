/* pylite: shared checks of the control-flow kernels (WHILE, IF). */
#ifndef PYLITE_KERNELS_INTERNAL_CONTROL_UTIL_H_
#define PYLITE_KERNELS_INTERNAL_CONTROL_UTIL_H_

#include "capi/core/kernel.h"

/* A bool scalar's value; false (and reported) if `t` is not one. */
static inline bool pl_bool_scalar(PlSubgraph* sg, const TfLiteTensor* t,
                                  const char* what, bool* value) {
  if (!t || t->type != kTfLiteBool || pl_num_elements(t) != 1 ||
      !t->data.raw) {
    pl_report(sg, "%s must be a BOOL tensor with one element.", what);
    return false;
  }
  *value = t->data.uint8[0] != 0; /* the byte, whatever wrote it */
  return true;
}

/* Checks that subgraph `index` takes `inputs` tensors and gives `outputs`. */
static inline TfLiteStatus pl_check_callee(PlSubgraph* sg, const char* op,
                                           const char* role, int32_t index,
                                           int inputs, int outputs) {
  if (index < 0 || index >= pl_subgraph_count(sg)) {
    pl_report(sg, "%s: %s subgraph index %d is out of range [0, %d).", op,
              role, (int)index, (int)pl_subgraph_count(sg));
    return kTfLiteError;
  }
  if (pl_subgraph_num_inputs(sg, index) != inputs ||
      pl_subgraph_num_outputs(sg, index) != outputs) {
    pl_report(sg, "%s: %s subgraph %d has %d inputs and %d outputs; %d and "
              "%d are needed.", op, role, (int)index,
              (int)pl_subgraph_num_inputs(sg, index),
              (int)pl_subgraph_num_outputs(sg, index), inputs, outputs);
    return kTfLiteError;
  }
  return kTfLiteOk;
}

#endif /* PYLITE_KERNELS_INTERNAL_CONTROL_UTIL_H_ */
