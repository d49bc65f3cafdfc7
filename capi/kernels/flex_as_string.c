/* pylite: FlexAsString, TensorFlow's AsString run natively.
 *
 * Each element of the input becomes a string, formatted as TensorFlow's
 * kernel does (absl::StrFormat with "%<fill>*.*<conv>", width and precision
 * from the attrs):
 *  - attrs: T (input dtype), precision (-1), scientific (false), shortest
 *    (false), width (-1), fill ("");
 *  - checks, in TensorFlow's order and words: T in AsString's allowed list;
 *    for types that are not float, complex or string, no scientific or
 *    shortest and no precision; fill at most one character; not both
 *    scientific and shortest; fill one of ' ', '+', '-', '0', '#';
 *  - floats (float, double, half, bfloat16; half and bfloat16 go through
 *    float): %f, or %e if scientific, or %g if shortest; complex: "(re,im)",
 *    each part formatted alone with the same width; ints: %d, unsigned:
 *    %u; bool: "true" / "false" (width ignored); strings: width <= 0
 *    passes them through, otherwise %s with precision cutting bytes and
 *    the fill's '-' left-justifying (padding is always spaces);
 *  - TensorFlow runs kernels with denormals treated as zero, so a
 *    subnormal float prints as a signed zero, and so does a subnormal
 *    double except with %e past precision 39 or %g past 40 (see
 *    flush_f64).
 * The number itself comes from snprintf (glibc's digits and "inf", "nan",
 * "-nan" are the ones TensorFlow prints); width padding is done here and
 * the decimal point is forced to '.', so the C locale does not matter. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capi/core/flex_node.h"
#include "capi/core/kernel.h"

enum { kInput = 0, kOutput = 0 };

/* ---- Format ----------------------------------------------------------------- */

static bool is_floating(int32_t t) {
  return t == PL_TF_FLOAT || t == PL_TF_DOUBLE || t == PL_TF_HALF ||
         t == PL_TF_BFLOAT16;
}
static bool is_complex(int32_t t) {
  return t == PL_TF_COMPLEX64 || t == PL_TF_COMPLEX128;
}
static bool is_unsigned(int32_t t) {
  return t == PL_TF_UINT8 || t == PL_TF_UINT16 || t == PL_TF_UINT32 ||
         t == PL_TF_UINT64;
}
static bool is_signed(int32_t t) {
  return t == PL_TF_INT8 || t == PL_TF_INT16 || t == PL_TF_INT32 ||
         t == PL_TF_INT64;
}

/* AsString's op definition: T's allowed values, in its order. */
static const int32_t kAllowed[] = {
    PL_TF_FLOAT,   PL_TF_DOUBLE,    PL_TF_INT32,  PL_TF_UINT8,
    PL_TF_INT16,   PL_TF_INT8,      PL_TF_INT64,  PL_TF_BFLOAT16,
    PL_TF_UINT16,  PL_TF_HALF,      PL_TF_UINT32, PL_TF_UINT64,
    PL_TF_COMPLEX64, PL_TF_COMPLEX128, PL_TF_BOOL, PL_TF_VARIANT,
    PL_TF_STRING,
};

static void set_err(char* err, size_t err_size, const char* text) {
  if (err && err_size) snprintf(err, err_size, "%s", text);
}

bool pl_as_string_format(PlAsStringFormat* fmt, int32_t dtype,
                         int32_t precision, bool scientific, bool shortest,
                         int32_t width, const uint8_t* fill, size_t fill_len,
                         char* err, size_t err_size) {
  char buf[48], msg[256];
  const char* name = pl_tf_dtype_name(dtype, buf, sizeof(buf));
  bool allowed = false;
  for (size_t i = 0; i < sizeof(kAllowed) / sizeof(kAllowed[0]); ++i)
    allowed = allowed || kAllowed[i] == dtype;
  if (!allowed) {
    snprintf(msg, sizeof(msg),
             "Value for attr 'T' of %s is not in the list of allowed values: "
             "float, double, int32, uint8, int16, int8, int64, bfloat16, "
             "uint16, half, uint32, uint64, complex64, complex128, bool, "
             "variant, string",
             name);
    set_err(err, err_size, msg);
    return false;
  }
  if (dtype != PL_TF_STRING && !is_floating(dtype) && !is_complex(dtype)) {
    if (scientific || shortest) {
      snprintf(msg, sizeof(msg),
               "scientific and shortest format not supported for datatype %s",
               name);
      set_err(err, err_size, msg);
      return false;
    }
    if (precision >= 0) {
      snprintf(msg, sizeof(msg), "precision not supported for datatype %s",
               name);
      set_err(err, err_size, msg);
      return false;
    }
  }
  if (fill_len > 1) {
    set_err(err, err_size, "Fill string must be one or fewer characters");
    return false;
  }
  if (scientific && shortest) {
    set_err(err, err_size,
            "Cannot select both scientific and shortest notation");
    return false;
  }
  const char fill_char = fill_len ? (char)fill[0] : 0;
  if (fill_len && !memchr(" +-0#", fill_char, 5)) {
    /* TensorFlow quotes the fill byte as it is. */
    snprintf(msg, sizeof(msg), "Fill argument not supported: \"%c\"",
             fill_char);
    set_err(err, err_size, msg);
    return false;
  }
  if (dtype == PL_TF_VARIANT) {
    set_err(err, err_size,
            "AsString of a variant tensor is not supported (TensorFlow prints "
            "the variant's DebugString, which TFLite tensors do not carry)");
    return false;
  }
  memset(fmt, 0, sizeof(*fmt));
  fmt->dtype = dtype;
  fmt->precision = precision;
  fmt->width = width < 0 ? 0 : width;
  fmt->fill = fill_char;
  if (dtype == PL_TF_STRING) {
    fmt->conv = 's';
    fmt->forward = fmt->width == 0;
  } else if (is_unsigned(dtype)) {
    fmt->conv = 'u';
  } else if (is_signed(dtype)) {
    fmt->conv = 'd';
  } else if (dtype == PL_TF_BOOL) {
    fmt->conv = 'b';
  } else {
    fmt->conv = shortest ? 'g' : scientific ? 'e' : 'f';
  }
  return true;
}

/* ---- Formatting ------------------------------------------------------------ */

/* Writes `core` padded to the width: spaces on the left, or on the right
 * for '-', or zeros after the sign for '0' (numbers that are finite only,
 * as printf does). snprintf-like return. */
static int64_t emit_padded(const PlAsStringFormat* fmt, const char* core,
                           size_t len, bool zero_pad_ok, char* out,
                           size_t size) {
  const size_t width = (size_t)fmt->width;
  const size_t total = len < width ? width : len;
  if (total > INT32_MAX) return -1;
  if (total >= size) return (int64_t)total;
  const size_t pad = total - len;
  if (fmt->fill == '-') {
    memcpy(out, core, len);
    memset(out + len, ' ', pad);
  } else if (fmt->fill == '0' && zero_pad_ok) {
    const size_t sign =
        len > 0 && (core[0] == '-' || core[0] == '+' || core[0] == ' ');
    memcpy(out, core, sign);
    memset(out + sign, '0', pad);
    memcpy(out + sign + pad, core + sign, len - sign);
  } else {
    memset(out, ' ', pad);
    memcpy(out + pad, core, len);
  }
  out[total] = '\0';
  return (int64_t)total;
}

/* printf writes the locale's decimal point: turn whatever run of bytes is
 * not part of a C-locale number back into '.'. Returns the new length. */
static size_t fix_decimal_point(char* s, size_t len) {
  for (size_t i = 0; i < len; ++i) {
    const char c = s[i];
    const bool plain = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                       (c >= 'A' && c <= 'Z') || c == '+' || c == '-' ||
                       c == ' ' || c == '.';
    if (plain) continue;
    size_t j = i;
    while (j < len) {
      const char d = s[j];
      if ((d >= '0' && d <= '9') || d == 'e' || d == 'E') break;
      ++j;
    }
    s[i] = '.';
    memmove(s + i + 1, s + j, len - j);
    return len - (j - i - 1);
  }
  return len;
}

/* Significant digits of the longest exact decimal form of a double (767),
 * rounded up: %g with more precision and no '#' prints the same text. */
enum { kMaxExactDigits = 800 };

/* One real number with the format's flags, precision and conversion. */
static int64_t format_real(const PlAsStringFormat* fmt, double v, char* out,
                           size_t size) {
  /* glibc is slow for huge precisions and returns a wrong count past
   * INT_MAX: bound the length first (sign, 309 integer digits, point,
   * exponent), and refuse what could not fit a string tensor. */
  int64_t precision = fmt->precision < 0 ? 6 : fmt->precision;
  if (fmt->conv == 'g' && fmt->fill != '#' && precision > kMaxExactDigits)
    precision = kMaxExactDigits;
  if (precision + 320 > INT32_MAX) return -1;
  char spec[8];
  size_t k = 0;
  spec[k++] = '%';
  if (fmt->fill == '+' || fmt->fill == ' ' || fmt->fill == '#')
    spec[k++] = fmt->fill;
  spec[k++] = '.';
  spec[k++] = '*';
  spec[k++] = fmt->conv;
  spec[k] = '\0';
  char small[128];
  char* core = small;
  const int p = fmt->precision < 0 ? -1 : (int)precision;
  int n = snprintf(small, sizeof(small), spec, p, v);
  if (n < 0) return -1;
  if ((size_t)n >= sizeof(small)) {
    core = malloc((size_t)n + 1);
    if (!core) return -1;
    snprintf(core, (size_t)n + 1, spec, p, v);
  }
  const size_t len = fix_decimal_point(core, (size_t)n);
  const int64_t r = emit_padded(fmt, core, len, isfinite(v), out, size);
  if (core != small) free(core);
  return r;
}

static int64_t format_int(const PlAsStringFormat* fmt, int64_t v, char* out,
                          size_t size) {
  char core[32];
  const char* spec = fmt->fill == '+'   ? "%+lld"
                     : fmt->fill == ' ' ? "% lld"
                                        : "%lld";
  const int n = snprintf(core, sizeof(core), spec, (long long)v);
  if (n < 0) return -1;
  return emit_padded(fmt, core, (size_t)n, true, out, size);
}

static int64_t format_uint(const PlAsStringFormat* fmt, uint64_t v, char* out,
                           size_t size) {
  char core[32];
  /* '+' and ' ' do not apply to %u. */
  const int n = snprintf(core, sizeof(core), "%llu", (unsigned long long)v);
  if (n < 0) return -1;
  return emit_padded(fmt, core, (size_t)n, true, out, size);
}

/* TensorFlow runs kernels with denormals treated as zero (DAZ), and absl's
 * formatter meets them in two ways: a float is widened to double, which
 * reads a subnormal float as zero; a double is taken apart with float
 * arithmetic (zero again) unless absl hands it to snprintf whole, which it
 * does for %e with a precision over 39 and %g over 40. So: subnormal floats
 * always print as a signed zero, subnormal doubles except in those two
 * cases (verified against TensorFlow by record_flex_reference.py). */
static float flush_f32(float v) {
  return fpclassify(v) == FP_SUBNORMAL ? copysignf(0.0f, v) : v;
}
static double flush_f64(const PlAsStringFormat* fmt, double v) {
  if (fpclassify(v) != FP_SUBNORMAL) return v;
  const int64_t p = fmt->precision < 0 ? 6 : fmt->precision;
  const bool whole = (fmt->conv == 'e' && p > 39) ||
                     (fmt->conv == 'g' && p - 1 > 39);
  return whole ? v : copysign(0.0, v);
}

static float half_to_float(uint16_t h) {
  const uint32_t sign = (uint32_t)(h & 0x8000) << 16;
  uint32_t exp = (h >> 10) & 0x1f;
  uint32_t mant = h & 0x3ff;
  uint32_t bits;
  if (exp == 0x1f) {
    bits = sign | 0x7f800000u | (mant << 13); /* inf, nan */
  } else if (exp != 0) {
    bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
  } else if (mant == 0) {
    bits = sign;
  } else {
    /* Subnormal half: normal as a float. */
    int shift = 0;
    while (!(mant & 0x400)) mant <<= 1, ++shift;
    bits = sign | ((uint32_t)(127 - 15 + 1 - shift) << 23) |
           ((mant & 0x3ff) << 13);
  }
  float f;
  memcpy(&f, &bits, sizeof(f));
  return f;
}

static float bfloat16_to_float(uint16_t b) {
  const uint32_t bits = (uint32_t)b << 16;
  float f;
  memcpy(&f, &bits, sizeof(f));
  return f;
}

/* "(re,im)" from two formatted parts. */
static int64_t format_complex(const PlAsStringFormat* fmt, double re,
                              double im, char* out, size_t size) {
  const int64_t a = format_real(fmt, re, NULL, 0);
  const int64_t b = format_real(fmt, im, NULL, 0);
  if (a < 0 || b < 0 || a + b + 3 > INT32_MAX) return -1;
  const int64_t total = a + b + 3;
  if ((uint64_t)total >= size) return total;
  out[0] = '(';
  format_real(fmt, re, out + 1, (size_t)a + 1);
  out[1 + a] = ',';
  format_real(fmt, im, out + 2 + a, (size_t)b + 1);
  out[2 + a + b] = ')';
  out[total] = '\0';
  return total;
}

int64_t pl_as_string_element(const PlAsStringFormat* fmt, const void* elem,
                             char* out, size_t size) {
  union {
    float f[2];
    double d[2];
    uint16_t u16;
    int8_t i8;
    int16_t i16;
    int32_t i32;
    int64_t i64;
    uint8_t u8;
    uint32_t u32;
    uint64_t u64;
  } v;
  switch (fmt->dtype) {
    case PL_TF_FLOAT:
      memcpy(v.f, elem, sizeof(float));
      return format_real(fmt, flush_f32(v.f[0]), out, size);
    case PL_TF_DOUBLE:
      memcpy(v.d, elem, sizeof(double));
      return format_real(fmt, flush_f64(fmt, v.d[0]), out, size);
    case PL_TF_HALF:
      memcpy(&v.u16, elem, sizeof(uint16_t));
      return format_real(fmt, flush_f32(half_to_float(v.u16)), out, size);
    case PL_TF_BFLOAT16:
      memcpy(&v.u16, elem, sizeof(uint16_t));
      return format_real(fmt, flush_f32(bfloat16_to_float(v.u16)), out, size);
    case PL_TF_COMPLEX64:
      memcpy(v.f, elem, 2 * sizeof(float));
      return format_complex(fmt, flush_f32(v.f[0]), flush_f32(v.f[1]), out,
                            size);
    case PL_TF_COMPLEX128:
      memcpy(v.d, elem, 2 * sizeof(double));
      return format_complex(fmt, flush_f64(fmt, v.d[0]), flush_f64(fmt, v.d[1]),
                            out, size);
    case PL_TF_INT8:
      memcpy(&v.i8, elem, 1);
      return format_int(fmt, v.i8, out, size);
    case PL_TF_INT16:
      memcpy(&v.i16, elem, 2);
      return format_int(fmt, v.i16, out, size);
    case PL_TF_INT32:
      memcpy(&v.i32, elem, 4);
      return format_int(fmt, v.i32, out, size);
    case PL_TF_INT64:
      memcpy(&v.i64, elem, 8);
      return format_int(fmt, v.i64, out, size);
    case PL_TF_UINT8:
      memcpy(&v.u8, elem, 1);
      return format_uint(fmt, v.u8, out, size);
    case PL_TF_UINT16:
      memcpy(&v.u16, elem, 2);
      return format_uint(fmt, v.u16, out, size);
    case PL_TF_UINT32:
      memcpy(&v.u32, elem, 4);
      return format_uint(fmt, v.u32, out, size);
    case PL_TF_UINT64:
      memcpy(&v.u64, elem, 8);
      return format_uint(fmt, v.u64, out, size);
    case PL_TF_BOOL: {
      memcpy(&v.u8, elem, 1);
      const char* text = v.u8 ? "true" : "false";
      const size_t len = strlen(text);
      if (len >= size) return (int64_t)len;
      memcpy(out, text, len + 1);
      return (int64_t)len;
    }
    default:
      return -1;
  }
}

int64_t pl_as_string_bytes(const PlAsStringFormat* fmt, const char* s,
                           size_t len, char* out, size_t size) {
  if (fmt->precision >= 0 && (size_t)fmt->precision < len)
    len = (size_t)fmt->precision;
  return emit_padded(fmt, s, len, false, out, size);
}

/* ---- Kernel -------------------------------------------------------------------- */

typedef struct AsStringData {
  int32_t dtype; /* attr T */
  int32_t precision;
  int32_t width;
  bool scientific;
  bool shortest;
  uint8_t fill[2]; /* the first byte is all a valid fill needs */
  size_t fill_len;
  PlAsStringFormat fmt; /* built in prepare */
} AsStringData;

static TfLiteStatus as_string_init(PlSubgraph* sg, PlNode* node) {
  char err[256];
  PlFlexNode flex;
  if (!pl_flex_node_parse(node->def->custom_options,
                          node->def->custom_options_size, &flex, err,
                          sizeof(err))) {
    pl_report(sg, "%s", err);
    return kTfLiteError;
  }
  AsStringData* data = calloc(1, sizeof(*data));
  const uint8_t* fill = NULL;
  bool ok = data != NULL;
  if (!ok) snprintf(err, sizeof(err), "Out of memory.");
  ok = ok && pl_flex_node_is(&flex, "AsString", err, sizeof(err));
  ok = ok && pl_flex_attr_type(&flex, "T", false, 0, &data->dtype, err,
                               sizeof(err));
  ok = ok && pl_flex_attr_int32(&flex, "precision", -1, &data->precision, err,
                                sizeof(err));
  ok = ok && pl_flex_attr_bool(&flex, "scientific", false, &data->scientific,
                               err, sizeof(err));
  ok = ok && pl_flex_attr_bool(&flex, "shortest", false, &data->shortest, err,
                               sizeof(err));
  ok = ok && pl_flex_attr_int32(&flex, "width", -1, &data->width, err,
                                sizeof(err));
  ok = ok && pl_flex_attr_bytes(&flex, "fill", &fill, &data->fill_len, err,
                                sizeof(err));
  if (ok && data->fill_len) data->fill[0] = fill[0];
  pl_flex_node_free(&flex);
  if (!ok) {
    free(data);
    pl_report(sg, "%s", err);
    return kTfLiteError;
  }
  node->user_data = data;
  return kTfLiteOk;
}

static void as_string_free(PlNode* node) {
  free(node->user_data);
  node->user_data = NULL;
}

static TfLiteStatus as_string_prepare(PlSubgraph* sg, PlNode* node) {
  AsStringData* data = node->user_data;
  PL_ENSURE(sg, data != NULL);
  if (pl_num_inputs(node) != 1 || pl_num_outputs(node) != 1) {
    pl_report(sg, "AsString takes 1 input and 1 output, got %d and %d.",
              pl_num_inputs(node), pl_num_outputs(node));
    return kTfLiteError;
  }
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  PL_ENSURE(sg, input != NULL);
  PL_ENSURE(sg, output != NULL);
  char err[384];
  /* fill_len > 1 is all the check needs to know of a longer fill. */
  if (!pl_as_string_format(&data->fmt, data->dtype, data->precision,
                           data->scientific, data->shortest, data->width,
                           data->fill, data->fill_len, err, sizeof(err))) {
    pl_report(sg, "%s", err);
    return kTfLiteError;
  }
  char name[48];
  const TfLiteType want = pl_tf_dtype_to_tflite(data->dtype);
  if (input->type != want) {
    pl_report(sg, "AsString input type %s does not match attr T (%s).",
              TfLiteTypeGetName(input->type),
              pl_tf_dtype_name(data->dtype, name, sizeof(name)));
    return kTfLiteError;
  }
  if (output->type != kTfLiteString) {
    pl_report(sg, "AsString output must be a string tensor, got %s.",
              TfLiteTypeGetName(output->type));
    return kTfLiteError;
  }
  pl_set_dynamic(output);
  return pl_resize_like(sg, output, input->dims);
}

/* Writes the strings starting at `bytes` (offsets[i], lengths[i]) to the
 * output. */
static TfLiteStatus write_output(PlSubgraph* sg, TfLiteTensor* output,
                                 int32_t count, const char* bytes,
                                 const size_t* offsets, const size_t* lengths) {
  const char** ptrs = malloc(sizeof(*ptrs) * (size_t)(count ? count : 1));
  if (!ptrs) {
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  for (int32_t i = 0; i < count; ++i) ptrs[i] = bytes + offsets[i];
  const TfLiteStatus status =
      pl_string_write(sg, output, count, (const char* const*)ptrs, lengths);
  free(ptrs);
  return status;
}

static TfLiteStatus as_string_eval(PlSubgraph* sg, PlNode* node) {
  const AsStringData* data = node->user_data;
  const PlAsStringFormat* fmt = &data->fmt;
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  const int64_t count = pl_num_elements(input);
  if (count < 0 || count > INT32_MAX) {
    pl_report(sg, "AsString: the input has too many elements.");
    return kTfLiteError;
  }
  const bool strings = input->type == kTfLiteString;
  if (strings) {
    const int32_t have = pl_string_count(input);
    if (have != count) {
      pl_report(sg,
                "AsString: the input string tensor holds %d strings, its "
                "shape %lld elements.",
                (int)have, (long long)count);
      return kTfLiteError;
    }
  } else if (count > 0 &&
             (!input->data.raw ||
              input->bytes < (size_t)count * pl_type_size(input->type))) {
    pl_report(sg, "AsString: the input has no data.");
    return kTfLiteError;
  }
  const size_t elem_size = strings ? 0 : pl_type_size(input->type);

  size_t* offsets = malloc(sizeof(size_t) * 2 * (size_t)(count ? count : 1));
  /* A guess that grows as needed. */
  size_t cap = 64 + 16 * (size_t)(count < 65536 ? count : 65536);
  char* buf = malloc(cap);
  if (!offsets || !buf) {
    free(offsets);
    free(buf);
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  size_t* lengths = offsets + count;
  size_t used = 0;
  TfLiteStatus status = kTfLiteOk;
  for (int32_t i = 0; i < (int32_t)count && status == kTfLiteOk; ++i) {
    const char* s = NULL;
    size_t s_len = 0;
    if (strings) pl_string_get(input, i, &s, &s_len);
    for (;;) {
      int64_t n;
      if (strings && fmt->forward) {
        n = (int64_t)s_len;
        if (s_len <= INT32_MAX && s_len < cap - used) memcpy(buf + used, s, s_len);
      } else if (strings) {
        n = pl_as_string_bytes(fmt, s, s_len, buf + used, cap - used);
      } else {
        n = pl_as_string_element(fmt, input->data.raw + (size_t)i * elem_size,
                                 buf + used, cap - used);
      }
      /* TFLite string tensors (header included) stay under 2 GiB. */
      if (n < 0 || (uint64_t)n + used + 4 * ((uint64_t)count + 2) > INT32_MAX) {
        pl_report(sg, "AsString: the output would pass 2 GiB.");
        status = kTfLiteError;
        break;
      }
      if ((size_t)n < cap - used) {
        offsets[i] = used;
        lengths[i] = (size_t)n;
        used += (size_t)n;
        break;
      }
      size_t grown = cap * 2;
      if (grown < used + (size_t)n + 1) grown = used + (size_t)n + 1;
      char* bigger = realloc(buf, grown);
      if (!bigger) {
        pl_report(sg, "Out of memory.");
        status = kTfLiteError;
        break;
      }
      buf = bigger;
      cap = grown;
    }
  }
  if (status == kTfLiteOk)
    status = write_output(sg, output, (int32_t)count, buf, offsets, lengths);
  free(buf);
  free(offsets);
  return status;
}

const PlKernel pl_kernel_flex_as_string = {
    .name = "FlexAsString",
    .init = as_string_init,
    .free = as_string_free,
    .prepare = as_string_prepare,
    .eval = as_string_eval,
    .types = "float16, bfloat16, float32, float64, int8, int16, int32, int64, uint8, uint16, uint32, uint64, bool, complex64, complex128, string -> string",
};
