/* pylite: the float32 GEMM shared by FULLY_CONNECTED, CONV_2D and
 * BATCH_MATMUL (capi/kernels/internal/gemm.c).
 *
 *   y[i * ldy + j] = clamp(sum_d A(i, d) * B(j, d) [+ bias[j]], lo, hi)
 *
 * Every output is one float accumulator that starts at 0.0f and adds the
 * rounded products in increasing d, as TFLite's reference loops: separate
 * multiply and add (never fused), so results are the same bits on every
 * path. Speed comes only from computing many independent outputs at once:
 * B is packed into panels of PL_GEMM_NR columns (packed[panel][d][NR]) so a
 * tile of rows x NR outputs streams it, with AVX-512 or AVX2 when the CPU
 * has it and a portable C tile otherwise (with AVX-512 and enough panels,
 * rows of A are first copied to a stack buffer, for taller tiles). The clamp is `x < lo ? lo : x`, then
 * `hi < x ? hi : x` (NaN passes through). */
#ifndef PYLITE_KERNELS_INTERNAL_GEMM_H_
#define PYLITE_KERNELS_INTERNAL_GEMM_H_

#include <stdbool.h>
#include <stdint.h>

#include "capi/core/kernel.h"
#include "capi/kernels/internal/simd.h"

enum { PL_GEMM_NR = 16 };

/* Floats needed to pack an n x k B matrix. */
int64_t pl_gemm_packed_size(int64_t n, int64_t k);
/* Packs B, element (j, d) at b[j * sj + d * sk], into panels; columns past n
 * are zero. */
void pl_gemm_pack(const float* b, int64_t n, int64_t k, int64_t sj,
                  int64_t sk, float* packed);

typedef struct PlGemm {
  /* A(i, d) at a[i * sai + d * sad]; or, with kseg > 0, A's rows cut into
   * segments of kseg values along d, segment s starting s * sseg further:
   * A(i, d) at a[i * sai + (d / kseg) * sseg + (d % kseg) * sad] (a
   * convolution's patches read straight from its input, one segment per
   * filter row). */
  const float* a;
  int64_t sai, sad;
  int64_t kseg, sseg;
  int64_t m;
  const float* packed; /* B, from pl_gemm_pack */
  int64_t n, k;
  const float* bias; /* n values, or NULL: nothing added */
  float* y;
  int64_t ldy;
  float lo, hi;
} PlGemm;

/* Rows [m0, m1) of the output, on the calling thread. */
void pl_gemm_rows(const PlGemm* g, int64_t m0, int64_t m1);
/* The whole output, split over the interpreter's threads by rows (or by
 * column panels when there are few rows). */
void pl_gemm(PlSubgraph* sg, const PlGemm* g);

/* GEMM number `index` of a batch (pl_gemm_many). */
typedef void (*PlGemmAt)(const void* ctx, int64_t index, PlGemm* g);
/* `count` GEMMs of one shape (m, n, k), at(ctx, i, &g) giving GEMM i, in
 * one parallel loop over all their row ranges: one fork and join for the
 * batch, not one per GEMM. Each output is computed as pl_gemm does. */
void pl_gemm_many(PlSubgraph* sg, int64_t count, PlGemmAt at,
                  const void* ctx);

/* Register tiles for the shapes of convolutions: each computes what
 * pl_gemm_rows computes, with the same bits; only the tile differs.
 *   narrow  at most 8 columns (first layers, a last panel past whole panels
 *           of 16): 12 rows x 8 lanes, where pl_gemm's 8-column tiles have
 *           5 rows whose sums wait on the add latency at every d;
 *   tall    whole panels of 16 columns, AVX-512: 16 rows at a time, where
 *           pl_gemm's tiles take 10 and leave short remainders (a 16-pixel
 *           output row is one tile, not two), so that each tile's fixed
 *           cost (filter-row segments, bias and clamp) spreads over more
 *           rows. Segments of fewer than 24 values (3-channel first
 *           layers) run slower this way and are left to pl_gemm. */
/* Whether pl_gemm_narrow_rows serves g (n <= 8, and the CPU has AVX2). */
bool pl_gemm_narrow_available(const PlGemm* g);
/* Rows [m0, m1) of g's output, on the calling thread. Only when
 * pl_gemm_narrow_available(g). */
void pl_gemm_narrow_rows(const PlGemm* g, int64_t m0, int64_t m1);
/* Whether pl_gemm_tall_rows serves g: n a multiple of 16, A's segments
 * (if cut) of 24 values or more, rows not a multiple of 1024 floats apart
 * (16 rows 4 KiB apart would share one set of the L1 cache), and the CPU
 * has AVX-512. */
bool pl_gemm_tall_available(const PlGemm* g);
/* Rows [m0, m1) of g's output, on the calling thread (the last rows past
 * whole tiles through pl_gemm_rows). Only when pl_gemm_tall_available(g). */
void pl_gemm_tall_rows(const PlGemm* g, int64_t m0, int64_t m1);

#endif /* PYLITE_KERNELS_INTERNAL_GEMM_H_ */
