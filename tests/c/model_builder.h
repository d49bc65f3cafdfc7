/* pylite tests: builds .tflite models in memory.
 *
 * Two layers. The first is a minimal FlatBuffers writer (Fb, fb_*, tb_*).
 * The second describes a model as plain structs (MbModel: operator codes,
 * subgraphs with tensors and operators, SignatureDefs) that mb_build() turns
 * into a .tflite buffer, so a test can write multi-op, multi-subgraph models
 * with signatures without a FlatBuffers dependency.
 *
 * Field ids follow the TFLite schema (tensorflow/lite/schema/schema.fbs):
 *   Model {version:0, operator_codes:1, subgraphs:2, description:3,
 *          buffers:4, signature_defs:7}
 *   OperatorCode {deprecated_builtin_code:0, custom_code:1, version:2,
 *                 builtin_code:3}
 *   SubGraph {tensors:0, inputs:1, outputs:2, operators:3, name:4}
 *   Tensor {shape:0, type:1, buffer:2, name:3, quantization:4}
 *   Operator {opcode_index:0, inputs:1, outputs:2, builtin_options_type:3,
 *             builtin_options:4, custom_options:5}
 *   SignatureDef {inputs:0, outputs:1, signature_key:2, subgraph_index:4}
 *   TensorMap {name:0, tensor_index:1}
 *
 * Header-only (every function is static inline) so each test executable
 * includes it on its own. Test code: out of memory aborts. Assumes a
 * little-endian host. */
#ifndef PYLITE_TESTS_MODEL_BUILDER_H_
#define PYLITE_TESTS_MODEL_BUILDER_H_

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Schema values ------------------------------------------------------- */

/* TensorType. */
enum {
  T_F32 = 0,
  T_I32 = 2,
  T_U8 = 3,
  T_I64 = 4,
  T_STR = 5,
  T_I16 = 7,
  T_I8 = 9,
};
/* BuiltinOperator codes. */
enum {
  OP_ADD = 0,
  OP_CONV_2D = 3,
  OP_FULLY_CONNECTED = 9,
  OP_RELU = 19,
  OP_RESHAPE = 22,
  OP_CUSTOM = 32,
  OP_SHAPE = 77,
};
/* BuiltinOptions union types. */
enum { OPT_NONE = 0, OPT_FC = 8, OPT_ADD = 11, OPT_RESHAPE = 17 };
/* ActivationFunctionType. */
enum {
  ACT_NONE,
  ACT_RELU,
  ACT_RELU_N1_TO_1,
  ACT_RELU6,
  ACT_TANH,
  ACT_SIGN_BIT,
};

/* ---- A minimal FlatBuffers writer ---------------------------------------
 *
 * Builds back to front like the real builder: the buffer grows toward lower
 * addresses, so an object's children are written before it and end up after
 * it in memory, which keeps every uoffset positive. An object is named by
 * its "ref": the number of bytes written when it was finished (its distance
 * from the end). Alignment is kept relative to the end, and the finished
 * size is a multiple of 16, so it holds in the final buffer too. */

typedef struct Fb {
  uint8_t* buf;
  size_t cap;
  size_t size; /* bytes used, at buf + cap - size */
} Fb;

static inline void fb_reserve(Fb* b, size_t extra) {
  if (b->size + extra <= b->cap) return;
  size_t cap = b->cap ? b->cap : 1024;
  while (cap < b->size + extra) cap *= 2;
  uint8_t* buf = malloc(cap);
  if (!buf) abort(); /* test code: out of memory is fatal */
  if (b->size) memcpy(buf + cap - b->size, b->buf + b->cap - b->size, b->size);
  free(b->buf);
  b->buf = buf;
  b->cap = cap;
}

static inline void fb_push(Fb* b, const void* data, size_t n) {
  if (n == 0) return;
  fb_reserve(b, n);
  b->size += n;
  memcpy(b->buf + b->cap - b->size, data, n);
}

static inline void fb_zeros(Fb* b, size_t n) {
  if (n == 0) return;
  fb_reserve(b, n);
  b->size += n;
  memset(b->buf + b->cap - b->size, 0, n);
}

/* Pads so that after `n` more bytes the size is a multiple of `align`. */
static inline void fb_align(Fb* b, size_t align, size_t n) {
  size_t pad = (align - (b->size + n) % align) % align;
  fb_zeros(b, pad);
}

static inline void fb_push_u32(Fb* b, uint32_t v) { fb_push(b, &v, 4); }

/* A vector of scalars, elements aligned to `align` (>= 4 keeps the length
 * prefix aligned). */
static inline uint32_t fb_vector(Fb* b, const void* data, uint32_t count,
                                 size_t elem_size, size_t align) {
  if (align < 4) align = 4;
  fb_align(b, align, count * elem_size);
  fb_push(b, data, count * elem_size);
  fb_push_u32(b, count);
  return (uint32_t)b->size;
}

static inline uint32_t fb_vector_i32(Fb* b, const int32_t* v, uint32_t count) {
  return fb_vector(b, v, count, 4, 4);
}

/* A vector of offsets to already written objects. */
static inline uint32_t fb_vector_refs(Fb* b, const uint32_t* refs,
                                      uint32_t count) {
  fb_align(b, 4, 4 * (size_t)count);
  for (uint32_t i = count; i-- > 0;) {
    uint32_t at = (uint32_t)b->size + 4; /* ref of this element */
    fb_push_u32(b, at - refs[i]);
  }
  fb_push_u32(b, count);
  return (uint32_t)b->size;
}

static inline uint32_t fb_string(Fb* b, const char* s) {
  size_t len = strlen(s);
  fb_align(b, 4, len + 1);
  fb_zeros(b, 1);
  fb_push(b, s, len);
  fb_push_u32(b, (uint32_t)len);
  return (uint32_t)b->size;
}

/* Tables are described field by field, then written in one go. */
typedef struct FbField {
  int id;
  int size;      /* bytes: 1, 2, 4 or 8 */
  uint64_t bits; /* scalar value (little-endian low bytes) */
  bool is_ref;   /* an offset to the object `bits` */
} FbField;

typedef struct FbTable {
  FbField f[16];
  int n;
} FbTable;

static inline void tb_scalar(FbTable* t, int id, int size, uint64_t bits) {
  t->f[t->n++] = (FbField){id, size, bits, false};
}
static inline void tb_ref(FbTable* t, int id, uint32_t ref) {
  t->f[t->n++] = (FbField){id, 4, ref, true};
}

static inline uint32_t fb_table(Fb* b, const FbTable* t) {
  /* Inline layout: soffset to the vtable, then fields by decreasing size. */
  int order[16], offs[16] = {0};
  for (int i = 0; i < t->n; ++i) order[i] = i;
  for (int i = 0; i < t->n; ++i)
    for (int j = i + 1; j < t->n; ++j)
      if (t->f[order[j]].size > t->f[order[i]].size) {
        int tmp = order[i];
        order[i] = order[j];
        order[j] = tmp;
      }
  size_t inline_size = 4, max_align = 4;
  int max_id = -1;
  for (int k = 0; k < t->n; ++k) {
    const FbField* f = &t->f[order[k]];
    inline_size = (inline_size + f->size - 1) / f->size * f->size;
    offs[order[k]] = (int)inline_size;
    inline_size += f->size;
    if ((size_t)f->size > max_align) max_align = f->size;
    if (f->id > max_id) max_id = f->id;
  }
  inline_size = (inline_size + 3) / 4 * 4;
  fb_align(b, max_align, inline_size);
  uint8_t body[256];
  memset(body, 0, sizeof(body));
  const uint32_t table = (uint32_t)(b->size + inline_size);
  for (int i = 0; i < t->n; ++i) {
    const FbField* f = &t->f[i];
    if (f->is_ref) {
      uint32_t v = (table - (uint32_t)offs[i]) - (uint32_t)f->bits;
      memcpy(body + offs[i], &v, 4);
    } else {
      memcpy(body + offs[i], &f->bits, (size_t)f->size);
    }
  }
  fb_push(b, body, inline_size);
  /* The vtable goes right before the table. */
  uint16_t vt[40];
  const int slots = max_id + 1;
  vt[0] = (uint16_t)(4 + 2 * slots);
  vt[1] = (uint16_t)inline_size;
  for (int s = 0; s < slots; ++s) vt[2 + s] = 0;
  for (int i = 0; i < t->n; ++i) vt[2 + t->f[i].id] = (uint16_t)offs[i];
  fb_align(b, 2, vt[0]);
  fb_push(b, vt, vt[0]);
  const int32_t soffset = (int32_t)(b->size - table);
  memcpy(b->buf + b->cap - table, &soffset, 4);
  return table;
}

/* Finishes with the root offset and the "TFL3" identifier. The caller owns
 * the returned copy. */
static inline uint8_t* fb_finish(Fb* b, uint32_t root, size_t* size) {
  fb_align(b, 16, 8);
  fb_push(b, "TFL3", 4);
  fb_push_u32(b, (uint32_t)b->size + 4 - root);
  uint8_t* out = malloc(b->size);
  if (!out) abort();
  memcpy(out, b->buf + b->cap - b->size, b->size);
  *size = b->size;
  free(b->buf);
  memset(b, 0, sizeof(*b));
  return out;
}

/* ---- Model descriptions -------------------------------------------------- */

enum {
  MB_MAX_RANK = 8,
  MB_MAX_TENSORS = 24,
  MB_MAX_OPS = 12,
  MB_MAX_OP_IO = 6,
  MB_MAX_GRAPH_IO = 8,
  MB_MAX_OPCODES = 8,
  MB_MAX_SUBGRAPHS = 4,
  MB_MAX_SIGNATURES = 4,
  MB_MAX_NEW_SHAPE = 10, /* more than TFLite's 8, to test the limit */
};

typedef struct MbTensor {
  int type; /* T_* */
  int rank;
  int shape[MB_MAX_RANK];
  const void* data; /* constant data (gets its own buffer), or NULL */
  size_t bytes;
  float scale;      /* > 0: per-tensor quantization, zero point 0 */
  const char* name; /* NULL: "t<index>" */
} MbTensor;

typedef struct MbOp {
  int opcode; /* index into MbModel.opcodes */
  int num_inputs;
  int inputs[MB_MAX_OP_IO]; /* -1: omitted */
  int num_outputs;
  int outputs[MB_MAX_OP_IO];
  int options; /* OPT_*; OPT_NONE writes no builtin options */
  int activation;     /* OPT_ADD, OPT_FC */
  int weights_format; /* OPT_FC */
  bool keep_num_dims; /* OPT_FC */
  bool has_new_shape; /* OPT_RESHAPE: write new_shape */
  int new_shape_len;
  int new_shape[MB_MAX_NEW_SHAPE];
  const void* custom_options; /* bytes for a custom op, or NULL */
  size_t custom_options_size;
  /* Any other options type: int32 fields 0..num_i32-1, then string fields
   * (str[k] at field k, when not NULL). */
  int num_i32;
  int32_t i32[6];
  const char* str[2];
} MbOp;

typedef struct MbSubgraph {
  const char* name; /* NULL: no name */
  int num_tensors;
  MbTensor tensors[MB_MAX_TENSORS];
  int num_inputs;
  int inputs[MB_MAX_GRAPH_IO];
  int num_outputs;
  int outputs[MB_MAX_GRAPH_IO];
  int num_ops;
  MbOp ops[MB_MAX_OPS];
} MbSubgraph;

typedef struct MbOpCode {
  int builtin;        /* OP_*; OP_CUSTOM with custom */
  const char* custom; /* custom code, or NULL */
  int version;
} MbOpCode;

typedef struct MbTensorMap {
  const char* name;
  int tensor;
} MbTensorMap;

typedef struct MbSignature {
  const char* key;
  int subgraph;
  int num_inputs;
  MbTensorMap inputs[MB_MAX_GRAPH_IO];
  int num_outputs;
  MbTensorMap outputs[MB_MAX_GRAPH_IO];
} MbSignature;

typedef struct MbModel {
  const char* description;
  int num_opcodes;
  MbOpCode opcodes[MB_MAX_OPCODES];
  int num_subgraphs;
  MbSubgraph subgraphs[MB_MAX_SUBGRAPHS];
  int num_signatures;
  MbSignature signatures[MB_MAX_SIGNATURES];
} MbModel;

/* Overflowing a fixed capacity is a bug in the test itself. */
static inline void mb_need(bool ok, const char* what) {
  if (ok) return;
  fprintf(stderr, "model_builder: too many %s\n", what);
  abort();
}

static inline void mb_init(MbModel* m, const char* description) {
  memset(m, 0, sizeof(*m));
  m->description = description;
}

/* Index of the operator code (builtin, or OP_CUSTOM with `custom`), added
 * on first use. */
static inline int mb_opcode(MbModel* m, int builtin, const char* custom) {
  if (custom) builtin = OP_CUSTOM;
  for (int i = 0; i < m->num_opcodes; ++i) {
    const MbOpCode* c = &m->opcodes[i];
    if (c->builtin == builtin &&
        (custom ? c->custom && strcmp(c->custom, custom) == 0 : !c->custom))
      return i;
  }
  mb_need(m->num_opcodes < MB_MAX_OPCODES, "operator codes");
  m->opcodes[m->num_opcodes] = (MbOpCode){builtin, custom, 1};
  return m->num_opcodes++;
}

static inline MbSubgraph* mb_subgraph(MbModel* m, const char* name) {
  mb_need(m->num_subgraphs < MB_MAX_SUBGRAPHS, "subgraphs");
  MbSubgraph* sg = &m->subgraphs[m->num_subgraphs++];
  memset(sg, 0, sizeof(*sg));
  sg->name = name;
  return sg;
}

/* Adds a tensor (data NULL: an activation) and returns its index. */
static inline int mb_tensor_data(MbSubgraph* sg, const char* name, int type,
                                 int rank, const int* shape, const void* data,
                                 size_t bytes) {
  mb_need(sg->num_tensors < MB_MAX_TENSORS, "tensors");
  mb_need(rank >= 0 && rank <= MB_MAX_RANK, "dims");
  MbTensor* t = &sg->tensors[sg->num_tensors];
  memset(t, 0, sizeof(*t));
  t->type = type;
  t->rank = rank;
  for (int i = 0; i < rank; ++i) t->shape[i] = shape[i];
  t->data = data;
  t->bytes = bytes;
  t->name = name;
  return sg->num_tensors++;
}

static inline int mb_tensor(MbSubgraph* sg, const char* name, int type,
                            int rank, const int* shape) {
  return mb_tensor_data(sg, name, type, rank, shape, NULL, 0);
}

/* Adds an operator; set its options through the returned pointer. */
static inline MbOp* mb_op(MbSubgraph* sg, int opcode, int num_inputs,
                          const int* inputs, int num_outputs,
                          const int* outputs) {
  mb_need(sg->num_ops < MB_MAX_OPS, "operators");
  mb_need(num_inputs <= MB_MAX_OP_IO && num_outputs <= MB_MAX_OP_IO,
          "operator inputs or outputs");
  MbOp* op = &sg->ops[sg->num_ops++];
  memset(op, 0, sizeof(*op));
  op->opcode = opcode;
  op->num_inputs = num_inputs;
  for (int i = 0; i < num_inputs; ++i) op->inputs[i] = inputs[i];
  op->num_outputs = num_outputs;
  for (int i = 0; i < num_outputs; ++i) op->outputs[i] = outputs[i];
  return op;
}

static inline void mb_io(MbSubgraph* sg, int num_inputs, const int* inputs,
                         int num_outputs, const int* outputs) {
  mb_need(num_inputs <= MB_MAX_GRAPH_IO && num_outputs <= MB_MAX_GRAPH_IO,
          "subgraph inputs or outputs");
  sg->num_inputs = num_inputs;
  for (int i = 0; i < num_inputs; ++i) sg->inputs[i] = inputs[i];
  sg->num_outputs = num_outputs;
  for (int i = 0; i < num_outputs; ++i) sg->outputs[i] = outputs[i];
}

static inline MbSignature* mb_signature(MbModel* m, const char* key,
                                        int subgraph) {
  mb_need(m->num_signatures < MB_MAX_SIGNATURES, "signatures");
  MbSignature* s = &m->signatures[m->num_signatures++];
  memset(s, 0, sizeof(*s));
  s->key = key;
  s->subgraph = subgraph;
  return s;
}

static inline void mb_sig_input(MbSignature* s, const char* name, int tensor) {
  mb_need(s->num_inputs < MB_MAX_GRAPH_IO, "signature inputs");
  s->inputs[s->num_inputs++] = (MbTensorMap){name, tensor};
}

static inline void mb_sig_output(MbSignature* s, const char* name, int tensor) {
  mb_need(s->num_outputs < MB_MAX_GRAPH_IO, "signature outputs");
  s->outputs[s->num_outputs++] = (MbTensorMap){name, tensor};
}

/* ---- Serialization ------------------------------------------------------- */

static inline uint32_t mb_write_tensor(Fb* b, const MbTensor* ts, int index,
                                       uint32_t buffer_index) {
  uint32_t quant = 0;
  if (ts->scale > 0) {
    const int64_t zero = 0;
    uint32_t zp = fb_vector(b, &zero, 1, 8, 8);
    uint32_t sc = fb_vector(b, &ts->scale, 1, 4, 4);
    FbTable qt = {0};
    tb_ref(&qt, 2, sc); /* QuantizationParameters.scale */
    tb_ref(&qt, 3, zp); /* .zero_point */
    quant = fb_table(b, &qt);
  }
  char name[32];
  snprintf(name, sizeof(name), "t%d", index);
  uint32_t name_ref = fb_string(b, ts->name ? ts->name : name);
  int32_t shape[MB_MAX_RANK];
  for (int d = 0; d < ts->rank; ++d) shape[d] = ts->shape[d];
  uint32_t shape_ref = fb_vector_i32(b, shape, (uint32_t)ts->rank);
  FbTable tt = {0};
  tb_ref(&tt, 0, shape_ref);
  tb_scalar(&tt, 1, 1, (uint64_t)ts->type);
  tb_scalar(&tt, 2, 4, buffer_index);
  tb_ref(&tt, 3, name_ref);
  if (quant) tb_ref(&tt, 4, quant);
  return fb_table(b, &tt);
}

static inline uint32_t mb_write_options(Fb* b, const MbOp* op) {
  FbTable ot = {0};
  switch (op->options) {
    case OPT_FC:
      tb_scalar(&ot, 0, 1, (uint64_t)op->activation);
      tb_scalar(&ot, 1, 1, (uint64_t)op->weights_format);
      tb_scalar(&ot, 2, 1, op->keep_num_dims);
      return fb_table(b, &ot);
    case OPT_ADD:
      tb_scalar(&ot, 0, 1, (uint64_t)op->activation);
      return fb_table(b, &ot);
    case OPT_RESHAPE:
      if (op->has_new_shape) {
        int32_t ns[MB_MAX_NEW_SHAPE];
        for (int i = 0; i < op->new_shape_len; ++i) ns[i] = op->new_shape[i];
        tb_ref(&ot, 0, fb_vector_i32(b, ns, (uint32_t)op->new_shape_len));
      }
      return fb_table(b, &ot);
    default:
      if (!op->options) return 0;
      for (int i = 0; i < op->num_i32; ++i)
        tb_scalar(&ot, i, 4, (uint64_t)(uint32_t)op->i32[i]);
      for (int k = 0; k < 2; ++k)
        if (op->str[k]) tb_ref(&ot, k, fb_string(b, op->str[k]));
      return fb_table(b, &ot);
  }
}

static inline uint32_t mb_write_op(Fb* b, const MbOp* op) {
  uint32_t options = mb_write_options(b, op);
  uint32_t custom = 0;
  if (op->custom_options)
    custom = fb_vector(b, op->custom_options,
                       (uint32_t)op->custom_options_size, 1, 4);
  int32_t v[MB_MAX_OP_IO];
  for (int i = 0; i < op->num_inputs; ++i) v[i] = op->inputs[i];
  uint32_t in = fb_vector_i32(b, v, (uint32_t)op->num_inputs);
  for (int i = 0; i < op->num_outputs; ++i) v[i] = op->outputs[i];
  uint32_t out = fb_vector_i32(b, v, (uint32_t)op->num_outputs);
  FbTable t = {0};
  tb_scalar(&t, 0, 4, (uint64_t)op->opcode);
  tb_ref(&t, 1, in);
  tb_ref(&t, 2, out);
  if (options) {
    tb_scalar(&t, 3, 1, (uint64_t)op->options);
    tb_ref(&t, 4, options);
  }
  if (custom) tb_ref(&t, 5, custom);
  return fb_table(b, &t);
}

/* Writes the subgraph; constants get buffers appended to `buffers`. */
static inline uint32_t mb_write_subgraph(Fb* b, const MbSubgraph* sg,
                                         uint32_t* buffers, int* num_buffers) {
  uint32_t tensors[MB_MAX_TENSORS], ops[MB_MAX_OPS];
  for (int i = 0; i < sg->num_tensors; ++i) {
    const MbTensor* ts = &sg->tensors[i];
    uint32_t buffer_index = 0;
    if (ts->data) {
      uint32_t data = fb_vector(b, ts->data, (uint32_t)ts->bytes, 1, 16);
      FbTable bt = {0};
      tb_ref(&bt, 0, data); /* Buffer.data */
      buffer_index = (uint32_t)*num_buffers;
      buffers[(*num_buffers)++] = fb_table(b, &bt);
    }
    tensors[i] = mb_write_tensor(b, ts, i, buffer_index);
  }
  for (int i = 0; i < sg->num_ops; ++i) ops[i] = mb_write_op(b, &sg->ops[i]);
  int32_t v[MB_MAX_GRAPH_IO];
  for (int i = 0; i < sg->num_inputs; ++i) v[i] = sg->inputs[i];
  uint32_t in = fb_vector_i32(b, v, (uint32_t)sg->num_inputs);
  for (int i = 0; i < sg->num_outputs; ++i) v[i] = sg->outputs[i];
  uint32_t out = fb_vector_i32(b, v, (uint32_t)sg->num_outputs);
  uint32_t tensor_vec = fb_vector_refs(b, tensors, (uint32_t)sg->num_tensors);
  uint32_t op_vec = fb_vector_refs(b, ops, (uint32_t)sg->num_ops);
  uint32_t name = sg->name ? fb_string(b, sg->name) : 0;
  FbTable t = {0};
  tb_ref(&t, 0, tensor_vec);
  tb_ref(&t, 1, in);
  tb_ref(&t, 2, out);
  tb_ref(&t, 3, op_vec);
  if (name) tb_ref(&t, 4, name);
  return fb_table(b, &t);
}

static inline uint32_t mb_write_tensor_maps(Fb* b, const MbTensorMap* maps,
                                            int n) {
  uint32_t refs[MB_MAX_GRAPH_IO];
  for (int i = 0; i < n; ++i) {
    uint32_t name = fb_string(b, maps[i].name);
    FbTable t = {0};
    tb_ref(&t, 0, name);
    tb_scalar(&t, 1, 4, (uint64_t)(uint32_t)maps[i].tensor);
    refs[i] = fb_table(b, &t);
  }
  return fb_vector_refs(b, refs, (uint32_t)n);
}

static inline uint32_t mb_write_signature(Fb* b, const MbSignature* s) {
  uint32_t in = mb_write_tensor_maps(b, s->inputs, s->num_inputs);
  uint32_t out = mb_write_tensor_maps(b, s->outputs, s->num_outputs);
  uint32_t key = fb_string(b, s->key);
  FbTable t = {0};
  tb_ref(&t, 0, in);
  tb_ref(&t, 1, out);
  tb_ref(&t, 2, key);
  tb_scalar(&t, 4, 4, (uint64_t)(uint32_t)s->subgraph);
  return fb_table(b, &t);
}

/* Serializes the model; the caller frees the returned buffer. */
static inline uint8_t* mb_build(const MbModel* m, size_t* size) {
  Fb b = {0};
  uint32_t buffers[1 + MB_MAX_SUBGRAPHS * MB_MAX_TENSORS];
  int num_buffers = 0;
  FbTable empty = {0};
  buffers[num_buffers++] = fb_table(&b, &empty); /* buffer 0: no data */
  uint32_t subgraphs[MB_MAX_SUBGRAPHS];
  for (int s = 0; s < m->num_subgraphs; ++s)
    subgraphs[s] = mb_write_subgraph(&b, &m->subgraphs[s], buffers,
                                     &num_buffers);
  uint32_t opcodes[MB_MAX_OPCODES];
  for (int i = 0; i < m->num_opcodes; ++i) {
    const MbOpCode* c = &m->opcodes[i];
    uint32_t custom = c->custom ? fb_string(&b, c->custom) : 0;
    FbTable t = {0};
    /* Codes above 126 go in builtin_code alone, the old int8 field says
     * PLACEHOLDER_FOR_GREATER_OP_CODES (127). */
    tb_scalar(&t, 0, 1, (uint64_t)(c->builtin < 127 ? c->builtin : 127));
    if (custom) tb_ref(&t, 1, custom);
    tb_scalar(&t, 2, 4, (uint64_t)(c->version ? c->version : 1));
    tb_scalar(&t, 3, 4, (uint64_t)c->builtin);
    opcodes[i] = fb_table(&b, &t);
  }
  uint32_t sigs[MB_MAX_SIGNATURES];
  for (int i = 0; i < m->num_signatures; ++i)
    sigs[i] = mb_write_signature(&b, &m->signatures[i]);

  uint32_t opcode_vec = fb_vector_refs(&b, opcodes, (uint32_t)m->num_opcodes);
  uint32_t subgraph_vec =
      fb_vector_refs(&b, subgraphs, (uint32_t)m->num_subgraphs);
  uint32_t buffer_vec = fb_vector_refs(&b, buffers, (uint32_t)num_buffers);
  uint32_t sig_vec =
      m->num_signatures ? fb_vector_refs(&b, sigs, (uint32_t)m->num_signatures)
                        : 0;
  uint32_t desc = fb_string(&b, m->description ? m->description : "");
  FbTable mt = {0};
  tb_scalar(&mt, 0, 4, 3); /* schema version */
  tb_ref(&mt, 1, opcode_vec);
  tb_ref(&mt, 2, subgraph_vec);
  tb_ref(&mt, 3, desc);
  tb_ref(&mt, 4, buffer_vec);
  if (sig_vec) tb_ref(&mt, 7, sig_vec);
  uint32_t root = fb_table(&b, &mt);
  return fb_finish(&b, root, size);
}

#endif /* PYLITE_TESTS_MODEL_BUILDER_H_ */
