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
 * The convolutions' GEMM is internal/gemm.h; the prepare checks the
 * convolution kernels share (and their error messages) are at the end. */
#ifndef PYLITE_KERNELS_INTERNAL_NN_CONV_H_
#define PYLITE_KERNELS_INTERNAL_NN_CONV_H_

#include <stdint.h>
#include <string.h>

#include "capi/core/kernel.h"
#include "capi/kernels/internal/nn_common.h"

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

/* Prepare checks shared by the convolution kernels. `op` starts every
 * message; `filter_role` names the filter tensor ("filter" or "weights"). */

/* float32 input / filter / bias / output (bias may be NULL), a clamp fused
 * activation, and rank-`rank` input and filter. */
static inline TfLiteStatus pl_nn_conv_check_tensors(
    PlSubgraph* sg, const char* op, const TfLiteTensor* input,
    const TfLiteTensor* filter, const char* filter_role,
    const TfLiteTensor* bias, const TfLiteTensor* output, int activation,
    int rank) {
  const TfLiteTensor* ts[4] = {input, filter, bias, output};
  const char* roles[4] = {"input", filter_role, "bias", "output"};
  PL_ENSURE_OK(pl_nn_require_f32(sg, op, 4, ts, roles));
  PL_ENSURE_OK(pl_nn_check_activation(sg, op, activation));
  PL_ENSURE_OK(pl_nn_require_rank(sg, op, "input", input, rank));
  PL_ENSURE_OK(pl_nn_require_rank(sg, op, filter_role, filter, rank));
  return kTfLiteOk;
}

static inline TfLiteStatus pl_nn_check_padding(PlSubgraph* sg, const char* op,
                                               int padding) {
  if (padding == PL_PAD_SAME || padding == PL_PAD_VALID) return kTfLiteOk;
  pl_report(sg, "%s: unknown padding %d (expected SAME or VALID).", op,
            padding);
  return kTfLiteError;
}

/* A bias (NULL: none) of out_channels elements. */
static inline TfLiteStatus pl_nn_conv_check_bias(PlSubgraph* sg,
                                                 const char* op,
                                                 const TfLiteTensor* bias,
                                                 int out_channels,
                                                 const char* filter_role,
                                                 const TfLiteTensor* filter) {
  if (!bias || pl_num_elements(bias) == out_channels) return kTfLiteOk;
  char f_s[160], b_s[160];
  pl_shape_string(filter->dims, f_s, sizeof(f_s));
  pl_shape_string(bias->dims, b_s, sizeof(b_s));
  pl_report(sg,
            "%s bias has %lld elements, expected %d output channels (%s %s, "
            "bias %s).",
            op, (long long)pl_num_elements(bias), out_channels, filter_role,
            f_s, b_s);
  return kTfLiteError;
}

/* 2-D convolution options (CONV_2D, DEPTHWISE_CONV_2D): a dense filter, a
 * known padding, strides and dilation factors >= 1. */
static inline TfLiteStatus pl_nn_conv2d_check_options(
    PlSubgraph* sg, const char* op, const TfLiteTensor* filter, int padding,
    int stride_h, int stride_w, int dilation_h, int dilation_w) {
  if (filter->sparsity) {
    pl_report(sg, "%s with a sparse filter is not supported.", op);
    return kTfLiteError;
  }
  PL_ENSURE_OK(pl_nn_check_padding(sg, op, padding));
  if (stride_w < 1 || stride_h < 1 || dilation_w < 1 || dilation_h < 1) {
    pl_report(sg,
              "%s strides and dilation factors must be >= 1, got stride_h "
              "%d, stride_w %d, dilation_h %d, dilation_w %d.",
              op, stride_h, stride_w, dilation_h, dilation_w);
    return kTfLiteError;
  }
  return kTfLiteOk;
}

/* Output height and width and the "before" paddings of a 2-D convolution
 * of NHWC input with a filter [*, FH, FW, *] (options checked by
 * pl_nn_conv2d_check_options). */
static inline TfLiteStatus pl_nn_conv2d_output_size(
    PlSubgraph* sg, const char* op, const TfLiteTensor* input,
    const TfLiteTensor* filter, int padding, int stride_h, int stride_w,
    int dilation_h, int dilation_w, int64_t* out_h, int64_t* out_w,
    int* pad_h, int* pad_w) {
  const int* in = input->dims->data;
  const int* f = filter->dims->data;
  char in_s[160], f_s[160];
  /* Index arithmetic stays in int: the dilated filter plus the input must
   * fit comfortably. */
  const int64_t eff_h = (int64_t)(f[1] - 1) * dilation_h + 1;
  const int64_t eff_w = (int64_t)(f[2] - 1) * dilation_w + 1;
  if (eff_h + in[1] > INT32_MAX / 2 || eff_w + in[2] > INT32_MAX / 2) {
    pl_shape_string(filter->dims, f_s, sizeof(f_s));
    pl_report(sg, "%s: the dilated filter (dilation %dx%d) of %s is too "
              "large.", op, dilation_h, dilation_w, f_s);
    return kTfLiteError;
  }
  const int64_t oh =
      pl_nn_out_size(padding, in[1], f[1], stride_h, dilation_h);
  const int64_t ow =
      pl_nn_out_size(padding, in[2], f[2], stride_w, dilation_w);
  if (oh < 0 || ow < 0 || oh > INT32_MAX || ow > INT32_MAX) {
    pl_shape_string(input->dims, in_s, sizeof(in_s));
    pl_shape_string(filter->dims, f_s, sizeof(f_s));
    pl_report(sg,
              "%s: the dilated filter %s (dilation %dx%d) does not fit the "
              "input %s with %s padding.",
              op, f_s, dilation_h, dilation_w, in_s,
              pl_nn_padding_name(padding));
    return kTfLiteError;
  }
  *pad_h = (int)pl_nn_pad_before(in[1], f[1], stride_h, dilation_h, oh);
  *pad_w = (int)pl_nn_pad_before(in[2], f[2], stride_w, dilation_w, ow);
  *out_h = oh;
  *out_w = ow;
  return kTfLiteOk;
}

#endif /* PYLITE_KERNELS_INTERNAL_NN_CONV_H_ */
