/* pylite: the shared body of ARG_MAX and ARG_MIN.
 *
 * As TFLite's builtin kernels: input 0 (float32, int32, uint8, int8 or
 * bool, rank >= 1) and input 1, a one-element int32 or int64 axis (negative
 * counts from the end). The output drops the axis dim and holds, for each
 * position, the index along the axis of the largest (smallest) value; ties
 * go to the first index. Float NaNs never win: a number replaces a NaN
 * best, a NaN replaces nothing, and an all-NaN line gives 0 (TFLite's
 * reference rule, as TensorFlow). The index type comes from the options'
 * output_type (int32 or int64) and must match the output tensor. A
 * non-constant axis makes the output dynamic. An empty axis dim is an error.
 * uint8/int8 compare raw values, which quantization does not reorder.
 *
 * For float lines of 4 or more along the last axis TFLite's x86 build runs a
 * 4-lane SIMD scan instead (pl_arg_lanes_f32 below replays it): each lane
 * keeps its best under the rule above, then the lanes are folded pairwise
 * ((0,1), (2,3), then the two results) keeping the left value unless the
 * right one compares better, so a NaN lane can win the fold; the index is
 * the smallest among lanes equal to the folded value, the leftover tail is
 * scanned under the rule, and a NaN result gives 0. Without NaN this equals
 * the plain scan.
 *
 * Stricter than TFLite: an output tensor whose type differs from
 * output_type is an error (TFLite retypes the tensor). */
#ifndef PYLITE_KERNELS_INTERNAL_REDUCE_ARG_H_
#define PYLITE_KERNELS_INTERNAL_REDUCE_ARG_H_

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "capi/core/kernel.h"

enum { kPlArgInput = 0, kPlArgAxis = 1, kPlArgOutput = 0 };
/* Schema BuiltinOptions union types; both tables have output_type as field
 * 0 (a schema TensorType). */
enum { kPlArgMaxOptionsType = 40, kPlArgMinOptionsType = 57 };
enum { kPlArgFieldOutputType = 0 };

typedef struct PlArgData {
  TfLiteType output_type;
  bool shape_at_eval;
} PlArgData;

static inline TfLiteStatus pl_arg_init(PlSubgraph* sg, PlNode* node,
                                       bool is_max) {
  PlArgData* data = calloc(1, sizeof(*data));
  if (!data) {
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  /* As TFLite: without options of the op's own type the output type is
   * unset, which prepare rejects. Schema default: FLOAT32 (0). */
  data->output_type = kTfLiteNoType;
  const int want = is_max ? kPlArgMaxOptionsType : kPlArgMinOptionsType;
  if (node->def->builtin_options_type == want)
    data->output_type = pl_type_from_schema(
        pl_fb_i8(&node->def->builtin_options, kPlArgFieldOutputType, 0));
  node->user_data = data;
  return kTfLiteOk;
}

static inline void pl_arg_free(PlNode* node) {
  free(node->user_data);
  node->user_data = NULL;
}

/* Reads and normalizes the axis; checks the axis dim is not empty. */
static inline TfLiteStatus pl_arg_axis(PlSubgraph* sg, const PlNode* node,
                                       const TfLiteTensor* input,
                                       const TfLiteTensor* axis, int* out) {
  const int rank = input->dims->size;
  if (!axis->data.raw_const) {
    pl_report(sg, "%s: the axis tensor has no data.", node->op_name);
    return kTfLiteError;
  }
  int64_t a = axis->type == kTfLiteInt64 ? axis->data.i64[0]
                                         : (int64_t)axis->data.i32[0];
  const int64_t given = a;
  if (a < 0) a += rank;
  if (a < 0 || a >= rank) {
    pl_report(sg, "%s: axis %lld is out of range for an input of rank %d.",
              node->op_name, (long long)given, rank);
    return kTfLiteError;
  }
  if (input->dims->data[a] == 0) {
    pl_report(sg, "%s cannot reduce over the empty axis %d.", node->op_name,
              (int)a);
    return kTfLiteError;
  }
  *out = (int)a;
  return kTfLiteOk;
}

static inline TfLiteStatus pl_arg_shape(PlSubgraph* sg, PlNode* node,
                                        bool resize, int* axis_out) {
  const TfLiteTensor* input = pl_input(sg, node, kPlArgInput);
  const TfLiteTensor* axis = pl_input(sg, node, kPlArgAxis);
  TfLiteTensor* output = pl_output(sg, node, kPlArgOutput);
  PL_ENSURE_OK(pl_arg_axis(sg, node, input, axis, axis_out));
  int dims[PL_MAX_RANK];
  int rank = 0;
  for (int i = 0; i < input->dims->size; ++i)
    if (i != *axis_out) dims[rank++] = input->dims->data[i];
  if (resize) return pl_resize(sg, output, rank, dims);
  if (!TfLiteIntArrayEqualsArray(output->dims, rank, dims)) {
    pl_report(sg, "%s input shape changed since prepare.", node->op_name);
    return kTfLiteError;
  }
  return kTfLiteOk;
}

static inline TfLiteStatus pl_arg_prepare(PlSubgraph* sg, PlNode* node) {
  PlArgData* data = node->user_data;
  const char* op = node->op_name;
  PL_ENSURE(sg, data != NULL);
  if (pl_num_inputs(node) != 2 || pl_num_outputs(node) != 1) {
    pl_report(sg, "%s takes 2 inputs and 1 output, got %d and %d.", op,
              pl_num_inputs(node), pl_num_outputs(node));
    return kTfLiteError;
  }
  const TfLiteTensor* input = pl_input(sg, node, kPlArgInput);
  const TfLiteTensor* axis = pl_input(sg, node, kPlArgAxis);
  TfLiteTensor* output = pl_output(sg, node, kPlArgOutput);
  if (!input || !axis || !output) {
    pl_report(sg, "%s: the input, the axis and the output must be given.",
              op);
    return kTfLiteError;
  }
  if (axis->type != kTfLiteInt32 && axis->type != kTfLiteInt64) {
    pl_report(sg, "%s needs an int32 or int64 axis, got %s.", op,
              TfLiteTypeGetName(axis->type));
    return kTfLiteError;
  }
  if (pl_num_elements(axis) != 1) {
    pl_report(sg, "%s needs a single axis, got %lld values.", op,
              (long long)pl_num_elements(axis));
    return kTfLiteError;
  }
  if (data->output_type != kTfLiteInt32 && data->output_type != kTfLiteInt64) {
    pl_report(sg, "%s output_type must be int32 or int64, got %s.", op,
              TfLiteTypeGetName(data->output_type));
    return kTfLiteError;
  }
  if (output->type != data->output_type) {
    pl_report(sg, "%s output tensor is %s but output_type is %s.", op,
              TfLiteTypeGetName(output->type),
              TfLiteTypeGetName(data->output_type));
    return kTfLiteError;
  }
  switch (input->type) {
    case kTfLiteFloat32:
    case kTfLiteInt32:
    case kTfLiteUInt8:
    case kTfLiteInt8:
    case kTfLiteBool:
      break;
    default:
      pl_report(sg,
                "%s supports float32, int32, uint8, int8 and bool input, got "
                "%s.",
                op, TfLiteTypeGetName(input->type));
      return kTfLiteError;
  }
  if (input->dims->size < 1) {
    pl_report(sg, "%s needs an input of rank 1 or more, got a scalar.", op);
    return kTfLiteError;
  }
  data->shape_at_eval = !pl_is_constant(axis);
  if (data->shape_at_eval) {
    pl_set_dynamic(output);
    return kTfLiteOk;
  }
  int a = 0;
  return pl_arg_shape(sg, node, true, &a);
}

/* The scan over one axis for every (outer, inner) position. */
#define PL_ARG_SCAN(NAME, T, IDX, CMP)                                       \
  static inline void NAME(const T* in, int64_t outer, int64_t n,            \
                          int64_t inner, IDX* out) {                        \
    for (int64_t o = 0; o < outer; ++o) {                                   \
      const T* base = in + o * n * inner;                                   \
      for (int64_t k = 0; k < inner; ++k) {                                 \
        T best = base[k];                                                   \
        IDX best_i = 0;                                                     \
        for (int64_t i = 1; i < n; ++i) {                                   \
          const T v = base[i * inner + k];                                  \
          if (CMP(v, best)) {                                               \
            best = v;                                                       \
            best_i = (IDX)i;                                                \
          }                                                                 \
        }                                                                   \
        out[o * inner + k] = best_i;                                        \
      }                                                                     \
    }                                                                       \
  }

#define PL_ARG_GT(a, b) ((a) > (b))
#define PL_ARG_LT(a, b) ((a) < (b))
/* Floats: a NaN candidate never wins; any number beats a NaN best. */
#define PL_ARG_GT_F(a, b) (!isnan(a) && (isnan(b) || (a) > (b)))
#define PL_ARG_LT_F(a, b) (!isnan(a) && (isnan(b) || (a) < (b)))
#define PL_ARG_DEFINE(T, S, GT, LT)                  \
  PL_ARG_SCAN(pl_argmax_##S##_i32, T, int32_t, GT)   \
  PL_ARG_SCAN(pl_argmax_##S##_i64, T, int64_t, GT)   \
  PL_ARG_SCAN(pl_argmin_##S##_i32, T, int32_t, LT)   \
  PL_ARG_SCAN(pl_argmin_##S##_i64, T, int64_t, LT)

PL_ARG_DEFINE(float, f32, PL_ARG_GT_F, PL_ARG_LT_F)
PL_ARG_DEFINE(int32_t, i32, PL_ARG_GT, PL_ARG_LT)
PL_ARG_DEFINE(uint8_t, u8, PL_ARG_GT, PL_ARG_LT)
PL_ARG_DEFINE(int8_t, i8, PL_ARG_GT, PL_ARG_LT)

/* TFLite's SIMD scan of one contiguous float line of n >= 4 (see above). */
static inline int64_t pl_arg_lanes_f32(const float* x, int64_t n,
                                       bool is_max) {
  float lane[4];
  int64_t index[4];
  for (int l = 0; l < 4; ++l) lane[l] = x[l], index[l] = l;
  int64_t i = 4;
  for (; i <= n - 4; i += 4) {
    for (int l = 0; l < 4; ++l) {
      const float v = x[i + l];
      if (is_max ? PL_ARG_GT_F(v, lane[l]) : PL_ARG_LT_F(v, lane[l]))
        lane[l] = v, index[l] = i + l;
    }
  }
  /* Pairwise fold: the right value only if it compares better. */
#define PL_ARG_FOLD(a, b) \
  ((is_max ? (b) > (a) : (b) < (a)) ? (b) : (a))
  const float low = PL_ARG_FOLD(lane[0], lane[1]);
  const float high = PL_ARG_FOLD(lane[2], lane[3]);
  float best = PL_ARG_FOLD(low, high);
#undef PL_ARG_FOLD
  int64_t best_i = INT32_MAX;
  for (int l = 0; l < 4; ++l)
    if (lane[l] == best && index[l] < best_i) best_i = index[l];
  for (; i < n; ++i) {
    const float v = x[i];
    if (is_max ? PL_ARG_GT_F(v, best) : PL_ARG_LT_F(v, best))
      best = v, best_i = i;
  }
  return isnan(best) ? 0 : best_i;
}

#define PL_ARG_RUN(S)                                                       \
  do {                                                                      \
    if (is_max && out64)                                                    \
      pl_argmax_##S##_i64(in, outer, n, inner, output->data.i64);           \
    else if (is_max)                                                        \
      pl_argmax_##S##_i32(in, outer, n, inner, output->data.i32);           \
    else if (out64)                                                         \
      pl_argmin_##S##_i64(in, outer, n, inner, output->data.i64);           \
    else                                                                    \
      pl_argmin_##S##_i32(in, outer, n, inner, output->data.i32);           \
  } while (0)

static inline TfLiteStatus pl_arg_eval(PlSubgraph* sg, PlNode* node,
                                       bool is_max) {
  const PlArgData* data = node->user_data;
  const TfLiteTensor* input = pl_input(sg, node, kPlArgInput);
  TfLiteTensor* output = pl_output(sg, node, kPlArgOutput);
  int axis = 0;
  PL_ENSURE_OK(pl_arg_shape(sg, node, data->shape_at_eval, &axis));
  if (pl_num_elements(output) == 0) return kTfLiteOk;
  int64_t outer = 1, inner = 1;
  for (int i = 0; i < axis; ++i) outer *= input->dims->data[i];
  for (int i = axis + 1; i < input->dims->size; ++i)
    inner *= input->dims->data[i];
  const int64_t n = input->dims->data[axis];
  const bool out64 = output->type == kTfLiteInt64;
  switch (input->type) {
    case kTfLiteFloat32: {
      const float* in = input->data.f;
      if (inner == 1 && n >= 4) {
        for (int64_t o = 0; o < outer; ++o) {
          const int64_t best = pl_arg_lanes_f32(in + o * n, n, is_max);
          if (out64)
            output->data.i64[o] = best;
          else
            output->data.i32[o] = (int32_t)best;
        }
        break;
      }
      PL_ARG_RUN(f32);
    } break;
    case kTfLiteInt32: {
      const int32_t* in = input->data.i32;
      PL_ARG_RUN(i32);
    } break;
    case kTfLiteInt8: {
      const int8_t* in = input->data.int8;
      PL_ARG_RUN(i8);
    } break;
    default: { /* uint8, bool (one byte, 0 or 1) */
      const uint8_t* in = input->data.uint8;
      PL_ARG_RUN(u8);
    } break;
  }
  return kTfLiteOk;
}

#endif /* PYLITE_KERNELS_INTERNAL_REDUCE_ARG_H_ */
