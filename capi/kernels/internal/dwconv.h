/* pylite: the float32 depthwise convolution with a depth multiplier of 1,
 * used by DEPTHWISE_CONV_2D (capi/kernels/internal/dwconv.c).
 *
 *   y[b, oy, ox, j] = clamp(sum over the taps (fy, fx) inside the input of
 *                           x[b, iy, ix, j] * w[fy, fx, j], + bias[j])
 *   iy = oy * stride_h - pad_h + fy * dilation_h (ix likewise)
 *
 * Every output is one float sum from 0.0f over the taps in order (fy, then
 * fx), skipping those that fall in the padding, with separate multiplies
 * and adds, then the bias (0.0f when absent), then the clamp `x < lo ? lo :
 * x`, `hi < x ? hi : x`: TFLite's reference loop, bit for bit, on every
 * path. Speed comes from computing many outputs at once: the filter and
 * bias are packed (at prepare) into blocks of 8 channels, and the AVX2 path
 * sums up to 4 output pixels x 16 channels together (a lone pixel, 48
 * channels), with the 3x3 and 5x5 filters unrolled. */
#ifndef PYLITE_KERNELS_INTERNAL_DWCONV_H_
#define PYLITE_KERNELS_INTERNAL_DWCONV_H_

#include <stdint.h>

enum { PL_DWCONV_BLOCK = 8 };

/* Floats of the packed filter of c channels and fh * fw taps. */
int64_t pl_dwconv_packed_size(int64_t c, int64_t taps);
/* Packs filter [taps][c] and bias (c values, or NULL for zeros): per block
 * of 8 channels, the 8 biases then taps x 8 weights; zeros past c. */
void pl_dwconv_pack(const float* filter, const float* bias, int64_t c,
                    int64_t taps, float* packed);

typedef struct PlDwconv {
  const float* x; /* [n, h, w, c] */
  int h, w, c;
  int fh, fw;
  int stride_h, stride_w, dilation_h, dilation_w, pad_h, pad_w;
  int oh, ow;
  const float* packed; /* from pl_dwconv_pack */
  float lo, hi;
  float* y; /* [n, oh, ow, c] */
} PlDwconv;

/* Output rows [r0, r1) of the n * oh rows, on the calling thread. */
void pl_dwconv_rows(const PlDwconv* p, int64_t r0, int64_t r1);

#endif /* PYLITE_KERNELS_INTERNAL_DWCONV_H_ */
