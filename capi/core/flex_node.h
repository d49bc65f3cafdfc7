/* pylite: what the Flex kernels share.
 *
 * A Flex op (custom code "Flex<TfOp>", written by the converter for
 * SELECT_TF_OPS) keeps in its custom options a FlexBuffer vector
 * [TF op name, serialized tensorflow.NodeDef]. pl_flex_node_parse reads both
 * and collects the NodeDef's attrs; typed getters give an attr's value or
 * the op's default, with TensorFlow's wording for errors.
 *
 * The pure formatting (AsString) and parsing (StringToNumber) functions the
 * kernels use are declared here too, so that tests can call them without a
 * runtime; they are defined in capi/kernels/flex_as_string.c and
 * capi/kernels/flex_string_to_number.c.
 *
 * Facts used (node_def.proto, attr_value.proto, types.proto): NodeDef {name = 1,
 * op = 2, input = 3, device = 4, attr = 5 (map<string, AttrValue>: entries
 * with key = 1, value = 2)}; AttrValue is a oneof {list = 1, s = 2, i = 3,
 * f = 4, b = 5, type = 6, shape = 7, tensor = 8, placeholder = 9,
 * func = 10}; DataType values below. */
#ifndef PYLITE_CORE_FLEX_NODE_H_
#define PYLITE_CORE_FLEX_NODE_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pylite/c_api_types.h"

/* ---- TensorFlow DataType ------------------------------------------------- */

enum {
  PL_TF_INVALID = 0,
  PL_TF_FLOAT = 1,
  PL_TF_DOUBLE = 2,
  PL_TF_INT32 = 3,
  PL_TF_UINT8 = 4,
  PL_TF_INT16 = 5,
  PL_TF_INT8 = 6,
  PL_TF_STRING = 7,
  PL_TF_COMPLEX64 = 8,
  PL_TF_INT64 = 9,
  PL_TF_BOOL = 10,
  PL_TF_BFLOAT16 = 14,
  PL_TF_UINT16 = 17,
  PL_TF_COMPLEX128 = 18,
  PL_TF_HALF = 19,
  PL_TF_RESOURCE = 20,
  PL_TF_VARIANT = 21,
  PL_TF_UINT32 = 22,
  PL_TF_UINT64 = 23,
  PL_TF_FLOAT8_E5M2 = 24,
  PL_TF_FLOAT8_E4M3FN = 25,
  PL_TF_INT4 = 29,
  PL_TF_UINT4 = 30,
  PL_TF_INT2 = 31,
};

/* TensorFlow's name of a DataType ("float", "int32", "half", ...), or
 * "unknown dtype enum (N)" written into buf. Never NULL. */
const char* pl_tf_dtype_name(int32_t dtype, char* buf, size_t size);
/* The TFLite tensor type holding that DataType; kTfLiteNoType if none. */
TfLiteType pl_tf_dtype_to_tflite(int32_t dtype);

/* ---- NodeDef ------------------------------------------------------------ */

/* Which AttrValue oneof member is set. */
typedef enum PlFlexAttrKind {
  PL_FLEX_ATTR_NONE = 0, /* an empty AttrValue */
  PL_FLEX_ATTR_LIST,
  PL_FLEX_ATTR_S,
  PL_FLEX_ATTR_I,
  PL_FLEX_ATTR_F,
  PL_FLEX_ATTR_B,
  PL_FLEX_ATTR_TYPE,
  PL_FLEX_ATTR_SHAPE,
  PL_FLEX_ATTR_TENSOR,
  PL_FLEX_ATTR_PLACEHOLDER,
  PL_FLEX_ATTR_FUNC,
} PlFlexAttrKind;

/* One attr. Byte views point into the custom options. */
typedef struct PlFlexAttr {
  const uint8_t* name;
  size_t name_len;
  PlFlexAttrKind kind;
  int64_t i;           /* I */
  float f;             /* F */
  bool b;              /* B */
  int32_t type;        /* TYPE */
  const uint8_t* s;    /* S, PLACEHOLDER, or the payload of a message kind */
  size_t s_len;
} PlFlexAttr;

typedef struct PlFlexNode {
  const uint8_t* op; /* FlexBuffer element 0: the TF op to run */
  size_t op_len;
  const uint8_t* def_op; /* NodeDef.op */
  size_t def_op_len;
  int32_t num_attrs;
  PlFlexAttr* attrs; /* owned (pl_flex_node_free) */
} PlFlexNode;

/* Parses Flex custom options. On failure returns false, frees what it
 * allocated and writes a message into err. The node's views stay valid as
 * long as `options`. */
bool pl_flex_node_parse(const void* options, size_t size, PlFlexNode* node,
                        char* err, size_t err_size);
/* NULL-safe; leaves the node zeroed. */
void pl_flex_node_free(PlFlexNode* node);
/* Checks that both the FlexBuffer op name and NodeDef.op are `tf_op`. */
bool pl_flex_node_is(const PlFlexNode* node, const char* tf_op, char* err,
                     size_t err_size);
/* The attr named `name`, or NULL. */
const PlFlexAttr* pl_flex_node_attr(const PlFlexNode* node, const char* name);

/* Typed attr getters, as TensorFlow's GetAttr: an absent attr takes `def`
 * (pass has_def = false for attrs without a default: then it is an error);
 * an attr of another kind, or an int out of int32 range, is an error with
 * TensorFlow's message. */
bool pl_flex_attr_int32(const PlFlexNode* node, const char* name, int32_t def,
                        int32_t* out, char* err, size_t err_size);
bool pl_flex_attr_bool(const PlFlexNode* node, const char* name, bool def,
                       bool* out, char* err, size_t err_size);
bool pl_flex_attr_type(const PlFlexNode* node, const char* name, bool has_def,
                       int32_t def, int32_t* out, char* err, size_t err_size);
/* Bytes of a string attr (default ""). */
bool pl_flex_attr_bytes(const PlFlexNode* node, const char* name,
                        const uint8_t** data, size_t* len, char* err,
                        size_t err_size);

/* ---- AsString (capi/kernels/flex_as_string.c) ----------------------------- */

/* The output format of an AsString node, built from its attrs. */
typedef struct PlAsStringFormat {
  int32_t dtype;     /* TF DataType of the input */
  int32_t precision; /* < 0: printf's default (6) */
  int32_t width;     /* >= 0 */
  char fill;         /* 0 or one of " +-0#" */
  char conv;         /* 'f', 'e', 'g', 'd', 'u', 's', or 'b' for bool */
  bool forward;      /* a string input with no width: passed through */
} PlAsStringFormat;

/* Validates the attrs as TensorFlow's AsString kernel does (same checks,
 * same order, same messages) and builds the format. */
bool pl_as_string_format(PlAsStringFormat* fmt, int32_t dtype,
                         int32_t precision, bool scientific, bool shortest,
                         int32_t width, const uint8_t* fill, size_t fill_len,
                         char* err, size_t err_size);

/* Formats one element of the format's dtype (any but STRING), read from
 * `elem` (the element's bytes: float, double, TfLiteFloat16 bits, ...).
 * Like snprintf: returns the text's length n and, if n < size, writes the
 * text and a NUL into out; otherwise call again with size > n. Returns -1
 * if the text would pass INT32_MAX bytes. As TensorFlow (whose kernels run
 * with denormals treated as zero), subnormal values mostly print as a
 * signed zero (see flex_as_string.c). */
int64_t pl_as_string_element(const PlAsStringFormat* fmt, const void* elem,
                             char* out, size_t size);
/* The same for one string of a STRING input (not used when fmt->forward). */
int64_t pl_as_string_bytes(const PlAsStringFormat* fmt, const char* s,
                           size_t len, char* out, size_t size);

/* ---- StringToNumber (capi/kernels/flex_string_to_number.c) ---------------- */

/* As TensorFlow's StringToNumber (absl::SimpleAtof / SimpleAtod /
 * SimpleAtoi): ASCII whitespace around the number is ignored; floats take
 * an optional sign, decimal or 0x-hex (with optional 'p' exponent) digits,
 * "inf", "infinity", "nan" or "nan(chars)" in any case, and overflow to
 * +-inf; integers take an optional sign and decimal digits only (unsigned:
 * no '-') and must be in range. False if the text is not a number. */
bool pl_string_to_f32(const char* s, size_t len, float* out);
bool pl_string_to_f64(const char* s, size_t len, double* out);
bool pl_string_to_i32(const char* s, size_t len, int32_t* out);
bool pl_string_to_i64(const char* s, size_t len, int64_t* out);
bool pl_string_to_u32(const char* s, size_t len, uint32_t* out);
bool pl_string_to_u64(const char* s, size_t len, uint64_t* out);

#endif /* PYLITE_CORE_FLEX_NODE_H_ */
