/* pylite: quantization checks shared by the pooling, reduction, padding and
 * data-moving kernels (header-only).
 *
 * Ops that move or pick quantized values without arithmetic (max pool,
 * reduce max, pad, reshape, ...) are exact only when input and output
 * share one scale and zero point; LiteRT checks this for some of them and
 * assumes it for others. pylite checks it everywhere, so raw bytes are
 * never copied across different scales. */
#ifndef PYLITE_KERNELS_INTERNAL_QUANT_SPATIAL_H_
#define PYLITE_KERNELS_INTERNAL_QUANT_SPATIAL_H_

#include "capi/core/kernel.h"
#include "capi/kernels/internal/quant.h"

/* The integer types TFLite treats as quantized activations. */
static inline bool pl_qs_is_quant_type(TfLiteType t) {
  return t == kTfLiteInt8 || t == kTfLiteUInt8 || t == kTfLiteInt16;
}

/* Checks that quantized `in` and `out` of op both carry valid per-tensor
 * parameters (pl_q_check_tensor) and that they are equal. */
static inline TfLiteStatus pl_qs_check_same(PlSubgraph* sg, const char* op,
                                            const char* in_role,
                                            const TfLiteTensor* in,
                                            const char* out_role,
                                            const TfLiteTensor* out) {
  PL_ENSURE_OK(pl_q_check_tensor(sg, op, in_role, in));
  PL_ENSURE_OK(pl_q_check_tensor(sg, op, out_role, out));
  const PlQuantParams a = pl_q_params(in), b = pl_q_params(out);
  if (a.scale != b.scale || a.zero_point != b.zero_point) {
    pl_report(sg, "%s: %s '%s' (scale %g, zero point %d) and %s '%s' (scale "
              "%g, zero point %d) must have the same quantization: the op "
              "moves quantized values without rescaling them.", op, in_role,
              in->name ? in->name : "", (double)a.scale, (int)a.zero_point,
              out_role, out->name ? out->name : "", (double)b.scale,
              (int)b.zero_point);
    return kTfLiteError;
  }
  return kTfLiteOk;
}

/* Whether a and b carry the same quantization (both none, or equal scale
 * and zero point arrays and quantized dimension). */
static inline bool pl_qs_same_quantization(const TfLiteTensor* a,
                                           const TfLiteTensor* b) {
  const bool qa = a->quantization.type == kTfLiteAffineQuantization &&
                  a->quantization.params;
  const bool qb = b->quantization.type == kTfLiteAffineQuantization &&
                  b->quantization.params;
  if (!qa || !qb)
    return qa == qb && a->params.scale == b->params.scale &&
           a->params.zero_point == b->params.zero_point;
  const TfLiteAffineQuantization* x = a->quantization.params;
  const TfLiteAffineQuantization* y = b->quantization.params;
  const int nx = x->scale ? x->scale->size : 0;
  const int ny = y->scale ? y->scale->size : 0;
  const int zx = x->zero_point ? x->zero_point->size : 0;
  const int zy = y->zero_point ? y->zero_point->size : 0;
  if (nx != ny || zx != zy) return false;
  if (nx > 1 && x->quantized_dimension != y->quantized_dimension)
    return false;
  for (int i = 0; i < nx; ++i)
    if (x->scale->data[i] != y->scale->data[i]) return false;
  for (int i = 0; i < zx; ++i)
    if (x->zero_point->data[i] != y->zero_point->data[i]) return false;
  return true;
}

/* For ops that move elements unchanged (RESHAPE, TOPK_V2, ...): an int8 /
 * uint8 / int16 output must carry the input's quantization exactly (none
 * on both is fine: plain integers). Other types pass. */
static inline TfLiteStatus pl_qs_check_move(PlSubgraph* sg, const char* op,
                                            const char* in_role,
                                            const TfLiteTensor* in,
                                            const char* out_role,
                                            const TfLiteTensor* out) {
  if (!pl_qs_is_quant_type(in->type) || pl_qs_same_quantization(in, out))
    return kTfLiteOk;
  const PlQuantParams a = pl_q_params(in), b = pl_q_params(out);
  pl_report(sg, "%s: %s '%s' (scale %g, zero point %d) and %s '%s' (scale "
            "%g, zero point %d) must have the same quantization: the op "
            "moves quantized values without rescaling them.", op, in_role,
            in->name ? in->name : "", (double)a.scale, (int)a.zero_point,
            out_role, out->name ? out->name : "", (double)b.scale,
            (int)b.zero_point);
  return kTfLiteError;
}

#endif /* PYLITE_KERNELS_INTERNAL_QUANT_SPATIAL_H_ */
