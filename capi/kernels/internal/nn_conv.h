/* pylite: shared arithmetic of the nn family (convolutions, pools, matmul).
 *
 * Header-only (static inline): only the .c files of capi/kernels are built.
 *
 * Output sizes and padding follow TFLite's tflite/kernels/padding.h:
 *   effective filter  e = (filter - 1) * dilation + 1
 *   SAME   out = ceil(in / stride)
 *   VALID  out = (in + stride - e) / stride   (C division, may be <= 0)
 *   pad before = max(0, (out - 1) * stride + e - in) / 2
 * The reference kernels use only the "before" padding; the rest is implied.
 *
 * The GEMM computes y[m][n] = clamp(sum_k a[m][k] * b[n][k] + bias[n]) with
 * one float accumulator per output summed over k in increasing order from
 * 0.0f, the order of TFLite's reference conv / matmul loops. B is first
 * packed into panels of 8 columns so that the inner loop updates 8
 * independent sums at once (vectorizable without reordering any sum). */
#ifndef PYLITE_KERNELS_INTERNAL_NN_CONV_H_
#define PYLITE_KERNELS_INTERNAL_NN_CONV_H_

#include <stdint.h>
#include <string.h>

/* Schema Padding enum. */
enum { PL_PAD_SAME = 0, PL_PAD_VALID = 1 };

static inline const char* pl_nn_padding_name(int padding) {
  return padding == PL_PAD_SAME ? "SAME"
                                : padding == PL_PAD_VALID ? "VALID" : "unknown";
}

/* Output size along one axis; int64 so bad options cannot overflow. */
static inline int64_t pl_nn_out_size(int padding, int64_t in, int64_t filter,
                                     int64_t stride, int64_t dilation) {
  const int64_t eff = (filter - 1) * dilation + 1;
  if (stride <= 0) return 0;
  if (padding == PL_PAD_SAME) return (in + stride - 1) / stride;
  /* C truncating division, as TFLite. */
  return (in + stride - eff) / stride;
}

/* Padding before the first element along one axis. */
static inline int64_t pl_nn_pad_before(int64_t in, int64_t filter,
                                       int64_t stride, int64_t dilation,
                                       int64_t out) {
  const int64_t eff = (filter - 1) * dilation + 1;
  int64_t total = (out - 1) * stride + eff - in;
  if (total < 0) total = 0;
  return total / 2;
}

static inline float pl_nn_clamp(float x, float lo, float hi) {
  x = x < lo ? lo : x;
  return hi < x ? hi : x;
}

enum { PL_NN_PANEL = 8 };

/* Floats needed to pack an n x k B matrix. */
static inline int64_t pl_nn_packed_size(int64_t n, int64_t k) {
  return ((n + PL_NN_PANEL - 1) / PL_NN_PANEL) * PL_NN_PANEL * k;
}

/* Packs B (element (j, k) at b[j * sj + k * sk]) into panels of 8 columns:
 * packed[panel][k][8], the columns past n zero. */
static inline void pl_nn_pack_b(const float* b, int64_t n, int64_t k,
                                int64_t sj, int64_t sk, float* packed) {
  for (int64_t j0 = 0; j0 < n; j0 += PL_NN_PANEL) {
    float* p = packed + j0 * k;
    const int64_t cols = n - j0 < PL_NN_PANEL ? n - j0 : PL_NN_PANEL;
    for (int64_t d = 0; d < k; ++d) {
      for (int64_t c = 0; c < cols; ++c) p[d * PL_NN_PANEL + c] = b[(j0 + c) * sj + d * sk];
      for (int64_t c = cols; c < PL_NN_PANEL; ++c) p[d * PL_NN_PANEL + c] = 0.0f;
    }
  }
}

static inline void pl_nn_store(float* y, const float* acc, const float* bias,
                               int64_t j0, int64_t cols, float lo, float hi) {
  for (int64_t c = 0; c < cols; ++c) {
    float v = acc[c];
    if (bias) v += bias[j0 + c];
    y[j0 + c] = pl_nn_clamp(v, lo, hi);
  }
}

/* y[i * ldy + j] = clamp(sum_d a[i * sai + d * sad] * B(j, d) + bias[j]) for
 * i < m, j < n; B packed by pl_nn_pack_b. bias may be NULL (no addition). */
static inline void pl_nn_gemm(const float* a, int64_t sai, int64_t sad,
                              int64_t m, const float* packed, int64_t n,
                              int64_t k, const float* bias, float* y,
                              int64_t ldy, float lo, float hi) {
  for (int64_t j0 = 0; j0 < n; j0 += PL_NN_PANEL) {
    const float* p = packed + j0 * k;
    const int64_t cols = n - j0 < PL_NN_PANEL ? n - j0 : PL_NN_PANEL;
    int64_t i = 0;
    /* 4 rows x 8 columns of accumulators: measured faster than 6 x 8 and
     * 3 x 16 with SSE2. */
    for (; i + 4 <= m; i += 4) {
      float acc[4][PL_NN_PANEL];
      memset(acc, 0, sizeof(acc));
      const float* a0 = a + i * sai;
      for (int64_t d = 0; d < k; ++d) {
        const float* w = p + d * PL_NN_PANEL;
        const float* ad = a0 + d * sad;
        for (int r = 0; r < 4; ++r) {
          const float v = ad[r * sai];
          for (int c = 0; c < PL_NN_PANEL; ++c) acc[r][c] += v * w[c];
        }
      }
      for (int r = 0; r < 4; ++r)
        pl_nn_store(y + (i + r) * ldy, acc[r], bias, j0, cols, lo, hi);
    }
    for (; i < m; ++i) {
      float acc[PL_NN_PANEL] = {0};
      const float* ai = a + i * sai;
      for (int64_t d = 0; d < k; ++d) {
        const float* w = p + d * PL_NN_PANEL;
        const float v = ai[d * sad];
        for (int c = 0; c < PL_NN_PANEL; ++c) acc[c] += v * w[c];
      }
      pl_nn_store(y + i * ldy, acc, bias, j0, cols, lo, hi);
    }
  }
}

#endif /* PYLITE_KERNELS_INTERNAL_NN_CONV_H_ */
