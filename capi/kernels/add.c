/* pylite: ADD, elementwise sum with numpy-style broadcasting.
 *
 * As TFLite's builtin ADD for float32, int32, int64 and unquantized int16:
 * both inputs and the output share one type; the output shape is the
 * broadcast of the input shapes (dims are compared from the right; a pair
 * must be equal or contain a 1; a 0 wins over a 1), at any rank; integer
 * sums wrap around. The fused activation is a clamp applied to every sum:
 * RELU [0, max], RELU6 [0, 6], RELU_N1_TO_1 [-1, 1], and anything else
 * (NONE, and TANH / SIGN_BIT, which TFLite ignores here) the type's full
 * finite range, so a float sum of +inf comes out as FLT_MAX, as in TFLite.
 * Quantized int8/uint8/int16 ADD is not supported yet. */
#include <float.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "capi/core/kernel.h"

enum { kInput1 = 0, kInput2 = 1, kOutput = 0 };

/* Schema BuiltinOptions union type and AddOptions field ids. */
enum { kAddOptionsType = 11 };
enum { kFieldFusedActivation = 0, kFieldPotScaleInt16 = 1 };

typedef struct AddData {
  int activation;
} AddData;

/* Clamp bounds for one invocation, in the output's type. */
typedef struct AddRange {
  float f_lo, f_hi;
  int64_t i_lo, i_hi;
} AddRange;

/* The broadcast loop nest: loop 0 is innermost. Operand strides are in
 * elements, 0 where that operand is broadcast along the loop. */
typedef struct AddLoops {
  int count;
  int64_t extent[PL_MAX_RANK];
  int64_t stride1[PL_MAX_RANK];
  int64_t stride2[PL_MAX_RANK];
} AddLoops;

static TfLiteStatus add_init(PlSubgraph* sg, PlNode* node) {
  AddData* data = calloc(1, sizeof(*data));
  if (!data) {
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  /* As TFLite: options of another union type read as defaults. */
  if (node->def->builtin_options_type == kAddOptionsType) {
    const PlFbTable* opts = &node->def->builtin_options;
    data->activation = pl_fb_i8(opts, kFieldFusedActivation, PL_ACT_NONE);
  }
  node->user_data = data;
  return kTfLiteOk;
}

static void add_free(PlNode* node) {
  free(node->user_data);
  node->user_data = NULL;
}

/* TFLite's broadcast shape rule. Returns false if the shapes are not
 * broadcastable. */
static bool broadcast_shape(const TfLiteIntArray* a, const TfLiteIntArray* b,
                            int* out, int* rank) {
  const int r = a->size > b->size ? a->size : b->size;
  for (int i = 0; i < r; ++i) {
    const int da = i < a->size ? a->data[a->size - 1 - i] : 1;
    const int db = i < b->size ? b->data[b->size - 1 - i] : 1;
    if (!(da == db || da == 1 || db == 1)) return false;
    out[r - 1 - i] = (da == 0 || db == 0) ? 0 : (da > db ? da : db);
  }
  *rank = r;
  return true;
}

/* Builds the loop nest over the output shape `out`, fusing adjacent dims
 * along which both operands are either contiguous or broadcast alike, and
 * dropping dims of extent 1. Returns false if the output is empty. */
static bool plan_loops(const TfLiteIntArray* a, const TfLiteIntArray* b,
                       const int* out, int rank, AddLoops* loops) {
  int64_t acc1 = 1, acc2 = 1;
  loops->count = 0;
  for (int i = rank - 1; i >= 0; --i) {
    const int j = rank - 1 - i; /* position from the right */
    const int64_t d1 = j < a->size ? a->data[a->size - 1 - j] : 1;
    const int64_t d2 = j < b->size ? b->data[b->size - 1 - j] : 1;
    const int64_t od = out[i];
    if (od == 0) return false;
    if (od == 1) continue; /* then d1 == d2 == 1 */
    const int64_t s1 = d1 == 1 ? 0 : acc1;
    const int64_t s2 = d2 == 1 ? 0 : acc2;
    const int last = loops->count - 1;
    bool fuse = last >= 0;
    if (fuse) {
      const int64_t p1 = loops->stride1[last], p2 = loops->stride2[last];
      const int64_t e = loops->extent[last];
      fuse = (p1 == 0 ? s1 == 0 : s1 == p1 * e) &&
             (p2 == 0 ? s2 == 0 : s2 == p2 * e);
    }
    if (fuse) {
      loops->extent[last] *= od;
    } else {
      loops->extent[loops->count] = od;
      loops->stride1[loops->count] = s1;
      loops->stride2[loops->count] = s2;
      loops->count++;
    }
    acc1 *= d1;
    acc2 *= d2;
  }
  return true;
}

static TfLiteStatus add_prepare(PlSubgraph* sg, PlNode* node) {
  const AddData* data = node->user_data;
  if (pl_num_inputs(node) != 2 || pl_num_outputs(node) != 1) {
    pl_report(sg, "ADD takes 2 inputs and 1 output, got %d and %d.",
              pl_num_inputs(node), pl_num_outputs(node));
    return kTfLiteError;
  }
  const TfLiteTensor* input1 = pl_input(sg, node, kInput1);
  const TfLiteTensor* input2 = pl_input(sg, node, kInput2);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  PL_ENSURE(sg, input1 != NULL);
  PL_ENSURE(sg, input2 != NULL);
  PL_ENSURE(sg, output != NULL);
  PL_ENSURE(sg, data != NULL);
  if (input1->type != input2->type || input1->type != output->type) {
    pl_report(sg, "ADD needs inputs and output of one type, got %s + %s -> %s.",
              TfLiteTypeGetName(input1->type), TfLiteTypeGetName(input2->type),
              TfLiteTypeGetName(output->type));
    return kTfLiteError;
  }
  switch (output->type) {
    case kTfLiteFloat32:
    case kTfLiteInt32:
    case kTfLiteInt64:
      break;
    case kTfLiteInt16:
      /* TFLite adds int16 as plain integers only when unquantized. */
      if (output->quantization.type == kTfLiteNoQuantization) break;
      /* fall through */
    case kTfLiteInt8:
    case kTfLiteUInt8:
      pl_report(sg, "Quantized ADD (%s) is not supported yet.",
                TfLiteTypeGetName(output->type));
      return kTfLiteError;
    default:
      pl_report(sg,
                "ADD supports float32, int32, int64 and int16, got %s.",
                TfLiteTypeGetName(output->type));
      return kTfLiteError;
  }

  int dims[PL_MAX_RANK];
  int rank = 0;
  if (input1->dims->size > PL_MAX_RANK || input2->dims->size > PL_MAX_RANK) {
    pl_report(sg, "ADD inputs may have at most %d dims.", PL_MAX_RANK);
    return kTfLiteError;
  }
  if (!broadcast_shape(input1->dims, input2->dims, dims, &rank)) {
    char s1[160], s2[160];
    pl_shape_string(input1->dims, s1, sizeof(s1));
    pl_shape_string(input2->dims, s2, sizeof(s2));
    pl_report(sg, "Given shapes, %s and %s, are not broadcastable.", s1, s2);
    return kTfLiteError;
  }
  return pl_resize(sg, output, rank, dims);
}

/* min(max(x, lo), hi) with std::max / std::min's comparisons, so that NaN
 * passes through as in TFLite. */
static inline float clamp_f32(float x, float lo, float hi) {
  x = x < lo ? lo : x;
  return hi < x ? hi : x;
}

static void add_range(int activation, TfLiteType type, AddRange* r) {
  int64_t max = INT64_MAX, min = INT64_MIN;
  if (type == kTfLiteInt32) max = INT32_MAX, min = INT32_MIN;
  if (type == kTfLiteInt16) max = INT16_MAX, min = INT16_MIN;
  switch (activation) {
    case PL_ACT_RELU:
      r->f_lo = 0.0f, r->f_hi = FLT_MAX, r->i_lo = 0, r->i_hi = max;
      break;
    case PL_ACT_RELU6:
      r->f_lo = 0.0f, r->f_hi = 6.0f, r->i_lo = 0, r->i_hi = 6;
      break;
    case PL_ACT_RELU_N1_TO_1:
      r->f_lo = -1.0f, r->f_hi = 1.0f, r->i_lo = -1, r->i_hi = 1;
      break;
    default:
      r->f_lo = -FLT_MAX, r->f_hi = FLT_MAX, r->i_lo = min, r->i_hi = max;
      break;
  }
}

/* One row of the innermost loop: n outputs, each operand either contiguous
 * (stride 1) or a single broadcast value (stride 0). */
typedef void (*AddRowFn)(const void* a, int64_t sa, const void* b, int64_t sb,
                         void* out, int64_t n, const AddRange* r);

static void add_row_f32(const void* a_, int64_t sa, const void* b_, int64_t sb,
                        void* out_, int64_t n, const AddRange* r) {
  const float* a = a_;
  const float* b = b_;
  float* out = out_;
  const float lo = r->f_lo, hi = r->f_hi;
  if (sa && sb) {
    for (int64_t i = 0; i < n; ++i) out[i] = clamp_f32(a[i] + b[i], lo, hi);
  } else if (sb) {
    const float x = a[0];
    for (int64_t i = 0; i < n; ++i) out[i] = clamp_f32(x + b[i], lo, hi);
  } else {
    const float y = b[0];
    for (int64_t i = 0; i < n; ++i) out[i] = clamp_f32(a[i] + y, lo, hi);
  }
}

/* Integer rows: the sum wraps (computed unsigned), then is clamped. */
#define PL_ADD_INT_ROW(NAME, T, UT)                                          \
  static inline T NAME##_one(T x, T y, T lo, T hi) {                         \
    T s = (T)(UT)((UT)x + (UT)y);                                            \
    s = s < lo ? lo : s;                                                     \
    return hi < s ? hi : s;                                                  \
  }                                                                          \
  static void NAME(const void* a_, int64_t sa, const void* b_, int64_t sb,   \
                   void* out_, int64_t n, const AddRange* r) {               \
    const T* a = a_;                                                         \
    const T* b = b_;                                                         \
    T* out = out_;                                                           \
    const T lo = (T)r->i_lo, hi = (T)r->i_hi;                                \
    if (sa && sb) {                                                          \
      for (int64_t i = 0; i < n; ++i) out[i] = NAME##_one(a[i], b[i], lo, hi); \
    } else if (sb) {                                                         \
      const T x = a[0];                                                      \
      for (int64_t i = 0; i < n; ++i) out[i] = NAME##_one(x, b[i], lo, hi);  \
    } else {                                                                 \
      const T y = b[0];                                                      \
      for (int64_t i = 0; i < n; ++i) out[i] = NAME##_one(a[i], y, lo, hi);  \
    }                                                                        \
  }

PL_ADD_INT_ROW(add_row_i32, int32_t, uint32_t)
PL_ADD_INT_ROW(add_row_i64, int64_t, uint64_t)
PL_ADD_INT_ROW(add_row_i16, int16_t, uint16_t)
#undef PL_ADD_INT_ROW

/* Walks the outer loops like an odometer and runs `row` on each innermost
 * row. The output is contiguous, so its offset just advances by a row. */
static void add_broadcast(const AddLoops* loops, const char* a, const char* b,
                          char* out, size_t elem, AddRowFn row,
                          const AddRange* r) {
  if (loops->count == 0) { /* every dim is 1: a single element */
    row(a, 1, b, 1, out, 1, r);
    return;
  }
  const int64_t n = loops->extent[0];
  int64_t index[PL_MAX_RANK] = {0};
  int64_t off1 = 0, off2 = 0, off_out = 0;
  for (;;) {
    row(a + off1 * (int64_t)elem, loops->stride1[0], b + off2 * (int64_t)elem,
        loops->stride2[0], out + off_out * (int64_t)elem, n, r);
    off_out += n;
    int l = 1;
    for (; l < loops->count; ++l) {
      off1 += loops->stride1[l];
      off2 += loops->stride2[l];
      if (++index[l] < loops->extent[l]) break;
      off1 -= loops->stride1[l] * loops->extent[l];
      off2 -= loops->stride2[l] * loops->extent[l];
      index[l] = 0;
    }
    if (l == loops->count) return;
  }
}

static TfLiteStatus add_eval(PlSubgraph* sg, PlNode* node) {
  const AddData* data = node->user_data;
  const TfLiteTensor* input1 = pl_input(sg, node, kInput1);
  const TfLiteTensor* input2 = pl_input(sg, node, kInput2);
  TfLiteTensor* output = pl_output(sg, node, kOutput);

  int dims[PL_MAX_RANK];
  int rank = 0;
  AddLoops loops;
  /* Prepare checked the shapes; this guards against inputs resized since
   * without a new prepare, which would otherwise overrun the output. */
  if (!broadcast_shape(input1->dims, input2->dims, dims, &rank) ||
      !TfLiteIntArrayEqualsArray(output->dims, rank, dims)) {
    pl_report(sg, "ADD input shapes changed since prepare.");
    return kTfLiteError;
  }
  if (!plan_loops(input1->dims, input2->dims, dims, rank, &loops))
    return kTfLiteOk; /* empty output */

  AddRange range;
  add_range(data->activation, output->type, &range);
  AddRowFn row = NULL;
  size_t elem = 0;
  switch (output->type) {
    case kTfLiteFloat32:
      row = add_row_f32, elem = sizeof(float);
      break;
    case kTfLiteInt32:
      row = add_row_i32, elem = sizeof(int32_t);
      break;
    case kTfLiteInt64:
      row = add_row_i64, elem = sizeof(int64_t);
      break;
    case kTfLiteInt16:
      row = add_row_i16, elem = sizeof(int16_t);
      break;
    default:
      pl_report(sg, "ADD: unsupported type %s.",
                TfLiteTypeGetName(output->type));
      return kTfLiteError;
  }
  add_broadcast(&loops, input1->data.raw_const, input2->data.raw_const,
                output->data.raw, elem, row, &range);
  return kTfLiteOk;
}

const PlKernel pl_kernel_add = {
    .name = "ADD",
    .init = add_init,
    .free = add_free,
    .prepare = add_prepare,
    .eval = add_eval,
    .types = "float32, int32, int64, int16",
};
