/* pylite: AVERAGE_POOL_2D, MAX_POOL_2D and L2_POOL_2D, shared (header-only).
 *
 * As TFLite's builtin float32 pools: input [N, H, W, C], Pool2DOptions
 * filter size and strides, output [N, OH, OW, C] with sizes and padding as
 * tflite/kernels/padding.h (dilation 1). For each output the window is
 * clipped to the input (padding is never read) and, as the reference
 * kernels:
 *   average: float sum in (fy, fx) order / count
 *   max:     max from the lowest float (NaN inputs do not propagate)
 *   l2:      sqrtf(float sum of squares / count)
 * then the fused activation clamp. A window with no input element (only
 * possible with zero-sized dims) is an error for average and l2, as in
 * TFLite.
 *
 * Quantized (AVERAGE and MAX; int8, uint8, int16), as LiteRT's reference
 * integer kernels: values are pooled raw, so input and output must share
 * one scale and zero point (LiteRT assumes it; pylite checks it). Average:
 * the int32 window sum s over count elements gives (s + count / 2) / count
 * for s > 0, else (s - count / 2) / count (C division: halves away from
 * zero); max starts from the type's lowest value. Then the fused activation
 * clamps to the output's quantized range (pl_q_activation_range). L2 is
 * float32 only, as in LiteRT.
 *
 * Differences, on the safe side: filter sizes and strides must be >= 1;
 * TANH / SIGN_BIT activations are rejected; quantized input and output
 * parameters must be equal. */
#ifndef PYLITE_KERNELS_INTERNAL_NN_POOL_H_
#define PYLITE_KERNELS_INTERNAL_NN_POOL_H_

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "capi/core/kernel.h"
#include "capi/kernels/internal/nn_common.h"
#include "capi/kernels/internal/nn_conv.h"
#include "capi/kernels/internal/quant_spatial.h"

typedef enum { PL_POOL_AVERAGE, PL_POOL_MAX, PL_POOL_L2 } PlPoolKind;

/* Schema BuiltinOptions union type and Pool2DOptions field ids. */
enum { kPlPool2DOptionsType = 5 };
enum {
  kPlPoolFieldPadding = 0,
  kPlPoolFieldStrideW = 1,
  kPlPoolFieldStrideH = 2,
  kPlPoolFieldFilterW = 3,
  kPlPoolFieldFilterH = 4,
  kPlPoolFieldActivation = 5,
};

typedef struct PlPoolData {
  int padding, stride_w, stride_h, filter_w, filter_h, activation;
  int pad_h, pad_w; /* from prepare */
  int32_t act_lo, act_hi; /* quantized activation clamp, from prepare */
} PlPoolData;

static inline TfLiteStatus pl_nn_pool_init(PlSubgraph* sg, PlNode* node) {
  PlPoolData* d = calloc(1, sizeof(*d));
  if (!d) {
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  if (node->def->builtin_options_type == kPlPool2DOptionsType) {
    const PlFbTable* o = &node->def->builtin_options;
    d->padding = pl_fb_i8(o, kPlPoolFieldPadding, PL_PAD_SAME);
    d->stride_w = pl_fb_i32(o, kPlPoolFieldStrideW, 0);
    d->stride_h = pl_fb_i32(o, kPlPoolFieldStrideH, 0);
    d->filter_w = pl_fb_i32(o, kPlPoolFieldFilterW, 0);
    d->filter_h = pl_fb_i32(o, kPlPoolFieldFilterH, 0);
    d->activation = pl_fb_i8(o, kPlPoolFieldActivation, PL_ACT_NONE);
  }
  node->user_data = d;
  return kTfLiteOk;
}

static inline void pl_nn_pool_free(PlNode* node) {
  free(node->user_data);
  node->user_data = NULL;
}

static inline TfLiteStatus pl_nn_pool_prepare(PlSubgraph* sg, PlNode* node,
                                              const char* op,
                                              PlPoolKind kind) {
  PlPoolData* d = node->user_data;
  PL_ENSURE(sg, d != NULL);
  if (pl_num_inputs(node) != 1 || pl_num_outputs(node) != 1) {
    pl_report(sg, "%s takes 1 input and 1 output, got %d and %d.", op,
              pl_num_inputs(node), pl_num_outputs(node));
    return kTfLiteError;
  }
  const TfLiteTensor* input = pl_input(sg, node, 0);
  TfLiteTensor* output = pl_output(sg, node, 0);
  PL_ENSURE(sg, input != NULL);
  PL_ENSURE(sg, output != NULL);
  const TfLiteTensor* ts[2] = {input, output};
  const char* roles[2] = {"input", "output"};
  const bool quantized = kind != PL_POOL_L2 &&
                         pl_qs_is_quant_type(input->type);
  if (quantized) {
    if (output->type != input->type) {
      pl_report(sg, "%s: output type %s does not match input type %s.", op,
                TfLiteTypeGetName(output->type),
                TfLiteTypeGetName(input->type));
      return kTfLiteError;
    }
    PL_ENSURE_OK(pl_qs_check_same(sg, op, "input", input, "output", output));
  } else {
    PL_ENSURE_OK(pl_nn_require_f32(sg, op, 2, ts, roles));
  }
  PL_ENSURE_OK(pl_nn_check_activation(sg, op, d->activation));
  if (quantized)
    PL_ENSURE_OK(pl_q_activation_range(sg, d->activation, output,
                                       &d->act_lo, &d->act_hi));
  PL_ENSURE_OK(pl_nn_require_rank(sg, op, "input", input, 4));
  if (d->padding != PL_PAD_SAME && d->padding != PL_PAD_VALID) {
    pl_report(sg, "%s: unknown padding %d (expected SAME or VALID).", op,
              d->padding);
    return kTfLiteError;
  }
  if (d->stride_w < 1 || d->stride_h < 1 || d->filter_w < 1 ||
      d->filter_h < 1) {
    pl_report(sg,
              "%s filter sizes and strides must be >= 1, got filter %dx%d, "
              "strides %dx%d (height x width).",
              op, d->filter_h, d->filter_w, d->stride_h, d->stride_w);
    return kTfLiteError;
  }
  /* Window coordinates are computed in int: keep every term far from
   * overflow (a limit no real model comes near). */
  enum { kMaxWindow = 1 << 24 };
  if (d->stride_w > kMaxWindow || d->stride_h > kMaxWindow ||
      d->filter_w > kMaxWindow || d->filter_h > kMaxWindow) {
    pl_report(sg, "%s filter %dx%d or strides %dx%d exceed pylite's limit of "
              "%d.", op, d->filter_h, d->filter_w, d->stride_h, d->stride_w,
              (int)kMaxWindow);
    return kTfLiteError;
  }
  const int* in = input->dims->data;
  const int64_t oh =
      pl_nn_out_size(d->padding, in[1], d->filter_h, d->stride_h, 1);
  const int64_t ow =
      pl_nn_out_size(d->padding, in[2], d->filter_w, d->stride_w, 1);
  if (oh < 0 || ow < 0 || oh > INT32_MAX || ow > INT32_MAX) {
    char s[160];
    pl_shape_string(input->dims, s, sizeof(s));
    pl_report(sg, "%s: the %dx%d filter does not fit the input %s with %s "
              "padding.", op, d->filter_h, d->filter_w, s,
              pl_nn_padding_name(d->padding));
    return kTfLiteError;
  }
  d->pad_h = (int)pl_nn_pad_before(in[1], d->filter_h, d->stride_h, 1, oh);
  d->pad_w = (int)pl_nn_pad_before(in[2], d->filter_w, d->stride_w, 1, ow);
  const int dims[4] = {in[0], (int)oh, (int)ow, in[3]};
  return pl_resize(sg, output, 4, dims);
}

/* The float32 pools (internal/pool.c): vectors of channels, output rows
 * split over the interpreter's threads. Reports a window with no input
 * element for average and l2. */
TfLiteStatus pl_nn_pool_f32(PlSubgraph* sg, const PlPoolData* d,
                            PlPoolKind kind, const TfLiteTensor* input,
                            TfLiteTensor* output);

/* The quantized pools (average, max) on raw values of type T. */
#define PL_NN_POOL_QUANT(NAME, T, LOWEST)                                     \
  static inline void NAME(const PlPoolData* d, const TfLiteTensor* input,    \
                          TfLiteTensor* output, bool average) {               \
    const int* in = input->dims->data;                                        \
    const int n = in[0], h = in[1], w = in[2], c = in[3];                     \
    const int oh = output->dims->data[1], ow = output->dims->data[2];        \
    const T* x = (const T*)input->data.raw_const;                             \
    T* y = (T*)output->data.raw;                                              \
    for (int b = 0; b < n; ++b) {                                             \
      for (int oy = 0; oy < oh; ++oy) {                                       \
        const int y0 = oy * d->stride_h - d->pad_h;                           \
        const int fy0 = y0 < 0 ? -y0 : 0;                                     \
        const int fy1 = d->filter_h < h - y0 ? d->filter_h : h - y0;          \
        for (int ox = 0; ox < ow; ++ox) {                                     \
          const int x0 = ox * d->stride_w - d->pad_w;                         \
          const int fx0 = x0 < 0 ? -x0 : 0;                                   \
          const int fx1 = d->filter_w < w - x0 ? d->filter_w : w - x0;        \
          const int32_t count = (fy1 - fy0) * (fx1 - fx0);                    \
          T* dst = y + (((int64_t)b * oh + oy) * ow + ox) * c;                \
          for (int ch = 0; ch < c; ++ch) {                                    \
            int32_t acc = average ? 0 : (LOWEST);                             \
            for (int fy = fy0; fy < fy1; ++fy) {                              \
              const T* row =                                                  \
                  x + (((int64_t)b * h + y0 + fy) * w + x0) * c + ch;         \
              for (int fx = fx0; fx < fx1; ++fx) {                            \
                const int32_t v = row[(int64_t)fx * c];                       \
                if (average) /* wraps as LiteRT's int32 sum */               \
                  acc = (int32_t)((uint32_t)acc + (uint32_t)v);               \
                else if (v > acc)                                             \
                  acc = v;                                                    \
              }                                                               \
            }                                                                 \
            if (average && count > 0)                                         \
              acc = acc > 0 ? (acc + count / 2) / count                       \
                            : (acc - count / 2) / count;                      \
            dst[ch] = (T)pl_q_clamp(acc, d->act_lo, d->act_hi);               \
          }                                                                   \
        }                                                                     \
      }                                                                       \
    }                                                                         \
  }

PL_NN_POOL_QUANT(pl_nn_pool_q_i8, int8_t, INT8_MIN)
PL_NN_POOL_QUANT(pl_nn_pool_q_u8, uint8_t, 0)
PL_NN_POOL_QUANT(pl_nn_pool_q_i16, int16_t, INT16_MIN)

static inline TfLiteStatus pl_nn_pool_eval(PlSubgraph* sg, PlNode* node,
                                           PlPoolKind kind) {
  const PlPoolData* d = node->user_data;
  const TfLiteTensor* input = pl_input(sg, node, 0);
  TfLiteTensor* output = pl_output(sg, node, 0);
  /* An empty output has nothing to compute (and its batch may be huge). */
  if (pl_num_elements(output) == 0) return kTfLiteOk;
  if (input->type != kTfLiteFloat32) {
    /* A window with no input element needs an empty spatial dim, and then
     * the output is empty too (handled above). */
    const bool average = kind == PL_POOL_AVERAGE;
    switch (input->type) {
      case kTfLiteInt8: pl_nn_pool_q_i8(d, input, output, average); break;
      case kTfLiteUInt8: pl_nn_pool_q_u8(d, input, output, average); break;
      default: pl_nn_pool_q_i16(d, input, output, average); break;
    }
    return kTfLiteOk;
  }
  return pl_nn_pool_f32(sg, d, kind, input, output);
}

#endif /* PYLITE_KERNELS_INTERNAL_NN_POOL_H_ */
