/* pylite: DENSIFY, a sparse constant weight expanded to a dense tensor.
 *
 * As TFLite's builtin DENSIFY: the input is a constant tensor whose buffer
 * holds only the values its SparsityParameters keep; the output has the
 * input's type and shape with every other element 0. The parameters list
 * the tensor's n dims in traversal_order (a permutation of 0..n-1), then
 * optional block dims n..n+k-1, block dim n+j splitting tensor dim
 * block_map[j] into blocks of dim_metadata[n+j].dense_size. Each level of
 * dim_metadata is DENSE (all dense_size positions) or SPARSE_CSR
 * (array_segments[p]..array_segments[p+1] of array_indices, p being the
 * position reached in the level above); the stored values are read in
 * that traversal order. Types: float32, float16, int8.
 *
 * The dense tensor is built once, at prepare, into a buffer the node owns;
 * the output points at it and is constant data (as DEQUANTIZE of a
 * constant), so eval does nothing.
 *
 * The model reader has already checked the parameters against the shape
 * and buffer size; prepare checks again as it writes (internal/sparse.h)
 * and reports parameters that do not describe the buffer. Differences, on
 * the safe side: block levels must be DENSE, in identity traversal order,
 * with block_map increasing (the only forms the converter writes and the
 * only ones LiteRT's converter code reads consistently); other forms are
 * rejected. */
#include <stdint.h>
#include <stdlib.h>

#include "capi/core/kernel.h"
#include "capi/kernels/internal/sparse.h"

enum { kInput = 0, kOutput = 0 };

typedef struct DensifyData {
  void* dense; /* the densified constant, owned */
} DensifyData;

static TfLiteStatus densify_init(PlSubgraph* sg, PlNode* node) {
  DensifyData* data = calloc(1, sizeof(*data));
  if (!data) {
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  node->user_data = data;
  return kTfLiteOk;
}

static void densify_free(PlNode* node) {
  DensifyData* data = node->user_data;
  if (data) free(data->dense);
  free(data);
  node->user_data = NULL;
}

static TfLiteStatus densify_prepare(PlSubgraph* sg, PlNode* node) {
  DensifyData* data = node->user_data;
  PL_ENSURE(sg, data != NULL);
  if (pl_num_inputs(node) != 1 || pl_num_outputs(node) != 1) {
    pl_report(sg, "DENSIFY takes 1 input and 1 output, got %d and %d.",
              pl_num_inputs(node), pl_num_outputs(node));
    return kTfLiteError;
  }
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  PL_ENSURE(sg, input != NULL);
  PL_ENSURE(sg, output != NULL);
  /* A second AllocateTensors: the output still points at our buffer. */
  if (data->dense && output->data.raw == (char*)data->dense) return kTfLiteOk;
  if (output->type != input->type) {
    pl_report(sg, "DENSIFY: output is %s but input '%s' is %s.",
              TfLiteTypeGetName(output->type), input->name ? input->name : "",
              TfLiteTypeGetName(input->type));
    return kTfLiteError;
  }
  void* dense = NULL;
  size_t bytes = 0;
  PL_ENSURE_OK(
      pl_sparse_densify(sg, node, kInput, "DENSIFY", "input", &dense, &bytes));
  if (pl_resize_like(sg, output, input->dims) != kTfLiteOk) {
    free(dense);
    return kTfLiteError;
  }
  free(data->dense);
  data->dense = dense;
  pl_set_constant_output(output, dense, bytes);
  return kTfLiteOk;
}

static TfLiteStatus densify_eval(PlSubgraph* sg, PlNode* node) {
  (void)sg;
  (void)node;
  return kTfLiteOk; /* built at prepare */
}

const PlKernel pl_kernel_densify = {
    .name = "DENSIFY",
    .init = densify_init,
    .free = densify_free,
    .prepare = densify_prepare,
    .eval = densify_eval,
    .types = "float32, float16, int8",
};
