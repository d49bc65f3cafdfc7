/* pylite: integer and hybrid matrix-product helpers (see quant_matmul.h). */
#include "capi/kernels/internal/quant_matmul.h"

#include <math.h>
#include <string.h>

#include "capi/core/kernel.h"

/* Symmetric: the largest magnitude maps to 127. */
static void quantize_symmetric(const float* x, int64_t n, int8_t* q,
                               float* factor) {
  float lo = n > 0 ? x[0] : 0.0f, hi = lo;
  for (int64_t i = 1; i < n; ++i) {
    if (x[i] < lo) lo = x[i];
    if (hi < x[i]) hi = x[i];
  }
  const float range = fmaxf(fabsf(lo), fabsf(hi));
  if (range == 0.0f) {
    memset(q, 0, (size_t)n);
    *factor = 1.0f;
    return;
  }
  *factor = range / 127.0f;
  const float inv = 127.0f / range;
  for (int64_t i = 0; i < n; ++i) {
    int32_t v = (int32_t)roundf(x[i] * inv);
    q[i] = (int8_t)(v < -127 ? -127 : (v > 127 ? 127 : v));
  }
}

/* Asymmetric: [min(x, 0), max(x, 0)] over [-128, 127], the zero point
 * taken from whichever end gives the smaller error, then nudged into
 * range and rounded. */
static void quantize_asymmetric(const float* x, int64_t n, int8_t* q,
                                float* factor, int32_t* offset) {
  float lo = n > 0 ? x[0] : 0.0f, hi = lo;
  for (int64_t i = 1; i < n; ++i) {
    if (x[i] < lo) lo = x[i];
    if (hi < x[i]) hi = x[i];
  }
  const double rmin = (double)(lo < 0.0f ? lo : 0.0f);
  const double rmax = (double)(hi > 0.0f ? hi : 0.0f);
  const double qmin = -128.0, qmax = 127.0;
  if (rmin == rmax) {
    memset(q, 0, (size_t)n);
    *factor = 1.0f;
    *offset = 0;
    return;
  }
  const double scale = (rmax - rmin) / (qmax - qmin);
  const double zp_from_min = qmin - rmin / scale;
  const double zp_from_max = qmax - rmax / scale;
  const double err_min = fabs(qmin) + fabs(rmin / scale);
  const double err_max = fabs(qmax) + fabs(rmax / scale);
  const double zp = err_min < err_max ? zp_from_min : zp_from_max;
  int32_t nudged;
  if (zp <= qmin) {
    nudged = -128;
  } else if (zp >= qmax) {
    nudged = 127;
  } else {
    nudged = (int32_t)(int8_t)round(zp);
  }
  *factor = (float)scale;
  *offset = nudged;
  const float inv = 1.0f / *factor;
  for (int64_t i = 0; i < n; ++i) {
    int32_t v = (int32_t)roundf((float)nudged + x[i] * inv);
    q[i] = (int8_t)(v < -128 ? -128 : (v > 127 ? 127 : v));
  }
}

void pl_qmm_quantize_rows(const float* x, int64_t rows, int64_t depth,
                          bool asymmetric, int8_t* q, float* factors,
                          int32_t* offsets) {
  for (int64_t r = 0; r < rows; ++r) {
    if (asymmetric) {
      quantize_asymmetric(x + r * depth, depth, q + r * depth, &factors[r],
                          &offsets[r]);
    } else {
      quantize_symmetric(x + r * depth, depth, q + r * depth, &factors[r]);
      offsets[r] = 0;
    }
  }
}

void pl_qmm_row_sums(const int8_t* w, int64_t rows, int64_t depth,
                     int32_t* sums) {
  for (int64_t r = 0; r < rows; ++r) {
    uint32_t s = 0;
    for (int64_t d = 0; d < depth; ++d) s += (uint32_t)(int32_t)w[r * depth + d];
    sums[r] = (int32_t)s;
  }
}

int32_t pl_qmm_dot_s8(const int8_t* a, const int8_t* b, int64_t n) {
  int32_t s = 0;
  for (int64_t i = 0; i < n; ++i) s += (int32_t)a[i] * (int32_t)b[i];
  return s;
}

int32_t pl_qmm_dot_u8(const uint8_t* a, const uint8_t* b, int64_t n) {
  uint32_t s = 0;
  for (int64_t i = 0; i < n; ++i) s += (uint32_t)a[i] * (uint32_t)b[i];
  return (int32_t)s;
}

int64_t pl_qmm_dot_s16_s8(const int16_t* a, const int8_t* b, int64_t n) {
  int64_t s = 0;
  for (int64_t i = 0; i < n; ++i) s += (int32_t)a[i] * (int32_t)b[i];
  return s;
}

void pl_qmm_activation(float* y, int64_t n, int activation) {
  switch (activation) {
    case PL_ACT_RELU:
      for (int64_t i = 0; i < n; ++i) y[i] = 0.0f < y[i] ? y[i] : 0.0f;
      break;
    case PL_ACT_RELU_N1_TO_1:
      for (int64_t i = 0; i < n; ++i) {
        const float m = 1.0f < y[i] ? 1.0f : y[i];
        y[i] = -1.0f < m ? m : -1.0f;
      }
      break;
    case PL_ACT_RELU6:
      for (int64_t i = 0; i < n; ++i) {
        const float m = 6.0f < y[i] ? 6.0f : y[i];
        y[i] = 0.0f < m ? m : 0.0f;
      }
      break;
    case PL_ACT_TANH:
      for (int64_t i = 0; i < n; ++i) y[i] = tanhf(y[i]);
      break;
    case PL_ACT_SIGN_BIT:
      for (int64_t i = 0; i < n; ++i) y[i] = signbit(y[i]) ? 1.0f : 0.0f;
      break;
    default:
      break;
  }
}
