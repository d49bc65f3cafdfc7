/* pylite: SOFTMAX and LOG_SOFTMAX over the last axis (header-only).
 *
 * As TFLite's builtin float32 kernels: any rank >= 1, the last axis is the
 * class axis, the output has the input's shape. Per row, as the reference
 * kernels: max from the lowest float, then
 *   softmax:     e_c = expf((x_c - max) * beta); sum in order; y_c = e_c / sum
 *   log_softmax: sum of expf(x_c - max) in order; y_c = x_c - max - logf(sum)
 * Zero-sized dims give an empty output. The quantized forms are in
 * softmax.c and log_softmax.c. */
#ifndef PYLITE_KERNELS_INTERNAL_NN_SOFTMAX_H_
#define PYLITE_KERNELS_INTERNAL_NN_SOFTMAX_H_

#include <float.h>
#include <math.h>
#include <stdint.h>

#include "capi/core/kernel.h"
#include "capi/kernels/internal/nn_common.h"

static inline TfLiteStatus pl_nn_softmax_prepare(PlSubgraph* sg, PlNode* node,
                                                 const char* op) {
  if (pl_num_inputs(node) != 1 || pl_num_outputs(node) != 1) {
    pl_report(sg, "%s takes 1 input and 1 output, got %d and %d.", op,
              pl_num_inputs(node), pl_num_outputs(node));
    return kTfLiteError;
  }
  const TfLiteTensor* input = pl_input(sg, node, 0);
  TfLiteTensor* output = pl_output(sg, node, 0);
  PL_ENSURE(sg, input != NULL);
  PL_ENSURE(sg, output != NULL);
  const TfLiteTensor* ts[2] = {input, output};
  const char* roles[2] = {"input", "output"};
  PL_ENSURE_OK(pl_nn_require_f32(sg, op, 2, ts, roles));
  if (input->dims->size < 1) {
    pl_report(sg, "%s needs an input of rank >= 1, got a scalar.", op);
    return kTfLiteError;
  }
  return pl_resize_like(sg, output, input->dims);
}

/* Rows of the last axis: *rows x *depth. */
static inline void pl_nn_softmax_rows(const TfLiteTensor* t, int64_t* rows,
                                      int64_t* depth) {
  *depth = t->dims->data[t->dims->size - 1];
  *rows = 1;
  for (int i = 0; i + 1 < t->dims->size; ++i) *rows *= t->dims->data[i];
}

static inline float pl_nn_row_max(const float* x, int64_t depth) {
  float m = -FLT_MAX;
  for (int64_t c = 0; c < depth; ++c) m = m < x[c] ? x[c] : m;
  return m;
}

#endif /* PYLITE_KERNELS_INTERNAL_NN_SOFTMAX_H_ */
