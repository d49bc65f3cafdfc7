/* pylite: DYNAMIC_UPDATE_SLICE, overwrites a box of a tensor.
 *
 * As TFLite's builtin DYNAMIC_UPDATE_SLICE: operand and update have one
 * type (float32, float16, int8, uint8, int16, int32, int64 or bool) and one
 * rank, each update dim <= the operand's; start_indices is 1-D int32 or
 * int64 with one entry per dim. The output is the operand with the update
 * written at the start indices, each clamped to [0, operand dim - update
 * dim] as in XLA, so the box always fits.
 * Quantized int8, uint8 and int16 tensors move as they are when all share
 * one scale and zero point (anything else is a "not supported yet"
 * error). */
#include <stdint.h>

#include "capi/kernels/internal/indexing.h"

enum { kOperand = 0, kUpdate = 1, kStart = 2, kOutput = 0 };

static TfLiteStatus dus_prepare(PlSubgraph* sg, PlNode* node) {
  PL_ENSURE_OK(pl_shape_arity(sg, node, "DYNAMIC_UPDATE_SLICE", 3, 3, 1, 1));
  const TfLiteTensor* operand = pl_input(sg, node, kOperand);
  const TfLiteTensor* update = pl_input(sg, node, kUpdate);
  const TfLiteTensor* start = pl_input(sg, node, kStart);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  static const TfLiteType kVal[] = {
      kTfLiteFloat32, kTfLiteFloat16, kTfLiteInt8, kTfLiteUInt8,
      kTfLiteInt16,   kTfLiteInt32,   kTfLiteInt64, kTfLiteBool,
      kTfLiteNoType};
  static const TfLiteType kIdx[] = {kTfLiteInt32, kTfLiteInt64,
                                    kTfLiteNoType};
  PL_ENSURE_OK(pl_idx_check_type_q(
      sg, "DYNAMIC_UPDATE_SLICE", "operand", operand, kVal,
      "float32, float16, int8, uint8, int16, int32, int64, bool", true));
  PL_ENSURE_OK(pl_shape_check_type(sg, "DYNAMIC_UPDATE_SLICE", "update",
                                   update, operand));
  PL_ENSURE_OK(pl_shape_check_type(sg, "DYNAMIC_UPDATE_SLICE", "output",
                                   output, operand));
  PL_ENSURE_OK(pl_idx_check_type(sg, "DYNAMIC_UPDATE_SLICE", "start_indices",
                                 start, kIdx, "int32, int64"));
  char os[160], us[160];
  pl_shape_string(operand->dims, os, sizeof(os));
  pl_shape_string(update->dims, us, sizeof(us));
  const int r = operand->dims->size;
  bool ok = update->dims->size == r;
  for (int i = 0; ok && i < r; ++i)
    ok = update->dims->data[i] <= operand->dims->data[i];
  if (!ok) {
    pl_report(sg, "DYNAMIC_UPDATE_SLICE: update shape %s must have the rank "
              "of operand shape %s and no larger dims.", us, os);
    return kTfLiteError;
  }
  if (start->dims->size != 1 || start->dims->data[0] != r) {
    char ss[160];
    pl_shape_string(start->dims, ss, sizeof(ss));
    pl_report(sg, "DYNAMIC_UPDATE_SLICE: start_indices must be 1-D with %d "
              "entries (the operand's rank), got shape %s.", r, ss);
    return kTfLiteError;
  }
  return pl_resize_like(sg, output, operand->dims);
}

static TfLiteStatus dus_eval(PlSubgraph* sg, PlNode* node) {
  const TfLiteTensor* operand = pl_input(sg, node, kOperand);
  const TfLiteTensor* update = pl_input(sg, node, kUpdate);
  const TfLiteTensor* start = pl_input(sg, node, kStart);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  const int r = operand->dims->size;
  const size_t elem = pl_type_size(operand->type);
  const int64_t total = pl_num_elements(operand);
  PL_ENSURE(sg, pl_same_shape(output, operand));
  PL_ENSURE_OK(pl_idx_has_data(sg, "DYNAMIC_UPDATE_SLICE", "start_indices",
                               start));
  if (total == 0) return kTfLiteOk;
  PL_ENSURE_OK(pl_idx_has_data(sg, "DYNAMIC_UPDATE_SLICE", "operand",
                               operand));
  if (output->data.raw != operand->data.raw_const)
    memcpy(output->data.raw, operand->data.raw_const, (size_t)total * elem);
  if (pl_num_elements(update) == 0) return kTfLiteOk;
  PL_ENSURE_OK(pl_idx_has_data(sg, "DYNAMIC_UPDATE_SLICE", "update", update));
  int64_t extent[PL_MAX_RANK], out_stride[PL_MAX_RANK], in_stride[PL_MAX_RANK];
  pl_shape_strides(operand->dims->data, r, out_stride);
  pl_shape_strides(update->dims->data, r, in_stride);
  int64_t offset = 0;
  for (int i = 0; i < r; ++i) {
    const int64_t hi = operand->dims->data[i] - update->dims->data[i];
    int64_t s = pl_idx_at(start, i);
    s = s < 0 ? 0 : (s > hi ? hi : s);
    offset += s * out_stride[i];
    extent[i] = update->dims->data[i];
  }
  pl_shape_copy(r, extent, update->data.raw_const, 0, in_stride,
                output->data.raw, offset, out_stride, elem);
  return kTfLiteOk;
}

const PlKernel pl_kernel_dynamic_update_slice = {
    .name = "DYNAMIC_UPDATE_SLICE",
    .prepare = dus_prepare,
    .eval = dus_eval,
    .types = "float32, float16, int8, uint8, int16, int32, int64, bool "
             "(start_indices int32, int64)",
};
