/* pylite: DEQUANTIZE, to float32.
 *
 * As TFLite's reference DEQUANTIZE, the output float32 with the input's
 * shape, from:
 *   - float16: the exact widening (the converter's float16 weights);
 *   - int8, uint8, int16 with affine quantization: per tensor,
 *     y = (float)(double(scale) * (q - zero_point)); per channel along
 *     quantized_dimension, y = (q - zero_point[c]) * scale[c] in float;
 *     int16 zero points must be 0 (as LiteRT); missing parameters, zero or
 *     non-finite scales and zero points out of range are errors in prepare.
 * A constant input (a weight) is converted once, in prepare, into a buffer
 * the node keeps; the output then points at it and is itself read-only
 * constant data (TFLite's kTfLitePersistentRo), and Invoke skips the node.
 * Packed int4 inputs are not supported yet. */
#include <stdint.h>
#include <stdlib.h>

#include "capi/kernels/internal/quant.h"
#include "capi/kernels/internal/unary_common.h"
#include "capi/kernels/internal/unary_half.h"

typedef struct DequantizeData {
  float* constant; /* the converted constant input, or NULL */
} DequantizeData;

static TfLiteStatus dequantize_init(PlSubgraph* sg, PlNode* node) {
  DequantizeData* data = calloc(1, sizeof(*data));
  if (!data) {
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  node->user_data = data;
  return kTfLiteOk;
}

static void dequantize_free(PlNode* node) {
  DequantizeData* data = node->user_data;
  if (data) free(data->constant);
  free(data);
  node->user_data = NULL;
}

/* Checks the quantization of an integer input: affine, with one scale and
 * zero point per tensor or one per channel of quantized_dimension, scales
 * finite and positive, zero points in range (0 for int16, as LiteRT). */
static TfLiteStatus check_quantization(PlSubgraph* sg,
                                       const TfLiteTensor* input) {
  const TfLiteAffineQuantization* q = input->quantization.params;
  if (input->quantization.type != kTfLiteAffineQuantization || !q ||
      !q->scale || !q->zero_point || q->scale->size < 1) {
    pl_report(sg, "DEQUANTIZE input '%s' (%s) has no affine quantization "
              "parameters.", input->name, TfLiteTypeGetName(input->type));
    return kTfLiteError;
  }
  const PlQuantRule rule = {q->quantized_dimension,
                            input->type == kTfLiteInt16};
  return pl_q_check(sg, "DEQUANTIZE", "input", input, &rule);
}

static int32_t load_int(const TfLiteTensor* t, int64_t k) {
  switch (t->type) {
    case kTfLiteInt8: return t->data.int8[k];
    case kTfLiteUInt8: return t->data.uint8[k];
    default: return t->data.i16[k];
  }
}

/* Converts the whole input into y. */
static void dequantize_run(const TfLiteTensor* input, float* y) {
  const int64_t n = pl_num_elements(input);
  if (input->type == kTfLiteFloat16) {
    for (int64_t k = 0; k < n; ++k)
      y[k] = pl_f16_to_f32(input->data.f16[k].data);
    return;
  }
  const TfLiteAffineQuantization* q = input->quantization.params;
  if (q->scale->size == 1) {
    const double scale = q->scale->data[0];
    const int32_t zero_point = q->zero_point->data[0];
    for (int64_t k = 0; k < n; ++k)
      y[k] = (float)(scale * (load_int(input, k) - zero_point));
    return;
  }
  /* Per channel: index = (outer * channels + c) * inner + i. */
  const int dim = q->quantized_dimension;
  const int64_t channels = input->dims->data[dim];
  int64_t inner = 1;
  for (int d = dim + 1; d < input->dims->size; ++d)
    inner *= input->dims->data[d];
  for (int64_t k = 0; k < n; ++k) {
    const int64_t c = (k / inner) % channels;
    y[k] = (float)(load_int(input, k) - q->zero_point->data[c]) *
           q->scale->data[c];
  }
}

static TfLiteStatus dequantize_prepare(PlSubgraph* sg, PlNode* node) {
  DequantizeData* data = node->user_data;
  const TfLiteTensor* input;
  TfLiteTensor* output;
  PL_ENSURE(sg, data != NULL);
  PL_ENSURE_OK(pl_unary_io(sg, node, "DEQUANTIZE", &input, &output));
  switch (input->type) {
    case kTfLiteFloat16:
      break;
    case kTfLiteInt8:
    case kTfLiteUInt8:
    case kTfLiteInt16:
      PL_ENSURE_OK(check_quantization(sg, input));
      break;
    default:
      pl_report(sg, "DEQUANTIZE of %s is not supported (yet); supported "
                "input types: FLOAT16, INT8, UINT8, INT16.",
                TfLiteTypeGetName(input->type));
      return kTfLiteError;
  }
  if (output->type != kTfLiteFloat32) {
    pl_report(sg, "DEQUANTIZE output must be float32, got %s.",
              TfLiteTypeGetName(output->type));
    return kTfLiteError;
  }
  if (!pl_is_constant(input)) {
    if (data->constant && output->data.raw == (char*)data->constant) {
      /* Cannot happen for a non-constant input; kept defensive. */
      pl_report(sg, "DEQUANTIZE output is bound to a constant buffer.");
      return kTfLiteError;
    }
    return pl_resize_like(sg, output, input->dims);
  }
  /* Constant input: convert once, and Invoke skips the node (folded). On
   * a second AllocateTensors the output still points at our buffer
   * (constant tensors keep their data). */
  if (data->constant && output->data.raw == (char*)data->constant) {
    node->folded = true;
    return kTfLiteOk;
  }
  PL_ENSURE_OK(pl_resize_like(sg, output, input->dims));
  const int64_t n = pl_num_elements(input);
  const size_t bytes = (size_t)n * sizeof(float);
  float* buffer = malloc(bytes ? bytes : 1);
  if (!buffer) {
    pl_report(sg, "Out of memory: DEQUANTIZE of a constant needs %zu bytes.",
              bytes);
    return kTfLiteError;
  }
  dequantize_run(input, buffer);
  free(data->constant);
  data->constant = buffer;
  pl_set_constant_output(output, buffer, bytes);
  node->folded = true;
  return kTfLiteOk;
}

static TfLiteStatus dequantize_eval(PlSubgraph* sg, PlNode* node) {
  const DequantizeData* data = node->user_data;
  const TfLiteTensor* input = pl_input(sg, node, 0);
  TfLiteTensor* output = pl_output(sg, node, 0);
  if (data->constant && output->data.raw == (char*)data->constant)
    return kTfLiteOk;
  dequantize_run(input, output->data.f);
  return kTfLiteOk;
}

const PlKernel pl_kernel_dequantize = {
    .name = "DEQUANTIZE",
    .init = dequantize_init,
    .free = dequantize_free,
    .prepare = dequantize_prepare,
    .eval = dequantize_eval,
    .types = "float16, int8, uint8, int16 (per tensor or per channel) -> "
             "float32",
};
