/* pylite: vectorized rows of the quantized kernels (see quant_rows.h). */
#include "capi/kernels/internal/quant_rows.h"

#include "capi/kernels/internal/gemm.h" /* pl_simd_avx2 */

#if (defined(__x86_64__) || defined(__i386__)) && \
    (defined(__GNUC__) || defined(__clang__))
#define PL_QROWS_X86 1
#include <immintrin.h>

#include "capi/kernels/internal/quant_avx2.h"
#define PL_QROWS_AVX2 __attribute__((target("avx2")))
#endif

static void qrows_store(TfLiteType type, void* out, int64_t k, int32_t v) {
  switch (type) {
    case kTfLiteInt8: ((int8_t*)out)[k] = (int8_t)v; break;
    case kTfLiteUInt8: ((uint8_t*)out)[k] = (uint8_t)v; break;
    default: ((int16_t*)out)[k] = (int16_t)v; break;
  }
}

#ifdef PL_QROWS_X86
/* Stores 8 lanes already within the type's range (the packs' saturation
 * then changes nothing). */
PL_QROWS_AVX2 static inline void qrows_store8(TfLiteType type, void* out,
                                              int64_t k, __m256i v) {
  const __m128i v16 = _mm_packs_epi32(_mm256_castsi256_si128(v),
                                      _mm256_extracti128_si256(v, 1));
  switch (type) {
    case kTfLiteInt8:
      _mm_storel_epi64((__m128i*)((int8_t*)out + k), _mm_packs_epi16(v16, v16));
      break;
    case kTfLiteUInt8:
      _mm_storel_epi64((__m128i*)((uint8_t*)out + k),
                       _mm_packus_epi16(v16, v16));
      break;
    default:
      _mm_storeu_si128((__m128i*)((int16_t*)out + k), v16);
      break;
  }
}

/* roundf in lanes (pl_roundf8); the conversion (cvttps2dq) gives INT32_MIN
 * out of range and for NaN, as the scalar. */
PL_QROWS_AVX2 static int64_t quantize_f32_avx2(const float* x, int64_t n,
                                               float scale,
                                               int32_t zero_point, int32_t lo,
                                               int32_t hi, TfLiteType type,
                                               void* out) {
  const __m256 vscale = _mm256_set1_ps(scale);
  const __m256i zp = _mm256_set1_epi32(zero_point);
  const __m256i vlo = _mm256_set1_epi32(lo), vhi = _mm256_set1_epi32(hi);
  int64_t k = 0;
  for (; k + 8 <= n; k += 8) {
    const __m256 q = _mm256_div_ps(_mm256_loadu_ps(x + k), vscale);
    const __m256i i = _mm256_cvttps_epi32(pl_roundf8(q));
    const __m256i v = _mm256_add_epi32(i, zp);
    qrows_store8(type, out, k, _mm256_min_epi32(_mm256_max_epi32(v, vlo), vhi));
  }
  return k;
}

/* The same steps on 16 lanes (the division is the cost: AVX-512 does
 * twice the lanes per instruction). */
__attribute__((target("avx2,avx512f,avx512vl,avx512bw"))) static int64_t
quantize_f32_avx512(const float* x, int64_t n, float scale,
                    int32_t zero_point, int32_t lo, int32_t hi,
                    TfLiteType type, void* out) {
  const __m512 vscale = _mm512_set1_ps(scale);
  const __m512 half = _mm512_set1_ps(0.5f);
  const __m512i sign = _mm512_set1_epi32((int32_t)0x80000000u);
  const __m512i one = _mm512_castps_si512(_mm512_set1_ps(1.0f));
  const __m512i zp = _mm512_set1_epi32(zero_point);
  const __m512i vlo = _mm512_set1_epi32(lo), vhi = _mm512_set1_epi32(hi);
  int64_t k = 0;
  for (; k + 16 <= n; k += 16) {
    const __m512 q = _mm512_div_ps(_mm512_loadu_ps(x + k), vscale);
    const __m512 t =
        _mm512_roundscale_ps(q, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
    const __m512 frac = _mm512_abs_ps(_mm512_sub_ps(q, t));
    const __mmask16 up = _mm512_cmp_ps_mask(frac, half, _CMP_GE_OQ);
    const __m512 step = _mm512_castsi512_ps(_mm512_or_si512(
        one, _mm512_and_si512(_mm512_castps_si512(q), sign)));
    const __m512i i = _mm512_cvttps_epi32(_mm512_mask_add_ps(t, up, t, step));
    const __m512i v = _mm512_min_epi32(
        _mm512_max_epi32(_mm512_add_epi32(i, zp), vlo), vhi);
    switch (type) {
      case kTfLiteInt8:
      case kTfLiteUInt8:
        _mm_storeu_si128((__m128i*)((uint8_t*)out + k),
                         _mm512_cvtepi32_epi8(v));
        break;
      default:
        _mm256_storeu_si256((__m256i*)((int16_t*)out + k),
                            _mm512_cvtepi32_epi16(v));
        break;
    }
  }
  return k;
}
#endif

void pl_q_quantize_f32_row(const float* x, int64_t n, float scale,
                           int32_t zero_point, int32_t lo, int32_t hi,
                           TfLiteType out_type, void* out) {
  int64_t k = 0;
#ifdef PL_QROWS_X86
  int32_t tlo = 0, thi = 0;
  pl_q_type_range(out_type, &tlo, &thi);
  if (pl_simd_avx512() && tlo <= lo && lo <= hi && hi <= thi)
    k = quantize_f32_avx512(x, n, scale, zero_point, lo, hi, out_type, out);
  if (pl_simd_avx2() && tlo <= lo && lo <= hi && hi <= thi)
    k += quantize_f32_avx2(x + k, n - k, scale, zero_point, lo, hi, out_type,
                           (char*)out + k * (int64_t)pl_type_size(out_type));
#endif
  for (; k < n; ++k)
    qrows_store(out_type, out, k,
                pl_q_quantize_f32_one(x[k], scale, zero_point, lo, hi));
}
