/* pylite: shared plumbing of the unary elementwise kernels.
 *
 * Every op of the family has one input and one output of the input's
 * shape. These helpers do the checks TFLite's unary Prepare functions do,
 * with messages naming the op, and hold the loop the float kernels share.
 * Header-only (static inline): small enough to inline into each kernel. */
#ifndef PYLITE_KERNELS_INTERNAL_UNARY_COMMON_H_
#define PYLITE_KERNELS_INTERNAL_UNARY_COMMON_H_

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "capi/core/kernel.h"
#include "capi/kernels/internal/unary_half.h"

/* Checks one input and one output, both present; sets *in and *out. */
static inline TfLiteStatus pl_unary_io(PlSubgraph* sg, PlNode* node,
                                       const char* op,
                                       const TfLiteTensor** in,
                                       TfLiteTensor** out) {
  if (pl_num_inputs(node) != 1 || pl_num_outputs(node) != 1) {
    pl_report(sg, "%s takes 1 input and 1 output, got %d and %d.", op,
              pl_num_inputs(node), pl_num_outputs(node));
    return kTfLiteError;
  }
  *in = pl_input(sg, node, 0);
  *out = pl_output(sg, node, 0);
  if (*in == NULL || *out == NULL) {
    pl_report(sg, "%s: its input or output tensor is missing.", op);
    return kTfLiteError;
  }
  return kTfLiteOk;
}

/* Whether `type` is one of types[0..count). */
static inline bool pl_unary_type_in(TfLiteType type, const TfLiteType* types,
                                    int count) {
  for (int i = 0; i < count; ++i)
    if (types[i] == type) return true;
  return false;
}

/* Writes "float32, int32" for types[0..count) into buf. */
static inline void pl_unary_type_list(const TfLiteType* types, int count,
                                      char* buf, size_t size) {
  size_t used = 0;
  if (size == 0) return;
  buf[0] = '\0';
  for (int i = 0; i < count && used < size; ++i)
    used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? ", " : "",
                             TfLiteTypeGetName(types[i]));
}

/* Whether a tensor of this type holds quantized values (int16 only when it
 * has quantization parameters, as TFLite decides). */
static inline bool pl_unary_is_quantized(const TfLiteTensor* t) {
  return t->type == kTfLiteInt8 || t->type == kTfLiteUInt8 ||
         (t->type == kTfLiteInt16 &&
          t->quantization.type != kTfLiteNoQuantization);
}

/* Reports that `type` is not one of `types`: quantized types get a "not
 * supported yet" message. */
static inline TfLiteStatus pl_unary_bad_type(PlSubgraph* sg, const char* op,
                                             const TfLiteTensor* t,
                                             const TfLiteType* types,
                                             int count) {
  char list[200];
  pl_unary_type_list(types, count, list, sizeof(list));
  if (pl_unary_is_quantized(t)) {
    pl_report(sg, "Quantized %s (%s) is not supported yet; supported: %s.", op,
              TfLiteTypeGetName(t->type), list);
  } else {
    pl_report(sg, "%s does not support type %s; supported: %s.", op,
              TfLiteTypeGetName(t->type), list);
  }
  return kTfLiteError;
}

/* The usual Prepare: one input and one output of one type, that type one
 * of `types`, and the output shaped like the input. */
static inline TfLiteStatus pl_unary_prepare(PlSubgraph* sg, PlNode* node,
                                            const char* op,
                                            const TfLiteType* types,
                                            int count) {
  const TfLiteTensor* input;
  TfLiteTensor* output;
  PL_ENSURE_OK(pl_unary_io(sg, node, op, &input, &output));
  if (input->type != output->type) {
    pl_report(sg, "%s input type %s does not match output type %s.", op,
              TfLiteTypeGetName(input->type), TfLiteTypeGetName(output->type));
    return kTfLiteError;
  }
  if (!pl_unary_type_in(input->type, types, count) ||
      (input->type == kTfLiteInt16 && pl_unary_is_quantized(input)))
    return pl_unary_bad_type(sg, op, input, types, count);
  return pl_resize_like(sg, output, input->dims);
}

/* y[i] = fn(x[i]) over the node's float32 input and output. */
typedef float (*PlUnaryF32Fn)(float);
static inline void pl_unary_map_f32(PlSubgraph* sg, PlNode* node,
                                    PlUnaryF32Fn fn) {
  const TfLiteTensor* input = pl_input(sg, node, 0);
  TfLiteTensor* output = pl_output(sg, node, 0);
  const int64_t n = pl_num_elements(input);
  const float* x = input->data.f;
  float* y = output->data.f;
  for (int64_t i = 0; i < n; ++i) y[i] = fn(x[i]);
}

/* A vectorized float32 map (internal/vmath.h): y = fn(x) over the whole
 * input, in units of kPlUnaryChunk elements split across the interpreter's
 * threads when there are enough of them (pl_parallel_for_cost, about one
 * cost unit per element); each element is computed alone, so the bits do
 * not depend on the split. */
typedef void (*PlUnaryVecF32Fn)(const float* x, float* y, int64_t n);
enum { kPlUnaryChunk = 2048 };

typedef struct PlUnaryVecJob {
  PlUnaryVecF32Fn fn;
  const float* x;
  float* y;
  int64_t n;
} PlUnaryVecJob;

static inline void pl_unary_vec_chunks(void* ctx, int64_t begin, int64_t end,
                                       int worker) {
  const PlUnaryVecJob* job = ctx;
  (void)worker;
  const int64_t from = begin * kPlUnaryChunk;
  int64_t to = end * kPlUnaryChunk;
  if (to > job->n) to = job->n;
  job->fn(job->x + from, job->y + from, to - from);
}

static inline void pl_unary_vec_f32(PlSubgraph* sg, PlNode* node,
                                    PlUnaryVecF32Fn fn) {
  const TfLiteTensor* input = pl_input(sg, node, 0);
  TfLiteTensor* output = pl_output(sg, node, 0);
  PlUnaryVecJob job = {fn, input->data.f, output->data.f,
                       pl_num_elements(input)};
  if (job.n > 0 && job.n <= kPlUnaryChunk) { /* one chunk: its call */
    fn(job.x, job.y, job.n);
    return;
  }
  const int64_t chunks = (job.n + kPlUnaryChunk - 1) / kPlUnaryChunk;
  pl_parallel_for_cost(sg, chunks, kPlUnaryChunk, pl_unary_vec_chunks, &job);
}

/* The float16 form of a float op: each value widened to float32, fn, and
 * rounded back to float16 once. */
static inline void pl_unary_map_f16(PlSubgraph* sg, PlNode* node,
                                    PlUnaryF32Fn fn) {
  const TfLiteTensor* input = pl_input(sg, node, 0);
  TfLiteTensor* output = pl_output(sg, node, 0);
  const int64_t n = pl_num_elements(input);
  const TfLiteFloat16* x = input->data.f16;
  TfLiteFloat16* y = output->data.f16;
  for (int64_t i = 0; i < n; ++i)
    y[i].data = pl_f32_to_f16(fn(pl_f16_to_f32(x[i].data)));
}

/* A whole kernel for an op that TFLite runs on float32 only (its quantized
 * forms come later): `const PlKernel pl_kernel_<suffix>` computing
 * y = fn(x). */
#define PL_UNARY_F32_KERNEL(suffix, op_name, fn)                            \
  static TfLiteStatus suffix##_prepare(PlSubgraph* sg, PlNode* node) {      \
    static const TfLiteType kTypes[] = {kTfLiteFloat32};                    \
    return pl_unary_prepare(sg, node, op_name, kTypes, 1);                  \
  }                                                                         \
  static TfLiteStatus suffix##_eval(PlSubgraph* sg, PlNode* node) {         \
    pl_unary_map_f32(sg, node, fn);                                         \
    return kTfLiteOk;                                                       \
  }                                                                         \
  const PlKernel pl_kernel_##suffix = {                                     \
      .name = op_name,                                                      \
      .init = NULL,                                                         \
      .free = NULL,                                                         \
      .prepare = suffix##_prepare,                                          \
      .eval = suffix##_eval,                                                \
      .types = "float32",                                                   \
  }

/* The same for an op TFLite also runs on float16 (pl_unary_map_f16). */
#define PL_UNARY_F32_F16_KERNEL(suffix, op_name, fn)                        \
  static TfLiteStatus suffix##_prepare(PlSubgraph* sg, PlNode* node) {      \
    static const TfLiteType kTypes[] = {kTfLiteFloat32, kTfLiteFloat16};    \
    return pl_unary_prepare(sg, node, op_name, kTypes, 2);                  \
  }                                                                         \
  static TfLiteStatus suffix##_eval(PlSubgraph* sg, PlNode* node) {         \
    if (pl_input(sg, node, 0)->type == kTfLiteFloat16)                      \
      pl_unary_map_f16(sg, node, fn);                                       \
    else                                                                    \
      pl_unary_map_f32(sg, node, fn);                                       \
    return kTfLiteOk;                                                       \
  }                                                                         \
  const PlKernel pl_kernel_##suffix = {                                     \
      .name = op_name,                                                      \
      .init = NULL,                                                         \
      .free = NULL,                                                         \
      .prepare = suffix##_prepare,                                          \
      .eval = suffix##_eval,                                                \
      .types = "float32 and float16",                                       \
  }

#endif /* PYLITE_KERNELS_INTERNAL_UNARY_COMMON_H_ */
