/* pylite: FULLY_CONNECTED, y = x * W^T + bias, then a fused clamp.
 *
 * As TFLite's builtin FULLY_CONNECTED for float32: the input [..., K] is
 * read as a [batch, K] matrix (batch = elements / K), the weights are
 * [N, K], the optional bias (input 2, may be omitted) has N elements. The
 * output is [batch, N], or with keep_num_dims the input's dims with the last
 * one replaced by N. Each output is a float sum over k in increasing order,
 * starting from 0, plus the bias (0 when absent), clamped by the fused
 * activation: NONE clamps to [-FLT_MAX, FLT_MAX], RELU to [0, FLT_MAX],
 * RELU_N1_TO_1 to [-1, 1], RELU6 to [0, 6]; TANH and SIGN_BIT are rejected
 * for float, as in TFLite. With K = 0 the output is all zeros.
 *
 * Differences, on the safe side: an input whose element count is not a
 * multiple of K is an error (TFLite drops the remainder). Only the DEFAULT
 * weights format and dense weights are supported; quantized and hybrid
 * (float input, integer weights) forms are not supported yet. */
#include <float.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capi/core/kernel.h"

enum { kInput = 0, kWeights = 1, kBias = 2, kOutput = 0 };

/* Schema BuiltinOptions union type and FullyConnectedOptions field ids. */
enum { kFullyConnectedOptionsType = 8 };
enum {
  kFieldFusedActivation = 0,
  kFieldWeightsFormat = 1,
  kFieldKeepNumDims = 2,
  kFieldAsymmetricQuantizeInputs = 3,
  kFieldQuantizedBiasType = 4,
};
/* Schema FullyConnectedOptionsWeightsFormat. */
enum { kWeightsDefault = 0, kWeightsShuffled4x16Int8 = 1 };

typedef struct FcData {
  int activation;
  int weights_format;
  bool keep_num_dims;
} FcData;

static TfLiteStatus fc_init(PlSubgraph* sg, PlNode* node) {
  FcData* data = calloc(1, sizeof(*data));
  if (!data) {
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  /* As TFLite: options of another union type read as defaults. */
  if (node->def->builtin_options_type == kFullyConnectedOptionsType) {
    const PlFbTable* opts = &node->def->builtin_options;
    data->activation = pl_fb_i8(opts, kFieldFusedActivation, PL_ACT_NONE);
    data->weights_format = pl_fb_i8(opts, kFieldWeightsFormat, kWeightsDefault);
    data->keep_num_dims = pl_fb_bool(opts, kFieldKeepNumDims, false);
  }
  node->user_data = data;
  return kTfLiteOk;
}

static void fc_free(PlNode* node) {
  free(node->user_data);
  node->user_data = NULL;
}

static bool is_quantized_type(TfLiteType t) {
  return t == kTfLiteInt8 || t == kTfLiteUInt8 || t == kTfLiteInt16 ||
         t == kTfLiteInt4 || t == kTfLiteInt2;
}

static TfLiteStatus fc_check_types(PlSubgraph* sg, const TfLiteTensor* input,
                                   const TfLiteTensor* weights,
                                   const TfLiteTensor* bias,
                                   const TfLiteTensor* output) {
  if (input->type == kTfLiteFloat32 && weights->type == kTfLiteFloat32) {
    if (bias && bias->type != kTfLiteFloat32) {
      pl_report(sg, "FULLY_CONNECTED float32 needs a float32 bias, got %s.",
                TfLiteTypeGetName(bias->type));
      return kTfLiteError;
    }
    if (output->type != kTfLiteFloat32) {
      pl_report(sg, "FULLY_CONNECTED float32 needs a float32 output, got %s.",
                TfLiteTypeGetName(output->type));
      return kTfLiteError;
    }
    return kTfLiteOk;
  }
  if (is_quantized_type(weights->type) || is_quantized_type(input->type)) {
    pl_report(sg,
              "FULLY_CONNECTED with %s input and %s weights (quantized or "
              "hybrid) is not supported yet; only float32.",
              TfLiteTypeGetName(input->type), TfLiteTypeGetName(weights->type));
    return kTfLiteError;
  }
  pl_report(sg,
            "FULLY_CONNECTED: unsupported type: %s input, %s weights; only "
            "float32 is supported.",
            TfLiteTypeGetName(input->type), TfLiteTypeGetName(weights->type));
  return kTfLiteError;
}

static TfLiteStatus fc_prepare(PlSubgraph* sg, PlNode* node) {
  const FcData* data = node->user_data;
  PL_ENSURE(sg, data != NULL);
  const int num_inputs = pl_num_inputs(node);
  if ((num_inputs != 2 && num_inputs != 3) || pl_num_outputs(node) != 1) {
    pl_report(sg,
              "FULLY_CONNECTED takes 2 or 3 inputs and 1 output, got %d and "
              "%d.",
              num_inputs, pl_num_outputs(node));
    return kTfLiteError;
  }
  if (data->weights_format != kWeightsDefault) {
    pl_report(sg,
              "FULLY_CONNECTED weights_format %d%s is not supported; only "
              "DEFAULT (0).",
              data->weights_format,
              data->weights_format == kWeightsShuffled4x16Int8
                  ? " (SHUFFLED4x16INT8)"
                  : "");
    return kTfLiteError;
  }
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  const TfLiteTensor* weights = pl_input(sg, node, kWeights);
  const TfLiteTensor* bias =
      num_inputs == 3 ? pl_input(sg, node, kBias) : NULL;
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  PL_ENSURE(sg, input != NULL);
  PL_ENSURE(sg, weights != NULL);
  PL_ENSURE(sg, output != NULL);
  PL_ENSURE_OK(fc_check_types(sg, input, weights, bias, output));

  switch (data->activation) {
    case PL_ACT_NONE:
    case PL_ACT_RELU:
    case PL_ACT_RELU_N1_TO_1:
    case PL_ACT_RELU6:
      break;
    default:
      pl_report(sg,
                "FULLY_CONNECTED float32 supports the fused activations NONE, "
                "RELU, RELU_N1_TO_1 and RELU6, got %d.",
                data->activation);
      return kTfLiteError;
  }
  if (weights->sparsity) {
    pl_report(sg, "FULLY_CONNECTED with sparse weights is not supported.");
    return kTfLiteError;
  }

  char in_str[160], w_str[160];
  pl_shape_string(input->dims, in_str, sizeof(in_str));
  pl_shape_string(weights->dims, w_str, sizeof(w_str));
  if (weights->dims->size != 2) {
    pl_report(sg, "FULLY_CONNECTED weights must be 2-D [units, depth], got %s.",
              w_str);
    return kTfLiteError;
  }
  const int units = weights->dims->data[0];
  const int depth = weights->dims->data[1];
  const int rank = input->dims->size;
  if (data->keep_num_dims) {
    if (rank < 1 || input->dims->data[rank - 1] != depth) {
      pl_report(sg,
                "FULLY_CONNECTED with keep_num_dims needs the input's last "
                "dim to equal the weights' depth: input %s, weights %s.",
                in_str, w_str);
      return kTfLiteError;
    }
  }
  if (bias && pl_num_elements(bias) != units) {
    char b_str[160];
    pl_shape_string(bias->dims, b_str, sizeof(b_str));
    pl_report(sg,
              "FULLY_CONNECTED bias has %lld elements, expected %d (weights "
              "%s, bias %s).",
              (long long)pl_num_elements(bias), units, w_str, b_str);
    return kTfLiteError;
  }

  int64_t batch = 1;
  if (depth == 0) {
    /* TFLite: no division by 0; the batch is every dim but the last. */
    for (int i = 0; i < rank - 1; ++i) batch *= input->dims->data[i];
  } else {
    const int64_t count = pl_num_elements(input);
    if (count % depth != 0) {
      pl_report(sg,
                "FULLY_CONNECTED input %s has %lld elements, not a multiple "
                "of the weights' depth %d (weights %s).",
                in_str, (long long)count, depth, w_str);
      return kTfLiteError;
    }
    batch = count / depth;
  }
  if (batch > INT32_MAX) {
    pl_report(sg, "FULLY_CONNECTED batch %lld is too large.", (long long)batch);
    return kTfLiteError;
  }

  if (data->keep_num_dims) {
    int dims[PL_MAX_RANK];
    PL_ENSURE(sg, rank <= PL_MAX_RANK);
    memcpy(dims, input->dims->data, sizeof(int) * (size_t)rank);
    dims[rank - 1] = units;
    return pl_resize(sg, output, rank, dims);
  }
  const int dims[2] = {(int)batch, units};
  return pl_resize(sg, output, 2, dims);
}

/* ---- float32 ------------------------------------------------------------- */

/* Every output is a single float accumulator summed over k in order, as in
 * TFLite's reference kernel; tiles of outputs share loads of x and W rows
 * and give the CPU independent sums to overlap, without changing any sum. */

static inline float fc_finish(float total, const float* bias, int64_t n,
                              float lo, float hi) {
  float x = total + (bias ? bias[n] : 0.0f);
  x = x < lo ? lo : x;
  return hi < x ? hi : x;
}

/* 4 batch rows x 4 units. */
static void fc_tile_4x4(const float* x, const float* w, int64_t k,
                        const float* bias, float* y, int64_t units,
                        int64_t n0, float lo, float hi) {
  const float* x0 = x;
  const float* x1 = x + k;
  const float* x2 = x + 2 * k;
  const float* x3 = x + 3 * k;
  const float* w0 = w + n0 * k;
  const float* w1 = w0 + k;
  const float* w2 = w0 + 2 * k;
  const float* w3 = w0 + 3 * k;
  float a00 = 0, a01 = 0, a02 = 0, a03 = 0, a10 = 0, a11 = 0, a12 = 0,
        a13 = 0, a20 = 0, a21 = 0, a22 = 0, a23 = 0, a30 = 0, a31 = 0,
        a32 = 0, a33 = 0;
  for (int64_t d = 0; d < k; ++d) {
    const float v0 = x0[d], v1 = x1[d], v2 = x2[d], v3 = x3[d];
    const float u0 = w0[d], u1 = w1[d], u2 = w2[d], u3 = w3[d];
    a00 += v0 * u0, a01 += v0 * u1, a02 += v0 * u2, a03 += v0 * u3;
    a10 += v1 * u0, a11 += v1 * u1, a12 += v1 * u2, a13 += v1 * u3;
    a20 += v2 * u0, a21 += v2 * u1, a22 += v2 * u2, a23 += v2 * u3;
    a30 += v3 * u0, a31 += v3 * u1, a32 += v3 * u2, a33 += v3 * u3;
  }
  float* y0 = y + n0;
  float* y1 = y0 + units;
  float* y2 = y0 + 2 * units;
  float* y3 = y0 + 3 * units;
  y0[0] = fc_finish(a00, bias, n0, lo, hi);
  y0[1] = fc_finish(a01, bias, n0 + 1, lo, hi);
  y0[2] = fc_finish(a02, bias, n0 + 2, lo, hi);
  y0[3] = fc_finish(a03, bias, n0 + 3, lo, hi);
  y1[0] = fc_finish(a10, bias, n0, lo, hi);
  y1[1] = fc_finish(a11, bias, n0 + 1, lo, hi);
  y1[2] = fc_finish(a12, bias, n0 + 2, lo, hi);
  y1[3] = fc_finish(a13, bias, n0 + 3, lo, hi);
  y2[0] = fc_finish(a20, bias, n0, lo, hi);
  y2[1] = fc_finish(a21, bias, n0 + 1, lo, hi);
  y2[2] = fc_finish(a22, bias, n0 + 2, lo, hi);
  y2[3] = fc_finish(a23, bias, n0 + 3, lo, hi);
  y3[0] = fc_finish(a30, bias, n0, lo, hi);
  y3[1] = fc_finish(a31, bias, n0 + 1, lo, hi);
  y3[2] = fc_finish(a32, bias, n0 + 2, lo, hi);
  y3[3] = fc_finish(a33, bias, n0 + 3, lo, hi);
}

/* 1 batch row x 8 units (the common batch-1 case). */
static void fc_tile_1x8(const float* x, const float* w, int64_t k,
                        const float* bias, float* y, int64_t n0, float lo,
                        float hi) {
  const float* w0 = w + n0 * k;
  float a[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  for (int64_t d = 0; d < k; ++d) {
    const float v = x[d];
    a[0] += v * w0[d];
    a[1] += v * w0[k + d];
    a[2] += v * w0[2 * k + d];
    a[3] += v * w0[3 * k + d];
    a[4] += v * w0[4 * k + d];
    a[5] += v * w0[5 * k + d];
    a[6] += v * w0[6 * k + d];
    a[7] += v * w0[7 * k + d];
  }
  for (int j = 0; j < 8; ++j) y[n0 + j] = fc_finish(a[j], bias, n0 + j, lo, hi);
}

static void fc_tile_1x1(const float* x, const float* w, int64_t k,
                        const float* bias, float* y, int64_t n, float lo,
                        float hi) {
  const float* wn = w + n * k;
  float total = 0.0f;
  for (int64_t d = 0; d < k; ++d) total += x[d] * wn[d];
  y[n] = fc_finish(total, bias, n, lo, hi);
}

static void fc_row_f32(const float* x, const float* w, int64_t k,
                       const float* bias, float* y, int64_t units, float lo,
                       float hi) {
  int64_t n = 0;
  for (; n + 8 <= units; n += 8) fc_tile_1x8(x, w, k, bias, y, n, lo, hi);
  for (; n < units; ++n) fc_tile_1x1(x, w, k, bias, y, n, lo, hi);
}

static void fc_f32(const float* x, const float* w, const float* bias, float* y,
                   int64_t batch, int64_t units, int64_t k, float lo,
                   float hi) {
  int64_t b = 0;
  for (; b + 4 <= batch; b += 4) {
    const float* xb = x + b * k;
    float* yb = y + b * units;
    int64_t n = 0;
    for (; n + 4 <= units; n += 4)
      fc_tile_4x4(xb, w, k, bias, yb, units, n, lo, hi);
    for (; n < units; ++n)
      for (int r = 0; r < 4; ++r)
        fc_tile_1x1(xb + r * k, w, k, bias, yb + r * units, n, lo, hi);
  }
  for (; b < batch; ++b)
    fc_row_f32(x + b * k, w, k, bias, y + b * units, units, lo, hi);
}

static void fc_range_f32(int activation, float* lo, float* hi) {
  switch (activation) {
    case PL_ACT_RELU:
      *lo = 0.0f, *hi = FLT_MAX;
      break;
    case PL_ACT_RELU_N1_TO_1:
      *lo = -1.0f, *hi = 1.0f;
      break;
    case PL_ACT_RELU6:
      *lo = 0.0f, *hi = 6.0f;
      break;
    default: /* NONE: TFLite still clamps to the finite range */
      *lo = -FLT_MAX, *hi = FLT_MAX;
      break;
  }
}

static TfLiteStatus fc_eval(PlSubgraph* sg, PlNode* node) {
  const FcData* data = node->user_data;
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  const TfLiteTensor* weights = pl_input(sg, node, kWeights);
  const TfLiteTensor* bias =
      pl_num_inputs(node) == 3 ? pl_input(sg, node, kBias) : NULL;
  TfLiteTensor* output = pl_output(sg, node, kOutput);

  const int64_t units = weights->dims->data[0];
  const int64_t depth = weights->dims->data[1];
  const int64_t out_count = pl_num_elements(output);
  if (out_count == 0) return kTfLiteOk;
  if (depth == 0) {
    memset(output->data.raw, 0, output->bytes);
    return kTfLiteOk;
  }
  const int64_t batch = pl_num_elements(input) / depth;
  /* Prepare sized the output; this guards against a resized input. */
  if (batch * units != out_count) {
    pl_report(sg, "FULLY_CONNECTED input shape changed since prepare.");
    return kTfLiteError;
  }
  switch (weights->type) {
    case kTfLiteFloat32: {
      float lo, hi;
      fc_range_f32(data->activation, &lo, &hi);
      fc_f32(input->data.f, weights->data.f, bias ? bias->data.f : NULL,
             output->data.f, batch, units, depth, lo, hi);
      return kTfLiteOk;
    }
    default:
      pl_report(sg, "FULLY_CONNECTED: weights type %s is not supported.",
                TfLiteTypeGetName(weights->type));
      return kTfLiteError;
  }
}

const PlKernel pl_kernel_fully_connected = {
    .name = "FULLY_CONNECTED",
    .init = fc_init,
    .free = fc_free,
    .prepare = fc_prepare,
    .eval = fc_eval,
    .types = "float32",
};
