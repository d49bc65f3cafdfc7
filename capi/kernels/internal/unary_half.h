/* pylite: float16 and bfloat16 conversions, as TFLite does them.
 *
 * float16 (IEEE binary16) from float32 rounds to nearest even, overflows
 * to infinity at 65520, and turns every NaN into the quiet NaN 0x7E00
 * with the input's sign (the FP16 library TFLite uses). bfloat16 from
 * float32 rounds to nearest even, NaN becoming 0x7FC0 / 0xFFC0 (Eigen).
 * Widening to float32 is exact. Header-only, like unary_common.h. */
#ifndef PYLITE_KERNELS_INTERNAL_UNARY_HALF_H_
#define PYLITE_KERNELS_INTERNAL_UNARY_HALF_H_

#include <stdint.h>
#include <string.h>

static inline uint32_t pl_half_f32_bits(float f) {
  uint32_t u;
  memcpy(&u, &f, sizeof(u));
  return u;
}

static inline float pl_half_bits_f32(uint32_t u) {
  float f;
  memcpy(&f, &u, sizeof(f));
  return f;
}

static inline float pl_f16_to_f32(uint16_t h) {
  const uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1fu;
  const uint32_t mant = h & 0x3ffu;
  if (exp == 0x1f) /* inf or NaN: keep the payload */
    return pl_half_bits_f32(sign | 0x7f800000u | (mant << 13));
  if (exp == 0) { /* zero or subnormal: mant * 2^-24, exact in float */
    const float v = (float)mant * 5.9604644775390625e-8f;
    return sign ? -v : v;
  }
  return pl_half_bits_f32(sign | ((exp + 112u) << 23) | (mant << 13));
}

static inline uint16_t pl_f32_to_f16(float x) {
  uint32_t f = pl_half_f32_bits(x);
  const uint16_t sign = (uint16_t)((f >> 16) & 0x8000u);
  f &= 0x7fffffffu;
  if (f > 0x7f800000u) return sign | 0x7e00u;  /* NaN */
  if (f >= 0x477ff000u) return sign | 0x7c00u; /* >= 65520: infinity */
  if (f < 0x38800000u) {
    /* Below 2^-14: a subnormal or zero. Adding 0.5 puts the half's last
     * mantissa bit at the float's, so the FPU rounds to nearest even. */
    const float v = pl_half_bits_f32(f) + 0.5f;
    return sign | (uint16_t)(pl_half_f32_bits(v) - 0x3f000000u);
  }
  const uint32_t odd = (f >> 13) & 1u;
  f += 0xc8000000u + 0xfffu + odd; /* rebias the exponent by -112, round */
  return sign | (uint16_t)(f >> 13);
}

static inline float pl_bf16_to_f32(uint16_t b) {
  return pl_half_bits_f32((uint32_t)b << 16);
}

static inline uint16_t pl_f32_to_bf16(float x) {
  const uint32_t f = pl_half_f32_bits(x);
  if (x != x) return (f & 0x80000000u) ? 0xffc0u : 0x7fc0u;
  return (uint16_t)((f + 0x7fffu + ((f >> 16) & 1u)) >> 16);
}

#endif /* PYLITE_KERNELS_INTERNAL_UNARY_HALF_H_ */
