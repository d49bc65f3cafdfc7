/* pylite: RESIZE_BILINEAR, bilinear resampling of NHWC images.
 *
 * As TFLite's builtin RESIZE_BILINEAR (shapes and options:
 * internal/spatial_resize.h; ResizeBilinearOptions.align_corners and
 * half_pixel_centers). Per axis, with scale = in / out (or (in - 1) /
 * (out - 1) when align_corners and out > 1), output coordinate v maps to
 * s = v * scale, or (v + 0.5) * scale - 0.5 with half_pixel_centers, all in
 * float; lo = max(floor(s), 0), hi = min(ceil(s), in - 1). The value is
 *   p00*(1-dy)*(1-dx) + p10*dy*(1-dx) + p01*(1-dy)*dx + p11*dy*dx + 0
 * with dy = sy - lo, evaluated left to right in float as TFLite's
 * reference kernel, so results match it bit for bit. align_corners and
 * half_pixel_centers together are an error, as in TFLite.
 *
 * uint8 runs the same float formula on the byte values, adding 0.5 before
 * truncating, as TFLite's reference template. int8 and int16 use TFLite's
 * integer-only variant: scales in 1/1024 units, (1024 * in + out / 2) /
 * out (align_corners: (1024 * (in - 1) + (out - 1) / 2) / (out - 1)),
 * source s = v * scale (half_pixel_centers: + scale / 2 - 512), lo =
 * max(s / 1024, 0), hi = min((s + 1023) / 1024, in - 1) in C division,
 * the four products summed in int64 and divided by 2^20 rounding halves
 * away from zero. These integer forms move values without rescaling, so
 * quantized input and output must share scale and zero point.
 *
 * Difference: lo is also clamped to in - 1 (and the integer form's
 * arithmetic done in int64), so extreme sizes where float or 1/1024
 * rounding pushes a source coordinate past the edge read the last pixel
 * where TFLite reads out of bounds. */
#include <math.h>

#include "capi/core/kernel.h"
#include "capi/kernels/internal/spatial_resize.h"

/* Schema BuiltinOptions union type and ResizeBilinearOptions field ids
 * (0 and 1 are the deprecated new_height / new_width). */
enum { kResizeBilinearOptionsType = 15 };
enum { kFieldAlignCorners = 2, kFieldHalfPixelCenters = 3 };

static const char kOp[] = "RESIZE_BILINEAR";

static TfLiteStatus bilinear_init(PlSubgraph* sg, PlNode* node) {
  return pl_spatial_resize_init(sg, node, kResizeBilinearOptionsType,
                                kFieldAlignCorners, kFieldHalfPixelCenters);
}

static TfLiteStatus bilinear_prepare(PlSubgraph* sg, PlNode* node) {
  const PlSpatialResize* d = node->user_data;
  PL_ENSURE(sg, d != NULL);
  if (d->align_corners && d->half_pixel_centers) {
    pl_report(sg, "%s: If half_pixel_centers is True, align_corners must be "
              "False.", kOp);
    return kTfLiteError;
  }
  PL_ENSURE_OK(pl_spatial_resize_prepare(sg, node, kOp));
  const TfLiteTensor* input = pl_input(sg, node, 0);
  switch (input->type) {
    case kTfLiteFloat32:
      return kTfLiteOk;
    case kTfLiteUInt8:
    case kTfLiteInt8:
    case kTfLiteInt16:
      return pl_shape_check_type(sg, kOp, "output", pl_output(sg, node, 0),
                                 input);
    default:
      pl_report(sg, "%s: type %s is not supported (float32, uint8, int8, "
                "int16).", kOp, TfLiteTypeGetName(input->type));
      return kTfLiteError;
  }
}

static float axis_scale(int32_t in, int32_t out, bool align_corners) {
  if (align_corners && out > 1) return (float)(in - 1) / (out - 1);
  return (float)in / out;
}

/* The source coordinate and its two neighbours along one axis. */
static void axis_source(int32_t v, float scale, bool half, int32_t in,
                        float* s, int32_t* lo, int32_t* hi) {
  const float value = (float)v;
  *s = half ? (value + 0.5f) * scale - 0.5f : value * scale;
  const int32_t f = (int32_t)floorf(*s), c = (int32_t)ceilf(*s);
  *lo = f > 0 ? (f < in - 1 ? f : in - 1) : 0;
  *hi = c < in - 1 ? c : in - 1;
}

/* The float formula; `offset` is 0.5 for uint8 (rounding), else 0. */
#define PL_BILINEAR_FLOAT(T, offset)                                         \
  do {                                                                       \
    const T* in = (const T*)input->data.raw_const;                           \
    T* out = (T*)output->data.raw;                                           \
    for (int32_t b = 0; b < n; ++b) {                                        \
      for (int32_t y = 0; y < oh; ++y) {                                     \
        float sy;                                                            \
        int32_t y0, y1;                                                      \
        axis_source(y, hs, d->half_pixel_centers, ih, &sy, &y0, &y1);        \
        for (int32_t x = 0; x < ow; ++x) {                                   \
          float sx;                                                          \
          int32_t x0, x1;                                                    \
          axis_source(x, ws, d->half_pixel_centers, iw, &sx, &x0, &x1);      \
          const T* p00 = in + (((int64_t)b * ih + y0) * iw + x0) * ch;       \
          const T* p10 = in + (((int64_t)b * ih + y1) * iw + x0) * ch;       \
          const T* p01 = in + (((int64_t)b * ih + y0) * iw + x1) * ch;       \
          const T* p11 = in + (((int64_t)b * ih + y1) * iw + x1) * ch;       \
          const float dy = sy - (float)y0, dx = sx - (float)x0;              \
          T* o = out + (((int64_t)b * oh + y) * ow + x) * ch;                \
          for (int32_t c = 0; c < ch; ++c) {                                 \
            o[c] = (T)(p00[c] * (1 - dy) * (1 - dx) +                        \
                       p10[c] * dy * (1 - dx) + p01[c] * (1 - dy) * dx +     \
                       p11[c] * dy * dx + (offset));                         \
          }                                                                  \
        }                                                                    \
      }                                                                      \
    }                                                                        \
  } while (0)

static int64_t int_scale(int64_t in, int64_t out, bool align_corners) {
  if (align_corners && out > 1)
    return ((1 << 10) * (in - 1) + (out - 1) / 2) / (out - 1);
  return ((1 << 10) * in + out / 2) / out;
}

static void int_source(int64_t v, int64_t scale, bool half, int64_t in,
                       int64_t* s, int64_t* lo, int64_t* hi) {
  *s = half ? v * scale + scale / 2 - (1 << 9) : v * scale;
  const int64_t f = *s / (1 << 10), c = (*s + (1 << 10) - 1) / (1 << 10);
  *lo = f > 0 ? (f < in - 1 ? f : in - 1) : 0;
  *hi = c < in - 1 ? c : in - 1;
}

/* The integer-only formula (int8, int16). */
#define PL_BILINEAR_INT(T)                                                   \
  do {                                                                       \
    const T* in = (const T*)input->data.raw_const;                           \
    T* out = (T*)output->data.raw;                                           \
    const int64_t hs10 = int_scale(ih, oh, d->align_corners);                \
    const int64_t ws10 = int_scale(iw, ow, d->align_corners);                \
    for (int32_t b = 0; b < n; ++b) {                                        \
      for (int32_t y = 0; y < oh; ++y) {                                     \
        int64_t sy, y0, y1;                                                  \
        int_source(y, hs10, d->half_pixel_centers, ih, &sy, &y0, &y1);       \
        const int64_t wy1 = sy - (1 << 10) * y0, wy0 = (1 << 10) - wy1;      \
        for (int32_t x = 0; x < ow; ++x) {                                   \
          int64_t sx, x0, x1;                                                \
          int_source(x, ws10, d->half_pixel_centers, iw, &sx, &x0, &x1);     \
          const int64_t wx1 = sx - (1 << 10) * x0, wx0 = (1 << 10) - wx1;    \
          const T* p00 = in + (((int64_t)b * ih + y0) * iw + x0) * ch;       \
          const T* p10 = in + (((int64_t)b * ih + y1) * iw + x0) * ch;       \
          const T* p01 = in + (((int64_t)b * ih + y0) * iw + x1) * ch;       \
          const T* p11 = in + (((int64_t)b * ih + y1) * iw + x1) * ch;       \
          T* o = out + (((int64_t)b * oh + y) * ow + x) * ch;                \
          for (int32_t c = 0; c < ch; ++c) {                                 \
            const int64_t v = p00[c] * wy0 * wx0 + p10[c] * wy1 * wx0 +      \
                              p01[c] * wy0 * wx1 + p11[c] * wy1 * wx1;       \
            const int64_t r = v > 0 ? (1 << 19) : -(1 << 19);                \
            o[c] = (T)((v + r) / (1 << 20));                                 \
          }                                                                  \
        }                                                                    \
      }                                                                      \
    }                                                                        \
  } while (0)

static TfLiteStatus bilinear_eval(PlSubgraph* sg, PlNode* node) {
  const PlSpatialResize* d = node->user_data;
  PL_ENSURE_OK(pl_spatial_resize_output(sg, node, kOp));
  const TfLiteTensor* input = pl_input(sg, node, 0);
  TfLiteTensor* output = pl_output(sg, node, 0);
  if (pl_num_elements(output) == 0) return kTfLiteOk;
  const int32_t n = input->dims->data[0], ih = input->dims->data[1];
  const int32_t iw = input->dims->data[2], ch = input->dims->data[3];
  const int32_t oh = output->dims->data[1], ow = output->dims->data[2];
  const float hs = axis_scale(ih, oh, d->align_corners);
  const float ws = axis_scale(iw, ow, d->align_corners);
  switch (input->type) {
    case kTfLiteFloat32: PL_BILINEAR_FLOAT(float, 0.0f); break;
    case kTfLiteUInt8: PL_BILINEAR_FLOAT(uint8_t, 0.5f); break;
    case kTfLiteInt8: PL_BILINEAR_INT(int8_t); break;
    default: PL_BILINEAR_INT(int16_t); break;
  }
  return kTfLiteOk;
}

const PlKernel pl_kernel_resize_bilinear = {
    .name = "RESIZE_BILINEAR",
    .init = bilinear_init,
    .free = pl_spatial_resize_free,
    .prepare = bilinear_prepare,
    .eval = bilinear_eval,
    .types = "float32, uint8, int8, int16",
};
