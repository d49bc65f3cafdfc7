/* pylite: SHAPE, the input's dims as a 1-D tensor.
 *
 * As TFLite's builtin SHAPE: the output is int32 or int64
 * (ShapeOptions.out_type; when the option is present it must match the
 * output tensor's type) with one entry per input dim. The input may be of
 * any type; its data is not read. */
#include <stdint.h>
#include <stdlib.h>

#include "capi/core/kernel.h"
#include "capi/kernels/internal/shape_util.h"

enum { kInput = 0, kOutput = 0 };

/* Schema BuiltinOptions union type, ShapeOptions field ids and the schema
 * TensorType values out_type may hold. */
enum { kShapeOptionsType = 55 };
enum { kFieldOutType = 0 };
enum { kSchemaInt32 = 2, kSchemaInt64 = 4 };

static TfLiteStatus shape_prepare(PlSubgraph* sg, PlNode* node) {
  PL_ENSURE_OK(pl_shape_arity(sg, node, "SHAPE", 1, 1, 1, 1));
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  if (output->type != kTfLiteInt32 && output->type != kTfLiteInt64) {
    pl_report(sg, "SHAPE: the output must be int32 or int64, got %s.",
              TfLiteTypeGetName(output->type));
    return kTfLiteError;
  }
  if (node->def->builtin_options_type == kShapeOptionsType &&
      pl_fb_has(&node->def->builtin_options, kFieldOutType)) {
    const int out_type =
        pl_fb_i8(&node->def->builtin_options, kFieldOutType, kSchemaInt32);
    const TfLiteType want = pl_type_from_schema(out_type);
    if (want != output->type) {
      pl_report(sg, "SHAPE: out_type %s does not match the output type %s.",
                TfLiteTypeGetName(want), TfLiteTypeGetName(output->type));
      return kTfLiteError;
    }
  }
  const int dims[1] = {input->dims->size};
  return pl_resize(sg, output, 1, dims);
}

static TfLiteStatus shape_eval(PlSubgraph* sg, PlNode* node) {
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  const int r = input->dims->size;
  if (output->dims->size != 1 || output->dims->data[0] != r) {
    const int dims[1] = {r};
    PL_ENSURE_OK(pl_resize(sg, output, 1, dims));
  }
  for (int i = 0; i < r; ++i) {
    if (output->type == kTfLiteInt32)
      output->data.i32[i] = input->dims->data[i];
    else
      output->data.i64[i] = input->dims->data[i];
  }
  return kTfLiteOk;
}

const PlKernel pl_kernel_shape = {
    .name = "SHAPE",
    .prepare = shape_prepare,
    .eval = shape_eval,
    .types = "any input; int32, int64 output",
};
