/* pylite: Flex custom options -> op name and NodeDef attrs (see
 * flex_node.h).
 *
 * The NodeDef is read as protobuf's parser would: unknown fields and fields
 * with an unexpected wire type are skipped; proto3 string fields (name, op,
 * input, device, attr keys, placeholder) must be valid UTF-8; a repeated
 * AttrValue member overwrites the earlier one (so the last oneof member
 * wins); a repeated map key replaces the earlier entry. Message-typed attr
 * values (list, shape, tensor, func) are only checked to be well-formed at
 * their top level: the kernels here never read them. */
#include "capi/core/flex_node.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capi/core/flexbuffers.h"
#include "capi/core/protobuf.h"

/* NodeDef, map entry and AttrValue field numbers. */
enum { kNodeName = 1, kNodeOp = 2, kNodeInput = 3, kNodeDevice = 4, kNodeAttr = 5 };
enum { kEntryKey = 1, kEntryValue = 2 };
enum {
  kAttrList = 1,
  kAttrS = 2,
  kAttrI = 3,
  kAttrF = 4,
  kAttrB = 5,
  kAttrType = 6,
  kAttrShape = 7,
  kAttrTensor = 8,
  kAttrPlaceholder = 9,
  kAttrFunc = 10,
};

/* ---- DataType ------------------------------------------------------------ */

typedef struct DtypeInfo {
  int32_t dtype;
  const char* name;
  TfLiteType tflite;
} DtypeInfo;

static const DtypeInfo kDtypes[] = {
    {1, "float", kTfLiteFloat32},
    {2, "double", kTfLiteFloat64},
    {3, "int32", kTfLiteInt32},
    {4, "uint8", kTfLiteUInt8},
    {5, "int16", kTfLiteInt16},
    {6, "int8", kTfLiteInt8},
    {7, "string", kTfLiteString},
    {8, "complex64", kTfLiteComplex64},
    {9, "int64", kTfLiteInt64},
    {10, "bool", kTfLiteBool},
    {11, "qint8", kTfLiteNoType},
    {12, "quint8", kTfLiteNoType},
    {13, "qint32", kTfLiteNoType},
    {14, "bfloat16", kTfLiteBFloat16},
    {15, "qint16", kTfLiteNoType},
    {16, "quint16", kTfLiteNoType},
    {17, "uint16", kTfLiteUInt16},
    {18, "complex128", kTfLiteComplex128},
    {19, "half", kTfLiteFloat16},
    {20, "resource", kTfLiteResource},
    {21, "variant", kTfLiteVariant},
    {22, "uint32", kTfLiteUInt32},
    {23, "uint64", kTfLiteUInt64},
    {24, "float8_e5m2", kTfLiteFloat8E5M2},
    {25, "float8_e4m3fn", kTfLiteFloat8E4M3FN},
    {26, "float8_e4m3fnuz", kTfLiteNoType},
    {27, "float8_e4m3b11fnuz", kTfLiteNoType},
    {28, "float8_e5m2fnuz", kTfLiteNoType},
    {29, "int4", kTfLiteInt4},
    {30, "uint4", kTfLiteUInt4},
    {31, "int2", kTfLiteInt2},
    {32, "uint2", kTfLiteNoType},
    {33, "float4_e2m1fn", kTfLiteNoType},
};

static const DtypeInfo* dtype_info(int32_t dtype) {
  for (size_t i = 0; i < sizeof(kDtypes) / sizeof(kDtypes[0]); ++i)
    if (kDtypes[i].dtype == dtype) return &kDtypes[i];
  return NULL;
}

const char* pl_tf_dtype_name(int32_t dtype, char* buf, size_t size) {
  const DtypeInfo* info = dtype_info(dtype);
  if (info) return info->name;
  if (!buf || size == 0) return "unknown dtype enum";
  snprintf(buf, size, "unknown dtype enum (%" PRId32 ")", dtype);
  return buf;
}

TfLiteType pl_tf_dtype_to_tflite(int32_t dtype) {
  const DtypeInfo* info = dtype_info(dtype);
  return info ? info->tflite : kTfLiteNoType;
}

/* ---- Parsing -------------------------------------------------------------- */

static void set_err(char* err, size_t err_size, const char* fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_err(char* err, size_t err_size, const char* fmt, ...) {
  if (!err || err_size == 0) return;
  va_list args;
  va_start(args, fmt);
  vsnprintf(err, err_size, fmt, args);
  va_end(args);
}

static bool bytes_eq(const uint8_t* a, size_t a_len, const char* b) {
  const size_t b_len = strlen(b);
  return a_len == b_len && (a_len == 0 || memcmp(a, b, a_len) == 0);
}

/* Applies one AttrValue payload onto *attr (earlier members are replaced by
 * later ones, as protobuf merges a repeated message). */
static bool parse_attr_value(const uint8_t* data, size_t size,
                             PlFlexAttr* attr) {
  PlPbReader r;
  PlPbField f;
  pl_pb_init(&r, data, size);
  int status;
  while ((status = pl_pb_next(&r, &f)) == PL_PB_FIELD) {
    const bool is_len = f.wire_type == PL_PB_LEN;
    switch (f.number) {
      case kAttrS:
        if (!is_len) break;
        attr->kind = PL_FLEX_ATTR_S;
        attr->s = f.data, attr->s_len = f.len;
        break;
      case kAttrI:
        if (f.wire_type != PL_PB_VARINT) break;
        attr->kind = PL_FLEX_ATTR_I;
        attr->i = pl_pb_as_int64(&f);
        break;
      case kAttrF:
        if (f.wire_type != PL_PB_I32) break;
        attr->kind = PL_FLEX_ATTR_F;
        attr->f = pl_pb_as_float(&f);
        break;
      case kAttrB:
        if (f.wire_type != PL_PB_VARINT) break;
        attr->kind = PL_FLEX_ATTR_B;
        attr->b = f.u64 != 0;
        break;
      case kAttrType:
        if (f.wire_type != PL_PB_VARINT) break;
        attr->kind = PL_FLEX_ATTR_TYPE;
        attr->type = pl_pb_as_int32(&f);
        break;
      case kAttrPlaceholder:
        if (!is_len) break;
        if (!pl_pb_utf8_valid(f.data, f.len)) return false;
        attr->kind = PL_FLEX_ATTR_PLACEHOLDER;
        attr->s = f.data, attr->s_len = f.len;
        break;
      case kAttrList:
      case kAttrShape:
      case kAttrTensor:
      case kAttrFunc:
        if (!is_len) break;
        if (!pl_pb_well_formed(f.data, f.len)) return false;
        attr->kind = f.number == kAttrList     ? PL_FLEX_ATTR_LIST
                     : f.number == kAttrShape  ? PL_FLEX_ATTR_SHAPE
                     : f.number == kAttrTensor ? PL_FLEX_ATTR_TENSOR
                                               : PL_FLEX_ATTR_FUNC;
        attr->s = f.data, attr->s_len = f.len;
        break;
      default:
        break; /* unknown field */
    }
  }
  return status == PL_PB_END;
}

/* Outcomes of the parse steps below. */
enum { kParsed = 0, kMalformed = 1, kNoMemory = 2 };

/* Adds (or replaces) an attr from one map entry. */
static int parse_attr_entry(const uint8_t* data, size_t size,
                             PlFlexNode* node, int32_t* capacity) {
  PlFlexAttr attr;
  memset(&attr, 0, sizeof(attr));
  attr.name = data; /* "" unless a key follows */
  PlPbReader r;
  PlPbField f;
  pl_pb_init(&r, data, size);
  int status;
  while ((status = pl_pb_next(&r, &f)) == PL_PB_FIELD) {
    if (f.wire_type != PL_PB_LEN) continue;
    if (f.number == kEntryKey) {
      if (!pl_pb_utf8_valid(f.data, f.len)) return kMalformed;
      attr.name = f.data, attr.name_len = f.len;
    } else if (f.number == kEntryValue) {
      if (!parse_attr_value(f.data, f.len, &attr)) return kMalformed;
    }
  }
  if (status != PL_PB_END) return kMalformed;
  for (int32_t i = 0; i < node->num_attrs; ++i) {
    PlFlexAttr* old = &node->attrs[i];
    if (old->name_len == attr.name_len &&
        (attr.name_len == 0 || memcmp(old->name, attr.name, attr.name_len) == 0)) {
      *old = attr;
      return kParsed;
    }
  }
  if (node->num_attrs == *capacity) {
    /* Entries take at least 2 bytes each, so this cannot overflow before
     * the (size_t-bounded) input runs out. */
    const int32_t grown = *capacity ? 2 * *capacity : 8;
    PlFlexAttr* attrs = realloc(node->attrs, sizeof(*attrs) * (size_t)grown);
    if (!attrs) return kNoMemory;
    node->attrs = attrs;
    *capacity = grown;
  }
  node->attrs[node->num_attrs++] = attr;
  return kParsed;
}

static int parse_node_def(const uint8_t* data, size_t size,
                          PlFlexNode* node) {
  int32_t capacity = 0;
  PlPbReader r;
  PlPbField f;
  pl_pb_init(&r, data, size);
  int status;
  while ((status = pl_pb_next(&r, &f)) == PL_PB_FIELD) {
    if (f.wire_type != PL_PB_LEN) continue;
    switch (f.number) {
      case kNodeName:
      case kNodeInput:
      case kNodeDevice:
        if (!pl_pb_utf8_valid(f.data, f.len)) return kMalformed;
        break;
      case kNodeOp:
        if (!pl_pb_utf8_valid(f.data, f.len)) return kMalformed;
        node->def_op = f.data, node->def_op_len = f.len;
        break;
      case kNodeAttr: {
        const int status_entry = parse_attr_entry(f.data, f.len, node, &capacity);
        if (status_entry != kParsed) return status_entry;
        break;
      }
      default:
        break;
    }
  }
  return status == PL_PB_END ? kParsed : kMalformed;
}

/* Bytes of a FlexBuffer element that holds a string (STRING, KEY or BLOB). */
static bool element_bytes(const PlFlexVec* vec, uint32_t i,
                          const uint8_t** data, size_t* len) {
  PlFlexRef ref;
  return pl_flex_vec_at(vec, i, &ref) && pl_flex_as_bytes(&ref, data, len);
}

bool pl_flex_node_parse(const void* options, size_t size, PlFlexNode* node,
                        char* err, size_t err_size) {
  memset(node, 0, sizeof(*node));
  if (!options || size == 0) {
    set_err(err, err_size,
            "Cannot convert empty data into a valid NodeDef: the Flex op has "
            "no custom options.");
    return false;
  }
  PlFlexRef root;
  PlFlexVec vec;
  if (!pl_flex_root(options, size, &root) || !pl_flex_as_vector(&root, &vec)) {
    set_err(err, err_size,
            "Malformed Flex custom options: not a FlexBuffer vector.");
    return false;
  }
  if (vec.len < 2) {
    set_err(err, err_size,
            "Malformed Flex custom options: expected [op name, NodeDef], got "
            "%u element(s).",
            (unsigned)vec.len);
    return false;
  }
  const uint8_t* def;
  size_t def_len;
  if (!element_bytes(&vec, 0, &node->op, &node->op_len) ||
      !element_bytes(&vec, 1, &def, &def_len)) {
    set_err(err, err_size,
            "Malformed Flex custom options: the op name and NodeDef must be "
            "strings.");
    return false;
  }
  const int status = parse_node_def(def, def_len, node);
  if (status != kParsed) {
    pl_flex_node_free(node);
    if (status == kNoMemory)
      set_err(err, err_size, "Out of memory parsing the Flex NodeDef.");
    else
      set_err(err, err_size,
              "Failed to parse data into a valid NodeDef (malformed protobuf "
              "in the Flex custom options).");
    return false;
  }
  return true;
}

void pl_flex_node_free(PlFlexNode* node) {
  if (!node) return;
  free(node->attrs);
  memset(node, 0, sizeof(*node));
}

bool pl_flex_node_is(const PlFlexNode* node, const char* tf_op, char* err,
                     size_t err_size) {
  if (!bytes_eq(node->op, node->op_len, tf_op)) {
    set_err(err, err_size,
            "The Flex custom options name op '%.*s', expected '%s'.",
            (int)(node->op_len > 64 ? 64 : node->op_len),
            node->op ? (const char*)node->op : "", tf_op);
    return false;
  }
  if (!bytes_eq(node->def_op, node->def_op_len, tf_op)) {
    set_err(err, err_size, "The Flex NodeDef is for op '%.*s', expected '%s'.",
            (int)(node->def_op_len > 64 ? 64 : node->def_op_len),
            node->def_op ? (const char*)node->def_op : "", tf_op);
    return false;
  }
  return true;
}

const PlFlexAttr* pl_flex_node_attr(const PlFlexNode* node, const char* name) {
  for (int32_t i = 0; i < node->num_attrs; ++i)
    if (bytes_eq(node->attrs[i].name, node->attrs[i].name_len, name))
      return &node->attrs[i];
  return NULL;
}

/* TensorFlow's names of the AttrValue members, for messages. */
static const char* kind_name(PlFlexAttrKind kind) {
  switch (kind) {
    case PL_FLEX_ATTR_LIST: return "list";
    case PL_FLEX_ATTR_S: return "string";
    case PL_FLEX_ATTR_I: return "int";
    case PL_FLEX_ATTR_F: return "float";
    case PL_FLEX_ATTR_B: return "bool";
    case PL_FLEX_ATTR_TYPE: return "type";
    case PL_FLEX_ATTR_SHAPE: return "shape";
    case PL_FLEX_ATTR_TENSOR: return "tensor";
    case PL_FLEX_ATTR_PLACEHOLDER: return "placeholder";
    case PL_FLEX_ATTR_FUNC: return "func";
    default: return "none";
  }
}

/* The attr if present and of the wanted kind; NULL if absent; sets *bad
 * (and err) if present with another kind. */
static const PlFlexAttr* typed_attr(const PlFlexNode* node, const char* name,
                                    PlFlexAttrKind want, bool* bad, char* err,
                                    size_t err_size) {
  *bad = false;
  const PlFlexAttr* attr = pl_flex_node_attr(node, name);
  if (!attr || attr->kind == want) return attr;
  *bad = true;
  if (attr->kind == PL_FLEX_ATTR_NONE)
    set_err(err, err_size,
            "AttrValue missing value with expected type '%s' for attr '%s'.",
            kind_name(want), name);
  else
    set_err(err, err_size,
            "AttrValue had value with type '%s' when '%s' expected for attr "
            "'%s'.",
            kind_name(attr->kind), kind_name(want), name);
  return NULL;
}

bool pl_flex_attr_int32(const PlFlexNode* node, const char* name, int32_t def,
                        int32_t* out, char* err, size_t err_size) {
  bool bad;
  const PlFlexAttr* attr =
      typed_attr(node, name, PL_FLEX_ATTR_I, &bad, err, err_size);
  if (bad) return false;
  if (!attr) {
    *out = def;
    return true;
  }
  if (attr->i < INT32_MIN || attr->i > INT32_MAX) {
    set_err(err, err_size, "Attr %s has value %" PRId64
            " out of range for an int32", name, attr->i);
    return false;
  }
  *out = (int32_t)attr->i;
  return true;
}

bool pl_flex_attr_bool(const PlFlexNode* node, const char* name, bool def,
                       bool* out, char* err, size_t err_size) {
  bool bad;
  const PlFlexAttr* attr =
      typed_attr(node, name, PL_FLEX_ATTR_B, &bad, err, err_size);
  if (bad) return false;
  *out = attr ? attr->b : def;
  return true;
}

bool pl_flex_attr_type(const PlFlexNode* node, const char* name, bool has_def,
                       int32_t def, int32_t* out, char* err, size_t err_size) {
  bool bad;
  const PlFlexAttr* attr =
      typed_attr(node, name, PL_FLEX_ATTR_TYPE, &bad, err, err_size);
  if (bad) return false;
  if (attr) {
    *out = attr->type;
    return true;
  }
  if (!has_def) {
    set_err(err, err_size, "NodeDef missing attr '%s' from Op<name=%.*s>",
            name, (int)(node->op_len > 64 ? 64 : node->op_len),
            node->op ? (const char*)node->op : "");
    return false;
  }
  *out = def;
  return true;
}

bool pl_flex_attr_bytes(const PlFlexNode* node, const char* name,
                        const uint8_t** data, size_t* len, char* err,
                        size_t err_size) {
  bool bad;
  const PlFlexAttr* attr =
      typed_attr(node, name, PL_FLEX_ATTR_S, &bad, err, err_size);
  if (bad) return false;
  *data = attr ? attr->s : (const uint8_t*)"";
  *len = attr ? attr->s_len : 0;
  return true;
}
