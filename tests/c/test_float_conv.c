/* pylite: the float CONV_2D, TRANSPOSE_CONV and pool kernels against plain
 * loops, bit for bit, on the portable, AVX2 and AVX-512 paths and with 1, 2
 * and 4 threads.
 *
 * CONV_2D: one float sum per output over (fy, fx, c) from 0 (padding
 * positions adding 0 * w, as the kernel documents), then the bias and the
 * clamp; the cases cover the pixels read in place (no grouping nor
 * horizontal dilation) and the im2col ones (borders, grouped, dilated),
 * first-layer shapes (3 channels) and strides. TRANSPOSE_CONV: each output
 * sums its terms in (iy, ix, ic) order from 0, then the bias and the clamp;
 * the cases cover output channels in and past whole vectors of 8 and rows
 * where fewer than 4 taps land inside the output. Pools (max, average, l2):
 * each window clipped to the input, taps in (fy, fx) order, channel counts
 * around whole vectors of 8 and 16, padding and windows wider than the
 * input, NaN and equal values for max. */
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capi/kernels/internal/gemm.h"
#include "check.h"
#include "model_builder.h"
#include "pylite/c_api.h"
#include "pylite/pylite.h"

#define OP_TEST_NAME "float conv test"
#include "op_test_util.h"

enum {
  kOpAveragePool = 1,
  kOpL2Pool = 12,
  kOpMaxPool = 17,
  kOpTransposeConv = 67,
};
enum { kOptConv2D = 1, kOptPool2D = 5, kOptTransposeConv = 49 };
enum { kPadSame = 0, kPadValid = 1 };

static float* random_floats(int64_t n) {
  float* x = malloc(sizeof(float) * (size_t)(n > 0 ? n : 1));
  for (int64_t i = 0; i < n; ++i) x[i] = check_rand_float() * 2.0f;
  return x;
}

static float clamp(float v, float lo, float hi) {
  v = v < lo ? lo : v;
  return hi < v ? hi : v;
}

static bool same_bits(const float* a, const float* b, int64_t n,
                      const char* what) {
  for (int64_t i = 0; i < n; ++i) {
    if (memcmp(&a[i], &b[i], sizeof(float)) != 0) {
      fprintf(stderr, "%s: element %lld is %a, want %a\n", what,
              (long long)i, a[i], b[i]);
      return false;
    }
  }
  return true;
}

/* A one-op model: its tensors (the graph input x first, then constant
 * inputs, then the output), the op and its int32 option fields. */
typedef struct Case {
  const char* name;
  int code, options, num_fields;
  int32_t fields[6];
  int num_inputs;
  int type[4], rank[4], shape[4][4];
  const void* data[4]; /* NULL: the graph input */
  size_t bytes[4];
  int out_shape[4];
} Case;

/* Builds the model (a fresh one for each interpreter), runs it on every
 * path and thread count and compares with `want`. */
static void run_all(const Case* c, const float* x, size_t x_bytes,
                    const float* want, int64_t out_count) {
  /* The CPU's best path, AVX2 (when it has AVX-512), portable. */
  for (int level = 0; level < 3; ++level) {
    pl_simd_cap(level == 0 ? -1 : level == 1 ? PL_SIMD_AVX2 : PL_SIMD_PORTABLE);
    for (int threads = 1; threads <= 4; threads *= 2) {
      Op o;
      op_begin(&o);
      for (int i = 0; i < c->num_inputs; ++i) {
        if (c->data[i])
          op_const(&o, c->type[i], c->rank[i], c->shape[i], c->data[i],
                   c->bytes[i]);
        else
          op_input(&o, c->type[i], c->rank[i], c->shape[i]);
      }
      op_output(&o, T_F32, 4, c->out_shape);
      TfLiteInterpreter* it = op_load_threads(&o, c->code, c->options,
                                              c->num_fields, c->fields,
                                              threads);
      if (!it) continue;
      CHECK(TfLiteInterpreterAllocateTensors(it) == kTfLiteOk);
      CHECK(write_raw(it, 0, x, x_bytes));
      CHECK(TfLiteInterpreterInvoke(it) == kTfLiteOk);
      const TfLiteTensor* y = out(it, 0);
      char what[160];
      snprintf(what, sizeof(what), "%s %s %d threads", c->name,
               pl_simd_avx512() ? "avx512"
               : pl_simd_avx2() ? "avx2"
                                : "portable",
               threads);
      CHECK(TfLiteTensorByteSize(y) == sizeof(float) * (size_t)out_count &&
            same_bits(TfLiteTensorData(y), want, out_count, what));
      op_release(&o, it);
    }
  }
  pl_simd_cap(-1);
}

/* ---- CONV_2D ---------------------------------------------------------------- */

/* TFLite's output size of one spatial dim for a window spanning `span`
 * inputs moved by `stride`, and in *pad its leading padding. */
static int out_dim(int in, int span, int stride, int padding, int* pad) {
  if (padding != kPadSame) {
    *pad = 0;
    return (in - span + stride) / stride;
  }
  const int out = (in + stride - 1) / stride;
  const int total = (out - 1) * stride + span - in;
  *pad = total > 0 ? total / 2 : 0;
  return out;
}

static void conv_case(int n, int h, int w, int c, int oc, int fh, int fw,
                      int groups, int stride, int dil_h, int dil_w,
                      int padding, bool relu6) {
  const int fc = c / groups, per_group = oc / groups;
  int pad_h, pad_w;
  const int oh = out_dim(h, (fh - 1) * dil_h + 1, stride, padding, &pad_h);
  const int ow = out_dim(w, (fw - 1) * dil_w + 1, stride, padding, &pad_w);
  const int64_t x_count = (int64_t)n * h * w * c;
  const int64_t f_count = (int64_t)oc * fh * fw * fc;
  const int64_t y_count = (int64_t)n * oh * ow * oc;
  float* x = random_floats(x_count);
  float* f = random_floats(f_count);
  float* bias = random_floats(oc);
  float* want = malloc(sizeof(float) * (size_t)y_count);
  const float lo = relu6 ? 0.0f : -FLT_MAX, hi = relu6 ? 6.0f : FLT_MAX;
  for (int b = 0; b < n; ++b)
    for (int oy = 0; oy < oh; ++oy)
      for (int ox = 0; ox < ow; ++ox)
        for (int o = 0; o < oc; ++o) {
          const int g = o / per_group;
          float acc = 0.0f;
          for (int fy = 0; fy < fh; ++fy)
            for (int fx = 0; fx < fw; ++fx)
              for (int ci = 0; ci < fc; ++ci) {
                const int iy = oy * stride - pad_h + fy * dil_h;
                const int ix = ox * stride - pad_w + fx * dil_w;
                const bool in = iy >= 0 && iy < h && ix >= 0 && ix < w;
                const float v =
                    in ? x[(((int64_t)b * h + iy) * w + ix) * c + g * fc + ci]
                       : 0.0f;
                acc += v * f[(((int64_t)o * fh + fy) * fw + fx) * fc + ci];
              }
          want[(((int64_t)b * oh + oy) * ow + ox) * oc + o] =
              clamp(acc + bias[o], lo, hi);
        }
  const Case k = {
      .name = "CONV_2D", .code = OP_CONV_2D, .options = kOptConv2D,
      .num_fields = 6,
      .fields = {padding, stride, stride, relu6 ? ACT_RELU6 : ACT_NONE, dil_w,
                 dil_h},
      .num_inputs = 3, .type = {T_F32, T_F32, T_F32}, .rank = {4, 4, 1},
      .shape = {{n, h, w, c}, {oc, fh, fw, fc}, {oc}},
      .data = {NULL, f, bias},
      .bytes = {0, sizeof(float) * (size_t)f_count,
                sizeof(float) * (size_t)oc},
      .out_shape = {n, oh, ow, oc},
  };
  run_all(&k, x, sizeof(float) * (size_t)x_count, want, y_count);
  free(x);
  free(f);
  free(bias);
  free(want);
}

static void test_conv(void) {
  /* First layers: 3 channels, 3x3, strides 1 and 2. */
  conv_case(1, 17, 19, 3, 16, 3, 3, 1, 2, 1, 1, kPadSame, true);
  conv_case(2, 9, 8, 3, 8, 3, 3, 1, 1, 1, 1, kPadSame, false);
  /* Wider channels, valid padding (every pixel in place), 5x5. */
  conv_case(1, 12, 11, 20, 24, 3, 3, 1, 1, 1, 1, kPadValid, false);
  conv_case(1, 13, 14, 7, 5, 5, 5, 1, 1, 1, 1, kPadSame, true);
  /* Vertical dilation (in place), horizontal dilation (im2col). */
  conv_case(1, 12, 12, 6, 9, 3, 3, 1, 1, 2, 1, kPadSame, false);
  conv_case(1, 12, 12, 6, 9, 3, 3, 1, 1, 1, 2, kPadSame, false);
  /* Grouped, 1x1 stride 2, a filter row wider than the input. */
  conv_case(1, 8, 9, 8, 12, 3, 3, 4, 1, 1, 1, kPadSame, false);
  conv_case(1, 9, 9, 16, 32, 1, 1, 1, 2, 1, 1, kPadValid, true);
  conv_case(1, 4, 3, 5, 4, 5, 5, 1, 1, 1, 1, kPadSame, false);
  /* Big enough to be split over threads. */
  conv_case(1, 40, 40, 3, 32, 3, 3, 1, 2, 1, 1, kPadSame, true);
  conv_case(1, 24, 24, 32, 32, 3, 3, 1, 1, 1, 1, kPadSame, false);
  /* Blocks and thread chunks ending inside output rows, border pixels of
   * several rows gathered into one GEMM, a stride with vertical dilation,
   * no interior pixel at all, batches. */
  conv_case(2, 13, 11, 64, 20, 3, 3, 1, 2, 1, 1, kPadSame, false);
  conv_case(1, 16, 16, 16, 16, 3, 3, 1, 1, 1, 1, kPadSame, true);
  conv_case(1, 15, 17, 9, 24, 5, 3, 1, 2, 2, 1, kPadSame, false);
  conv_case(1, 3, 4, 8, 16, 5, 5, 1, 1, 1, 1, kPadSame, false);
  conv_case(3, 7, 9, 3, 8, 3, 3, 1, 1, 1, 1, kPadSame, false);
  /* Patches read from the input copied into a zero border (small inputs
   * with many border pixels), with strides, vertical dilation, a border
   * on one side only, and a filter taller than the input. */
  conv_case(1, 4, 4, 48, 20, 3, 3, 1, 1, 1, 1, kPadSame, true);
  conv_case(2, 9, 8, 16, 24, 3, 3, 1, 2, 1, 1, kPadSame, false);
  conv_case(1, 10, 9, 12, 7, 3, 3, 1, 1, 2, 1, kPadSame, false);
  conv_case(1, 6, 7, 5, 9, 7, 3, 1, 1, 1, 1, kPadSame, false);
}

/* ---- TRANSPOSE_CONV ------------------------------------------------------- */

static void tconv_case(int n, int h, int w, int ic, int oc, int fh, int fw,
                       int stride, int padding, bool with_bias, bool relu6) {
  int oh, ow;
  if (padding == kPadSame)
    oh = h * stride, ow = w * stride;
  else
    oh = (h - 1) * stride + fh, ow = (w - 1) * stride + fw;
  /* Padding of the forward convolution from [oh, ow]. */
  const int out_h = padding == kPadSame ? (oh + stride - 1) / stride
                                        : (oh - fh + stride) / stride;
  const int out_w = padding == kPadSame ? (ow + stride - 1) / stride
                                        : (ow - fw + stride) / stride;
  int pad_h = (out_h - 1) * stride + fh - oh;
  int pad_w = (out_w - 1) * stride + fw - ow;
  pad_h = pad_h > 0 ? pad_h / 2 : 0, pad_w = pad_w > 0 ? pad_w / 2 : 0;
  const int64_t x_count = (int64_t)n * h * w * ic;
  const int64_t f_count = (int64_t)oc * fh * fw * ic;
  const int64_t y_count = (int64_t)n * oh * ow * oc;
  float* x = random_floats(x_count);
  float* f = random_floats(f_count);
  float* bias = random_floats(oc);
  float* want = calloc((size_t)y_count, sizeof(float));
  const float lo = relu6 ? 0.0f : -FLT_MAX, hi = relu6 ? 6.0f : FLT_MAX;
  for (int b = 0; b < n; ++b)
    for (int iy = 0; iy < h; ++iy)
      for (int ix = 0; ix < w; ++ix)
        for (int fy = 0; fy < fh; ++fy)
          for (int fx = 0; fx < fw; ++fx) {
            const int oy = iy * stride - pad_h + fy;
            const int ox = ix * stride - pad_w + fx;
            if (oy < 0 || oy >= oh || ox < 0 || ox >= ow) continue;
            for (int o = 0; o < oc; ++o) {
              float* dst = &want[(((int64_t)b * oh + oy) * ow + ox) * oc + o];
              for (int c = 0; c < ic; ++c)
                *dst += x[(((int64_t)b * h + iy) * w + ix) * ic + c] *
                        f[(((int64_t)o * fh + fy) * fw + fx) * ic + c];
            }
          }
  for (int64_t i = 0; i < y_count; ++i)
    want[i] = clamp(want[i] + (with_bias ? bias[i % oc] : 0.0f), lo, hi);
  const int32_t shape[4] = {n, oh, ow, oc};
  /* Inputs: output shape, weights, x, bias; x is written as input 0 of
   * the graph (its only non-constant tensor). */
  const Case k = {
      .name = "TRANSPOSE_CONV", .code = kOpTransposeConv,
      .options = kOptTransposeConv, .num_fields = 4,
      .fields = {padding, stride, stride, relu6 ? ACT_RELU6 : ACT_NONE},
      .num_inputs = with_bias ? 4 : 3,
      .type = {T_I32, T_F32, T_F32, T_F32}, .rank = {1, 4, 4, 1},
      .shape = {{4}, {oc, fh, fw, ic}, {n, h, w, ic}, {oc}},
      .data = {shape, f, NULL, bias},
      .bytes = {sizeof(shape), sizeof(float) * (size_t)f_count, 0,
                sizeof(float) * (size_t)oc},
      .out_shape = {n, oh, ow, oc},
  };
  run_all(&k, x, sizeof(float) * (size_t)x_count, want, y_count);
  free(x);
  free(f);
  free(bias);
  free(want);
}

static void test_tconv(void) {
  tconv_case(1, 8, 8, 16, 8, 4, 4, 1, kPadValid, false, false);
  tconv_case(1, 5, 6, 7, 13, 3, 3, 2, kPadSame, true, true);
  tconv_case(2, 4, 4, 9, 40, 3, 3, 2, kPadValid, true, false);
  tconv_case(1, 6, 5, 3, 5, 5, 5, 1, kPadSame, false, false);
  tconv_case(1, 3, 3, 24, 17, 2, 2, 2, kPadSame, true, true);
  tconv_case(1, 7, 7, 8, 8, 6, 6, 3, kPadSame, true, false);
}

/* ---- Pools --------------------------------------------------------------- */

static void pool_case(int op, int n, int h, int w, int c, int fh, int fw,
                      int stride_h, int stride_w, int padding, bool relu6) {
  int pad_h, pad_w;
  const int oh = out_dim(h, fh, stride_h, padding, &pad_h);
  const int ow = out_dim(w, fw, stride_w, padding, &pad_w);
  const int64_t x_count = (int64_t)n * h * w * c;
  const int64_t y_count = (int64_t)n * oh * ow * c;
  float* x = random_floats(x_count);
  /* Ties and NaN for max: the first of equal values, NaN never taken. */
  for (int64_t i = 0; i < x_count; i += 7) x[i] = x[i / 2];
  if (op == kOpMaxPool)
    for (int64_t i = 3; i < x_count; i += 29) x[i] = NAN;
  float* want = malloc(sizeof(float) * (size_t)(y_count > 0 ? y_count : 1));
  const float lo = relu6 ? 0.0f : -FLT_MAX, hi = relu6 ? 6.0f : FLT_MAX;
  for (int b = 0; b < n; ++b)
    for (int oy = 0; oy < oh; ++oy)
      for (int ox = 0; ox < ow; ++ox)
        for (int ch = 0; ch < c; ++ch) {
          float acc = op == kOpMaxPool ? -FLT_MAX : 0.0f;
          int count = 0;
          for (int fy = 0; fy < fh; ++fy)
            for (int fx = 0; fx < fw; ++fx) {
              const int iy = oy * stride_h - pad_h + fy;
              const int ix = ox * stride_w - pad_w + fx;
              if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
              const float v = x[(((int64_t)b * h + iy) * w + ix) * c + ch];
              ++count;
              if (op == kOpMaxPool)
                acc = acc < v ? v : acc;
              else if (op == kOpL2Pool)
                acc += v * v;
              else
                acc += v;
            }
          if (op == kOpAveragePool) acc = acc / (float)count;
          if (op == kOpL2Pool) acc = sqrtf(acc / (float)count);
          want[(((int64_t)b * oh + oy) * ow + ox) * c + ch] =
              clamp(acc, lo, hi);
        }
  const Case k = {
      .name = op == kOpMaxPool       ? "MAX_POOL_2D"
              : op == kOpAveragePool ? "AVERAGE_POOL_2D"
                                     : "L2_POOL_2D",
      .code = op, .options = kOptPool2D, .num_fields = 6,
      .fields = {padding, stride_w, stride_h, fw, fh,
                 relu6 ? ACT_RELU6 : ACT_NONE},
      .num_inputs = 1, .type = {T_F32}, .rank = {4},
      .shape = {{n, h, w, c}},
      .out_shape = {n, oh, ow, c},
  };
  run_all(&k, x, sizeof(float) * (size_t)x_count, want, y_count);
  free(x);
  free(want);
}

static void test_pools(void) {
  const int ops[3] = {kOpMaxPool, kOpAveragePool, kOpL2Pool};
  for (int i = 0; i < 3; ++i) {
    const int op = ops[i];
    /* 2x2 stride 2 (the common max pool), channels around vectors. */
    pool_case(op, 1, 8, 8, 16, 2, 2, 2, 2, kPadValid, false);
    pool_case(op, 2, 7, 9, 13, 2, 2, 2, 2, kPadSame, true);
    pool_case(op, 1, 1, 48, 24, 1, 2, 1, 2, kPadValid, false);
    pool_case(op, 1, 5, 6, 33, 3, 3, 1, 1, kPadSame, false);
    pool_case(op, 1, 6, 5, 8, 3, 2, 2, 1, kPadSame, true);
    pool_case(op, 1, 9, 7, 7, 3, 3, 2, 2, kPadSame, false);
    /* Windows wider than the input (global pools); one channel. */
    pool_case(op, 3, 4, 5, 40, 7, 9, 1, 1, kPadSame, false);
    pool_case(op, 1, 3, 3, 1, 2, 2, 1, 1, kPadSame, false);
    /* Enough rows to split over threads. */
    pool_case(op, 1, 64, 64, 48, 3, 3, 2, 2, kPadSame, false);
  }
}

int main(void) {
  test_conv();
  test_tconv();
  test_pools();
  return CHECK_SUMMARY();
}
