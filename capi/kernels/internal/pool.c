/* pylite: the float32 pools (AVERAGE_POOL_2D, MAX_POOL_2D, L2_POOL_2D; see
 * nn_pool.h for what they compute).
 *
 * Channels are contiguous in NHWC, so one output pixel is computed for a
 * vector of channels at a time: its window, clipped to the input once per
 * pixel (padding is never read), is walked tap by tap, each tap one vector
 * load and one max or add per vector of channels. Every lane is one
 * channel's scalar loop (taps in (fy, fx) order, the same division, square
 * root and clamp), so every path gives the bits of the plain loop. Output
 * rows are split over the interpreter's threads. */
#include <math.h>

#include "capi/kernels/internal/nn_pool.h"
#include "capi/kernels/internal/simd.h"

#if (defined(__x86_64__) || defined(__i386__)) && \
    (defined(__GNUC__) || defined(__clang__))
#define PL_POOL_X86 1
#include <immintrin.h>
#endif

/* One output pixel: its first in-window tap, the window's extent and the
 * distance between its rows (taps of a row are c apart). */
typedef struct PoolPixel {
  const float* x; /* tap (fy0, fx0), channel 0 */
  int rows, cols;
  int64_t row_step;
  float count; /* rows * cols, for the average */
} PoolPixel;

typedef struct PoolTask {
  const PlPoolData* d;
  const float* x;
  float* y;
  int h, w, c, oh, ow;
  float lo, hi;
} PoolTask;

/* ---- Portable ------------------------------------------------------------ */

/* Channels [c0, c1) of one pixel, one channel's loop per lane of a block of
 * 8 (which compilers keep in vector registers). */
static void pool_channels_portable(PlPoolKind kind, const PoolPixel* p,
                                   int c, int c0, int c1, float lo, float hi,
                                   float* dst) {
  enum { kLanes = 8 };
  for (int ch = c0; ch < c1; ch += kLanes) {
    const int lanes = c1 - ch < kLanes ? c1 - ch : kLanes;
    float acc[kLanes];
    for (int l = 0; l < lanes; ++l)
      acc[l] = kind == PL_POOL_MAX ? -FLT_MAX : 0.0f;
    for (int fy = 0; fy < p->rows; ++fy) {
      const float* row = p->x + fy * p->row_step + ch;
      for (int fx = 0; fx < p->cols; ++fx) {
        const float* v = row + (int64_t)fx * c;
        for (int l = 0; l < lanes; ++l) {
          if (kind == PL_POOL_MAX)
            acc[l] = acc[l] < v[l] ? v[l] : acc[l]; /* std::max(acc, v) */
          else if (kind == PL_POOL_L2)
            acc[l] += v[l] * v[l];
          else
            acc[l] += v[l];
        }
      }
    }
    for (int l = 0; l < lanes; ++l) {
      float r = acc[l];
      if (kind == PL_POOL_AVERAGE)
        r = r / p->count;
      else if (kind == PL_POOL_L2)
        r = sqrtf(r / p->count);
      dst[ch + l] = pl_nn_clamp(r, lo, hi);
    }
  }
}

/* ---- AVX2 and AVX-512 -------------------------------------------------------
 *
 * max(v, acc) as vmaxps keeps acc unless v > acc: `acc < v ? v : acc`,
 * NaN and signed zeros included; the clamp is min(hi, max(lo, x)), the
 * scalar clamp's operand order. */
#ifdef PL_POOL_X86
#define PL_POOL_AVX2 \
  static inline __attribute__((always_inline, target("avx2,fma")))

PL_POOL_AVX2 __m256 pool_step8(PlPoolKind kind, __m256 acc, __m256 v) {
  if (kind == PL_POOL_MAX) return _mm256_max_ps(v, acc);
  if (kind == PL_POOL_L2) return _mm256_add_ps(acc, _mm256_mul_ps(v, v));
  return _mm256_add_ps(acc, v);
}

PL_POOL_AVX2 __m256 pool_finish8(PlPoolKind kind, __m256 acc, float count,
                                 float lo, float hi) {
  if (kind != PL_POOL_MAX) acc = _mm256_div_ps(acc, _mm256_set1_ps(count));
  if (kind == PL_POOL_L2) acc = _mm256_sqrt_ps(acc);
  return _mm256_min_ps(_mm256_set1_ps(hi),
                       _mm256_max_ps(_mm256_set1_ps(lo), acc));
}

/* Whole vectors of 8 channels, the last few portable. */
PL_POOL_AVX2 void pool_pixel_avx2(PlPoolKind kind, const PoolPixel* p, int c,
                                  float lo, float hi, float* dst) {
  const __m256 init = _mm256_set1_ps(kind == PL_POOL_MAX ? -FLT_MAX : 0.0f);
  int ch = 0;
  for (; ch + 8 <= c; ch += 8) {
    __m256 acc = init;
    for (int fy = 0; fy < p->rows; ++fy) {
      const float* row = p->x + fy * p->row_step + ch;
      for (int fx = 0; fx < p->cols; ++fx)
        acc = pool_step8(kind, acc, _mm256_loadu_ps(row + (int64_t)fx * c));
    }
    _mm256_storeu_ps(dst + ch, pool_finish8(kind, acc, p->count, lo, hi));
  }
  if (ch < c) pool_channels_portable(kind, p, c, ch, c, lo, hi, dst);
}

#define PL_POOL_AVX512 \
  static inline __attribute__((always_inline, target("avx512f")))

PL_POOL_AVX512 __m512 pool_step16(PlPoolKind kind, __m512 acc, __m512 v) {
  if (kind == PL_POOL_MAX) return _mm512_max_ps(v, acc);
  if (kind == PL_POOL_L2) return _mm512_add_ps(acc, _mm512_mul_ps(v, v));
  return _mm512_add_ps(acc, v);
}

/* Vectors of 16 channels, the last one masked (masked-off lanes are not
 * read). */
PL_POOL_AVX512 void pool_pixel_avx512(PlPoolKind kind, const PoolPixel* p,
                                      int c, float lo, float hi, float* dst) {
  const __m512 init = _mm512_set1_ps(kind == PL_POOL_MAX ? -FLT_MAX : 0.0f);
  const __m512 vlo = _mm512_set1_ps(lo), vhi = _mm512_set1_ps(hi);
  for (int ch = 0; ch < c; ch += 16) {
    const __mmask16 m =
        c - ch >= 16 ? (__mmask16)0xFFFF
                     : (__mmask16)((1u << (unsigned)(c - ch)) - 1u);
    __m512 acc = init;
    for (int fy = 0; fy < p->rows; ++fy) {
      const float* row = p->x + fy * p->row_step + ch;
      for (int fx = 0; fx < p->cols; ++fx)
        acc = pool_step16(kind, acc,
                          _mm512_maskz_loadu_ps(m, row + (int64_t)fx * c));
    }
    if (kind != PL_POOL_MAX)
      acc = _mm512_div_ps(acc, _mm512_set1_ps(p->count));
    if (kind == PL_POOL_L2) acc = _mm512_sqrt_ps(acc);
    _mm512_mask_storeu_ps(dst + ch, m,
                          _mm512_min_ps(vhi, _mm512_max_ps(vlo, acc)));
  }
}
#endif /* PL_POOL_X86 */

/* ---- Rows ---------------------------------------------------------------- */

typedef void (*PoolPixelFn)(PlPoolKind, const PoolPixel*, int, float, float,
                            float*);

static void pool_pixel_portable(PlPoolKind kind, const PoolPixel* p, int c,
                                float lo, float hi, float* dst) {
  pool_channels_portable(kind, p, c, 0, c, lo, hi, dst);
}

/* Output rows [begin, end) (index b * oh + oy) with one kind's pixel
 * function; the kind is a constant in each caller, so each gets its own
 * inner loops. */
static inline __attribute__((always_inline)) void pool_rows(
    const PoolTask* t, PlPoolKind kind, PoolPixelFn pixel, int64_t begin,
    int64_t end) {
  const PlPoolData* d = t->d;
  const int h = t->h, w = t->w, c = t->c;
  for (int64_t r = begin; r < end; ++r) {
    const int64_t b = r / t->oh;
    const int oy = (int)(r % t->oh);
    const int y0 = oy * d->stride_h - d->pad_h;
    const int fy0 = y0 < 0 ? -y0 : 0;
    const int fy1 = d->filter_h < h - y0 ? d->filter_h : h - y0;
    float* dst = t->y + r * t->ow * c;
    for (int ox = 0; ox < t->ow; ++ox, dst += c) {
      const int x0 = ox * d->stride_w - d->pad_w;
      const int fx0 = x0 < 0 ? -x0 : 0;
      const int fx1 = d->filter_w < w - x0 ? d->filter_w : w - x0;
      /* An empty window (max only: the others are rejected first)
       * reads nothing. */
      const bool empty = fy1 <= fy0 || fx1 <= fx0;
      const PoolPixel p = {
          .x = empty ? t->x
                     : t->x + ((b * h + y0 + fy0) * w + x0 + fx0) * c,
          .rows = empty ? 0 : fy1 - fy0, .cols = empty ? 0 : fx1 - fx0,
          .row_step = (int64_t)w * c,
          .count = (float)((fy1 - fy0) * (fx1 - fx0)),
      };
      pixel(kind, &p, c, t->lo, t->hi, dst);
    }
  }
}

#define PL_POOL_ROWS_FN(NAME, KIND, PIXEL)                                  \
  static void NAME(const PoolTask* t, int64_t begin, int64_t end) {         \
    pool_rows(t, KIND, PIXEL, begin, end);                                  \
  }
#ifdef PL_POOL_X86
#define PL_POOL_ROWS_X86(NAME, KIND, PIXEL, TARGET)                          \
  static __attribute__((target(TARGET))) void NAME(const PoolTask* t,       \
                                                   int64_t begin,           \
                                                   int64_t end) {           \
    pool_rows(t, KIND, PIXEL, begin, end);                                  \
  }
PL_POOL_ROWS_X86(pool_max_avx512, PL_POOL_MAX, pool_pixel_avx512, "avx512f")
PL_POOL_ROWS_X86(pool_avg_avx512, PL_POOL_AVERAGE, pool_pixel_avx512,
                 "avx512f")
PL_POOL_ROWS_X86(pool_l2_avx512, PL_POOL_L2, pool_pixel_avx512, "avx512f")
PL_POOL_ROWS_X86(pool_max_avx2, PL_POOL_MAX, pool_pixel_avx2, "avx2,fma")
PL_POOL_ROWS_X86(pool_avg_avx2, PL_POOL_AVERAGE, pool_pixel_avx2, "avx2,fma")
PL_POOL_ROWS_X86(pool_l2_avx2, PL_POOL_L2, pool_pixel_avx2, "avx2,fma")
#endif
PL_POOL_ROWS_FN(pool_max_portable, PL_POOL_MAX, pool_pixel_portable)
PL_POOL_ROWS_FN(pool_avg_portable, PL_POOL_AVERAGE, pool_pixel_portable)
PL_POOL_ROWS_FN(pool_l2_portable, PL_POOL_L2, pool_pixel_portable)

typedef void (*PoolRowsFn)(const PoolTask*, int64_t, int64_t);

/* [kind][level]: the level as PlSimdLevel. */
static const PoolRowsFn kPoolRows[3][3] = {
#ifdef PL_POOL_X86
    [PL_POOL_AVERAGE] = {pool_avg_portable, pool_avg_avx2, pool_avg_avx512},
    [PL_POOL_MAX] = {pool_max_portable, pool_max_avx2, pool_max_avx512},
    [PL_POOL_L2] = {pool_l2_portable, pool_l2_avx2, pool_l2_avx512},
#else
    [PL_POOL_AVERAGE] = {pool_avg_portable, pool_avg_portable,
                         pool_avg_portable},
    [PL_POOL_MAX] = {pool_max_portable, pool_max_portable, pool_max_portable},
    [PL_POOL_L2] = {pool_l2_portable, pool_l2_portable, pool_l2_portable},
#endif
};

typedef struct PoolJob {
  const PoolTask* t;
  PoolRowsFn rows;
} PoolJob;

static void pool_rows_task(void* ctx, int64_t begin, int64_t end,
                           int worker) {
  const PoolJob* job = ctx;
  job->rows(job->t, begin, end);
}

/* Whether some output window covers no input element (one axis at a
 * time: a window is empty when its rows or its columns are). */
static bool pool_has_empty_window(const PlPoolData* d, int h, int w, int oh,
                                  int ow) {
  for (int oy = 0; oy < oh; ++oy) {
    const int y0 = oy * d->stride_h - d->pad_h;
    const int fy0 = y0 < 0 ? -y0 : 0;
    if ((d->filter_h < h - y0 ? d->filter_h : h - y0) <= fy0) return true;
  }
  for (int ox = 0; ox < ow; ++ox) {
    const int x0 = ox * d->stride_w - d->pad_w;
    const int fx0 = x0 < 0 ? -x0 : 0;
    if ((d->filter_w < w - x0 ? d->filter_w : w - x0) <= fx0) return true;
  }
  return false;
}

TfLiteStatus pl_nn_pool_f32(PlSubgraph* sg, const PlPoolData* d,
                            PlPoolKind kind, const TfLiteTensor* input,
                            TfLiteTensor* output) {
  const int* in = input->dims->data;
  PoolTask t = {
      .d = d, .x = input->data.f, .y = output->data.f,
      .h = in[1], .w = in[2], .c = in[3],
      .oh = output->dims->data[1], .ow = output->dims->data[2],
  };
  if (kind != PL_POOL_MAX &&
      pool_has_empty_window(d, t.h, t.w, t.oh, t.ow)) {
    pl_report(sg, "%s: an output window covers no input element.",
              kind == PL_POOL_AVERAGE ? "AVERAGE_POOL_2D" : "L2_POOL_2D");
    return kTfLiteError;
  }
  pl_activation_range_f32(d->activation, &t.lo, &t.hi);
  const PoolJob job = {&t, kPoolRows[kind][pl_simd_level()]};
  /* About one unit per 4 values read (a vector load and op per 16); the
   * window clipped to the input, and the product kept far from overflow. */
  const double taps = (double)(d->filter_h < t.h ? d->filter_h : t.h) *
                      (double)(d->filter_w < t.w ? d->filter_w : t.w);
  const double units = (double)t.ow * taps * (double)t.c / 4.0;
  const int64_t cost = 1 + (int64_t)(units < 1e15 ? units : 1e15);
  pl_parallel_for_cost(sg, (int64_t)in[0] * t.oh, cost, pool_rows_task,
                       (void*)&job);
  return kTfLiteOk;
}
