/* pylite: integer arithmetic of the quantized sequence kernels (see
 * quant_seq.h). */
#include "capi/kernels/internal/quant_seq.h"

#include <math.h>
#include <string.h>

#include "capi/kernels/internal/quant.h"

/* ---- Hybrid -------------------------------------------------------------- */

static void minmax(const float* x, int n, float* lo, float* hi) {
  float a = x[0], b = x[0];
  for (int k = 1; k < n; ++k) {
    if (x[k] < a) a = x[k];
    if (!(x[k] < b)) b = x[k];
  }
  *lo = a;
  *hi = b;
}

/* Symmetric: scale = max|x| / 127, q = round(x * 127 / max|x|) in
 * [-127, 127]. */
static void quantize_symmetric(const float* x, int n, int8_t* q,
                               float* scale) {
  float lo = 0.0f, hi = 0.0f;
  if (n > 0) minmax(x, n, &lo, &hi);
  const float alo = fabsf(lo), ahi = fabsf(hi);
  const float range = alo < ahi ? ahi : alo;
  if (range == 0.0f) {
    memset(q, 0, (size_t)n);
    *scale = 1.0f;
    return;
  }
  *scale = range / 127.0f;
  const float inv = 127.0f / range;
  for (int k = 0; k < n; ++k) {
    int32_t v = pl_q_f32_to_i32(roundf(x[k] * inv));
    q[k] = (int8_t)(v < -127 ? -127 : (v > 127 ? 127 : v));
  }
}

/* Asymmetric: the range [min(0, x), max(0, x)] over [-128, 127], computed
 * in double, with the zero point taken from whichever end has the smaller
 * error and clamped into range. Each value is zp + round(x / scale), the
 * rounding (half away from zero) applied before the zero point is added:
 * that is what LiteRT 2.3 measurably computes (a tie x / scale = 42.5 with
 * zp = -43 gives 0, where round(zp + x / scale) would give -1). */
static void quantize_asymmetric(const float* x, int n, int8_t* q,
                                float* scale, int32_t* zero_point) {
  float lo = 0.0f, hi = 0.0f;
  if (n > 0) minmax(x, n, &lo, &hi);
  const double rmin = lo < 0.0f ? (double)lo : 0.0;
  const double rmax = 0.0f < hi ? (double)hi : 0.0;
  if (rmin == rmax) {
    memset(q, 0, (size_t)n);
    *scale = 1.0f;
    *zero_point = 0;
    return;
  }
  const double s = (rmax - rmin) / 255.0;
  const double from_min = -128.0 - rmin / s;
  const double from_max = 127.0 - rmax / s;
  const double err_min = 128.0 + fabs(rmin / s);
  const double err_max = 127.0 + fabs(rmax / s);
  const double zp = err_min < err_max ? from_min : from_max;
  int32_t nudged;
  if (zp <= -128.0)
    nudged = -128;
  else if (zp >= 127.0)
    nudged = 127;
  else
    nudged = (int32_t)(int8_t)pl_q_f64_to_i32(round(zp));
  *scale = (float)s;
  *zero_point = nudged;
  const float inv = 1.0f / *scale;
  for (int k = 0; k < n; ++k) {
    int32_t v = pl_q_add(nudged, pl_q_f32_to_i32(roundf(x[k] * inv)));
    q[k] = (int8_t)(v < -128 ? -128 : (v > 127 ? 127 : v));
  }
}

void pl_qs_quantize_rows(const float* x, int rows, int n, int8_t* q,
                         float* scales, int32_t* zero_points,
                         bool asymmetric) {
  for (int r = 0; r < rows; ++r) {
    const float* xr = x + (int64_t)r * n;
    int8_t* qr = q + (int64_t)r * n;
    if (asymmetric)
      quantize_asymmetric(xr, n, qr, &scales[r], &zero_points[r]);
    else
      quantize_symmetric(xr, n, qr, &scales[r]);
  }
}

void pl_qs_hybrid_matvec(const int8_t* w, float w_scale, int m, int n,
                         const int8_t* q, const float* scales,
                         const int32_t* zero_points, int rows, float* out,
                         int out_stride) {
  for (int r = 0; r < rows; ++r) {
    const int8_t* qr = q + (int64_t)r * n;
    const float scale = scales[r] * w_scale;
    float* o = out + (int64_t)r * out_stride;
    for (int j = 0; j < m; ++j) {
      const int8_t* wj = w + (int64_t)j * n;
      int32_t dot = 0, row_sum = 0;
      for (int k = 0; k < n; ++k) {
        dot += (int32_t)wj[k] * qr[k];
        row_sum += wj[k];
      }
      if (zero_points) dot -= row_sum * zero_points[r];
      o[j] += (float)dot * scale;
    }
  }
}

/* ---- 16-bit fixed point (gemmlowp) --------------------------------------- */

/* int16 arithmetic as gemmlowp's scalar int16 FixedPoint does it: plain
 * adds wrap, products are rounding doubling high multiplies. */
static int16_t wrap16(int32_t v) { return (int16_t)(uint16_t)(uint32_t)v; }
static int16_t add16(int16_t a, int16_t b) { return wrap16((int32_t)a + b); }
static int16_t sub16(int16_t a, int16_t b) { return wrap16((int32_t)a - b); }
static int16_t neg16(int16_t a) { return wrap16(-(int32_t)a); }

static int16_t sat_add16(int16_t a, int16_t b) {
  const int32_t s = (int32_t)a + b;
  return (int16_t)(s > 32767 ? 32767 : (s < -32768 ? -32768 : s));
}

static int16_t mul16(int16_t a, int16_t b) {
  if (a == INT16_MIN && b == INT16_MIN) return INT16_MAX;
  const int32_t ab = (int32_t)a * b;
  const int32_t nudge = ab >= 0 ? (1 << 14) : (1 - (1 << 14));
  return (int16_t)((ab + nudge) / (1 << 15));
}

static int16_t half_sum16(int16_t a, int16_t b) {
  const int32_t s = (int32_t)a + b;
  return (int16_t)((s + (s >= 0 ? 1 : -1)) / 2);
}

/* Multiplies by 2^e, saturating for e > 0, rounding for e < 0. */
static int16_t mul_pot16(int16_t x, int e) {
  if (e == 0) return x;
  if (e < 0) return (int16_t)pl_qs_rounding_div_pot(x, -e);
  const int32_t threshold = (1 << (15 - e)) - 1;
  if (x > threshold) return INT16_MAX;
  if (x < -threshold) return INT16_MIN;
  return (int16_t)(x * (1 << e));
}

/* A 32-bit fixed-point constant as its 16-bit counterpart. */
static int16_t const16(int32_t v) {
  return (int16_t)pl_qs_rounding_div_pot(v, 16);
}

/* exp(a) for a in [-1/4, 0), Q0.15. */
static int16_t exp_quarter(int16_t a) {
  const int16_t constant_term = const16(1895147668);
  const int16_t one_third = const16(715827883);
  const int16_t x = add16(a, 1 << 12);
  const int16_t x2 = mul16(x, x);
  const int16_t x3 = mul16(x2, x);
  const int16_t x4 = mul16(x2, x2);
  const int16_t x4_over_4 = mul_pot16(x4, -2);
  const int16_t t =
      mul_pot16(add16(mul16(add16(x4_over_4, x3), one_third), x2), -1);
  return sat_add16(constant_term, mul16(constant_term, add16(x, t)));
}

/* exp(a) for a <= 0 with `ib` integer bits, Q0.15. */
static int16_t exp_negative(int16_t a, int ib) {
  const int fb = 15 - ib;
  const int16_t quarter = (int16_t)(1 << (fb - 2));
  const int16_t mask = (int16_t)(quarter - 1);
  const int16_t a_mod = sub16((int16_t)(a & mask), quarter);
  int16_t result = exp_quarter(mul_pot16(a_mod, ib));
  const int16_t remainder = sub16(a_mod, a);
  static const struct {
    int exponent;
    int32_t multiplier;
  } kBarrel[] = {{-2, 1672461947}, {-1, 1302514674}, {0, 790015084},
                 {1, 290630308},   {2, 39332535},    {3, 720401},
                 {4, 242}};
  for (size_t k = 0; k < sizeof(kBarrel) / sizeof(kBarrel[0]); ++k) {
    if (ib > kBarrel[k].exponent) {
      const int shift = fb + kBarrel[k].exponent;
      if (remainder & (int16_t)(1 << shift))
        result = mul16(result, const16(kBarrel[k].multiplier));
    }
  }
  if (ib > 5) {
    const int16_t clamp = const16(-(1 << (36 - ib)));
    if (a < clamp) result = 0;
  }
  if (a == 0) result = INT16_MAX;
  return result;
}

/* Newton-Raphson for 1 / (1 + a) (Q2.13 iterate), a in (0, 1). */
static int16_t reciprocal_iterate(int16_t a) {
  const int16_t half_denominator = half_sum16(a, INT16_MAX);
  const int16_t c48_17 = const16(1515870810);
  const int16_t c_neg32_17 = const16(-1010580540);
  int16_t x = add16(c48_17, mul16(half_denominator, c_neg32_17));
  for (int i = 0; i < 3; ++i) {
    const int16_t hdx = mul16(half_denominator, x);
    const int16_t one_minus = sub16(1 << 13, hdx);
    x = add16(x, mul_pot16(mul16(x, one_minus), 2));
  }
  return x;
}

int16_t pl_qs_logistic_q3(int16_t a) {
  const int ib = 3;
  if (a == 0) return const16(1 << 30);
  const int16_t abs_a = a > 0 ? a : neg16(a);
  const int16_t e = exp_negative(neg16(abs_a), ib);
  /* 1 / (1 + e): the Q2.13 iterate read as Q1.14, rescaled to Q0.15. */
  const int16_t pos = mul_pot16(reciprocal_iterate(e), 1);
  return a > 0 ? pos : sub16(INT16_MAX, pos);
}

int16_t pl_qs_tanh(int16_t a, int integer_bits) {
  if (a == 0) return 0;
  const int16_t n = a < 0 ? a : neg16(a);
  const int16_t e = exp_negative(n, integer_bits + 1);
  /* (1 - e) / (1 + e) */
  const int16_t t = mul_pot16(sub16(reciprocal_iterate(e), 1 << 13), 2);
  return a < 0 ? neg16(t) : t;
}
