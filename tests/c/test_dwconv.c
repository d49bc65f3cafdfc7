/* pylite: tests of the float depthwise convolution
 * (capi/kernels/internal/dwconv.c).
 *
 * It promises the bits of TFLite's reference loop (one float sum per
 * output, from 0.0f, over the taps inside the input in (fy, fx) order, then
 * the bias, then the clamp) on the portable and AVX2 paths, whatever rows a
 * call covers (threads split by rows). Each case is checked against that
 * loop bit for bit (any NaN matching any NaN), on odd channel counts (the
 * masked last block), every filter size the kernel unrolls and others,
 * strides, dilations, paddings and inputs with NaN, Inf and -0. */
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capi/kernels/internal/dwconv.h"
#include "capi/kernels/internal/gemm.h"
#include "check.h"

static void fill(float* x, int64_t count, bool specials) {
  for (int64_t i = 0; i < count; ++i) {
    x[i] = check_rand_float() * 4.0f;
    if (!specials) continue;
    const uint32_t r = check_rand_u32() % 89;
    if (r == 0) x[i] = NAN;
    if (r == 1) x[i] = -INFINITY;
    if (r == 2) x[i] = -0.0f;
  }
}

static bool same_bits(float a, float b) {
  if (isnan(a) && isnan(b)) return true;
  return memcmp(&a, &b, sizeof(a)) == 0;
}

/* TFLite's reference loop. */
static void reference(const PlDwconv* p, int n, const float* filter,
                      const float* bias, float* y) {
  for (int b = 0; b < n; ++b)
    for (int oy = 0; oy < p->oh; ++oy)
      for (int ox = 0; ox < p->ow; ++ox)
        for (int j = 0; j < p->c; ++j) {
          float acc = 0.0f;
          for (int fy = 0; fy < p->fh; ++fy)
            for (int fx = 0; fx < p->fw; ++fx) {
              const int iy = oy * p->stride_h - p->pad_h + fy * p->dilation_h;
              const int ix = ox * p->stride_w - p->pad_w + fx * p->dilation_w;
              if (iy < 0 || iy >= p->h || ix < 0 || ix >= p->w) continue;
              acc += p->x[(((int64_t)b * p->h + iy) * p->w + ix) * p->c + j] *
                     filter[(fy * p->fw + fx) * p->c + j];
            }
          acc += bias ? bias[j] : 0.0f;
          acc = acc < p->lo ? p->lo : acc;
          acc = p->hi < acc ? p->hi : acc;
          y[(((int64_t)b * p->oh + oy) * p->ow + ox) * p->c + j] = acc;
        }
}

static int g_reports;

static void dw_case(int n, int h, int w, int c, int fh, int fw, int stride,
                    int dilation, int pad, bool with_bias, bool specials,
                    bool relu6) {
  const int oh_span = (fh - 1) * dilation + 1, ow_span = (fw - 1) * dilation + 1;
  const int oh = (h + 2 * pad - oh_span) / stride + 1;
  const int ow = (w + 2 * pad - ow_span) / stride + 1;
  if (oh <= 0 || ow <= 0) return;
  const int64_t in_count = (int64_t)n * h * w * c;
  const int64_t out_count = (int64_t)n * oh * ow * c;
  /* Exactly sized buffers, so that AddressSanitizer sees any over-read. */
  float* x = malloc(sizeof(float) * (size_t)in_count);
  float* filter = malloc(sizeof(float) * (size_t)(fh * fw * c));
  float* bias = malloc(sizeof(float) * (size_t)c);
  float* packed = malloc(
      sizeof(float) * (size_t)pl_dwconv_packed_size(c, (int64_t)fh * fw));
  float* want = malloc(sizeof(float) * (size_t)out_count);
  float* got = malloc(sizeof(float) * (size_t)out_count);
  fill(x, in_count, specials);
  fill(filter, (int64_t)fh * fw * c, specials);
  fill(bias, c, false);
  pl_dwconv_pack(filter, with_bias ? bias : NULL, c, (int64_t)fh * fw, packed);
  PlDwconv p = {
      .x = x, .h = h, .w = w, .c = c, .fh = fh, .fw = fw,
      .stride_h = stride, .stride_w = stride, .dilation_h = dilation,
      .dilation_w = dilation, .pad_h = pad, .pad_w = pad, .oh = oh, .ow = ow,
      .packed = packed, .lo = relu6 ? 0.0f : -FLT_MAX,
      .hi = relu6 ? 6.0f : FLT_MAX, .y = got,
  };
  reference(&p, n, filter, with_bias ? bias : NULL, want);
  const int64_t rows = (int64_t)n * oh;
  for (int portable = 0; portable < 2; ++portable) {
    pl_simd_force_portable(portable == 1);
    /* Whole, then in three row ranges (as threads split it). */
    for (int split = 0; split < 2; ++split) {
      for (int64_t i = 0; i < out_count; ++i) got[i] = 7.0f;
      if (split) {
        pl_dwconv_rows(&p, 0, rows / 3);
        pl_dwconv_rows(&p, rows / 3, rows - rows / 4);
        pl_dwconv_rows(&p, rows - rows / 4, rows);
      } else {
        pl_dwconv_rows(&p, 0, rows);
      }
      bool ok = true;
      for (int64_t i = 0; i < out_count && ok; ++i) {
        ok = same_bits(got[i], want[i]);
        if (!ok && g_reports++ < 10)
          fprintf(stderr,
                  "%s n=%d h=%d w=%d c=%d f=%dx%d s=%d d=%d pad=%d: element "
                  "%lld is %a, want %a\n",
                  pl_simd_avx2() ? "avx2" : "portable", n, h, w, c, fh, fw,
                  stride, dilation, pad, (long long)i, got[i], want[i]);
      }
      CHECK(ok);
    }
  }
  pl_simd_force_portable(false);
  free(x);
  free(filter);
  free(bias);
  free(packed);
  free(want);
  free(got);
}

static void test_dwconv(void) {
  const int cs[] = {1, 3, 8, 13, 16, 24, 35, 61, 100};
  const int fs[] = {1, 2, 3, 5, 7};
  int variant = 0;
  for (size_t ci = 0; ci < sizeof(cs) / sizeof(cs[0]); ++ci)
    for (size_t fi = 0; fi < sizeof(fs) / sizeof(fs[0]); ++fi)
      for (int stride = 1; stride <= 3; ++stride, ++variant) {
        const int f = fs[fi];
        dw_case(1 + variant % 2, 9 + variant % 4, 11 + variant % 5, cs[ci], f,
                f, stride, 1 + (variant % 4 == 3), f / 2, variant % 2 == 0,
                variant % 5 == 1, variant % 3 == 0);
      }
  /* Non-square filters, no padding, padding larger than the filter. */
  dw_case(1, 6, 7, 9, 3, 1, 1, 1, 1, true, false, false);
  dw_case(1, 6, 7, 17, 1, 5, 2, 1, 2, true, false, false);
  dw_case(2, 5, 5, 16, 3, 3, 1, 1, 0, false, false, true);
  dw_case(1, 4, 4, 11, 3, 3, 1, 1, 4, true, true, false);
  /* Wider than the 4-pixel tiles with every remainder. */
  for (int w = 12; w <= 16; ++w)
    dw_case(1, 5, w, 21, 3, 3, 1, 1, 1, true, false, true);
  /* Small images, every pixel at a border (lone pixels: blocks of 48
   * channels, then 16, 8 and the masked rest). */
  dw_case(1, 4, 4, 144, 5, 5, 1, 1, 2, true, false, false);
  dw_case(1, 4, 4, 288, 3, 3, 2, 1, 1, true, true, true);
  dw_case(1, 2, 2, 203, 5, 5, 1, 1, 2, false, false, false);
  /* Layers of the benchmark models. */
  dw_case(1, 112, 112, 32, 3, 3, 1, 1, 1, true, false, true);
  dw_case(1, 28, 28, 240, 5, 5, 1, 1, 2, true, false, false);
}

int main(void) {
  test_dwconv();
  return CHECK_SUMMARY();
}
