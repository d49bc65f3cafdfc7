/* pylite: RESHAPE, the same elements under a new shape.
 *
 * As TFLite's builtin RESHAPE, for any type including strings:
 *  - the new shape comes from input 1 when there are 2 inputs and it is a
 *    1-D int32 tensor (a 0-element one means a scalar output); otherwise
 *    from ReshapeOptions.new_shape, where the legacy value [0] also means a
 *    scalar, and absent options mean a scalar;
 *  - one dim may be -1: it is inferred from the element count (when the
 *    input is empty and the other dims are not, it becomes 0);
 *  - the element counts must then match;
 *  - the data is copied, or the output shares the input's buffer when the
 *    runtime can arrange it (PlKernel.view), as recent LiteRT does.
 * When the shape tensor is not constant the output is sized at run time
 * (dynamic), and string outputs are always dynamic.
 *
 * Stricter than TFLite: dims below -1 are an error rather than undefined;
 * quantized (int8, uint8, int16) input and output must carry the same
 * quantization, as the bytes are copied unchanged (TFLite does not check). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capi/core/kernel.h"
#include "capi/kernels/internal/quant_spatial.h"
#include "capi/kernels/internal/shape_util.h"

enum { kInput = 0, kShape = 1, kOutput = 0 };

/* Schema BuiltinOptions union type and ReshapeOptions field ids. */
enum { kReshapeOptionsType = 17 };
enum { kFieldNewShape = 0 };
/* TFLite's ReshapeOptions.new_shape holds at most 8 dims. */
enum { kMaxNewShape = 8 };

typedef struct ReshapeData {
  int32_t num_new_shape;
  int32_t new_shape[kMaxNewShape];
  bool shape_at_eval; /* the output is resized in eval */
} ReshapeData;

static void dims_string(const int* dims, int rank, char* buf, size_t size) {
  size_t used = 0;
  int n = snprintf(buf, size, "[");
  used = n > 0 ? (size_t)n : 0;
  for (int i = 0; i < rank && used < size; ++i) {
    n = snprintf(buf + used, size - used, i ? ",%d" : "%d", dims[i]);
    if (n < 0) return;
    used += (size_t)n;
  }
  if (used < size) snprintf(buf + used, size - used, "]");
}

/* Reads new_shape; false (reported) if it is malformed or too long. */
static bool parse_new_shape(PlSubgraph* sg, const PlNode* node,
                            ReshapeData* data) {
  /* As TFLite: options of another union type, or no new_shape, read as an
   * empty shape. */
  if (node->def->builtin_options_type != kReshapeOptionsType) return true;
  PlFbVec vec;
  const int found =
      pl_fb_vector(&node->def->builtin_options, kFieldNewShape, 4, &vec);
  if (found == PL_FB_INVALID) {
    pl_report(sg, "RESHAPE: malformed ReshapeOptions.new_shape.");
    return false;
  }
  if (found == PL_FB_ABSENT) return true;
  if (vec.len > kMaxNewShape) {
    pl_report(sg, "RESHAPE: ReshapeOptions.new_shape has %u dims (limit %d).",
              (unsigned)vec.len, kMaxNewShape);
    return false;
  }
  data->num_new_shape = (int32_t)vec.len;
  for (uint32_t i = 0; i < vec.len; ++i)
    data->new_shape[i] = pl_fb_vec_i32(&vec, i);
  return true;
}

static TfLiteStatus reshape_init(PlSubgraph* sg, PlNode* node) {
  ReshapeData* data = calloc(1, sizeof(*data));
  if (!data) {
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  /* A failed init gets no free call: clean up here. */
  if (!parse_new_shape(sg, node, data)) {
    free(data);
    return kTfLiteError;
  }
  node->user_data = data;
  return kTfLiteOk;
}

static void reshape_free(PlNode* node) {
  free(node->user_data);
  node->user_data = NULL;
}

/* The shape tensor, if TFLite would read the shape from it. */
static const TfLiteTensor* shape_tensor(PlSubgraph* sg, const PlNode* node) {
  if (pl_num_inputs(node) != 2) return NULL;
  const TfLiteTensor* shape = pl_input(sg, node, kShape);
  if (!shape || shape->dims->size != 1 || shape->type != kTfLiteInt32)
    return NULL;
  return shape;
}

/* Computes the output dims: reads the requested shape, infers the -1 dim
 * and checks the element count. */
static TfLiteStatus output_dims(PlSubgraph* sg, const PlNode* node,
                                const ReshapeData* data, int* dims,
                                int* rank) {
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  const TfLiteTensor* shape = shape_tensor(sg, node);
  int r = 0;
  if (shape) {
    r = shape->dims->data[0];
    if (r > PL_MAX_RANK) {
      pl_report(sg, "RESHAPE: the shape tensor asks for %d dims (limit %d).",
                r, PL_MAX_RANK);
      return kTfLiteError;
    }
    if (r > 0 && !shape->data.i32) {
      pl_report(sg, "RESHAPE: the shape tensor has no data.");
      return kTfLiteError;
    }
    for (int i = 0; i < r; ++i) dims[i] = shape->data.i32[i];
  } else {
    r = data->num_new_shape;
    /* Legacy models write [0] for a scalar. */
    if (r == 1 && data->new_shape[0] == 0) r = 0;
    for (int i = 0; i < r; ++i) dims[i] = data->new_shape[i];
  }

  char want[256];
  dims_string(dims, r, want, sizeof(want));
  /* TFLite's rule: zero dims are left out of the products used to infer
   * the -1 dim, so that e.g. [0, 3] -> [-1, 0] gives [3, 0]. */
  int64_t in_count = 1, in_nonzero = 1;
  for (int i = 0; i < input->dims->size; ++i) {
    const int64_t d = input->dims->data[i];
    if (d != 0) {
      if (in_nonzero > INT64_MAX / d) {
        pl_report(sg, "RESHAPE: the input has too many elements.");
        return kTfLiteError;
      }
      in_nonzero *= d;
    }
    in_count *= d; /* <= in_nonzero, cannot overflow */
  }
  int64_t out_count = 1, out_nonzero = 1;
  int stretch = -1;
  for (int i = 0; i < r; ++i) {
    if (dims[i] == -1) {
      if (stretch != -1) {
        pl_report(sg, "RESHAPE: only one dim may be -1, got shape %s.", want);
        return kTfLiteError;
      }
      stretch = i;
      continue;
    }
    if (dims[i] < 0) {
      pl_report(sg, "RESHAPE: negative dim %d in shape %s.", dims[i], want);
      return kTfLiteError;
    }
    if (dims[i] != 0) {
      if (out_nonzero > INT64_MAX / dims[i]) {
        pl_report(sg, "RESHAPE: shape %s has too many elements.", want);
        return kTfLiteError;
      }
      out_nonzero *= dims[i];
    }
    out_count *= dims[i]; /* <= out_nonzero, cannot overflow */
  }
  if (stretch != -1) {
    const int64_t inferred = (in_count == 0 && out_count != 0)
                                 ? 0
                                 : in_nonzero / out_nonzero;
    if (inferred > INT32_MAX) {
      pl_report(sg, "RESHAPE: inferred dim %lld is too large.",
                (long long)inferred);
      return kTfLiteError;
    }
    dims[stretch] = (int)inferred;
    out_count *= inferred;
  }
  if (in_count != out_count) {
    char have[256];
    dims_string(input->dims->data, input->dims->size, have, sizeof(have));
    pl_report(sg,
              "RESHAPE: cannot reshape %s (%lld elements) to %s (%lld "
              "elements).",
              have, (long long)in_count, want, (long long)out_count);
    return kTfLiteError;
  }
  *rank = r;
  return kTfLiteOk;
}

static TfLiteStatus reshape_prepare(PlSubgraph* sg, PlNode* node) {
  ReshapeData* data = node->user_data;
  PL_ENSURE(sg, data != NULL);
  const int num_inputs = pl_num_inputs(node);
  if ((num_inputs != 1 && num_inputs != 2) || pl_num_outputs(node) != 1) {
    pl_report(sg, "RESHAPE takes 1 or 2 inputs and 1 output, got %d and %d.",
              num_inputs, pl_num_outputs(node));
    return kTfLiteError;
  }
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  PL_ENSURE(sg, input != NULL);
  PL_ENSURE(sg, output != NULL);
  if (input->type != output->type) {
    pl_report(sg, "RESHAPE input type %s does not match output type %s.",
              TfLiteTypeGetName(input->type), TfLiteTypeGetName(output->type));
    return kTfLiteError;
  }
  PL_ENSURE_OK(
      pl_qs_check_move(sg, "RESHAPE", "input", input, "output", output));
  const TfLiteTensor* shape = shape_tensor(sg, node);
  data->shape_at_eval =
      output->type == kTfLiteString || (shape && !pl_is_constant(shape));
  if (shape && !pl_is_constant(shape)) {
    pl_set_dynamic(output);
    return kTfLiteOk;
  }
  /* The shape is known now: check it (strings too, for an early error). */
  int dims[PL_MAX_RANK];
  int rank = 0;
  PL_ENSURE_OK(output_dims(sg, node, data, dims, &rank));
  if (output->type == kTfLiteString) pl_set_dynamic(output);
  return pl_resize(sg, output, rank, dims);
}

static TfLiteStatus copy_strings(PlSubgraph* sg, const TfLiteTensor* input,
                                 TfLiteTensor* output) {
  const int64_t count = pl_num_elements(input);
  const int32_t have = pl_string_count(input);
  if (have < 0 || have != count) {
    pl_report(sg,
              "RESHAPE: the input string tensor holds %d strings, its shape "
              "%lld elements.",
              (int)have, (long long)count);
    return kTfLiteError;
  }
  if (count == 0) return pl_string_write(sg, output, 0, NULL, NULL);
  const char** strs = malloc(sizeof(*strs) * (size_t)count);
  size_t* lens = malloc(sizeof(*lens) * (size_t)count);
  if (!strs || !lens) {
    free(strs);
    free(lens);
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  for (int32_t i = 0; i < have; ++i)
    pl_string_get(input, i, &strs[i], &lens[i]);
  const TfLiteStatus status =
      pl_string_write(sg, output, have, (const char* const*)strs, lens);
  free(strs);
  free(lens);
  return status;
}

static TfLiteStatus reshape_eval(PlSubgraph* sg, PlNode* node) {
  const ReshapeData* data = node->user_data;
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  if (data->shape_at_eval) {
    int dims[PL_MAX_RANK];
    int rank = 0;
    PL_ENSURE_OK(output_dims(sg, node, data, dims, &rank));
    PL_ENSURE_OK(pl_resize(sg, output, rank, dims));
  }
  if (output->type == kTfLiteString) return copy_strings(sg, input, output);
  /* Prepare matched the element counts; this guards the copy against an
   * input resized since. */
  if (output->bytes != input->bytes) {
    pl_report(sg, "RESHAPE: output has %zu bytes, input %zu.", output->bytes,
              input->bytes);
    return kTfLiteError;
  }
  if (input->bytes) memcpy(output->data.raw, input->data.raw_const, input->bytes);
  return kTfLiteOk;
}

const PlKernel pl_kernel_reshape = {
    .name = "RESHAPE",
    .init = reshape_init,
    .free = reshape_free,
    .prepare = reshape_prepare,
    .eval = reshape_eval,
    .view = pl_shape_view_whole,
    .types = "any type, including string",
};
