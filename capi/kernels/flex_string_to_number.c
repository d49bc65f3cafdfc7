/* pylite: FlexStringToNumber, TensorFlow's StringToNumber run natively.
 *
 * Each string of the input becomes a number of type attr out_type (float
 * by default; double, int32, int64, uint32, uint64), with TensorFlow's
 * parsing rules (absl::SimpleAtof / SimpleAtod / SimpleAtoi, which
 * TensorFlow's SafeStringToNumeric calls):
 *  - ASCII whitespace (space, \t \n \v \f \r) around the text is ignored;
 *  - floats: one optional '+' (not followed by '-') or '-', then decimal
 *    digits with an optional '.' and 'e' exponent, or "0x" hex digits with
 *    an optional '.' and decimal 'p' exponent, or "inf" / "infinity" /
 *    "nan" / "nan(<[A-Za-z0-9_]*>)" in any case. The value is correctly
 *    rounded; out-of-range values become +-inf or +-0; a nan's payload comes
 *    from nan()/nanf() as in absl. absl refuses runs of 50 million digits or
 *    more (12.5 million hex) and reads 9 significant exponent digits; so does
 *    this parser;
 *  - integers: one optional sign and decimal digits only (no '-' for
 *    unsigned types), in range;
 *  - anything else fails the op with TensorFlow's message
 *    "StringToNumberOp could not correctly convert string: <s>" (<s> cut at
 *    its first NUL, as TensorFlow's C-string message is).
 * The digits are handed to strtod/strtof, which are correctly rounded,
 * rewritten without a decimal point so the C locale does not matter. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capi/core/flex_node.h"
#include "capi/core/kernel.h"

enum { kInput = 0, kOutput = 0 };

/* absl's limits (charconv_parse.cc): longest run of mantissa digits it
 * accepts, and significant exponent digits it reads. */
enum {
  kDecimalDigitLimit = 50000000,
  kHexDigitLimit = 50000000 / 4,
  kExponentDigitsMax = 9,
};

/* ---- Parsing ----------------------------------------------------------------- */

static bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
         c == '\r';
}

static void trim(const char** s, size_t* len) {
  while (*len > 0 && is_space((*s)[0])) ++*s, --*len;
  while (*len > 0 && is_space((*s)[*len - 1])) --*len;
}

static int digit_value(char c, int base) {
  if (c >= '0' && c <= '9') return c - '0';
  if (base == 16) {
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  }
  return -1;
}

static bool prefix_ci(const char* p, const char* end, const char* word) {
  const size_t n = strlen(word);
  if ((size_t)(end - p) < n) return false;
  for (size_t i = 0; i < n; ++i) {
    char c = p[i];
    if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
    if (c != word[i]) return false;
  }
  return true;
}

static bool is_nan_char(char c) {
  return c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
         (c >= 'A' && c <= 'Z');
}

/* A NaN with the payload absl gives it: the one glibc's nan("seq") makes,
 * built bit by bit (compilers may fold nan() calls and drop the payload):
 * seq read as an unsigned integer (base prefixes as strtoull with base 0),
 * kept if all of seq is consumed, masked to the mantissa below the quiet
 * bit. */
static uint64_t nan_payload(const char* seq, size_t len) {
  char tag[128];
  if (len == 0 || len > sizeof(tag) - 1) return 0;
  memcpy(tag, seq, len);
  tag[len] = '\0';
  char* end = NULL;
  unsigned long long v = strtoull(tag, &end, 0);
  return end == tag + len ? (uint64_t)v : 0;
}

static double make_nan(const char* seq, size_t len, bool is_double,
                       float* out_f) {
  uint64_t payload = nan_payload(seq, len);
  if (is_double) {
    uint64_t bits = UINT64_C(0x7ff8000000000000) |
                    (payload & ((UINT64_C(1) << 51) - 1));
    double d;
    memcpy(&d, &bits, sizeof(d));
    return d;
  }
  uint32_t bits = UINT32_C(0x7fc00000) | (uint32_t)(payload & 0x3fffff);
  memcpy(out_f, &bits, sizeof(*out_f));
  return 0.0;
}

/* Parses digits [p, end) in `base` after the sign: [int digits][.[frac
 * digits]][exponent]. All of it must be consumed. Writes the value. */
static bool parse_digits(const char* p, const char* end, int base, bool neg,
                         bool is_double, double* out_d, float* out_f) {
  const int limit = base == 10 ? kDecimalDigitLimit : kHexDigitLimit;
  const char* const start = p;
  while (p < end && *p == '0') ++p; /* leading zeros */
  const char* const int_begin = p;
  while (p < end && digit_value(*p, base) >= 0) ++p;
  const size_t int_digits = (size_t)(p - int_begin);
  if (int_digits >= (size_t)limit) return false;
  const char* frac_begin = p;
  size_t frac_digits = 0;
  if (p < end && *p == '.') {
    ++p;
    frac_begin = p;
    if (int_digits == 0) {
      /* No significant digit yet: absl counts these zeros separately. */
      while (p < end && *p == '0') ++p;
      if ((size_t)(p - frac_begin) >= (size_t)limit) return false;
    }
    const char* sig = p;
    while (p < end && digit_value(*p, base) >= 0) ++p;
    if ((size_t)(p - sig) >= (size_t)limit) return false;
    frac_digits = (size_t)(p - frac_begin);
  }
  /* Nothing, or a bare ".", is not a number. */
  if (p == start || (p - start == 1 && *start == '.')) return false;
  int64_t exponent = 0;
  if (p < end && (base == 10 ? (*p == 'e' || *p == 'E')
                             : (*p == 'p' || *p == 'P'))) {
    const char* q = p + 1;
    bool exp_neg = false;
    if (q < end && (*q == '-' || *q == '+')) exp_neg = *q++ == '-';
    const char* digits = q;
    while (q < end && *q == '0') ++q;
    int kept = 0;
    for (; q < end && *q >= '0' && *q <= '9'; ++q)
      if (kept < kExponentDigitsMax) exponent = exponent * 10 + (*q - '0'), ++kept;
    /* Without digits the 'e' is not part of the number (and so is junk). */
    if (q > digits) {
      p = q;
      if (exp_neg) exponent = -exponent;
    } else {
      exponent = 0;
    }
  }
  if (p != end) return false;

  /* Rewrite as [-][0x]<all digits><e|p><exponent>: no decimal point, so
   * the locale cannot change how strtod reads it. */
  exponent -= (int64_t)frac_digits * (base == 16 ? 4 : 1);
  const size_t num_digits = int_digits + frac_digits;
  char small[128];
  const size_t need = num_digits + 32;
  char* buf = need <= sizeof(small) ? small : malloc(need);
  if (!buf) return false;
  size_t n = 0;
  if (neg) buf[n++] = '-';
  if (base == 16) buf[n++] = '0', buf[n++] = 'x';
  if (num_digits == 0) buf[n++] = '0';
  memcpy(buf + n, int_begin, int_digits);
  n += int_digits;
  if (frac_digits) memcpy(buf + n, frac_begin, frac_digits);
  n += frac_digits;
  snprintf(buf + n, need - n, "%c%lld", base == 16 ? 'p' : 'e',
           (long long)exponent);
  char* parsed_end = NULL;
  if (is_double)
    *out_d = strtod(buf, &parsed_end);
  else
    *out_f = strtof(buf, &parsed_end);
  const bool ok = parsed_end && *parsed_end == '\0';
  if (buf != small) free(buf);
  return ok;
}

static bool parse_float(const char* s, size_t len, bool is_double,
                        double* out_d, float* out_f) {
  trim(&s, &len);
  /* SimpleAtof takes one '+' itself, but not "+-". */
  if (len > 0 && s[0] == '+') {
    ++s, --len;
    if (len > 0 && s[0] == '-') return false;
  }
  bool neg = false;
  if (len > 0 && s[0] == '-') neg = true, ++s, --len;
  if (len == 0) return false;
  const char* p = s;
  const char* const end = s + len;
  if (len >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
    return parse_digits(p + 2, end, 16, neg, is_double, out_d, out_f);
  if (prefix_ci(p, end, "inf")) {
    const size_t used = prefix_ci(p + 3, end, "inity") ? 8 : 3;
    if (p + used != end) return false;
    if (is_double)
      *out_d = neg ? -HUGE_VAL : HUGE_VAL;
    else
      *out_f = neg ? -HUGE_VALF : HUGE_VALF;
    return true;
  }
  if (prefix_ci(p, end, "nan")) {
    const char* q = p + 3;
    const char* seq = q;
    size_t seq_len = 0;
    if (q < end && *q == '(') {
      const char* r = q + 1;
      while (r < end && is_nan_char(*r)) ++r;
      if (r < end && *r == ')') seq = q + 1, seq_len = (size_t)(r - seq), q = r + 1;
    }
    if (q != end) return false;
    /* absl negates the NaN for a '-': flip the sign bit. */
    if (is_double) {
      double v = make_nan(seq, seq_len, true, NULL);
      if (neg) {
        uint64_t bits;
        memcpy(&bits, &v, sizeof(bits));
        bits ^= UINT64_C(1) << 63;
        memcpy(&v, &bits, sizeof(v));
      }
      *out_d = v;
    } else {
      float v;
      make_nan(seq, seq_len, false, &v);
      if (neg) {
        uint32_t bits;
        memcpy(&bits, &v, sizeof(bits));
        bits ^= UINT32_C(1) << 31;
        memcpy(&v, &bits, sizeof(v));
      }
      *out_f = v;
    }
    return true;
  }
  return parse_digits(p, end, 10, neg, is_double, out_d, out_f);
}

bool pl_string_to_f32(const char* s, size_t len, float* out) {
  double unused;
  return parse_float(s, len, false, &unused, out);
}

bool pl_string_to_f64(const char* s, size_t len, double* out) {
  float unused;
  return parse_float(s, len, true, out, &unused);
}

/* absl::SimpleAtoi in base 10: the magnitude and sign, within the limits. */
static bool parse_int(const char* s, size_t len, uint64_t max_pos,
                      uint64_t max_neg, bool* neg, uint64_t* magnitude) {
  trim(&s, &len);
  if (len == 0) return false;
  *neg = s[0] == '-';
  if (*neg || s[0] == '+') {
    ++s, --len;
    if (len == 0) return false;
  }
  if (*neg && max_neg == 0) return false; /* unsigned */
  const uint64_t limit = *neg ? max_neg : max_pos;
  uint64_t v = 0;
  for (size_t i = 0; i < len; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    const unsigned d = (unsigned)(s[i] - '0');
    if (v > (limit - d) / 10) return false;
    v = v * 10 + d;
  }
  *magnitude = v;
  return true;
}

bool pl_string_to_i32(const char* s, size_t len, int32_t* out) {
  bool neg;
  uint64_t m;
  if (!parse_int(s, len, INT32_MAX, (uint64_t)INT32_MAX + 1, &neg, &m))
    return false;
  *out = neg ? (int32_t)(-(int64_t)m) : (int32_t)m;
  return true;
}

bool pl_string_to_i64(const char* s, size_t len, int64_t* out) {
  bool neg;
  uint64_t m;
  if (!parse_int(s, len, INT64_MAX, (uint64_t)INT64_MAX + 1, &neg, &m))
    return false;
  if (!neg)
    *out = (int64_t)m;
  else
    *out = m == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)m;
  return true;
}

bool pl_string_to_u32(const char* s, size_t len, uint32_t* out) {
  bool neg;
  uint64_t m;
  if (!parse_int(s, len, UINT32_MAX, 0, &neg, &m)) return false;
  *out = (uint32_t)m;
  return true;
}

bool pl_string_to_u64(const char* s, size_t len, uint64_t* out) {
  bool neg;
  uint64_t m;
  if (!parse_int(s, len, UINT64_MAX, 0, &neg, &m)) return false;
  *out = m;
  return true;
}

/* ---- Kernel -------------------------------------------------------------------- */

typedef struct StringToNumberData {
  int32_t out_type; /* TF DataType */
} StringToNumberData;

static TfLiteStatus string_to_number_init(PlSubgraph* sg, PlNode* node) {
  char err[256];
  PlFlexNode flex;
  if (!pl_flex_node_parse(node->def->custom_options,
                          node->def->custom_options_size, &flex, err,
                          sizeof(err))) {
    pl_report(sg, "%s", err);
    return kTfLiteError;
  }
  StringToNumberData* data = calloc(1, sizeof(*data));
  bool ok = data != NULL;
  if (!ok) snprintf(err, sizeof(err), "Out of memory.");
  ok = ok && pl_flex_node_is(&flex, "StringToNumber", err, sizeof(err));
  ok = ok && pl_flex_attr_type(&flex, "out_type", true, PL_TF_FLOAT,
                               &data->out_type, err, sizeof(err));
  pl_flex_node_free(&flex);
  if (!ok) {
    free(data);
    pl_report(sg, "%s", err);
    return kTfLiteError;
  }
  node->user_data = data;
  return kTfLiteOk;
}

static void string_to_number_free(PlNode* node) {
  free(node->user_data);
  node->user_data = NULL;
}

static bool allowed_out_type(int32_t t) {
  return t == PL_TF_FLOAT || t == PL_TF_DOUBLE || t == PL_TF_INT32 ||
         t == PL_TF_INT64 || t == PL_TF_UINT32 || t == PL_TF_UINT64;
}

static TfLiteStatus string_to_number_prepare(PlSubgraph* sg, PlNode* node) {
  const StringToNumberData* data = node->user_data;
  PL_ENSURE(sg, data != NULL);
  if (pl_num_inputs(node) != 1 || pl_num_outputs(node) != 1) {
    pl_report(sg, "StringToNumber takes 1 input and 1 output, got %d and %d.",
              pl_num_inputs(node), pl_num_outputs(node));
    return kTfLiteError;
  }
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  PL_ENSURE(sg, input != NULL);
  PL_ENSURE(sg, output != NULL);
  char name[48];
  const char* type_name = pl_tf_dtype_name(data->out_type, name, sizeof(name));
  if (!allowed_out_type(data->out_type)) {
    pl_report(sg,
              "Value for attr 'out_type' of %s is not in the list of allowed "
              "values: float, double, int32, int64, uint32, uint64",
              type_name);
    return kTfLiteError;
  }
  if (input->type != kTfLiteString) {
    pl_report(sg, "StringToNumber input must be a string tensor, got %s.",
              TfLiteTypeGetName(input->type));
    return kTfLiteError;
  }
  if (output->type != pl_tf_dtype_to_tflite(data->out_type)) {
    pl_report(sg,
              "StringToNumber output type %s does not match attr out_type "
              "(%s).",
              TfLiteTypeGetName(output->type), type_name);
    return kTfLiteError;
  }
  return pl_resize_like(sg, output, input->dims);
}

static TfLiteStatus string_to_number_eval(PlSubgraph* sg, PlNode* node) {
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  const int64_t count = pl_num_elements(input);
  const int32_t have = pl_string_count(input);
  if (have < 0 || have != count) {
    pl_report(sg,
              "StringToNumber: the input string tensor holds %d strings, its "
              "shape %lld elements.",
              (int)have, (long long)count);
    return kTfLiteError;
  }
  if (count > 0 && !output->data.raw) {
    pl_report(sg, "StringToNumber: the output has no data.");
    return kTfLiteError;
  }
  for (int32_t i = 0; i < have; ++i) {
    const char* s;
    size_t len;
    if (!pl_string_get(input, i, &s, &len)) {
      pl_report(sg, "StringToNumber: cannot read input string %d.", (int)i);
      return kTfLiteError;
    }
    bool ok;
    switch (output->type) {
      case kTfLiteFloat32: ok = pl_string_to_f32(s, len, &output->data.f[i]); break;
      case kTfLiteFloat64: ok = pl_string_to_f64(s, len, &output->data.f64[i]); break;
      case kTfLiteInt32: ok = pl_string_to_i32(s, len, &output->data.i32[i]); break;
      case kTfLiteInt64: ok = pl_string_to_i64(s, len, &output->data.i64[i]); break;
      case kTfLiteUInt32: ok = pl_string_to_u32(s, len, &output->data.u32[i]); break;
      case kTfLiteUInt64: ok = pl_string_to_u64(s, len, &output->data.u64[i]); break;
      default: ok = false; break;
    }
    if (!ok) {
      /* TensorFlow prints the string as a C string: up to its first NUL. */
      const char* nul = memchr(s, '\0', len);
      const size_t shown = nul ? (size_t)(nul - s) : len;
      pl_report(sg, "StringToNumberOp could not correctly convert string: %.*s",
                (int)(shown > INT32_MAX ? INT32_MAX : shown), s);
      return kTfLiteError;
    }
  }
  return kTfLiteOk;
}

const PlKernel pl_kernel_flex_string_to_number = {
    .name = "FlexStringToNumber",
    .init = string_to_number_init,
    .free = string_to_number_free,
    .prepare = string_to_number_prepare,
    .eval = string_to_number_eval,
    .types = "string -> float32, float64, int32, int64, uint32, uint64",
};
