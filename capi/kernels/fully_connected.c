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
 * Implementation: the shared GEMM (internal/gemm.h), which keeps that
 * order bit for bit, with the weights packed in prepare when constant; the
 * batch rows (or, for one row, the units) are split over the interpreter's
 * threads.
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
#include "capi/kernels/internal/gemm.h"

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
  /* From prepare: the weights packed for the GEMM (once, when they are
   * constant; else at every eval), and zeros standing in for an omitted
   * bias (TFLite adds 0.0f, which turns a -0 sum into +0). */
  float* packed;
  size_t packed_floats;
  bool packed_ready;
  const void* packed_src; /* the weights data packed_ready refers to */
  float* zeros;
  size_t zeros_floats;
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
  FcData* data = node->user_data;
  if (data) {
    free(data->packed);
    free(data->zeros);
  }
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

/* Grows *buf to at least `count` floats (contents not kept). */
static TfLiteStatus fc_reserve(PlSubgraph* sg, float** buf, size_t* have,
                               int64_t count) {
  if ((size_t)count <= *have) return kTfLiteOk;
  free(*buf);
  *have = 0;
  *buf = malloc((size_t)count * sizeof(float));
  if (!*buf) {
    pl_report(sg, "FULLY_CONNECTED: out of memory for %lld floats.",
              (long long)count);
    return kTfLiteError;
  }
  *have = (size_t)count;
  return kTfLiteOk;
}

static TfLiteStatus fc_prepare(PlSubgraph* sg, PlNode* node) {
  FcData* data = node->user_data;
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

  /* Constant weights are packed once, not again at every AllocateTensors
   * (their data and shape cannot change). */
  const bool constant = pl_is_constant(weights) && weights->data.raw;
  if (!(constant && data->packed_ready &&
        data->packed_src == weights->data.raw)) {
    data->packed_ready = false;
    PL_ENSURE_OK(fc_reserve(sg, &data->packed, &data->packed_floats,
                            pl_gemm_packed_size(units, depth)));
    if (constant) {
      pl_gemm_pack(weights->data.f, units, depth, depth, 1, data->packed);
      data->packed_ready = true;
      data->packed_src = weights->data.raw;
    }
  }
  if (!bias && units > 0) {
    PL_ENSURE_OK(fc_reserve(sg, &data->zeros, &data->zeros_floats, units));
    memset(data->zeros, 0, sizeof(float) * (size_t)units);
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

/* Every output is a single float accumulator summed over k in order from
 * 0.0f, plus the bias (or 0.0f), then clamped, as in TFLite's reference
 * kernel: the shared GEMM (internal/gemm.h) computes exactly that. */

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
  FcData* data = node->user_data;
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
      if (!data->packed_ready)
        pl_gemm_pack(weights->data.f, units, depth, depth, 1, data->packed);
      const PlGemm g = {
          .a = input->data.f, .sai = depth, .sad = 1, .m = batch,
          .packed = data->packed, .n = units, .k = depth,
          .bias = bias ? bias->data.f : data->zeros,
          .y = output->data.f, .ldy = units, .lo = lo, .hi = hi,
      };
      pl_gemm(sg, &g);
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
