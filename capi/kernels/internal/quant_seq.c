/* pylite: integer arithmetic of the quantized sequence kernels (see
 * quant_seq.h). */
#include "capi/kernels/internal/quant_seq.h"

#include <math.h>
#include <string.h>

#include "capi/kernels/internal/quant.h"
#include "capi/kernels/internal/simd.h"

#if (defined(__x86_64__) || defined(__i386__)) && \
    (defined(__GNUC__) || defined(__clang__))
#define PL_QS_X86 1
#include <immintrin.h>

#include "capi/kernels/internal/quant_avx2.h"
#endif

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

#ifdef PL_QS_X86
/* scale_round_clamp on 8 lanes (roundf as pl_roundf8); the truncating
 * conversion gives INT32_MIN for NaN and out-of-range products as
 * pl_q_f32_to_i32. Returns how many leading values it did. */
__attribute__((target("avx2"))) static int scale_round_clamp_avx2(
    const float* x, int n, float inv, int32_t zp, int32_t lo, int32_t hi,
    int8_t* q) {
  const __m256 vinv = _mm256_set1_ps(inv);
  const __m256i vzp = _mm256_set1_epi32(zp);
  const __m256i vlo = _mm256_set1_epi32(lo), vhi = _mm256_set1_epi32(hi);
  int k = 0;
  for (; k + 8 <= n; k += 8) {
    const __m256 p = _mm256_mul_ps(_mm256_loadu_ps(x + k), vinv);
    __m256i v = _mm256_add_epi32(vzp, _mm256_cvttps_epi32(pl_roundf8(p)));
    v = _mm256_min_epi32(_mm256_max_epi32(v, vlo), vhi);
    const __m128i w = _mm_packs_epi32(_mm256_castsi256_si128(v),
                                      _mm256_extracti128_si256(v, 1));
    _mm_storel_epi64((__m128i*)(void*)(q + k), _mm_packs_epi16(w, w));
  }
  return k;
}
#endif

/* q[k] = clamp(zp + (int32)round(x[k] * inv), lo, hi), round half away
 * from zero, the conversion as pl_q_f32_to_i32 (INT32_MIN for NaN and out
 * of range) and the add wrapping as pl_q_add: the last step of both row
 * quantizers. */
static void scale_round_clamp(const float* x, int n, float inv, int32_t zp,
                              int32_t lo, int32_t hi, int8_t* q) {
  int k = 0;
#ifdef PL_QS_X86
  if (pl_simd_avx2()) k = scale_round_clamp_avx2(x, n, inv, zp, lo, hi, q);
#endif
  for (; k < n; ++k) {
    const int32_t v = pl_q_add(zp, pl_q_f32_to_i32(roundf(x[k] * inv)));
    q[k] = (int8_t)(v < lo ? lo : (v > hi ? hi : v));
  }
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
  scale_round_clamp(x, n, 127.0f / range, 0, -127, 127, q);
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
  scale_round_clamp(x, n, 1.0f / *scale, nudged, -128, 127, q);
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

/* The packed matrix: a header naming its layout, the weight rows' sums
 * (int32, m rounded up to the lanes), then the weights in blocks of
 * `lanes` rows: w[block][k / group][lane][k % group], k padded with zeros
 * to whole groups and rows to whole blocks (zero weights, zero sums). */
typedef struct PackedHeader {
  int32_t lanes, group;
} PackedHeader;

enum { kHeaderBytes = 64 };

static int64_t round_up(int64_t v, int64_t to) { return (v + to - 1) / to * to; }

static int64_t sums_bytes(int m, int lanes) {
  return round_up(4 * round_up(m, lanes), 64);
}

int64_t pl_qs_hybrid_packed_bytes(int m, int n) {
  /* The largest layout: 16 lanes of 4-value groups. */
  return kHeaderBytes + sums_bytes(m, 16) + round_up(m, 16) * round_up(n, 4);
}

void pl_qs_hybrid_pack(const int8_t* w, int m, int n, void* packed) {
  PackedHeader h = {1, 4}; /* portable: rows of n padded to 4 */
  if (pl_simd_vnni())
    h = (PackedHeader){16, 4}; /* vpdpbusd: 16 rows of 4 bytes */
  else if (pl_simd_avx2())
    h = (PackedHeader){8, 2}; /* vpmaddwd: 8 rows of 2 values */
  char* base = packed;
  memcpy(base, &h, sizeof(h));
  const int64_t mp = round_up(m, h.lanes), ng = (n + h.group - 1) / h.group;
  int32_t* sums = (int32_t*)(void*)(base + kHeaderBytes);
  int8_t* dst = (int8_t*)(base + kHeaderBytes + sums_bytes(m, h.lanes));
  memset(dst, 0, (size_t)(mp * ng * h.group));
  memset(sums, 0, sizeof(int32_t) * (size_t)mp);
  const int64_t step = (int64_t)h.lanes * h.group; /* one group of a block */
  for (int64_t j = 0; j < m; ++j) {
    uint32_t sum = 0;
    const int8_t* src = w + j * n;
    int8_t* row = dst + (j / h.lanes) * ng * step + (j % h.lanes) * h.group;
    for (int64_t k0 = 0; k0 < n; k0 += h.group, row += step) {
      const int64_t count = n - k0 < h.group ? n - k0 : h.group;
      for (int64_t k = 0; k < count; ++k) {
        row[k] = src[k0 + k];
        sum += (uint32_t)(int32_t)src[k0 + k];
      }
    }
    sums[j] = (int32_t)sum;
  }
}

/* The 4 int8 values of group g as an int32 (x86 byte order), the last
 * group zero-padded when n is not a multiple of 4. */
static uint32_t load_group4(const int8_t* q, int g, int n) {
  uint32_t v = 0;
  const int k = 4 * g;
  if (n - k >= 4) {
    memcpy(&v, q + k, 4);
  } else {
    for (int i = 0; i < n - k; ++i) v |= (uint32_t)(uint8_t)q[k + i] << (8 * i);
  }
  return v;
}

/* One batch row, any layout: o[j] += (float)(W[j] . q - zp * sum(W[j])) *
 * scale, the dot product wrapping in int32 as TFLite's accumulators (-fwrapv
 * there: the order of the terms does not change the result). */
static void matvec_row_generic(const PackedHeader* h, const int32_t* sums,
                               const int8_t* w, int m, int n, const int8_t* q,
                               int32_t zp, float scale, float* o) {
  const int64_t ng = (n + h->group - 1) / h->group;
  for (int j = 0; j < m; ++j) {
    const int8_t* row = w + (int64_t)(j / h->lanes) * ng * h->lanes * h->group +
                        (int64_t)(j % h->lanes) * h->group;
    uint32_t dot = 0;
    for (int k = 0; k < n; ++k)
      dot += (uint32_t)((int32_t)row[(int64_t)(k / h->group) * h->lanes *
                                          h->group +
                                      k % h->group] *
                        (int32_t)q[k]);
    dot -= (uint32_t)sums[j] * (uint32_t)zp;
    o[j] += (float)(int32_t)dot * scale;
  }
}

#ifdef PL_QS_X86
/* The end of a 16-row block of matvec_row_vnni: takes (128 + zp) * sums
 * off the unsigned-operand sums, then o[j0 + i] += (float)dot * scale for
 * the rows below m. */
__attribute__((target("avx512f,avx512bw"))) static inline void vnni_finish(
    __m512i acc, const int32_t* sums, int j0, int m, __m512i corr, __m512 vs,
    float* o) {
  acc = _mm512_sub_epi32(
      acc, _mm512_mullo_epi32(_mm512_loadu_si512(sums + j0), corr));
  const __mmask16 keep =
      m - j0 >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (m - j0)) - 1);
  const __m512 y = _mm512_add_ps(_mm512_maskz_loadu_ps(keep, o + j0),
                                 _mm512_mul_ps(_mm512_cvtepi32_ps(acc), vs));
  _mm512_mask_storeu_ps(o + j0, keep, y);
}

/* 16 rows at a time with vpdpbusd (unsigned x signed bytes, 4 products
 * into each int32 lane, wrapping): q + 128 is the unsigned operand, and
 * 128 * sum(W[j]) comes off with the zero point's share, which gives the
 * same int32 as the plain sum. The float step is the scalar one per lane
 * (convert, multiply, add; no fused multiply-add). */
__attribute__((target("avx512f,avx512bw,avx512vnni"))) static void
matvec_row_vnni(const int32_t* sums, const int8_t* w, int m, int n,
                const int8_t* q, int32_t zp, float scale, float* o) {
  const int ng = (n + 3) / 4;
  const __m512i corr = _mm512_set1_epi32((int32_t)(128u + (uint32_t)zp));
  const __m512 vs = _mm512_set1_ps(scale);
  int j0 = 0;
  /* Two blocks at a time share the broadcast operand. */
  for (; j0 + 16 < m; j0 += 32) {
    const int8_t* wb = w + (int64_t)(j0 / 16) * ng * 64;
    __m512i acc0 = _mm512_setzero_si512(), acc1 = _mm512_setzero_si512();
    for (int g = 0; g < ng; ++g) {
      const __m512i u =
          _mm512_set1_epi32((int32_t)(load_group4(q, g, n) ^ 0x80808080u));
      acc0 = _mm512_dpbusd_epi32(acc0, u, _mm512_loadu_si512(wb + 64 * g));
      acc1 = _mm512_dpbusd_epi32(
          acc1, u, _mm512_loadu_si512(wb + 64 * ((int64_t)ng + g)));
    }
    vnni_finish(acc0, sums, j0, m, corr, vs, o);
    vnni_finish(acc1, sums, j0 + 16, m, corr, vs, o);
  }
  if (j0 < m) {
    const int8_t* wb = w + (int64_t)(j0 / 16) * ng * 64;
    __m512i acc = _mm512_setzero_si512();
    for (int g = 0; g < ng; ++g) {
      const __m512i u =
          _mm512_set1_epi32((int32_t)(load_group4(q, g, n) ^ 0x80808080u));
      acc = _mm512_dpbusd_epi32(acc, u, _mm512_loadu_si512(wb + 64 * g));
    }
    vnni_finish(acc, sums, j0, m, corr, vs, o);
  }
}

/* 8 rows at a time with vpmaddwd on int16 pairs (exact: each pair of
 * products is below 2^15 in magnitude). */
__attribute__((target("avx2"))) static void matvec_row_avx2(
    const int32_t* sums, const int8_t* w, int m, int n, const int8_t* q,
    int32_t zp, float scale, float* o) {
  const int ng = (n + 1) / 2;
  const __m256i vzp = _mm256_set1_epi32(zp);
  const __m256 vs = _mm256_set1_ps(scale);
  for (int j0 = 0; j0 < m; j0 += 8) {
    const int8_t* wb = w + (int64_t)(j0 / 8) * ng * 16;
    __m256i acc = _mm256_setzero_si256();
    for (int g = 0; g < ng; ++g) {
      const int k = 2 * g;
      const uint32_t lo = (uint16_t)(int16_t)q[k];
      const uint32_t hi = k + 1 < n ? (uint16_t)(int16_t)q[k + 1] : 0u;
      const __m256i pair = _mm256_set1_epi32((int32_t)(lo | hi << 16));
      const __m256i wv =
          _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i*)(wb + 16 * g)));
      acc = _mm256_add_epi32(acc, _mm256_madd_epi16(wv, pair));
    }
    acc = _mm256_sub_epi32(
        acc, _mm256_mullo_epi32(
                 _mm256_loadu_si256((const __m256i*)(sums + j0)), vzp));
    const int left = m - j0 >= 8 ? 8 : m - j0;
    const __m256i keep = _mm256_cmpgt_epi32(
        _mm256_set1_epi32(left), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    const __m256 y =
        _mm256_add_ps(_mm256_maskload_ps(o + j0, keep),
                      _mm256_mul_ps(_mm256_cvtepi32_ps(acc), vs));
    _mm256_maskstore_ps(o + j0, keep, y);
  }
}
#endif

void pl_qs_hybrid_matvec(const void* packed, float w_scale, int m, int n,
                         const int8_t* q, const float* scales,
                         const int32_t* zero_points, int rows, float* out,
                         int out_stride) {
  PackedHeader h;
  memcpy(&h, packed, sizeof(h));
  const char* base = packed;
  const int32_t* sums = (const int32_t*)(const void*)(base + kHeaderBytes);
  const int8_t* w =
      (const int8_t*)(base + kHeaderBytes + sums_bytes(m, h.lanes));
  for (int r = 0; r < rows; ++r) {
    const int8_t* qr = q + (int64_t)r * n;
    const float scale = scales[r] * w_scale;
    const int32_t zp = zero_points ? zero_points[r] : 0;
    float* o = out + (int64_t)r * out_stride;
#ifdef PL_QS_X86
    if (h.lanes == 16 && pl_simd_vnni()) {
      matvec_row_vnni(sums, w, m, n, qr, zp, scale, o);
      continue;
    }
    if (h.lanes == 8 && pl_simd_avx2()) {
      matvec_row_avx2(sums, w, m, n, qr, zp, scale, o);
      continue;
    }
#endif
    matvec_row_generic(&h, sums, w, m, n, qr, zp, scale, o);
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
