/* pylite: DEPTHWISE_CONV_2D, per-channel 2-D convolution, NHWC float32.
 *
 * As TFLite's builtin DEPTHWISE_CONV_2D for float32: input [N, H, W, C],
 * filter [1, FH, FW, OC] with OC a multiple of C (depth multiplier
 * M = OC / C), optional bias (input 2) of OC elements, output
 * [N, OH, OW, OC]. Output channel c * M + m reads input channel c. Sizes and
 * padding as tflite/kernels/padding.h with the option's strides and
 * dilation factors. Each output is one float sum over (fy, fx) in order from
 * 0, skipping padding, plus the bias, clamped by the fused activation, as
 * the reference kernel.
 *
 * The depth_multiplier option is redundant and ignored: M comes from the
 * shapes, as in TFLite.
 * Differences, on the safe side: strides and dilations must be >= 1;
 * TANH / SIGN_BIT fused activations are rejected; quantized and hybrid forms
 * are not supported yet. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capi/core/kernel.h"
#include "capi/kernels/internal/nn_common.h"
#include "capi/kernels/internal/nn_conv.h"

enum { kInput = 0, kFilter = 1, kBias = 2, kOutput = 0 };

/* Schema BuiltinOptions union type and DepthwiseConv2DOptions field ids. */
enum { kDepthwiseConv2DOptionsType = 2 };
enum {
  kFieldPadding = 0,
  kFieldStrideW = 1,
  kFieldStrideH = 2,
  kFieldDepthMultiplier = 3,
  kFieldActivation = 4,
  kFieldDilationW = 5,
  kFieldDilationH = 6,
};

typedef struct DwData {
  int padding, stride_w, stride_h, depth_multiplier, activation, dilation_w,
      dilation_h;
  int pad_h, pad_w; /* from prepare */
} DwData;

static TfLiteStatus dw_init(PlSubgraph* sg, PlNode* node) {
  DwData* d = calloc(1, sizeof(*d));
  if (!d) {
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  d->dilation_w = d->dilation_h = 1;
  if (node->def->builtin_options_type == kDepthwiseConv2DOptionsType) {
    const PlFbTable* o = &node->def->builtin_options;
    d->padding = pl_fb_i8(o, kFieldPadding, PL_PAD_SAME);
    d->stride_w = pl_fb_i32(o, kFieldStrideW, 0);
    d->stride_h = pl_fb_i32(o, kFieldStrideH, 0);
    d->depth_multiplier = pl_fb_i32(o, kFieldDepthMultiplier, 0);
    d->activation = pl_fb_i8(o, kFieldActivation, PL_ACT_NONE);
    d->dilation_w = pl_fb_i32(o, kFieldDilationW, 1);
    d->dilation_h = pl_fb_i32(o, kFieldDilationH, 1);
  }
  node->user_data = d;
  return kTfLiteOk;
}

static void dw_free(PlNode* node) {
  free(node->user_data);
  node->user_data = NULL;
}

static TfLiteStatus dw_prepare(PlSubgraph* sg, PlNode* node) {
  DwData* d = node->user_data;
  PL_ENSURE(sg, d != NULL);
  const int num_inputs = pl_num_inputs(node);
  if ((num_inputs != 2 && num_inputs != 3) || pl_num_outputs(node) != 1) {
    pl_report(sg,
              "DEPTHWISE_CONV_2D takes 2 or 3 inputs and 1 output, got %d "
              "and %d.",
              num_inputs, pl_num_outputs(node));
    return kTfLiteError;
  }
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  const TfLiteTensor* filter = pl_input(sg, node, kFilter);
  const TfLiteTensor* bias =
      num_inputs == 3 ? pl_input(sg, node, kBias) : NULL;
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  PL_ENSURE(sg, input != NULL);
  PL_ENSURE(sg, filter != NULL);
  PL_ENSURE(sg, output != NULL);
  const char* op = "DEPTHWISE_CONV_2D";
  const TfLiteTensor* ts[4] = {input, filter, bias, output};
  const char* roles[4] = {"input", "filter", "bias", "output"};
  PL_ENSURE_OK(pl_nn_require_f32(sg, op, 4, ts, roles));
  PL_ENSURE_OK(pl_nn_check_activation(sg, op, d->activation));
  PL_ENSURE_OK(pl_nn_require_rank(sg, op, "input", input, 4));
  PL_ENSURE_OK(pl_nn_require_rank(sg, op, "filter", filter, 4));
  if (filter->sparsity) {
    pl_report(sg, "DEPTHWISE_CONV_2D with a sparse filter is not supported.");
    return kTfLiteError;
  }
  if (d->padding != PL_PAD_SAME && d->padding != PL_PAD_VALID) {
    pl_report(sg,
              "DEPTHWISE_CONV_2D: unknown padding %d (expected SAME or "
              "VALID).",
              d->padding);
    return kTfLiteError;
  }
  if (d->stride_w < 1 || d->stride_h < 1 || d->dilation_w < 1 ||
      d->dilation_h < 1) {
    pl_report(sg,
              "DEPTHWISE_CONV_2D strides and dilation factors must be >= 1, "
              "got stride_h %d, stride_w %d, dilation_h %d, dilation_w %d.",
              d->stride_h, d->stride_w, d->dilation_h, d->dilation_w);
    return kTfLiteError;
  }
  char in_s[160], f_s[160];
  pl_shape_string(input->dims, in_s, sizeof(in_s));
  pl_shape_string(filter->dims, f_s, sizeof(f_s));
  const int* in = input->dims->data;
  const int* f = filter->dims->data;
  if (f[0] != 1) {
    pl_report(sg,
              "DEPTHWISE_CONV_2D filter must be [1, height, width, "
              "channels], got %s.",
              f_s);
    return kTfLiteError;
  }
  const int channels = in[3], out_channels = f[3];
  if (channels <= 0 || out_channels % channels != 0) {
    pl_report(sg,
              "DEPTHWISE_CONV_2D filter channels (%d) must be a multiple of "
              "the input channels (%d): input %s, filter %s.",
              out_channels, channels, in_s, f_s);
    return kTfLiteError;
  }
  if (bias && pl_num_elements(bias) != out_channels) {
    char b_s[160];
    pl_shape_string(bias->dims, b_s, sizeof(b_s));
    pl_report(sg,
              "DEPTHWISE_CONV_2D bias has %lld elements, expected %d output "
              "channels (filter %s, bias %s).",
              (long long)pl_num_elements(bias), out_channels, f_s, b_s);
    return kTfLiteError;
  }
  /* Index arithmetic stays in int: the dilated filter plus the input must
   * fit comfortably. */
  const int64_t eff_h = (int64_t)(f[1] - 1) * d->dilation_h + 1;
  const int64_t eff_w = (int64_t)(f[2] - 1) * d->dilation_w + 1;
  if (eff_h + in[1] > INT32_MAX / 2 || eff_w + in[2] > INT32_MAX / 2) {
    pl_report(sg, "%s: the dilated filter (dilation %dx%d) of %s is too "
              "large.", "DEPTHWISE_CONV_2D", d->dilation_h, d->dilation_w, f_s);
    return kTfLiteError;
  }
  const int64_t oh =
      pl_nn_out_size(d->padding, in[1], f[1], d->stride_h, d->dilation_h);
  const int64_t ow =
      pl_nn_out_size(d->padding, in[2], f[2], d->stride_w, d->dilation_w);
  if (oh < 0 || ow < 0 || oh > INT32_MAX || ow > INT32_MAX) {
    pl_report(sg,
              "DEPTHWISE_CONV_2D: the dilated filter %s (dilation %dx%d) does "
              "not fit the input %s with %s padding.",
              f_s, d->dilation_h, d->dilation_w, in_s,
              pl_nn_padding_name(d->padding));
    return kTfLiteError;
  }
  d->pad_h = (int)pl_nn_pad_before(in[1], f[1], d->stride_h, d->dilation_h, oh);
  d->pad_w = (int)pl_nn_pad_before(in[2], f[2], d->stride_w, d->dilation_w, ow);
  const int dims[4] = {in[0], (int)oh, (int)ow, out_channels};
  return pl_resize(sg, output, 4, dims);
}

static TfLiteStatus dw_eval(PlSubgraph* sg, PlNode* node) {
  const DwData* d = node->user_data;
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  const TfLiteTensor* filter = pl_input(sg, node, kFilter);
  const TfLiteTensor* bias =
      pl_num_inputs(node) == 3 ? pl_input(sg, node, kBias) : NULL;
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  const int* in = input->dims->data;
  const int n = in[0], h = in[1], w = in[2], c = in[3];
  const int fh = filter->dims->data[1], fw = filter->dims->data[2];
  const int oc = filter->dims->data[3];
  const int oh = output->dims->data[1], ow = output->dims->data[2];
  const int m = oc / c;
  float lo, hi;
  pl_activation_range_f32(d->activation, &lo, &hi);
  const float* x = input->data.f;
  const float* fdata = filter->data.f;
  const float* b = bias ? bias->data.f : NULL;
  float* y = output->data.f;
  for (int bi = 0; bi < n; ++bi) {
    for (int oy = 0; oy < oh; ++oy) {
      for (int ox = 0; ox < ow; ++ox) {
        /* The output pixel's channels are the accumulators. */
        float* acc = y + (((int64_t)bi * oh + oy) * ow + ox) * oc;
        for (int j = 0; j < oc; ++j) acc[j] = 0.0f;
        const int y0 = oy * d->stride_h - d->pad_h;
        const int x0 = ox * d->stride_w - d->pad_w;
        for (int fy = 0; fy < fh; ++fy) {
          const int iy = y0 + fy * d->dilation_h;
          if (iy < 0 || iy >= h) continue;
          for (int fx = 0; fx < fw; ++fx) {
            const int ix = x0 + fx * d->dilation_w;
            if (ix < 0 || ix >= w) continue;
            const float* src = x + (((int64_t)bi * h + iy) * w + ix) * c;
            const float* wt = fdata + ((int64_t)fy * fw + fx) * oc;
            if (m == 1) {
              for (int j = 0; j < oc; ++j) acc[j] += src[j] * wt[j];
            } else {
              for (int ci = 0; ci < c; ++ci)
                for (int mi = 0; mi < m; ++mi)
                  acc[ci * m + mi] += src[ci] * wt[ci * m + mi];
            }
          }
        }
        for (int j = 0; j < oc; ++j)
          acc[j] = pl_nn_clamp(acc[j] + (b ? b[j] : 0.0f), lo, hi);
      }
    }
  }
  return kTfLiteOk;
}

const PlKernel pl_kernel_depthwise_conv_2d = {
    .name = "DEPTHWISE_CONV_2D",
    .init = dw_init,
    .free = dw_free,
    .prepare = dw_prepare,
    .eval = dw_eval,
};
