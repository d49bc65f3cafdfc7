/* pylite: the convolutions' GEMM tiles (see gemm_conv.h).
 *
 * A narrow tile is mr (1..12) rows x 8 columns: one 8-lane sum per row, B's
 * row d (the first 8 columns of its packed 16-column panel) loaded once per
 * d and multiplied by each row's broadcast A(r, d); 12 independent adds
 * per d cover the add latency. A tall tile is mr (12, 14 or 16) rows x 16
 * columns, one 16-lane sum per row, the same way. A's rows may be cut into
 * segments (a convolution's patches read in place), as in pl_gemm. */
#include "capi/kernels/internal/gemm_conv.h"

#include <string.h>

#if (defined(__x86_64__) || defined(__i386__)) && \
    (defined(__GNUC__) || defined(__clang__))
#define PL_GEMM_CONV_X86 1
#include <immintrin.h>
#endif

#if defined(__clang__)
#define PL_GEMM_CONV_UNROLL _Pragma("unroll")
#elif defined(__GNUC__)
#define PL_GEMM_CONV_UNROLL _Pragma("GCC unroll 16")
#else
#define PL_GEMM_CONV_UNROLL
#endif

enum { kNarrowMr = 12, kNarrowCols = 8, kTallMr = 16, kTallMinSeg = 24 };

bool pl_gemm_narrow_available(const PlGemm* g) {
#ifdef PL_GEMM_CONV_X86
  return g->n > 0 && g->n <= kNarrowCols && pl_simd_avx2();
#else
  (void)g;
  return false;
#endif
}

bool pl_gemm_tall_available(const PlGemm* g) {
#ifdef PL_GEMM_CONV_X86
  return g->n > 0 && g->n % PL_GEMM_NR == 0 &&
         (g->kseg <= 0 || g->kseg >= g->k || g->kseg >= kTallMinSeg) &&
         g->sai % 1024 != 0 && pl_simd_avx512();
#else
  (void)g;
  return false;
#endif
}

#ifdef PL_GEMM_CONV_X86
#define PL_NARROW_INLINE \
  static inline __attribute__((always_inline, target("avx2")))

/* Adds the products of d in [0, count) to the sums of mr rows: A(r, d) at
 * a[r * sai + d * sad], B's row d at p + d * PL_GEMM_NR. */
PL_NARROW_INLINE void narrow_run(const int mr, const float* a, int64_t sai,
                                 int64_t sad, const float* p, int64_t count,
                                 __m256* c) {
  for (int64_t d = 0; d < count; ++d) {
    const __m256 b = _mm256_loadu_ps(p + d * PL_GEMM_NR);
    const float* ad = a + d * sad;
    PL_GEMM_CONV_UNROLL
    for (int r = 0; r < mr; ++r)
      c[r] = _mm256_add_ps(
          c[r], _mm256_mul_ps(_mm256_broadcast_ss(ad + r * sai), b));
  }
}

/* Rows [i, i + mr) finished into y: the bias, then the clamp as
 * min(hi, max(lo, x)) (`x < lo ? lo : x`, then `hi < x ? hi : x`, NaN
 * passing through); fewer than 8 columns through a buffer. */
PL_NARROW_INLINE void narrow_tile(const int mr, const PlGemm* g, int64_t i) {
  const int64_t k = g->k, kseg = g->kseg > 0 ? g->kseg : k;
  const float* a = g->a + i * g->sai;
  __m256 c[kNarrowMr];
  PL_GEMM_CONV_UNROLL
  for (int r = 0; r < mr; ++r) c[r] = _mm256_setzero_ps();
  if (kseg >= k) {
    narrow_run(mr, a, g->sai, g->sad, g->packed, k, c);
  } else {
    for (int64_t s0 = 0, seg = 0; s0 < k; s0 += kseg, ++seg)
      narrow_run(mr, a + seg * g->sseg, g->sai, g->sad,
                 g->packed + s0 * PL_GEMM_NR, k - s0 < kseg ? k - s0 : kseg,
                 c);
  }
  const __m256 vlo = _mm256_set1_ps(g->lo), vhi = _mm256_set1_ps(g->hi);
  float bias[kNarrowCols] = {0};
  if (g->bias) memcpy(bias, g->bias, sizeof(float) * (size_t)g->n);
  const __m256 vb = _mm256_loadu_ps(bias);
  float* y = g->y + i * g->ldy;
  PL_GEMM_CONV_UNROLL
  for (int r = 0; r < mr; ++r) {
    __m256 v = c[r];
    if (g->bias) v = _mm256_add_ps(v, vb);
    v = _mm256_min_ps(vhi, _mm256_max_ps(vlo, v));
    if (g->n == kNarrowCols) {
      _mm256_storeu_ps(y + r * g->ldy, v);
    } else {
      float out[kNarrowCols];
      _mm256_storeu_ps(out, v);
      memcpy(y + r * g->ldy, out, sizeof(float) * (size_t)g->n);
    }
  }
}

#define PL_NARROW_TILE_FN(R)                                           \
  static __attribute__((target("avx2"))) void narrow_tile##R(          \
      const PlGemm* g, int64_t i) {                                    \
    narrow_tile(R, g, i);                                              \
  }
PL_NARROW_TILE_FN(1)
PL_NARROW_TILE_FN(2)
PL_NARROW_TILE_FN(3)
PL_NARROW_TILE_FN(4)
PL_NARROW_TILE_FN(5)
PL_NARROW_TILE_FN(6)
PL_NARROW_TILE_FN(7)
PL_NARROW_TILE_FN(8)
PL_NARROW_TILE_FN(9)
PL_NARROW_TILE_FN(10)
PL_NARROW_TILE_FN(11)
PL_NARROW_TILE_FN(12)

typedef void (*PlNarrowTile)(const PlGemm*, int64_t);
static const PlNarrowTile kNarrowTiles[kNarrowMr + 1] = {
    NULL,          narrow_tile1,  narrow_tile2,  narrow_tile3, narrow_tile4,
    narrow_tile5,  narrow_tile6,  narrow_tile7,  narrow_tile8, narrow_tile9,
    narrow_tile10, narrow_tile11, narrow_tile12,
};
#endif /* PL_GEMM_CONV_X86 */

void pl_gemm_narrow_rows(const PlGemm* g, int64_t m0, int64_t m1) {
#ifdef PL_GEMM_CONV_X86
  for (int64_t i = m0; i < m1; i += kNarrowMr)
    kNarrowTiles[m1 - i < kNarrowMr ? m1 - i : kNarrowMr](g, i);
#else
  (void)g, (void)m0, (void)m1;
#endif
}

/* ---- Tall tiles (AVX-512) ------------------------------------------------ */

#ifdef PL_GEMM_CONV_X86
#define PL_TALL_INLINE \
  static inline __attribute__((always_inline, target("avx512f")))

/* As narrow_run, 16 lanes. */
PL_TALL_INLINE void tall_run(const int mr, const float* a, int64_t sai,
                             int64_t sad, const float* p, int64_t count,
                             __m512* c) {
  for (int64_t d = 0; d < count; ++d) {
    const __m512 b = _mm512_loadu_ps(p + d * PL_GEMM_NR);
    const float* ad = a + d * sad;
    PL_GEMM_CONV_UNROLL
    for (int r = 0; r < mr; ++r)
      c[r] = _mm512_add_ps(c[r],
                           _mm512_mul_ps(_mm512_set1_ps(ad[r * sai]), b));
  }
}

/* Rows [i, i + mr) x the panel of columns [j0, j0 + 16), finished into y
 * as narrow_tile does. */
PL_TALL_INLINE void tall_tile(const int mr, const PlGemm* g, int64_t i,
                              int64_t j0) {
  const int64_t k = g->k, kseg = g->kseg > 0 ? g->kseg : k;
  const float* a = g->a + i * g->sai;
  const float* p = g->packed + j0 * k;
  __m512 c[kTallMr];
  PL_GEMM_CONV_UNROLL
  for (int r = 0; r < mr; ++r) c[r] = _mm512_setzero_ps();
  if (kseg >= k) {
    tall_run(mr, a, g->sai, g->sad, p, k, c);
  } else {
    for (int64_t s0 = 0, seg = 0; s0 < k; s0 += kseg, ++seg)
      tall_run(mr, a + seg * g->sseg, g->sai, g->sad, p + s0 * PL_GEMM_NR,
               k - s0 < kseg ? k - s0 : kseg, c);
  }
  const __m512 vlo = _mm512_set1_ps(g->lo), vhi = _mm512_set1_ps(g->hi);
  const __m512 vb =
      g->bias ? _mm512_loadu_ps(g->bias + j0) : _mm512_setzero_ps();
  float* y = g->y + i * g->ldy + j0;
  PL_GEMM_CONV_UNROLL
  for (int r = 0; r < mr; ++r) {
    __m512 v = c[r];
    if (g->bias) v = _mm512_add_ps(v, vb);
    _mm512_storeu_ps(y + r * g->ldy,
                     _mm512_min_ps(vhi, _mm512_max_ps(vlo, v)));
  }
}

#define PL_TALL_TILE_FN(R)                                             \
  static __attribute__((target("avx512f"))) void tall_tile##R(         \
      const PlGemm* g, int64_t i, int64_t j0) {                        \
    tall_tile(R, g, i, j0);                                            \
  }
PL_TALL_TILE_FN(12)
PL_TALL_TILE_FN(14)
PL_TALL_TILE_FN(16)
#endif /* PL_GEMM_CONV_X86 */

void pl_gemm_tall_rows(const PlGemm* g, int64_t m0, int64_t m1) {
#ifdef PL_GEMM_CONV_X86
  int64_t i = m0;
  while (m1 - i >= 12) {
    const int64_t left = m1 - i;
    const int mr = left >= 16 ? 16 : left >= 14 ? 14 : 12;
    void (*tile)(const PlGemm*, int64_t, int64_t) =
        mr == 16 ? tall_tile16 : mr == 14 ? tall_tile14 : tall_tile12;
    for (int64_t j0 = 0; j0 < g->n; j0 += PL_GEMM_NR) tile(g, i, j0);
    i += mr;
  }
  if (i < m1) pl_gemm_rows(g, i, m1);
#else
  (void)g, (void)m0, (void)m1;
#endif
}
