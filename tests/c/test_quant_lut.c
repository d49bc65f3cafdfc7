/* pylite: tests of the quantized activations' shared math
 * (capi/kernels/internal/quant_lut.c): table construction and lookup,
 * gemmlowp-style fixed point, and the float-to-int conversion LiteRT relies
 * on. Values are worked by hand or bounded by the exact real result; the
 * bit-exact comparison with LiteRT is the conformance group "qunary". */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capi/kernels/internal/quant_lut.h"
#include "check.h"

static float identity(float x, const void* ctx) {
  (void)ctx;
  return x;
}

static float plus_offset(float x, const void* ctx) {
  return x + *(const float*)ctx;
}

static double identity_f64(double x) { return x; }

/* Real value of a Q(bits) raw number. */
static double real_of(int32_t raw, int integer_bits) {
  return (double)raw / (double)((int64_t)1 << (31 - integer_bits));
}

static void test_conversion(void) {
  CHECK(pl_q_f32_to_i32(-2.5f) == -2);
  CHECK(pl_q_f32_to_i32(2.9f) == 2);
  CHECK(pl_q_f32_to_i32(-2147483648.0f) == INT32_MIN);
  CHECK(pl_q_f32_to_i32(3e9f) == INT32_MIN);
  CHECK(pl_q_f32_to_i32(-3e9f) == INT32_MIN);
  CHECK(pl_q_f32_to_i32(NAN) == INT32_MIN);
  CHECK(pl_q_f32_to_i32(INFINITY) == INT32_MIN);
}

static void test_lut8(void) {
  uint8_t lut[256];
  /* Same parameters, identity: every byte maps to itself. */
  pl_q_lut8_populate(kTfLiteInt8, 0.1f, 3, 0.1f, 3, identity, NULL, lut);
  int same = 1;
  for (int v = -128; v <= 127; ++v) same &= (int8_t)lut[(uint8_t)v] == v;
  CHECK(same);
  /* Halving the scale doubles the offset from the zero point, clamped:
   * int8 v -> 2 (v - 3) + 3 within [-128, 127]. */
  pl_q_lut8_populate(kTfLiteInt8, 0.1f, 3, 0.05f, 3, identity, NULL, lut);
  CHECK((int8_t)lut[(uint8_t)(int8_t)10] == 17);
  CHECK((int8_t)lut[(uint8_t)(int8_t)-100] == -128);
  CHECK((int8_t)lut[(uint8_t)(int8_t)127] == 127);
  /* uint8 with an offset of half a step: ties round away from zero. */
  const float half = 0.05f;
  pl_q_lut8_populate(kTfLiteUInt8, 0.1f, 128, 0.1f, 128, plus_offset, &half,
                     lut);
  CHECK(lut[128] == 129); /* 0.05 / 0.1 = 0.5 rounds up */
  CHECK(lut[255] == 255);
  CHECK(lut[0] == 0);     /* -12.75 / 0.1 = -127.5 -> -128, + 128 */
}

static void test_lut16(void) {
  int16_t lut[PL_LUT16_SIZE];
  /* Identity at one scale. The 512 steps span [-1, 32767/32768], so a
   * step is 65535/65536 of 1/256: sample 256 is at -1/65536, i.e. -0.5 in
   * output units, which rounds away from zero to -1 (LiteRT's table has
   * the same quirk: its identity maps 0 to -1). */
  pl_q_lut16_populate(1.0f / 32768, 0, 1.0f / 32768, 0, identity, NULL, lut);
  CHECK(lut[0] == -32768);
  CHECK(lut[256] == -1);
  CHECK(lut[512] == 32767);
  CHECK(pl_q_lut16_lookup(-32768, lut) == -32768);
  CHECK(pl_q_lut16_lookup(0, lut) == -1);
  CHECK(pl_q_lut16_lookup(-777, lut) == -778);
  CHECK(pl_q_lut16_lookup(32767, lut) == 32766);
  int near = 1;
  for (int v = -32768; v <= 32767; v += 7)
    near &= abs(pl_q_lut16_lookup((int16_t)v, lut) - v) <= 1;
  CHECK(near);
  int16_t lut64[PL_LUT16_SIZE];
  pl_q_lut16_populate_f64(1.0 / 32768, 0, 1.0 / 32768, 0, identity_f64,
                          lut64);
  /* The double table rounds its own way, within one unit. */
  int close = 1;
  for (int i = 0; i < PL_LUT16_SIZE; ++i) close &= abs(lut64[i] - lut[i]) <= 1;
  CHECK(close);
  CHECK(lut64[0] == -32768 && lut64[512] == 32767);
}

/* LiteRT's table definition as written (fn three times per step: start,
 * middle, end), for pl_q_lut16_populate to match bit for bit. */
static void lut16_reference(float input_scale, int32_t input_zp,
                            float output_scale, int32_t output_zp, PlLutFn fn,
                            int16_t* lut) {
  const float input_min = input_scale * (float)(-32768 - input_zp);
  const float input_max = input_scale * (float)(32767 - input_zp);
  const float output_min = output_scale * (float)(-32768 - output_zp);
  const float output_max = output_scale * (float)(32767 - output_zp);
  const int steps = PL_LUT16_SIZE - 1;
  const float step = (input_max - input_min) / (float)steps;
  const float half_step = step / 2.0f;
  const float inv = 65536.0f / (output_max - output_min);
  for (int i = 0; i <= steps; ++i) {
    float v;
    if (i == steps) {
      v = roundf(fn(input_max, NULL) * inv);
    } else {
      const float val = fn(input_min + (float)i * step, NULL);
      const float mid = fn(input_min + (float)i * step + half_step, NULL);
      const float next = fn(input_min + (float)(i + 1) * step, NULL);
      const float interp = roundf((next * inv + roundf(val * inv)) / 2.0f);
      v = roundf(val * inv) - roundf((interp - roundf(mid * inv)) / 2.0f);
    }
    v = v < -32768.0f ? -32768.0f : v;
    v = 32767.0f < v ? 32767.0f : v;
    lut[i] = (int16_t)(uint16_t)(uint32_t)pl_q_f32_to_i32(v);
  }
}

static float tanh_fn(float x, const void* ctx) {
  (void)ctx;
  return tanhf(x);
}

/* Random scales and zero points, and a scale whose range overflows to an
 * infinite step: the table is the reference's. */
static void test_lut16_definition(void) {
  static const float kScales[][2] = {{1.0f / 4096, 1.0f / 32768},
                                     {0.01f, 0.0001f},
                                     {3e-6f, 2e-5f},
                                     {1e38f, 1.0f / 32768}};
  for (size_t c = 0; c < sizeof(kScales) / sizeof(kScales[0]); ++c) {
    for (int zp = -5; zp <= 5; zp += 5) {
      int16_t got[PL_LUT16_SIZE], want[PL_LUT16_SIZE];
      pl_q_lut16_populate(kScales[c][0], zp, kScales[c][1], 0, tanh_fn, NULL,
                          got);
      lut16_reference(kScales[c][0], zp, kScales[c][1], 0, tanh_fn, want);
      CHECK(memcmp(got, want, sizeof(got)) == 0);
    }
  }
}

static void test_sigmoid_table(void) {
  CHECK(pl_q_sigmoid_table[0] == 32768);
  CHECK(pl_q_sigmoid_table[255] == 65535);
  /* sigmoid(i / 24) * 65536 within about one unit (LiteRT's values are not
   * all the nearest integers). */
  int close = 1;
  for (int i = 0; i < 256; ++i) {
    const double exact = 65536.0 / (1.0 + exp(-i / 24.0));
    close &= fabs(pl_q_sigmoid_table[i] - exact) <= 1.2;
  }
  CHECK(close);
}

static void test_fixed_point(void) {
  /* Saturating / rounding powers of two. */
  CHECK(pl_fx_mul_pot(3, 2) == 12);
  CHECK(pl_fx_mul_pot(1 << 29, 2) == INT32_MAX);
  CHECK(pl_fx_mul_pot(-(1 << 29), 2) == INT32_MIN);
  CHECK(pl_fx_mul_pot(6, -2) == 2);   /* 1.5 rounds away from zero */
  CHECK(pl_fx_mul_pot(-6, -2) == -2); /* -1.5 -> -2 */
  CHECK(pl_fx_rescale(1 << 30, 0, 12) == 1 << 18);
  /* exp on Q5.26 inputs: exp(0) saturates to 1.0 (INT32_MAX). */
  CHECK(pl_fx_exp_on_negative_values(0, 5) == INT32_MAX);
  int close = 1;
  for (int k = 1; k <= 40; ++k) {
    const double x = -0.25 * k;
    const int32_t raw = (int32_t)(x * (1 << 26));
    const double got = real_of(pl_fx_exp_on_negative_values(raw, 5), 0);
    close &= fabs(got - exp(x)) < 1e-6;
  }
  CHECK(close);
  /* 1 / (1 + x) for x in [0, 1), and the reciprocal of a Q12.19 sum. */
  close = 1;
  for (int k = 0; k < 16; ++k) {
    const double x = k / 16.0;
    const int32_t raw = (int32_t)(x * 2147483648.0);
    close &= fabs(real_of(pl_fx_one_over_one_plus_x(raw), 0) -
                  1.0 / (1.0 + x)) < 1e-8;
  }
  CHECK(close);
  int bits = 0;
  /* 1 / 5: 5 is 1.25 * 2^2, so 0.8 and 2 bits over unit. */
  const int32_t recip = pl_fx_reciprocal(5 << 19, 12, &bits);
  CHECK(bits == 2);
  CHECK(fabs(real_of(recip, 0) - 0.8) < 1e-8);
  /* log(x) for x >= 1: Q12.19 in, Q5.26 out. */
  CHECK(pl_fx_log_x_ge_1(1 << 19, 12, 5) == 0 ||
        fabs(real_of(pl_fx_log_x_ge_1(1 << 19, 12, 5), 5)) < 1e-6);
  close = 1;
  for (int k = 1; k < 4000; k += 37) {
    const double got = real_of(pl_fx_log_x_ge_1(k << 19, 12, 5), 5);
    close &= fabs(got - log((double)k)) < 1e-6;
  }
  CHECK(close);
}

static void test_inv_sqrt(void) {
  int32_t m = 0;
  int s = 0;
  /* 0 and 1 are treated as 1: the largest multiplier, no shift. */
  pl_fx_inv_sqrt(0, -1, &m, &s);
  CHECK(m == INT32_MAX && s == 0);
  pl_fx_inv_sqrt(1, -1, &m, &s);
  CHECK(m == INT32_MAX && s == 0);
  int close = 1;
  const int32_t inputs[] = {2, 4, 9, 100, 255 * 255, 1 << 20, 123456789,
                            INT32_MAX};
  for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); ++i) {
    pl_fx_inv_sqrt(inputs[i], -1, &m, &s);
    const double got = (double)m * ldexp(1.0, s - 31);
    close &= fabs(got * sqrt((double)inputs[i]) - 1.0) < 2e-6;
  }
  CHECK(close);
}

int main(void) {
  test_conversion();
  test_lut8();
  test_lut16();
  test_lut16_definition();
  test_sigmoid_table();
  test_fixed_point();
  test_inv_sqrt();
  return CHECK_SUMMARY();
}
