/* pylite: CAST, elementwise type conversion.
 *
 * As TFLite's CAST: the output has the input's shape; the types are the
 * input and output tensors' (CastOptions are ignored, as in TFLite). Both
 * sides may be any of bool, int8, uint8, int16, uint16, int32, uint32,
 * int64, float16, bfloat16, float32, float64 and complex64, with C++
 * static_cast semantics except where TFLite says otherwise:
 *   - integer to integer wraps (keeps the low bits);
 *   - floating (float16/bfloat16/float32/float64, or a complex64's real
 *     part) to integer truncates toward zero and saturates: below the
 *     type's minimum gives the minimum, above its maximum the maximum,
 *     and NaN the maximum;
 *   - to bool: x != 0 (NaN is true); from bool: 0 or 1;
 *   - to float16/bfloat16: via float32, rounding to nearest even
 *     (internal/unary_half.h);
 *   - complex64 to a real type takes the real part; a real to complex64
 *     has a zero imaginary part.
 * Packed int4/uint4/int2 tensors are not supported yet. */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "capi/kernels/internal/unary_common.h"
#include "capi/kernels/internal/unary_half.h"

static const TfLiteType kCastTypes[] = {
    kTfLiteBool,    kTfLiteInt8,    kTfLiteUInt8,   kTfLiteInt16,
    kTfLiteUInt16,  kTfLiteInt32,   kTfLiteUInt32,  kTfLiteInt64,
    kTfLiteFloat16, kTfLiteBFloat16, kTfLiteFloat32, kTfLiteFloat64,
    kTfLiteComplex64};
enum { kNumCastTypes = sizeof(kCastTypes) / sizeof(kCastTypes[0]) };

/* One element on its way through: an integer (bool included) or a
 * floating value (exact in double for every source type), plus the
 * imaginary part of a complex64. */
typedef struct CastValue {
  bool is_float;
  int64_t i;
  double f;
  float imag;
} CastValue;

static TfLiteStatus cast_prepare(PlSubgraph* sg, PlNode* node) {
  const TfLiteTensor* input;
  TfLiteTensor* output;
  PL_ENSURE_OK(pl_unary_io(sg, node, "CAST", &input, &output));
  if (!pl_unary_type_in(input->type, kCastTypes, kNumCastTypes) ||
      !pl_unary_type_in(output->type, kCastTypes, kNumCastTypes)) {
    char list[200];
    pl_unary_type_list(kCastTypes, kNumCastTypes, list, sizeof(list));
    pl_report(sg, "CAST from %s to %s is not supported (yet); both types "
              "must be one of: %s.", TfLiteTypeGetName(input->type),
              TfLiteTypeGetName(output->type), list);
    return kTfLiteError;
  }
  return pl_resize_like(sg, output, input->dims);
}

static CastValue cast_load(const TfLiteTensor* t, int64_t k) {
  CastValue v = {false, 0, 0.0, 0.0f};
  switch (t->type) {
    case kTfLiteBool: v.i = t->data.b[k] ? 1 : 0; break;
    case kTfLiteInt8: v.i = t->data.int8[k]; break;
    case kTfLiteUInt8: v.i = t->data.uint8[k]; break;
    case kTfLiteInt16: v.i = t->data.i16[k]; break;
    case kTfLiteUInt16: v.i = t->data.ui16[k]; break;
    case kTfLiteInt32: v.i = t->data.i32[k]; break;
    case kTfLiteUInt32: v.i = t->data.u32[k]; break;
    case kTfLiteInt64: v.i = t->data.i64[k]; break;
    case kTfLiteFloat16:
      v.is_float = true;
      v.f = pl_f16_to_f32(t->data.f16[k].data);
      break;
    case kTfLiteBFloat16: {
      uint16_t b;
      memcpy(&b, t->data.raw_const + 2 * k, sizeof(b));
      v.is_float = true;
      v.f = pl_bf16_to_f32(b);
      break;
    }
    case kTfLiteFloat32: v.is_float = true, v.f = t->data.f[k]; break;
    case kTfLiteFloat64:
      v.is_float = true, v.f = t->data.f64[k];
      break;
    case kTfLiteComplex64:
      v.is_float = true;
      v.f = t->data.c64[k].re;
      v.imag = t->data.c64[k].im;
      break;
    default: break;
  }
  return v;
}

/* The float value as float32: float64 sources round once, others are
 * exact; integers convert directly (one rounding). */
static float cast_as_f32(const CastValue* v) {
  return v->is_float ? (float)v->f : (float)v->i;
}

/* An integer result for a type of `bits` bits: wraps integers, truncates
 * and saturates floating values as TFLite's SaturatingCast. The bounds are
 * powers of two, exact in double; a float32 source has no value strictly
 * between the type's maximum and the next power of two that TFLite would
 * treat differently. */
static int64_t cast_to_int(const CastValue* v, int bits, bool is_signed) {
  if (!v->is_float) return v->i;
  const double hi = ldexp(1.0, is_signed ? bits - 1 : bits); /* exclusive */
  const double lo = is_signed ? -hi : 0.0;
  const int64_t max = is_signed ? (int64_t)((((uint64_t)1) << (bits - 1)) - 1)
                                : (int64_t)((((uint64_t)1) << bits) - 1);
  const int64_t min = is_signed ? -max - 1 : 0;
  if (isnan(v->f)) return max;
  if (v->f < lo) return min;
  if (v->f >= hi) return max;
  return (int64_t)v->f; /* truncates toward zero */
}

static void cast_store(TfLiteTensor* t, int64_t k, const CastValue* v) {
  switch (t->type) {
    case kTfLiteBool:
      t->data.b[k] = v->is_float ? v->f != 0.0 : v->i != 0;
      break;
    case kTfLiteInt8:
      t->data.int8[k] = (int8_t)(uint8_t)cast_to_int(v, 8, true);
      break;
    case kTfLiteUInt8:
      t->data.uint8[k] = (uint8_t)cast_to_int(v, 8, false);
      break;
    case kTfLiteInt16:
      t->data.i16[k] = (int16_t)(uint16_t)cast_to_int(v, 16, true);
      break;
    case kTfLiteUInt16:
      t->data.ui16[k] = (uint16_t)cast_to_int(v, 16, false);
      break;
    case kTfLiteInt32:
      t->data.i32[k] = (int32_t)(uint32_t)cast_to_int(v, 32, true);
      break;
    case kTfLiteUInt32:
      t->data.u32[k] = (uint32_t)cast_to_int(v, 32, false);
      break;
    case kTfLiteInt64:
      t->data.i64[k] = cast_to_int(v, 64, true);
      break;
    case kTfLiteFloat16:
      t->data.f16[k].data = pl_f32_to_f16(cast_as_f32(v));
      break;
    case kTfLiteBFloat16: {
      const uint16_t b = pl_f32_to_bf16(cast_as_f32(v));
      memcpy(t->data.raw + 2 * k, &b, sizeof(b));
      break;
    }
    case kTfLiteFloat32:
      t->data.f[k] = cast_as_f32(v);
      break;
    case kTfLiteFloat64:
      t->data.f64[k] = v->is_float ? v->f : (double)v->i;
      break;
    case kTfLiteComplex64:
      t->data.c64[k].re = cast_as_f32(v);
      t->data.c64[k].im = v->imag;
      break;
    default:
      break;
  }
}

/* Typed loops for the common pairs (image bytes to float, index widths),
 * with the same results as the general path. */
#define CAST_PAIR(from, to) ((int)(from) * 64 + (int)(to))
#define CAST_LOOP(y, expr)                          \
  for (int64_t k = 0; k < n; ++k) (y)[k] = (expr); \
  return true

static int32_t cast_f32_to_i32(float f) {
  if (isnan(f)) return INT32_MAX;
  if (f < -2147483648.0f) return INT32_MIN;
  if (f >= 2147483648.0f) return INT32_MAX;
  return (int32_t)f;
}

static bool cast_fast(const TfLiteTensor* in, TfLiteTensor* out, int64_t n) {
  switch (CAST_PAIR(in->type, out->type)) {
    case CAST_PAIR(kTfLiteUInt8, kTfLiteFloat32):
      CAST_LOOP(out->data.f, (float)in->data.uint8[k]);
    case CAST_PAIR(kTfLiteInt8, kTfLiteFloat32):
      CAST_LOOP(out->data.f, (float)in->data.int8[k]);
    case CAST_PAIR(kTfLiteInt32, kTfLiteFloat32):
      CAST_LOOP(out->data.f, (float)in->data.i32[k]);
    case CAST_PAIR(kTfLiteInt64, kTfLiteFloat32):
      CAST_LOOP(out->data.f, (float)in->data.i64[k]);
    case CAST_PAIR(kTfLiteBool, kTfLiteFloat32):
      CAST_LOOP(out->data.f, in->data.b[k] ? 1.0f : 0.0f);
    case CAST_PAIR(kTfLiteInt32, kTfLiteInt64):
      CAST_LOOP(out->data.i64, in->data.i32[k]);
    case CAST_PAIR(kTfLiteInt64, kTfLiteInt32):
      CAST_LOOP(out->data.i32,
                (int32_t)(uint32_t)(uint64_t)in->data.i64[k]);
    case CAST_PAIR(kTfLiteFloat32, kTfLiteInt32):
      CAST_LOOP(out->data.i32, cast_f32_to_i32(in->data.f[k]));
    case CAST_PAIR(kTfLiteFloat32, kTfLiteFloat64):
      CAST_LOOP(out->data.f64, in->data.f[k]);
    case CAST_PAIR(kTfLiteFloat64, kTfLiteFloat32):
      CAST_LOOP(out->data.f, (float)in->data.f64[k]);
    default:
      return false;
  }
}

static TfLiteStatus cast_eval(PlSubgraph* sg, PlNode* node) {
  const TfLiteTensor* input = pl_input(sg, node, 0);
  TfLiteTensor* output = pl_output(sg, node, 0);
  const int64_t n = pl_num_elements(input);
  if (cast_fast(input, output, n)) return kTfLiteOk;
  for (int64_t k = 0; k < n; ++k) {
    const CastValue v = cast_load(input, k);
    cast_store(output, k, &v);
  }
  return kTfLiteOk;
}

const PlKernel pl_kernel_cast = {
    .name = "CAST",
    .init = NULL,
    .free = NULL,
    .prepare = cast_prepare,
    .eval = cast_eval,
    .types = "bool, int8, uint8, int16, uint16, int32, uint32, int64, float16, bfloat16, float32, float64 and complex64",
};
