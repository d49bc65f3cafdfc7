/* pylite: the AVX-512 form of pl_q_mul (quant.h) on 16 lanes, for the
 * output stages of the VNNI convolution kernels (quant_conv.c). Include
 * only on x86 with GCC or Clang; callers are compiled for AVX-512 F, VL and
 * BW and chosen at run time.
 *
 * pl_q_mul rounds twice: h = floor((x * m + 2^30) / 2^31) (the high
 * multiply; m >= 0, so it never saturates), then h / 2^r to nearest, ties
 * away from zero, i.e. floor((h + 2^(r-1) - [h < 0]) / 2^r) for r >= 1.
 * Nested floor divisions merge (floor((floor(a / B) + c) / D) =
 * floor((a + c B) / (B D))), so with p = x * m in a 64-bit lane both are one
 * addition and one arithmetic shift by 31 + r:
 *   (p + 2^30 + 2^(30 + r) - [h < 0] 2^31) >> (31 + r)     (r >= 1)
 *   (p + 2^30) >> 31                                       (r = 0).
 * h < 0 can be read as p < 0: they differ only for -2^30 <= p < 0, where
 * h = 0 and both forms give 0. The sums stay below 2^63 for r <= 31. */
#ifndef PYLITE_KERNELS_INTERNAL_QUANT_AVX512_H_
#define PYLITE_KERNELS_INTERNAL_QUANT_AVX512_H_

#include <immintrin.h>
#include <stdbool.h>

#define PL_Q_AVX512 \
  __attribute__((target("avx2,avx512f,avx512vl,avx512bw"), always_inline))

/* pl_q_mul's parameters for 16 channels (their multipliers and shifts),
 * derived once for many rows: the
 * left shifts, the multipliers (even lanes' in place, odd lanes' moved
 * down), and per 64-bit lane (even channels, odd channels) the addend, the
 * correction of negative products and the right shift 31 + r. */
typedef struct PlQMul16 {
  bool any_left; /* some shift is positive (else left is 0: skipped) */
  __m512i left, multiplier, multiplier_odd;
  __m512i add_even, add_odd, neg_even, neg_odd, shift_even, shift_odd;
} PlQMul16;

/* The 64-bit lane parameters of 8 channels' right shifts r (int32). */
PL_Q_AVX512 static inline void pl_q_mul16_lanes(__m256i right, __m512i* add,
                                                __m512i* neg,
                                                __m512i* shift) {
  const __m512i r = _mm512_cvtepi32_epi64(right);
  const __m512i one = _mm512_set1_epi64(1);
  const __mmask8 rounds = _mm512_cmpgt_epi64_mask(r, _mm512_setzero_si512());
  *add = _mm512_add_epi64(
      _mm512_set1_epi64((int64_t)1 << 30),
      _mm512_maskz_sllv_epi64(rounds, one,
                              _mm512_add_epi64(r, _mm512_set1_epi64(30))));
  *neg = _mm512_maskz_mov_epi64(rounds, _mm512_set1_epi64((int64_t)1 << 31));
  *shift = _mm512_add_epi64(r, _mm512_set1_epi64(31));
}

PL_Q_AVX512 static inline PlQMul16 pl_q_mul16_params(__m512i m, __m512i s) {
  const __m512i zero = _mm512_setzero_si512();
  PlQMul16 p;
  p.left = _mm512_max_epi32(s, zero);
  p.any_left = _mm512_test_epi32_mask(p.left, p.left) != 0;
  p.multiplier = m;
  p.multiplier_odd = _mm512_srli_epi64(m, 32);
  const __m512i right = _mm512_max_epi32(_mm512_sub_epi32(zero, s), zero);
  /* Even channels are the low halves of the 64-bit lanes. */
  const __m512i even_idx =
      _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 0, 0, 0, 0, 0, 0, 0, 0);
  const __m512i odd_idx =
      _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 0, 0, 0, 0, 0, 0, 0, 0);
  pl_q_mul16_lanes(
      _mm512_castsi512_si256(_mm512_permutexvar_epi32(even_idx, right)),
      &p.add_even, &p.neg_even, &p.shift_even);
  pl_q_mul16_lanes(
      _mm512_castsi512_si256(_mm512_permutexvar_epi32(odd_idx, right)),
      &p.add_odd, &p.neg_odd, &p.shift_odd);
  return p;
}

/* The same parameters for one multiplier and shift in every lane (cheap
 * enough to derive for each short row). */
PL_Q_AVX512 static inline PlQMul16 pl_q_mul16_uniform(int32_t multiplier,
                                                      int shift) {
  const int right = shift > 0 ? 0 : -shift;
  PlQMul16 p;
  p.any_left = shift > 0;
  p.left = _mm512_set1_epi32(shift > 0 ? shift : 0);
  p.multiplier = p.multiplier_odd = _mm512_set1_epi32(multiplier);
  p.add_even = p.add_odd = _mm512_set1_epi64(
      ((int64_t)1 << 30) + (right >= 1 ? (int64_t)1 << (30 + right) : 0));
  p.neg_even = p.neg_odd =
      _mm512_set1_epi64(right >= 1 ? (int64_t)1 << 31 : 0);
  p.shift_even = p.shift_odd = _mm512_set1_epi64(31 + right);
  return p;
}

/* One 64-bit lane form: (p + add - [p < 0] neg) >> shift. */
PL_Q_AVX512 static inline __m512i pl_q_mul16_round(__m512i p, __m512i add,
                                                   __m512i neg,
                                                   __m512i shift) {
  const __mmask8 negative =
      _mm512_cmplt_epi64_mask(p, _mm512_setzero_si512());
  const __m512i t = _mm512_add_epi64(p, add);
  return _mm512_srav_epi64(_mm512_mask_sub_epi64(t, negative, t, neg), shift);
}

/* pl_q_mul on 16 lanes. */
PL_Q_AVX512 static inline __m512i pl_q_mul16(__m512i x, const PlQMul16* p) {
  const __m512i xs = p->any_left ? _mm512_sllv_epi32(x, p->left) : x;
  const __m512i even = pl_q_mul16_round(_mm512_mul_epi32(xs, p->multiplier),
                                        p->add_even, p->neg_even,
                                        p->shift_even);
  const __m512i odd = pl_q_mul16_round(
      _mm512_mul_epi32(_mm512_srli_epi64(xs, 32), p->multiplier_odd),
      p->add_odd, p->neg_odd, p->shift_odd);
  /* The low halves of the 64-bit results, back in channel order. */
  const __m512i idx = _mm512_setr_epi32(0, 16, 2, 18, 4, 20, 6, 22, 8, 24,
                                        10, 26, 12, 28, 14, 30);
  return _mm512_permutex2var_epi32(even, idx, odd);
}

/* The whole output stage of 16 channels: clamp(pl_q_mul(x) + zero_point,
 * lo, hi) (the addition wrapping), as 16 bytes, int8 or (u8) uint8; lo and
 * hi are that type's values in every byte. The narrowing saturates to the
 * type (the clamp's bounds lie inside it), then the clamp works on bytes. */
PL_Q_AVX512 static inline __m128i pl_q_out16(__m512i x, const PlQMul16* p,
                                             __m512i zero_point, __m128i lo,
                                             __m128i hi, const bool u8) {
  const __m512i v = _mm512_add_epi32(pl_q_mul16(x, p), zero_point);
  __m128i bytes;
  if (u8) {
    bytes = _mm512_cvtusepi32_epi8(_mm512_max_epi32(v, _mm512_setzero_si512()));
    bytes = _mm_min_epu8(_mm_max_epu8(bytes, lo), hi);
  } else {
    bytes = _mm_min_epi8(_mm_max_epi8(_mm512_cvtsepi32_epi8(v), lo), hi);
  }
  /* Kept in a register: the narrowing store to memory (which compilers
   * would fuse it into) is much slower than the narrowing plus a store. */
  __asm__("" : "+v"(bytes));
  return bytes;
}

/* pl_q_out16 (int8) on four vectors with the same parameters (four rows
 * of one block of channels), the same bytes: narrowed together by two
 * rounds of packs saturating to int16 then to int8, which is one
 * saturation to int8, and clamped as 64 bytes, instead of four narrowings
 * and clamps. out[i] are x[i]'s 16 bytes. */
PL_Q_AVX512 static inline void pl_q_out16x4(const __m512i x[4],
                                            const PlQMul16* p,
                                            __m512i zero_point, __m128i lo,
                                            __m128i hi, __m128i out[4]) {
  __m512i v[4];
  for (int i = 0; i < 4; ++i)
    v[i] = _mm512_add_epi32(pl_q_mul16(x[i], p), zero_point);
  const __m512i v01 = _mm512_packs_epi32(v[0], v[1]);
  const __m512i v23 = _mm512_packs_epi32(v[2], v[3]);
  __m512i b = _mm512_packs_epi16(v01, v23);
  /* Each 128-bit lane holds 4 bytes of every vector (as dwords 0-3 in
   * vector order): gather each vector's dwords into one lane. */
  b = _mm512_permutexvar_epi32(
      _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15),
      b);
  const __m512i l = _mm512_broadcast_i32x4(lo), h = _mm512_broadcast_i32x4(hi);
  b = _mm512_min_epi8(_mm512_max_epi8(b, l), h);
  out[0] = _mm512_castsi512_si128(b);
  out[1] = _mm512_extracti32x4_epi32(b, 1);
  out[2] = _mm512_extracti32x4_epi32(b, 2);
  out[3] = _mm512_extracti32x4_epi32(b, 3);
}

#endif /* PYLITE_KERNELS_INTERNAL_QUANT_AVX512_H_ */
