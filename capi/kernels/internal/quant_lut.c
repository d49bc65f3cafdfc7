/* pylite: lookup tables and fixed-point math of the quantized activations
 * (see quant_lut.h). */
#include "capi/kernels/internal/quant_lut.h"

#include <math.h>

#include "capi/kernels/internal/simd.h"

#if (defined(__x86_64__) || defined(__i386__)) && \
    (defined(__GNUC__) || defined(__clang__))
#define PL_LUT_X86 1
#include <immintrin.h>
#define PL_LUT_AVX2 __attribute__((target("avx2")))
#endif

void pl_q_lut8_populate(TfLiteType type, float input_scale,
                        int32_t input_zero_point, float output_scale,
                        int32_t output_zero_point, PlLutFn fn,
                        const void* ctx, uint8_t lut[256]) {
  const int32_t lo = type == kTfLiteInt8 ? -128 : 0;
  const int32_t hi = type == kTfLiteInt8 ? 127 : 255;
  const float inverse_scale = 1.0f / output_scale;
  for (int32_t v = lo; v <= hi; ++v) {
    /* Every step in float, in LiteRT's order: dequantize, transform,
     * rescale and round, then add the zero point. */
    const float real = input_scale * (float)(v - input_zero_point);
    const float rounded = roundf(fn(real, ctx) * inverse_scale);
    const int32_t q =
        pl_q_clamp(pl_q_f32_to_i32(rounded + (float)output_zero_point), lo, hi);
    lut[(uint8_t)v] = (uint8_t)q;
  }
}

/* std::min / std::max on floats as LiteRT calls them (a NaN first argument
 * wins), then the conversion to int16. */
static int16_t lut16_clamp_f32(float v) {
  v = v < -32768.0f ? -32768.0f : v;
  v = 32767.0f < v ? 32767.0f : v;
  return (int16_t)(uint16_t)(uint32_t)pl_q_f32_to_i32(v);
}

void pl_q_lut16_populate(float input_scale, int32_t input_zero_point,
                         float output_scale, int32_t output_zero_point,
                         PlLutFn fn, const void* ctx, int16_t* lut) {
  const float input_min = input_scale * (float)(-32768 - input_zero_point);
  const float input_max = input_scale * (float)(32767 - input_zero_point);
  const float output_min = output_scale * (float)(-32768 - output_zero_point);
  const float output_max = output_scale * (float)(32767 - output_zero_point);
  const int steps = PL_LUT16_SIZE - 1;
  const float step = (input_max - input_min) / (float)steps;
  const float half_step = step / 2.0f;
  const float inv = 65536.0f / (output_max - output_min);
  /* Each step's start is the previous step's end (the same argument, also
   * for step 0: 0 * step is NaN for an infinite step), so fn runs twice per
   * step, not three times. */
  float next = fn(input_min + 0.0f * step, ctx);
  for (int i = 0; i < steps; ++i) {
    const float val = next;
    const float mid = fn(input_min + (float)i * step + half_step, ctx);
    next = fn(input_min + (float)(i + 1) * step, ctx);
    const float sample = roundf(val * inv);
    /* The interpolation's error at the middle of the step, halved, is
     * taken off the sample so that the error is spread over the step. */
    const float interp = roundf((next * inv + roundf(val * inv)) / 2.0f);
    const float bias = roundf((interp - roundf(mid * inv)) / 2.0f);
    lut[i] = lut16_clamp_f32(sample - bias);
  }
  lut[steps] = lut16_clamp_f32(roundf(fn(input_max, ctx) * inv));
}

static int16_t lut16_clamp_f64(double v) {
  v = v < -32768.0 ? -32768.0 : v;
  v = 32767.0 < v ? 32767.0 : v;
  if (!(v >= -32768.0 && v <= 32767.0)) return 0; /* NaN */
  return (int16_t)v;
}

void pl_q_lut16_populate_f64(double input_scale, int32_t input_zero_point,
                             double output_scale, int32_t output_zero_point,
                             PlLutFnF64 fn, int16_t* lut) {
  const double input_min = input_scale * (double)(-32768 - input_zero_point);
  const double input_max = input_scale * (double)(32767 - input_zero_point);
  const double output_min =
      output_scale * (double)(-32768 - output_zero_point);
  const double output_max = output_scale * (double)(32767 - output_zero_point);
  const int steps = PL_LUT16_SIZE - 1;
  const double step = (input_max - input_min) / (double)steps;
  const double half_step = step / 2.0;
  const double inv = 65536.0 / (output_max - output_min);
  double next = fn(input_min + 0.0 * step); /* as in pl_q_lut16_populate */
  for (int i = 0; i < steps; ++i) {
    const double val = next;
    const double mid = fn(input_min + (double)i * step + half_step);
    next = fn(input_min + (double)(i + 1) * step);
    const double sample = round(val * inv);
    const double interp = round((next * inv + round(val * inv)) / 2.0);
    const double bias = round((interp - round(mid * inv)) / 2.0);
    lut[i] = lut16_clamp_f64(sample - bias);
  }
  lut[steps] = lut16_clamp_f64(round(fn(input_max) * inv));
}

/* ---- gemmlowp fixed point ------------------------------------------- */

/* exp(a) for a in [-1/4, 0) (0 integer bits): a Taylor expansion around
 * -1/8 to the fourth order. */
static int32_t exp_on_quarter_interval(int32_t a) {
  const int32_t kExpMinusEighth = 1895147668; /* exp(-1/8) */
  const int32_t kOneThird = 715827883;
  const int32_t x = pl_fx_add(a, 1 << 28);   /* a + 1/8 */
  const int32_t x2 = pl_q_high_mul(x, x);
  const int32_t x3 = pl_q_high_mul(x2, x);
  const int32_t x4 = pl_q_high_mul(x2, x2);
  const int32_t x4_over_4 = pl_fx_mul_pot(x4, -2);
  const int32_t poly = pl_fx_mul_pot(
      pl_fx_add(pl_q_high_mul(pl_fx_add(x4_over_4, x3), kOneThird), x2), -1);
  return pl_fx_add(kExpMinusEighth,
                   pl_q_high_mul(kExpMinusEighth, pl_fx_add(x, poly)));
}

int32_t pl_fx_exp_on_negative_values(int32_t a, int integer_bits) {
  const int fractional_bits = 31 - integer_bits;
  const int32_t quarter = (int32_t)1 << (fractional_bits - 2);
  /* a = (a mod 1/4 - 1/4) - remainder: exp of the first part from the
   * polynomial, then one factor exp(-2^k) per bit of the remainder. */
  const int32_t in_quarter = pl_fx_sub(a & (quarter - 1), quarter);
  int32_t result =
      exp_on_quarter_interval(pl_fx_rescale(in_quarter, integer_bits, 0));
  const int32_t remainder = pl_fx_sub(in_quarter, a);
  static const int32_t kExpMinusPow2[7] = {
      1672461947, /* exp(-1/4) */
      1302514674, /* exp(-1/2) */
      790015084,  /* exp(-1) */
      290630308,  /* exp(-2) */
      39332535,   /* exp(-4) */
      720401,     /* exp(-8) */
      242,        /* exp(-16) */
  };
  for (int e = -2; e <= 4; ++e) {
    if (integer_bits > e) {
      const int bit = fractional_bits + e;
      if (remainder & ((int32_t)1 << bit))
        result = pl_q_high_mul(result, kExpMinusPow2[e + 2]);
    }
  }
  if (integer_bits > 5) {
    const int32_t clamp = -((int32_t)1 << (36 - integer_bits)); /* -32 */
    if (a < clamp) result = 0;
  }
  if (a == 0) result = INT32_MAX;
  return result;
}

/* (a + b) / 2 rounded half away from zero. */
static int32_t rounding_half_sum(int32_t a, int32_t b) {
  const int64_t sum = (int64_t)a + (int64_t)b;
  return (int32_t)((sum + (sum >= 0 ? 1 : -1)) / 2);
}

int32_t pl_fx_one_over_one_plus_x(int32_t a) {
  /* Newton-Raphson division on (1 + a) / 2, in values with 2 integer
   * bits, from the usual 48/17 - 32/17 d first guess. */
  const int32_t half_denominator = rounding_half_sum(a, INT32_MAX);
  const int32_t k48Over17 = 1515870810;
  const int32_t kMinus32Over17 = -1010580540;
  const int32_t kOne = 1 << 29;
  int32_t x = pl_fx_add(k48Over17, pl_q_high_mul(half_denominator,
                                                 kMinus32Over17));
  for (int i = 0; i < 3; ++i) {
    const int32_t one_minus =
        pl_fx_sub(kOne, pl_q_high_mul(half_denominator, x));
    x = pl_fx_add(x, pl_fx_rescale(pl_q_high_mul(x, one_minus), 4, 2));
  }
  return pl_fx_rescale(x, 1, 0);
}

int32_t pl_fx_reciprocal(int32_t x, int x_integer_digits,
                         int* num_bits_over_unit) {
  const int headroom_plus_one = pl_fx_clz32((uint32_t)x);
  *num_bits_over_unit = x_integer_digits - headroom_plus_one;
  const int32_t shifted_minus_one =
      (int32_t)(((uint32_t)x << headroom_plus_one) - ((uint32_t)1 << 31));
  return pl_fx_one_over_one_plus_x(shifted_minus_one);
}

static int32_t saturating_add(int32_t a, int32_t b) {
  const int64_t sum = (int64_t)a + (int64_t)b;
  return (int32_t)(sum > INT32_MAX ? INT32_MAX
                                   : (sum < INT32_MIN ? INT32_MIN : sum));
}

int32_t pl_fx_log_x_ge_1(int32_t x, int input_bits, int output_bits) {
  /* Constants with 0 integer bits. */
  const int32_t kLog2 = 1488522236;             /* log(2) */
  const int32_t kSqrtSqrtHalf = 1805811301;     /* 2^-1/4 */
  const int32_t kSqrtHalf = 1518500250;         /* 2^-1/2 */
  const int32_t kOneQuarter = 536870912;
  const int32_t kAlphaN = 117049297;  /* 11/240 * 2^1/4 */
  const int32_t kAlphaD = 127690142;  /* 1/20 * 2^1/4 */
  const int32_t kAlphaI = 1057819769; /* 2 / 2^1/4 - 2^1/4 */
  const int32_t kAlphaF = 638450708;  /* 1/4 * 2^1/4 */
  /* Accumulate with one more integer bit than the output. */
  const int accum_bits = output_bits + 1;
  const int32_t shifted_quarter = pl_fx_rescale(kOneQuarter, 0, accum_bits);
  /* Two candidate normalizations of x (as a value in [0.5, 1) and the same
   * times 2^-1/2); the one whose mantissa is nearer 2^-1/4 wins. */
  const int headroom_a = pl_fx_clz32((uint32_t)x);
  const int32_t r_a_tmp = pl_fx_mul_pot(x, headroom_a - 1);
  const int32_t r_a = pl_fx_mul_pot(pl_q_high_mul(r_a_tmp, kSqrtHalf), 1);
  const int32_t pow2_a = saturating_add(
      pl_fx_mul_pot(input_bits - headroom_a, 31 - accum_bits),
      shifted_quarter);
  const int32_t z_b = pl_q_high_mul(x, kSqrtHalf);
  const int headroom_b = pl_fx_clz32((uint32_t)z_b) - 1;
  const int32_t r_b = pl_fx_mul_pot(x, headroom_b);
  const int64_t pow2_b_wide =
      (int64_t)pl_fx_mul_pot(input_bits - headroom_b, 31 - accum_bits) -
      shifted_quarter;
  const int32_t pow2_b =
      (int32_t)(pow2_b_wide > INT32_MAX
                    ? INT32_MAX
                    : (pow2_b_wide < INT32_MIN ? INT32_MIN : pow2_b_wide));
  const int32_t r = r_a < r_b ? r_a : r_b;
  const int32_t pow2 = pow2_a > pow2_b ? pow2_a : pow2_b;
  /* log(r) by a rational function of q = 2 (r - 2^-1/4). */
  const int32_t p = rounding_half_sum(r, kSqrtSqrtHalf);
  int32_t q = pl_fx_sub(r, kSqrtSqrtHalf);
  q = pl_fx_add(q, q);
  const int32_t q2 = pl_q_high_mul(q, q);
  const int32_t num = pl_fx_add(
      pl_q_high_mul(q, r), pl_q_high_mul(pl_q_high_mul(q, q2), kAlphaN));
  const int32_t denom_minus_one = pl_fx_add(
      pl_q_high_mul(p, pl_fx_add(pl_fx_add(kAlphaI, q),
                                 pl_q_high_mul(kAlphaD, q2))),
      pl_q_high_mul(kAlphaF, q));
  const int32_t recip = pl_fx_one_over_one_plus_x(denom_minus_one);
  const int32_t num_scaled = pl_fx_rescale(num, 0, accum_bits);
  return pl_fx_rescale(pl_fx_add(pl_q_high_mul(pow2, kLog2),
                                 pl_q_high_mul(num_scaled, recip)),
                       accum_bits, output_bits);
}

void pl_fx_inv_sqrt(int32_t input, int reverse_shift, int32_t* multiplier,
                    int* shift) {
  if (input <= 1) {
    *multiplier = INT32_MAX;
    *shift = 0;
    return;
  }
  /* Bring the input to [2^27, 2^29) by powers of 4, tracking the shift. */
  int s = 11;
  while (input >= (1 << 29)) {
    input /= 4;
    ++s;
  }
  const int left_pairs = (pl_fx_clz32((uint32_t)input) - 1) / 2 - 1;
  s -= left_pairs;
  input = pl_q_shift_left(input, 2 * left_pairs);
  /* x <- 1.5 x - (input / 2) x^3, from x = 1, in values with 3 integer
   * bits. */
  const int32_t half_input = pl_fx_mul_pot(input >> 1, -1);
  const int32_t kThreeHalves = (1 << 28) + (1 << 27);
  int32_t x = 1 << 28;
  for (int i = 0; i < 5; ++i) {
    const int32_t x3 =
        pl_fx_rescale(pl_q_high_mul(pl_q_high_mul(x, x), x), 9, 3);
    x = pl_fx_rescale(pl_fx_sub(pl_q_high_mul(kThreeHalves, x),
                                pl_q_high_mul(half_input, x3)),
                      6, 3);
  }
  const int32_t kHalfSqrt2 = 1518500250;
  int32_t m = pl_q_high_mul(x, kHalfSqrt2);
  if (s < 0) {
    m = pl_q_shift_left(m, -s);
    s = 0;
  }
  *multiplier = m;
  *shift = s * reverse_shift;
}

/* LiteRT's values of sigmoid(i / 24) in Q0.16 (not all the nearest
 * rounding of the exact value, so they are listed rather than computed). */
const uint16_t pl_q_sigmoid_table[256] = {
    32768, 33451, 34133, 34813, 35493, 36169, 36843, 37513, 38180, 38841,
    39498, 40149, 40794, 41432, 42064, 42688, 43304, 43912, 44511, 45102,
    45683, 46255, 46817, 47369, 47911, 48443, 48964, 49475, 49975, 50464,
    50942, 51409, 51865, 52311, 52745, 53169, 53581, 53983, 54374, 54755,
    55125, 55485, 55834, 56174, 56503, 56823, 57133, 57433, 57724, 58007,
    58280, 58544, 58800, 59048, 59288, 59519, 59743, 59959, 60168, 60370,
    60565, 60753, 60935, 61110, 61279, 61441, 61599, 61750, 61896, 62036,
    62172, 62302, 62428, 62549, 62666, 62778, 62886, 62990, 63090, 63186,
    63279, 63368, 63454, 63536, 63615, 63691, 63765, 63835, 63903, 63968,
    64030, 64090, 64148, 64204, 64257, 64308, 64357, 64405, 64450, 64494,
    64536, 64576, 64614, 64652, 64687, 64721, 64754, 64786, 64816, 64845,
    64873, 64900, 64926, 64950, 64974, 64997, 65019, 65039, 65060, 65079,
    65097, 65115, 65132, 65149, 65164, 65179, 65194, 65208, 65221, 65234,
    65246, 65258, 65269, 65280, 65291, 65301, 65310, 65319, 65328, 65337,
    65345, 65352, 65360, 65367, 65374, 65381, 65387, 65393, 65399, 65404,
    65410, 65415, 65420, 65425, 65429, 65433, 65438, 65442, 65445, 65449,
    65453, 65456, 65459, 65462, 65465, 65468, 65471, 65474, 65476, 65479,
    65481, 65483, 65485, 65488, 65489, 65491, 65493, 65495, 65497, 65498,
    65500, 65501, 65503, 65504, 65505, 65507, 65508, 65509, 65510, 65511,
    65512, 65513, 65514, 65515, 65516, 65517, 65517, 65518, 65519, 65520,
    65520, 65521, 65522, 65522, 65523, 65523, 65524, 65524, 65525, 65525,
    65526, 65526, 65526, 65527, 65527, 65528, 65528, 65528, 65529, 65529,
    65529, 65529, 65530, 65530, 65530, 65530, 65531, 65531, 65531, 65531,
    65531, 65532, 65532, 65532, 65532, 65532, 65532, 65533, 65533, 65533,
    65533, 65533, 65533, 65533, 65533, 65534, 65534, 65534, 65534, 65534,
    65534, 65534, 65534, 65534, 65534, 65535
};

/* ---- int16 LOGISTIC ------------------------------------------------------ */

#ifdef PL_LUT_X86
/* 8 values per step: both table entries of a value come from one 32-bit
 * gather at its (clamped) index, the low half the entry, the high half the
 * next; the result's low 16 bits are kept by a shift pair before the
 * (then exact) narrowing pack. Returns the count done. */
PL_LUT_AVX2 static int64_t logistic16_avx2(const int16_t* x, int16_t* y,
                                           int64_t n, int32_t multiplier,
                                           int shift) {
  const __m256i mult = _mm256_set1_epi32(multiplier);
  const __m256i round =
      _mm256_set1_epi32(shift > 0 ? (int32_t)1 << (shift - 1) : 0);
  const __m128i count = _mm_cvtsi32_si128(shift);
  const __m256i last = _mm256_set1_epi32(254);
  const __m256i low16 = _mm256_set1_epi32(0xFFFF);
  const __m256i frac = _mm256_set1_epi32(0x1FF);
  const __m256i saturated = _mm256_set1_epi32(0x7FFF << 10);
  const __m256i half = _mm256_set1_epi32(1 << 9);
  const __m256i mirror = _mm256_set1_epi32((1 << 25) + (1 << 9) - 1);
  const int* table = (const int*)(const void*)pl_q_sigmoid_table;
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256i xv =
        _mm256_cvtepi16_epi32(_mm_loadu_si128((const __m128i*)(x + i)));
    const __m256i v = _mm256_sra_epi32(
        _mm256_add_epi32(_mm256_mullo_epi32(xv, mult), round), count);
    const __m256i a = _mm256_abs_epi32(v);
    const __m256i index = _mm256_srli_epi32(a, 9);
    const __m256i pair =
        _mm256_i32gather_epi32(table, _mm256_min_epi32(index, last), 2);
    const __m256i lo = _mm256_and_si256(pair, low16);
    const __m256i hi = _mm256_srli_epi32(pair, 16);
    __m256i r = _mm256_add_epi32(
        _mm256_slli_epi32(lo, 9),
        _mm256_mullo_epi32(_mm256_and_si256(a, frac),
                           _mm256_sub_epi32(hi, lo)));
    r = _mm256_blendv_epi8(r, saturated, _mm256_cmpgt_epi32(index, last));
    r = _mm256_blendv_epi8(_mm256_add_epi32(r, half),
                           _mm256_sub_epi32(mirror, r),
                           _mm256_cmpgt_epi32(_mm256_setzero_si256(), v));
    const __m256i out =
        _mm256_srai_epi32(_mm256_slli_epi32(_mm256_srli_epi32(r, 10), 16), 16);
    _mm_storeu_si128((__m128i*)(y + i),
                     _mm_packs_epi32(_mm256_castsi256_si128(out),
                                     _mm256_extracti128_si256(out, 1)));
  }
  return i;
}
#endif

void pl_q_logistic16(const int16_t* x, int16_t* y, int64_t n,
                     int32_t multiplier, int shift) {
  int64_t i = 0;
#ifdef PL_LUT_X86
  if (pl_simd_avx2()) i = logistic16_avx2(x, y, n, multiplier, shift);
#endif
  for (; i < n; ++i)
    y[i] = pl_q_logistic16_one(pl_q_sigmoid16_input(x[i], multiplier, shift));
}

/* ---- 8-bit tables ------------------------------------------------------ */

void pl_q_lut8_shuffle_tables(const uint8_t lut[256], uint8_t tables[256]) {
  for (int j = 0; j < 16; ++j) {
    tables[j] = lut[j];
    for (int t = 1; t < 16; ++t) {
      const uint8_t diff = (uint8_t)(lut[16 * t + j] ^ lut[16 * (t - 1) + j]);
      tables[16 * t + j] =
          t < 8 ? diff : (uint8_t)(diff ^ tables[16 * (t - 8) + j]);
    }
  }
}

#ifdef PL_LUT_X86
PL_LUT_AVX2 static int64_t lut8_apply_avx2(const uint8_t tables[256],
                                           const uint8_t* x, uint8_t* y,
                                           int64_t n) {
  __m256i table[16];
  for (int t = 0; t < 16; ++t)
    table[t] = _mm256_broadcastsi128_si256(
        _mm_loadu_si128((const __m128i*)(tables + 16 * t)));
  const __m256i sixteen = _mm256_set1_epi8(16);
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    __m256i index = _mm256_loadu_si256((const __m256i*)(x + i));
    __m256i v = _mm256_shuffle_epi8(table[0], index);
    for (int t = 1; t < 16; ++t) {
      index = t <= 8 ? _mm256_sub_epi8(index, sixteen)
                     : _mm256_subs_epi8(index, sixteen);
      v = _mm256_xor_si256(v, _mm256_shuffle_epi8(table[t], index));
    }
    _mm256_storeu_si256((__m256i*)(y + i), v);
  }
  return i;
}
#endif

#ifdef PL_LUT_X86
/* 64 bytes a step with AVX-512 VBMI: two 128-entry permutes (the index's
 * low 7 bits), the half chosen by its top bit. */
__attribute__((target("avx512f,avx512bw,avx512vbmi"))) static int64_t
lut8_apply_vbmi(const uint8_t lut[256], const uint8_t* x, uint8_t* y,
                int64_t n) {
  const __m512i t0 = _mm512_loadu_si512(lut);
  const __m512i t1 = _mm512_loadu_si512(lut + 64);
  const __m512i t2 = _mm512_loadu_si512(lut + 128);
  const __m512i t3 = _mm512_loadu_si512(lut + 192);
  int64_t i = 0;
  for (; i + 64 <= n; i += 64) {
    const __m512i index = _mm512_loadu_si512(x + i);
    const __m512i low = _mm512_permutex2var_epi8(t0, index, t1);
    const __m512i high = _mm512_permutex2var_epi8(t2, index, t3);
    _mm512_storeu_si512(y + i, _mm512_mask_blend_epi8(
                                   _mm512_movepi8_mask(index), low, high));
  }
  return i;
}
#endif

void pl_q_lut8_apply(const uint8_t lut[256], const uint8_t tables[256],
                     const uint8_t* x, uint8_t* y, int64_t n) {
  int64_t i = 0;
#ifdef PL_LUT_X86
  if (pl_simd_vbmi())
    i = lut8_apply_vbmi(lut, x, y, n);
  if (pl_simd_avx2()) i += lut8_apply_avx2(tables, x + i, y + i, n - i);
#else
  (void)tables;
#endif
  for (; i < n; ++i) y[i] = lut[x[i]];
}
