/* pylite: tests of the flatbuffer reader (fb.c) and the model verifier
 * (model.c).
 *
 * The main fixture is a model built by hand with the small flatbuffer writer
 * below, so the test does not depend on generated files: two subgraphs,
 * builtin, custom and extended-code operators, constant float, string and
 * sparse tensors, quantization, metadata and two signatures. Each defect
 * case edits one field of that tree and checks the error message. The
 * hostile-input cases (every truncation, bit flips from a fixed-seed PRNG,
 * 32- and 16-bit words patched to edge values) must either parse into a
 * model that keeps every promise of model.h, or fail with a message; the
 * sanitizer build turns any stray read into a failure.
 *
 * Prints "N passed, N failed" last; exits non-zero on any failure. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capi/core/fb.h"
#include "capi/core/model.h"
#include "check.h"

#ifndef PYLITE_SOURCE_DIR
#define PYLITE_SOURCE_DIR "."
#endif

/* ---- A tiny flatbuffer writer -------------------------------------------
 *
 * Objects are described as a tree of nodes and then written front to back:
 * each table is written before the objects it points to, so every uoffset
 * points forward, as FlatBuffers requires; vtables sit just before their
 * table (positive soffset). Nodes live in a pool reset per model. */

enum { N_TABLE, N_BYTES, N_REFS };
enum { F_SCALAR, F_REF };
#define MAX_FIELDS 16

typedef struct Node Node;
typedef struct Field {
  int id;
  int kind;
  int size; /* scalar bytes */
  uint64_t bits;
  Node* ref;
} Field;

struct Node {
  int kind;
  Field fields[MAX_FIELDS];
  int num_fields;
  uint8_t* bytes; /* N_BYTES: element bytes (strings get a NUL) */
  uint32_t len;   /* element count */
  uint32_t elem;  /* N_BYTES element size */
  bool is_string;
  Node** refs; /* N_REFS */
};

#define POOL_SIZE 4096
static Node g_pool[POOL_SIZE];
static int g_pool_used;
static void* g_allocs[POOL_SIZE * 2];
static int g_num_allocs;

static void pool_reset(void) {
  for (int i = 0; i < g_num_allocs; ++i) free(g_allocs[i]);
  g_num_allocs = 0;
  g_pool_used = 0;
}

static void* pool_mem(size_t n) {
  void* p = calloc(1, n ? n : 1);
  if (p == NULL || g_num_allocs >= POOL_SIZE * 2) abort();
  g_allocs[g_num_allocs++] = p;
  return p;
}

static Node* new_node(int kind) {
  if (g_pool_used >= POOL_SIZE) abort();
  Node* n = &g_pool[g_pool_used++];
  memset(n, 0, sizeof(*n));
  n->kind = kind;
  return n;
}

static Node* tbl(void) { return new_node(N_TABLE); }

static Field* field_slot(Node* t, int id) {
  for (int i = 0; i < t->num_fields; ++i) {
    if (t->fields[i].id == id) return &t->fields[i];
  }
  if (t->num_fields >= MAX_FIELDS) abort();
  Field* f = &t->fields[t->num_fields++];
  memset(f, 0, sizeof(*f));
  f->id = id;
  return f;
}

static Node* set_scalar(Node* t, int id, int size, uint64_t bits) {
  Field* f = field_slot(t, id);
  f->kind = F_SCALAR;
  f->size = size;
  f->bits = bits;
  f->ref = NULL;
  return t;
}

static Node* set_u8(Node* t, int id, uint8_t v) {
  return set_scalar(t, id, 1, v);
}
static Node* set_i32(Node* t, int id, int32_t v) {
  return set_scalar(t, id, 4, (uint32_t)v);
}
static Node* set_u32(Node* t, int id, uint32_t v) {
  return set_scalar(t, id, 4, v);
}
static Node* set_u64(Node* t, int id, uint64_t v) {
  return set_scalar(t, id, 8, v);
}

static Node* set_ref(Node* t, int id, Node* child) {
  Field* f = field_slot(t, id);
  f->kind = F_REF;
  f->size = 4;
  f->ref = child;
  return t;
}

/* Removes a field (it then reads as absent). */
static void unset(Node* t, int id) {
  for (int i = 0; i < t->num_fields; ++i) {
    if (t->fields[i].id == id) {
      t->fields[i] = t->fields[--t->num_fields];
      return;
    }
  }
}

static Node* bytes_node(const void* data, uint32_t len, uint32_t elem) {
  Node* n = new_node(N_BYTES);
  n->len = len;
  n->elem = elem;
  n->bytes = pool_mem((size_t)len * elem + 1);
  if (len) memcpy(n->bytes, data, (size_t)len * elem);
  return n;
}

static Node* str(const char* s) {
  Node* n = bytes_node(s, (uint32_t)strlen(s), 1);
  n->is_string = true;
  return n;
}

static Node* vec_u8(const void* data, uint32_t len) {
  return bytes_node(data, len, 1);
}

/* Writes little-endian values (the test host is little-endian anyway). */
static Node* vec_i32(int n, const int32_t* v) {
  return bytes_node(v, (uint32_t)n, 4);
}
static Node* vec_f32(int n, const float* v) {
  return bytes_node(v, (uint32_t)n, 4);
}
static Node* vec_i64(int n, const int64_t* v) {
  return bytes_node(v, (uint32_t)n, 8);
}

static Node* vec_refs(int n, Node* const* items) {
  Node* v = new_node(N_REFS);
  v->len = (uint32_t)n;
  v->refs = pool_mem(sizeof(Node*) * (n ? n : 1));
  for (int i = 0; i < n; ++i) v->refs[i] = items[i];
  return v;
}

/* Appends one more element to a vector of tables. */
static void refs_push(Node* v, Node* item) {
  Node** refs = pool_mem(sizeof(Node*) * (v->len + 1));
  memcpy(refs, v->refs, sizeof(Node*) * v->len);
  refs[v->len++] = item;
  v->refs = refs;
}

typedef struct Out {
  uint8_t* b;
  size_t n, cap;
} Out;

static void out_reserve(Out* o, size_t n) {
  if (o->n + n <= o->cap) return;
  size_t cap = o->cap ? o->cap : 256;
  while (cap < o->n + n) cap *= 2;
  o->b = realloc(o->b, cap);
  if (o->b == NULL) abort();
  memset(o->b + o->cap, 0, cap - o->cap);
  o->cap = cap;
}

static void out_align(Out* o, size_t a) {
  size_t pad = (a - o->n % a) % a;
  out_reserve(o, pad);
  o->n += pad;
}

static void put(Out* o, size_t pos, uint64_t v, int size) {
  for (int i = 0; i < size; ++i) o->b[pos + i] = (uint8_t)(v >> (8 * i));
}

static size_t out_skip(Out* o, size_t n) {
  out_reserve(o, n);
  size_t at = o->n;
  memset(o->b + at, 0, n);
  o->n += n;
  return at;
}

static uint32_t emit(Out* o, Node* n);

static uint32_t emit_table(Out* o, Node* t) {
  int slots = 0;
  for (int i = 0; i < t->num_fields; ++i) {
    if (t->fields[i].id + 1 > slots) slots = t->fields[i].id + 1;
  }
  /* Inline layout: soffset, then fields in order, each aligned to its size
   * (the table start is 8-aligned, so alignment is absolute). */
  uint16_t field_off[MAX_FIELDS];
  size_t end = 4;
  for (int i = 0; i < t->num_fields; ++i) {
    size_t sz = (size_t)t->fields[i].size;
    end = (end + sz - 1) / sz * sz;
    field_off[i] = (uint16_t)end;
    end += sz;
  }
  size_t vt_size = 4 + 2 * (size_t)slots;
  /* Place the vtable so that the table right after it is 8-aligned. */
  out_align(o, 2);
  size_t pad = (8 - (o->n + vt_size) % 8) % 8;
  out_skip(o, pad);
  size_t vt = out_skip(o, vt_size);
  size_t tp = out_skip(o, end);
  put(o, vt, vt_size, 2);
  put(o, vt + 2, end, 2);
  for (int i = 0; i < t->num_fields; ++i) {
    put(o, vt + 4 + 2 * (size_t)t->fields[i].id, field_off[i], 2);
  }
  put(o, tp, (uint32_t)(tp - vt), 4);
  for (int i = 0; i < t->num_fields; ++i) {
    if (t->fields[i].kind == F_SCALAR) {
      put(o, tp + field_off[i], t->fields[i].bits, t->fields[i].size);
    }
  }
  for (int i = 0; i < t->num_fields; ++i) {
    if (t->fields[i].kind != F_REF) continue;
    size_t loc = tp + field_off[i];
    uint32_t child = emit(o, t->fields[i].ref);
    put(o, loc, child - loc, 4);
  }
  return (uint32_t)tp;
}

static uint32_t emit(Out* o, Node* n) {
  if (n->kind == N_TABLE) return emit_table(o, n);
  /* Vectors: the element data starts 16-aligned (force_align: 16). */
  size_t pad = (16 - (o->n + 4) % 16) % 16;
  out_skip(o, pad);
  size_t at = out_skip(o, 4);
  put(o, at, n->len, 4);
  if (n->kind == N_BYTES) {
    size_t bytes = (size_t)n->len * n->elem + (n->is_string ? 1 : 0);
    size_t data = out_skip(o, bytes);
    memcpy(o->b + data, n->bytes, (size_t)n->len * n->elem);
    return (uint32_t)at;
  }
  size_t slots = out_skip(o, 4 * (size_t)n->len);
  for (uint32_t i = 0; i < n->len; ++i) {
    uint32_t child = emit(o, n->refs[i]);
    size_t loc = slots + 4 * i;
    put(o, loc, child - loc, 4);
  }
  return (uint32_t)at;
}

/* Serializes a model: root offset, "TFL3", then the tree. The caller frees
 * the returned bytes. */
static uint8_t* finish(Node* root, size_t* size) {
  Out o = {0};
  out_skip(&o, 8);
  memcpy(o.b + 4, "TFL3", 4);
  uint32_t pos = emit(&o, root);
  put(&o, 0, pos, 4);
  *size = o.n;
  return o.b;
}

/* ---- TFLite schema field ids (declaration order in schema.fbs) ----------- */

enum { M_VERSION, M_OPCODES, M_SUBGRAPHS, M_DESC, M_BUFFERS, M_META_BUF,
       M_METADATA, M_SIGS, M_EXT_GROUPS, M_EXT_BUFFERS };
enum { OC_DEPRECATED, OC_CUSTOM, OC_VERSION, OC_BUILTIN };
enum { SG_TENSORS, SG_INPUTS, SG_OUTPUTS, SG_OPS, SG_NAME };
enum { T_SHAPE, T_TYPE, T_BUFFER, T_NAME, T_QUANT, T_IS_VARIABLE,
       T_SPARSITY, T_SHAPE_SIG, T_HAS_RANK, T_VARIANTS, T_EXTERNAL };
enum { Q_MIN, Q_MAX, Q_SCALE, Q_ZERO, Q_DETAILS_TYPE, Q_DETAILS, Q_DIM };
enum { SP_ORDER, SP_BLOCK_MAP, SP_DIMS };
enum { DM_FORMAT, DM_DENSE_SIZE, DM_SEG_TYPE, DM_SEG, DM_IDX_TYPE, DM_IDX };
enum { OP_OPCODE, OP_INPUTS, OP_OUTPUTS, OP_OPT_TYPE, OP_OPT, OP_CUSTOM,
       OP_CUSTOM_FORMAT, OP_MUTATING, OP_INTERMEDIATES, OP_LARGE_OFFSET,
       OP_LARGE_SIZE, OP_OPT2_TYPE, OP_OPT2 };
enum { B_DATA, B_OFFSET, B_SIZE };
enum { MD_NAME, MD_BUFFER };
enum { TM_NAME, TM_INDEX };
enum { SD_INPUTS, SD_OUTPUTS, SD_KEY, SD_TAG, SD_SUBGRAPH };

/* Schema TensorType values. */
enum { S_FLOAT32 = 0, S_INT32 = 2, S_STRING = 5, S_INT8 = 9, S_INT4 = 17 };

static Node* ivec(int n, ...) {
  int32_t v[32];
  va_list ap;
  va_start(ap, n);
  for (int i = 0; i < n; ++i) v[i] = va_arg(ap, int32_t);
  va_end(ap);
  return vec_i32(n, v);
}

static Node* tensor(const char* name, int type, Node* shape, uint32_t buffer) {
  Node* t = tbl();
  if (shape) set_ref(t, T_SHAPE, shape);
  set_u8(t, T_TYPE, (uint8_t)type);
  set_u32(t, T_BUFFER, buffer);
  if (name) set_ref(t, T_NAME, str(name));
  return t;
}

static Node* buffer_of(const void* data, uint32_t len) {
  Node* b = tbl();
  if (data) set_ref(b, B_DATA, vec_u8(data, len));
  return b;
}

static Node* opcode(int deprecated, int builtin, const char* custom,
                    int version) {
  Node* t = tbl();
  set_u8(t, OC_DEPRECATED, (uint8_t)deprecated);
  if (builtin) set_i32(t, OC_BUILTIN, builtin);
  if (custom) set_ref(t, OC_CUSTOM, str(custom));
  set_i32(t, OC_VERSION, version);
  return t;
}

static Node* tensor_map(const char* name, uint32_t index) {
  Node* t = tbl();
  if (name) set_ref(t, TM_NAME, str(name));
  set_u32(t, TM_INDEX, index);
  return t;
}

/* Pointers into the main fixture, so that cases can edit it. */
typedef struct Fixture {
  Node *model, *opcodes, *subgraphs, *buffers, *sigs, *metadata;
  Node *sg0, *sg1, *tensors0, *ops0;
  Node *t_x, *t_w, *t_b, *t_fc, *t_out, *t_q, *t_str, *t_sparse;
  Node *q_table, *sparse_table, *sparse_dim1;
  Node *op_fc, *op_custom, *op_gelu;
  Node *fc_options, *sig0, *sig1, *sig0_inputs, *sig0_outputs;
  Node *opcode_custom, *meta0, *buf_str, *buf_w;
} Fixture;

/* Buffer indices of the fixture. */
enum { BUF_EMPTY, BUF_W, BUF_B, BUF_STR, BUF_META, BUF_SPARSE, NUM_BUFS };

static const float kWeights[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
static const float kBias[3] = {0.5f, -0.5f, 1.0f};
static const float kSparseValues[3] = {7, 8, 9};
static const char kCustomOptions[5] = {1, 2, 3, 4, 5};

/* String tensor bytes: count 2, offsets 16, 19, 21, then "abc" "de". */
static const uint8_t kStrBuf[21] = {2, 0, 0, 0, 16, 0, 0, 0, 19, 0,  0,
                                    0, 21, 0, 0, 0, 'a', 'b', 'c', 'd', 'e'};

static void build_fixture(Fixture* f) {
  pool_reset();
  memset(f, 0, sizeof(*f));
  Node* bufs[NUM_BUFS];
  bufs[BUF_EMPTY] = buffer_of(NULL, 0);
  bufs[BUF_W] = f->buf_w = buffer_of(kWeights, sizeof(kWeights));
  bufs[BUF_B] = buffer_of(kBias, sizeof(kBias));
  bufs[BUF_STR] = f->buf_str = buffer_of(kStrBuf, sizeof(kStrBuf));
  bufs[BUF_META] = buffer_of("1.5.0", 6);
  bufs[BUF_SPARSE] = buffer_of(kSparseValues, sizeof(kSparseValues));
  f->buffers = vec_refs(NUM_BUFS, bufs);

  Node* codes[3];
  codes[0] = opcode(9, 0, NULL, 1);                  /* FULLY_CONNECTED */
  codes[1] = f->opcode_custom = opcode(32, 32, "MyOp", 2);
  codes[2] = opcode(127, 150, NULL, 1); /* GELU: code > 127 */
  f->opcodes = vec_refs(3, codes);

  /* Subgraph 0: x[1,4] -> FC(w[3,4], b[3]) -> fc[1,3] -> MyOp -> out[1,3]
   * -> GELU -> q (int8, per-channel quantized). */
  f->t_x = tensor("x", S_FLOAT32, ivec(2, 1, 4), 0);
  set_ref(f->t_x, T_SHAPE_SIG, ivec(2, -1, 4));
  f->t_w = tensor("w", S_FLOAT32, ivec(2, 3, 4), BUF_W);
  f->t_b = tensor("b", S_FLOAT32, ivec(1, 3), BUF_B);
  f->t_fc = tensor("fc", S_FLOAT32, ivec(2, 1, 3), 0);
  f->t_out = tensor("out", S_FLOAT32, ivec(2, 1, 3), 0);
  f->t_q = tensor("q", S_INT8, ivec(2, 1, 3), 0);
  f->q_table = tbl();
  const float scales[3] = {0.5f, 0.25f, 0.125f};
  const int64_t zeros[3] = {0, 1, -2};
  set_ref(f->q_table, Q_SCALE, vec_f32(3, scales));
  set_ref(f->q_table, Q_ZERO, vec_i64(3, zeros));
  set_i32(f->q_table, Q_DIM, 1);
  set_ref(f->t_q, T_QUANT, f->q_table);
  f->t_str = tensor("s", S_STRING, ivec(1, 2), BUF_STR);
  /* A 2x4 CSR matrix: row 0 has column 2, row 1 has columns 0 and 3. */
  f->t_sparse = tensor("sp", S_FLOAT32, ivec(2, 2, 4), BUF_SPARSE);
  f->sparse_table = tbl();
  Node* dim0 = tbl();
  set_u8(dim0, DM_FORMAT, 0);
  set_i32(dim0, DM_DENSE_SIZE, 2);
  f->sparse_dim1 = tbl();
  set_u8(f->sparse_dim1, DM_FORMAT, 1);
  Node* seg = tbl();
  set_ref(seg, 0, ivec(3, 0, 1, 3));
  Node* idx = tbl();
  const uint8_t idx_values[3] = {2, 0, 3};
  set_ref(idx, 0, vec_u8(idx_values, 3));
  set_u8(f->sparse_dim1, DM_SEG_TYPE, 1); /* Int32Vector */
  set_ref(f->sparse_dim1, DM_SEG, seg);
  set_u8(f->sparse_dim1, DM_IDX_TYPE, 3); /* Uint8Vector */
  set_ref(f->sparse_dim1, DM_IDX, idx);
  Node* dims[2] = {dim0, f->sparse_dim1};
  set_ref(f->sparse_table, SP_ORDER, ivec(2, 0, 1));
  set_ref(f->sparse_table, SP_DIMS, vec_refs(2, dims));
  set_ref(f->t_sparse, T_SPARSITY, f->sparse_table);
  /* A tensor with an empty quantization table, as converters write. */
  set_ref(f->t_fc, T_QUANT, tbl());
  Node* tensors[8] = {f->t_x,   f->t_w, f->t_b,   f->t_fc,
                      f->t_out, f->t_q, f->t_str, f->t_sparse};
  f->tensors0 = vec_refs(8, tensors);

  f->op_fc = tbl();
  set_u32(f->op_fc, OP_OPCODE, 0);
  set_ref(f->op_fc, OP_INPUTS, ivec(3, 0, 1, 2));
  set_ref(f->op_fc, OP_OUTPUTS, ivec(1, 3));
  f->fc_options = tbl();
  set_u8(f->fc_options, 0, 1); /* fused_activation_function = RELU */
  set_u8(f->fc_options, 2, 1); /* keep_num_dims = true */
  set_u8(f->op_fc, OP_OPT_TYPE, 8); /* FullyConnectedOptions */
  set_ref(f->op_fc, OP_OPT, f->fc_options);
  f->op_custom = tbl();
  set_u32(f->op_custom, OP_OPCODE, 1);
  set_ref(f->op_custom, OP_INPUTS, ivec(2, 3, -1));
  set_ref(f->op_custom, OP_OUTPUTS, ivec(1, 4));
  set_ref(f->op_custom, OP_CUSTOM, vec_u8(kCustomOptions, 5));
  f->op_gelu = tbl();
  set_u32(f->op_gelu, OP_OPCODE, 2);
  set_ref(f->op_gelu, OP_INPUTS, ivec(1, 4));
  set_ref(f->op_gelu, OP_OUTPUTS, ivec(1, 5));
  set_ref(f->op_gelu, OP_INTERMEDIATES, ivec(1, 6));
  Node* ops[3] = {f->op_fc, f->op_custom, f->op_gelu};
  f->ops0 = vec_refs(3, ops);

  f->sg0 = tbl();
  set_ref(f->sg0, SG_TENSORS, f->tensors0);
  set_ref(f->sg0, SG_INPUTS, ivec(1, 0));
  set_ref(f->sg0, SG_OUTPUTS, ivec(2, 4, 5));
  set_ref(f->sg0, SG_OPS, f->ops0);
  set_ref(f->sg0, SG_NAME, str("main"));

  /* Subgraph 1: one int32 scalar passed through, no operators, no name. */
  f->sg1 = tbl();
  Node* t1[1] = {tensor("n", S_INT32, NULL, 0)};
  set_ref(f->sg1, SG_TENSORS, vec_refs(1, t1));
  set_ref(f->sg1, SG_INPUTS, ivec(1, 0));
  set_ref(f->sg1, SG_OUTPUTS, ivec(1, 0));
  Node* sgs[2] = {f->sg0, f->sg1};
  f->subgraphs = vec_refs(2, sgs);

  /* Signatures; outputs are listed unsorted on purpose. */
  f->sig0 = tbl();
  Node* in0[1] = {tensor_map("x", 0)};
  Node* out0[2] = {tensor_map("z_out", 4), tensor_map("a_fc", 3)};
  f->sig0_inputs = vec_refs(1, in0);
  f->sig0_outputs = vec_refs(2, out0);
  set_ref(f->sig0, SD_INPUTS, f->sig0_inputs);
  set_ref(f->sig0, SD_OUTPUTS, f->sig0_outputs);
  set_ref(f->sig0, SD_KEY, str("serving_default"));
  set_u32(f->sig0, SD_SUBGRAPH, 0);
  f->sig1 = tbl();
  Node* in1[1] = {tensor_map("n", 0)};
  set_ref(f->sig1, SD_INPUTS, vec_refs(1, in1));
  set_ref(f->sig1, SD_KEY, str("aux"));
  set_u32(f->sig1, SD_SUBGRAPH, 1);
  Node* sigs[2] = {f->sig0, f->sig1};
  f->sigs = vec_refs(2, sigs);

  f->meta0 = tbl();
  set_ref(f->meta0, MD_NAME, str("min_runtime_version"));
  set_u32(f->meta0, MD_BUFFER, BUF_META);
  f->metadata = vec_refs(1, &f->meta0);

  f->model = tbl();
  set_u32(f->model, M_VERSION, 3);
  set_ref(f->model, M_OPCODES, f->opcodes);
  set_ref(f->model, M_SUBGRAPHS, f->subgraphs);
  set_ref(f->model, M_DESC, str("hand-built"));
  set_ref(f->model, M_BUFFERS, f->buffers);
  set_ref(f->model, M_METADATA, f->metadata);
  set_ref(f->model, M_SIGS, f->sigs);
}

/* ---- Invariants every parsed model must keep ----------------------------- */

static bool inside(const PlModel* m, const void* p, size_t n) {
  const uint8_t* b = m->fb.base;
  const uint8_t* q = p;
  return q >= b && (size_t)(q - b) <= m->fb.size &&
         n <= m->fb.size - (size_t)(q - b);
}

static bool str_ok(const PlModel* m, const char* s) {
  if (s == NULL) return false;
  if (s[0] == '\0' && !inside(m, s, 1)) return true; /* the static "" */
  if (!inside(m, s, 1)) return false;
  size_t left = m->fb.size - (size_t)((const uint8_t*)s - m->fb.base);
  return memchr(s, 0, left) != NULL;
}

/* Reads every field of a verified table in every width, as a kernel might. */
static uint64_t poke_table(const PlFbTable* t) {
  uint64_t acc = 0;
  for (int f = 0; f < 40; ++f) {
    acc += pl_fb_u8(t, f, 1) + (uint64_t)pl_fb_i16(t, f, 2) +
           pl_fb_u32(t, f, 3) + pl_fb_u64(t, f, 4) + (pl_fb_has(t, f) ? 1 : 0);
    float x = pl_fb_f32(t, f, 0.0f);
    acc += x == x ? 1 : 0;
    PlFbVec v;
    if (pl_fb_vector(t, f, 4, &v) == PL_FB_OK && v.len > 0) {
      acc += pl_fb_vec_u32(&v, v.len - 1);
    }
    const char* s;
    uint32_t len;
    if (pl_fb_string(t, f, &s, &len) == PL_FB_OK) acc += (uint64_t)s[len];
    PlFbTable sub;
    if (pl_fb_subtable(t, f, &sub) == PL_FB_OK) acc += pl_fb_u8(&sub, 0, 0);
  }
  return acc;
}

static bool tensor_index_ok(const PlSubgraphDef* sg, int32_t idx,
                            bool optional) {
  return (optional && idx == -1) || (idx >= 0 && idx < sg->num_tensors);
}

/* Returns false (and says why) if the model breaks a promise of model.h. */
static bool model_invariants(const PlModel* m) {
#define INV(cond)                                                  \
  do {                                                             \
    if (!(cond)) {                                                 \
      fprintf(stderr, "invariant broken: %s (line %d)\n", #cond, \
              __LINE__);                                           \
      return false;                                                \
    }                                                              \
  } while (0)
  INV(m->version == 3);
  INV(str_ok(m, m->description));
  INV(m->num_subgraphs >= 1);
  for (int32_t i = 0; i < m->num_buffers; ++i) {
    const PlBufferDef* b = &m->buffers[i];
    INV(b->data == NULL ? b->size == 0 : inside(m, b->data, b->size));
  }
  for (int32_t i = 0; i < m->num_opcodes; ++i) {
    const PlOpCode* oc = &m->opcodes[i];
    INV(oc->builtin_code >= 0);
    INV((oc->builtin_code == 32) == (oc->custom_code != NULL));
    if (oc->custom_code) INV(str_ok(m, oc->custom_code));
  }
  for (int32_t s = 0; s < m->num_subgraphs; ++s) {
    const PlSubgraphDef* sg = &m->subgraphs[s];
    INV(str_ok(m, sg->name));
    for (int32_t t = 0; t < sg->num_tensors; ++t) {
      const PlTensorDef* td = &sg->tensors[t];
      INV(td->type != kTfLiteNoType && str_ok(m, td->name));
      INV(td->rank >= 0 && td->rank <= PL_MAX_RANK);
      INV(td->buffer >= 0 && (td->buffer == 0 || td->buffer < m->num_buffers));
      for (int32_t d = 0; d < td->rank; ++d) {
        INV(td->shape[d] >= 0);
        if (td->shape_signature) INV(td->shape_signature[d] >= -1);
      }
      const PlQuantDef* q = &td->quant;
      INV(q->num_scales >= 0);
      INV(q->num_zero_points == 0 || q->num_zero_points == q->num_scales);
      if (q->num_scales > 1) {
        INV(q->quantized_dimension >= 0 &&
            q->quantized_dimension < td->rank);
        INV(td->shape[q->quantized_dimension] == q->num_scales);
      }
      float acc = 0;
      for (int32_t k = 0; k < q->num_scales; ++k) acc += q->scale[k];
      for (int32_t k = 0; k < q->num_zero_points; ++k) {
        acc += (float)q->zero_point[k];
      }
      (void)acc;
      if (td->buffer != 0 && m->buffers[td->buffer].data != NULL &&
          pl_type_size(td->type) > 0 && !td->has_sparsity) {
        uint64_t n = pl_type_size(td->type);
        for (int32_t d = 0; d < td->rank; ++d) n *= (uint64_t)td->shape[d];
        INV(n == m->buffers[td->buffer].size);
      }
      if (td->has_sparsity) poke_table(&td->sparsity);
    }
    for (int32_t i = 0; i < sg->num_inputs; ++i) {
      INV(tensor_index_ok(sg, sg->inputs[i], false));
    }
    for (int32_t i = 0; i < sg->num_outputs; ++i) {
      INV(tensor_index_ok(sg, sg->outputs[i], false));
    }
    for (int32_t o = 0; o < sg->num_ops; ++o) {
      const PlOpDef* op = &sg->ops[o];
      INV(op->opcode_index >= 0 && op->opcode_index < m->num_opcodes);
      for (int32_t i = 0; i < op->num_inputs; ++i) {
        INV(tensor_index_ok(sg, op->inputs[i], true));
      }
      for (int32_t i = 0; i < op->num_outputs; ++i) {
        INV(tensor_index_ok(sg, op->outputs[i], false));
      }
      for (int32_t i = 0; i < op->num_intermediates; ++i) {
        INV(tensor_index_ok(sg, op->intermediates[i], false));
      }
      INV(op->custom_options == NULL ? op->custom_options_size == 0
                                     : inside(m, op->custom_options,
                                              op->custom_options_size));
      poke_table(&op->builtin_options);
      poke_table(&op->builtin_options_2);
    }
  }
  for (int32_t i = 0; i < m->num_metadata; ++i) {
    INV(str_ok(m, m->metadata[i].name));
    INV(m->metadata[i].buffer >= 0 &&
        m->metadata[i].buffer < m->num_buffers);
  }
  for (int32_t i = 0; i < m->num_signatures; ++i) {
    const PlSignatureDef* sd = &m->signatures[i];
    INV(str_ok(m, sd->key) && sd->key[0] != '\0');
    INV(sd->subgraph_index >= 0 && sd->subgraph_index < m->num_subgraphs);
    const PlSubgraphDef* sg = &m->subgraphs[sd->subgraph_index];
    for (int side = 0; side < 2; ++side) {
      int32_t n = side ? sd->num_outputs : sd->num_inputs;
      const PlSigTensor* v = side ? sd->outputs : sd->inputs;
      for (int32_t k = 0; k < n; ++k) {
        INV(str_ok(m, v[k].name));
        INV(tensor_index_ok(sg, v[k].tensor_index, false));
        if (k > 0) INV(strcmp(v[k - 1].name, v[k].name) < 0);
      }
    }
    for (int32_t j = 0; j < i; ++j) {
      INV(strcmp(m->signatures[j].key, sd->key) != 0);
    }
  }
  return true;
#undef INV
}

/* Parses `data` and, if it parses, checks the invariants. Returns 1 if it
 * parsed, 0 if it failed cleanly (with a message), -1 on a broken promise. */
static int parse_checked(const uint8_t* data, size_t size) {
  char err[256];
  memset(err, 'x', sizeof(err));
  PlModel* m = pl_model_parse(data, size, err, sizeof(err));
  if (m == NULL) {
    /* The message is a terminated, non-empty string. */
    return memchr(err, 0, sizeof(err)) != NULL && err[0] != '\0' ? 0 : -1;
  }
  int rc = model_invariants(m) ? 1 : -1;
  pl_model_free(m);
  return rc;
}

/* ---- Fixture tests ------------------------------------------------------- */

static uint8_t* build(Fixture* f, size_t* size) {
  return finish(f->model, size);
}

static void test_fixture(void) {
  Fixture f;
  build_fixture(&f);
  size_t size;
  uint8_t* data = build(&f, &size);
  char err[256] = "";
  PlModel* m = pl_model_parse(data, size, err, sizeof(err));
  CHECK(m != NULL);
  if (m == NULL) {
    fprintf(stderr, "fixture failed to parse: %s\n", err);
    free(data);
    return;
  }
  CHECK(model_invariants(m));
  CHECK(m->version == 3);
  CHECK(strcmp(m->description, "hand-built") == 0);
  CHECK(m->num_buffers == NUM_BUFS);
  CHECK(m->buffers[BUF_EMPTY].data == NULL && m->buffers[BUF_EMPTY].size == 0);
  CHECK(m->buffers[BUF_W].size == sizeof(kWeights) &&
        memcmp(m->buffers[BUF_W].data, kWeights, sizeof(kWeights)) == 0);

  CHECK(m->num_opcodes == 3);
  CHECK(m->opcodes[0].builtin_code == 9 && m->opcodes[0].custom_code == NULL);
  CHECK(m->opcodes[1].builtin_code == 32 &&
        strcmp(m->opcodes[1].custom_code, "MyOp") == 0 &&
        m->opcodes[1].version == 2);
  CHECK(m->opcodes[2].builtin_code == 150);
  CHECK(strcmp(pl_builtin_name(m->opcodes[2].builtin_code), "GELU") == 0);

  CHECK(m->num_subgraphs == 2);
  const PlSubgraphDef* sg = &m->subgraphs[0];
  CHECK(strcmp(sg->name, "main") == 0);
  CHECK(sg->num_tensors == 8 && sg->num_ops == 3);
  CHECK(sg->num_inputs == 1 && sg->inputs[0] == 0);
  CHECK(sg->num_outputs == 2 && sg->outputs[0] == 4 && sg->outputs[1] == 5);
  const PlTensorDef* x = &sg->tensors[0];
  CHECK(strcmp(x->name, "x") == 0 && x->type == kTfLiteFloat32);
  CHECK(x->rank == 2 && x->shape[0] == 1 && x->shape[1] == 4);
  CHECK(x->shape_signature != NULL && x->shape_signature[0] == -1 &&
        x->shape_signature[1] == 4);
  CHECK(x->buffer == 0 && x->quant.num_scales == 0 && !x->has_sparsity);
  CHECK(sg->tensors[1].buffer == BUF_W &&
        sg->tensors[1].shape_signature == NULL);
  CHECK(sg->tensors[3].quant.num_scales == 0);
  const PlTensorDef* q = &sg->tensors[5];
  CHECK(q->type == kTfLiteInt8 && q->quant.num_scales == 3 &&
        q->quant.num_zero_points == 3 && q->quant.quantized_dimension == 1);
  CHECK(q->quant.scale[1] == 0.25f && q->quant.zero_point[2] == -2);
  CHECK(sg->tensors[6].type == kTfLiteString &&
        sg->tensors[6].buffer == BUF_STR);
  CHECK(sg->tensors[7].has_sparsity && sg->tensors[7].sparsity.base != NULL);
  /* The decoded form DENSIFY reads: dense rows, then CSR columns. */
  PlSparsity sp;
  CHECK(pl_sparsity_read(&sg->tensors[7], &sp));
  CHECK(sp.num_levels == 2 && sp.num_blocks == 0);
  CHECK(sp.traversal_order[0] == 0 && sp.traversal_order[1] == 1);
  CHECK(sp.levels[0].format == PL_SPARSE_DENSE && sp.levels[0].dense_size == 2);
  CHECK(sp.levels[1].format == PL_SPARSE_CSR);
  CHECK(sp.levels[1].segments.len == 3 && sp.levels[1].segments.elem_size == 4);
  CHECK(sp.levels[1].indices.len == 3 && sp.levels[1].indices.elem_size == 1);
  CHECK(pl_sparse_at(&sp.levels[1].segments, 2) == 3);
  CHECK(pl_sparse_at(&sp.levels[1].indices, 0) == 2 &&
        pl_sparse_at(&sp.levels[1].indices, 2) == 3);
  CHECK(!pl_sparsity_read(&sg->tensors[6], &sp));

  const PlOpDef* fc = &sg->ops[0];
  CHECK(fc->opcode_index == 0 && fc->num_inputs == 3 && fc->inputs[2] == 2);
  CHECK(fc->num_outputs == 1 && fc->outputs[0] == 3);
  CHECK(fc->builtin_options_type == 8);
  CHECK(pl_fb_u8(&fc->builtin_options, 0, 0) == 1);
  CHECK(pl_fb_u8(&fc->builtin_options, 1, 0) == 0); /* default */
  CHECK(pl_fb_bool(&fc->builtin_options, 2, false));
  CHECK(!pl_fb_has(&fc->builtin_options, 3));
  CHECK(fc->custom_options == NULL && fc->custom_options_size == 0);
  CHECK(fc->builtin_options_2_type == 0 &&
        fc->builtin_options_2.base == NULL);
  const PlOpDef* custom = &sg->ops[1];
  CHECK(custom->num_inputs == 2 && custom->inputs[1] == -1);
  CHECK(custom->custom_options_size == 5 &&
        memcmp(custom->custom_options, kCustomOptions, 5) == 0);
  CHECK(custom->builtin_options.base == NULL);
  CHECK(sg->ops[2].num_intermediates == 1 && sg->ops[2].intermediates[0] == 6);

  const PlSubgraphDef* sg1 = &m->subgraphs[1];
  CHECK(strcmp(sg1->name, "") == 0 && sg1->num_tensors == 1 &&
        sg1->num_ops == 0 && sg1->ops == NULL);
  CHECK(sg1->tensors[0].rank == 0 && sg1->tensors[0].type == kTfLiteInt32);

  CHECK(m->num_signatures == 2);
  const PlSignatureDef* s0 = &m->signatures[0];
  CHECK(strcmp(s0->key, "serving_default") == 0 && s0->subgraph_index == 0);
  CHECK(s0->num_inputs == 1 && strcmp(s0->inputs[0].name, "x") == 0);
  CHECK(s0->num_outputs == 2);
  CHECK(strcmp(s0->outputs[0].name, "a_fc") == 0 &&
        s0->outputs[0].tensor_index == 3);
  CHECK(strcmp(s0->outputs[1].name, "z_out") == 0 &&
        s0->outputs[1].tensor_index == 4);
  const PlSignatureDef* s1 = &m->signatures[1];
  CHECK(strcmp(s1->key, "aux") == 0 && s1->subgraph_index == 1 &&
        s1->num_outputs == 0 && s1->outputs == NULL);

  CHECK(m->num_metadata == 1 &&
        strcmp(m->metadata[0].name, "min_runtime_version") == 0 &&
        m->metadata[0].buffer == BUF_META);
  pl_model_free(m);
  free(data);
}

/* A defect case: edits the fixture, expects failure naming `expect` (or
 * success when expect is NULL). */
typedef void (*Edit)(Fixture* f);

static void expect_case(const char* label, Edit edit, const char* expect) {
  Fixture f;
  build_fixture(&f);
  edit(&f);
  size_t size;
  uint8_t* data = build(&f, &size);
  char err[256] = "";
  PlModel* m = pl_model_parse(data, size, err, sizeof(err));
  bool ok;
  if (expect == NULL) {
    ok = m != NULL && model_invariants(m);
  } else {
    ok = m == NULL && strstr(err, expect) != NULL;
  }
  if (!ok) {
    fprintf(stderr, "case '%s': expected %s%s, got %s '%s'\n", label,
            expect ? "failure with " : "success", expect ? expect : "",
            m ? "success" : "failure", err);
  }
  CHECK(ok);
  pl_model_free(m);
  free(data);
}

static void e_version(Fixture* f) { set_u32(f->model, M_VERSION, 2); }
static void e_no_version(Fixture* f) { unset(f->model, M_VERSION); }
static void e_no_subgraphs(Fixture* f) { unset(f->model, M_SUBGRAPHS); }
static void e_empty_subgraphs(Fixture* f) {
  set_ref(f->model, M_SUBGRAPHS, vec_refs(0, NULL));
  unset(f->model, M_SIGS);
}
static void e_no_buffers(Fixture* f) { unset(f->model, M_BUFFERS); }
static void e_no_tensors(Fixture* f) { unset(f->sg1, SG_TENSORS); }
static void e_op_input(Fixture* f) {
  set_ref(f->op_gelu, OP_INPUTS, ivec(1, 99));
}
static void e_op_input_neg(Fixture* f) {
  set_ref(f->op_gelu, OP_INPUTS, ivec(1, -2));
}
static void e_op_output_optional(Fixture* f) {
  set_ref(f->op_gelu, OP_OUTPUTS, ivec(1, -1));
}
static void e_op_intermediate(Fixture* f) {
  set_ref(f->op_gelu, OP_INTERMEDIATES, ivec(1, 8));
}
static void e_opcode_index(Fixture* f) { set_u32(f->op_fc, OP_OPCODE, 3); }
static void e_sg_input(Fixture* f) {
  set_ref(f->sg0, SG_INPUTS, ivec(1, 8));
}
static void e_sg_output(Fixture* f) {
  set_ref(f->sg1, SG_OUTPUTS, ivec(1, -1));
}
static void e_buffer_index(Fixture* f) { set_u32(f->t_x, T_BUFFER, 6); }
static void e_weights_size(Fixture* f) {
  set_ref(f->t_w, T_SHAPE, ivec(2, 3, 5));
}
static void e_weights_zero_dim(Fixture* f) {
  set_ref(f->t_w, T_SHAPE, ivec(2, 0, 4));
}
static void e_negative_dim(Fixture* f) {
  set_ref(f->t_fc, T_SHAPE, ivec(2, 1, -3));
}
static void e_rank(Fixture* f) {
  int32_t dims[17];
  for (int i = 0; i < 17; ++i) dims[i] = 1;
  set_ref(f->t_fc, T_SHAPE, vec_i32(17, dims));
}
static void e_rank16(Fixture* f) {
  int32_t dims[16];
  for (int i = 0; i < 16; ++i) dims[i] = 1;
  set_ref(f->t_fc, T_SHAPE, vec_i32(16, dims));
}
static void e_huge_shape(Fixture* f) {
  set_ref(f->t_fc, T_SHAPE, ivec(3, 0, 65536, 65536));
}
static void e_sig_len(Fixture* f) {
  set_ref(f->t_x, T_SHAPE_SIG, ivec(1, -1));
}
static void e_sig_dim(Fixture* f) {
  set_ref(f->t_x, T_SHAPE_SIG, ivec(2, -2, 4));
}
static void e_sig_empty(Fixture* f) {
  set_ref(f->t_x, T_SHAPE_SIG, vec_i32(0, NULL));
}
static void e_type(Fixture* f) { set_u8(f->t_fc, T_TYPE, 99); }
static void e_type_neg(Fixture* f) { set_u8(f->t_fc, T_TYPE, 0xff); }
static void e_type_fp8(Fixture* f) { set_u8(f->t_fc, T_TYPE, 22); }
static void e_variable_const(Fixture* f) {
  set_u8(f->t_w, T_IS_VARIABLE, 1);
}
static void e_external(Fixture* f) { set_u32(f->t_fc, T_EXTERNAL, 1); }
static void e_str_count(Fixture* f) {
  set_ref(f->t_str, T_SHAPE, ivec(1, 3));
}
static void e_str_offsets(Fixture* f) {
  uint8_t bad[sizeof(kStrBuf)];
  memcpy(bad, kStrBuf, sizeof(bad));
  bad[8] = 15; /* second offset before the first */
  set_ref(f->buf_str, B_DATA, vec_u8(bad, sizeof(bad)));
}
static void e_str_end(Fixture* f) {
  uint8_t bad[sizeof(kStrBuf) + 1];
  memcpy(bad, kStrBuf, sizeof(kStrBuf));
  bad[sizeof(kStrBuf)] = 'x'; /* a byte past the last offset */
  set_ref(f->buf_str, B_DATA, vec_u8(bad, sizeof(bad)));
}
static void e_str_huge_count(Fixture* f) {
  uint8_t bad[sizeof(kStrBuf)];
  memcpy(bad, kStrBuf, sizeof(bad));
  bad[3] = 0x40;
  set_ref(f->buf_str, B_DATA, vec_u8(bad, sizeof(bad)));
}
static void e_zero_points(Fixture* f) {
  const int64_t z[2] = {0, 0};
  set_ref(f->q_table, Q_ZERO, vec_i64(2, z));
}
static void e_no_zero_points(Fixture* f) { unset(f->q_table, Q_ZERO); }
static void e_qdim(Fixture* f) { set_i32(f->q_table, Q_DIM, 2); }
static void e_qdim_neg(Fixture* f) { set_i32(f->q_table, Q_DIM, -1); }
static void e_scales(Fixture* f) { set_i32(f->q_table, Q_DIM, 0); }
static void e_blockwise(Fixture* f) {
  set_u8(f->q_table, Q_DETAILS_TYPE, 2);
  set_ref(f->q_table, Q_DETAILS, tbl());
}
static void e_custom_quant(Fixture* f) {
  Node* d = tbl();
  set_ref(d, 0, vec_u8("abc", 3));
  set_u8(f->q_table, Q_DETAILS_TYPE, 1);
  set_ref(f->q_table, Q_DETAILS, d);
}
static void e_sig_no_key(Fixture* f) { unset(f->sig1, SD_KEY); }
static void e_sig_empty_key(Fixture* f) {
  set_ref(f->sig1, SD_KEY, str(""));
}
static void e_sig_dup_key(Fixture* f) {
  set_ref(f->sig1, SD_KEY, str("serving_default"));
}
static void e_sig_subgraph(Fixture* f) { set_u32(f->sig1, SD_SUBGRAPH, 2); }
static void e_sig_tensor(Fixture* f) {
  /* Valid in subgraph 0 (8 tensors) but sig1 runs subgraph 1 (1 tensor). */
  Node* in[1] = {tensor_map("n", 5)};
  set_ref(f->sig1, SD_INPUTS, vec_refs(1, in));
}
static void e_sig_no_name(Fixture* f) {
  refs_push(f->sig0_outputs, tensor_map(NULL, 4));
}
static void e_sig_dup_name(Fixture* f) {
  refs_push(f->sig0_outputs, tensor_map("a_fc", 4));
}
static void e_custom_no_code(Fixture* f) {
  unset(f->opcode_custom, OC_CUSTOM);
}
static void e_custom_empty_code(Fixture* f) {
  set_ref(f->opcode_custom, OC_CUSTOM, str(""));
}
static void e_negative_code(Fixture* f) {
  /* max(deprecated, builtin) is still negative. */
  set_u8(f->opcode_custom, OC_DEPRECATED, (uint8_t)-3);
  set_i32(f->opcode_custom, OC_BUILTIN, -5);
}
static void e_unknown_code(Fixture* f) {
  /* Unknown but well-formed codes are left for the op resolver. */
  set_u8(f->opcode_custom, OC_DEPRECATED, 127);
  set_i32(f->opcode_custom, OC_BUILTIN, 4000);
}
static void e_old_code_only(Fixture* f) {
  set_u8(f->opcode_custom, OC_DEPRECATED, 9);
  unset(f->opcode_custom, OC_BUILTIN);
}
static void e_metadata_buffer(Fixture* f) {
  set_u32(f->meta0, MD_BUFFER, NUM_BUFS);
}
static void e_metadata_old(Fixture* f) {
  set_ref(f->model, M_META_BUF, ivec(2, 4, -1));
}
static void e_unknown_options(Fixture* f) {
  set_u8(f->op_fc, OP_OPT_TYPE, 250);
}
static void e_options_type_no_value(Fixture* f) {
  unset(f->op_fc, OP_OPT);
}
static void e_options2(Fixture* f) {
  /* StablehloConcatenateOptions { dimension: long } */
  Node* o = tbl();
  set_u64(o, 0, 7);
  set_u8(f->op_gelu, OP_OPT2_TYPE, 1);
  set_ref(f->op_gelu, OP_OPT2, o);
}
static void e_options_reshape(Fixture* f) {
  Node* o = tbl();
  set_ref(o, 0, ivec(2, 1, 3)); /* ReshapeOptions.new_shape */
  set_u8(f->op_gelu, OP_OPT_TYPE, 17);
  set_ref(f->op_gelu, OP_OPT, o);
}
static void e_options_misplaced(Fixture* f) {
  /* Conv2DOptions.stride_w is an int; a 1-byte field cannot hold it. */
  Node* o = tbl();
  set_u8(o, 0, 1);
  set_u8(o, 1, 2);
  set_u8(f->op_fc, OP_OPT_TYPE, 1);
  set_ref(f->op_fc, OP_OPT, o);
}
static void e_options_bad_string(Fixture* f) {
  /* VarHandleOptions.container is a string; 7 is no offset to one. */
  Node* o = tbl();
  set_u32(o, 0, 7);
  set_u8(f->op_fc, OP_OPT_TYPE, 111);
  set_ref(f->op_fc, OP_OPT, o);
}
static void e_large_custom_oob(Fixture* f) {
  set_u64(f->op_gelu, OP_LARGE_OFFSET, 16);
  set_u64(f->op_gelu, OP_LARGE_SIZE, 1u << 30);
}
static void e_large_custom_wrap(Fixture* f) {
  set_u64(f->op_gelu, OP_LARGE_OFFSET, UINT64_MAX - 4);
  set_u64(f->op_gelu, OP_LARGE_SIZE, 8);
}
static void e_buffer_offset_oob(Fixture* f) {
  Node* b = tbl();
  set_u64(b, B_OFFSET, 100000);
  set_u64(b, B_SIZE, 48);
  f->buffers->refs[BUF_W] = b;
}
static void e_buffer_offset_one(Fixture* f) {
  /* Offset 1 is the converter's "no data" placeholder. */
  Node* b = tbl();
  set_u64(b, B_OFFSET, 1);
  set_u64(b, B_SIZE, 1000000);
  f->buffers->refs[BUF_META] = b;
}
static void e_sparse_index(Fixture* f) {
  Node* idx = tbl();
  const uint8_t v[3] = {2, 0, 4};
  set_ref(idx, 0, vec_u8(v, 3));
  set_ref(f->sparse_dim1, DM_IDX, idx);
}
static void e_sparse_segments(Fixture* f) {
  Node* seg = tbl();
  set_ref(seg, 0, ivec(3, 0, 2, 1));
  set_ref(f->sparse_dim1, DM_SEG, seg);
}
static void e_sparse_order(Fixture* f) {
  set_ref(f->sparse_table, SP_ORDER, ivec(2, 1, 1));
}
static void e_sparse_no_dims(Fixture* f) {
  unset(f->sparse_table, SP_DIMS);
}
static void e_sparse_index_type(Fixture* f) {
  set_u8(f->sparse_dim1, DM_IDX_TYPE, 9);
}
static void e_sparse_u16(Fixture* f) {
  Node* idx = tbl();
  const uint16_t v[3] = {2, 0, 3};
  set_ref(idx, 0, bytes_node(v, 3, 2));
  set_u8(f->sparse_dim1, DM_IDX_TYPE, 2);
  set_ref(f->sparse_dim1, DM_IDX, idx);
}
static void e_sparse_not_constant(Fixture* f) {
  /* Parameters on a tensor without data are kept, so they must be well
   * formed too. */
  Node* sp = tbl();
  Node* dim = tbl();
  set_u8(dim, DM_FORMAT, 1);
  set_u8(dim, DM_SEG_TYPE, 9);
  set_ref(dim, DM_SEG, tbl());
  set_ref(sp, SP_ORDER, ivec(2, 0, 1));
  set_ref(sp, SP_DIMS, vec_refs(1, &dim));
  set_ref(f->t_fc, T_SPARSITY, sp);
}
static void e_int4(Fixture* f) {
  /* 5 int4 values pack into 3 bytes. */
  set_u8(f->t_b, T_TYPE, S_INT4);
  set_ref(f->t_b, T_SHAPE, ivec(1, 5));
  f->buffers->refs[BUF_B] = buffer_of("abc", 3);
}
static void e_variant_bad(Fixture* f) {
  Node* v = tbl();
  set_u8(v, 1, 77);
  set_ref(f->t_fc, T_VARIANTS, vec_refs(1, &v));
}
static void e_empty_data(Fixture* f) {
  /* A data vector of 0 bytes still makes the tensor constant. */
  f->buffers->refs[BUF_W] = buffer_of("", 0);
}
static void e_empty_data_no_elements(Fixture* f) {
  e_empty_data(f);
  set_ref(f->t_w, T_SHAPE, ivec(2, 0, 4));
  f->buffers->refs[BUF_STR] = buffer_of("", 0);
}
static void e_description_absent(Fixture* f) { unset(f->model, M_DESC); }

static void test_cases(void) {
  expect_case("version", e_version, "schema version 2");
  expect_case("no version", e_no_version, "schema version 0");
  expect_case("no subgraphs", e_no_subgraphs, "no subgraph");
  expect_case("empty subgraphs", e_empty_subgraphs, "no subgraph");
  expect_case("no buffers", e_no_buffers, "no buffers");
  expect_case("no tensors", e_no_tensors, "subgraph 1: no tensors");
  expect_case("op input", e_op_input,
              "subgraph 0, operator 2: input tensor index 99 out of range "
              "(subgraph has 8 tensors)");
  expect_case("op input -2", e_op_input_neg, "input tensor index -2");
  expect_case("op output -1", e_op_output_optional, "output tensor index -1");
  expect_case("op intermediate", e_op_intermediate,
              "intermediate tensor index 8");
  expect_case("opcode index", e_opcode_index,
              "subgraph 0, operator 0: opcode index 3 out of range");
  expect_case("subgraph input", e_sg_input, "subgraph 0: input tensor index 8");
  expect_case("subgraph output", e_sg_output,
              "subgraph 1: output tensor index -1");
  expect_case("buffer index", e_buffer_index, "buffer index 6 out of range");
  expect_case("weights size", e_weights_size,
              "tensor 1 ('w'): constant buffer 1 has 48 bytes");
  expect_case("weights zero dim", e_weights_zero_dim, "constant buffer 1");
  expect_case("negative dim", e_negative_dim, "dimension 1 is negative");
  expect_case("rank 17", e_rank, "rank 17 exceeds");
  expect_case("rank 16", e_rank16, NULL);
  expect_case("huge shape", e_huge_shape, "too many elements");
  expect_case("shape_signature length", e_sig_len, "shape_signature has 1");
  expect_case("shape_signature dim", e_sig_dim, "shape_signature dimension");
  expect_case("shape_signature empty", e_sig_empty, NULL);
  expect_case("type", e_type, "unknown tensor type 99");
  expect_case("type -1", e_type_neg, "unknown tensor type -1");
  expect_case("type float8", e_type_fp8, NULL);
  expect_case("variable with buffer", e_variable_const, "variable tensor");
  expect_case("external buffer", e_external, "external buffer 1");
  expect_case("string count", e_str_count, "holds 2 strings, shape needs 3");
  expect_case("string offsets", e_str_offsets, "string buffer offset");
  expect_case("string end", e_str_end, "string buffer ends at 21");
  expect_case("string huge count", e_str_huge_count, "cannot hold");
  expect_case("zero points", e_zero_points, "2 zero points and 3 scales");
  expect_case("no zero points", e_no_zero_points, NULL);
  expect_case("quantized_dimension", e_qdim, "quantized_dimension 2");
  expect_case("quantized_dimension -1", e_qdim_neg, "quantized_dimension -1");
  expect_case("scale count", e_scales, "3 scales; expected 1 or");
  expect_case("blockwise", e_blockwise, "blockwise quantization");
  expect_case("custom quantization", e_custom_quant, NULL);
  expect_case("signature no key", e_sig_no_key,
              "signature 1: missing exported method name");
  expect_case("signature empty key", e_sig_empty_key, "missing exported");
  expect_case("signature dup key", e_sig_dup_key,
              "duplicate signature key 'serving_default'");
  expect_case("signature subgraph", e_sig_subgraph,
              "signature 1 ('aux'): subgraph index 2 out of range");
  expect_case("signature tensor", e_sig_tensor,
              "input 'n' has tensor index 5 out of range (subgraph has 1");
  expect_case("signature no name", e_sig_no_name, "output 2 has no name");
  expect_case("signature dup name", e_sig_dup_name,
              "duplicate output name 'a_fc'");
  expect_case("custom without code", e_custom_no_code,
              "operator code 1: CUSTOM operator has no custom_code");
  expect_case("custom empty code", e_custom_empty_code, "no custom_code");
  expect_case("negative code", e_negative_code, "builtin code -3");
  expect_case("unknown code", e_unknown_code, NULL);
  expect_case("deprecated code only", e_old_code_only, NULL);
  expect_case("metadata buffer", e_metadata_buffer,
              "metadata 0: buffer index 6 out of range");
  expect_case("metadata_buffer", e_metadata_old, "metadata_buffer 1");
  expect_case("unknown options type", e_unknown_options, NULL);
  expect_case("options type without value", e_options_type_no_value, NULL);
  expect_case("builtin_options_2", e_options2, NULL);
  expect_case("ReshapeOptions", e_options_reshape, NULL);
  expect_case("options field misplaced", e_options_misplaced,
              "subgraph 0, operator 0: field 1 is misplaced");
  expect_case("options bad string", e_options_bad_string,
              "field 0 of 'builtin_options' (type 111) is not valid");
  expect_case("large custom options", e_large_custom_oob,
              "large custom options");
  expect_case("large custom options wrap", e_large_custom_wrap,
              "large custom options");
  expect_case("buffer offset", e_buffer_offset_oob, "buffer 1: data at");
  expect_case("buffer offset 1", e_buffer_offset_one, NULL);
  expect_case("sparse index", e_sparse_index, "index 4 out of range");
  expect_case("sparse segments", e_sparse_segments, "segments decrease");
  expect_case("sparse order", e_sparse_order, "not a permutation");
  expect_case("sparse no dims", e_sparse_no_dims, "sparsity parameters");
  expect_case("sparse index type", e_sparse_index_type, "unknown index type");
  expect_case("sparse uint16", e_sparse_u16, NULL);
  expect_case("sparse, not constant", e_sparse_not_constant,
              "tensor 3 ('fc'): 'array_segments' has unknown index type 9");
  expect_case("int4 packed", e_int4, NULL);
  expect_case("variant subtype", e_variant_bad, "variant subtype 0");
  expect_case("description absent", e_description_absent, NULL);
  expect_case("empty data vector", e_empty_data,
              "constant buffer 1 has 0 bytes, but type 1 and shape need 48");
  expect_case("empty data, no elements", e_empty_data_no_elements, NULL);
}

/* Checks values the edits above accept, beyond "it parses". */
static void test_accepted_values(void) {
  Fixture f;
  size_t size;
  char err[256] = "";

  build_fixture(&f);
  e_old_code_only(&f);
  uint8_t* data = build(&f, &size);
  PlModel* m = pl_model_parse(data, size, err, sizeof(err));
  CHECK(m && m->opcodes[1].builtin_code == 9 &&
        m->opcodes[1].custom_code == NULL);
  pl_model_free(m);
  free(data);

  build_fixture(&f);
  e_description_absent(&f);
  e_unknown_options(&f);
  data = build(&f, &size);
  m = pl_model_parse(data, size, err, sizeof(err));
  CHECK(m && strcmp(m->description, "") == 0);
  CHECK(m && m->subgraphs[0].ops[0].builtin_options_type == 250 &&
        pl_fb_u8(&m->subgraphs[0].ops[0].builtin_options, 0, 0) == 1);
  pl_model_free(m);
  free(data);

  build_fixture(&f);
  e_options_type_no_value(&f);
  e_sig_empty(&f);
  data = build(&f, &size);
  m = pl_model_parse(data, size, err, sizeof(err));
  CHECK(m && m->subgraphs[0].ops[0].builtin_options_type == 8 &&
        m->subgraphs[0].ops[0].builtin_options.base == NULL);
  CHECK(m && m->subgraphs[0].tensors[0].shape_signature == NULL);
  pl_model_free(m);
  free(data);

  build_fixture(&f);
  e_options2(&f);
  e_no_zero_points(&f);
  data = build(&f, &size);
  m = pl_model_parse(data, size, err, sizeof(err));
  CHECK(m && m->subgraphs[0].ops[2].builtin_options_2_type == 1 &&
        pl_fb_i64(&m->subgraphs[0].ops[2].builtin_options_2, 0, 0) == 7);
  CHECK(m && m->subgraphs[0].tensors[5].quant.num_zero_points == 0 &&
        m->subgraphs[0].tensors[5].quant.zero_point == NULL);
  pl_model_free(m);
  free(data);

  /* Data stored after the flatbuffer (models over 2 GB): buffer (offset,
   * size) and large custom options. Build once to learn the size, then
   * point at bytes appended after it. */
  build_fixture(&f);
  Node* ext = tbl();
  f.buffers->refs[BUF_W] = ext;
  set_u64(ext, B_OFFSET, 0);
  set_u64(ext, B_SIZE, sizeof(kWeights));
  set_u64(f.op_gelu, OP_LARGE_OFFSET, 0);
  set_u64(f.op_gelu, OP_LARGE_SIZE, 5);
  data = build(&f, &size);
  free(data);
  size_t base = (size + 15) / 16 * 16;
  set_u64(ext, B_OFFSET, base);
  set_u64(f.op_gelu, OP_LARGE_OFFSET, base + sizeof(kWeights));
  data = build(&f, &size);
  CHECK(size <= base);
  size_t total = base + sizeof(kWeights) + 5;
  data = realloc(data, total);
  memset(data + size, 0, base - size);
  memcpy(data + base, kWeights, sizeof(kWeights));
  memcpy(data + base + sizeof(kWeights), kCustomOptions, 5);
  m = pl_model_parse(data, total, err, sizeof(err));
  CHECK(m != NULL);
  if (m) {
    CHECK(m->buffers[BUF_W].data == data + base &&
          m->buffers[BUF_W].size == sizeof(kWeights));
    const PlOpDef* op = &m->subgraphs[0].ops[2];
    CHECK(op->custom_options == data + base + sizeof(kWeights) &&
          op->custom_options_size == 5);
    CHECK(model_invariants(m));
  }
  pl_model_free(m);
  /* One byte short: both ranges end past the file. */
  m = pl_model_parse(data, total - 1, err, sizeof(err));
  CHECK(m == NULL && strstr(err, "large custom options") != NULL);
  pl_model_free(m);
  free(data);
}

/* ---- fb.h directly ------------------------------------------------------- */

static void test_fb(void) {
  /* A hand-laid table: vtable at 4 (6 bytes: 1 field at offset 4), table at
   * 12 with soffset 8 and a u16 at 16. */
  uint8_t buf[24] = {0};
  buf[0] = 12;            /* root offset */
  buf[4] = 6;             /* vtable size */
  buf[6] = 8;             /* inline size */
  buf[8] = 4;             /* field 0 at offset 4 */
  buf[12] = 8;            /* soffset: vtable = 12 - 8 = 4 */
  buf[16] = 0x34;
  buf[17] = 0x12;
  PlFb fb = {buf, sizeof(buf)};
  PlFbTable t;
  CHECK(pl_fb_root(&fb, &t) == PL_FB_OK);
  CHECK(t.pos == 12 && t.vtable == 4 && t.vtable_size == 6 &&
        t.inline_size == 8);
  CHECK(pl_fb_u16(&t, 0, 0) == 0x1234);
  CHECK(pl_fb_has(&t, 0) && !pl_fb_has(&t, 1) && !pl_fb_has(&t, -1));
  CHECK(pl_fb_u16(&t, 1, 77) == 77);
  /* 8 bytes at offset 4 would pass the inline size: default. */
  CHECK(pl_fb_u64(&t, 0, 5) == 5 && pl_fb_i32(&t, 0, -1) == 0x1234);
  /* As an offset, field 0 (0x1234 from 16) leaves the buffer. */
  PlFbVec v;
  const char* s;
  CHECK(pl_fb_vector(&t, 0, 4, &v) == PL_FB_INVALID && v.data == NULL);
  CHECK(pl_fb_string(&t, 0, &s, NULL) == PL_FB_INVALID && s == NULL);
  PlFbTable sub;
  CHECK(pl_fb_subtable(&t, 0, &sub) == PL_FB_INVALID && sub.base == NULL);
  /* The zeroed table reads defaults. */
  PlFbTable absent;
  memset(&absent, 0, sizeof(absent));
  CHECK(pl_fb_i8(&absent, 0, -3) == -3 && !pl_fb_has(&absent, 0));
  CHECK(pl_fb_vector(&absent, 0, 4, &v) == PL_FB_ABSENT);

  /* Odd vtable size, vtable size 2, inline size past the end. */
  buf[4] = 5;
  CHECK(pl_fb_root(&fb, &t) == PL_FB_INVALID);
  buf[4] = 2;
  CHECK(pl_fb_root(&fb, &t) == PL_FB_INVALID);
  buf[4] = 6;
  buf[6] = 13;
  CHECK(pl_fb_root(&fb, &t) == PL_FB_INVALID);
  buf[6] = 12;
  CHECK(pl_fb_root(&fb, &t) == PL_FB_OK);
  /* soffset pointing before the buffer or far after it. */
  buf[12] = 13;
  CHECK(pl_fb_root(&fb, &t) == PL_FB_INVALID);
  buf[12] = 0x00;
  buf[15] = 0x80; /* soffset = INT32_MIN: vtable = 12 + 2^31 */
  CHECK(pl_fb_root(&fb, &t) == PL_FB_INVALID);
  buf[15] = 0;
  /* Root offset out of range, buffer smaller than 4. */
  buf[0] = 0xff;
  CHECK(pl_fb_root(&fb, &t) == PL_FB_INVALID);
  PlFb tiny = {buf, 3};
  CHECK(pl_fb_root(&tiny, &t) == PL_FB_INVALID);
  CHECK(pl_fb_table_at(&fb, UINT32_MAX, &t) == PL_FB_INVALID);
  /* Alignment, as FlatBuffers requires: tables on 4, vtables on 2. */
  buf[0] = 12;
  buf[12] = 8;
  CHECK(pl_fb_table_at(&fb, 12, &t) == PL_FB_OK);
  CHECK(pl_fb_table_at(&fb, 14, &t) == PL_FB_INVALID);
  buf[12] = 7; /* vtable at 5 */
  CHECK(pl_fb_table_at(&fb, 12, &t) == PL_FB_INVALID);
  buf[12] = 8;
  buf[0] = 0; /* a zero root offset is invalid */
  CHECK(pl_fb_root(&fb, &t) == PL_FB_INVALID);

  /* Strings: NUL required inside the buffer. */
  uint8_t sb[32] = {0};
  /* vtable at 0: size 6, inline 8, field 0 at 4; table at 8 (soffset 8),
   * offset field at 12 -> string at 16: len 3 "abc" NUL at 23. */
  sb[0] = 6;
  sb[2] = 8;
  sb[4] = 4;
  sb[8] = 8;
  sb[12] = 4;
  sb[16] = 3;
  memcpy(sb + 20, "abc", 3);
  PlFb sfb = {sb, 24};
  uint32_t len;
  CHECK(pl_fb_table_at(&sfb, 8, &t) == PL_FB_OK);
  CHECK(pl_fb_string(&t, 0, &s, &len) == PL_FB_OK && len == 3 &&
        strcmp(s, "abc") == 0);
  sfb.size = 23; /* NUL outside */
  CHECK(pl_fb_table_at(&sfb, 8, &t) == PL_FB_OK);
  CHECK(pl_fb_string(&t, 0, &s, &len) == PL_FB_INVALID);
  sb[23] = 'd'; /* no NUL */
  sfb.size = 24;
  CHECK(pl_fb_table_at(&sfb, 8, &t) == PL_FB_OK);
  CHECK(pl_fb_string(&t, 0, &s, &len) == PL_FB_INVALID);
  /* As a vector the same bytes are fine: 3 u8, or 0 bytes short for u32. */
  CHECK(pl_fb_vector(&t, 0, 1, &v) == PL_FB_OK && v.len == 3 &&
        pl_fb_vec_u8(&v, 2) == 'c');
  CHECK(pl_fb_vector(&t, 0, 4, &v) == PL_FB_INVALID);
  CHECK(pl_fb_vector(&t, 0, 0, &v) == PL_FB_INVALID);
  /* uoffsets: zero, negative as int32, and a misaligned vector. */
  sb[12] = 0;
  CHECK(pl_fb_vector(&t, 0, 1, &v) == PL_FB_INVALID);
  sb[15] = 0x80;
  CHECK(pl_fb_vector(&t, 0, 1, &v) == PL_FB_INVALID);
  sb[15] = 0;
  sb[12] = 5;
  CHECK(pl_fb_vector(&t, 0, 1, &v) == PL_FB_INVALID);
  sb[12] = 4;
  /* A count that overflows 32-bit byte math. */
  sb[16] = 0;
  sb[19] = 0x40; /* len = 2^30: 2^32 bytes as u32 */
  CHECK(pl_fb_vector(&t, 0, 4, &v) == PL_FB_INVALID);
  CHECK(pl_fb_vector(&t, 0, 8, &v) == PL_FB_INVALID);
  /* Out-of-range element reads are guarded. */
  sb[19] = 0;
  sb[16] = 1;
  CHECK(pl_fb_vector(&t, 0, 4, &v) == PL_FB_OK && v.len == 1);
  CHECK(pl_fb_vec_i32(&v, 1) == 0 && pl_fb_vec_i64(&v, 0) == 0);
  CHECK(pl_fb_vec_table(&sfb, &v, 0, &t) == PL_FB_INVALID);

  /* Type table. */
  CHECK(pl_type_from_schema(0) == kTfLiteFloat32);
  CHECK(pl_type_from_schema(1) == kTfLiteFloat16);
  CHECK(pl_type_from_schema(9) == kTfLiteInt8);
  CHECK(pl_type_from_schema(18) == kTfLiteBFloat16);
  CHECK(pl_type_from_schema(19) == kTfLiteInt2);
  CHECK(pl_type_from_schema(22) == kTfLiteFloat8E5M2);
  CHECK(pl_type_from_schema(23) == kTfLiteNoType);
  CHECK(pl_type_from_schema(-1) == kTfLiteNoType);
  CHECK(pl_type_size(kTfLiteFloat16) == 2 &&
        pl_type_size(kTfLiteBFloat16) == 2);
  CHECK(pl_type_size(kTfLiteComplex64) == 8 &&
        pl_type_size(kTfLiteComplex128) == 16);
  CHECK(pl_type_size(kTfLiteBool) == 1 && pl_type_size(kTfLiteString) == 0);
  CHECK(pl_type_size(kTfLiteInt4) == 0 && pl_type_size(kTfLiteResource) == 4);
  CHECK(strcmp(pl_builtin_name(0), "ADD") == 0);
  CHECK(strcmp(pl_builtin_name(9), "FULLY_CONNECTED") == 0);
  CHECK(strcmp(pl_builtin_name(32), "CUSTOM") == 0);
  CHECK(strcmp(pl_builtin_name(209), "STABLEHLO_CASE") == 0);
  CHECK(pl_builtin_name(-1) == NULL && pl_builtin_name(100000) == NULL);
}

/* ---- Hostile inputs ------------------------------------------------------ */

/* xorshift64*: deterministic across runs and platforms. */
static uint64_t g_rng = 0x9E3779B97F4A7C15ull;
static uint64_t rng(void) {
  g_rng ^= g_rng >> 12;
  g_rng ^= g_rng << 25;
  g_rng ^= g_rng >> 27;
  return g_rng * 0x2545F4914F6CDD1Dull;
}

typedef struct Tally {
  long parsed, rejected, broken;
} Tally;

static void tally(Tally* t, int rc) {
  if (rc > 0) ++t->parsed;
  else if (rc == 0) ++t->rejected;
  else ++t->broken;
}

/* Each mutant is parsed from its own exactly-sized heap copy, so ASan sees
 * any read past the end. */
static int parse_copy(const uint8_t* data, size_t size) {
  uint8_t* copy = malloc(size ? size : 1);
  if (size) memcpy(copy, data, size);
  int rc = parse_checked(copy, size);
  free(copy);
  return rc;
}

/* `exact`: the data ends with its last object, so no truncation parses
 * (files written by converters may end in padding). */
static void fuzz_model(const char* label, const uint8_t* data, size_t size,
                       int flips, bool exact) {
  Tally trunc = {0}, bits = {0}, words = {0}, multi = {0};
  CHECK(parse_copy(data, size) == 1);
  for (size_t n = 0; n < size; ++n) tally(&trunc, parse_copy(data, n));
  CHECK(trunc.broken == 0 && (!exact || trunc.parsed == 0));

  uint8_t* m = malloc(size);
  for (int i = 0; i < flips; ++i) {
    memcpy(m, data, size);
    size_t at = (size_t)(rng() % size);
    m[at] ^= (uint8_t)(1u << (rng() % 8));
    tally(&bits, parse_copy(m, size));
  }
  CHECK(bits.broken == 0);

  /* Several bytes at once, to reach states one flip cannot. */
  for (int i = 0; i < flips / 4; ++i) {
    memcpy(m, data, size);
    int n = 2 + (int)(rng() % 6);
    for (int k = 0; k < n; ++k) m[rng() % size] = (uint8_t)rng();
    tally(&multi, parse_copy(m, size));
  }
  CHECK(multi.broken == 0);

  /* Edge values written as 32- and 16-bit words at every byte offset. */
  const uint32_t edges32[] = {0,
                              1,
                              2,
                              3,
                              4,
                              0xFFFFFFFFu,
                              0x7FFFFFFFu,
                              0x80000000u,
                              0xFFFFFFFCu,
                              (uint32_t)size,
                              (uint32_t)size - 1,
                              (uint32_t)size - 4,
                              (uint32_t)size + 1,
                              0x40000000u,
                              0x3FFFFFFFu};
  const uint16_t edges16[] = {0, 1, 2, 3, 4, 5, 0xFFFF, 0xFFFE, 0x8000};
  for (size_t at = 0; at + 4 <= size; ++at) {
    for (size_t e = 0; e < sizeof(edges32) / sizeof(edges32[0]); ++e) {
      memcpy(m, data, size);
      put(&(Out){m, size, size}, at, edges32[e], 4);
      tally(&words, parse_copy(m, size));
    }
    for (size_t e = 0; e < sizeof(edges16) / sizeof(edges16[0]); ++e) {
      memcpy(m, data, size);
      put(&(Out){m, size, size}, at, edges16[e], 2);
      tally(&words, parse_copy(m, size));
    }
  }
  CHECK(words.broken == 0);
  free(m);
  printf("%s (%zu bytes): truncations %ld rejected; bit flips %ld parsed, "
         "%ld rejected; multi-byte %ld parsed, %ld rejected; words %ld "
         "parsed, %ld rejected\n",
         label, size, trunc.rejected, bits.parsed, bits.rejected,
         multi.parsed, multi.rejected, words.parsed, words.rejected);
}

static void test_hostile(void) {
  Fixture f;
  build_fixture(&f);
  size_t size;
  uint8_t* data = build(&f, &size);
  fuzz_model("fixture", data, size, 20000, true);
  free(data);

  /* Degenerate inputs. */
  char err[128];
  CHECK(pl_model_parse(NULL, 0, err, sizeof(err)) == NULL && err[0] != '\0');
  CHECK(pl_model_parse("", 0, err, sizeof(err)) == NULL &&
        strstr(err, "too small") != NULL);
  CHECK(pl_model_parse("\x08\0\0\0TFL3", 8, NULL, 0) == NULL);
  CHECK(pl_model_parse("\x08\0\0\0TFL3", 8, err, 1) == NULL && err[0] == 0);
  uint8_t wrong_id[64] = {8, 0, 0, 0, 'T', 'F', 'L', '2'};
  CHECK(pl_model_parse(wrong_id, sizeof(wrong_id), err, sizeof(err)) ==
            NULL &&
        strstr(err, "TFL3") != NULL);
  pl_model_free(NULL);

  /* A flatbuffer may share one table between many parents: here 60000
   * tensor slots all point at one tensor with 20000 scales. Copying it per
   * reference would take 60000x the memory the file suggests; the work
   * budget stops that. The model is built with one tensor, then a new
   * tensors vector and a copy of the tensor's bytes (table and children,
   * relative layout kept so its forward offsets stay right) are appended,
   * and the subgraph's tensors field is re-pointed at the new vector. */
  pool_reset();
  Node* big = tensor("big", S_INT8, ivec(1, 20000), 0);
  Node* q = tbl();
  static float scales[20000];
  static int64_t zeros[20000];
  set_ref(q, Q_SCALE, vec_f32(20000, scales));
  set_ref(q, Q_ZERO, vec_i64(20000, zeros));
  set_ref(big, T_QUANT, q);
  Node* sg = tbl();
  set_ref(sg, SG_TENSORS, vec_refs(1, &big));
  Node* empty = buffer_of(NULL, 0);
  Node* model = tbl();
  set_u32(model, M_VERSION, 3);
  set_ref(model, M_SUBGRAPHS, vec_refs(1, &sg));
  set_ref(model, M_BUFFERS, vec_refs(1, &empty));
  data = finish(model, &size);
  CHECK(parse_copy(data, size) == 1);
  PlFb fb = {data, size};
  PlFbTable root, sgt, tt;
  PlFbVec sgs, tv;
  CHECK(pl_fb_root(&fb, &root) == PL_FB_OK &&
        pl_fb_vector(&root, M_SUBGRAPHS, 4, &sgs) == PL_FB_OK &&
        pl_fb_vec_table(&fb, &sgs, 0, &sgt) == PL_FB_OK &&
        pl_fb_vector(&sgt, SG_TENSORS, 4, &tv) == PL_FB_OK &&
        pl_fb_vec_table(&fb, &tv, 0, &tt) == PL_FB_OK);
  const uint32_t reps = 60000;
  size_t vec_at = (size + 3) / 4 * 4;
  /* Keep the copy at the same position mod 16, so alignment holds. */
  size_t table_copy =
      (vec_at + 4 + 4 * (size_t)reps + 15) / 16 * 16 + tt.vtable % 16;
  size_t table_bytes = size - tt.vtable;
  size_t big_size = table_copy + table_bytes;
  uint8_t* amp = calloc(1, big_size);
  Out ao = {amp, big_size, big_size};
  memcpy(amp, data, size);
  memcpy(amp + table_copy, data + tt.vtable, table_bytes);
  size_t new_table = table_copy + (tt.pos - tt.vtable);
  put(&ao, vec_at, reps, 4);
  for (uint32_t i = 0; i < reps; ++i) {
    size_t loc = vec_at + 4 + 4 * (size_t)i;
    put(&ao, loc, new_table - loc, 4);
  }
  size_t field_off = (size_t)(data[sgt.vtable + 4 + 2 * SG_TENSORS] |
                              data[sgt.vtable + 5 + 2 * SG_TENSORS] << 8);
  size_t loc = sgt.pos + field_off;
  put(&ao, loc, vec_at - loc, 4);
  err[0] = '\0';
  PlModel* pm = pl_model_parse(amp, big_size, err, sizeof(err));
  CHECK(pm == NULL && strstr(err, "too complex") != NULL);
  pl_model_free(pm);
  /* With few references the same layout is fine. */
  put(&ao, vec_at, 3, 4);
  pm = pl_model_parse(amp, big_size, err, sizeof(err));
  CHECK(pm != NULL && pm->subgraphs[0].num_tensors == 3 &&
        pm->subgraphs[0].tensors[2].quant.num_scales == 20000);
  pl_model_free(pm);
  free(amp);
  free(data);
}

/* ---- Real models --------------------------------------------------------- */

static const PlSignatureDef* find_sig(const PlModel* m, const char* key) {
  for (int32_t i = 0; i < m->num_signatures; ++i) {
    if (strcmp(m->signatures[i].key, key) == 0) return &m->signatures[i];
  }
  return NULL;
}

static void test_examples(void) {
  static const char* const kNames[] = {"dense.tflite", "coding.tflite"};
  for (size_t i = 0; i < sizeof(kNames) / sizeof(kNames[0]); ++i) {
    char path[512];
    snprintf(path, sizeof(path), "%s/examples/models/%s", PYLITE_SOURCE_DIR,
             kNames[i]);
    size_t size = 0;
    uint8_t* data = check_read_file(path, &size);
    if (data == NULL) {
      /* Not silent: the hand-built fixture covers the same ground. */
      printf("note: %s not found; relying on the hand-built fixture\n", path);
      continue;
    }
    char err[256] = "";
    PlModel* m = pl_model_parse(data, size, err, sizeof(err));
    CHECK(m != NULL);
    if (m == NULL) {
      fprintf(stderr, "%s: %s\n", path, err);
      free(data);
      continue;
    }
    CHECK(model_invariants(m));
    if (i == 0) {
      const PlSignatureDef* s = find_sig(m, "serving_default");
      CHECK(s != NULL && s->num_inputs == 1 && s->num_outputs == 1);
      bool has_fc = false;
      for (int32_t k = 0; k < m->num_opcodes; ++k) {
        has_fc |= m->opcodes[k].builtin_code == 9;
      }
      CHECK(has_fc);
    } else {
      CHECK(find_sig(m, "encode") != NULL && find_sig(m, "decode") != NULL);
      bool as_string = false, to_number = false;
      for (int32_t k = 0; k < m->num_opcodes; ++k) {
        const char* c = m->opcodes[k].custom_code;
        as_string |= c && strcmp(c, "FlexAsString") == 0;
        to_number |= c && strcmp(c, "FlexStringToNumber") == 0;
      }
      CHECK(as_string && to_number);
    }
    pl_model_free(m);
    fuzz_model(kNames[i], data, size, 5000, false);
    free(data);
  }
}

int main(void) {
  test_fb();
  test_fixture();
  test_cases();
  test_accepted_values();
  test_hostile();
  test_examples();
  pool_reset();
  return CHECK_SUMMARY();
}
