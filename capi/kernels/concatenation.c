/* pylite: CONCATENATION, joins tensors along an axis.
 *
 * As TFLite's builtin CONCATENATION: every input has the output's type and
 * rank, and the same dims except along ConcatenationOptions.axis (negative
 * counts from the end; rank-0 inputs have no axis and are an error); the
 * output dim there is the sum. Every type moves, strings and bool included.
 * The fused activation is applied to float32 outputs as a clamp (RELU,
 * RELU6, RELU_N1_TO_1; NaN passes through); TFLite's kernel accepts only
 * NONE, so this is a superset. Other activations, and a clamp on a
 * non-float type, are errors.
 * Quantized inputs, as LiteRT's reference kernel: uint8 inputs whose scale
 * or zero point differ from the output's are requantized,
 * q = round(x * s + b) + z_out with s = s_in * (1 / s_out) and
 * b = -z_in * s in float, clamped to [0, 255] (equal parameters copy);
 * int8 inputs must share the output's scale and zero point (an error
 * otherwise); int16 zero points must be 0, and int16 values are copied as
 * they are even when scales differ (as LiteRT does). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <math.h>

#include "capi/core/kernel.h"
#include "capi/kernels/internal/quant.h"
#include "capi/kernels/internal/shape_util.h"

enum { kOutput = 0 };

/* Schema BuiltinOptions union type and ConcatenationOptions field ids. */
enum { kConcatenationOptionsType = 10 };
enum { kFieldAxis = 0, kFieldFusedActivation = 1 };

/* How a uint8 input is requantized into the output. */
typedef struct ConcatRequant {
  bool copy; /* same parameters as the output */
  float scale, bias;
} ConcatRequant;

typedef struct ConcatData {
  int axis;
  int activation;
  /* uint8 with parameters differing from the output's: one entry per
   * input (NULL when every input is copied). */
  ConcatRequant* requant;
  int32_t out_zero_point;
  /* Per input, for the mover: its size along the axis and its index,
   * reserved in prepare. */
  int64_t* sizes;
  int* ins;
  size_t sizes_bytes, ins_bytes;
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
  ConcatData* data = node->user_data;
  if (data) free(data->requant), free(data->sizes), free(data->ins);
  free(node->user_data);
  node->user_data = NULL;
}

/* The quantization rules of LiteRT's CONCATENATION (see the header);
 * fills data->requant for uint8 inputs that need it. */
static TfLiteStatus concat_prepare_quant(PlSubgraph* sg, PlNode* node,
                                         ConcatData* data,
                                         const TfLiteTensor* output) {
  const int n = pl_num_inputs(node);
  const TfLiteType type = output->type;
  free(data->requant);
  data->requant = NULL;
  bool any = output->quantization.type != kTfLiteNoQuantization;
  for (int i = 0; i < n; ++i)
    any = any || pl_input(sg, node, i)->quantization.type !=
                     kTfLiteNoQuantization;
  if (!any || (type != kTfLiteInt8 && type != kTfLiteUInt8 &&
               type != kTfLiteInt16))
    return kTfLiteOk;
  const PlQuantRule rule = {-1, type == kTfLiteInt16};
  PL_ENSURE_OK(pl_q_check(sg, "CONCATENATION", "output", output, &rule));
  const PlQuantParams po = pl_q_params(output);
  bool differ = false;
  for (int i = 0; i < n; ++i) {
    const TfLiteTensor* t = pl_input(sg, node, i);
    char what[32];
    snprintf(what, sizeof(what), "input %d", i);
    PL_ENSURE_OK(pl_q_check(sg, "CONCATENATION", what, t, &rule));
    const PlQuantParams p = pl_q_params(t);
    const bool same = p.scale == po.scale && p.zero_point == po.zero_point;
    if (!same && type == kTfLiteInt8) {
      pl_report(sg, "CONCATENATION: int8 input %d has scale %g / zero point "
                "%d but the output %g / %d; int8 inputs must share the "
                "output's parameters (as LiteRT).", i, (double)p.scale,
                (int)p.zero_point, (double)po.scale, (int)po.zero_point);
      return kTfLiteError;
    }
    differ = differ || (!same && type == kTfLiteUInt8);
  }
  if (!differ) return kTfLiteOk;
  data->requant = calloc((size_t)n, sizeof(*data->requant));
  if (!data->requant) {
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  const float inverse = 1.0f / po.scale;
  for (int i = 0; i < n; ++i) {
    const PlQuantParams p = pl_q_params(pl_input(sg, node, i));
    ConcatRequant* r = &data->requant[i];
    r->copy = p.scale == po.scale && p.zero_point == po.zero_point;
    r->scale = p.scale * inverse;
    r->bias = (float)(-p.zero_point) * r->scale;
  }
  data->out_zero_point = po.zero_point;
  return kTfLiteOk;
}

static TfLiteStatus concat_prepare(PlSubgraph* sg, PlNode* node) {
  ConcatData* data = node->user_data;
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
    PL_ENSURE_OK(
        pl_shape_check_type_at(sg, "CONCATENATION", "input", i, t, NULL));
    if (t->type != output->type) {
      pl_report(sg, "CONCATENATION: input %d has type %s, expected %s.", i,
                TfLiteTypeGetName(t->type), TfLiteTypeGetName(output->type));
      return kTfLiteError;
    }
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
  const size_t n = (size_t)pl_num_inputs(node);
  PL_ENSURE_OK(pl_reserve(sg, (void**)&data->sizes, &data->sizes_bytes,
                          sizeof(int64_t) * n));
  PL_ENSURE_OK(pl_reserve(sg, (void**)&data->ins, &data->ins_bytes,
                          sizeof(int) * n));
  PL_ENSURE_OK(concat_prepare_quant(sg, node, data, output));
  return pl_resize(sg, output, rank, dims);
}

/* uint8 inputs requantized (or copied) into the output, block by block. */
static void concat_requant(PlSubgraph* sg, PlNode* node, const ConcatData* data,
                           const int64_t* sizes, int64_t outer,
                           int64_t inner) {
  const int n = pl_num_inputs(node);
  uint8_t* out = pl_output(sg, node, kOutput)->data.uint8;
  for (int64_t k = 0; k < outer; ++k) {
    for (int i = 0; i < n; ++i) {
      const int64_t size = sizes[i] * inner;
      const uint8_t* x = pl_input(sg, node, i)->data.uint8 + k * size;
      const ConcatRequant* r = &data->requant[i];
      if (r->copy) {
        if (size) memcpy(out, x, (size_t)size);
      } else {
        for (int64_t j = 0; j < size; ++j) {
          const int32_t v = pl_q_add(
              pl_q_f32_to_i32(roundf((float)x[j] * r->scale + r->bias)),
              data->out_zero_point);
          out[j] = (uint8_t)pl_q_clamp(v, 0, 255);
        }
      }
      out += size;
    }
  }
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
  int64_t* sizes = data->sizes;
  int* ins = data->ins;
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
    pl_report(sg, "CONCATENATION: input shapes changed since prepare.");
    return kTfLiteError;
  }
  if (data->requant) {
    concat_requant(sg, node, data, sizes, v.outer, v.inner);
    return kTfLiteOk;
  }
  PlShapeSplit ctx = {v.outer, v.inner, sum, n, sizes};
  TfLiteStatus status =
      pl_shape_run(sg, node, "CONCATENATION", ins, n, pl_shape_join_move, &ctx);
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
    .types = "any fixed-size type, string; quantized uint8 (requantized), "
             "int8, int16",
};
