/* pylite: reads and verifies a TFLite model (schema v3) once, up front.
 *
 * pl_model_parse() walks the whole flatbuffer through the bounds-checked
 * accessors of fb.h and copies what the runtime needs into the structs of
 * model.h. Every index the runtime will later follow (opcode, tensor, buffer,
 * subgraph) is range-checked here, and every constant buffer is checked
 * against its tensor's shape and type, so the rest of pylite can trust the
 * parsed model.
 *
 * A flatbuffer may share one sub-object between many parents, so a small
 * file can name the same large vector many times. To keep parse time and
 * memory proportional to the file, copied and scanned elements are counted
 * against a budget that grows with the file size.
 *
 * Field ids below are the declaration order of each table in schema.fbs; a
 * union field takes two ids (its type, then its value). */
#include "capi/core/model.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Schema facts -------------------------------------------------------- */

enum { kSchemaVersion = 3 };

enum {
  kModelVersion = 0,
  kModelOperatorCodes = 1,
  kModelSubgraphs = 2,
  kModelDescription = 3,
  kModelBuffers = 4,
  kModelMetadataBuffer = 5,
  kModelMetadata = 6,
  kModelSignatureDefs = 7,
  kModelExternalBufferGroups = 8,
  kModelExternalBuffers = 9,
};
enum {
  kOpCodeDeprecatedBuiltinCode = 0,
  kOpCodeCustomCode = 1,
  kOpCodeVersion = 2,
  kOpCodeBuiltinCode = 3,
};
enum {
  kSubgraphTensors = 0,
  kSubgraphInputs = 1,
  kSubgraphOutputs = 2,
  kSubgraphOperators = 3,
  kSubgraphName = 4,
};
enum {
  kTensorShape = 0,
  kTensorType = 1,
  kTensorBuffer = 2,
  kTensorName = 3,
  kTensorQuantization = 4,
  kTensorIsVariable = 5,
  kTensorSparsity = 6,
  kTensorShapeSignature = 7,
  kTensorHasRank = 8,
  kTensorVariantTensors = 9,
  kTensorExternalBuffer = 10,
};
enum {
  kQuantMin = 0,
  kQuantMax = 1,
  kQuantScale = 2,
  kQuantZeroPoint = 3,
  kQuantDetailsType = 4,
  kQuantDetails = 5,
  kQuantQuantizedDimension = 6,
};
/* QuantizationDetails union members. */
enum {
  kDetailsCustom = 1,
  kDetailsBlockwise = 2,
  kDetailsMultiAxis = 3,
};
enum { kCustomQuantCustom = 0 };
enum {
  kSparsityTraversalOrder = 0,
  kSparsityBlockMap = 1,
  kSparsityDimMetadata = 2,
};
enum {
  kDimFormat = 0,
  kDimDenseSize = 1,
  kDimSegmentsType = 2,
  kDimSegments = 3,
  kDimIndicesType = 4,
  kDimIndices = 5,
};
enum { kDimDense = 0, kDimSparseCsr = 1 };
/* SparseIndexVector union members; each is a table whose field 0 is
 * `values`. */
enum { kIndexInt32 = 1, kIndexUint16 = 2, kIndexUint8 = 3 };
enum { kVariantShape = 0, kVariantType = 1 };
enum {
  kOpOpcodeIndex = 0,
  kOpInputs = 1,
  kOpOutputs = 2,
  kOpBuiltinOptionsType = 3,
  kOpBuiltinOptions = 4,
  kOpCustomOptions = 5,
  kOpMutatingVariableInputs = 7,
  kOpIntermediates = 8,
  kOpLargeCustomOptionsOffset = 9,
  kOpLargeCustomOptionsSize = 10,
  kOpBuiltinOptions2Type = 11,
  kOpBuiltinOptions2 = 12,
};
enum { kBufferData = 0, kBufferOffset = 1, kBufferSize = 2 };
enum { kMetadataName = 0, kMetadataBuffer = 1 };
enum { kTensorMapName = 0, kTensorMapTensorIndex = 1 };
enum {
  kSigInputs = 0,
  kSigOutputs = 1,
  kSigKey = 2,
  kSigSubgraphIndex = 4,
};
enum { kExternalGroupName = 0 };
enum { kExternalBufferPacking = 4 };

enum { kBuiltinCustom = 32 };
/* Schema TensorType values needing special treatment. */
enum { kSchemaTypeString = 5 };

/* ---- Parse state --------------------------------------------------------- */

/* Every allocation made while parsing lives in one of these blocks,
 * chained from model->owned, so pl_model_free (and every failure path)
 * frees them all. Small arrays share blocks of kChunkBytes (a model has
 * thousands of them: shapes, quantization, operator lists), larger ones
 * get a block each. */
typedef union PlOwned {
  union PlOwned* next;
  max_align_t align;
} PlOwned;

typedef struct Ctx {
  PlModel* model;
  const PlFb* fb;
  char* err;
  size_t err_size;
  bool* declared;      /* per buffer: it names data, maybe 0 bytes of it */
  uint64_t work;       /* elements copied or scanned so far */
  uint64_t work_limit; /* proportional to the file size */
  char* chunk;          /* the free end of the current shared block */
  size_t chunk_left;    /* bytes left there */
} Ctx;

enum { kChunkBytes = 16384 };

static const char kEmpty[] = "";

static bool fail(Ctx* c, const char* fmt, ...)
    __attribute__((format(printf, 2, 3)));

static bool fail(Ctx* c, const char* fmt, ...) {
  if (c->err != NULL && c->err_size > 0) {
    va_list args;
    va_start(args, fmt);
    vsnprintf(c->err, c->err_size, fmt, args);
    va_end(args);
  }
  return false;
}

/* The place named in messages ("subgraph 2, tensor 7 ('name')"), as
 * snprintf of "<first><i>[<second><j>][ ('<name, 64 bytes at most>')]"
 * would write it: built for every buffer, tensor and operator whether or
 * not a message comes, so without the printf machinery. second and name
 * may be NULL. */
typedef struct PathOut {
  char* at;
  size_t left; /* room, the terminating NUL included */
} PathOut;

/* Appends the first n bytes of s (cut to the room left). */
static void path_put(PathOut* o, const char* s, size_t n) {
  if (n > o->left - 1) n = o->left - 1;
  memcpy(o->at, s, n);
  o->at += n;
  o->left -= n;
}

static void path_put_int(PathOut* o, int64_t v) {
  char text[24];
  char* end = text + sizeof(text);
  char* p = end;
  uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
  do {
    *--p = (char)('0' + u % 10);
    u /= 10;
  } while (u != 0);
  if (v < 0) *--p = '-';
  path_put(o, p, (size_t)(end - p));
}

static void path_make(char* path, size_t size, const char* first, int64_t i,
                      const char* second, int64_t j, const char* name) {
  PathOut o = {path, size};
  path_put(&o, first, strlen(first));
  path_put_int(&o, i);
  if (second != NULL) {
    path_put(&o, second, strlen(second));
    path_put_int(&o, j);
  }
  if (name != NULL) {
    const char* nul = memchr(name, '\0', 64);
    const size_t n = nul != NULL ? (size_t)(nul - name) : 64;
    path_put(&o, " ('", 3);
    path_put(&o, name, n);
    path_put(&o, "')", 2);
  }
  *o.at = '\0';
}

/* Zeroed memory for `count` elements of `elem` bytes, owned by the model;
 * NULL for count 0 (with *ok kept true) or on failure (message written). */
/* A zeroed block of `bytes` after its PlOwned header, chained from the
 * model; NULL when out of memory. */
static void* new_block(Ctx* c, size_t bytes) {
  PlOwned* block = calloc(1, sizeof(PlOwned) + bytes);
  if (block == NULL) return NULL;
  block->next = c->model->owned;
  c->model->owned = block;
  return block + 1;
}

static void* alloc_array(Ctx* c, size_t count, size_t elem, bool* ok) {
  if (count == 0 || elem == 0) return NULL;
  if (count > (SIZE_MAX - sizeof(PlOwned)) / elem) {
    *ok = fail(c, "model needs too much memory (%zu elements of %zu bytes)",
               count, elem);
    return NULL;
  }
  const size_t align = sizeof(PlOwned);
  const size_t bytes = count * elem;
  void* p = NULL;
  if (bytes > kChunkBytes / 4) {
    p = new_block(c, bytes);
  } else {
    const size_t taken = (bytes + align - 1) / align * align;
    if (taken > c->chunk_left) {
      c->chunk = new_block(c, kChunkBytes);
      c->chunk_left = c->chunk != NULL ? kChunkBytes : 0;
    }
    if (c->chunk != NULL) {
      p = c->chunk;
      c->chunk += taken;
      c->chunk_left -= taken;
    }
  }
  if (p == NULL)
    *ok = fail(c, "out of memory while reading the model (%zu bytes)", bytes);
  return p;
}

/* Charges `n` elements of work; fails once the budget is spent. */
static bool spend(Ctx* c, uint64_t n, const char* path) {
  c->work += n;
  if (c->work > c->work_limit) {
    return fail(c,
                "%s: model is too complex for its size (shared data is "
                "referenced too many times)",
                path);
  }
  return true;
}

/* Vector lengths become int32 counts. */
static bool count_ok(Ctx* c, const PlFbVec* v, const char* path,
                     const char* what) {
  if (v->len > INT32_MAX) {
    return fail(c, "%s: '%s' has too many elements (%u)", path, what,
                v->len);
  }
  return true;
}

/* An optional vector field: absent leaves *v zeroed. */
static bool opt_vector(Ctx* c, const PlFbTable* t, int field,
                       uint32_t elem_size, PlFbVec* v, const char* path,
                       const char* what) {
  int rc = pl_fb_vector(t, field, elem_size, v);
  if (rc == PL_FB_INVALID) {
    return fail(c, "%s: '%s' is not a valid vector", path, what);
  }
  return count_ok(c, v, path, what);
}

/* An optional string field; absent gives "" (and *present = false). */
static bool opt_string(Ctx* c, const PlFbTable* t, int field,
                       const char** str, bool* present, const char* path,
                       const char* what) {
  uint32_t len;
  int rc = pl_fb_string(t, field, str, &len);
  if (rc == PL_FB_INVALID) {
    return fail(c, "%s: '%s' is not a valid string", path, what);
  }
  if (present != NULL) *present = rc == PL_FB_OK;
  if (rc != PL_FB_OK) *str = kEmpty;
  return true;
}

/* Field sizes of the schema's tables, one digit per field id (a union
 * takes two: its u8 type and its offset). Fields past the end of a layout
 * (added to the schema later) and tables of unknown layout (builtin
 * options) are only checked to start inside the table. */
static const char kLayoutModel[] = "4444444444";
static const char kLayoutOpCode[] = "1444";
static const char kLayoutSubgraph[] = "444444";
static const char kLayoutTensor[] = "41444144144";
static const char kLayoutQuant[] = "4444144";
static const char kLayoutCustomQuant[] = "4";
static const char kLayoutSparsity[] = "444";
static const char kLayoutDim[] = "141414";
static const char kLayoutIndexVec[] = "4";
static const char kLayoutVariant[] = "411";
static const char kLayoutOperator[] = "44414414488144";
static const char kLayoutBuffer[] = "488";
static const char kLayoutMetadata[] = "44";
static const char kLayoutTensorMap[] = "44";
static const char kLayoutSignature[] = "44444";
static const char kLayoutExtGroup[] = "4";
static const char kLayoutExtBuffer[] = "44884";

/* Layouts of the builtin options tables, per BuiltinOptions and
 * BuiltinOptions2 union type, one character per field id: a digit is a
 * scalar of that many bytes, 's' a string, 'a'/'c'/'d'/'e' a vector of 1-,
 * 2-, 4- or 8-byte scalars, '-' a deprecated field. Generated from
 * schema.fbs by tests/tools/gen_options_layout.py. */
static const char* const kOptionsLayout[] = {
  [1] = "1441441", /* Conv2DOptions */
  [2] = "1444144", /* DepthwiseConv2DOptions */
  [3] = "4dd", /* ConcatEmbeddingsOptions */
  [4] = "1", /* LSHProjectionOptions */
  [5] = "144441", /* Pool2DOptions */
  [6] = "411", /* SVDFOptions */
  [7] = "11", /* RNNOptions */
  [8] = "11111", /* FullyConnectedOptions */
  [9] = "4", /* SoftmaxOptions */
  [10] = "41", /* ConcatenationOptions */
  [11] = "11", /* AddOptions */
  [12] = "1", /* L2NormOptions */
  [13] = "4444", /* LocalResponseNormalizationOptions */
  [14] = "14411", /* LSTMOptions */
  [15] = "--11", /* ResizeBilinearOptions */
  [16] = "4", /* CallOptions */
  [17] = "d", /* ReshapeOptions */
  [18] = "441", /* SkipGramOptions */
  [19] = "4", /* SpaceToDepthOptions */
  [20] = "1", /* EmbeddingLookupSparseOptions */
  [21] = "1", /* MulOptions */
  [22] = "", /* PadOptions */
  [23] = "44", /* GatherOptions */
  [24] = "", /* BatchToSpaceNDOptions */
  [25] = "", /* SpaceToBatchNDOptions */
  [26] = "", /* TransposeOptions */
  [27] = "1", /* ReducerOptions */
  [28] = "11", /* SubOptions */
  [29] = "1", /* DivOptions */
  [30] = "d", /* SqueezeOptions */
  [31] = "111", /* SequenceRNNOptions */
  [32] = "444441", /* StridedSliceOptions */
  [33] = "", /* ExpOptions */
  [34] = "", /* TopKV2Options */
  [35] = "4", /* SplitOptions */
  [36] = "", /* LogSoftmaxOptions */
  [37] = "11", /* CastOptions */
  [38] = "", /* DequantizeOptions */
  [39] = "", /* MaximumMinimumOptions */
  [40] = "1", /* ArgMaxOptions */
  [41] = "", /* LessOptions */
  [42] = "", /* NegOptions */
  [43] = "", /* PadV2Options */
  [44] = "", /* GreaterOptions */
  [45] = "", /* GreaterEqualOptions */
  [46] = "", /* LessEqualOptions */
  [47] = "", /* SelectOptions */
  [48] = "", /* SliceOptions */
  [49] = "14411", /* TransposeConvOptions */
  [50] = "1", /* SparseToDenseOptions */
  [51] = "", /* TileOptions */
  [52] = "", /* ExpandDimsOptions */
  [53] = "", /* EqualOptions */
  [54] = "", /* NotEqualOptions */
  [55] = "1", /* ShapeOptions */
  [56] = "", /* PowOptions */
  [57] = "1", /* ArgMinOptions */
  [58] = "4441", /* FakeQuantOptions */
  [59] = "44", /* PackOptions */
  [60] = "", /* LogicalOrOptions */
  [61] = "4", /* OneHotOptions */
  [62] = "", /* LogicalAndOptions */
  [63] = "", /* LogicalNotOptions */
  [64] = "44", /* UnpackOptions */
  [65] = "", /* FloorDivOptions */
  [66] = "", /* SquareOptions */
  [67] = "", /* ZerosLikeOptions */
  [68] = "", /* FillOptions */
  [69] = "144111", /* BidirectionalSequenceLSTMOptions */
  [70] = "1111", /* BidirectionalSequenceRNNOptions */
  [71] = "144111", /* UnidirectionalSequenceLSTMOptions */
  [72] = "", /* FloorModOptions */
  [73] = "", /* RangeOptions */
  [74] = "11", /* ResizeNearestNeighborOptions */
  [75] = "4", /* LeakyReluOptions */
  [76] = "", /* SquaredDifferenceOptions */
  [77] = "1", /* MirrorPadOptions */
  [78] = "", /* AbsOptions */
  [79] = "4", /* SplitVOptions */
  [80] = "1", /* UniqueOptions */
  [81] = "", /* ReverseV2Options */
  [82] = "", /* AddNOptions */
  [83] = "", /* GatherNdOptions */
  [84] = "", /* CosOptions */
  [85] = "", /* WhereOptions */
  [86] = "", /* RankOptions */
  [87] = "44", /* ReverseSequenceOptions */
  [88] = "", /* MatrixDiagOptions */
  [89] = "", /* QuantizeOptions */
  [90] = "", /* MatrixSetDiagOptions */
  [91] = "", /* HardSwishOptions */
  [92] = "44", /* IfOptions */
  [93] = "44", /* WhileOptions */
  [94] = "4", /* DepthToSpaceOptions */
  [95] = "", /* NonMaxSuppressionV4Options */
  [96] = "", /* NonMaxSuppressionV5Options */
  [97] = "", /* ScatterNdOptions */
  [98] = "", /* SelectV2Options */
  [99] = "", /* DensifyOptions */
  [100] = "", /* SegmentSumOptions */
  [101] = "111", /* BatchMatMulOptions */
  [102] = "11", /* CumsumOptions */
  [103] = "4", /* CallOnceOptions */
  [104] = "", /* BroadcastToOptions */
  [105] = "", /* Rfft2dOptions */
  [106] = "14441444", /* Conv3DOptions */
  [107] = "411", /* HashtableOptions */
  [108] = "", /* HashtableFindOptions */
  [109] = "", /* HashtableImportOptions */
  [110] = "", /* HashtableSizeOptions */
  [111] = "ss", /* VarHandleOptions */
  [112] = "", /* ReadVariableOptions */
  [113] = "", /* AssignVariableOptions */
  [114] = "88", /* RandomOptions */
  [115] = "d", /* BucketizeOptions */
  [116] = "1", /* GeluOptions */
  [117] = "", /* DynamicUpdateSliceOptions */
  [118] = "", /* UnsortedSegmentProdOptions */
  [119] = "", /* UnsortedSegmentMaxOptions */
  [120] = "", /* UnsortedSegmentMinOptions */
  [121] = "", /* UnsortedSegmentSumOptions */
  [122] = "", /* ATan2Options */
  [123] = "", /* SignOptions */
  [124] = "", /* BitcastOptions */
  [125] = "", /* BitwiseXorOptions */
  [126] = "", /* RightShiftOptions */
};
static const char* const kOptions2Layout[] = {
  [1] = "8", /* StablehloConcatenateOptions */
  [2] = "e", /* StablehloBroadcastInDimOptions */
  [3] = "eee", /* StablehloSliceOptions */
  [4] = "eeeea88e88e88e88d", /* StablehloConvolutionOptions */
  [5] = "s1s4da", /* StablehloCustomCallOptions */
  [6] = "e4", /* StablehloReduceOptions */
  [7] = "1eee814", /* StablehloScatterOptions */
  [8] = "44", /* StablehloCompareOptions */
  [9] = "e", /* StablehloDynamicSliceOptions */
  [10] = "eee", /* StablehloPadOptions */
  [11] = "8", /* StablehloIotaOptions */
  [12] = "eeeed", /* StablehloDotGeneralOptions */
  [13] = "eeeee4", /* StablehloReduceWindowOptions */
  [14] = "814", /* StablehloSortOptions */
  [15] = "44", /* StablehloWhileOptions */
  [16] = "eee8e1", /* StablehloGatherOptions */
  [17] = "e", /* StablehloTransposeOptions */
  [18] = "", /* DilateOptions */
  [19] = "1", /* StablehloRngBitGeneratorOptions */
  [20] = "4", /* ReduceWindowOptions */
  [21] = "s4a14", /* StableHLOCompositeOptions */
  [22] = "", /* StablehloShiftLeftOptions */
  [23] = "d", /* StablehloCaseOptions */
};

/* Bytes a field of layout character `code` takes inline. */
static uint32_t layout_size(char code) {
  return code >= '1' && code <= '8' ? (uint32_t)(code - '0')
         : code == '-'              ? 1u
                                    : 4u;
}

/* Every field a vtable lists must lie in its table's inline part, and known
 * fields must fit there and be aligned to their size (as FlatBuffers'
 * verifier requires). The accessors would read a misplaced field as absent,
 * which would make this reader see a different model than other FlatBuffers
 * readers; refuse instead. */
static bool check_vtable(Ctx* c, const PlFbTable* t, const char* layout,
                         const char* path) {
  uint32_t entries = (t->vtable_size - 4u) / 2u;
  size_t known = layout ? strlen(layout) : 0;
  if (!spend(c, entries, path)) return false;
  const uint8_t* vt = t->base + t->vtable + 4;
  for (uint32_t i = 0; i < entries; ++i) {
    uint32_t off = (uint32_t)vt[2 * i] | (uint32_t)vt[2 * i + 1] << 8;
    if (off == 0) continue;
    uint32_t size = i < known ? layout_size(layout[i]) : 1;
    if (off < 4 || off + size > t->inline_size ||
        ((uint64_t)t->pos + off) % size != 0) {
      return fail(c, "%s: field %u is misplaced in its table", path, i);
    }
  }
  return true;
}

/* An optional sub-table field; absent leaves *out zeroed. */
static bool opt_table(Ctx* c, const PlFbTable* t, int field, PlFbTable* out,
                      bool* present, const char* layout, const char* path,
                      const char* what) {
  int rc = pl_fb_subtable(t, field, out);
  if (rc == PL_FB_INVALID) {
    return fail(c, "%s: '%s' is not a valid table", path, what);
  }
  if (present != NULL) *present = rc == PL_FB_OK;
  return rc != PL_FB_OK || check_vtable(c, out, layout, path);
}

/* Element i of a vector of tables; a missing or bad element is an error. */
static bool vec_table(Ctx* c, const PlFbVec* v, uint32_t i, PlFbTable* out,
                      const char* layout, const char* path) {
  if (pl_fb_vec_table(c->fb, v, i, out) != PL_FB_OK) {
    return fail(c, "%s: not a valid table", path);
  }
  return check_vtable(c, out, layout, path);
}

/* Copies an int32 vector into model memory. */
static bool copy_i32(Ctx* c, const PlFbVec* v, int32_t** out,
                     const char* path) {
  bool ok = true;
  *out = NULL;
  if (v->len == 0) return true;
  if (!spend(c, v->len, path)) return false;
  int32_t* dst = alloc_array(c, v->len, sizeof(int32_t), &ok);
  if (!ok) return false;
  pl_fb_vec_copy(v, 4, dst);
  *out = dst;
  return true;
}

/* A union field: its type (u8, field id `type_field`) and, unless the type
 * is NONE, its value table (id type_field + 1). A type without a value reads
 * as absent, as FlatBuffers verifiers accept it; a value whose type is NONE
 * is ignored. Unknown types are fine as long as the table verifies. */
static bool opt_union(Ctx* c, const PlFbTable* t, int type_field,
                      uint8_t* type, PlFbTable* value, const char* layout,
                      const char* path, const char* what) {
  memset(value, 0, sizeof(*value));
  *type = pl_fb_u8(t, type_field, 0);
  if (*type == 0) return true;
  return opt_table(c, t, type_field + 1, value, NULL, layout, path, what);
}

/* A builtin options union value: fields placed as the schema says, strings
 * and vectors well formed. Union types this reader does not know are only
 * checked as tables. */
static bool check_options(Ctx* c, const PlFbTable* t, uint8_t type,
                          const char* const* layouts, size_t num_layouts,
                          const char* path, const char* what) {
  if (t->base == NULL) return true;
  const char* layout = type < num_layouts ? layouts[type] : NULL;
  if (!check_vtable(c, t, layout, path)) return false;
  for (int f = 0; layout != NULL && layout[f] != '\0'; ++f) {
    uint32_t elem = 0;
    switch (layout[f]) {
      case 'a': elem = 1; break;
      case 'c': elem = 2; break;
      case 'd': elem = 4; break;
      case 'e': elem = 8; break;
      default: break;
    }
    int rc = PL_FB_OK;
    PlFbVec vec;
    const char* str;
    if (layout[f] == 's') {
      rc = pl_fb_string(t, f, &str, NULL);
    } else if (elem != 0) {
      rc = pl_fb_vector(t, f, elem, &vec);
    }
    if (rc == PL_FB_INVALID) {
      return fail(c, "%s: field %d of '%s' (type %u) is not valid", path, f,
                  what, type);
    }
  }
  return true;
}

/* ---- Types --------------------------------------------------------------- */

TfLiteType pl_type_from_schema(int schema_type) {
  static const TfLiteType kMap[] = {
      kTfLiteFloat32,      /* FLOAT32 = 0 */
      kTfLiteFloat16,      /* FLOAT16 = 1 */
      kTfLiteInt32,        /* INT32 = 2 */
      kTfLiteUInt8,        /* UINT8 = 3 */
      kTfLiteInt64,        /* INT64 = 4 */
      kTfLiteString,       /* STRING = 5 */
      kTfLiteBool,         /* BOOL = 6 */
      kTfLiteInt16,        /* INT16 = 7 */
      kTfLiteComplex64,    /* COMPLEX64 = 8 */
      kTfLiteInt8,         /* INT8 = 9 */
      kTfLiteFloat64,      /* FLOAT64 = 10 */
      kTfLiteComplex128,   /* COMPLEX128 = 11 */
      kTfLiteUInt64,       /* UINT64 = 12 */
      kTfLiteResource,     /* RESOURCE = 13 */
      kTfLiteVariant,      /* VARIANT = 14 */
      kTfLiteUInt32,       /* UINT32 = 15 */
      kTfLiteUInt16,       /* UINT16 = 16 */
      kTfLiteInt4,         /* INT4 = 17 */
      kTfLiteBFloat16,     /* BFLOAT16 = 18 */
      kTfLiteInt2,         /* INT2 = 19 */
      kTfLiteUInt4,        /* UINT4 = 20 */
      kTfLiteFloat8E4M3FN, /* FLOAT8_E4M3FN = 21 */
      kTfLiteFloat8E5M2,   /* FLOAT8_E5M2 = 22 */
  };
  if (schema_type < 0 ||
      (size_t)schema_type >= sizeof(kMap) / sizeof(kMap[0])) {
    return kTfLiteNoType;
  }
  return kMap[schema_type];
}

size_t pl_type_size(TfLiteType type) {
  switch (type) {
    case kTfLiteBool:
    case kTfLiteUInt8:
    case kTfLiteInt8:
    case kTfLiteFloat8E4M3FN:
    case kTfLiteFloat8E5M2:
      return 1;
    case kTfLiteInt16:
    case kTfLiteUInt16:
    case kTfLiteFloat16:
    case kTfLiteBFloat16:
      return 2;
    case kTfLiteFloat32:
    case kTfLiteInt32:
    case kTfLiteUInt32:
    case kTfLiteResource: /* an int32 resource id, as in TFLite */
      return 4;
    case kTfLiteInt64:
    case kTfLiteUInt64:
    case kTfLiteFloat64:
    case kTfLiteComplex64:
      return 8;
    case kTfLiteComplex128:
      return 16;
    default:
      /* string, resource, variant, packed int4/uint4/int2, unknown */
      return 0;
  }
}

/* Bytes that `count` elements of a fixed-size or packed type take in a
 * buffer; false if the type has no fixed size or the product overflows. */
static bool data_bytes(TfLiteType type, uint64_t count, uint64_t* bytes) {
  switch (type) {
    case kTfLiteInt4:
    case kTfLiteUInt4:
      *bytes = count / 2 + count % 2;
      return true;
    case kTfLiteInt2:
      *bytes = count / 4 + (count % 4 != 0);
      return true;
    default:
      break;
  }
  size_t size = pl_type_size(type);
  if (size == 0 || count > UINT64_MAX / size) return false;
  *bytes = count * size;
  return true;
}

/* ---- Buffers and operator codes ------------------------------------------ */

/* Checks that [offset, offset + size) lies inside the file, for data stored
 * after the flatbuffer (models over 2 GB). */
static bool outside_range_ok(const Ctx* c, uint64_t offset, uint64_t size) {
  return size <= (uint64_t)c->fb->size &&
         offset <= (uint64_t)c->fb->size - size;
}

static bool parse_buffers(Ctx* c, const PlFbTable* root) {
  PlModel* m = c->model;
  PlFbVec vec;
  bool ok = true;
  if (!opt_vector(c, root, kModelBuffers, 4, &vec, "model", "buffers")) {
    return false;
  }
  if (vec.data == NULL) return fail(c, "model: no buffers in the model");
  m->num_buffers = (int32_t)vec.len;
  m->buffers = alloc_array(c, vec.len, sizeof(PlBufferDef), &ok);
  if (!ok) return false;
  c->declared = alloc_array(c, vec.len, sizeof(bool), &ok);
  if (!ok || !spend(c, vec.len, "model: buffers")) return false;
  for (uint32_t i = 0; i < vec.len; ++i) {
    char path[64];
    path_make(path, sizeof(path), "buffer ", i, NULL, 0, NULL);
    PlFbTable t;
    PlFbVec data;
    if (!vec_table(c, &vec, i, &t, kLayoutBuffer, path) ||
        !opt_vector(c, &t, kBufferData, 1, &data, path, "data")) {
      return false;
    }
    PlBufferDef* b = &m->buffers[i];
    if (data.data != NULL) {
      b->data = data.len > 0 ? data.data : NULL;
      b->size = data.len;
      c->declared[i] = true;
      continue;
    }
    /* Offsets 0 and 1 mean "no data" (1 is a converter placeholder). */
    uint64_t offset = pl_fb_u64(&t, kBufferOffset, 0);
    uint64_t size = pl_fb_u64(&t, kBufferSize, 0);
    if (offset <= 1) continue;
    if (!outside_range_ok(c, offset, size)) {
      return fail(c,
                  "%s: data at offset %llu, size %llu lies outside the "
                  "model (%zu bytes)",
                  path, (unsigned long long)offset, (unsigned long long)size,
                  c->fb->size);
    }
    b->data = size > 0 ? c->fb->base + offset : NULL;
    b->size = (size_t)size;
    c->declared[i] = true;
  }
  return true;
}

static bool parse_opcodes(Ctx* c, const PlFbTable* root) {
  PlModel* m = c->model;
  PlFbVec vec;
  bool ok = true;
  if (!opt_vector(c, root, kModelOperatorCodes, 4, &vec, "model",
                  "operator_codes")) {
    return false;
  }
  m->num_opcodes = (int32_t)vec.len;
  m->opcodes = alloc_array(c, vec.len, sizeof(PlOpCode), &ok);
  if (!ok || !spend(c, vec.len, "model: operator_codes")) return false;
  for (uint32_t i = 0; i < vec.len; ++i) {
    char path[64];
    path_make(path, sizeof(path), "operator code ", i, NULL, 0, NULL);
    PlFbTable t;
    if (!vec_table(c, &vec, i, &t, kLayoutOpCode, path)) return false;
    /* The int8 field holds codes < 127; newer codes are in builtin_code and
     * the old field says PLACEHOLDER_FOR_GREATER_OP_CODES (127). */
    int32_t deprecated = pl_fb_i8(&t, kOpCodeDeprecatedBuiltinCode, 0);
    int32_t code = pl_fb_i32(&t, kOpCodeBuiltinCode, 0);
    if (deprecated > code) code = deprecated;
    if (code < 0) {
      return fail(c, "%s: builtin code %d is out of range", path, code);
    }
    const char* custom;
    bool has_custom;
    if (!opt_string(c, &t, kOpCodeCustomCode, &custom, &has_custom, path,
                    "custom_code")) {
      return false;
    }
    PlOpCode* op = &m->opcodes[i];
    op->builtin_code = code;
    op->version = pl_fb_i32(&t, kOpCodeVersion, 1);
    if (code == kBuiltinCustom) {
      if (!has_custom || custom[0] == '\0') {
        return fail(c, "%s: CUSTOM operator has no custom_code", path);
      }
      op->custom_code = custom;
    }
  }
  return true;
}

/* ---- Tensors ------------------------------------------------------------- */

/* Verifies a VariantSubType table list (structure only). */
static bool check_variant_tensors(Ctx* c, const PlFbTable* t,
                                  const char* path) {
  PlFbVec vec;
  if (!opt_vector(c, t, kTensorVariantTensors, 4, &vec, path,
                  "variant_tensors")) {
    return false;
  }
  if (!spend(c, vec.len, path)) return false;
  for (uint32_t i = 0; i < vec.len; ++i) {
    PlFbTable sub;
    PlFbVec shape;
    if (!vec_table(c, &vec, i, &sub, kLayoutVariant, path) ||
        !opt_vector(c, &sub, kVariantShape, 4, &shape, path,
                    "variant_tensors.shape")) {
      return false;
    }
    if (pl_type_from_schema(pl_fb_i8(&sub, kVariantType, 0)) ==
        kTfLiteNoType) {
      return fail(c, "%s: variant subtype %u has unknown type %d", path, i,
                  pl_fb_i8(&sub, kVariantType, 0));
    }
  }
  return true;
}

/* The elements of a verified vector of `size`-byte scalars (NULL when
 * empty): in place when the host reads them as they are stored
 * (little-endian, aligned; the model's bytes outlive its structs, as the
 * tensor data in them does), else a copy owned by the model. */
static const void* scalars(Ctx* c, const PlFbVec* v, uint32_t size,
                           bool* ok) {
  if (v->len == 0) return NULL;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  if (v->data != NULL && v->elem_size == size &&
      (uintptr_t)v->data % size == 0)
    return v->data;
#endif
  void* copy = alloc_array(c, v->len, size, ok);
  if (copy != NULL) pl_fb_vec_copy(v, size, copy);
  return copy;
}

static bool parse_quantization(Ctx* c, const PlFbTable* qt, PlTensorDef* td,
                               const char* path) {
  PlFbVec min, max, scale, zero;
  bool ok = true;
  if (!opt_vector(c, qt, kQuantMin, 4, &min, path, "quantization.min") ||
      !opt_vector(c, qt, kQuantMax, 4, &max, path, "quantization.max") ||
      !opt_vector(c, qt, kQuantScale, 4, &scale, path,
                  "quantization.scale") ||
      !opt_vector(c, qt, kQuantZeroPoint, 8, &zero, path,
                  "quantization.zero_point")) {
    return false;
  }
  uint8_t details_type;
  PlFbTable details;
  if (!opt_union(c, qt, kQuantDetailsType, &details_type, &details, NULL,
                 path, "quantization.details")) {
    return false;
  }
  if (details_type == kDetailsCustom && details.base != NULL) {
    PlFbVec custom;
    if (!check_vtable(c, &details, kLayoutCustomQuant, path) ||
        !opt_vector(c, &details, kCustomQuantCustom, 1, &custom, path,
                    "quantization.details.custom")) {
      return false;
    }
  } else if (details_type == kDetailsBlockwise ||
             details_type == kDetailsMultiAxis) {
    /* Their parameters live in other tensors; the model structs have no
     * place for them, so refuse rather than read the tensor wrongly. */
    return fail(c, "%s: %s quantization is not supported", path,
                details_type == kDetailsBlockwise ? "blockwise"
                                                  : "multi-axis");
  }

  /* No scales: not quantized, the other fields do not matter. */
  if (scale.len == 0) return true;
  if (zero.len != 0 && zero.len != scale.len) {
    return fail(c,
                "%s: quantization has %u zero points and %u scales (must be "
                "equal)",
                path, zero.len, scale.len);
  }
  int32_t qdim = pl_fb_i32(qt, kQuantQuantizedDimension, 0);
  if (qdim < 0 || (td->rank > 0 && qdim >= td->rank)) {
    return fail(c, "%s: quantized_dimension %d is out of range [0, %d)", path,
                qdim, td->rank);
  }
  if (scale.len != 1 &&
      (td->rank == 0 || (uint32_t)td->shape[qdim] != scale.len)) {
    return fail(c,
                "%s: quantization has %u scales; expected 1 or the size of "
                "dimension %d (%d)",
                path, scale.len, qdim, td->rank > 0 ? td->shape[qdim] : 0);
  }
  if (!spend(c, (uint64_t)scale.len + zero.len, path)) return false;
  PlQuantDef* q = &td->quant;
  q->scale = scalars(c, &scale, sizeof(float), &ok);
  if (!ok) return false;
  q->zero_point = scalars(c, &zero, sizeof(int64_t), &ok);
  if (!ok) return false;
  q->num_scales = (int32_t)scale.len;
  q->num_zero_points = (int32_t)zero.len;
  q->quantized_dimension = qdim;
  return true;
}

/* A SparseIndexVector union value: the `values` vector of an Int32Vector,
 * Uint16Vector or Uint8Vector table. */
typedef struct IndexVec {
  PlFbVec values;
  uint8_t type;
} IndexVec;

static bool index_vector(Ctx* c, const PlFbTable* dim, int type_field,
                         IndexVec* out, const char* path, const char* what) {
  PlFbTable value;
  memset(out, 0, sizeof(*out));
  if (!opt_union(c, dim, type_field, &out->type, &value, kLayoutIndexVec,
                 path, what)) {
    return false;
  }
  if (out->type == 0 || value.base == NULL) return true;
  uint32_t elem = out->type == kIndexInt32    ? 4
                  : out->type == kIndexUint16 ? 2
                  : out->type == kIndexUint8  ? 1
                                              : 0;
  if (elem == 0) {
    return fail(c, "%s: '%s' has unknown index type %u", path, what,
                out->type);
  }
  return opt_vector(c, &value, 0, elem, &out->values, path, what);
}

static int64_t index_at(const IndexVec* v, uint32_t i) {
  switch (v->type) {
    case kIndexInt32:
      return pl_fb_vec_i32(&v->values, i);
    case kIndexUint16: {
      const uint8_t* p = v->values.data + 2 * (size_t)i;
      return p[0] | p[1] << 8;
    }
    default:
      return pl_fb_vec_u8(&v->values, i);
  }
}

/* Checks that sparsity parameters are well formed, whatever they say. */
static bool check_sparsity_structure(Ctx* c, const PlFbTable* sp,
                                     const char* path) {
  PlFbVec order, block_map, dims;
  if (!opt_vector(c, sp, kSparsityTraversalOrder, 4, &order, path,
                  "sparsity.traversal_order") ||
      !opt_vector(c, sp, kSparsityBlockMap, 4, &block_map, path,
                  "sparsity.block_map") ||
      !opt_vector(c, sp, kSparsityDimMetadata, 4, &dims, path,
                  "sparsity.dim_metadata") ||
      !spend(c, dims.len, path)) {
    return false;
  }
  for (uint32_t i = 0; i < dims.len; ++i) {
    PlFbTable dm;
    IndexVec seg, idx;
    if (!vec_table(c, &dims, i, &dm, kLayoutDim, path) ||
        !index_vector(c, &dm, kDimSegmentsType, &seg, path,
                      "array_segments") ||
        !index_vector(c, &dm, kDimIndicesType, &idx, path, "array_indices")) {
      return false;
    }
  }
  return true;
}

/* Largest traversal order accepted: a block dimension per tensor
 * dimension. */
#define PL_MAX_SPARSE_DIMS (2 * PL_MAX_RANK)

/* Verifies the sparsity parameters of a constant tensor and counts the
 * values its buffer must hold. The traversal order lists the n tensor
 * dimensions (a permutation of 0..n-1) and then k block dimensions (a
 * permutation of n..n+k-1); block_map[j] names the tensor dimension that
 * block dimension n+j splits. Walking the levels in traversal order, a dense
 * level multiplies the count by its size, and a CSR level replaces it by the
 * number of stored indices, after checking that its segment array has one
 * entry per value of the levels above. */
static bool sparse_count(Ctx* c, const PlFbTable* sp, const PlTensorDef* td,
                         uint64_t* count, const char* path) {
  PlFbVec order, block_map, dims;
  if (!opt_vector(c, sp, kSparsityTraversalOrder, 4, &order, path,
                  "sparsity.traversal_order") ||
      !opt_vector(c, sp, kSparsityBlockMap, 4, &block_map, path,
                  "sparsity.block_map") ||
      !opt_vector(c, sp, kSparsityDimMetadata, 4, &dims, path,
                  "sparsity.dim_metadata")) {
    return false;
  }
  uint32_t n = (uint32_t)td->rank;
  uint32_t total = order.len;
  if (order.data == NULL || dims.data == NULL || total < n ||
      total > PL_MAX_SPARSE_DIMS || dims.len != total ||
      (total > n && block_map.len != total - n)) {
    return fail(c, "%s: invalid sparsity parameters", path);
  }
  int32_t ord[PL_MAX_SPARSE_DIMS];
  bool seen[PL_MAX_SPARSE_DIMS] = {false};
  for (uint32_t i = 0; i < total; ++i) {
    ord[i] = pl_fb_vec_i32(&order, i);
    /* Tensor dims come first, then block dims. */
    uint32_t lo = i < n ? 0 : n, hi = i < n ? n : total;
    if (ord[i] < (int32_t)lo || ord[i] >= (int32_t)hi || seen[ord[i]]) {
      return fail(c, "%s: sparsity traversal_order is not a permutation",
                  path);
    }
    seen[ord[i]] = true;
  }
  /* Size of each dimension, tensor dims divided into their blocks. */
  int64_t size[PL_MAX_SPARSE_DIMS];
  for (uint32_t i = 0; i < n; ++i) size[i] = td->shape[i];
  for (uint32_t j = 0; j < total - n; ++j) {
    PlFbTable dm;
    if (!vec_table(c, &dims, n + j, &dm, kLayoutDim, path)) return false;
    int32_t block = pl_fb_i32(&dm, kDimDenseSize, 0);
    int32_t mapped = pl_fb_vec_i32(&block_map, j);
    if (block <= 0 || mapped < 0 || (uint32_t)mapped >= n ||
        size[mapped] % block != 0) {
      return fail(c, "%s: invalid sparsity block %u", path, j);
    }
    size[ord[n + j]] = block;
    size[mapped] /= block;
  }
  uint64_t num = 1;
  for (uint32_t i = 0; i < total; ++i) {
    PlFbTable dm;
    if (!vec_table(c, &dims, i, &dm, kLayoutDim, path)) return false;
    int8_t format = pl_fb_i8(&dm, kDimFormat, kDimDense);
    int64_t dim_size = size[ord[i]];
    if (format == kDimDense) {
      if (pl_fb_i32(&dm, kDimDenseSize, 0) != dim_size) {
        return fail(c, "%s: sparsity level %u has dense_size %d, expected %lld",
                    path, i, pl_fb_i32(&dm, kDimDenseSize, 0),
                    (long long)dim_size);
      }
      num *= (uint64_t)dim_size;
      if (num > UINT32_MAX) {
        return fail(c, "%s: sparse tensor is too large", path);
      }
      continue;
    }
    if (format != kDimSparseCsr) {
      return fail(c, "%s: sparsity level %u has unknown format %d", path, i,
                  format);
    }
    IndexVec seg, idx;
    if (!index_vector(c, &dm, kDimSegmentsType, &seg, path,
                      "array_segments") ||
        !index_vector(c, &dm, kDimIndicesType, &idx, path, "array_indices")) {
      return false;
    }
    if (seg.values.data == NULL || idx.values.data == NULL ||
        (uint64_t)seg.values.len != num + 1) {
      return fail(c, "%s: sparsity level %u has invalid CSR arrays", path,
                  i);
    }
    if (!spend(c, (uint64_t)seg.values.len + idx.values.len, path)) {
      return false;
    }
    /* Segments: start at 0, never decrease, end at the index count. */
    if (index_at(&seg, 0) != 0) {
      return fail(c, "%s: sparsity level %u segments do not start at 0",
                  path, i);
    }
    for (uint32_t j = 1; j < seg.values.len; ++j) {
      if (index_at(&seg, j) < index_at(&seg, j - 1)) {
        return fail(c, "%s: sparsity level %u segments decrease", path, i);
      }
    }
    if (index_at(&seg, seg.values.len - 1) != (int64_t)idx.values.len) {
      return fail(c, "%s: sparsity level %u segments do not match indices",
                  path, i);
    }
    for (uint32_t j = 0; j < idx.values.len; ++j) {
      int64_t v = index_at(&idx, j);
      if (v < 0 || v >= dim_size) {
        return fail(c, "%s: sparsity level %u index %lld out of range", path,
                    i, (long long)v);
      }
    }
    num = idx.values.len;
  }
  *count = num;
  return true;
}

static uint32_t le32(const uint8_t* p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
         (uint32_t)p[3] << 24;
}

/* A constant string tensor's buffer: int32 count N, N + 1 int32 offsets
 * (from the buffer start: the first one right after them, never
 * decreasing, the last one the buffer size), then the bytes. */
static bool check_string_buffer(Ctx* c, const PlBufferDef* b,
                                uint64_t num_elements, const char* path) {
  if (b->size < 8) {
    return fail(c, "%s: string buffer is too small (%zu bytes)", path,
                b->size);
  }
  uint32_t count = le32(b->data);
  uint64_t header = ((uint64_t)count + 2) * 4;
  if (header > b->size) {
    return fail(c, "%s: string buffer of %zu bytes cannot hold %u strings",
                path, b->size, count);
  }
  if (count != num_elements) {
    return fail(c, "%s: string buffer holds %u strings, shape needs %llu",
                path, count, (unsigned long long)num_elements);
  }
  if (!spend(c, (uint64_t)count + 1, path)) return false;
  uint64_t prev = header;
  for (uint64_t i = 0; i <= count; ++i) {
    uint64_t off = le32(b->data + 4 + 4 * i);
    if ((i == 0 && off != header) || off < prev || off > b->size) {
      return fail(c, "%s: string buffer offset %llu is invalid", path,
                  (unsigned long long)i);
    }
    prev = off;
  }
  if (prev != b->size) {
    return fail(c, "%s: string buffer ends at %llu, not at its size %zu",
                path, (unsigned long long)prev, b->size);
  }
  return true;
}

/* Checks a constant tensor's buffer against its type and shape. A buffer
 * that names data of 0 bytes counts as constant too (as in TFLite), so it
 * only passes for a tensor with no elements; string, resource and variant
 * tensors then simply have no data. */
static bool check_constant(Ctx* c, const PlTensorDef* td,
                           const PlFbTable* sparsity, const char* path) {
  const PlBufferDef* b = &c->model->buffers[td->buffer];
  if (td->is_variable) {
    return fail(c, "%s: variable tensor has a constant buffer (%d)", path,
                td->buffer);
  }
  uint64_t count = 1;
  for (int32_t d = 0; d < td->rank; ++d) count *= (uint64_t)td->shape[d];
  if (td->type == kTfLiteResource || td->type == kTfLiteVariant ||
      (td->type == kTfLiteString && b->size == 0)) {
    return true;
  }
  if (td->type == kTfLiteString) {
    return check_string_buffer(c, b, count, path);
  }
  if (td->has_sparsity && !sparse_count(c, sparsity, td, &count, path)) {
    return false;
  }
  uint64_t bytes = 0;
  if (!data_bytes(td->type, count, &bytes) || bytes != b->size) {
    return fail(c,
                "%s: constant buffer %d has %zu bytes, but type %d and "
                "shape need %llu",
                path, td->buffer, b->size, (int)td->type,
                (unsigned long long)bytes);
  }
  if (td->type == kTfLiteBool) { /* kernels read them as C bool */
    for (size_t k = 0; k < b->size; ++k) {
      if (b->data[k] > 1) {
        return fail(c, "%s: bool constant holds byte %u at element %zu "
                    "(must be 0 or 1)", path, (unsigned)b->data[k], k);
      }
    }
  }
  return true;
}

static bool parse_shape(Ctx* c, const PlFbTable* t, PlTensorDef* td,
                        const char* path) {
  PlFbVec shape, sig;
  if (!opt_vector(c, t, kTensorShape, 4, &shape, path, "shape") ||
      !opt_vector(c, t, kTensorShapeSignature, 4, &sig, path,
                  "shape_signature")) {
    return false;
  }
  if (shape.len > PL_MAX_RANK) {
    return fail(c, "%s: rank %u exceeds the maximum of %d", path, shape.len,
                PL_MAX_RANK);
  }
  td->rank = (int32_t)shape.len;
  if (!copy_i32(c, &shape, &td->shape, path)) return false;
  /* Element count of the dims above 1 must fit in int32 (as in TFLite), so
   * a zero dim cannot hide an overflowing product. */
  int64_t product = 1;
  for (int32_t d = 0; d < td->rank; ++d) {
    if (td->shape[d] < 0) {
      return fail(c, "%s: dimension %d is negative (%d)", path, d,
                  td->shape[d]);
    }
    if (td->shape[d] > 1) {
      product *= td->shape[d];
      if (product > INT32_MAX) {
        return fail(c, "%s: shape has too many elements", path);
      }
    }
  }
  /* An empty signature reads as absent, as in TFLite. */
  if (sig.len == 0) return true;
  if (sig.len != shape.len) {
    return fail(c, "%s: shape_signature has %u dims but shape has %u", path,
                sig.len, shape.len);
  }
  if (!copy_i32(c, &sig, &td->shape_signature, path)) return false;
  for (int32_t d = 0; d < td->rank; ++d) {
    if (td->shape_signature[d] < -1) {
      return fail(c, "%s: shape_signature dimension %d is %d", path, d,
                  td->shape_signature[d]);
    }
  }
  return true;
}

static bool parse_tensor(Ctx* c, const PlFbTable* t, PlTensorDef* td,
                         const char* path) {
  PlModel* m = c->model;
  const char* name;
  if (!opt_string(c, t, kTensorName, &name, NULL, path, "name")) {
    return false;
  }
  td->name = name;
  if (!parse_shape(c, t, td, path)) return false;
  int8_t schema_type = pl_fb_i8(t, kTensorType, 0);
  td->type = pl_type_from_schema(schema_type);
  if (td->type == kTfLiteNoType) {
    return fail(c, "%s: unknown tensor type %d", path, schema_type);
  }
  td->is_variable = pl_fb_bool(t, kTensorIsVariable, false);
  if (pl_fb_u32(t, kTensorExternalBuffer, 0) != 0) {
    return fail(c, "%s: data in external buffer %u is not supported", path,
                pl_fb_u32(t, kTensorExternalBuffer, 0));
  }
  uint32_t buffer = pl_fb_u32(t, kTensorBuffer, 0);
  if (buffer != 0 && buffer >= (uint32_t)m->num_buffers) {
    return fail(c, "%s: buffer index %u out of range (model has %d buffers)",
                path, buffer, m->num_buffers);
  }
  td->buffer = (int32_t)buffer;

  PlFbTable quant;
  bool has_quant = false;
  if (!opt_table(c, t, kTensorQuantization, &quant, &has_quant,
                 kLayoutQuant, path, "quantization") ||
      (has_quant && !parse_quantization(c, &quant, td, path))) {
    return false;
  }
  if (!opt_table(c, t, kTensorSparsity, &td->sparsity, &td->has_sparsity,
                 kLayoutSparsity, path, "sparsity") ||
      !check_variant_tensors(c, t, path)) {
    return false;
  }
  /* Sparsity parameters are kept on any tensor (TFLite ignores them unless
   * the tensor is constant), so their structure is checked first; a
   * constant's are then checked against its shape and data. */
  if (td->has_sparsity && !check_sparsity_structure(c, &td->sparsity, path)) {
    return false;
  }
  /* Buffer 0 is the "no data" sentinel, whatever it holds. */
  return buffer == 0 || !c->declared[buffer] ||
         check_constant(c, td, &td->sparsity, path);
}

/* ---- Operators and subgraphs --------------------------------------------- */

/* Copies a tensor index list, checking each index against the subgraph's
 * tensors (-1 allowed only where `optional`). */
static bool tensor_list(Ctx* c, const PlFbTable* t, int field,
                        int32_t num_tensors, bool optional, int32_t* count,
                        int32_t** out, const char* path, const char* what) {
  PlFbVec v;
  if (!opt_vector(c, t, field, 4, &v, path, what) ||
      !copy_i32(c, &v, out, path)) {
    return false;
  }
  *count = (int32_t)v.len;
  for (int32_t i = 0; i < *count; ++i) {
    int32_t idx = (*out)[i];
    if (idx == -1 && optional) continue;
    if (idx < 0 || idx >= num_tensors) {
      return fail(c,
                  "%s: %s tensor index %d out of range (subgraph has %d "
                  "tensors)",
                  path, what, idx, num_tensors);
    }
  }
  return true;
}

static bool parse_operator(Ctx* c, const PlFbTable* t, int32_t num_tensors,
                           PlOpDef* op, const char* path) {
  PlModel* m = c->model;
  uint32_t opcode = pl_fb_u32(t, kOpOpcodeIndex, 0);
  if (opcode >= (uint32_t)m->num_opcodes) {
    return fail(c, "%s: opcode index %u out of range (model has %d codes)",
                path, opcode, m->num_opcodes);
  }
  op->opcode_index = (int32_t)opcode;
  if (!tensor_list(c, t, kOpInputs, num_tensors, true, &op->num_inputs,
                   &op->inputs, path, "input") ||
      !tensor_list(c, t, kOpOutputs, num_tensors, false, &op->num_outputs,
                   &op->outputs, path, "output") ||
      !tensor_list(c, t, kOpIntermediates, num_tensors, false,
                   &op->num_intermediates, &op->intermediates, path,
                   "intermediate")) {
    return false;
  }
  if (!opt_union(c, t, kOpBuiltinOptionsType, &op->builtin_options_type,
                 &op->builtin_options, NULL, path, "builtin_options") ||
      !check_options(c, &op->builtin_options, op->builtin_options_type,
                     kOptionsLayout,
                     sizeof(kOptionsLayout) / sizeof(kOptionsLayout[0]), path,
                     "builtin_options") ||
      !opt_union(c, t, kOpBuiltinOptions2Type, &op->builtin_options_2_type,
                 &op->builtin_options_2, NULL, path, "builtin_options_2") ||
      !check_options(c, &op->builtin_options_2, op->builtin_options_2_type,
                     kOptions2Layout,
                     sizeof(kOptions2Layout) / sizeof(kOptions2Layout[0]),
                     path, "builtin_options_2")) {
    return false;
  }
  PlFbVec custom, mutating;
  if (!opt_vector(c, t, kOpCustomOptions, 1, &custom, path,
                  "custom_options") ||
      !opt_vector(c, t, kOpMutatingVariableInputs, 1, &mutating, path,
                  "mutating_variable_inputs")) {
    return false;
  }
  uint64_t large_offset = pl_fb_u64(t, kOpLargeCustomOptionsOffset, 0);
  uint64_t large_size = pl_fb_u64(t, kOpLargeCustomOptionsSize, 0);
  if (large_offset > 1 && !outside_range_ok(c, large_offset, large_size)) {
    return fail(c,
                "%s: large custom options at offset %llu, size %llu lie "
                "outside the model (%zu bytes)",
                path, (unsigned long long)large_offset,
                (unsigned long long)large_size, c->fb->size);
  }
  if (custom.data != NULL) {
    op->custom_options = custom.len > 0 ? custom.data : NULL;
    op->custom_options_size = custom.len;
  } else if (large_offset > 1 && large_size > 0) {
    op->custom_options = c->fb->base + large_offset;
    op->custom_options_size = (size_t)large_size;
  }
  return true;
}

static bool parse_subgraph(Ctx* c, const PlFbTable* t, int32_t s,
                           PlSubgraphDef* sg) {
  char path[160];
  bool ok = true;
  path_make(path, sizeof(path), "subgraph ", s, NULL, 0, NULL);
  PlFbVec tensors, ops;
  if (!opt_string(c, t, kSubgraphName, &sg->name, NULL, path, "name") ||
      !opt_vector(c, t, kSubgraphTensors, 4, &tensors, path, "tensors") ||
      !opt_vector(c, t, kSubgraphOperators, 4, &ops, path, "operators")) {
    return false;
  }
  if (tensors.data == NULL) return fail(c, "%s: no tensors vector", path);
  sg->num_tensors = (int32_t)tensors.len;
  sg->tensors = alloc_array(c, tensors.len, sizeof(PlTensorDef), &ok);
  if (!ok || !spend(c, tensors.len, path)) return false;
  for (uint32_t i = 0; i < tensors.len; ++i) {
    PlFbTable tt;
    path_make(path, sizeof(path), "subgraph ", s, ", tensor ", i, NULL);
    if (!vec_table(c, &tensors, i, &tt, kLayoutTensor, path)) return false;
    /* Name the tensor in later messages when it has a name. */
    const char* name;
    if (pl_fb_string(&tt, kTensorName, &name, NULL) == PL_FB_OK &&
        name[0] != '\0') {
      path_make(path, sizeof(path), "subgraph ", s, ", tensor ", i, name);
    }
    if (!parse_tensor(c, &tt, &sg->tensors[i], path)) return false;
  }
  path_make(path, sizeof(path), "subgraph ", s, NULL, 0, NULL);
  if (!tensor_list(c, t, kSubgraphInputs, sg->num_tensors, false,
                   &sg->num_inputs, &sg->inputs, path, "input") ||
      !tensor_list(c, t, kSubgraphOutputs, sg->num_tensors, false,
                   &sg->num_outputs, &sg->outputs, path, "output")) {
    return false;
  }
  sg->num_ops = (int32_t)ops.len;
  sg->ops = alloc_array(c, ops.len, sizeof(PlOpDef), &ok);
  if (!ok || !spend(c, ops.len, path)) return false;
  for (uint32_t i = 0; i < ops.len; ++i) {
    PlFbTable ot;
    path_make(path, sizeof(path), "subgraph ", s, ", operator ", i, NULL);
    if (!vec_table(c, &ops, i, &ot, kLayoutOperator, path) ||
        !parse_operator(c, &ot, sg->num_tensors, &sg->ops[i], path)) {
      return false;
    }
  }
  return true;
}

static bool parse_subgraphs(Ctx* c, const PlFbTable* root) {
  PlModel* m = c->model;
  PlFbVec vec;
  bool ok = true;
  if (!opt_vector(c, root, kModelSubgraphs, 4, &vec, "model", "subgraphs")) {
    return false;
  }
  if (vec.len == 0) return fail(c, "model: no subgraph in the model");
  m->num_subgraphs = (int32_t)vec.len;
  m->subgraphs = alloc_array(c, vec.len, sizeof(PlSubgraphDef), &ok);
  if (!ok || !spend(c, vec.len, "model: subgraphs")) return false;
  for (uint32_t i = 0; i < vec.len; ++i) {
    char path[64];
    PlFbTable t;
    path_make(path, sizeof(path), "subgraph ", i, NULL, 0, NULL);
    if (!vec_table(c, &vec, i, &t, kLayoutSubgraph, path) ||
        !parse_subgraph(c, &t, (int32_t)i, &m->subgraphs[i])) {
      return false;
    }
  }
  return true;
}

/* ---- Metadata and signatures --------------------------------------------- */

static bool parse_metadata(Ctx* c, const PlFbTable* root) {
  PlModel* m = c->model;
  PlFbVec old, vec;
  bool ok = true;
  /* The deprecated list of metadata buffer indices. */
  if (!opt_vector(c, root, kModelMetadataBuffer, 4, &old, "model",
                  "metadata_buffer") ||
      !spend(c, old.len, "model: metadata_buffer")) {
    return false;
  }
  for (uint32_t i = 0; i < old.len; ++i) {
    int32_t b = pl_fb_vec_i32(&old, i);
    if (b < 0 || b >= m->num_buffers) {
      return fail(c,
                  "model: metadata_buffer %u: buffer index %d out of range "
                  "(model has %d buffers)",
                  i, b, m->num_buffers);
    }
  }
  if (!opt_vector(c, root, kModelMetadata, 4, &vec, "model", "metadata")) {
    return false;
  }
  m->num_metadata = (int32_t)vec.len;
  m->metadata = alloc_array(c, vec.len, sizeof(PlMetadataDef), &ok);
  if (!ok || !spend(c, vec.len, "model: metadata")) return false;
  for (uint32_t i = 0; i < vec.len; ++i) {
    char path[64];
    PlFbTable t;
    path_make(path, sizeof(path), "metadata ", i, NULL, 0, NULL);
    if (!vec_table(c, &vec, i, &t, kLayoutMetadata, path) ||
        !opt_string(c, &t, kMetadataName, &m->metadata[i].name, NULL, path,
                    "name")) {
      return false;
    }
    uint32_t b = pl_fb_u32(&t, kMetadataBuffer, 0);
    if (b >= (uint32_t)m->num_buffers) {
      return fail(c, "%s: buffer index %u out of range (model has %d buffers)",
                  path, b, m->num_buffers);
    }
    m->metadata[i].buffer = (int32_t)b;
  }
  return true;
}

static int compare_sig_tensor(const void* a, const void* b) {
  return strcmp(((const PlSigTensor*)a)->name, ((const PlSigTensor*)b)->name);
}

static int compare_str_ptr(const void* a, const void* b) {
  return strcmp(*(const char* const*)a, *(const char* const*)b);
}

/* Reads one side (inputs or outputs) of a signature: names present and
 * unique, indices inside the signature's subgraph, sorted by name. */
static bool parse_sig_tensors(Ctx* c, const PlFbTable* t, int field,
                              const PlSubgraphDef* sg, int32_t* count,
                              PlSigTensor** out, const char* path,
                              const char* what) {
  PlFbVec vec;
  bool ok = true;
  if (!opt_vector(c, t, field, 4, &vec, path, what) ||
      !spend(c, vec.len, path)) {
    return false;
  }
  *count = (int32_t)vec.len;
  *out = alloc_array(c, vec.len, sizeof(PlSigTensor), &ok);
  if (!ok) return false;
  for (uint32_t i = 0; i < vec.len; ++i) {
    PlFbTable tm;
    const char* name;
    bool has_name;
    if (!vec_table(c, &vec, i, &tm, kLayoutTensorMap, path) ||
        !opt_string(c, &tm, kTensorMapName, &name, &has_name, path, what)) {
      return false;
    }
    if (!has_name) return fail(c, "%s: %s %u has no name", path, what, i);
    uint32_t idx = pl_fb_u32(&tm, kTensorMapTensorIndex, 0);
    if (idx >= (uint32_t)sg->num_tensors) {
      return fail(c,
                  "%s: %s '%.64s' has tensor index %u out of range (subgraph "
                  "has %d tensors)",
                  path, what, name, idx, sg->num_tensors);
    }
    (*out)[i].name = name;
    (*out)[i].tensor_index = (int32_t)idx;
  }
  if (vec.len > 1) {
    qsort(*out, vec.len, sizeof(PlSigTensor), compare_sig_tensor);
    for (uint32_t i = 1; i < vec.len; ++i) {
      if (strcmp((*out)[i - 1].name, (*out)[i].name) == 0) {
        return fail(c, "%s: duplicate %s name '%.64s'", path, what,
                    (*out)[i].name);
      }
    }
  }
  return true;
}

static bool parse_signatures(Ctx* c, const PlFbTable* root) {
  PlModel* m = c->model;
  PlFbVec vec;
  bool ok = true;
  if (!opt_vector(c, root, kModelSignatureDefs, 4, &vec, "model",
                  "signature_defs")) {
    return false;
  }
  m->num_signatures = (int32_t)vec.len;
  m->signatures = alloc_array(c, vec.len, sizeof(PlSignatureDef), &ok);
  if (!ok || !spend(c, vec.len, "model: signature_defs")) return false;
  for (uint32_t i = 0; i < vec.len; ++i) {
    char path[128];
    PlFbTable t;
    PlSignatureDef* sig = &m->signatures[i];
    bool has_key;
    path_make(path, sizeof(path), "signature ", i, NULL, 0, NULL);
    if (!vec_table(c, &vec, i, &t, kLayoutSignature, path) ||
        !opt_string(c, &t, kSigKey, &sig->key, &has_key, path,
                    "signature_key")) {
      return false;
    }
    if (!has_key || sig->key[0] == '\0') {
      return fail(c, "%s: missing exported method name (signature_key)",
                  path);
    }
    path_make(path, sizeof(path), "signature ", i, NULL, 0, sig->key);
    uint32_t s = pl_fb_u32(&t, kSigSubgraphIndex, 0);
    if (s >= (uint32_t)m->num_subgraphs) {
      return fail(c,
                  "%s: subgraph index %u out of range (model has %d "
                  "subgraphs)",
                  path, s, m->num_subgraphs);
    }
    sig->subgraph_index = (int32_t)s;
    const PlSubgraphDef* sg = &m->subgraphs[s];
    if (!parse_sig_tensors(c, &t, kSigInputs, sg, &sig->num_inputs,
                           &sig->inputs, path, "input") ||
        !parse_sig_tensors(c, &t, kSigOutputs, sg, &sig->num_outputs,
                           &sig->outputs, path, "output")) {
      return false;
    }
  }
  if (vec.len > 1) {
    const char** keys = alloc_array(c, vec.len, sizeof(char*), &ok);
    if (!ok) return false;
    for (uint32_t i = 0; i < vec.len; ++i) keys[i] = m->signatures[i].key;
    qsort(keys, vec.len, sizeof(char*), compare_str_ptr);
    for (uint32_t i = 1; i < vec.len; ++i) {
      if (strcmp(keys[i - 1], keys[i]) == 0) {
        return fail(c, "model: duplicate signature key '%.64s'", keys[i]);
      }
    }
  }
  return true;
}

/* External weight tables are not used (tensors naming one are refused), but
 * they are still part of the file and must be well formed. */
static bool check_external_buffers(Ctx* c, const PlFbTable* root) {
  PlFbVec groups, buffers;
  if (!opt_vector(c, root, kModelExternalBufferGroups, 4, &groups, "model",
                  "external_buffer_groups") ||
      !opt_vector(c, root, kModelExternalBuffers, 4, &buffers, "model",
                  "external_buffers") ||
      !spend(c, (uint64_t)groups.len + buffers.len, "model")) {
    return false;
  }
  const char* str;
  for (uint32_t i = 0; i < groups.len; ++i) {
    PlFbTable t;
    if (!vec_table(c, &groups, i, &t, kLayoutExtGroup,
                   "model: external_buffer_groups") ||
        !opt_string(c, &t, kExternalGroupName, &str, NULL,
                    "model: external_buffer_groups", "name")) {
      return false;
    }
  }
  for (uint32_t i = 0; i < buffers.len; ++i) {
    PlFbTable t;
    if (!vec_table(c, &buffers, i, &t, kLayoutExtBuffer,
                   "model: external_buffers") ||
        !opt_string(c, &t, kExternalBufferPacking, &str, NULL,
                    "model: external_buffers", "packing")) {
      return false;
    }
  }
  return true;
}

/* ---- Entry points -------------------------------------------------------- */

static bool parse_model(Ctx* c) {
  PlModel* m = c->model;
  const PlFb* fb = c->fb;
  if (fb->size < 8) {
    return fail(c, "model is too small (%zu bytes) to be a TFLite model",
                fb->size);
  }
  if (memcmp(fb->base + 4, "TFL3", 4) != 0) {
    return fail(c,
                "model lacks the TFLite file identifier \"TFL3\" (bytes "
                "4..8 are %02x %02x %02x %02x)",
                fb->base[4], fb->base[5], fb->base[6], fb->base[7]);
  }
  PlFbTable root;
  if (pl_fb_root(fb, &root) != PL_FB_OK) {
    return fail(c, "model: root table is not valid");
  }
  if (!check_vtable(c, &root, kLayoutModel, "model")) return false;
  m->version = pl_fb_u32(&root, kModelVersion, 0);
  if (m->version != kSchemaVersion) {
    return fail(c,
                "model: schema version %u is not the supported version %d",
                m->version, kSchemaVersion);
  }
  return opt_string(c, &root, kModelDescription, &m->description, NULL,
                    "model", "description") &&
         parse_buffers(c, &root) && parse_opcodes(c, &root) &&
         parse_subgraphs(c, &root) && parse_metadata(c, &root) &&
         parse_signatures(c, &root) && check_external_buffers(c, &root);
}

PlModel* pl_model_parse(const void* data, size_t size, char* err,
                        size_t err_size) {
  if (err != NULL && err_size > 0) err[0] = '\0';
  if (data == NULL) {
    if (err != NULL && err_size > 0) {
      snprintf(err, err_size, "model data is NULL");
    }
    return NULL;
  }
  PlModel* m = calloc(1, sizeof(PlModel));
  if (m == NULL) {
    if (err != NULL && err_size > 0) {
      snprintf(err, err_size, "out of memory while reading the model");
    }
    return NULL;
  }
  m->fb.base = data;
  m->fb.size = size;
  m->description = kEmpty;
  Ctx c = {
      .model = m,
      .fb = &m->fb,
      .err = err,
      .err_size = err_size,
      .work = 0,
      /* Generous for real models (each element takes >= 1 byte of file),
       * small enough to stop a file that names one vector a million times. */
      .work_limit = 8 * (uint64_t)size + (1u << 20),
  };
  if (!parse_model(&c)) {
    pl_model_free(m);
    return NULL;
  }
  return m;
}

void pl_model_free(PlModel* model) {
  if (model == NULL) return;
  PlOwned* block = model->owned;
  while (block != NULL) {
    PlOwned* next = block->next;
    free(block);
    block = next;
  }
  free(model);
}

/* ---- Sparse constant tensors (see model.h) ------------------------------ */

int64_t pl_sparse_at(const PlFbVec* v, uint32_t i) {
  switch (v->elem_size) {
    case 4:
      return pl_fb_vec_i32(v, i);
    case 2: {
      const uint8_t* p = v->data + 2 * (size_t)i;
      return p[0] | p[1] << 8;
    }
    default:
      return pl_fb_vec_u8(v, i);
  }
}

/* The values vector of a SparseIndexVector union field (type at
 * type_field, table at type_field + 1), or an empty vector. */
static void sparse_index_vector(const PlFbTable* dim, int type_field,
                                PlFbVec* out) {
  memset(out, 0, sizeof(*out));
  const uint8_t type = pl_fb_u8(dim, type_field, 0);
  const uint32_t elem = type == kIndexInt32    ? 4
                        : type == kIndexUint16 ? 2
                        : type == kIndexUint8  ? 1
                                               : 0;
  PlFbTable value;
  if (elem == 0 || pl_fb_subtable(dim, type_field + 1, &value) != PL_FB_OK)
    return;
  if (pl_fb_vector(&value, 0, elem, out) != PL_FB_OK)
    memset(out, 0, sizeof(*out));
}

bool pl_sparsity_read(const PlTensorDef* td, PlSparsity* out) {
  memset(out, 0, sizeof(*out));
  if (td == NULL || !td->has_sparsity) return false;
  const PlFbTable* sp = &td->sparsity;
  PlFbVec order, block_map, dims;
  if (pl_fb_vector(sp, kSparsityTraversalOrder, 4, &order) != PL_FB_OK ||
      pl_fb_vector(sp, kSparsityDimMetadata, 4, &dims) != PL_FB_OK ||
      order.len != dims.len || order.len > PL_MAX_SPARSE_LEVELS) {
    return false;
  }
  if (pl_fb_vector(sp, kSparsityBlockMap, 4, &block_map) != PL_FB_OK)
    memset(&block_map, 0, sizeof(block_map));
  if (block_map.len > PL_MAX_SPARSE_LEVELS) return false;
  out->num_levels = (int)order.len;
  out->num_blocks = (int)block_map.len;
  for (uint32_t i = 0; i < order.len; ++i)
    out->traversal_order[i] = pl_fb_vec_i32(&order, i);
  for (uint32_t i = 0; i < block_map.len; ++i)
    out->block_map[i] = pl_fb_vec_i32(&block_map, i);
  const PlFb fb = {sp->base, sp->size};
  for (uint32_t i = 0; i < dims.len; ++i) {
    PlFbTable dm;
    if (pl_fb_vec_table(&fb, &dims, i, &dm) != PL_FB_OK) return false;
    PlSparseLevel* level = &out->levels[i];
    level->format = pl_fb_i8(&dm, kDimFormat, kDimDense);
    level->dense_size = pl_fb_i32(&dm, kDimDenseSize, 0);
    sparse_index_vector(&dm, kDimSegmentsType, &level->segments);
    sparse_index_vector(&dm, kDimIndicesType, &level->indices);
  }
  return true;
}
