/* pylite: the float32 GEMM (see gemm.h for what it computes and why the
 * bits never depend on the path taken). */
#include "capi/kernels/internal/gemm.h"

#include <stdlib.h>
#include <string.h>

#if (defined(__x86_64__) || defined(__i386__)) && \
    (defined(__GNUC__) || defined(__clang__))
#define PL_GEMM_X86 1
#include <immintrin.h>
#endif

/* Row loops of the tiles must be unrolled for their sums to live in
 * registers (GCC's -O2 does not fully unroll them on its own). */
#if defined(__clang__)
#define PL_UNROLL _Pragma("unroll")
#elif defined(__GNUC__)
#define PL_UNROLL _Pragma("GCC unroll 16")
#else
#define PL_UNROLL
#endif

/* ---- Packing ------------------------------------------------------------ */

int64_t pl_gemm_packed_size(int64_t n, int64_t k) {
  return ((n + PL_GEMM_NR - 1) / PL_GEMM_NR) * PL_GEMM_NR * k;
}

void pl_gemm_pack(const float* b, int64_t n, int64_t k, int64_t sj,
                  int64_t sk, float* packed) {
  if (n <= 0 || k <= 0) return; /* nothing to pack (b may be NULL) */
  for (int64_t j0 = 0; j0 < n; j0 += PL_GEMM_NR) {
    float* p = packed + j0 * k;
    const int64_t cols = n - j0 < PL_GEMM_NR ? n - j0 : PL_GEMM_NR;
    for (int64_t d = 0; d < k; ++d) {
      float* row = p + d * PL_GEMM_NR;
      for (int64_t c = 0; c < cols; ++c) row[c] = b[(j0 + c) * sj + d * sk];
      for (int64_t c = cols; c < PL_GEMM_NR; ++c) row[c] = 0.0f;
    }
  }
}

/* ---- Stores --------------------------------------------------------------- */

static inline float gemm_clamp(float x, float lo, float hi) {
  x = x < lo ? lo : x;
  return hi < x ? hi : x;
}

/* Finishes `cols` outputs of one row from their sums. */
static inline void gemm_store(float* y, const float* acc, const float* bias,
                              int64_t cols, float lo, float hi) {
  for (int64_t c = 0; c < cols; ++c) {
    float v = acc[c];
    if (bias) v += bias[c];
    y[c] = gemm_clamp(v, lo, hi);
  }
}

/* The length of A's segments along d (the whole of k when not set). */
static inline int64_t gemm_kseg(const PlGemm* g) {
  return g->kseg > 0 ? g->kseg : (g->k > 0 ? g->k : 1);
}

/* ---- Portable tiles ------------------------------------------------------- */

/* mr rows x NR columns, finished into y. With GCC / clang the sums are
 * 4-float vectors (SSE, NEON) in registers; lanes are independent outputs,
 * so this is the scalar loop's arithmetic. */
#define PL_PORTABLE_MR 2

#if defined(__GNUC__) || defined(__clang__)
typedef float PlV4 __attribute__((vector_size(16)));

static inline PlV4 v4_load(const float* p) {
  PlV4 v;
  memcpy(&v, p, sizeof(v));
  return v;
}

static inline void portable_tile(const int mr, const float* a, int64_t sai,
                                 int64_t sad, int64_t kseg, int64_t sseg,
                                 const float* p, int64_t k,
                                 const float* bias, float* y, int64_t ldy,
                                 int64_t cols, float lo, float hi) {
  PlV4 acc[PL_PORTABLE_MR][4];
  PL_UNROLL
  for (int r = 0; r < mr; ++r)
    for (int q = 0; q < 4; ++q) acc[r][q] = (PlV4){0.0f, 0.0f, 0.0f, 0.0f};
  for (int64_t s0 = 0, seg = 0; s0 < k; s0 += kseg, ++seg) {
    const int64_t s1 = k - s0 < kseg ? k : s0 + kseg;
    for (int64_t d = s0; d < s1; ++d) {
      const float* w = p + d * PL_GEMM_NR;
      const PlV4 w0 = v4_load(w), w1 = v4_load(w + 4), w2 = v4_load(w + 8),
                 w3 = v4_load(w + 12);
      const float* ad = a + seg * sseg + (d - s0) * sad;
      PL_UNROLL
      for (int r = 0; r < mr; ++r) {
        const float s = ad[r * sai];
        const PlV4 v = {s, s, s, s};
        acc[r][0] += v * w0;
        acc[r][1] += v * w1;
        acc[r][2] += v * w2;
        acc[r][3] += v * w3;
      }
    }
  }
  PL_UNROLL
  for (int r = 0; r < mr; ++r) {
    float out[PL_GEMM_NR];
    memcpy(out, acc[r], sizeof(out));
    gemm_store(y + r * ldy, out, bias, cols, lo, hi);
  }
}
#else
static inline void portable_tile(const int mr, const float* a, int64_t sai,
                                 int64_t sad, int64_t kseg, int64_t sseg,
                                 const float* p, int64_t k,
                                 const float* bias, float* y, int64_t ldy,
                                 int64_t cols, float lo, float hi) {
  float acc[PL_PORTABLE_MR][PL_GEMM_NR];
  PL_UNROLL
  for (int r = 0; r < mr; ++r)
    for (int c = 0; c < PL_GEMM_NR; ++c) acc[r][c] = 0.0f;
  for (int64_t s0 = 0, seg = 0; s0 < k; s0 += kseg, ++seg) {
    const int64_t s1 = k - s0 < kseg ? k : s0 + kseg;
    for (int64_t d = s0; d < s1; ++d) {
      const float* w = p + d * PL_GEMM_NR;
      const float* ad = a + seg * sseg + (d - s0) * sad;
      PL_UNROLL
      for (int r = 0; r < mr; ++r) {
        const float v = ad[r * sai];
        for (int c = 0; c < PL_GEMM_NR; ++c) acc[r][c] += v * w[c];
      }
    }
  }
  PL_UNROLL
  for (int r = 0; r < mr; ++r)
    gemm_store(y + r * ldy, acc[r], bias, cols, lo, hi);
}
#endif

static void portable_tile2(const float* a, int64_t sai, int64_t sad,
                           int64_t kseg, int64_t sseg, const float* p,
                           int64_t k, const float* bias, float* y,
                           int64_t ldy, int64_t cols, float lo, float hi) {
  portable_tile(2, a, sai, sad, kseg, sseg, p, k, bias, y, ldy, cols, lo, hi);
}

static void portable_tile1(const float* a, int64_t sai, int64_t sad,
                           int64_t kseg, int64_t sseg, const float* p,
                           int64_t k, const float* bias, float* y,
                           int64_t ldy, int64_t cols, float lo, float hi) {
  portable_tile(1, a, sai, sad, kseg, sseg, p, k, bias, y, ldy, cols, lo, hi);
}

/* Rows [m0, m1) x the columns of panel j0. */
static void portable_panel(const PlGemm* g, int64_t m0, int64_t m1,
                           int64_t j0) {
  const float* p = g->packed + j0 * g->k;
  const int64_t cols = g->n - j0 < PL_GEMM_NR ? g->n - j0 : PL_GEMM_NR;
  const float* bias = g->bias ? g->bias + j0 : NULL;
  int64_t i = m0;
  for (; i + PL_PORTABLE_MR <= m1; i += PL_PORTABLE_MR)
    portable_tile2(g->a + i * g->sai, g->sai, g->sad, gemm_kseg(g), g->sseg,
                   p, g->k, bias, g->y + i * g->ldy + j0, g->ldy, cols, g->lo,
                   g->hi);
  for (; i < m1; ++i)
    portable_tile1(g->a + i * g->sai, g->sai, g->sad, gemm_kseg(g), g->sseg,
                   p, g->k, bias, g->y + i * g->ldy + j0, g->ldy, cols, g->lo,
                   g->hi);
}

/* ---- AVX2 tiles ----------------------------------------------------------- */

#ifdef PL_GEMM_X86
#define PL_AVX2 __attribute__((target("avx2")))
#define PL_AVX2_INLINE static inline __attribute__((always_inline, target("avx2")))
#define PL_AVX2_MR 5
/* The narrow tiles' rows (pl_gemm_narrow_rows): one 8-lane sum per row, 12
 * independent adds per d to cover the add latency. */
#define PL_NARROW_MR 12

/* Adds the products of d in [0, count) to the sums c0 (and c1 when
 * nv == 2) of mr rows: A(r, d) at a[r * sai + d * sad], B's row d at
 * p + d * NR. */
PL_AVX2_INLINE void avx2_tile_run(const int mr, const int nv, const float* a,
                                  int64_t sai, int64_t sad, const float* p,
                                  int64_t count, __m256* c0, __m256* c1) {
  for (int64_t d = 0; d < count; ++d) {
    const __m256 b0 = _mm256_loadu_ps(p + d * PL_GEMM_NR);
    const __m256 b1 =
        nv == 2 ? _mm256_loadu_ps(p + d * PL_GEMM_NR + 8) : _mm256_setzero_ps();
    const float* ad = a + d * sad;
    PL_UNROLL
    for (int r = 0; r < mr; ++r) {
      const __m256 v = _mm256_broadcast_ss(ad + r * sai);
      c0[r] = _mm256_add_ps(c0[r], _mm256_mul_ps(v, b0));
      if (nv == 2) c1[r] = _mm256_add_ps(c1[r], _mm256_mul_ps(v, b1));
    }
  }
}

/* mr (1..5, or up to 12 with nv = 1) rows x 8 * nv (8 or 16) columns, mr
 * and nv constants after inlining: mr * nv accumulators, each lane one
 * output; multiply, then add (no FMA). Five rows keep all ten sums in
 * registers (six spill: half the speed). nv = 1 serves a last panel of at
 * most 8 columns. */
PL_AVX2_INLINE void avx2_tile(const int mr, const int nv, const float* a,
                              int64_t sai, int64_t sad, int64_t kseg,
                              int64_t sseg, const float* p, int64_t k,
                              const float* bias, float* y, int64_t ldy,
                              int64_t cols, float lo, float hi) {
  __m256 c0[PL_NARROW_MR], c1[PL_NARROW_MR];
  PL_UNROLL
  for (int r = 0; r < mr; ++r) {
    c0[r] = _mm256_setzero_ps();
    c1[r] = _mm256_setzero_ps();
  }
  /* One segment: a plain loop with nothing else live (the short-k tiles
   * of pointwise convolutions run at half speed otherwise). */
  if (kseg >= k) {
    avx2_tile_run(mr, nv, a, sai, sad, p, k, c0, c1);
  } else {
    for (int64_t s0 = 0, seg = 0; s0 < k; s0 += kseg, ++seg)
      avx2_tile_run(mr, nv, a + seg * sseg, sai, sad, p + s0 * PL_GEMM_NR,
                    k - s0 < kseg ? k - s0 : kseg, c0, c1);
  }
  if (cols == 8 * nv) {
    const __m256 vlo = _mm256_set1_ps(lo), vhi = _mm256_set1_ps(hi);
    __m256 bias0 = _mm256_setzero_ps(), bias1 = _mm256_setzero_ps();
    if (bias) {
      bias0 = _mm256_loadu_ps(bias);
      if (nv == 2) bias1 = _mm256_loadu_ps(bias + 8);
    }
    PL_UNROLL
    for (int r = 0; r < mr; ++r) {
      __m256 v0 = c0[r], v1 = c1[r];
      if (bias) {
        v0 = _mm256_add_ps(v0, bias0);
        v1 = _mm256_add_ps(v1, bias1);
      }
      /* max(lo, x) is `lo > x ? lo : x` and min(hi, x) `hi < x ? hi : x`:
       * the scalar clamp, NaN included. */
      v0 = _mm256_min_ps(vhi, _mm256_max_ps(vlo, v0));
      _mm256_storeu_ps(y + r * ldy, v0);
      if (nv == 2) {
        v1 = _mm256_min_ps(vhi, _mm256_max_ps(vlo, v1));
        _mm256_storeu_ps(y + r * ldy + 8, v1);
      }
    }
  } else {
    float acc[PL_GEMM_NR];
    PL_UNROLL
    for (int r = 0; r < mr; ++r) {
      _mm256_storeu_ps(acc, c0[r]);
      _mm256_storeu_ps(acc + 8, c1[r]);
      gemm_store(y + r * ldy, acc, bias, cols, lo, hi);
    }
  }
}

#define PL_AVX2_TILE_FN(R, NV)                                                \
  static PL_AVX2 void avx2_tile##R##x##NV(                                    \
      const float* a, int64_t sai, int64_t sad, int64_t kseg, int64_t sseg,   \
      const float* p, int64_t k, const float* bias, float* y, int64_t ldy,    \
      int64_t cols, float lo, float hi) {                                     \
    avx2_tile(R, NV, a, sai, sad, kseg, sseg, p, k, bias, y, ldy, cols, lo,   \
              hi);                                                            \
  }
PL_AVX2_TILE_FN(1, 1)
PL_AVX2_TILE_FN(2, 1)
PL_AVX2_TILE_FN(3, 1)
PL_AVX2_TILE_FN(4, 1)
PL_AVX2_TILE_FN(5, 1)
PL_AVX2_TILE_FN(6, 1)
PL_AVX2_TILE_FN(7, 1)
PL_AVX2_TILE_FN(8, 1)
PL_AVX2_TILE_FN(9, 1)
PL_AVX2_TILE_FN(10, 1)
PL_AVX2_TILE_FN(11, 1)
PL_AVX2_TILE_FN(12, 1)
PL_AVX2_TILE_FN(1, 2)
PL_AVX2_TILE_FN(2, 2)
PL_AVX2_TILE_FN(3, 2)
PL_AVX2_TILE_FN(4, 2)
PL_AVX2_TILE_FN(5, 2)

typedef void (*PlAvx2Tile)(const float*, int64_t, int64_t, int64_t,
                           int64_t, const float*, int64_t, const float*,
                           float*, int64_t, int64_t, float, float);
/* [nv - 1][rows] */
static const PlAvx2Tile kAvx2Tiles[2][PL_AVX2_MR + 1] = {
    {NULL, avx2_tile1x1, avx2_tile2x1, avx2_tile3x1, avx2_tile4x1,
     avx2_tile5x1},
    {NULL, avx2_tile1x2, avx2_tile2x2, avx2_tile3x2, avx2_tile4x2,
     avx2_tile5x2},
};
/* [rows] of the narrow tiles (nv = 1). */
static const PlAvx2Tile kNarrowTiles[PL_NARROW_MR + 1] = {
    NULL,          avx2_tile1x1,  avx2_tile2x1,  avx2_tile3x1, avx2_tile4x1,
    avx2_tile5x1,  avx2_tile6x1,  avx2_tile7x1,  avx2_tile8x1, avx2_tile9x1,
    avx2_tile10x1, avx2_tile11x1, avx2_tile12x1,
};

/* One row x np (1, 2 or 4, constant after inlining) full panels: 2 * np
 * independent sums, each row's products streaming np panels (matrix-vector
 * products: batch-1 FULLY_CONNECTED, where a 1 x 16 tile's two sums wait
 * on the add latency). Same arithmetic per output. */
PL_AVX2_INLINE void avx2_row_panels(const int np, const float* a, int64_t sad,
                                    int64_t kseg, int64_t sseg,
                                    const float* p, int64_t k,
                                    const float* bias, float* y, float lo,
                                    float hi) {
  const int64_t step = k * PL_GEMM_NR; /* floats from a panel to the next */
  __m256 c[8];
  PL_UNROLL
  for (int q = 0; q < 2 * np; ++q) c[q] = _mm256_setzero_ps();
  for (int64_t s0 = 0, seg = 0; s0 < k; s0 += kseg, ++seg) {
    const int64_t s1 = k - s0 < kseg ? k : s0 + kseg;
    for (int64_t d = s0; d < s1; ++d) {
      const __m256 v = _mm256_broadcast_ss(a + seg * sseg + (d - s0) * sad);
      const float* pd = p + d * PL_GEMM_NR;
      PL_UNROLL
      for (int q = 0; q < 2 * np; ++q)
        c[q] = _mm256_add_ps(
            c[q], _mm256_mul_ps(v, _mm256_loadu_ps(pd + (q / 2) * step +
                                                   (q % 2) * 8)));
    }
  }
  const __m256 vlo = _mm256_set1_ps(lo), vhi = _mm256_set1_ps(hi);
  PL_UNROLL
  for (int q = 0; q < 2 * np; ++q) {
    __m256 v = c[q];
    if (bias) v = _mm256_add_ps(v, _mm256_loadu_ps(bias + 8 * q));
    /* The scalar clamp, NaN included, as in avx2_tile. */
    _mm256_storeu_ps(y + 8 * q, _mm256_min_ps(vhi, _mm256_max_ps(vlo, v)));
  }
}

#define PL_AVX2_ROW_FN(NP)                                                   \
  static PL_AVX2 void avx2_row##NP##panels(                                  \
      const float* a, int64_t sad, int64_t kseg, int64_t sseg,               \
      const float* p, int64_t k, const float* bias, float* y, float lo,      \
      float hi) {                                                            \
    avx2_row_panels(NP, a, sad, kseg, sseg, p, k, bias, y, lo, hi);          \
  }
PL_AVX2_ROW_FN(1)
PL_AVX2_ROW_FN(2)
PL_AVX2_ROW_FN(4)

/* Rows [m0, m1) x panels [q0, q1), the rows one at a time over groups of
 * 4, 2 and 1 full panels; returns the first panel left to the row tiles
 * (a last panel of fewer columns). Used when there are too few rows for
 * a 5-row tile. */
static int64_t avx2_rows_wide(const PlGemm* g, int64_t m0, int64_t m1,
                              int64_t q0, int64_t q1) {
  const int64_t full = g->n / PL_GEMM_NR; /* panels of 16 columns */
  const int64_t end = q1 < full ? q1 : full;
  int64_t q = q0;
  while (q < end) {
    const int64_t np = end - q >= 4 ? 4 : end - q >= 2 ? 2 : 1;
    const int64_t j0 = q * PL_GEMM_NR;
    for (int64_t i = m0; i < m1; ++i) {
      const float* a = g->a + i * g->sai;
      const float* p = g->packed + j0 * g->k;
      const float* bias = g->bias ? g->bias + j0 : NULL;
      float* y = g->y + i * g->ldy + j0;
      if (np == 4)
        avx2_row4panels(a, g->sad, gemm_kseg(g), g->sseg, p, g->k, bias, y,
                        g->lo, g->hi);
      else if (np == 2)
        avx2_row2panels(a, g->sad, gemm_kseg(g), g->sseg, p, g->k, bias, y,
                        g->lo, g->hi);
      else
        avx2_row1panels(a, g->sad, gemm_kseg(g), g->sseg, p, g->k, bias, y,
                        g->lo, g->hi);
    }
    q += np;
  }
  return q;
}

static void avx2_panel(const PlGemm* g, int64_t m0, int64_t m1, int64_t j0) {
  const float* p = g->packed + j0 * g->k;
  const int64_t cols = g->n - j0 < PL_GEMM_NR ? g->n - j0 : PL_GEMM_NR;
  const float* bias = g->bias ? g->bias + j0 : NULL;
  const PlAvx2Tile* tiles = kAvx2Tiles[cols > 8 ? 1 : 0];
  for (int64_t i = m0; i < m1; i += PL_AVX2_MR) {
    const int64_t rows = m1 - i < PL_AVX2_MR ? m1 - i : PL_AVX2_MR;
    tiles[rows](g->a + i * g->sai, g->sai, g->sad, gemm_kseg(g), g->sseg, p,
                g->k, bias, g->y + i * g->ldy + j0, g->ldy, cols, g->lo,
                g->hi);
  }
}

/* ---- AVX-512 tiles --------------------------------------------------------
 *
 * mr (4..10; 12, 14 or 16 for the tall tiles) rows x 16 columns, one
 * 512-bit sum per row: the AVX2 tile's
 * arithmetic in half the instructions. The AVX2 tile is limited by how
 * fast instructions issue, this one by the floating-point pipes: 5 to 15%
 * faster on AMD Zen 4 (measured; as fast for sums of 1024 terms). Partial
 * panels and the last 1 to 3 rows stay on AVX2. */
#define PL_AVX512_INLINE \
  static inline __attribute__((always_inline, target("avx512f")))
#define PL_AVX512_MR 10
/* The tall tiles' rows at most (pl_gemm_tall_rows: 12, 14 or 16). */
#define PL_TALL_MR 16

/* Adds the products of d in [0, count) to the sums of mr rows, and
 * prefetches B's row d of the next panel (`next` floats further): the
 * first tile of a panel streams it from memory, where the hardware
 * prefetcher, idle while the other tiles reuse a panel, starts late. */
PL_AVX512_INLINE void avx512_tile_run(const int mr, const float* a,
                                      int64_t sai, int64_t sad,
                                      const float* p, int64_t count,
                                      int64_t next, __m512* c) {
  for (int64_t d = 0; d < count; ++d) {
    /* Past the last panel this names memory it never reads: integer
     * arithmetic, as a pointer there would be out of bounds. */
    _mm_prefetch((const char*)((uintptr_t)(p + d * PL_GEMM_NR) +
                               (uintptr_t)next * sizeof(float)),
                 _MM_HINT_T0);
    const __m512 b = _mm512_loadu_ps(p + d * PL_GEMM_NR);
    const float* ad = a + d * sad;
    PL_UNROLL
    for (int r = 0; r < mr; ++r)
      c[r] = _mm512_add_ps(c[r],
                           _mm512_mul_ps(_mm512_set1_ps(ad[r * sai]), b));
  }
}

PL_AVX512_INLINE void avx512_tile(const int mr, const PlGemm* g, int64_t i,
                                  int64_t j0) {
  const int64_t k = g->k, kseg = gemm_kseg(g);
  const float* a = g->a + i * g->sai;
  const float* p = g->packed + j0 * k;
  __m512 c[PL_TALL_MR];
  PL_UNROLL
  for (int r = 0; r < mr; ++r) c[r] = _mm512_setzero_ps();
  const int64_t next = k * PL_GEMM_NR;
  if (kseg >= k) {
    avx512_tile_run(mr, a, g->sai, g->sad, p, k, next, c);
  } else {
    for (int64_t s0 = 0, seg = 0; s0 < k; s0 += kseg, ++seg)
      avx512_tile_run(mr, a + seg * g->sseg, g->sai, g->sad,
                      p + s0 * PL_GEMM_NR, k - s0 < kseg ? k - s0 : kseg,
                      next, c);
  }
  const __m512 vlo = _mm512_set1_ps(g->lo), vhi = _mm512_set1_ps(g->hi);
  const __m512 vb =
      g->bias ? _mm512_loadu_ps(g->bias + j0) : _mm512_setzero_ps();
  float* y = g->y + i * g->ldy + j0;
  PL_UNROLL
  for (int r = 0; r < mr; ++r) {
    __m512 v = c[r];
    if (g->bias) v = _mm512_add_ps(v, vb);
    /* The scalar clamp, NaN included, as in avx2_tile. */
    _mm512_storeu_ps(y + r * g->ldy, _mm512_min_ps(vhi, _mm512_max_ps(vlo, v)));
  }
}

#define PL_AVX512_TILE_FN(R)                                              \
  static __attribute__((target("avx512f"))) void avx512_tile##R(          \
      const PlGemm* g, int64_t i, int64_t j0) {                           \
    avx512_tile(R, g, i, j0);                                             \
  }
PL_AVX512_TILE_FN(4)
PL_AVX512_TILE_FN(5)
PL_AVX512_TILE_FN(6)
PL_AVX512_TILE_FN(7)
PL_AVX512_TILE_FN(8)
PL_AVX512_TILE_FN(9)
PL_AVX512_TILE_FN(10)
PL_AVX512_TILE_FN(12)
PL_AVX512_TILE_FN(14)
PL_AVX512_TILE_FN(16)

typedef void (*PlAvx512Tile)(const PlGemm*, int64_t, int64_t);
/* [rows], 4 rows or more (see avx512_panel). */
static const PlAvx512Tile kAvx512Tiles[PL_AVX512_MR + 1] = {
    NULL,         NULL,         NULL,         NULL,
    avx512_tile4, avx512_tile5, avx512_tile6, avx512_tile7,
    avx512_tile8, avx512_tile9, avx512_tile10,
};

/* Full panels of 4 rows or more; a last panel of fewer columns, and the
 * last 1 to 3 rows, go to AVX2 (whose tiles have twice the sums per row:
 * three or fewer 512-bit sums wait on the add latency). */
static void avx512_panel(const PlGemm* g, int64_t m0, int64_t m1,
                         int64_t j0) {
  if (g->n - j0 < PL_GEMM_NR) {
    avx2_panel(g, m0, m1, j0);
    return;
  }
  int64_t i = m0;
  for (; m1 - i >= 4; i += PL_AVX512_MR)
    kAvx512Tiles[m1 - i < PL_AVX512_MR ? m1 - i : PL_AVX512_MR](g, i, j0);
  if (i < m1) avx2_panel(g, i, m1, j0);
}

/* ---- AVX-512 tiles over packed A ------------------------------------------
 *
 * With enough panels to share the cost, rows of A are first copied, a block
 * of rows and a chunk of d at a time, into a stack buffer whose rows are a
 * constant pitch apart, chosen so that they never evict each other in the
 * L1 cache (as rows 4 KiB apart do) whatever A's strides and segments, and
 * the tiles address every row from one register: tiles can then be up to
 * 16 rows high. Twelve or more sums keep the multiply and the add pipes of
 * AMD Zen 4 both busy: 99% of their peak, against 92% for ten rows
 * (measured). A sum that spans several chunks is kept in y between them: a
 * float stored and loaded back is the same float, so the bits are those of
 * one unbroken loop. The last panel of fewer columns is computed whole (B's
 * padding is zeros) and stored under a mask. */
#define PL_PACKED_MR 16
/* Floats of packed A on the stack (48 KiB: 30 rows), and the longest chunk
 * of d. */
enum { kPackFloats = 12288, kMaxChunk = 384 };
/* Floats from a packed row to the next: a whole number of cache lines, and
 * an odd number (25), so the rows of a tile fall in different sets of the
 * L1 cache; a constant, so the tile addresses them all from one register. */
enum { kPitch = kMaxChunk + 16 };
/* Panels from which packing pays (measured): copying A costs some 5% of
 * four panels' work; with eight panels or more the taller tiles win, by 3
 * to 5%, and by 10% where rows of A 4 KiB apart would get AVX2 tiles. */
enum { kPackMinPanels = 8 };

/* One tile's call: its packed A, B and y, for one chunk of d. */
typedef struct PlPackedTile {
  const float* a; /* A(r, d) at a[r * kPitch + d] */
  const float* p; /* the panel at the chunk's first d */
  int64_t count;  /* values of d in the chunk */
  int64_t next;   /* floats from this panel to the next one (prefetch) */
  float* y;
  int64_t ldy;
  const float* bias; /* at the panel's first column, or NULL */
  __mmask16 mask;    /* the panel's columns */
  bool first, last;  /* the chunk starts / ends the sums */
  float lo, hi;
} PlPackedTile;

PL_AVX512_INLINE void avx512_packed_tile(const int mr, const PlPackedTile* t) {
  __m512 c[PL_PACKED_MR];
  PL_UNROLL
  for (int r = 0; r < mr; ++r)
    c[r] = t->first ? _mm512_setzero_ps()
                    : _mm512_maskz_loadu_ps(t->mask, t->y + r * t->ldy);
  const float* a = t->a;
  const float* p = t->p;
  for (int64_t d = 0; d < t->count; ++d) {
    /* B's row d of the next panel (see avx512_tile_run). */
    _mm_prefetch((const char*)((uintptr_t)(p + d * PL_GEMM_NR) +
                               (uintptr_t)t->next * sizeof(float)),
                 _MM_HINT_T0);
    const __m512 b = _mm512_loadu_ps(p + d * PL_GEMM_NR);
    PL_UNROLL
    for (int r = 0; r < mr; ++r)
      c[r] = _mm512_add_ps(
          c[r], _mm512_mul_ps(_mm512_set1_ps(a[r * kPitch + d]), b));
  }
  if (!t->last) {
    PL_UNROLL
    for (int r = 0; r < mr; ++r)
      _mm512_mask_storeu_ps(t->y + r * t->ldy, t->mask, c[r]);
    return;
  }
  const __m512 vlo = _mm512_set1_ps(t->lo), vhi = _mm512_set1_ps(t->hi);
  const __m512 vb = t->bias ? _mm512_maskz_loadu_ps(t->mask, t->bias)
                            : _mm512_setzero_ps();
  PL_UNROLL
  for (int r = 0; r < mr; ++r) {
    __m512 v = c[r];
    if (t->bias) v = _mm512_add_ps(v, vb);
    /* The scalar clamp, NaN included, as in avx2_tile. */
    _mm512_mask_storeu_ps(t->y + r * t->ldy, t->mask,
                          _mm512_min_ps(vhi, _mm512_max_ps(vlo, v)));
  }
}

#define PL_PACKED_TILE_FN(R)                                               \
  static __attribute__((target("avx512f"))) void avx512_packed_tile##R(    \
      const PlPackedTile* t) {                                             \
    avx512_packed_tile(R, t);                                              \
  }
PL_PACKED_TILE_FN(1)
PL_PACKED_TILE_FN(2)
PL_PACKED_TILE_FN(3)
PL_PACKED_TILE_FN(4)
PL_PACKED_TILE_FN(5)
PL_PACKED_TILE_FN(6)
PL_PACKED_TILE_FN(7)
PL_PACKED_TILE_FN(8)
PL_PACKED_TILE_FN(9)
PL_PACKED_TILE_FN(10)
PL_PACKED_TILE_FN(11)
PL_PACKED_TILE_FN(12)
PL_PACKED_TILE_FN(13)
PL_PACKED_TILE_FN(14)
PL_PACKED_TILE_FN(15)
PL_PACKED_TILE_FN(16)

typedef void (*PlPackedTileFn)(const PlPackedTile*);
/* [rows] */
static const PlPackedTileFn kPackedTiles[PL_PACKED_MR + 1] = {
    NULL,                  avx512_packed_tile1,  avx512_packed_tile2,
    avx512_packed_tile3,   avx512_packed_tile4,  avx512_packed_tile5,
    avx512_packed_tile6,   avx512_packed_tile7,  avx512_packed_tile8,
    avx512_packed_tile9,   avx512_packed_tile10, avx512_packed_tile11,
    avx512_packed_tile12,  avx512_packed_tile13, avx512_packed_tile14,
    avx512_packed_tile15,  avx512_packed_tile16,
};

/* Copies A(i, d) for i in [i0, i1) and d in [k0, k1) to dst[(i - i0) *
 * pitch + d - k0], following A's segments. */
static void gemm_pack_a(const PlGemm* g, int64_t i0, int64_t i1, int64_t k0,
                        int64_t k1, float* dst, int64_t pitch) {
  const int64_t kseg = gemm_kseg(g);
  for (int64_t i = i0; i < i1; ++i) {
    const float* ai = g->a + i * g->sai;
    float* out = dst + (i - i0) * pitch - k0;
    for (int64_t d = k0; d < k1;) {
      const int64_t seg = d / kseg;
      const int64_t end = (seg + 1) * kseg < k1 ? (seg + 1) * kseg : k1;
      const float* src = ai + seg * g->sseg + (d - seg * kseg) * g->sad;
      if (g->sad == 1) {
        memcpy(out + d, src, sizeof(float) * (size_t)(end - d));
        d = end;
      } else {
        for (; d < end; ++d, src += g->sad) out[d] = *src;
      }
    }
  }
}

/* The first row of tile t when rows [m0, m0 + rows) are cut into `tiles`
 * tiles whose heights differ by at most one. */
static inline int64_t packed_tile_start(int64_t m0, int64_t rows,
                                        int64_t tiles, int64_t t) {
  return m0 + t * rows / tiles;
}

/* Rows [m0, m1) x panels [q0, q1) through packed A: blocks of whole tiles
 * that fit the buffer, and for each block chunks of d, each chunk packed
 * once and run over every panel. */
static void avx512_packed_range(const PlGemm* g, int64_t m0, int64_t m1,
                                int64_t q0, int64_t q1) {
  float buf[kPackFloats] __attribute__((aligned(64)));
  const int64_t k = g->k;
  const int64_t chunks = (k + kMaxChunk - 1) / kMaxChunk;
  const int64_t chunk = chunks > 0 ? (k + chunks - 1) / chunks : 0;
  const int64_t cap = kPackFloats / kPitch;
  const int64_t rows = m1 - m0;
  const int64_t tiles = (rows + PL_PACKED_MR - 1) / PL_PACKED_MR;
  for (int64_t t0 = 0, t1; t0 < tiles; t0 = t1) {
    const int64_t i0 = packed_tile_start(m0, rows, tiles, t0);
    t1 = t0 + 1;
    while (t1 < tiles && packed_tile_start(m0, rows, tiles, t1 + 1) - i0 <= cap)
      ++t1;
    int64_t k0 = 0;
    do {
      const int64_t k1 = k - k0 < chunk ? k : k0 + chunk;
      gemm_pack_a(g, i0, packed_tile_start(m0, rows, tiles, t1), k0, k1,
                  buf, kPitch);
      for (int64_t q = q0; q < q1; ++q) {
        const int64_t j0 = q * PL_GEMM_NR;
        const int64_t cols = g->n - j0 < PL_GEMM_NR ? g->n - j0 : PL_GEMM_NR;
        PlPackedTile tile = {
            .p = g->packed + j0 * k + k0 * PL_GEMM_NR,
            .count = k1 - k0,
            .next = k * PL_GEMM_NR, .ldy = g->ldy,
            .bias = g->bias ? g->bias + j0 : NULL,
            .mask = (__mmask16)((1u << cols) - 1u), .first = k0 == 0,
            .last = k1 == k, .lo = g->lo, .hi = g->hi};
        for (int64_t t = t0; t < t1; ++t) {
          const int64_t i = packed_tile_start(m0, rows, tiles, t);
          tile.a = buf + (i - i0) * kPitch;
          tile.y = g->y + i * g->ldy + j0;
          kPackedTiles[packed_tile_start(m0, rows, tiles, t + 1) - i](&tile);
        }
      }
      k0 = k1;
    } while (k0 < k);
  }
}
#endif /* PL_GEMM_X86 */

/* ---- Drivers -------------------------------------------------------------- */

#ifdef PL_GEMM_X86
/* Whether `panels` panels go through packed A. */
static bool gemm_packs(int64_t panels) {
  return pl_simd_avx512() && panels >= kPackMinPanels;
}
#endif

/* Rows per block: the block of A and one panel of B stay in cache while
 * every panel passes over the block. A multiple of 10 (both tile heights). */
static int64_t gemm_block_rows(int64_t k) {
  int64_t rows = k > 0 ? (int64_t)(24 * 1024) / k : 1 << 20;
  rows -= rows % 10;
  return rows < 10 ? 10 : rows;
}

/* Rows [m0, m1) x panels [p0, p1). */
static void gemm_range(const PlGemm* g, int64_t m0, int64_t m1, int64_t p0,
                       int64_t p1) {
  void (*panel)(const PlGemm*, int64_t, int64_t, int64_t) = portable_panel;
#ifdef PL_GEMM_X86
  /* Ten rows of A 4 KiB apart (a multiple of 1024 floats) share one set
   * of an 8-way L1 cache and evict each other: the 5-row AVX2 tiles fit. */
  if (pl_simd_avx512() && g->sai % 1024 != 0)
    panel = avx512_panel;
  else if (pl_simd_avx2())
    panel = avx2_panel;
#endif
#ifdef PL_GEMM_X86
  if (panel != portable_panel && m1 - m0 < 3)
    p0 = avx2_rows_wide(g, m0, m1, p0, p1);
  if (gemm_packs(p1 - p0)) {
    avx512_packed_range(g, m0, m1, p0, p1);
    return;
  }
#endif
  const int64_t block = gemm_block_rows(g->k);
  for (int64_t b0 = m0; b0 < m1; b0 += block) {
    const int64_t b1 = m1 - b0 < block ? m1 : b0 + block;
    for (int64_t q = p0; q < p1; ++q) panel(g, b0, b1, q * PL_GEMM_NR);
  }
}

static int64_t gemm_panels(const PlGemm* g) {
  return (g->n + PL_GEMM_NR - 1) / PL_GEMM_NR;
}

void pl_gemm_rows(const PlGemm* g, int64_t m0, int64_t m1) {
  if (m1 <= m0 || g->n <= 0) return;
  gemm_range(g, m0, m1, 0, gemm_panels(g));
}

/* ---- The convolutions' tiles (narrow and tall, see gemm.h) ---------------- */

/* Segments shorter than this (3-channel first layers) run slower on the
 * tall tiles. */
enum { kTallMinSeg = 24 };

bool pl_gemm_narrow_available(const PlGemm* g) {
#ifdef PL_GEMM_X86
  return g->n > 0 && g->n <= 8 && pl_simd_avx2();
#else
  (void)g;
  return false;
#endif
}

void pl_gemm_narrow_rows(const PlGemm* g, int64_t m0, int64_t m1) {
#ifdef PL_GEMM_X86
  for (int64_t i = m0; i < m1; i += PL_NARROW_MR) {
    const int64_t rows = m1 - i < PL_NARROW_MR ? m1 - i : PL_NARROW_MR;
    kNarrowTiles[rows](g->a + i * g->sai, g->sai, g->sad, gemm_kseg(g),
                       g->sseg, g->packed, g->k, g->bias, g->y + i * g->ldy,
                       g->ldy, g->n, g->lo, g->hi);
  }
#else
  (void)g, (void)m0, (void)m1;
#endif
}

bool pl_gemm_tall_available(const PlGemm* g) {
#ifdef PL_GEMM_X86
  return g->n > 0 && g->n % PL_GEMM_NR == 0 &&
         (g->kseg <= 0 || g->kseg >= g->k || g->kseg >= kTallMinSeg) &&
         g->sai % 1024 != 0 && pl_simd_avx512();
#else
  (void)g;
  return false;
#endif
}

void pl_gemm_tall_rows(const PlGemm* g, int64_t m0, int64_t m1) {
#ifdef PL_GEMM_X86
  int64_t i = m0;
  while (m1 - i >= 12) {
    const int64_t left = m1 - i;
    const int mr = left >= 16 ? 16 : left >= 14 ? 14 : 12;
    const PlAvx512Tile tile =
        mr == 16 ? avx512_tile16 : mr == 14 ? avx512_tile14 : avx512_tile12;
    for (int64_t j0 = 0; j0 < g->n; j0 += PL_GEMM_NR) tile(g, i, j0);
    i += mr;
  }
  if (i < m1) pl_gemm_rows(g, i, m1);
#else
  (void)g, (void)m0, (void)m1;
#endif
}

/* Rows per index of the parallel loop, about: one tile of packed A, or two
 * of the others. */
static int64_t gemm_row_unit(const PlGemm* g) {
#ifdef PL_GEMM_X86
  if (gemm_packs(gemm_panels(g))) return PL_PACKED_MR;
#endif
  return 10;
}

/* A row split: index u of `units` covers rows [u * m / units, (u + 1) * m /
 * units), heights differing by at most one. */
typedef struct PlGemmRows {
  const PlGemm* g;
  int64_t units;
} PlGemmRows;

static void gemm_rows_task(void* ctx, int64_t begin, int64_t end,
                           int worker) {
  const PlGemmRows* r = ctx;
  const int64_t m = r->g->m;
  gemm_range(r->g, begin * m / r->units, end * m / r->units, 0,
             gemm_panels(r->g));
}

static void gemm_panels_task(void* ctx, int64_t begin, int64_t end,
                             int worker) {
  const PlGemm* g = ctx;
  gemm_range(g, 0, g->m, begin, end);
}

/* Below ~128K multiply-adds (some 2.5 us on one core) handing work to the
 * other threads costs about what a split saves (the workers poll while an
 * invoke is in progress, see capi/core/threadpool.c). */
static bool gemm_small(double multiply_adds) {
  return multiply_adds < 131072.0;
}

/* A product this small (the guide's Dense layers: a few dozen multiply-adds)
 * costs less as plain loops than through the tiles' setup; the same sums in
 * the same order, so the same bits. */
enum { kGemmTinyWork = 256 };

static void gemm_tiny(const PlGemm* g) {
  for (int64_t i = 0; i < g->m; ++i) {
    const float* a = g->a + i * g->sai;
    float* y = g->y + i * g->ldy;
    for (int64_t j = 0; j < g->n; ++j) {
      const float* b =
          g->packed + (j / PL_GEMM_NR) * PL_GEMM_NR * g->k + j % PL_GEMM_NR;
      float acc = 0.0f;
      for (int64_t d = 0; d < g->k; ++d)
        acc += a[d * g->sad] * b[d * PL_GEMM_NR];
      gemm_store(y + j, &acc, g->bias ? g->bias + j : NULL, 1, g->lo, g->hi);
    }
  }
}

void pl_gemm(PlSubgraph* sg, const PlGemm* g) {
  if (g->m <= 0 || g->n <= 0) return;
  if (g->kseg == 0 && g->m * g->n * g->k <= kGemmTinyWork) {
    gemm_tiny(g);
    return;
  }
  const int threads = pl_num_threads(sg);
  const int64_t panels = gemm_panels(g);
  const int64_t unit = gemm_row_unit(g);
  PlGemmRows rows = {g, (g->m + unit - 1) / unit};
  const double work = (double)g->m * (double)g->n * (double)g->k;
  if (threads <= 1 || gemm_small(work)) {
    gemm_range(g, 0, g->m, 0, panels);
  } else if (rows.units >= 4 * threads || rows.units >= panels) {
    /* Enough rows for an even split (or more rows than panels). */
    pl_parallel_for(sg, rows.units, gemm_rows_task, &rows);
  } else {
    pl_parallel_for(sg, panels, gemm_panels_task, (void*)g);
  }
}

/* pl_gemm_many's loop: index i is row unit i % units of GEMM i / units. */
typedef struct PlGemmMany {
  PlGemmAt at;
  const void* ctx;
  int64_t m, units;
} PlGemmMany;

static void gemm_many_task(void* ctx, int64_t begin, int64_t end,
                           int worker) {
  const PlGemmMany* t = ctx;
  for (int64_t i = begin; i < end;) {
    const int64_t b = i / t->units, u = i % t->units;
    const int64_t u1 = end - b * t->units < t->units ? end - b * t->units
                                                     : t->units;
    PlGemm g;
    t->at(t->ctx, b, &g);
    gemm_range(&g, u * t->m / t->units, u1 * t->m / t->units, 0,
               gemm_panels(&g));
    i = b * t->units + u1;
  }
}

void pl_gemm_many(PlSubgraph* sg, int64_t count, PlGemmAt at,
                  const void* ctx) {
  if (count <= 0) return;
  PlGemm g;
  at(ctx, 0, &g);
  if (g.m <= 0 || g.n <= 0) return;
  const int64_t unit = gemm_row_unit(&g);
  PlGemmMany t = {at, ctx, g.m, (g.m + unit - 1) / unit};
  const double work = (double)count * (double)g.m * (double)g.n * (double)g.k;
  if (pl_num_threads(sg) <= 1 || gemm_small(work)) {
    gemm_many_task(&t, 0, count * t.units, 0);
    return;
  }
  pl_parallel_for(sg, count * t.units, gemm_many_task, &t);
}
