/* pylite: TRANSPOSE_CONV, the gradient of CONV_2D with respect to its input
 * (NHWC float32).
 *
 * As TFLite's builtin TRANSPOSE_CONV for float32: input 0 is the output
 * shape (int32 [4]: N, OH, OW, OC), input 1 the weights [OC, FH, FW, IC],
 * input 2 the data [N, H, W, IC], optional input 3 a bias of OC elements.
 * Padding is that of a forward convolution from [OH, OW] with the same
 * filter and strides (tflite/kernels/padding.h, dilation 1). Each input
 * element scatters x * w into the output window at (in * stride - pad +
 * f); every output is a float sum from 0 in (iy, ix, ic) order, as the
 * reference kernel, then plus the bias and clamped by the fused activation
 * (TransposeConvOptions version 4; NONE clamps to the finite range).
 *
 * The output is sized in prepare when the output-shape tensor is constant,
 * otherwise at run time (dynamic output). Differences, on the safe side:
 * strides must be >= 1, the output shape must be non-negative and agree
 * with the data's batch and the weights' output channels; TANH / SIGN_BIT
 * activations are rejected; quantized and hybrid forms are not supported
 * yet. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capi/core/kernel.h"
#include "capi/kernels/internal/nn_common.h"
#include "capi/kernels/internal/nn_conv.h"

enum { kOutputShape = 0, kWeights = 1, kInput = 2, kBias = 3, kOutput = 0 };

/* Schema BuiltinOptions union type and TransposeConvOptions field ids. */
enum { kTransposeConvOptionsType = 49 };
enum {
  kFieldPadding = 0,
  kFieldStrideW = 1,
  kFieldStrideH = 2,
  kFieldActivation = 3,
};

typedef struct TconvData {
  int padding, stride_w, stride_h, activation;
  float* scratch; /* weights as [FH][FW][IC][OC] */
  size_t scratch_floats;
} TconvData;

static TfLiteStatus tconv_init(PlSubgraph* sg, PlNode* node) {
  TconvData* d = calloc(1, sizeof(*d));
  if (!d) {
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  if (node->def->builtin_options_type == kTransposeConvOptionsType) {
    const PlFbTable* o = &node->def->builtin_options;
    d->padding = pl_fb_i8(o, kFieldPadding, PL_PAD_SAME);
    d->stride_w = pl_fb_i32(o, kFieldStrideW, 0);
    d->stride_h = pl_fb_i32(o, kFieldStrideH, 0);
    d->activation = pl_fb_i8(o, kFieldActivation, PL_ACT_NONE);
  }
  node->user_data = d;
  return kTfLiteOk;
}

static void tconv_free(PlNode* node) {
  TconvData* d = node->user_data;
  if (d) free(d->scratch);
  free(d);
  node->user_data = NULL;
}

/* Checks the output-shape tensor's values against the other operands and
 * resizes the output. */
static TfLiteStatus tconv_resize(PlSubgraph* sg, const TfLiteTensor* shape,
                                 const TfLiteTensor* weights,
                                 const TfLiteTensor* input,
                                 TfLiteTensor* output) {
  const int32_t* s = shape->data.i32;
  PL_ENSURE(sg, s != NULL);
  for (int i = 0; i < 4; ++i) {
    if (s[i] < 0) {
      pl_report(sg, "TRANSPOSE_CONV output shape [%d,%d,%d,%d] has a "
                "negative dim.", s[0], s[1], s[2], s[3]);
      return kTfLiteError;
    }
  }
  if (s[0] != input->dims->data[0] || s[3] != weights->dims->data[0]) {
    char in_s[160], w_s[160];
    pl_shape_string(input->dims, in_s, sizeof(in_s));
    pl_shape_string(weights->dims, w_s, sizeof(w_s));
    pl_report(sg,
              "TRANSPOSE_CONV output shape [%d,%d,%d,%d] must have the "
              "input's batch and the weights' output channels: input %s, "
              "weights %s.",
              s[0], s[1], s[2], s[3], in_s, w_s);
    return kTfLiteError;
  }
  const int dims[4] = {s[0], s[1], s[2], s[3]};
  return pl_resize(sg, output, 4, dims);
}

static TfLiteStatus tconv_prepare(PlSubgraph* sg, PlNode* node) {
  TconvData* d = node->user_data;
  PL_ENSURE(sg, d != NULL);
  const int num_inputs = pl_num_inputs(node);
  if ((num_inputs != 3 && num_inputs != 4) || pl_num_outputs(node) != 1) {
    pl_report(sg,
              "TRANSPOSE_CONV takes 3 or 4 inputs and 1 output, got %d and "
              "%d.",
              num_inputs, pl_num_outputs(node));
    return kTfLiteError;
  }
  const TfLiteTensor* shape = pl_input(sg, node, kOutputShape);
  const TfLiteTensor* weights = pl_input(sg, node, kWeights);
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  const TfLiteTensor* bias =
      num_inputs == 4 ? pl_input(sg, node, kBias) : NULL;
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  PL_ENSURE(sg, shape != NULL);
  PL_ENSURE(sg, weights != NULL);
  PL_ENSURE(sg, input != NULL);
  PL_ENSURE(sg, output != NULL);
  const char* op = "TRANSPOSE_CONV";
  PL_ENSURE_OK(pl_nn_conv_check_tensors(sg, op, input, weights, "weights",
                                        bias, output, d->activation, 4));
  if (shape->type != kTfLiteInt32 || shape->dims->size != 1 ||
      shape->dims->data[0] != 4) {
    char s_s[160];
    pl_shape_string(shape->dims, s_s, sizeof(s_s));
    pl_report(sg,
              "TRANSPOSE_CONV output shape must be an int32 tensor of 4 "
              "elements, got %s %s.",
              TfLiteTypeGetName(shape->type), s_s);
    return kTfLiteError;
  }
  PL_ENSURE_OK(pl_nn_check_padding(sg, op, d->padding));
  if (d->stride_w < 1 || d->stride_h < 1) {
    pl_report(sg, "TRANSPOSE_CONV strides must be >= 1, got %dx%d (height x "
              "width).", d->stride_h, d->stride_w);
    return kTfLiteError;
  }
  char in_s[160], w_s[160];
  pl_shape_string(input->dims, in_s, sizeof(in_s));
  pl_shape_string(weights->dims, w_s, sizeof(w_s));
  const int* w = weights->dims->data;
  if (input->dims->data[3] != w[3]) {
    pl_report(sg,
              "TRANSPOSE_CONV input channels (%d) must equal the weights' "
              "last dim (%d): input %s, weights %s.",
              input->dims->data[3], w[3], in_s, w_s);
    return kTfLiteError;
  }
  PL_ENSURE_OK(pl_nn_conv_check_bias(sg, op, bias, w[0], "weights", weights));
  const size_t need = (size_t)pl_num_elements(weights);
  if (need > d->scratch_floats) {
    float* p = realloc(d->scratch, need * sizeof(float));
    if (!p) {
      pl_report(sg, "TRANSPOSE_CONV: out of memory.");
      return kTfLiteError;
    }
    d->scratch = p;
    d->scratch_floats = need;
  }
  if (pl_is_constant(shape))
    return tconv_resize(sg, shape, weights, input, output);
  pl_set_dynamic(output);
  return kTfLiteOk;
}

static TfLiteStatus tconv_eval(PlSubgraph* sg, PlNode* node) {
  const TconvData* d = node->user_data;
  const TfLiteTensor* shape = pl_input(sg, node, kOutputShape);
  const TfLiteTensor* weights = pl_input(sg, node, kWeights);
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  const TfLiteTensor* bias =
      pl_num_inputs(node) == 4 ? pl_input(sg, node, kBias) : NULL;
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  if (!pl_is_constant(shape))
    PL_ENSURE_OK(tconv_resize(sg, shape, weights, input, output));
  const int* in = input->dims->data;
  const int n = in[0], h = in[1], w = in[2], ic = in[3];
  const int oc = weights->dims->data[0], fh = weights->dims->data[1],
            fw = weights->dims->data[2];
  const int oh = output->dims->data[1], ow = output->dims->data[2];
  const int pad_h = (int)pl_nn_pad_before(
      oh, fh, d->stride_h, 1,
      pl_nn_out_size(d->padding, oh, fh, d->stride_h, 1));
  const int pad_w = (int)pl_nn_pad_before(
      ow, fw, d->stride_w, 1,
      pl_nn_out_size(d->padding, ow, fw, d->stride_w, 1));
  float lo, hi;
  pl_activation_range_f32(d->activation, &lo, &hi);
  /* [OC][FH][FW][IC] -> [FH][FW][IC][OC]: the inner loop runs over
   * contiguous output channels. */
  float* wt = d->scratch;
  const float* wsrc = weights->data.f;
  for (int o = 0; o < oc; ++o)
    for (int t = 0; t < fh * fw; ++t)
      for (int c = 0; c < ic; ++c)
        wt[((int64_t)t * ic + c) * oc + o] = wsrc[((int64_t)o * fh * fw + t) * ic + c];
  float* y = output->data.f;
  const int64_t count = pl_num_elements(output);
  for (int64_t i = 0; i < count; ++i) y[i] = 0.0f;
  const float* x = input->data.f;
  for (int b = 0; b < n; ++b) {
    for (int iy = 0; iy < h; ++iy) {
      const int64_t oy0 = (int64_t)iy * d->stride_h - pad_h;
      for (int ix = 0; ix < w; ++ix) {
        const int64_t ox0 = (int64_t)ix * d->stride_w - pad_w;
        const float* src = x + (((int64_t)b * h + iy) * w + ix) * ic;
        /* Each output gets one term per (iy, ix), so taking the channels
         * innermost keeps the reference's order of terms. */
        for (int fy = 0; fy < fh; ++fy) {
          const int64_t oy = oy0 + fy;
          if (oy < 0 || oy >= oh) continue;
          for (int fx = 0; fx < fw; ++fx) {
            const int64_t ox = ox0 + fx;
            if (ox < 0 || ox >= ow) continue;
            float* dst = y + (((int64_t)b * oh + oy) * ow + ox) * oc;
            const float* wrow = wt + ((int64_t)fy * fw + fx) * ic * oc;
            for (int c = 0; c < ic; ++c) {
              const float v = src[c];
              const float* wc = wrow + (int64_t)c * oc;
              for (int o = 0; o < oc; ++o) dst[o] += v * wc[o];
            }
          }
        }
      }
    }
  }
  const float* bb = bias ? bias->data.f : NULL;
  for (int64_t i = 0; i < count; ++i) {
    float v = y[i];
    if (bb) v += bb[i % oc];
    y[i] = pl_nn_clamp(v, lo, hi);
  }
  return kTfLiteOk;
}

const PlKernel pl_kernel_transpose_conv = {
    .name = "TRANSPOSE_CONV",
    .init = tconv_init,
    .free = tconv_free,
    .prepare = tconv_prepare,
    .eval = tconv_eval,
};
