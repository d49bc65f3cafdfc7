/* pylite: SOFTMAX and LOG_SOFTMAX over the last axis (header-only).
 *
 * As TFLite's builtin float32 kernels: any rank >= 1, the last axis is the
 * class axis, the output has the input's shape. Per row, as the reference
 * kernels: max from the lowest float, then
 *   softmax:     e_c = exp((x_c - max) * beta); sum; y_c = e_c / sum
 *   log_softmax: sum of exp(x_c - max); y_c = x_c - max - logf(sum)
 * with the vectorized exp and row reductions of internal/vmath.h (the sum
 * in 8 interleaved lanes rather than in order: the same bits on every CPU
 * path). Rows are split across threads, each row computed whole by one.
 * Zero-sized dims give an empty output. The quantized forms are in
 * softmax.c and log_softmax.c. */
#ifndef PYLITE_KERNELS_INTERNAL_NN_SOFTMAX_H_
#define PYLITE_KERNELS_INTERNAL_NN_SOFTMAX_H_

#include <math.h>
#include <stdint.h>

#include "capi/core/kernel.h"
#include "capi/kernels/internal/nn_common.h"
#include "capi/kernels/internal/vmath.h"

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

typedef struct PlSoftmaxJob {
  const float* x;
  float* y;
  int64_t depth;
  float beta;
  bool log; /* LOG_SOFTMAX (beta unused) */
} PlSoftmaxJob;

static inline void pl_nn_softmax_f32_rows(void* ctx, int64_t begin,
                                          int64_t end, int worker) {
  (void)worker;
  const PlSoftmaxJob* job = ctx;
  const int64_t depth = job->depth;
  for (int64_t r = begin; r < end; ++r) {
    const float* x = job->x + r * depth;
    float* y = job->y + r * depth;
    const float m = pl_vmath_max_f32(x, depth);
    if (job->log) {
      const float log_sum = logf(pl_vmath_exp_sum_f32(x, NULL, depth, m, 1.0f));
      for (int64_t c = 0; c < depth; ++c) y[c] = x[c] - m - log_sum;
    } else {
      const float sum = pl_vmath_exp_sum_f32(x, y, depth, m, job->beta);
      for (int64_t c = 0; c < depth; ++c) y[c] = y[c] / sum;
    }
  }
}

/* The float32 kernel of SOFTMAX (log false) or LOG_SOFTMAX (log true). */
static inline void pl_nn_softmax_f32(PlSubgraph* sg,
                                     const TfLiteTensor* input,
                                     TfLiteTensor* output, float beta,
                                     bool log) {
  int64_t rows, depth;
  pl_nn_softmax_rows(input, &rows, &depth);
  PlSoftmaxJob job = {input->data.f, output->data.f, depth, beta, log};
  /* Three passes over the row: about 2 cost units per element. */
  pl_parallel_for_cost(sg, rows, 2 * depth + 1, pl_nn_softmax_f32_rows, &job);
}

#endif /* PYLITE_KERNELS_INTERNAL_NN_SOFTMAX_H_ */
