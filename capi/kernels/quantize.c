/* pylite: QUANTIZE, float32 to integers, or integers to other integers.
 *
 * As LiteRT's reference QUANTIZE; the output takes the input's shape and
 * must carry affine quantization parameters.
 *   - float32 -> int8, uint8, int16: q = round(x / scale) + zero_point,
 *     the division and the rounding (half away from zero) in float32, the
 *     rounded value converted to int32 and the sum clamped to the output
 *     type's range. As LiteRT's x86 build, a value outside int32 (|x/scale|
 *     >= 2^31, +-inf, NaN) converts to INT32_MIN, and the sum with the zero
 *     point wraps: such values come out as the type's minimum, or its
 *     maximum when the zero point is negative. Per-channel output
 *     parameters (along quantized_dimension) quantize each channel with
 *     its own scale and zero point.
 *   - requantization int8 / uint8 -> int8, uint8, int16; int16 -> int8,
 *     int16, int32; int32 -> int8, int16 (per tensor on both sides):
 *     q = zero_point_out + (x - zero_point_in) * M, M = in_scale /
 *     out_scale as a fixed-point multiplier (pl_q_mul), clamped to the
 *     output type. When the scales are equal and the zero points differ by
 *     exactly 128 between int8 and uint8, the bytes are flipped (x ^ 0x80),
 *     as LiteRT's shortcut does (the same values as the general path).
 *     int16 -> int16 needs zero points of 0.
 * Bad or missing parameters (no scale, zero or non-finite scale, zero
 * point out of range, per-channel parameters on a requantization) are
 * errors in prepare. */
#include <math.h>
#include <stdlib.h>

#include "capi/kernels/internal/quant.h"
#include "capi/kernels/internal/quant_rows.h"
#include "capi/kernels/internal/unary_common.h"

typedef struct QuantizeData {
  int32_t multiplier; /* requantization: in_scale / out_scale */
  int shift;
  int32_t in_zero_point, out_zero_point;
  int32_t lo, hi;     /* the output type's range */
  bool flip;          /* int8 <-> uint8 with equal scales: x ^ 0x80 */
} QuantizeData;

static TfLiteStatus quantize_init(PlSubgraph* sg, PlNode* node) {
  QuantizeData* data = calloc(1, sizeof(*data));
  if (!data) {
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  node->user_data = data;
  return kTfLiteOk;
}

static void quantize_free(PlNode* node) {
  free(node->user_data);
  node->user_data = NULL;
}

/* Whether LiteRT's QUANTIZE converts `in` to `out`. */
static bool quantize_supported(TfLiteType in, TfLiteType out) {
  const bool narrow = out == kTfLiteInt8 || out == kTfLiteUInt8;
  switch (in) {
    case kTfLiteFloat32:
    case kTfLiteInt8:
    case kTfLiteUInt8:
      return narrow || out == kTfLiteInt16;
    case kTfLiteInt16:
      return out == kTfLiteInt8 || out == kTfLiteInt16 || out == kTfLiteInt32;
    case kTfLiteInt32:
      return out == kTfLiteInt8 || out == kTfLiteInt16;
    default:
      return false;
  }
}

static TfLiteStatus quantize_prepare(PlSubgraph* sg, PlNode* node) {
  QuantizeData* data = node->user_data;
  const TfLiteTensor* input;
  TfLiteTensor* output;
  PL_ENSURE(sg, data != NULL);
  PL_ENSURE_OK(pl_unary_io(sg, node, "QUANTIZE", &input, &output));
  if (!quantize_supported(input->type, output->type)) {
    pl_report(sg, "QUANTIZE from %s to %s is not supported; it converts "
              "float32, int8 or uint8 to int8, uint8 or int16, int16 to "
              "int8, int16 or int32, and int32 to int8 or int16.",
              TfLiteTypeGetName(input->type),
              TfLiteTypeGetName(output->type));
    return kTfLiteError;
  }
  /* The output takes the input's shape first, so that per-channel scales
   * are checked against the channels eval will walk. */
  PL_ENSURE_OK(pl_resize_like(sg, output, input->dims));
  if (input->type == kTfLiteFloat32) {
    const TfLiteAffineQuantization* q = output->quantization.params;
    const PlQuantRule rule = {
        output->quantization.type == kTfLiteAffineQuantization && q
            ? q->quantized_dimension
            : -1,
        false};
    PL_ENSURE_OK(pl_q_check(sg, "QUANTIZE", "output", output, &rule));
  } else {
    PL_ENSURE_OK(pl_q_check_tensor(sg, "QUANTIZE", "input", input));
    PL_ENSURE_OK(pl_q_check_tensor(sg, "QUANTIZE", "output", output));
    const PlQuantParams pi = pl_q_params(input), po = pl_q_params(output);
    if (input->type == kTfLiteInt16 && output->type == kTfLiteInt16 &&
        (pi.zero_point != 0 || po.zero_point != 0)) {
      pl_report(sg, "QUANTIZE from int16 to int16 needs zero points of 0, "
                "got %d and %d.", (int)pi.zero_point, (int)po.zero_point);
      return kTfLiteError;
    }
    pl_q_multiplier((double)pi.scale / (double)po.scale, &data->multiplier,
                    &data->shift);
    data->in_zero_point = pi.zero_point;
    data->out_zero_point = po.zero_point;
    const int32_t diff = pi.zero_point - po.zero_point;
    data->flip = data->multiplier == (1 << 30) && data->shift == 1 &&
                 ((input->type == kTfLiteInt8 &&
                   output->type == kTfLiteUInt8 && diff == -128) ||
                  (input->type == kTfLiteUInt8 &&
                   output->type == kTfLiteInt8 && diff == 128));
  }
  pl_q_type_range(output->type, &data->lo, &data->hi);
  return kTfLiteOk;
}

/* Per tensor, split over threads in chunks of kQuantizeChunk elements
 * (each element is computed alone: the split changes no bits). */
enum { kQuantizeChunk = 4096 };

typedef struct QuantizeRows {
  const float* x;
  int64_t n;
  float scale;
  int32_t zero_point, lo, hi;
  TfLiteType type;
  char* y;
  size_t elem;
} QuantizeRows;

static void quantize_rows_task(void* ctx, int64_t begin, int64_t end,
                               int worker) {
  (void)worker;
  const QuantizeRows* r = ctx;
  const int64_t from = begin * kQuantizeChunk;
  const int64_t to = end * kQuantizeChunk < r->n ? end * kQuantizeChunk : r->n;
  pl_q_quantize_f32_row(r->x + from, to - from, r->scale, r->zero_point,
                        r->lo, r->hi, r->type, r->y + from * (int64_t)r->elem);
}

static void quantize_float(PlSubgraph* sg, const QuantizeData* data,
                           const TfLiteTensor* input, TfLiteTensor* output) {
  const int64_t n = pl_num_elements(input);
  const float* x = input->data.f;
  const TfLiteAffineQuantization* q = output->quantization.params;
  if (q->scale->size == 1) {
    const QuantizeRows rows = {
        .x = x, .n = n, .scale = q->scale->data[0],
        .zero_point = q->zero_point->data[0], .lo = data->lo,
        .hi = data->hi, .type = output->type, .y = output->data.raw,
        .elem = pl_type_size(output->type),
    };
    /* About 0.2 ns per element on the vector paths. */
    pl_parallel_for_cost(sg, (n + kQuantizeChunk - 1) / kQuantizeChunk,
                         kQuantizeChunk / 5, quantize_rows_task,
                         (void*)&rows);
    return;
  }
  /* Per channel: element k is in channel (k / inner) % channels. */
  const int dim = q->quantized_dimension;
  const int64_t channels = input->dims->data[dim];
  int64_t inner = 1;
  for (int d = dim + 1; d < input->dims->size; ++d)
    inner *= input->dims->data[d];
  for (int64_t k = 0; k < n; ++k) {
    const int64_t c = (k / inner) % channels;
    pl_q_store(output, k,
               pl_q_quantize_f32_one(x[k], q->scale->data[c],
                                     q->zero_point->data[c], data->lo,
                                     data->hi));
  }
}

static void requantize(const QuantizeData* data, const TfLiteTensor* input,
                       TfLiteTensor* output) {
  const int64_t n = pl_num_elements(input);
  if (data->flip) {
    const uint8_t* x = (const uint8_t*)input->data.raw_const;
    uint8_t* y = (uint8_t*)output->data.raw;
    for (int64_t k = 0; k < n; ++k) y[k] = x[k] ^ 0x80;
    return;
  }
  for (int64_t k = 0; k < n; ++k) {
    const int32_t v = pl_q_add(
        pl_q_mul(pl_q_load(input, k) - data->in_zero_point, data->multiplier,
                 data->shift),
        data->out_zero_point);
    pl_q_store(output, k, pl_q_clamp(v, data->lo, data->hi));
  }
}

static TfLiteStatus quantize_eval(PlSubgraph* sg, PlNode* node) {
  const QuantizeData* data = node->user_data;
  const TfLiteTensor* input = pl_input(sg, node, 0);
  TfLiteTensor* output = pl_output(sg, node, 0);
  if (input->type == kTfLiteFloat32)
    quantize_float(sg, data, input, output);
  else
    requantize(data, input, output);
  return kTfLiteOk;
}

const PlKernel pl_kernel_quantize = {
    .name = "QUANTIZE",
    .init = quantize_init,
    .free = quantize_free,
    .prepare = quantize_prepare,
    .eval = quantize_eval,
    .types = "float32 -> int8, uint8, int16 (per tensor or per channel); "
             "int8, uint8 -> int8, uint8, int16; int16 -> int8, int16, "
             "int32; int32 -> int8, int16",
};
