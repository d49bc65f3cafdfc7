/* pylite: the float32 depthwise convolution (see dwconv.h for what it
 * computes and why the bits never depend on the path taken).
 *
 * A row of outputs is cut into the pixels whose horizontal taps are all
 * inside the input (the interior) and the border pixels on each side, which
 * skip some taps. Taps are addressed by offsets into x: the tap (fy, fx) of
 * the pixel whose first tap is at (iy0, ix0) reads from
 * ((b * h + iy0 + fy * dh) * w + ix0 + fx * dw) * c, computed only for taps
 * inside the input. */
#include "capi/kernels/internal/dwconv.h"

#include <string.h>

#include "capi/kernels/internal/gemm.h" /* pl_simd_avx2 */
#include "capi/kernels/internal/nn_conv.h" /* pl_nn_clamp */

#if (defined(__x86_64__) || defined(__i386__)) && \
    (defined(__GNUC__) || defined(__clang__))
#define PL_DWCONV_X86 1
#include <immintrin.h>
#endif

#if defined(__clang__)
#define PL_DW_UNROLL _Pragma("unroll")
#elif defined(__GNUC__)
#define PL_DW_UNROLL _Pragma("GCC unroll 8")
#else
#define PL_DW_UNROLL
#endif
/* For a loop whose trip count is known only at run time (a filter row's
 * taps): GCC unrolls it by 8; clang's full unroll would fail and warn. */
#if defined(__GNUC__) && !defined(__clang__)
#define PL_DW_UNROLL_RUNTIME _Pragma("GCC unroll 8")
#else
#define PL_DW_UNROLL_RUNTIME
#endif

int64_t pl_dwconv_packed_size(int64_t c, int64_t taps) {
  const int64_t blocks = (c + PL_DWCONV_BLOCK - 1) / PL_DWCONV_BLOCK;
  return blocks * PL_DWCONV_BLOCK * (taps + 1);
}

void pl_dwconv_pack(const float* filter, const float* bias, int64_t c,
                    int64_t taps, float* packed) {
  const int64_t block_floats = PL_DWCONV_BLOCK * (taps + 1);
  for (int64_t j0 = 0; j0 < c; j0 += PL_DWCONV_BLOCK) {
    float* p = packed + j0 / PL_DWCONV_BLOCK * block_floats;
    memset(p, 0, sizeof(float) * (size_t)block_floats);
    const int64_t lanes = c - j0 < PL_DWCONV_BLOCK ? c - j0 : PL_DWCONV_BLOCK;
    for (int64_t l = 0; l < lanes; ++l) {
      p[l] = bias ? bias[j0 + l] : 0.0f;
      for (int64_t t = 0; t < taps; ++t)
        p[PL_DWCONV_BLOCK * (t + 1) + l] = filter[t * c + j0 + l];
    }
  }
}

/* A run of `count` output pixels of one row sharing their tap ranges
 * [fy0, fy1) x [fx0, fx1): in0 is the offset in x of the first pixel's tap
 * (0, 0) (channel 0), pixel p's at in0 + p * step. */
typedef struct DwSpan {
  const float* x;
  int64_t in0, step, row_step, tap_step; /* row_step: fy, tap_step: fx */
  int fy0, fy1, fx0, fx1, fh, fw;
  int count, c;
  const float* packed;
  int64_t block_floats;
  float* y; /* the first pixel's outputs; pixel p's at y + p * c */
  float lo, hi;
} DwSpan;

/* ---- Portable ------------------------------------------------------------ */

/* Channels [j0, c) of pixel p, one at a time. */
static void dw_pixel_portable(const DwSpan* s, int p, int j0) {
  for (int j = j0; j < s->c; ++j) {
    const float* pk = s->packed + (j / PL_DWCONV_BLOCK) * s->block_floats +
                      j % PL_DWCONV_BLOCK;
    const int64_t at = s->in0 + p * s->step + j;
    float acc = 0.0f;
    for (int fy = s->fy0; fy < s->fy1; ++fy)
      for (int fx = s->fx0; fx < s->fx1; ++fx)
        acc += s->x[at + fy * s->row_step + fx * s->tap_step] *
               pk[PL_DWCONV_BLOCK * (fy * s->fw + fx + 1)];
    s->y[(int64_t)p * s->c + j] = pl_nn_clamp(acc + pk[0], s->lo, s->hi);
  }
}

#if defined(__GNUC__) || defined(__clang__)
typedef float DwV4 __attribute__((vector_size(16)));

static inline DwV4 dw_load4(const float* p) {
  DwV4 v;
  memcpy(&v, p, sizeof(v));
  return v;
}

/* Whole blocks of 8 channels in 4-float vectors (lanes are independent
 * outputs: the scalar arithmetic), the last partial block one at a time. */
static void dw_span_portable(const DwSpan* s) {
  const int full = s->c / PL_DWCONV_BLOCK * PL_DWCONV_BLOCK;
  for (int p = 0; p < s->count; ++p) {
    for (int j = 0; j < full; j += PL_DWCONV_BLOCK) {
      const float* pk = s->packed + (j / PL_DWCONV_BLOCK) * s->block_floats;
      const int64_t at = s->in0 + p * s->step + j;
      DwV4 a0 = {0.0f, 0.0f, 0.0f, 0.0f}, a1 = a0;
      for (int fy = s->fy0; fy < s->fy1; ++fy) {
        for (int fx = s->fx0; fx < s->fx1; ++fx) {
          const float* v = s->x + (at + fy * s->row_step + fx * s->tap_step);
          const float* u = pk + PL_DWCONV_BLOCK * (fy * s->fw + fx + 1);
          a0 += dw_load4(v) * dw_load4(u);
          a1 += dw_load4(v + 4) * dw_load4(u + 4);
        }
      }
      float out[PL_DWCONV_BLOCK];
      memcpy(out, &a0, sizeof(a0));
      memcpy(out + 4, &a1, sizeof(a1));
      float* y = s->y + (int64_t)p * s->c + j;
      for (int l = 0; l < PL_DWCONV_BLOCK; ++l)
        y[l] = pl_nn_clamp(out[l] + pk[l], s->lo, s->hi);
    }
    dw_pixel_portable(s, p, full);
  }
}
#else
static void dw_span_portable(const DwSpan* s) {
  for (int p = 0; p < s->count; ++p) dw_pixel_portable(s, p, 0);
}
#endif

/* ---- AVX2 ---------------------------------------------------------------- */

#ifdef PL_DWCONV_X86
#define PL_DW_AVX2_INLINE \
  static inline __attribute__((always_inline, target("avx2")))

/* np pixels x nb blocks of 8 channels from channel j (np, nb, kf and masked
 * constants after inlining; np * nb <= 8, or np 1 and nb 6). kf = 3 or 5:
 * a full kf x kf filter, unrolled; 0: the span's tap ranges. masked: one
 * block of the c - j < 8 last channels, loaded and stored through `mask`.
 * Each sum is a chain of adds, one per tap: a lone pixel takes 6 blocks,
 * so that 6 chains overlap their latency. */
PL_DW_AVX2_INLINE void dw_tile_avx2(const int np, const int nb, const int kf,
                                    const bool masked, const DwSpan* s,
                                    int p, int j, __m256i mask) {
  const int fy0 = kf ? 0 : s->fy0, fy1 = kf ? kf : s->fy1;
  const int fx0 = kf ? 0 : s->fx0, fx1 = kf ? kf : s->fx1;
  const int fw = kf ? kf : s->fw;
  const float* pk = s->packed + (j / PL_DWCONV_BLOCK) * s->block_floats;
  const int64_t at = s->in0 + (int64_t)p * s->step + j;
  __m256 acc[4][6];
  PL_DW_UNROLL
  for (int q = 0; q < np; ++q) {
    PL_DW_UNROLL
    for (int b = 0; b < nb; ++b) acc[q][b] = _mm256_setzero_ps();
  }
  /* Filter rows stay a loop: unrolled too, the compiler hoists every
   * weight out of it and spills them. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC unroll 1
#endif
  for (int fy = fy0; fy < fy1; ++fy) {
    PL_DW_UNROLL_RUNTIME
    for (int fx = fx0; fx < fx1; ++fx) {
      const float* u = pk + PL_DWCONV_BLOCK * (fy * fw + fx + 1);
      __m256 wv[6];
      PL_DW_UNROLL
      for (int b = 0; b < nb; ++b)
        wv[b] = _mm256_loadu_ps(u + b * s->block_floats);
      const float* v = s->x + (at + fy * s->row_step + fx * s->tap_step);
      PL_DW_UNROLL
      for (int q = 0; q < np; ++q) {
        const float* vq = v + q * s->step;
        PL_DW_UNROLL
        for (int b = 0; b < nb; ++b) {
          const __m256 in = masked ? _mm256_maskload_ps(vq, mask)
                                   : _mm256_loadu_ps(vq + 8 * b);
          acc[q][b] = _mm256_add_ps(acc[q][b], _mm256_mul_ps(in, wv[b]));
        }
      }
    }
  }
  const __m256 vlo = _mm256_set1_ps(s->lo), vhi = _mm256_set1_ps(s->hi);
  float* y = s->y + (int64_t)p * s->c + j;
  PL_DW_UNROLL
  for (int b = 0; b < nb; ++b) {
    const __m256 bias = _mm256_loadu_ps(pk + b * s->block_floats);
    PL_DW_UNROLL
    for (int q = 0; q < np; ++q) {
      /* max(lo, x) is `lo > x ? lo : x` and min(hi, x) `hi < x ? hi : x`:
       * the scalar clamp, NaN included. */
      const __m256 o = _mm256_min_ps(
          vhi, _mm256_max_ps(vlo, _mm256_add_ps(acc[q][b], bias)));
      if (masked)
        _mm256_maskstore_ps(y + q * s->c, mask, o);
      else
        _mm256_storeu_ps(y + q * s->c + 8 * b, o);
    }
  }
}

/* np pixels from p, every channel: blocks of 16 channels for 4 pixels,
 * of 48 for a lone one. */
PL_DW_AVX2_INLINE void dw_pixels_avx2(const int np, const int kf,
                                      const DwSpan* s, int p) {
  int j = 0;
  if (np == 1)
    for (; j + 48 <= s->c; j += 48)
      dw_tile_avx2(1, 6, kf, false, s, p, j, _mm256_setzero_si256());
  for (; j + 16 <= s->c; j += 16)
    dw_tile_avx2(np, 2, kf, false, s, p, j, _mm256_setzero_si256());
  for (; j + 8 <= s->c; j += 8)
    dw_tile_avx2(np, 1, kf, false, s, p, j, _mm256_setzero_si256());
  if (j < s->c) {
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(s->c - j), lane);
    dw_tile_avx2(np, 1, kf, true, s, p, j, mask);
  }
}

PL_DW_AVX2_INLINE void dw_span_avx2_body(const int kf, const DwSpan* s) {
  int p = 0;
  for (; p + 4 <= s->count; p += 4) dw_pixels_avx2(4, kf, s, p);
  for (; p < s->count; ++p) dw_pixels_avx2(1, kf, s, p);
}

static __attribute__((target("avx2"))) void dw_span_avx2(const DwSpan* s) {
  dw_span_avx2_body(0, s);
}
static __attribute__((target("avx2"))) void dw_span_avx2_3x3(const DwSpan* s) {
  dw_span_avx2_body(3, s);
}
static __attribute__((target("avx2"))) void dw_span_avx2_5x5(const DwSpan* s) {
  dw_span_avx2_body(5, s);
}
#endif /* PL_DWCONV_X86 */

/* ---- Rows ------------------------------------------------------------------ */

static void dw_span(const DwSpan* s, bool avx2) {
  if (s->count <= 0) return;
#ifdef PL_DWCONV_X86
  if (avx2) {
    const bool full = s->fh == s->fw && s->fy0 == 0 && s->fx0 == 0 &&
                      s->fy1 == s->fh && s->fx1 == s->fw;
    if (full && s->fw == 3)
      dw_span_avx2_3x3(s);
    else if (full && s->fw == 5)
      dw_span_avx2_5x5(s);
    else
      dw_span_avx2(s);
    return;
  }
#endif
  (void)avx2;
  dw_span_portable(s);
}

/* The taps [*t0, *t1) of a filter of size f whose tap t reads position
 * origin + t * dilation of an extent of n. */
static void dw_taps(int64_t origin, int dilation, int f, int n, int* t0,
                    int* t1) {
  int a = 0, b = f;
  while (a < b && origin + (int64_t)a * dilation < 0) ++a;
  while (b > a && origin + (int64_t)(b - 1) * dilation >= n) --b;
  *t0 = a, *t1 = b;
}

void pl_dwconv_rows(const PlDwconv* p, int64_t r0, int64_t r1) {
  const bool avx2 = pl_simd_avx2();
  const int64_t c = p->c;
  const int fw = p->fw;
  /* Interior pixels: ox in [xa, xb), every horizontal tap inside. */
  int64_t xa = p->stride_w > 0 ? (p->pad_w + p->stride_w - 1) / p->stride_w
                               : 0;
  const int64_t last = (int64_t)p->w - 1 + p->pad_w -
                       (int64_t)(fw - 1) * p->dilation_w;
  int64_t xb = last >= 0 ? last / p->stride_w + 1 : 0;
  if (xb > p->ow) xb = p->ow;
  if (xa > xb) xa = xb;
  for (int64_t row = r0; row < r1; ++row) {
    const int64_t b = row / p->oh;
    const int64_t y0 = (row % p->oh) * p->stride_h - p->pad_h;
    DwSpan s = {
        .x = p->x, .step = p->stride_w * c,
        .row_step = (int64_t)p->dilation_h * p->w * c,
        .tap_step = (int64_t)p->dilation_w * c, .fh = p->fh, .fw = fw,
        .c = p->c,
        .packed = p->packed,
        .block_floats = PL_DWCONV_BLOCK * ((int64_t)p->fh * fw + 1),
        .lo = p->lo, .hi = p->hi,
    };
    dw_taps(y0, p->dilation_h, p->fh, p->h, &s.fy0, &s.fy1);
    const int64_t row_in = (b * p->h + y0) * p->w * c;
    float* y = p->y + row * p->ow * c;
    /* Borders one pixel at a time, the interior in one span. */
    for (int64_t ox = 0; ox < p->ow; ++ox) {
      if (ox == xa && xb > xa) {
        s.fx0 = 0, s.fx1 = fw, s.count = (int)(xb - xa);
        s.in0 = row_in + (xa * p->stride_w - p->pad_w) * c;
        s.y = y + xa * c;
        dw_span(&s, avx2);
        ox = xb - 1;
        continue;
      }
      const int64_t x0 = ox * p->stride_w - p->pad_w;
      dw_taps(x0, p->dilation_w, fw, p->w, &s.fx0, &s.fx1);
      s.count = 1;
      s.in0 = row_in + x0 * c;
      s.y = y + ox * c;
      dw_span(&s, avx2);
    }
  }
}
