/* pylite: what RESIZE_BILINEAR and RESIZE_NEAREST_NEIGHBOR share: options,
 * the size input and the output shape.
 *
 * Input [N, H, W, C]; size (input 1) an int32 vector [2] holding the new
 * height and width (each >= 0, the input's dims >= 1 unless the output is
 * empty); output [N, new H, new W, C]. A non-constant size makes the
 * output dynamic. align_corners and half_pixel_centers come from the
 * options (field ids differ per op). */
#ifndef PYLITE_KERNELS_INTERNAL_SPATIAL_RESIZE_H_
#define PYLITE_KERNELS_INTERNAL_SPATIAL_RESIZE_H_

#include "capi/kernels/internal/spatial_util.h"

typedef struct PlSpatialResize {
  bool align_corners, half_pixel_centers;
} PlSpatialResize;

PL_SPATIAL_FN TfLiteStatus pl_spatial_resize_init(PlSubgraph* sg,
                                                  PlNode* node,
                                                  int options_type,
                                                  int field_align,
                                                  int field_half) {
  PlSpatialResize* d = calloc(1, sizeof(*d));
  if (!d) {
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  if (node->def->builtin_options_type == options_type) {
    const PlFbTable* o = &node->def->builtin_options;
    d->align_corners = pl_fb_bool(o, field_align, false);
    d->half_pixel_centers = pl_fb_bool(o, field_half, false);
  }
  node->user_data = d;
  return kTfLiteOk;
}

PL_SPATIAL_FN void pl_spatial_resize_free(PlNode* node) {
  free(node->user_data);
  node->user_data = NULL;
}

/* Reads the size input and computes the output dims. */
PL_SPATIAL_FN TfLiteStatus pl_spatial_resize_dims(PlSubgraph* sg,
                                                  const PlNode* node,
                                                  const char* op,
                                                  int64_t* dims) {
  const TfLiteTensor* input = pl_input(sg, node, 0);
  const TfLiteTensor* size = pl_input(sg, node, 1);
  if (!size->data.raw_const) {
    pl_report(sg, "%s: the size tensor has no data.", op);
    return kTfLiteError;
  }
  const int32_t h = size->data.i32[0], w = size->data.i32[1];
  char is[160];
  pl_shape_string(input->dims, is, sizeof(is));
  if (h < 0 || w < 0) {
    pl_report(sg, "%s: size [%d, %d] must be >= 0.", op, (int)h, (int)w);
    return kTfLiteError;
  }
  if ((h > 0 && w > 0) && (input->dims->data[1] == 0 ||
                           input->dims->data[2] == 0) &&
      input->dims->data[0] > 0 && input->dims->data[3] > 0) {
    pl_report(sg, "%s: cannot resize the empty image of shape %s to [%d, "
              "%d].", op, is, (int)h, (int)w);
    return kTfLiteError;
  }
  dims[0] = input->dims->data[0];
  dims[1] = h;
  dims[2] = w;
  dims[3] = input->dims->data[3];
  return kTfLiteOk;
}

/* Checks inputs and options; sizes the output (or makes it dynamic). */
PL_SPATIAL_FN TfLiteStatus pl_spatial_resize_prepare(PlSubgraph* sg,
                                                     PlNode* node,
                                                     const char* op) {
  const PlSpatialResize* d = node->user_data;
  PL_ENSURE(sg, d != NULL);
  PL_ENSURE_OK(pl_shape_arity(sg, node, op, 2, 2, 1, 1));
  const TfLiteTensor* input = pl_input(sg, node, 0);
  const TfLiteTensor* size = pl_input(sg, node, 1);
  TfLiteTensor* output = pl_output(sg, node, 0);
  PL_ENSURE_OK(pl_spatial_check_rank(sg, op, "input", input, 4));
  if (size->type != kTfLiteInt32 || size->dims->size != 1 ||
      size->dims->data[0] != 2) {
    char ss[160];
    pl_shape_string(size->dims, ss, sizeof(ss));
    pl_report(sg, "%s: size must be an int32 tensor of shape [2], got %s of "
              "shape %s.", op, TfLiteTypeGetName(size->type), ss);
    return kTfLiteError;
  }
  if (output->type != input->type) {
    pl_report(sg, "%s: output has type %s, expected %s.", op,
              TfLiteTypeGetName(output->type),
              TfLiteTypeGetName(input->type));
    return kTfLiteError;
  }
  if (!pl_is_constant(size)) {
    pl_set_dynamic(output);
    return kTfLiteOk;
  }
  int64_t dims[4];
  PL_ENSURE_OK(pl_spatial_resize_dims(sg, node, op, dims));
  return pl_spatial_resize64(sg, op, output, 4, dims);
}

/* At eval: sizes a dynamic output, or checks a static one. */
PL_SPATIAL_FN TfLiteStatus pl_spatial_resize_output(PlSubgraph* sg,
                                                    PlNode* node,
                                                    const char* op) {
  int64_t dims[4];
  PL_ENSURE_OK(pl_spatial_resize_dims(sg, node, op, dims));
  TfLiteTensor* output = pl_output(sg, node, 0);
  if (!pl_is_constant(pl_input(sg, node, 1)))
    PL_ENSURE_OK(pl_spatial_resize64(sg, op, output, 4, dims));
  return pl_spatial_same_dims(sg, op, output, 4, dims);
}

#endif /* PYLITE_KERNELS_INTERNAL_SPATIAL_RESIZE_H_ */
