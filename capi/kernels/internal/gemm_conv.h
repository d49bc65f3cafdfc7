/* pylite: register tiles of the float32 GEMM of internal/gemm.h for the
 * shapes of convolutions (gemm_conv.c).
 *
 * Each computes what pl_gemm_rows computes, with the same bits (one float
 * sum per output from 0.0f in increasing d, multiply then add, then the
 * bias and the clamp); only the register tile differs:
 *   narrow  at most 8 columns (first layers, a last panel past whole panels
 *           of 16): 12 rows x 8 lanes, where pl_gemm's 8-column tiles have
 *           5 rows whose sums wait on the add latency at every d;
 *   tall    whole panels of 16 columns, AVX-512: 16 rows at a time, where
 *           pl_gemm's tiles take 10 and leave short remainders (a 16-pixel
 *           output row is one tile, not two), so that each tile's fixed
 *           cost (filter-row segments, bias and clamp) spreads over more
 *           rows. Segments of fewer than 24 values (3-channel first
 *           layers) run slower this way and are left to pl_gemm. */
#ifndef PYLITE_KERNELS_INTERNAL_GEMM_CONV_H_
#define PYLITE_KERNELS_INTERNAL_GEMM_CONV_H_

#include <stdbool.h>

#include "capi/kernels/internal/gemm.h"

/* Whether pl_gemm_narrow_rows serves g (n <= 8, and the CPU has AVX2). */
bool pl_gemm_narrow_available(const PlGemm* g);
/* Rows [m0, m1) of g's output, on the calling thread; g->packed from
 * pl_gemm_pack. Only when pl_gemm_narrow_available(g). */
void pl_gemm_narrow_rows(const PlGemm* g, int64_t m0, int64_t m1);

/* Whether pl_gemm_tall_rows serves g: n a multiple of 16, A's segments
 * (if cut) of 24 values or more, rows not a multiple of 1024 floats apart
 * (16 rows 4 KiB apart would share one set of the L1 cache), and the CPU
 * has AVX-512. */
bool pl_gemm_tall_available(const PlGemm* g);
/* Rows [m0, m1) of g's output, on the calling thread (the last rows past
 * whole tiles through pl_gemm_rows). Only when pl_gemm_tall_available(g). */
void pl_gemm_tall_rows(const PlGemm* g, int64_t m0, int64_t m1);

#endif /* PYLITE_KERNELS_INTERNAL_GEMM_CONV_H_ */
