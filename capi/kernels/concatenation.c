/* pylite: CONCATENATION, joins tensors along an axis.
 *
 * As TFLite's builtin CONCATENATION: every input has the output's type and
 * rank, and the same dims except along ConcatenationOptions.axis (negative
 * counts from the end; rank-0 inputs have no axis and are an error); the
 * output dim there is the sum. Every type moves, strings and bool included.
 * The fused activation is applied to float32 outputs as a clamp (RELU,
 * RELU6, RELU_N1_TO_1; NaN passes through); TFLite's kernel accepts only
 * NONE, so this is a superset. Other activations, and a clamp on a
 * non-float type, are errors. Quantized inputs must share the output's
 * scale and zero point (requantizing is not supported yet). */
#include <stdint.h>
#include <stdlib.h>

#include "capi/core/kernel.h"
#include "capi/kernels/internal/shape_util.h"

enum { kOutput = 0 };

/* Schema BuiltinOptions union type and ConcatenationOptions field ids. */
enum { kConcatenationOptionsType = 10 };
enum { kFieldAxis = 0, kFieldFusedActivation = 1 };

typedef struct ConcatData {
  int axis;
  int activation;
} ConcatData;

static TfLiteStatus concat_init(PlSubgraph* sg, PlNode* node) {
  ConcatData* data = calloc(1, sizeof(*data));
  if (!data) {
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  if (node->def->builtin_options_type == kConcatenationOptionsType) {
    const PlFbTable* opts = &node->def->builtin_options;
    data->axis = pl_fb_i32(opts, kFieldAxis, 0);
    data->activation = pl_fb_i8(opts, kFieldFusedActivation, PL_ACT_NONE);
  }
  node->user_data = data;
  return kTfLiteOk;
}

static void concat_free(PlNode* node) {
  free(node->user_data);
  node->user_data = NULL;
}

static TfLiteStatus concat_prepare(PlSubgraph* sg, PlNode* node) {
  const ConcatData* data = node->user_data;
  PL_ENSURE(sg, data != NULL);
  PL_ENSURE_OK(pl_shape_arity(sg, node, "CONCATENATION", 1, 1 << 20, 1, 1));
  const TfLiteTensor* t0 = pl_input(sg, node, 0);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  const int rank = t0->dims->size;
  int axis = 0;
  if (!pl_shape_axis(data->axis, rank, &axis)) {
    char s[160];
    pl_shape_string(t0->dims, s, sizeof(s));
    pl_report(sg, "CONCATENATION: axis %d is out of range for input shape %s.",
              data->axis, s);
    return kTfLiteError;
  }
  if (data->activation != PL_ACT_NONE) {
    float lo, hi;
    if (output->type != kTfLiteFloat32 ||
        !pl_activation_range_f32(data->activation, &lo, &hi)) {
      pl_report(sg, "CONCATENATION: fused activation %d on %s is not "
                "supported.", data->activation,
                TfLiteTypeGetName(output->type));
      return kTfLiteError;
    }
  }
  int dims[PL_MAX_RANK];
  for (int d = 0; d < rank; ++d) dims[d] = t0->dims->data[d];
  int64_t sum = 0;
  for (int i = 0; i < pl_num_inputs(node); ++i) {
    const TfLiteTensor* t = pl_input(sg, node, i);
    char what[32];
    snprintf(what, sizeof(what), "input %d", i);
    PL_ENSURE_OK(pl_shape_check_type(sg, "CONCATENATION", what, t, output));
    bool ok = t->dims->size == rank;
    for (int d = 0; ok && d < rank; ++d)
      ok = d == axis || t->dims->data[d] == dims[d];
    if (!ok) {
      char s0[160], s[160];
      pl_shape_string(t0->dims, s0, sizeof(s0));
      pl_shape_string(t->dims, s, sizeof(s));
      pl_report(sg, "CONCATENATION: input %d shape %s does not match input 0 "
                "shape %s outside axis %d.", i, s, s0, axis);
      return kTfLiteError;
    }
    sum += t->dims->data[axis];
  }
  if (sum > INT32_MAX) {
    pl_report(sg, "CONCATENATION: output dim %lld is too large.",
              (long long)sum);
    return kTfLiteError;
  }
  dims[axis] = (int)sum;
  return pl_resize(sg, output, rank, dims);
}

static inline float clamp_f32(float x, float lo, float hi) {
  x = x < lo ? lo : x;
  return hi < x ? hi : x;
}

static TfLiteStatus concat_eval(PlSubgraph* sg, PlNode* node) {
  const ConcatData* data = node->user_data;
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  const int n = pl_num_inputs(node);
  const int rank = output->dims->size;
  int axis = 0;
  PL_ENSURE(sg, pl_shape_axis(data->axis, rank, &axis));
  int64_t* sizes = malloc(sizeof(int64_t) * (size_t)n);
  int* ins = malloc(sizeof(int) * (size_t)n);
  if (!sizes || !ins) {
    free(sizes), free(ins);
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  PlShapeAxisView v = pl_shape_axis_view(output->dims, axis);
  int64_t sum = 0;
  bool ok = true;
  for (int i = 0; i < n; ++i) {
    const TfLiteTensor* t = pl_input(sg, node, i);
    ins[i] = i;
    sizes[i] = t->dims->size == rank ? t->dims->data[axis] : -1;
    sum += sizes[i];
    ok = ok && t->dims->size == rank &&
         pl_num_elements(t) == v.outer * sizes[i] * v.inner;
  }
  if (!ok || sum != output->dims->data[axis]) {
    free(sizes), free(ins);
    pl_report(sg, "CONCATENATION: input shapes changed since prepare.");
    return kTfLiteError;
  }
  PlShapeSplit ctx = {v.outer, v.inner, sum, n, sizes};
  TfLiteStatus status =
      pl_shape_run(sg, node, "CONCATENATION", ins, n, pl_shape_join_move, &ctx);
  free(sizes), free(ins);
  if (status == kTfLiteOk && data->activation != PL_ACT_NONE) {
    float lo, hi;
    pl_activation_range_f32(data->activation, &lo, &hi);
    float* out = output->data.f;
    const int64_t count = pl_num_elements(output);
    for (int64_t i = 0; i < count; ++i) out[i] = clamp_f32(out[i], lo, hi);
  }
  return status;
}

const PlKernel pl_kernel_concatenation = {
    .name = "CONCATENATION",
    .init = concat_init,
    .free = concat_free,
    .prepare = concat_prepare,
    .eval = concat_eval,
    .types = "any fixed-size type, string",
};
