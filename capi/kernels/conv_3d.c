/* pylite: CONV_3D, 3-D convolution of NDHWC float32 input.
 *
 * As TFLite's builtin CONV_3D for float32: input [N, D, H, W, C], filter
 * [FD, FH, FW, C, OC] (TensorFlow's DHWIO layout), optional bias (input 2,
 * may be omitted) of OC elements, output [N, OD, OH, OW, OC]. Strides and
 * dilation factors per axis and SAME / VALID padding from Conv3DOptions;
 * output sizes and padding as tflite/kernels/padding.h (internal/nn_conv.h).
 * Each output is one float sum over (fd, fy, fx, c) in that order from 0,
 * skipping taps in the padding, plus the bias, then clamped by the fused
 * activation (NONE clamps to the finite range): the reference kernel's
 * order, so results match it bit for bit.
 *
 * Differences, on the safe side: strides and dilations must be >= 1;
 * TANH / SIGN_BIT fused activations are rejected (TFLite treats them as
 * NONE); other types are not supported (TFLite has float32 only). */
#include <float.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capi/core/kernel.h"
#include "capi/kernels/internal/nn_common.h"
#include "capi/kernels/internal/nn_conv.h"

enum { kInput = 0, kFilter = 1, kBias = 2, kOutput = 0 };

/* Schema BuiltinOptions union type and Conv3DOptions field ids. */
enum { kConv3DOptionsType = 106 };
enum {
  kFieldPadding = 0,
  kFieldStrideD = 1,
  kFieldStrideW = 2,
  kFieldStrideH = 3,
  kFieldActivation = 4,
  kFieldDilationD = 5,
  kFieldDilationW = 6,
  kFieldDilationH = 7,
};

static const char kOp[] = "CONV_3D";

typedef struct Conv3dData {
  int padding, activation;
  int stride[3];   /* d, h, w */
  int dilation[3]; /* d, h, w */
  /* From prepare. */
  int pad[3];
  float* acc; /* OC accumulators per thread */
  size_t acc_floats;
} Conv3dData;

static TfLiteStatus conv3d_init(PlSubgraph* sg, PlNode* node) {
  Conv3dData* d = calloc(1, sizeof(*d));
  if (!d) {
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  d->dilation[0] = d->dilation[1] = d->dilation[2] = 1;
  if (node->def->builtin_options_type == kConv3DOptionsType) {
    const PlFbTable* o = &node->def->builtin_options;
    d->padding = pl_fb_i8(o, kFieldPadding, PL_PAD_SAME);
    d->stride[0] = pl_fb_i32(o, kFieldStrideD, 0);
    d->stride[1] = pl_fb_i32(o, kFieldStrideH, 0);
    d->stride[2] = pl_fb_i32(o, kFieldStrideW, 0);
    d->activation = pl_fb_i8(o, kFieldActivation, PL_ACT_NONE);
    d->dilation[0] = pl_fb_i32(o, kFieldDilationD, 1);
    d->dilation[1] = pl_fb_i32(o, kFieldDilationH, 1);
    d->dilation[2] = pl_fb_i32(o, kFieldDilationW, 1);
  }
  node->user_data = d;
  return kTfLiteOk;
}

static void conv3d_free(PlNode* node) {
  Conv3dData* d = node->user_data;
  if (d) free(d->acc);
  free(d);
  node->user_data = NULL;
}

static TfLiteStatus conv3d_prepare(PlSubgraph* sg, PlNode* node) {
  Conv3dData* d = node->user_data;
  PL_ENSURE(sg, d != NULL);
  const int num_inputs = pl_num_inputs(node);
  if ((num_inputs != 2 && num_inputs != 3) || pl_num_outputs(node) != 1) {
    pl_report(sg, "CONV_3D takes 2 or 3 inputs and 1 output, got %d and %d.",
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
  PL_ENSURE_OK(pl_nn_conv_check_tensors(sg, kOp, input, filter, "filter",
                                        bias, output, d->activation, 5));
  PL_ENSURE_OK(pl_nn_check_padding(sg, kOp, d->padding));
  for (int i = 0; i < 3; ++i) {
    if (d->stride[i] < 1 || d->dilation[i] < 1) {
      pl_report(sg, "CONV_3D strides and dilation factors must be >= 1, got "
                "strides (d %d, h %d, w %d), dilations (d %d, h %d, w %d).",
                d->stride[0], d->stride[1], d->stride[2], d->dilation[0],
                d->dilation[1], d->dilation[2]);
      return kTfLiteError;
    }
  }
  char in_s[160], f_s[160];
  pl_shape_string(input->dims, in_s, sizeof(in_s));
  pl_shape_string(filter->dims, f_s, sizeof(f_s));
  const int* in = input->dims->data;
  const int* f = filter->dims->data;
  if (f[3] != in[4]) {
    pl_report(sg, "CONV_3D filter input channels (%d) differ from the input "
              "channels (%d): input %s, filter %s.", f[3], in[4], in_s, f_s);
    return kTfLiteError;
  }
  const int out_channels = f[4];
  PL_ENSURE_OK(
      pl_nn_conv_check_bias(sg, kOp, bias, out_channels, "filter", filter));
  int dims[5] = {in[0], 0, 0, 0, out_channels};
  for (int i = 0; i < 3; ++i) {
    const int64_t eff = (int64_t)(f[i] - 1) * d->dilation[i] + 1;
    if (eff + in[1 + i] > INT32_MAX / 2) {
      pl_report(sg, "CONV_3D: the dilated filter %s is too large.", f_s);
      return kTfLiteError;
    }
    const int64_t o = pl_nn_out_size(d->padding, in[1 + i], f[i],
                                     d->stride[i], d->dilation[i]);
    if (o < 0) {
      pl_report(sg, "CONV_3D: the dilated filter %s (dilations %d, %d, %d) "
                "does not fit the input %s with %s padding.", f_s,
                d->dilation[0], d->dilation[1], d->dilation[2], in_s,
                pl_nn_padding_name(d->padding));
      return kTfLiteError;
    }
    dims[1 + i] = (int)o;
    d->pad[i] = (int)pl_nn_pad_before(in[1 + i], f[i], d->stride[i],
                                      d->dilation[i], o);
  }
  const size_t per_thread = (size_t)(out_channels > 0 ? out_channels : 1);
  const size_t need = (size_t)pl_num_threads(sg) * per_thread;
  if (need > d->acc_floats) {
    free(d->acc);
    d->acc_floats = 0;
    d->acc = malloc(need * sizeof(float));
    if (!d->acc) {
      pl_report(sg, "CONV_3D: out of memory.");
      return kTfLiteError;
    }
    d->acc_floats = need;
  }
  return pl_resize(sg, output, 5, dims);
}

typedef struct Conv3dRun {
  const Conv3dData* d;
  const float *x, *w, *bias;
  float* y;
  int in[5], f[5], out[5];
  float lo, hi;
} Conv3dRun;

/* Output pixels [begin, end) (pixel = ((n*OD + od)*OH + oy)*OW + ox). The
 * accumulators of all output channels advance together, each summing its
 * taps in the reference order. */
static void conv3d_pixels(void* ctx, int64_t begin, int64_t end,
                          int worker) {
  const Conv3dRun* r = ctx;
  const Conv3dData* d = r->d;
  const int oc = r->f[4], ic = r->in[4];
  float* acc = d->acc + (int64_t)worker * oc;
  for (int64_t p = begin; p < end; ++p) {
    int64_t q = p;
    const int ox = (int)(q % r->out[3]); q /= r->out[3];
    const int oy = (int)(q % r->out[2]); q /= r->out[2];
    const int od = (int)(q % r->out[1]);
    const int64_t n = q / r->out[1];
    for (int o = 0; o < oc; ++o) acc[o] = 0.0f;
    for (int fd = 0; fd < r->f[0]; ++fd) {
      const int zd = od * d->stride[0] - d->pad[0] + fd * d->dilation[0];
      if (zd < 0 || zd >= r->in[1]) continue;
      for (int fy = 0; fy < r->f[1]; ++fy) {
        const int zy = oy * d->stride[1] - d->pad[1] + fy * d->dilation[1];
        if (zy < 0 || zy >= r->in[2]) continue;
        for (int fx = 0; fx < r->f[2]; ++fx) {
          const int zx = ox * d->stride[2] - d->pad[2] + fx * d->dilation[2];
          if (zx < 0 || zx >= r->in[3]) continue;
          const float* xv =
              r->x + (((n * r->in[1] + zd) * r->in[2] + zy) * r->in[3] + zx) *
                         (int64_t)ic;
          const float* wv =
              r->w + (((int64_t)fd * r->f[1] + fy) * r->f[2] + fx) * ic * oc;
          for (int c = 0; c < ic; ++c) {
            const float v = xv[c];
            const float* wc = wv + (int64_t)c * oc;
            for (int o = 0; o < oc; ++o) acc[o] += v * wc[o];
          }
        }
      }
    }
    float* y = r->y + p * oc;
    for (int o = 0; o < oc; ++o) {
      const float b = r->bias ? r->bias[o] : 0.0f;
      y[o] = pl_nn_clamp(acc[o] + b, r->lo, r->hi);
    }
  }
}

static TfLiteStatus conv3d_eval(PlSubgraph* sg, PlNode* node) {
  const Conv3dData* d = node->user_data;
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  const TfLiteTensor* filter = pl_input(sg, node, kFilter);
  const TfLiteTensor* bias =
      pl_num_inputs(node) == 3 ? pl_input(sg, node, kBias) : NULL;
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  Conv3dRun r = {.d = d, .x = input->data.f, .w = filter->data.f,
                 .bias = bias ? bias->data.f : NULL, .y = output->data.f};
  for (int i = 0; i < 5; ++i) {
    r.in[i] = input->dims->data[i];
    r.f[i] = filter->dims->data[i];
    r.out[i] = output->dims->data[i];
  }
  pl_activation_range_f32(d->activation, &r.lo, &r.hi);
  const int64_t pixels = (int64_t)r.out[0] * r.out[1] * r.out[2] * r.out[3];
  if (pixels == 0 || r.out[4] == 0) return kTfLiteOk;
  pl_parallel_for(sg, pixels, conv3d_pixels, &r);
  return kTfLiteOk;
}

const PlKernel pl_kernel_conv_3d = {
    .name = "CONV_3D",
    .init = conv3d_init,
    .free = conv3d_free,
    .prepare = conv3d_prepare,
    .eval = conv3d_eval,
    .types = "float32",
};
