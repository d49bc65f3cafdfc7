/* pylite: integer and hybrid matrix-product helpers (see quant_matmul.h). */
#include "capi/kernels/internal/quant_matmul.h"

#include <math.h>
#include <string.h>

#include "capi/core/kernel.h"
#include "capi/kernels/internal/gemm.h"

#if (defined(__x86_64__) || defined(__i386__)) && \
    (defined(__GNUC__) || defined(__clang__))
#define PL_QMM_X86 1
#include <immintrin.h>
#endif

/* Symmetric: the largest magnitude maps to 127. */
static void quantize_symmetric(const float* x, int64_t n, int8_t* q,
                               float* factor) {
  float lo = n > 0 ? x[0] : 0.0f, hi = lo;
  for (int64_t i = 1; i < n; ++i) {
    if (x[i] < lo) lo = x[i];
    if (hi < x[i]) hi = x[i];
  }
  const float range = fmaxf(fabsf(lo), fabsf(hi));
  if (range == 0.0f) {
    memset(q, 0, (size_t)n);
    *factor = 1.0f;
    return;
  }
  *factor = range / 127.0f;
  const float inv = 127.0f / range;
  for (int64_t i = 0; i < n; ++i) {
    int32_t v = pl_qmm_to_int32(roundf(x[i] * inv));
    q[i] = (int8_t)(v < -127 ? -127 : (v > 127 ? 127 : v));
  }
}

/* Asymmetric: [min(x, 0), max(x, 0)] over [-128, 127], the zero point
 * taken from whichever end gives the smaller error, then nudged into
 * range and rounded. */
static void quantize_asymmetric(const float* x, int64_t n, int8_t* q,
                                float* factor, int32_t* offset) {
  float lo = n > 0 ? x[0] : 0.0f, hi = lo;
  for (int64_t i = 1; i < n; ++i) {
    if (x[i] < lo) lo = x[i];
    if (hi < x[i]) hi = x[i];
  }
  const double rmin = (double)(lo < 0.0f ? lo : 0.0f);
  const double rmax = (double)(hi > 0.0f ? hi : 0.0f);
  const double qmin = -128.0, qmax = 127.0;
  if (rmin == rmax) {
    memset(q, 0, (size_t)n);
    *factor = 1.0f;
    *offset = 0;
    return;
  }
  const double scale = (rmax - rmin) / (qmax - qmin);
  const double zp_from_min = qmin - rmin / scale;
  const double zp_from_max = qmax - rmax / scale;
  const double err_min = fabs(qmin) + fabs(rmin / scale);
  const double err_max = fabs(qmax) + fabs(rmax / scale);
  const double zp = err_min < err_max ? zp_from_min : zp_from_max;
  int32_t nudged;
  if (zp <= qmin) {
    nudged = -128;
  } else if (zp >= qmax) {
    nudged = 127;
  } else {
    nudged = (int8_t)pl_qmm_to_int32(round(zp)); /* NaN: 0, as x86 */
  }
  *factor = (float)scale;
  *offset = nudged;
  const float inv = 1.0f / *factor;
  for (int64_t i = 0; i < n; ++i) {
    int32_t v = pl_qmm_to_int32(roundf((float)nudged + x[i] * inv));
    q[i] = (int8_t)(v < -128 ? -128 : (v > 127 ? 127 : v));
  }
}

void pl_qmm_quantize_rows(const float* x, int64_t rows, int64_t depth,
                          bool asymmetric, int8_t* q, float* factors,
                          int32_t* offsets) {
  for (int64_t r = 0; r < rows; ++r) {
    if (asymmetric) {
      quantize_asymmetric(x + r * depth, depth, q + r * depth, &factors[r],
                          &offsets[r]);
    } else {
      quantize_symmetric(x + r * depth, depth, q + r * depth, &factors[r]);
      offsets[r] = 0;
    }
  }
}

void pl_qmm_row_sums(const int8_t* w, int64_t rows, int64_t depth,
                     int32_t* sums) {
  for (int64_t r = 0; r < rows; ++r) {
    uint32_t s = 0;
    for (int64_t d = 0; d < depth; ++d) s += (uint32_t)(int32_t)w[r * depth + d];
    sums[r] = (int32_t)s;
  }
}

#ifdef PL_QMM_X86
/* 16 products at a time: sign-extend to int16, multiply and add pairs into
 * int32 lanes (exact: |a * b| <= 2^14, a pair below 2^15 * 2). Integer sums
 * wrap the same in any order, so the result equals the portable loop. */
__attribute__((target("avx2"))) static int32_t dot_s8_avx2(const int8_t* a,
                                                           const int8_t* b,
                                                           int64_t n) {
  __m256i acc = _mm256_setzero_si256();
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m256i va =
        _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i*)(a + i)));
    const __m256i vb =
        _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i*)(b + i)));
    acc = _mm256_add_epi32(acc, _mm256_madd_epi16(va, vb));
  }
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(acc),
                            _mm256_extracti128_si256(acc, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));
  uint32_t total = (uint32_t)_mm_cvtsi128_si32(s);
  for (; i < n; ++i) total += (uint32_t)((int32_t)a[i] * (int32_t)b[i]);
  return (int32_t)total;
}
#endif

int32_t pl_qmm_dot_s8(const int8_t* a, const int8_t* b, int64_t n) {
#ifdef PL_QMM_X86
  if (n >= 16 && pl_simd_avx2()) return dot_s8_avx2(a, b, n);
#endif
  uint32_t s = 0;
  for (int64_t i = 0; i < n; ++i) s += (uint32_t)((int32_t)a[i] * (int32_t)b[i]);
  return (int32_t)s;
}

#ifdef PL_QMM_X86
/* One row against `cols` rows with AVX-512: the row's values widened to
 * int16 once per 32 of depth, each column's then multiplied and added in
 * pairs into its 16 int32 lanes (vpmaddwd; exact), the lanes summed at the
 * end. Wrapping int32 sums: the same as the portable loop. */
__attribute__((target("avx2,avx512f,avx512vl,avx512bw"))) static void
dots_s8_avx512(const int8_t* a, const int8_t* b, int64_t cols, int64_t depth,
               int32_t* out) {
  enum { kCols = 8 };
  int64_t j = 0;
  for (; j < cols; j += kCols) {
    const int64_t count = cols - j < kCols ? cols - j : kCols;
    __m512i acc[kCols];
    for (int c = 0; c < kCols; ++c) acc[c] = _mm512_setzero_si512();
    for (int64_t d = 0; d < depth; d += 32) {
      const __mmask32 mask = (__mmask32)(depth - d >= 32
                                             ? 0xFFFFFFFFu
                                             : (1u << (depth - d)) - 1);
      const __m512i va =
          _mm512_cvtepi8_epi16(_mm256_maskz_loadu_epi8(mask, a + d));
      for (int c = 0; c < count; ++c) {
        const __m512i vb = _mm512_cvtepi8_epi16(
            _mm256_maskz_loadu_epi8(mask, b + (j + c) * depth + d));
        acc[c] = _mm512_add_epi32(acc[c], _mm512_madd_epi16(va, vb));
      }
    }
    for (int c = 0; c < count; ++c) out[j + c] = _mm512_reduce_add_epi32(acc[c]);
  }
}
#endif

void pl_qmm_dots_s8(const int8_t* a, const int8_t* b, int64_t cols,
                    int64_t depth, int32_t* out) {
#ifdef PL_QMM_X86
  if (pl_simd_avx512()) {
    dots_s8_avx512(a, b, cols, depth, out);
    return;
  }
#endif
  for (int64_t j = 0; j < cols; ++j)
    out[j] = pl_qmm_dot_s8(a, b + j * depth, depth);
}

#ifdef PL_QMM_X86
/* pl_qmm_requant on 4 lanes: the product in double as the scalar one;
 * round() (half away from zero) as trunc(p) plus the sign of p where
 * |p - trunc(p)| >= 0.5 (exact: p - trunc(p) is); the truncating
 * conversion gives INT32_MIN for NaN and out-of-range values, as
 * pl_qmm_to_int32. Returns how many leading outputs it did. */
__attribute__((target("avx2"))) static int64_t requant_s8_avx2(
    const int32_t* acc, const double* scale, int32_t offset, int32_t lo,
    int32_t hi, int8_t* y, int64_t n) {
  const __m256d half = _mm256_set1_pd(0.5);
  const __m256d one = _mm256_set1_pd(1.0);
  const __m256d sign = _mm256_set1_pd(-0.0);
  const __m128i off = _mm_set1_epi32(offset);
  const __m128i vlo = _mm_set1_epi32(lo), vhi = _mm_set1_epi32(hi);
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const __m256d p = _mm256_mul_pd(
        _mm256_cvtepi32_pd(_mm_loadu_si128((const __m128i*)(acc + i))),
        _mm256_loadu_pd(scale + i));
    const __m256d t = _mm256_round_pd(p, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
    const __m256d away = _mm256_cmp_pd(
        _mm256_andnot_pd(sign, _mm256_sub_pd(p, t)), half, _CMP_GE_OQ);
    const __m256d step =
        _mm256_and_pd(away, _mm256_or_pd(one, _mm256_and_pd(p, sign)));
    __m128i v = _mm256_cvttpd_epi32(_mm256_add_pd(t, step));
    v = _mm_min_epi32(_mm_max_epi32(_mm_add_epi32(v, off), vlo), vhi);
    v = _mm_packs_epi32(v, v);
    v = _mm_packs_epi16(v, v);
    const int32_t four = _mm_cvtsi128_si32(v);
    memcpy(y + i, &four, 4);
  }
  return i;
}
#endif

#ifdef PL_QMM_X86
/* The same steps on 8 lanes with AVX-512. */
__attribute__((target("avx2,avx512f,avx512vl,avx512bw"))) static int64_t
requant_s8_avx512(const int32_t* acc, const double* scale, int32_t offset,
                  int32_t lo, int32_t hi, int8_t* y, int64_t n) {
  const __m512d half = _mm512_set1_pd(0.5);
  const __m512i one = _mm512_castpd_si512(_mm512_set1_pd(1.0));
  const __m512i sign = _mm512_set1_epi64((int64_t)0x8000000000000000ull);
  const __m256i off = _mm256_set1_epi32(offset);
  const __m256i vlo = _mm256_set1_epi32(lo), vhi = _mm256_set1_epi32(hi);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m512d p = _mm512_mul_pd(
        _mm512_cvtepi32_pd(_mm256_loadu_si256((const __m256i*)(acc + i))),
        _mm512_loadu_pd(scale + i));
    const __m512d t =
        _mm512_roundscale_pd(p, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
    const __mmask8 away =
        _mm512_cmp_pd_mask(_mm512_abs_pd(_mm512_sub_pd(p, t)), half,
                           _CMP_GE_OQ);
    const __m512d step = _mm512_castsi512_pd(
        _mm512_or_si512(one, _mm512_and_si512(_mm512_castpd_si512(p), sign)));
    __m256i v = _mm512_cvttpd_epi32(_mm512_mask_add_pd(t, away, t, step));
    v = _mm256_min_epi32(_mm256_max_epi32(_mm256_add_epi32(v, off), vlo), vhi);
    _mm_storel_epi64((__m128i*)(y + i), _mm256_cvtepi32_epi8(v));
  }
  return i;
}
#endif

void pl_qmm_requant_s8(const int32_t* acc, const double* scale,
                       int32_t offset, int32_t lo, int32_t hi, int8_t* y,
                       int64_t n) {
  int64_t i = 0;
#ifdef PL_QMM_X86
  if (pl_simd_avx512())
    i = requant_s8_avx512(acc, scale, offset, lo, hi, y, n);
  else if (pl_simd_avx2())
    i = requant_s8_avx2(acc, scale, offset, lo, hi, y, n);
#endif
  for (; i < n; ++i)
    y[i] = (int8_t)pl_qmm_requant(acc[i], scale[i], offset, lo, hi);
}

int32_t pl_qmm_dot_u8(const uint8_t* a, const uint8_t* b, int64_t n) {
  uint32_t s = 0;
  for (int64_t i = 0; i < n; ++i) s += (uint32_t)a[i] * (uint32_t)b[i];
  return (int32_t)s;
}

int64_t pl_qmm_dot_s16_s8(const int16_t* a, const int8_t* b, int64_t n) {
  int64_t s = 0;
  for (int64_t i = 0; i < n; ++i) s += (int32_t)a[i] * (int32_t)b[i];
  return s;
}

void pl_qmm_activation(float* y, int64_t n, int activation) {
  switch (activation) {
    case PL_ACT_RELU:
      for (int64_t i = 0; i < n; ++i) y[i] = 0.0f < y[i] ? y[i] : 0.0f;
      break;
    case PL_ACT_RELU_N1_TO_1:
      for (int64_t i = 0; i < n; ++i) {
        const float m = 1.0f < y[i] ? 1.0f : y[i];
        y[i] = -1.0f < m ? m : -1.0f;
      }
      break;
    case PL_ACT_RELU6:
      for (int64_t i = 0; i < n; ++i) {
        const float m = 6.0f < y[i] ? 6.0f : y[i];
        y[i] = 0.0f < m ? m : 0.0f;
      }
      break;
    case PL_ACT_TANH:
      for (int64_t i = 0; i < n; ++i) y[i] = tanhf(y[i]);
      break;
    case PL_ACT_SIGN_BIT:
      for (int64_t i = 0; i < n; ++i) y[i] = signbit(y[i]) ? 1.0f : 0.0f;
      break;
    default:
      break;
  }
}
