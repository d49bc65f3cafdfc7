/* pylite: prepare-time helpers of the quantized kernels (see quant.h). */
#include "capi/kernels/internal/quant.h"

#include <math.h>
#include <string.h>

#include "capi/kernels/internal/gemm.h" /* pl_simd_avx2 */

#if (defined(__x86_64__) || defined(__i386__)) && \
    (defined(__GNUC__) || defined(__clang__))
#define PL_QUANT_X86 1
#include "capi/kernels/internal/quant_avx2.h"
#include "capi/kernels/internal/quant_avx512.h"
#endif

bool pl_q_type_range(TfLiteType type, int32_t* lo, int32_t* hi) {
  switch (type) {
    case kTfLiteInt8: *lo = -128; *hi = 127; return true;
    case kTfLiteUInt8: *lo = 0; *hi = 255; return true;
    case kTfLiteInt16: *lo = -32768; *hi = 32767; return true;
    case kTfLiteInt32: *lo = INT32_MIN; *hi = INT32_MAX; return true;
    default: return false;
  }
}

/* frexp for a nonzero finite double, from its bits when it is normal (a
 * per-channel prepare computes thousands: no libm call); the result is
 * frexp's exactly: the same bits with the exponent field set to 2^-1. */
static double split_exponent(double v, int* exponent) {
  uint64_t bits;
  memcpy(&bits, &v, sizeof(bits));
  const int field = (int)((bits >> 52) & 0x7ff);
  if (field == 0) return frexp(v, exponent); /* subnormal */
  *exponent = field - 1022;
  bits = (bits & ~((uint64_t)0x7ff << 52)) | ((uint64_t)1022 << 52);
  memcpy(&v, &bits, sizeof(v));
  return v;
}

void pl_q_multiplier(double real, int32_t* multiplier, int* shift) {
  if (real == 0.0 || !isfinite(real)) {
    *multiplier = 0;
    *shift = 0;
    return;
  }
  int exponent = 0;
  const double mantissa = split_exponent(real, &exponent); /* [0.5, 1) */
  /* round(x) for |x| in [2^30, 2^31): x + 0.5 is exact there (the spacing
   * of doubles is 2^-22), so truncating it rounds half away from zero. */
  const double x = mantissa * (double)((int64_t)1 << 31);
  int64_t fixed = x >= 0.0 ? (int64_t)(x + 0.5) : -(int64_t)(-x + 0.5);
  if (fixed == ((int64_t)1 << 31)) { /* rounded up to 1.0 */
    fixed /= 2;
    ++exponent;
  }
  if (exponent < -31) { /* every bit would be shifted out */
    exponent = 0;
    fixed = 0;
  }
  if (exponent > 30) { /* beyond what a left shift of int32 can carry */
    exponent = 30;
    fixed = ((int64_t)1 << 31) - 1;
  }
  *multiplier = (int32_t)fixed;
  *shift = exponent;
}

PlQuantParams pl_q_params(const TfLiteTensor* t) {
  PlQuantParams p = {t->params.scale, t->params.zero_point};
  const TfLiteAffineQuantization* q = t->quantization.params;
  if (t->quantization.type == kTfLiteAffineQuantization && q && q->scale &&
      q->scale->size > 0) {
    p.scale = q->scale->data[0];
    if (q->zero_point && q->zero_point->size > 0)
      p.zero_point = q->zero_point->data[0];
  }
  return p;
}

TfLiteStatus pl_q_check(PlSubgraph* sg, const char* op, const char* role,
                        const TfLiteTensor* t, const PlQuantRule* rule) {
  const TfLiteAffineQuantization* q = t->quantization.params;
  const char* name = t->name ? t->name : "";
  if (t->quantization.type != kTfLiteAffineQuantization || !q || !q->scale ||
      q->scale->size < 1) {
    pl_report(sg, "%s: %s '%s' (%s) has no quantization parameters (a scale "
              "and zero point are required).", op, role, name,
              TfLiteTypeGetName(t->type));
    return kTfLiteError;
  }
  const int count = q->scale->size;
  if (!q->zero_point || q->zero_point->size != count) {
    pl_report(sg, "%s: %s '%s' has %d scales but %d zero points.", op, role,
              name, count, q->zero_point ? q->zero_point->size : 0);
    return kTfLiteError;
  }
  if (count > 1) {
    const int dim = q->quantized_dimension;
    if (rule->channel_dim < 0) {
      pl_report(sg, "%s: %s '%s' must be quantized per tensor, but has %d "
                "scales.", op, role, name, count);
      return kTfLiteError;
    }
    if (dim != rule->channel_dim || dim >= t->dims->size ||
        t->dims->data[dim] != count) {
      char shape[64];
      pl_shape_string(t->dims, shape, sizeof(shape));
      pl_report(sg, "%s: %s '%s' of shape %s has %d per-channel scales along "
                "dimension %d; expected one per element of dimension %d.", op,
                role, name, shape, count, dim, rule->channel_dim);
      return kTfLiteError;
    }
  }
  int32_t lo = 0, hi = 0;
  if (!pl_q_type_range(t->type, &lo, &hi)) {
    lo = INT32_MIN;
    hi = INT32_MAX;
  }
  for (int k = 0; k < count; ++k) {
    const float s = q->scale->data[k];
    if (!(s > 0.0f) || !isfinite(s)) {
      pl_report(sg, "%s: %s '%s' has scale %g at index %d; scales must be "
                "finite and greater than zero.", op, role, name, (double)s,
                k);
      return kTfLiteError;
    }
    const int32_t z = q->zero_point->data[k];
    if (z < lo || z > hi) {
      pl_report(sg, "%s: %s '%s' has zero point %d at index %d, outside the "
                "range [%d, %d] of %s.", op, role, name, (int)z, k, (int)lo,
                (int)hi, TfLiteTypeGetName(t->type));
      return kTfLiteError;
    }
    if (rule->symmetric && z != 0) {
      pl_report(sg, "%s: %s '%s' has zero point %d at index %d; it must be "
                "0 (symmetric quantization).", op, role, name, (int)z, k);
      return kTfLiteError;
    }
  }
  return kTfLiteOk;
}

TfLiteStatus pl_q_check_tensor(PlSubgraph* sg, const char* op,
                               const char* role, const TfLiteTensor* t) {
  const PlQuantRule rule = {-1, false};
  return pl_q_check(sg, op, role, t, &rule);
}

TfLiteStatus pl_q_activation_range(PlSubgraph* sg, int activation,
                                   const TfLiteTensor* output, int32_t* lo,
                                   int32_t* hi) {
  int32_t qmin = 0, qmax = 0;
  if (!pl_q_type_range(output->type, &qmin, &qmax)) {
    pl_report(sg, "Fused activation on a %s output is not quantized.",
              TfLiteTypeGetName(output->type));
    return kTfLiteError;
  }
  const PlQuantParams p = pl_q_params(output);
  const float scale = p.scale;
#define PL_QUANTIZE_(f) \
  pl_q_add(p.zero_point, pl_q_f32_to_i32(roundf((f) / scale)))
  int32_t a = qmin, b = qmax;
  switch (activation) {
    case PL_ACT_RELU:
      a = PL_QUANTIZE_(0.0f);
      break;
    case PL_ACT_RELU6:
      a = PL_QUANTIZE_(0.0f);
      b = PL_QUANTIZE_(6.0f);
      break;
    case PL_ACT_RELU_N1_TO_1:
      a = PL_QUANTIZE_(-1.0f);
      b = PL_QUANTIZE_(1.0f);
      break;
    default:
      break;
  }
#undef PL_QUANTIZE_
  *lo = a > qmin ? a : qmin;
  *hi = b < qmax ? b : qmax;
  return kTfLiteOk;
}

void pl_q_channel_multipliers(const TfLiteTensor* input,
                              const TfLiteTensor* filter,
                              const TfLiteTensor* output, int channels,
                              int32_t* multipliers, int* shifts) {
  const double input_scale = pl_q_params(input).scale;
  const double output_scale = pl_q_params(output).scale;
  const TfLiteAffineQuantization* fq = filter->quantization.params;
  const int count = fq && fq->scale ? fq->scale->size : 0;
  for (int c = 0; c < channels; ++c) {
    const double filter_scale =
        count > 1 ? fq->scale->data[c]
                  : (count == 1 ? fq->scale->data[0] : filter->params.scale);
    pl_q_multiplier(input_scale * filter_scale / output_scale,
                    &multipliers[c], &shifts[c]);
  }
}

/* ---- Requantization of a row of accumulators ------------------------------ */

static void store_row(TfLiteType type, void* out, int64_t at, const int32_t* v,
                      int64_t n) {
  switch (type) {
    case kTfLiteInt8:
      for (int64_t j = 0; j < n; ++j) ((int8_t*)out)[at + j] = (int8_t)v[j];
      break;
    case kTfLiteUInt8:
      for (int64_t j = 0; j < n; ++j) ((uint8_t*)out)[at + j] = (uint8_t)v[j];
      break;
    default:
      for (int64_t j = 0; j < n; ++j) ((int16_t*)out)[at + j] = (int16_t)v[j];
      break;
  }
}

static int32_t requantize_one(int32_t acc, int32_t bias, int32_t multiplier,
                              int shift, int32_t zero_point, int32_t lo,
                              int32_t hi) {
  const int32_t sum = (int32_t)((uint32_t)acc + (uint32_t)bias);
  return pl_q_clamp(pl_q_add(pl_q_mul(sum, multiplier, shift), zero_point),
                    lo, hi);
}

#ifdef PL_QUANT_X86
#define PL_AVX2 __attribute__((target("avx2")))

/* Channels [j, j + 8) of `rows` rows, out of type `type` (a constant after
 * inlining). */
PL_AVX2 static inline __attribute__((always_inline)) void requantize8_rows(
    const int32_t* acc, int64_t ld_acc, int64_t rows, const int32_t* bias,
    const int32_t* multiplier, const int* shift, __m256i zp, __m256i lo,
    __m256i hi, const TfLiteType type, void* out, int64_t ld_out,
    int64_t j) {
  const PlQMul8 p = pl_q_mul8_params(
      _mm256_loadu_si256((const __m256i*)(multiplier + j)),
      _mm256_loadu_si256((const __m256i*)(shift + j)));
  const __m256i b = bias ? _mm256_loadu_si256((const __m256i*)(bias + j))
                         : _mm256_setzero_si256();
  for (int64_t r = 0; r < rows; ++r) {
    const __m256i x = _mm256_add_epi32(
        _mm256_loadu_si256((const __m256i*)(acc + r * ld_acc + j)), b);
    __m256i v = _mm256_add_epi32(pl_q_mul8(x, &p), zp);
    v = _mm256_min_epi32(_mm256_max_epi32(v, lo), hi);
    /* Narrowing packs saturate, but the values are already in range. */
    const __m128i v16 = _mm_packs_epi32(_mm256_castsi256_si128(v),
                                        _mm256_extracti128_si256(v, 1));
    const int64_t at = r * ld_out + j;
    switch (type) {
      case kTfLiteInt8:
        _mm_storel_epi64((__m128i*)((int8_t*)out + at),
                         _mm_packs_epi16(v16, v16));
        break;
      case kTfLiteUInt8:
        _mm_storel_epi64((__m128i*)((uint8_t*)out + at),
                         _mm_packus_epi16(v16, v16));
        break;
      default:
        _mm_storeu_si128((__m128i*)((int16_t*)out + at), v16);
        break;
    }
  }
}

PL_AVX2 static int64_t requantize_avx2(const int32_t* acc, int64_t ld_acc,
                                       int64_t rows, const int32_t* bias,
                                       const int32_t* multiplier,
                                       const int* shift, int32_t zero_point,
                                       int32_t lo, int32_t hi,
                                       TfLiteType out_type, void* out,
                                       int64_t ld_out, int64_t n) {
  const __m256i zp = _mm256_set1_epi32(zero_point);
  const __m256i vlo = _mm256_set1_epi32(lo), vhi = _mm256_set1_epi32(hi);
  int64_t j = 0;
  for (; j + 8 <= n; j += 8) {
    switch (out_type) {
      case kTfLiteInt8:
        requantize8_rows(acc, ld_acc, rows, bias, multiplier, shift, zp, vlo,
                         vhi, kTfLiteInt8, out, ld_out, j);
        break;
      case kTfLiteUInt8:
        requantize8_rows(acc, ld_acc, rows, bias, multiplier, shift, zp, vlo,
                         vhi, kTfLiteUInt8, out, ld_out, j);
        break;
      default:
        requantize8_rows(acc, ld_acc, rows, bias, multiplier, shift, zp, vlo,
                         vhi, kTfLiteInt16, out, ld_out, j);
        break;
    }
  }
  return j;
}

/* The same on 16 lanes with AVX-512 (pl_q_mul16), every channel: a last
 * partial block reads and writes through masks. */
#define PL_AVX512 __attribute__((target("avx2,avx512f,avx512vl,avx512bw")))

PL_AVX512 static inline __attribute__((always_inline)) void requantize16_rows(
    const int32_t* acc, int64_t ld_acc, int64_t rows, const int32_t* bias,
    const int32_t* multiplier, const int* shift, __m512i zp, __m512i lo,
    __m512i hi, const TfLiteType type, void* out, int64_t ld_out, int64_t j,
    __mmask16 mask) {
  const PlQMul16 p =
      pl_q_mul16_params(_mm512_maskz_loadu_epi32(mask, multiplier + j),
                        _mm512_maskz_loadu_epi32(mask, shift + j));
  const __m512i b = bias ? _mm512_maskz_loadu_epi32(mask, bias + j)
                         : _mm512_setzero_si512();
  for (int64_t r = 0; r < rows; ++r) {
    const __m512i x = _mm512_add_epi32(
        _mm512_maskz_loadu_epi32(mask, acc + r * ld_acc + j), b);
    __m512i v = _mm512_add_epi32(pl_q_mul16(x, &p), zp);
    v = _mm512_min_epi32(_mm512_max_epi32(v, lo), hi);
    /* Truncating narrowing: the values are already in range. */
    const int64_t at = r * ld_out + j;
    if (type == kTfLiteInt16)
      _mm256_mask_storeu_epi16((int16_t*)out + at, mask,
                               _mm512_cvtepi32_epi16(v));
    else
      _mm_mask_storeu_epi8((int8_t*)out + at, mask, _mm512_cvtepi32_epi8(v));
  }
}

PL_AVX512 static void requantize_avx512(const int32_t* acc, int64_t ld_acc,
                                        int64_t rows, const int32_t* bias,
                                        const int32_t* multiplier,
                                        const int* shift, int32_t zero_point,
                                        int32_t lo, int32_t hi,
                                        TfLiteType out_type, void* out,
                                        int64_t ld_out, int64_t n) {
  const __m512i zp = _mm512_set1_epi32(zero_point);
  const __m512i vlo = _mm512_set1_epi32(lo), vhi = _mm512_set1_epi32(hi);
  for (int64_t j = 0; j < n; j += 16) {
    const __mmask16 mask =
        (__mmask16)(n - j >= 16 ? 0xFFFFu : (1u << (n - j)) - 1);
    if (out_type == kTfLiteInt16)
      requantize16_rows(acc, ld_acc, rows, bias, multiplier, shift, zp, vlo,
                        vhi, kTfLiteInt16, out, ld_out, j, mask);
    else
      requantize16_rows(acc, ld_acc, rows, bias, multiplier, shift, zp, vlo,
                        vhi, kTfLiteInt8, out, ld_out, j, mask);
  }
}
#endif /* PL_QUANT_X86 */

void pl_q_requantize_rows(const int32_t* acc, int64_t ld_acc, int64_t rows,
                          const int32_t* bias, const int32_t* multiplier,
                          const int* shift, int32_t zero_point, int32_t lo,
                          int32_t hi, TfLiteType out_type, void* out,
                          int64_t ld_out, int64_t n) {
  int64_t j0 = 0;
#ifdef PL_QUANT_X86
  _Static_assert(sizeof(int) == sizeof(int32_t), "shifts load as int32");
  if (pl_simd_avx512()) {
    requantize_avx512(acc, ld_acc, rows, bias, multiplier, shift, zero_point,
                      lo, hi, out_type, out, ld_out, n);
    return;
  }
  if (pl_simd_avx2())
    j0 = requantize_avx2(acc, ld_acc, rows, bias, multiplier, shift,
                         zero_point, lo, hi, out_type, out, ld_out, n);
#endif
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = j0; j < n; ++j) {
      const int32_t v =
          requantize_one(acc[r * ld_acc + j], bias ? bias[j] : 0,
                         multiplier[j], shift[j], zero_point, lo, hi);
      store_row(out_type, out, r * ld_out + j, &v, 1);
    }
}

void pl_q_requantize_row(const int32_t* acc, const int32_t* bias,
                         const int32_t* multiplier, const int* shift,
                         int32_t zero_point, int32_t lo, int32_t hi,
                         TfLiteType out_type, void* out, int64_t n) {
  pl_q_requantize_rows(acc, n, 1, bias, multiplier, shift, zero_point, lo, hi,
                       out_type, out, n, n);
}
