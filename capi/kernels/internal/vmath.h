/* pylite: vectorized float32 math for the elementwise kernels.
 *
 * Each function has one algorithm with two implementations, 8 lanes of
 * AVX2 + FMA and a portable scalar loop, doing the same IEEE operations in
 * the same order: fused multiply-adds are written out (fmaf in the scalar
 * loop, which rounds once as the instruction does) and the compiler
 * contracts nothing else (-ffp-contract=off), so the bits never depend on
 * the path taken (PYLITE_FORCE_PORTABLE, CPU, thread count). They are
 * within a few ulp of the libm formulas of TFLite's reference kernels, not
 * bit-exact with them; tests/c/test_vmath.c checks the bounds stated
 * here. exp, logistic, swish and the exact GELU also have a 16-lane
 * AVX-512 path, with the same operations per lane. */
#ifndef PYLITE_KERNELS_INTERNAL_VMATH_H_
#define PYLITE_KERNELS_INTERNAL_VMATH_H_

#include <stdbool.h>
#include <stdint.h>

/* y[i] = exp(x[i]) (within 1 ulp of libm's expf, subnormal results and
 * overflow to inf included); NaN stays NaN. */
void pl_vmath_exp_f32(const float* x, float* y, int64_t n);

/* y[i] = logistic(x[i]) with TFLite's cut-offs: 1 above 16.619047, exp(x)
 * below -9, else 1 / (1 + exp(-x)), with the exp above (within 2 ulp of
 * that formula with libm's expf); NaN stays NaN. */
void pl_vmath_logistic_f32(const float* x, float* y, int64_t n);

/* y[i] = x[i] * logistic(x[i]) (the logistic above), then clamped to
 * [lo, hi] with the comparisons of std::max / std::min; a NaN x gives
 * itself. The fused swish of binary.h (within 3 ulp of x * the libm
 * formula where the logistic is a normal number). */
void pl_vmath_swish_f32(const float* x, float* y, int64_t n, float lo,
                        float hi);

/* y[i] = erf(x[i]) (within 3 ulp of libm's erff); NaN stays NaN. */
void pl_vmath_erf_f32(const float* x, float* y, int64_t n);

/* y[i] = tanh(x[i]) (within 3 ulp of libm's tanhf); NaN stays NaN. */
void pl_vmath_tanh_f32(const float* x, float* y, int64_t n);

/* y[i] = GELU(x[i]) in TFLite's float formulas: exact 0.5 x erfc(-x /
 * sqrt 2), or approximate 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))
 * with the tanh above. */
void pl_vmath_gelu_f32(const float* x, float* y, int64_t n, bool approximate);

/* The row reductions of SOFTMAX and LOG_SOFTMAX. Both paths reduce in 8
 * interleaved lanes (element i in lane i % 8, over the whole blocks of 8),
 * combine lane j with lane j + 4, then j with j + 2, then the two left,
 * then take the remaining elements in order; the bits are the same on both
 * paths. */

/* The largest of -FLT_MAX and x[0..n), as `x > m ? x : m` (NaN never
 * wins). */
float pl_vmath_max_f32(const float* x, int64_t n);

/* e_i = exp((x[i] - shift) * scale), with the exp above, stored in y[i]
 * unless y is NULL; returns the sum of the e_i. */
float pl_vmath_exp_sum_f32(const float* x, float* y, int64_t n, float shift,
                           float scale);

#endif /* PYLITE_KERNELS_INTERNAL_VMATH_H_ */
