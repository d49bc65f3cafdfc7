/* pylite: the AVX2 form of pl_q_mul (quant.h) on 8 lanes, shared by the
 * vectorized output stages (quant.c's pl_q_requantize_rows and the fused
 * int8 convolution GEMM in quant_conv.c), and roundf on 8 lanes, shared by
 * the float quantizers (quant_rows.c, quant_seq.c). Include only on x86
 * with GCC or Clang; callers are compiled for AVX2 (or more) and chosen at
 * run time. */
#ifndef PYLITE_KERNELS_INTERNAL_QUANT_AVX2_H_
#define PYLITE_KERNELS_INTERNAL_QUANT_AVX2_H_

#include <immintrin.h>

#define PL_Q_AVX2 __attribute__((target("avx2"), always_inline))

/* pl_q_high_mul on the even 32-bit lanes of a and b (as 64-bit lanes),
 * before its final shift: the product plus 2^30. The nudge by the sign and
 * the division truncating toward zero amount to rounding half up, i.e.
 * floor((ab + 2^30) / 2^31), whose 32 bits are bits 31..62 of this sum
 * (an arithmetic shift's low half). The saturating case cannot occur:
 * multipliers are non-negative. */
PL_Q_AVX2 static inline __m256i pl_q_high_mul_even(__m256i a, __m256i b) {
  return _mm256_add_epi64(_mm256_mul_epi32(a, b),
                          _mm256_set1_epi64x((int64_t)1 << 30));
}

/* pl_q_mul's per-lane parameters for 8 channels, derived once for many
 * rows: the left and right shifts, the rounding mask and its half, and the
 * odd lanes' multipliers moved into the even lanes. */
typedef struct PlQMul8 {
  __m256i multiplier, multiplier_odd, left, right, mask, half;
} PlQMul8;

PL_Q_AVX2 static inline PlQMul8 pl_q_mul8_params(__m256i multiplier,
                                                  __m256i shift) {
  const __m256i zero = _mm256_setzero_si256();
  const __m256i one = _mm256_set1_epi32(1);
  PlQMul8 p;
  p.multiplier = multiplier;
  p.multiplier_odd = _mm256_srli_epi64(multiplier, 32);
  p.left = _mm256_max_epi32(shift, zero);
  p.right = _mm256_max_epi32(_mm256_sub_epi32(zero, shift), zero);
  p.mask = _mm256_sub_epi32(_mm256_sllv_epi32(one, p.right), one);
  p.half = _mm256_srli_epi32(p.mask, 1);
  return p;
}

/* pl_q_mul on 8 lanes. */
PL_Q_AVX2 static inline __m256i pl_q_mul8(__m256i x, const PlQMul8* p) {
  const __m256i zero = _mm256_setzero_si256();
  const __m256i xs = _mm256_sllv_epi32(x, p->left);
  /* Bits 31..62 of each sum: shifted down into the even lanes, up into the
   * odd ones. */
  const __m256i even =
      _mm256_srli_epi64(pl_q_high_mul_even(xs, p->multiplier), 31);
  const __m256i odd = _mm256_slli_epi64(
      pl_q_high_mul_even(_mm256_srli_epi64(xs, 32), p->multiplier_odd), 1);
  const __m256i v = _mm256_blend_epi32(even, odd, 0xAA);
  /* Rounding right shift, ties away from zero. */
  const __m256i remainder = _mm256_and_si256(v, p->mask);
  const __m256i threshold =
      _mm256_sub_epi32(p->half, _mm256_cmpgt_epi32(zero, v));
  return _mm256_sub_epi32(_mm256_srav_epi32(v, p->right),
                          _mm256_cmpgt_epi32(remainder, threshold));
}

/* roundf in lanes: the truncation, plus one away from zero when the
 * (exact) fraction is at least one half; NaN stays NaN. */
PL_Q_AVX2 static inline __m256 pl_roundf8(__m256 p) {
  const __m256 sign = _mm256_set1_ps(-0.0f);
  const __m256 t = _mm256_round_ps(p, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
  const __m256 away = _mm256_cmp_ps(_mm256_andnot_ps(sign, _mm256_sub_ps(p, t)),
                                    _mm256_set1_ps(0.5f), _CMP_GE_OQ);
  return _mm256_add_ps(
      t, _mm256_and_ps(away, _mm256_or_ps(_mm256_set1_ps(1.0f),
                                          _mm256_and_ps(p, sign))));
}

#endif /* PYLITE_KERNELS_INTERNAL_QUANT_AVX2_H_ */
