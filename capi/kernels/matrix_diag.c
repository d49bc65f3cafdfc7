/* pylite: MATRIX_DIAG, square matrices with a given diagonal.
 *
 * As TFLite's builtin MATRIX_DIAG: the input [..., N] (rank >= 1) gives the
 * output [..., N, N] of the same type (float32, int8, uint8, int16, int32
 * or int64), zero except its main diagonal, which holds the input. LiteRT
 * has no bool or float16 form (it writes garbage for them); pylite rejects
 * them in prepare.
 * Quantized int8, uint8 and int16 tensors move as they are when all share
 * one scale and zero point (anything else is a "not supported yet"
 * error). */
#include <stdint.h>

#include "capi/kernels/internal/indexing.h"

enum { kInput = 0, kOutput = 0 };

static const TfLiteType kDiagTypes[] = {kTfLiteFloat32, kTfLiteInt8,
                                        kTfLiteUInt8,   kTfLiteInt16,
                                        kTfLiteInt32,   kTfLiteInt64,
                                        kTfLiteNoType};

static TfLiteStatus md_prepare(PlSubgraph* sg, PlNode* node) {
  PL_ENSURE_OK(pl_shape_arity(sg, node, "MATRIX_DIAG", 1, 1, 1, 1));
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  PL_ENSURE_OK(pl_idx_check_type_q(
      sg, "MATRIX_DIAG", "input", input, kDiagTypes,
      "float32, int8, uint8, int16, int32, int64", true));
  PL_ENSURE_OK(pl_shape_check_type(sg, "MATRIX_DIAG", "output", output,
                                   input));
  const int r = input->dims->size;
  if (r < 1 || r + 1 > PL_MAX_RANK) {
    pl_report(sg, "MATRIX_DIAG: the input must have rank 1 to %d, got %d.",
              PL_MAX_RANK - 1, r);
    return kTfLiteError;
  }
  int dims[PL_MAX_RANK];
  for (int i = 0; i < r; ++i) dims[i] = input->dims->data[i];
  dims[r] = input->dims->data[r - 1];
  return pl_resize(sg, output, r + 1, dims);
}

static TfLiteStatus md_eval(PlSubgraph* sg, PlNode* node) {
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  const int64_t total = pl_num_elements(output);
  if (total == 0) return kTfLiteOk;
  PL_ENSURE_OK(pl_idx_has_data(sg, "MATRIX_DIAG", "input", input));
  const size_t elem = pl_type_size(input->type);
  const int64_t n = input->dims->data[input->dims->size - 1];
  const int64_t batches = pl_num_elements(input) / n;
  memset(output->data.raw, 0, (size_t)total * elem);
  for (int64_t b = 0; b < batches; ++b) {
    for (int64_t i = 0; i < n; ++i) {
      memcpy(output->data.raw + ((b * n + i) * n + i) * (int64_t)elem,
             input->data.raw_const + (b * n + i) * (int64_t)elem, elem);
    }
  }
  return kTfLiteOk;
}

const PlKernel pl_kernel_matrix_diag = {
    .name = "MATRIX_DIAG",
    .prepare = md_prepare,
    .eval = md_eval,
    .types = "float32, int8, uint8, int16, int32, int64",
};
