/* pylite: MATRIX_SET_DIAG, replaces the main diagonal of matrices.
 *
 * As TFLite's builtin MATRIX_SET_DIAG: input [..., M, N] (rank >= 2) and
 * diagonal [..., min(M, N)] of one type (float32, int8, uint8, int16,
 * int32 or int64); the output is the input with element [..., i, i] set to
 * diagonal[..., i]. LiteRT has no bool or float16 form (it writes garbage
 * for them); pylite rejects them in prepare, and checks the diagonal's
 * shape (LiteRT does not).
 * Quantized int8, uint8 and int16 tensors move as they are when all share
 * one scale and zero point (anything else is a "not supported yet"
 * error). */
#include <stdint.h>

#include "capi/kernels/internal/indexing.h"

enum { kInput = 0, kDiagonal = 1, kOutput = 0 };

static const TfLiteType kDiagTypes[] = {kTfLiteFloat32, kTfLiteInt8,
                                        kTfLiteUInt8,   kTfLiteInt16,
                                        kTfLiteInt32,   kTfLiteInt64,
                                        kTfLiteNoType};

static TfLiteStatus msd_prepare(PlSubgraph* sg, PlNode* node) {
  PL_ENSURE_OK(pl_shape_arity(sg, node, "MATRIX_SET_DIAG", 2, 2, 1, 1));
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  const TfLiteTensor* diag = pl_input(sg, node, kDiagonal);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  PL_ENSURE_OK(pl_idx_check_type_q(
      sg, "MATRIX_SET_DIAG", "input", input, kDiagTypes,
      "float32, int8, uint8, int16, int32, int64", true));
  PL_ENSURE_OK(pl_shape_check_type(sg, "MATRIX_SET_DIAG", "diagonal", diag,
                                   input));
  PL_ENSURE_OK(pl_shape_check_type(sg, "MATRIX_SET_DIAG", "output", output,
                                   input));
  const int r = input->dims->size;
  char is[160], ds[160];
  pl_shape_string(input->dims, is, sizeof(is));
  pl_shape_string(diag->dims, ds, sizeof(ds));
  if (r < 2) {
    pl_report(sg, "MATRIX_SET_DIAG: the input must have rank >= 2, got shape "
              "%s.", is);
    return kTfLiteError;
  }
  const int m = input->dims->data[r - 2], n = input->dims->data[r - 1];
  bool ok = diag->dims->size == r - 1 &&
            diag->dims->data[r - 2] == (m < n ? m : n);
  for (int i = 0; ok && i < r - 2; ++i)
    ok = diag->dims->data[i] == input->dims->data[i];
  if (!ok) {
    pl_report(sg, "MATRIX_SET_DIAG: diagonal shape %s must be input.shape"
              "[:-2] + [min(M, N)] for input shape %s.", ds, is);
    return kTfLiteError;
  }
  return pl_resize_like(sg, output, input->dims);
}

static TfLiteStatus msd_eval(PlSubgraph* sg, PlNode* node) {
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  const TfLiteTensor* diag = pl_input(sg, node, kDiagonal);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  const int64_t total = pl_num_elements(input);
  if (total == 0) return kTfLiteOk;
  PL_ENSURE_OK(pl_idx_has_data(sg, "MATRIX_SET_DIAG", "input", input));
  const size_t elem = pl_type_size(input->type);
  const int r = input->dims->size;
  const int64_t m = input->dims->data[r - 2], n = input->dims->data[r - 1];
  const int64_t k = m < n ? m : n;
  const int64_t batches = total / (m * n);
  if (output->data.raw != input->data.raw_const)
    memcpy(output->data.raw, input->data.raw_const, (size_t)total * elem);
  if (k == 0) return kTfLiteOk;
  PL_ENSURE_OK(pl_idx_has_data(sg, "MATRIX_SET_DIAG", "diagonal", diag));
  for (int64_t b = 0; b < batches; ++b) {
    for (int64_t i = 0; i < k; ++i) {
      memcpy(output->data.raw + (b * m * n + i * n + i) * (int64_t)elem,
             diag->data.raw_const + (b * k + i) * (int64_t)elem, elem);
    }
  }
  return kTfLiteOk;
}

const PlKernel pl_kernel_matrix_set_diag = {
    .name = "MATRIX_SET_DIAG",
    .prepare = msd_prepare,
    .eval = msd_eval,
    .types = "float32, int8, uint8, int16, int32, int64",
};
