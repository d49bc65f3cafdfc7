/* pylite: FULLY_CONNECTED, y = x * W^T + bias, then a fused activation.
 *
 * As TFLite's builtin FULLY_CONNECTED: the input [..., K] is read as a
 * [batch, K] matrix (batch = elements / K), the weights are [N, K], the
 * optional bias (input 2, may be omitted) has N elements. The output is
 * [batch, N], or with keep_num_dims the input's dims with the last one
 * replaced by N. With K = 0 the output is all zero bytes (as TFLite: not
 * the bias, nor the output zero point).
 *
 * float32: each output is a float sum over k in increasing order, starting
 * from 0, plus the bias (0 when absent), clamped by the fused activation:
 * NONE clamps to [-FLT_MAX, FLT_MAX], RELU to [0, FLT_MAX], RELU_N1_TO_1 to
 * [-1, 1], RELU6 to [0, 6]; TANH and SIGN_BIT are rejected, as in TFLite.
 * Implementation: the shared GEMM (internal/gemm.h), which keeps that order
 * bit for bit, with the weights packed in prepare when constant.
 *
 * Quantized, as LiteRT's reference kernels (BUILTIN_REF), with an int32
 * bias (int64 or int32 for 16x8):
 *   - int8 input, int8 weights, int8 output; weights per tensor (any zero
 *     point) or per channel along dim 0 (zero points 0);
 *   - uint8 input, uint8 weights, uint8 output (per tensor);
 *   - int16 input, int8 weights, int16 output ("16x8"; input and output
 *     zero points 0), weights per tensor or per channel.
 *   acc = sum_k (w + w_offset) * (x - input_zero_point) + bias, in int32
 *   (int64 for 16x8 without an int32 bias), then requantized in double as
 *   the reference kernel does (internal/quant_matmul.h): round(acc *
 *   input_scale * weight_scale / output_scale) + output_zero_point, clamped
 *   to the fused activation's range (NONE, RELU, RELU_N1_TO_1, RELU6). With
 *   a per-tensor bias, its scale must match input_scale * weight_scale
 *   within 2% of the output scale (TFLite's check).
 *   Implementation: one int32 dot product per output (AVX2 when the CPU
 *   has it; integer, so the same on every path); the zero-point terms come
 *   from weight row sums (computed once for constant weights) and input
 *   row sums; batch rows and blocks of units split over the threads.
 *   A 16x8 int32 bias is added to an int32 accumulator (LiteRT reads an
 *   int32 bias as int64 unless the option quantized_bias_type says INT32).
 *
 * Hybrid (dynamic range): float32 input, int8 weights (per tensor, or per
 * channel along dim 0), float32 bias and output. Each input row is
 * quantized to int8 on the fly (symmetric, or asymmetric when the option
 * asymmetric_quantize_inputs is set; internal/quant_matmul.h), the int32
 * dot products (less row_sum * row zero point) are scaled by the row's
 * factor times the weight scale and added to the bias, then any fused
 * activation (TANH and SIGN_BIT too) is applied. An all-zero input gives
 * the bias (activated) without quantizing, as LiteRT. Non-finite inputs
 * never crash; with asymmetric_quantize_inputs their rows may come out
 * differently from LiteRT's (inf against its NaN).
 *
 * Differences, on the safe side: an input whose element count is not a
 * multiple of K is an error (TFLite drops the remainder). Only the DEFAULT
 * weights format. Sparse constant weights (the converter leaves some in
 * FULLY_CONNECTED rather than behind DENSIFY) are expanded once at prepare
 * (internal/sparse.h) and multiplied densely: the same products, summed
 * from 0 in order where LiteRT's sparse kernels start from the bias and
 * skip zeros (float results may differ in the last bits; LiteRT's int8
 * 1x16 block kernel requantizes in fixed point, pylite in double as for
 * dense weights). Not supported yet
 * (a prepare error): uint8 to int16, int16 weights, int4 weights, uint8
 * hybrid weights (LiteRT reads their bytes as int8). */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capi/core/kernel.h"
#include "capi/kernels/internal/gemm.h"
#include "capi/kernels/internal/quant.h"
#include "capi/kernels/internal/quant_conv.h"
#include "capi/kernels/internal/quant_matmul.h"
#include "capi/kernels/internal/sparse.h"

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

/* How prepare found the node's types. */
typedef enum FcMode {
  kModeFloat = 0,
  kModeHybrid,  /* float input, int8 weights */
  kModeInt8,    /* int8 x int8 -> int8 */
  kModeUInt8,   /* uint8 x uint8 -> uint8 */
  kModeInt16,   /* int16 x int8 -> int16 */
} FcMode;

typedef struct FcData {
  int activation;
  int weights_format;
  bool keep_num_dims;
  bool asymmetric_inputs;
  FcMode mode;
  /* float32, from prepare: the weights packed for the GEMM (once, when
   * they are constant; else at every eval), and zeros standing in for an
   * omitted bias (TFLite adds 0.0f, which turns a -0 sum into +0). */
  float* packed;
  size_t packed_floats;
  bool packed_ready;
  const void* packed_src; /* the weights data packed_ready refers to */
  float* zeros;
  size_t zeros_floats;
  /* Quantized and hybrid: per unit, the requant scale (quantized) or the
   * weight scale (hybrid); weight row sums (once for constant weights). */
  double* unit_scale;
  float* unit_wscale;
  int32_t* row_sums;
  int units_cap;
  bool sums_ready;
  const void* sums_src;
  int32_t input_offset;  /* -input zero point */
  int32_t weight_offset; /* -weights zero point (per tensor) */
  int32_t output_offset;
  int32_t act_min, act_max;
  bool per_channel;
  float weight_scale; /* hybrid, per tensor */
  /* Hybrid scratch, per batch row: quantized input, factors, offsets. */
  int8_t* qinput;
  size_t qinput_cap;
  float* factors;
  int32_t* offsets;
  int64_t rows_cap;
  /* Sparse weights expanded at prepare, and a view of the weights tensor
   * pointing at them. */
  void* dense_weights;
  const void* dense_src;
  TfLiteTensor weights_view;
  /* int8 with constant weights on CPUs with VNNI: the weights packed once
   * for pl_qdot, their sums, each unit's starting sum, and per thread a
   * block of input rows (+ 128) and of their int32 sums. */
  bool qdot;
  int8_t* qdot_packed;
  int32_t* qdot_wsum;
  int32_t* qdot_init;
  const void* qdot_src;
  void* qdot_scratch;
  size_t qdot_scratch_bytes;
} FcData;

/* pl_qdot tasks: blocks of input rows by blocks of units (a multiple of
 * its 16 packed columns). */
enum { kQdotRows = 8, kQdotUnits = 256 };

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
    data->asymmetric_inputs =
        pl_fb_bool(opts, kFieldAsymmetricQuantizeInputs, false);
  }
  node->user_data = data;
  return kTfLiteOk;
}

static void fc_free(PlNode* node) {
  FcData* data = node->user_data;
  if (data) {
    free(data->packed);
    free(data->zeros);
    free(data->unit_scale);
    free(data->unit_wscale);
    free(data->row_sums);
    free(data->qinput);
    free(data->factors);
    free(data->offsets);
    free(data->dense_weights);
    free(data->qdot_packed);
    free(data->qdot_wsum);
    free(data->qdot_init);
    free(data->qdot_scratch);
  }
  free(node->user_data);
  node->user_data = NULL;
}

static const char* type_name(const TfLiteTensor* t) {
  return t ? TfLiteTypeGetName(t->type) : "no";
}

/* Decides the mode from the types, or reports the combination. */
static TfLiteStatus fc_check_types(PlSubgraph* sg, const TfLiteTensor* input,
                                   const TfLiteTensor* weights,
                                   const TfLiteTensor* bias,
                                   const TfLiteTensor* output, FcMode* mode) {
  const TfLiteType in = input->type, w = weights->type, out = output->type;
  const TfLiteType b = bias ? bias->type : kTfLiteNoType;
  if (in == kTfLiteFloat32 && w == kTfLiteFloat32) {
    if (bias && b != kTfLiteFloat32) {
      pl_report(sg, "FULLY_CONNECTED float32 needs a float32 bias, got %s.",
                type_name(bias));
      return kTfLiteError;
    }
    if (out != kTfLiteFloat32) {
      pl_report(sg, "FULLY_CONNECTED float32 needs a float32 output, got %s.",
                type_name(output));
      return kTfLiteError;
    }
    *mode = kModeFloat;
    return kTfLiteOk;
  }
  if (in == kTfLiteFloat32 && w == kTfLiteInt8) {
    if ((bias && b != kTfLiteFloat32) || out != kTfLiteFloat32) {
      pl_report(sg, "FULLY_CONNECTED hybrid (float32 input, int8 weights) "
                "needs a float32 bias and output, got %s bias and %s output.",
                type_name(bias), type_name(output));
      return kTfLiteError;
    }
    *mode = kModeHybrid;
    return kTfLiteOk;
  }
  if (in == kTfLiteInt8 && w == kTfLiteInt8 && out == kTfLiteInt8) {
    *mode = kModeInt8;
  } else if (in == kTfLiteUInt8 && w == kTfLiteUInt8 && out == kTfLiteUInt8) {
    *mode = kModeUInt8;
  } else if (in == kTfLiteInt16 && w == kTfLiteInt8 && out == kTfLiteInt16) {
    *mode = kModeInt16;
  } else {
    pl_report(sg, "FULLY_CONNECTED: %s input, %s weights and %s output is "
              "not supported (yet); supported: float32, int8 x int8 -> "
              "int8, uint8 x uint8 -> uint8, int16 x int8 -> int16, and "
              "float32 x int8 hybrid.",
              TfLiteTypeGetName(in), TfLiteTypeGetName(w),
              TfLiteTypeGetName(out));
    return kTfLiteError;
  }
  const bool ok_bias = !bias || b == kTfLiteInt32 ||
                       (*mode == kModeInt16 && b == kTfLiteInt64);
  if (!ok_bias) {
    pl_report(sg, "FULLY_CONNECTED %s needs an int32%s bias, got %s.",
              TfLiteTypeGetName(in),
              *mode == kModeInt16 ? " or int64" : "", type_name(bias));
    return kTfLiteError;
  }
  return kTfLiteOk;
}

/* Grows *buf to at least `count` floats (contents not kept), on a cache
 * line boundary: the packed weights' 64-byte rows then load without
 * straddling two lines (a batch-1 product streams them from L2). */
static TfLiteStatus fc_reserve(PlSubgraph* sg, float** buf, size_t* have,
                               int64_t count) {
  if ((size_t)count <= *have) return kTfLiteOk;
  free(*buf);
  *have = 0;
  *buf = aligned_alloc(64, ((size_t)count * sizeof(float) + 63) / 64 * 64);
  if (!*buf) {
    pl_report(sg, "FULLY_CONNECTED: out of memory for %lld floats.",
              (long long)count);
    return kTfLiteError;
  }
  *have = (size_t)count;
  return kTfLiteOk;
}

/* Per-unit arrays of the quantized and hybrid modes. */
static TfLiteStatus fc_reserve_units(PlSubgraph* sg, FcData* data,
                                     int units) {
  if (units <= data->units_cap) return kTfLiteOk;
  free(data->unit_scale);
  free(data->unit_wscale);
  free(data->row_sums);
  data->units_cap = 0;
  data->sums_ready = false;
  data->unit_scale = malloc(sizeof(double) * (size_t)units);
  data->unit_wscale = malloc(sizeof(float) * (size_t)units);
  data->row_sums = malloc(sizeof(int32_t) * (size_t)units);
  if (!data->unit_scale || !data->unit_wscale || !data->row_sums) {
    pl_report(sg, "FULLY_CONNECTED: out of memory.");
    return kTfLiteError;
  }
  data->units_cap = units;
  return kTfLiteOk;
}

/* The pl_qdot form of int8 x int8 (weights zero point 0, constant):
 * packed here, once per weights data. */
static TfLiteStatus fc_prepare_qdot(PlSubgraph* sg, FcData* data,
                                    const TfLiteTensor* weights, int units) {
  const int64_t depth = weights->dims->data[1];
  data->qdot = data->mode == kModeInt8 && data->weight_offset == 0 &&
               units > 0 && depth > 0 && pl_is_constant(weights) &&
               weights->data.raw && pl_qdot_available();
  if (!data->qdot) return kTfLiteOk;
  const int64_t lda = pl_qdot_depth(depth);
  const size_t per_thread =
      (size_t)(kQdotRows * lda) + sizeof(int32_t) * kQdotRows * kQdotUnits;
  const size_t scratch = per_thread * (size_t)pl_num_threads(sg);
  if (scratch > data->qdot_scratch_bytes) {
    free(data->qdot_scratch);
    data->qdot_scratch_bytes = 0;
    data->qdot_scratch = malloc(scratch);
    if (!data->qdot_scratch) {
      pl_report(sg, "FULLY_CONNECTED: out of memory.");
      return kTfLiteError;
    }
    data->qdot_scratch_bytes = scratch;
  }
  if (data->qdot_packed && data->qdot_src == weights->data.raw)
    return kTfLiteOk;
  free(data->qdot_packed);
  free(data->qdot_wsum);
  free(data->qdot_init);
  data->qdot_src = NULL;
  data->qdot_packed = malloc((size_t)pl_qdot_packed_size(units, depth));
  data->qdot_wsum = malloc(sizeof(int32_t) * (size_t)units);
  data->qdot_init = malloc(sizeof(int32_t) * (size_t)units);
  if (!data->qdot_packed || !data->qdot_wsum || !data->qdot_init) {
    pl_report(sg, "FULLY_CONNECTED: out of memory.");
    return kTfLiteError;
  }
  pl_qdot_pack(weights->data.int8, units, depth, data->qdot_packed,
               data->qdot_wsum);
  data->qdot_src = weights->data.raw;
  return kTfLiteOk;
}

/* Quantization checks and per-unit scales of the integer modes. */
static TfLiteStatus fc_prepare_quantized(PlSubgraph* sg, FcData* data,
                                         const TfLiteTensor* input,
                                         const TfLiteTensor* weights,
                                         const TfLiteTensor* bias,
                                         const TfLiteTensor* output,
                                         int units) {
  static const char op[] = "FULLY_CONNECTED";
  const bool wide = data->mode == kModeInt16;
  const PlQuantRule act_rule = {-1, wide};
  PL_ENSURE_OK(pl_q_check(sg, op, "input", input, &act_rule));
  PL_ENSURE_OK(pl_q_check(sg, op, "output", output, &act_rule));
  const TfLiteAffineQuantization* wq = weights->quantization.params;
  const bool per_channel = wq && wq->scale && wq->scale->size > 1;
  const PlQuantRule w_rule = {data->mode == kModeUInt8 ? -1 : 0,
                              per_channel};
  PL_ENSURE_OK(pl_q_check(sg, op, "weights", weights, &w_rule));
  switch (data->activation) {
    case PL_ACT_NONE:
    case PL_ACT_RELU:
    case PL_ACT_RELU_N1_TO_1:
    case PL_ACT_RELU6:
      break;
    default:
      pl_report(sg, "FULLY_CONNECTED %s supports the fused activations "
                "NONE, RELU, RELU_N1_TO_1 and RELU6, got %d.",
                TfLiteTypeGetName(input->type), data->activation);
      return kTfLiteError;
  }
  const PlQuantParams in_p = pl_q_params(input);
  const PlQuantParams w_p = pl_q_params(weights);
  const PlQuantParams out_p = pl_q_params(output);
  if (bias && !per_channel) {
    /* TFLite: the bias scale must be close to input * weights scales. */
    const double product = (double)in_p.scale * (double)w_p.scale;
    const double diff = fabs(product - (double)pl_q_params(bias).scale);
    if (!(diff / (double)out_p.scale <= 0.02)) {
      pl_report(sg, "FULLY_CONNECTED: bias '%s' scale %g does not match "
                "input scale * weights scale = %g (relative to the output "
                "scale %g).", bias->name ? bias->name : "",
                (double)pl_q_params(bias).scale, product,
                (double)out_p.scale);
      return kTfLiteError;
    }
  }
  PL_ENSURE_OK(fc_reserve_units(sg, data, units));
  for (int u = 0; u < units; ++u) {
    const float ws = per_channel ? wq->scale->data[u] : w_p.scale;
    data->unit_scale[u] =
        (double)in_p.scale * (double)ws / (double)out_p.scale;
  }
  data->per_channel = per_channel;
  data->input_offset = -in_p.zero_point;
  data->weight_offset = per_channel ? 0 : -w_p.zero_point;
  data->output_offset = out_p.zero_point;
  PL_ENSURE_OK(pl_q_activation_range(sg, data->activation, output,
                                     &data->act_min, &data->act_max));
  return fc_prepare_qdot(sg, data, weights, units);
}

/* Weight checks and per-unit scales of the hybrid mode. */
static TfLiteStatus fc_prepare_hybrid(PlSubgraph* sg, FcData* data,
                                      const TfLiteTensor* weights,
                                      int units) {
  const PlQuantRule w_rule = {0, true};
  PL_ENSURE_OK(pl_q_check(sg, "FULLY_CONNECTED", "weights", weights,
                          &w_rule));
  const TfLiteAffineQuantization* wq = weights->quantization.params;
  PL_ENSURE_OK(fc_reserve_units(sg, data, units));
  data->per_channel = wq->scale->size > 1;
  data->weight_scale = pl_q_params(weights).scale;
  for (int u = 0; u < units; ++u)
    data->unit_wscale[u] = data->per_channel ? wq->scale->data[u] : 1.0f;
  return kTfLiteOk;
}

/* Hybrid scratch for `rows` input rows of `depth` values. */
static TfLiteStatus fc_reserve_rows(PlSubgraph* sg, FcData* data,
                                    int64_t rows, int64_t depth) {
  const size_t need = (size_t)(rows * depth);
  if (need > data->qinput_cap) {
    free(data->qinput);
    data->qinput = malloc(need ? need : 1);
    data->qinput_cap = data->qinput ? need : 0;
  }
  if (rows > data->rows_cap) {
    free(data->factors);
    free(data->offsets);
    data->factors = malloc(sizeof(float) * (size_t)rows);
    data->offsets = malloc(sizeof(int32_t) * (size_t)rows);
    data->rows_cap = (data->factors && data->offsets) ? rows : 0;
  }
  if ((need && !data->qinput) || (rows && data->rows_cap < rows)) {
    pl_report(sg, "FULLY_CONNECTED: out of memory for the hybrid scratch.");
    return kTfLiteError;
  }
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
  PL_ENSURE_OK(fc_check_types(sg, input, weights, bias, output, &data->mode));

  if (data->mode == kModeFloat) {
    switch (data->activation) {
      case PL_ACT_NONE:
      case PL_ACT_RELU:
      case PL_ACT_RELU_N1_TO_1:
      case PL_ACT_RELU6:
        break;
      default:
        pl_report(sg,
                  "FULLY_CONNECTED float32 supports the fused activations "
                  "NONE, RELU, RELU_N1_TO_1 and RELU6, got %d.",
                  data->activation);
        return kTfLiteError;
    }
  } else if (data->mode == kModeHybrid) {
    if (data->activation < PL_ACT_NONE || data->activation > PL_ACT_SIGN_BIT) {
      pl_report(sg, "FULLY_CONNECTED: unknown fused activation %d.",
                data->activation);
      return kTfLiteError;
    }
  }
  if (weights->sparsity) {
    /* Expanded once; later prepares reuse it (constant data). */
    if (!(data->dense_weights && data->dense_src == weights->data.raw)) {
      void* dense = NULL;
      size_t bytes = 0;
      if (weights->type != kTfLiteFloat32 && weights->type != kTfLiteInt8) {
        pl_report(sg, "FULLY_CONNECTED: sparse %s weights are not "
                  "supported; float32 and int8 are.", type_name(weights));
        return kTfLiteError;
      }
      PL_ENSURE_OK(pl_sparse_densify(sg, node, kWeights, "FULLY_CONNECTED",
                                     "weights", &dense, &bytes));
      free(data->dense_weights);
      data->dense_weights = dense;
      data->dense_src = weights->data.raw;
      data->weights_view = *weights;
      data->weights_view.data.raw = dense;
      data->weights_view.bytes = bytes;
      data->weights_view.sparsity = NULL;
      data->weights_view.allocation_type = kTfLitePersistentRo;
    }
    weights = &data->weights_view;
  }

  /* Shapes are formatted where a message is made (PL_SHAPE_STR), not at
   * every prepare: a deferred node prepares at every Invoke. */
  if (weights->dims->size != 2) {
    pl_report(sg, "FULLY_CONNECTED weights must be 2-D [units, depth], got %s.",
              PL_SHAPE_STR(weights->dims));
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
                PL_SHAPE_STR(input->dims), PL_SHAPE_STR(weights->dims));
      return kTfLiteError;
    }
  }
  if (bias && pl_num_elements(bias) != units) {
    pl_report(sg,
              "FULLY_CONNECTED bias has %lld elements, expected %d (weights "
              "%s, bias %s).",
              (long long)pl_num_elements(bias), units,
              PL_SHAPE_STR(weights->dims), PL_SHAPE_STR(bias->dims));
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
                PL_SHAPE_STR(input->dims), (long long)count, depth,
                PL_SHAPE_STR(weights->dims));
      return kTfLiteError;
    }
    batch = count / depth;
  }
  if (batch > INT32_MAX) {
    pl_report(sg, "FULLY_CONNECTED batch %lld is too large.", (long long)batch);
    return kTfLiteError;
  }

  const bool constant = pl_is_constant(weights) && weights->data.raw;
  if (data->mode == kModeFloat) {
    /* Constant weights are packed once, not again at every AllocateTensors
     * (their data and shape cannot change). */
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
  } else {
    if (data->mode == kModeHybrid) {
      PL_ENSURE_OK(fc_prepare_hybrid(sg, data, weights, units));
      PL_ENSURE_OK(fc_reserve_rows(sg, data, batch, depth));
    } else {
      PL_ENSURE_OK(
          fc_prepare_quantized(sg, data, input, weights, bias, output, units));
    }
    /* Weight row sums: once for constant weights, else at every eval. */
    if (!(constant && data->sums_ready && data->sums_src == weights->data.raw)) {
      data->sums_ready = false;
      if (constant && units > 0) {
        if (data->mode == kModeUInt8) {
          for (int u = 0; u < units; ++u) {
            uint32_t sum = 0;
            for (int d = 0; d < depth; ++d)
              sum += weights->data.uint8[(int64_t)u * depth + d];
            data->row_sums[u] = (int32_t)sum;
          }
        } else {
          pl_qmm_row_sums(weights->data.int8, units, depth, data->row_sums);
        }
        data->sums_ready = true;
        data->sums_src = weights->data.raw;
      }
    }
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

/* ---- quantized ------------------------------------------------------------ */

/* One parallel task computes a block of units of one batch row. */
enum { kUnitBlock = 64 };

typedef struct FcQuantTask {
  const FcData* data;
  const TfLiteTensor* input;
  const TfLiteTensor* weights;
  const TfLiteTensor* bias;
  TfLiteTensor* output;
  int64_t units, depth, blocks;
} FcQuantTask;

static void fc_quant_rows(void* ctx, int64_t begin, int64_t end, int worker) {
  (void)worker;
  const FcQuantTask* t = ctx;
  const FcData* data = t->data;
  const int64_t depth = t->depth, units = t->units;
  const int32_t xo = data->input_offset, wo = data->weight_offset;
  for (int64_t task = begin; task < end; ++task) {
    const int64_t b = task / t->blocks;
    const int64_t u0 = (task % t->blocks) * kUnitBlock;
    const int64_t u1 = u0 + kUnitBlock < units ? u0 + kUnitBlock : units;
    switch (data->mode) {
      case kModeInt8:
      case kModeUInt8: {
        /* sum (w + wo)(x + xo) = w.x + xo * sum w + wo * sum x + K wo xo,
         * all modulo 2^32 as LiteRT's int32 accumulator. */
        const bool u8 = data->mode == kModeUInt8;
        const int8_t* x8 = t->input->data.int8 + b * depth;
        const uint8_t* xu = t->input->data.uint8 + b * depth;
        uint32_t xsum = 0;
        if (wo != 0) {
          for (int64_t d = 0; d < depth; ++d)
            xsum += u8 ? (uint32_t)xu[d] : (uint32_t)(int32_t)x8[d];
        }
        const uint32_t base = (uint32_t)wo * xsum +
                              (uint32_t)depth * (uint32_t)wo * (uint32_t)xo;
        for (int64_t u = u0; u < u1; ++u) {
          const int32_t dot =
              u8 ? pl_qmm_dot_u8(t->weights->data.uint8 + u * depth, xu,
                                 depth)
                 : pl_qmm_dot_s8(t->weights->data.int8 + u * depth, x8,
                                 depth);
          uint32_t acc = (uint32_t)dot + (uint32_t)xo * (uint32_t)data->row_sums[u] +
                         base;
          if (t->bias) acc += (uint32_t)t->bias->data.i32[u];
          const int32_t v = pl_qmm_requant(
              (int32_t)acc, data->unit_scale[u], data->output_offset,
              data->act_min, data->act_max);
          if (u8)
            t->output->data.uint8[b * units + u] = (uint8_t)v;
          else
            t->output->data.int8[b * units + u] = (int8_t)v;
        }
        break;
      }
      default: { /* kModeInt16: input zero point 0, 64-bit accumulator */
        const int16_t* x = t->input->data.i16 + b * depth;
        int64_t xsum = 0;
        if (wo != 0)
          for (int64_t d = 0; d < depth; ++d) xsum += x[d];
        for (int64_t u = u0; u < u1; ++u) {
          int64_t acc = pl_qmm_dot_s16_s8(x, t->weights->data.int8 + u * depth,
                                          depth) +
                        (int64_t)wo * xsum;
          if (t->bias) {
            if (t->bias->type == kTfLiteInt64) {
              acc += t->bias->data.i64[u];
            } else { /* an int32 bias: LiteRT's accumulator is int32 */
              acc = (int32_t)((uint32_t)acc + (uint32_t)t->bias->data.i32[u]);
            }
          }
          t->output->data.i16[b * units + u] = (int16_t)pl_qmm_requant(
              acc, data->unit_scale[u], data->output_offset, data->act_min,
              data->act_max);
        }
        break;
      }
    }
  }
}

typedef struct FcQdotTask {
  const FcData* data;
  const int8_t* x;
  int8_t* y;
  int64_t batch, units, depth, unit_blocks;
} FcQdotTask;

/* Rows [r0, r0 + kQdotRows) by units [u0, u0 + kQdotUnits) of each task:
 * the rows + 128 (the weights' padding past depth is 0), their sums with
 * pl_qdot from the starting sums (bias - (zp + 128) * sum w = the
 * reference's bias + sum w * (x - zp)), requantized as the reference. */
static void fc_qdot_tasks(void* ctx, int64_t begin, int64_t end,
                          int worker) {
  const FcQdotTask* t = ctx;
  const FcData* data = t->data;
  const int64_t lda = pl_qdot_depth(t->depth);
  uint8_t* xs = (uint8_t*)data->qdot_scratch +
                (size_t)worker * ((size_t)(kQdotRows * lda) +
                                  sizeof(int32_t) * kQdotRows * kQdotUnits);
  int32_t* sums = (int32_t*)(void*)(xs + kQdotRows * lda);
  for (int64_t task = begin; task < end; ++task) {
    const int64_t r0 = task / t->unit_blocks * kQdotRows;
    const int64_t u0 = task % t->unit_blocks * kQdotUnits;
    const int64_t rows = t->batch - r0 < kQdotRows ? t->batch - r0 : kQdotRows;
    const int64_t n = t->units - u0 < kQdotUnits ? t->units - u0 : kQdotUnits;
    for (int64_t i = 0; i < rows; ++i) {
      const int8_t* x = t->x + (r0 + i) * t->depth;
      for (int64_t d = 0; d < t->depth; ++d)
        xs[i * lda + d] = (uint8_t)(x[d] ^ 0x80);
      for (int64_t d = t->depth; d < lda; ++d) xs[i * lda + d] = 0;
    }
    const PlQdotOut out = {.ldy = n, .sums = sums};
    pl_qdot(xs, lda, data->qdot_packed + pl_qdot_packed_size(u0, t->depth),
            data->qdot_init + u0, rows, n, t->depth, &out);
    for (int64_t i = 0; i < rows; ++i)
      pl_qmm_requant_s8(sums + i * n, data->unit_scale + u0,
                        data->output_offset, data->act_min, data->act_max,
                        t->y + (r0 + i) * t->units + u0, n);
  }
}

static void fc_eval_qdot(PlSubgraph* sg, FcData* data,
                         const TfLiteTensor* input, const TfLiteTensor* bias,
                         TfLiteTensor* output, int64_t batch, int64_t units,
                         int64_t depth) {
  const uint32_t zp = (uint32_t)(128 - data->input_offset);
  for (int64_t u = 0; u < units; ++u)
    data->qdot_init[u] =
        (int32_t)((bias ? (uint32_t)bias->data.i32[u] : 0u) -
                  zp * (uint32_t)data->qdot_wsum[u]);
  FcQdotTask t = {data, input->data.int8, output->data.int8, batch, units,
                  depth, (units + kQdotUnits - 1) / kQdotUnits};
  const int64_t row_blocks = (batch + kQdotRows - 1) / kQdotRows;
  /* About 16 multiply-adds a unit of cost (VNNI, 8 columns x 4 depth a
   * cycle and a half). */
  pl_parallel_for_cost(sg, row_blocks * t.unit_blocks,
                       kQdotRows * kQdotUnits * depth / 16, fc_qdot_tasks,
                       &t);
}

static void fc_eval_quantized(PlSubgraph* sg, FcData* data,
                              const TfLiteTensor* input,
                              const TfLiteTensor* weights,
                              const TfLiteTensor* bias, TfLiteTensor* output,
                              int64_t batch, int64_t units, int64_t depth) {
  if (data->qdot && data->qdot_src == weights->data.raw) {
    fc_eval_qdot(sg, data, input, bias, output, batch, units, depth);
    return;
  }
  if (!data->sums_ready) {
    if (data->mode == kModeUInt8) {
      for (int64_t u = 0; u < units; ++u) {
        uint32_t sum = 0;
        for (int64_t d = 0; d < depth; ++d)
          sum += weights->data.uint8[u * depth + d];
        data->row_sums[u] = (int32_t)sum;
      }
    } else {
      pl_qmm_row_sums(weights->data.int8, units, depth, data->row_sums);
    }
  }
  FcQuantTask t = {data, input, weights, bias, output, units, depth,
                   (units + kUnitBlock - 1) / kUnitBlock};
  pl_parallel_for(sg, batch * t.blocks, fc_quant_rows, &t);
}

/* ---- hybrid ---------------------------------------------------------------- */

typedef struct FcHybridTask {
  const FcData* data;
  const int8_t* weights;
  float* y;
  int64_t units, depth, blocks;
} FcHybridTask;

static void fc_hybrid_rows(void* ctx, int64_t begin, int64_t end,
                           int worker) {
  (void)worker;
  const FcHybridTask* t = ctx;
  const FcData* data = t->data;
  for (int64_t task = begin; task < end; ++task) {
    const int64_t b = task / t->blocks;
    const int64_t u0 = (task % t->blocks) * kUnitBlock;
    const int64_t u1 = u0 + kUnitBlock < t->units ? u0 + kUnitBlock : t->units;
    const int8_t* q = data->qinput + b * t->depth;
    const float factor = data->factors[b];
    const int32_t offset = data->offsets[b];
    for (int64_t u = u0; u < u1; ++u) {
      int32_t dot = pl_qmm_dot_s8(t->weights + u * t->depth, q, t->depth);
      dot = (int32_t)((uint32_t)dot -
                      (uint32_t)data->row_sums[u] * (uint32_t)offset);
      float scale = factor;
      if (data->per_channel) scale *= data->unit_wscale[u];
      t->y[b * t->units + u] += (float)dot * scale;
    }
  }
}

static void fc_eval_hybrid(PlSubgraph* sg, FcData* data,
                           const TfLiteTensor* input,
                           const TfLiteTensor* weights,
                           const TfLiteTensor* bias, TfLiteTensor* output,
                           int64_t batch, int64_t units, int64_t depth) {
  float* y = output->data.f;
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t u = 0; u < units; ++u)
      y[b * units + u] = bias ? bias->data.f[u] : 0.0f;
  }
  const int64_t total = batch * depth;
  bool zero = true;
  for (int64_t i = 0; i < total && zero; ++i) zero = input->data.f[i] == 0.0f;
  if (!zero) {
    if (!data->sums_ready)
      pl_qmm_row_sums(weights->data.int8, units, depth, data->row_sums);
    pl_qmm_quantize_rows(input->data.f, batch, depth, data->asymmetric_inputs,
                         data->qinput, data->factors, data->offsets);
    if (!data->per_channel) {
      for (int64_t b = 0; b < batch; ++b) data->factors[b] *= data->weight_scale;
    }
    FcHybridTask t = {data, weights->data.int8, y, units, depth,
                      (units + kUnitBlock - 1) / kUnitBlock};
    pl_parallel_for(sg, batch * t.blocks, fc_hybrid_rows, &t);
  }
  pl_qmm_activation(y, batch * units, data->activation);
}

static TfLiteStatus fc_eval(PlSubgraph* sg, PlNode* node) {
  FcData* data = node->user_data;
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  const TfLiteTensor* weights = pl_input(sg, node, kWeights);
  const TfLiteTensor* bias =
      pl_num_inputs(node) == 3 ? pl_input(sg, node, kBias) : NULL;
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  if (weights->sparsity) weights = &data->weights_view;

  const int64_t units = weights->dims->data[0];
  const int64_t depth = weights->dims->data[1];
  const int64_t out_count = pl_num_elements(output);
  if (out_count == 0) return kTfLiteOk;
  if (depth == 0) {
    /* As TFLite: zero bytes, whatever the mode (not the bias, nor the
     * output zero point). */
    memset(output->data.raw, 0, output->bytes);
    return kTfLiteOk;
  }
  const int64_t batch = pl_num_elements(input) / depth;
  /* Prepare sized the output; this guards against a resized input. */
  if (batch * units != out_count) {
    pl_report(sg, "FULLY_CONNECTED input shape changed since prepare.");
    return kTfLiteError;
  }
  switch (data->mode) {
    case kModeFloat: {
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
    case kModeHybrid:
      fc_eval_hybrid(sg, data, input, weights, bias, output, batch, units,
                     depth);
      return kTfLiteOk;
    default:
      fc_eval_quantized(sg, data, input, weights, bias, output, batch, units,
                        depth);
      return kTfLiteOk;
  }
}

const PlKernel pl_kernel_fully_connected = {
    .name = "FULLY_CONNECTED",
    .init = fc_init,
    .free = fc_free,
    .prepare = fc_prepare,
    .eval = fc_eval,
    .types = "float32, int8, uint8, int16 (int8 weights), hybrid float32 "
             "with int8 weights",
};
