/* pylite: the float32 GEMM of internal/gemm.h for at most 8 output columns
 * (gemm_narrow.c): convolutions with few filters, such as first layers.
 *
 * Computes what pl_gemm_rows computes, with the same bits (one float sum
 * per output from 0.0f in increasing d, multiply then add, then the bias
 * and the clamp): only the register tile differs. pl_gemm's panels are 16
 * columns wide, and a panel of 8 or fewer runs 8-lane tiles of at most 5
 * rows, whose 5 sums wait on the add latency at every d; these tiles keep
 * 12 rows of 8 lanes in flight. */
#ifndef PYLITE_KERNELS_INTERNAL_GEMM_NARROW_H_
#define PYLITE_KERNELS_INTERNAL_GEMM_NARROW_H_

#include <stdbool.h>

#include "capi/kernels/internal/gemm.h"

/* Whether pl_gemm_narrow_rows serves g (n <= 8, and the CPU has AVX2). */
bool pl_gemm_narrow_available(const PlGemm* g);
/* Rows [m0, m1) of g's output, on the calling thread; g->packed from
 * pl_gemm_pack. Only when pl_gemm_narrow_available(g). */
void pl_gemm_narrow_rows(const PlGemm* g, int64_t m0, int64_t m1);

#endif /* PYLITE_KERNELS_INTERNAL_GEMM_NARROW_H_ */
