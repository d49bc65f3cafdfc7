/* pylite: CUMSUM, running sums along an axis.
 *
 * As TFLite's builtin CUMSUM for float32, int32 and int64: input 0 (rank
 * >= 1) and input 1, a one-element int32 axis (negative counts from the
 * end; it may be a non-constant tensor, read at eval). The output has the
 * input's shape. CumsumOptions: exclusive (each output leaves out its own
 * element, so the first is 0) and reverse (sums run from the end). Each
 * line along the axis is summed one element at a time in running order, so
 * float results are bit-exact with TFLite; integer sums wrap around.
 * Quantized (uint16) CUMSUM is not supported yet. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "capi/core/kernel.h"

enum { kInput = 0, kAxis = 1, kOutput = 0 };

/* Schema BuiltinOptions union type and CumsumOptions field ids. */
enum { kCumsumOptionsType = 102 };
enum { kFieldExclusive = 0, kFieldReverse = 1 };

typedef struct CumsumData {
  bool exclusive;
  bool reverse;
} CumsumData;

static TfLiteStatus cumsum_init(PlSubgraph* sg, PlNode* node) {
  CumsumData* data = calloc(1, sizeof(*data));
  if (!data) {
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  if (node->def->builtin_options_type == kCumsumOptionsType) {
    const PlFbTable* opts = &node->def->builtin_options;
    data->exclusive = pl_fb_bool(opts, kFieldExclusive, false);
    data->reverse = pl_fb_bool(opts, kFieldReverse, false);
  }
  node->user_data = data;
  return kTfLiteOk;
}

static void cumsum_free(PlNode* node) {
  free(node->user_data);
  node->user_data = NULL;
}

static TfLiteStatus read_axis(PlSubgraph* sg, const TfLiteTensor* input,
                              const TfLiteTensor* axis, int* out) {
  const int rank = input->dims->size;
  if (!axis->data.i32) {
    pl_report(sg, "CUMSUM: the axis tensor has no data.");
    return kTfLiteError;
  }
  const int32_t given = axis->data.i32[0];
  const int64_t a = given < 0 ? (int64_t)given + rank : given;
  if (a < 0 || a >= rank) {
    pl_report(sg, "CUMSUM: axis %d is out of range for an input of rank %d.",
              (int)given, rank);
    return kTfLiteError;
  }
  *out = (int)a;
  return kTfLiteOk;
}

static TfLiteStatus cumsum_prepare(PlSubgraph* sg, PlNode* node) {
  PL_ENSURE(sg, node->user_data != NULL);
  if (pl_num_inputs(node) != 2 || pl_num_outputs(node) != 1) {
    pl_report(sg, "CUMSUM takes 2 inputs and 1 output, got %d and %d.",
              pl_num_inputs(node), pl_num_outputs(node));
    return kTfLiteError;
  }
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  const TfLiteTensor* axis = pl_input(sg, node, kAxis);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  if (!input || !axis || !output) {
    pl_report(sg, "CUMSUM: the input, the axis and the output must be given.");
    return kTfLiteError;
  }
  switch (input->type) {
    case kTfLiteFloat32:
    case kTfLiteInt32:
    case kTfLiteInt64:
      break;
    case kTfLiteUInt16:
      pl_report(sg, "Quantized CUMSUM (UINT16) is not supported yet.");
      return kTfLiteError;
    default:
      pl_report(sg, "CUMSUM supports float32, int32 and int64, got %s.",
                TfLiteTypeGetName(input->type));
      return kTfLiteError;
  }
  if (output->type != input->type) {
    pl_report(sg, "CUMSUM input type %s does not match output type %s.",
              TfLiteTypeGetName(input->type), TfLiteTypeGetName(output->type));
    return kTfLiteError;
  }
  if (axis->type != kTfLiteInt32) {
    pl_report(sg, "CUMSUM needs an int32 axis, got %s.",
              TfLiteTypeGetName(axis->type));
    return kTfLiteError;
  }
  if (pl_num_elements(axis) != 1) {
    pl_report(sg, "CUMSUM needs a single axis, got %lld values.",
              (long long)pl_num_elements(axis));
    return kTfLiteError;
  }
  if (input->dims->size < 1) {
    pl_report(sg, "CUMSUM needs an input of rank 1 or more, got a scalar.");
    return kTfLiteError;
  }
  if (pl_is_constant(axis)) {
    int a = 0;
    PL_ENSURE_OK(read_axis(sg, input, axis, &a));
  }
  return pl_resize_like(sg, output, input->dims);
}

/* One line of `n` elements `stride` apart, from `first` stepping by `step`
 * (+stride or -stride for reverse). */
#define CUMSUM_LINES(NAME, T, ADD)                                           \
  static void NAME(const T* in, T* out, int64_t outer, int64_t n,            \
                   int64_t inner, bool exclusive, bool reverse) {            \
    for (int64_t o = 0; o < outer; ++o) {                                    \
      for (int64_t k = 0; k < inner; ++k) {                                  \
        const int64_t base = o * n * inner + k;                              \
        T acc = 0;                                                           \
        for (int64_t j = 0; j < n; ++j) {                                    \
          const int64_t i = base + (reverse ? n - 1 - j : j) * inner;        \
          if (exclusive) {                                                   \
            out[i] = acc;                                                    \
            acc = ADD(acc, in[i]);                                           \
          } else {                                                           \
            acc = ADD(acc, in[i]);                                           \
            out[i] = acc;                                                    \
          }                                                                  \
        }                                                                    \
      }                                                                      \
    }                                                                        \
  }

#define CUMSUM_ADD(a, x) ((a) + (x))
#define CUMSUM_ADD_I32(a, x) ((int32_t)((uint32_t)(a) + (uint32_t)(x)))
#define CUMSUM_ADD_I64(a, x) ((int64_t)((uint64_t)(a) + (uint64_t)(x)))
CUMSUM_LINES(cumsum_f32, float, CUMSUM_ADD)
CUMSUM_LINES(cumsum_i32, int32_t, CUMSUM_ADD_I32)
CUMSUM_LINES(cumsum_i64, int64_t, CUMSUM_ADD_I64)

static TfLiteStatus cumsum_eval(PlSubgraph* sg, PlNode* node) {
  const CumsumData* data = node->user_data;
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  const TfLiteTensor* axis_t = pl_input(sg, node, kAxis);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  if (!pl_same_shape(input, output)) {
    pl_report(sg, "CUMSUM input shape changed since prepare.");
    return kTfLiteError;
  }
  int axis = 0;
  PL_ENSURE_OK(read_axis(sg, input, axis_t, &axis));
  if (pl_num_elements(input) == 0) return kTfLiteOk;
  int64_t outer = 1, inner = 1;
  for (int i = 0; i < axis; ++i) outer *= input->dims->data[i];
  for (int i = axis + 1; i < input->dims->size; ++i)
    inner *= input->dims->data[i];
  const int64_t n = input->dims->data[axis];
  switch (input->type) {
    case kTfLiteFloat32:
      cumsum_f32(input->data.f, output->data.f, outer, n, inner,
                 data->exclusive, data->reverse);
      break;
    case kTfLiteInt32:
      cumsum_i32(input->data.i32, output->data.i32, outer, n, inner,
                 data->exclusive, data->reverse);
      break;
    case kTfLiteInt64:
      cumsum_i64(input->data.i64, output->data.i64, outer, n, inner,
                 data->exclusive, data->reverse);
      break;
    default:
      pl_report(sg, "CUMSUM: unsupported type %s.",
                TfLiteTypeGetName(input->type));
      return kTfLiteError;
  }
  return kTfLiteOk;
}

const PlKernel pl_kernel_cumsum = {
    .name = "CUMSUM",
    .init = cumsum_init,
    .free = cumsum_free,
    .prepare = cumsum_prepare,
    .eval = cumsum_eval,
    .types = "float32, int32 and int64",
};
