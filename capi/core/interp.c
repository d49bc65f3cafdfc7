/* pylite: models, interpreters, subgraphs and their execution plans.
 *
 * Lifecycle of a subgraph: created UNALLOCATED with its tensors set from the
 * model (constants point at model data, variables are persistent, the rest
 * wait for the planner). pl_subgraph_allocate prepares every node in order
 * (kernels validate and set output shapes), then places every arena tensor
 * by lifetime with the greedy planner and moves to READY. Resizing an input
 * to new dims moves back to UNALLOCATED; invoking in that state is an error.
 * Tensors whose size is only known at run time (strings, data-dependent
 * shapes) are dynamic: heap blocks sized at eval, outside the arena. */
#define _POSIX_C_SOURCE 200809L /* strdup, mmap */
#include "capi/core/interp.h"

#include <errno.h>
#include <float.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { PL_ARENA_ALIGNMENT = 64, PL_CONST_ALIGNMENT = 16 };
/* The ops that read sparse constant tensors: DENSIFY, and FULLY_CONNECTED
 * whose sparse weights the converter leaves in place (both densify them
 * once at prepare, through pl_input_sparsity). */
enum { PL_BUILTIN_FULLY_CONNECTED = 9, PL_BUILTIN_DENSIFY = 124 };
static const char kPlaceholderKey[] = "<placeholder signature>";

/* ---- Small helpers ------------------------------------------------------ */

static TfLiteIntArray* int_array(int32_t n, const int32_t* values) {
  TfLiteIntArray* a = TfLiteIntArrayCreate(n);
  if (a && n > 0) memcpy(a->data, values, sizeof(int) * (size_t)n);
  return a;
}

/* Byte size of `count` elements of `type`; false on overflow. */
static bool byte_size(TfLiteType type, int64_t count, size_t* out) {
  size_t elem = pl_type_size(type);
  if (count < 0) return false;
  if (elem != 0 && (uint64_t)count > (SIZE_MAX / 2) / elem) return false;
  *out = (size_t)count * elem;
  return true;
}

/* Element count of dims; -1 on a negative dim or when a partial product
 * exceeds INT64_MAX / 4. Kernels call this several times per node at every
 * Invoke: the bound is checked on each product, without a division. */
static int64_t dims_elements(int rank, const int* dims) {
  int64_t n = 1;
  for (int i = 0; i < rank; ++i) {
    if (dims[i] < 0 || __builtin_mul_overflow(n, (int64_t)dims[i], &n) ||
        n > INT64_MAX / 4)
      return -1;
  }
  return n;
}

static bool owns_data(const TfLiteTensor* t) {
  return t->allocation_type == kTfLiteDynamic ||
         t->allocation_type == kTfLiteArenaRwPersistent;
}

void pl_tensor_free_data(TfLiteTensor* t) {
  if (owns_data(t)) free(t->data.raw);
  t->data.raw = NULL;
  t->bytes = 0;
}

void pl_tensor_set_heap_data(TfLiteTensor* t, void* data, size_t bytes) {
  if (owns_data(t)) free(t->data.raw);
  t->allocation_type = kTfLiteDynamic;
  t->data.raw = data;
  t->bytes = bytes;
}

bool pl_check_allocation(PlSubgraph* sg, size_t bytes, const char* what) {
  size_t limit = sg ? sg->interp->max_allocation_bytes
                    : PL_DEFAULT_MAX_ALLOCATION_BYTES;
  if (bytes <= limit) return true;
  if (what)
    pl_report(sg, "%s needs %zu bytes, more than the allocation limit of %zu "
              "bytes.", what, bytes, limit);
  return false;
}

/* pl_check_allocation with the allocation named by a format, formatted only
 * when the limit is exceeded: tensors are resized at every invoke (dynamic
 * outputs, the inputs of WHILE bodies), and formatting the name each time
 * took a fifth of the time of small looping models. */
static bool check_allocation_named(PlSubgraph* sg, size_t bytes,
                                   const char* fmt, ...)
    __attribute__((format(printf, 3, 4)));
static bool check_allocation_named(PlSubgraph* sg, size_t bytes,
                                   const char* fmt, ...) {
  if (pl_check_allocation(sg, bytes, NULL)) return true;
  char what[160];
  va_list args;
  va_start(args, fmt);
  vsnprintf(what, sizeof(what), fmt, args);
  va_end(args);
  return pl_check_allocation(sg, bytes, what);
}

/* Bytes a tensor of `count` elements stands for, strings counted by their
 * offsets alone: the size to check against the limit. */
static size_t nominal_bytes(TfLiteType type, int64_t count) {
  size_t elem = pl_type_size(type);
  if (elem == 0) elem = 4;
  if (count < 0 || (uint64_t)count > SIZE_MAX / 8) return SIZE_MAX;
  return (size_t)count * elem;
}

/* ---- Kernel-facing helpers (kernel.h) ------------------------------------ */

bool pl_input_sparsity(PlSubgraph* sg, const PlNode* node, int i,
                       PlSparsity* out) {
  if (i < 0 || i >= node->inputs->size) return false;
  const int idx = node->inputs->data[i];
  if (idx < 0 || idx >= sg->def->num_tensors) return false;
  return pl_sparsity_read(&sg->def->tensors[idx], out);
}

void pl_report(PlSubgraph* sg, const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  pl_error_v(sg ? sg->interp : NULL, fmt, args);
  va_end(args);
}

int64_t pl_num_elements(const TfLiteTensor* t) {
  if (!t->dims) return 0;
  return dims_elements(t->dims->size, t->dims->data);
}

bool pl_is_constant(const TfLiteTensor* t) {
  return t->allocation_type == kTfLiteMmapRo ||
         t->allocation_type == kTfLitePersistentRo;
}

void pl_shape_string(const TfLiteIntArray* dims, char* buf, size_t size) {
  if (size == 0) return;
  size_t used = (size_t)snprintf(buf, size, "[");
  for (int i = 0; dims && i < dims->size && used < size; ++i)
    used += (size_t)snprintf(buf + used, size - used, i ? ",%d" : "%d",
                             dims->data[i]);
  if (used < size) snprintf(buf + used, size - used, "]");
}

TfLiteStatus pl_reserve(PlSubgraph* sg, void** buf, size_t* have,
                        size_t bytes) {
  if (bytes <= *have) return kTfLiteOk;
  free(*buf);
  *have = 0;
  *buf = malloc(bytes > 0 ? bytes : 1);
  if (!*buf) {
    pl_report(sg, "Out of memory for %zu bytes of scratch.", bytes);
    return kTfLiteError;
  }
  *have = bytes;
  return kTfLiteOk;
}

const char* pl_shape_str(const TfLiteIntArray* dims, char* buf) {
  pl_shape_string(dims, buf, PL_SHAPE_STR_SIZE);
  return buf;
}

void pl_set_constant_output(TfLiteTensor* t, void* data, size_t bytes) {
  if (owns_data(t)) free(t->data.raw);
  t->data.raw = data;
  t->bytes = bytes;
  t->allocation_type = kTfLitePersistentRo;
}

bool pl_same_shape(const TfLiteTensor* a, const TfLiteTensor* b) {
  return TfLiteIntArrayEqual(a->dims, b->dims);
}

void pl_set_dynamic(TfLiteTensor* t) {
  if (t->allocation_type == kTfLiteDynamic) return;
  if (!owns_data(t)) t->data.raw = NULL;
  t->allocation_type = kTfLiteDynamic;
}

int pl_num_threads(const PlSubgraph* sg) {
  return sg->interp->num_threads > 0 ? sg->interp->num_threads : 1;
}

TfLiteStatus pl_resize(PlSubgraph* sg, TfLiteTensor* t, int rank,
                       const int* dims) {
  if (rank < 0 || rank > PL_MAX_RANK) {
    pl_report(sg, "Tensor '%s': rank %d is outside [0, %d].", t->name, rank,
              PL_MAX_RANK);
    return kTfLiteError;
  }
  int64_t count = dims_elements(rank, dims);
  size_t bytes = 0;
  if (count < 0 || !byte_size(t->type, count, &bytes)) {
    pl_report(sg, "Tensor '%s': shape has a negative dim or its size "
              "overflows.", t->name);
    return kTfLiteError;
  }
  if (pl_is_constant(t)) {
    pl_report(sg, "Tensor '%s' is constant and cannot be resized.", t->name);
    return kTfLiteError;
  }
  if (!check_allocation_named(sg, nominal_bytes(t->type, count),
                              "Tensor '%s'", t->name))
    return kTfLiteError;
  bool same = t->dims && TfLiteIntArrayEqualsArray(t->dims, rank, dims);
  if (!same) {
    TfLiteIntArray* nd = int_array(rank, dims);
    if (!nd) {
      pl_report(sg, "Out of memory resizing tensor '%s'.", t->name);
      return kTfLiteError;
    }
    TfLiteIntArrayFree(t->dims);
    t->dims = nd;
  }
  if (t->allocation_type == kTfLiteDynamic) {
    if (t->type == kTfLiteString) {
      if (!same) pl_tensor_free_data(t);
      return kTfLiteOk;
    }
    if (t->data.raw && t->bytes == bytes) return kTfLiteOk;
    /* One spare byte so that zero-sized tensors still get a pointer. */
    void* data = malloc(bytes ? bytes : 1);
    if (!data) {
      pl_report(sg, "Out of memory: tensor '%s' needs %zu bytes.", t->name,
                bytes);
      return kTfLiteError;
    }
    pl_tensor_set_heap_data(t, data, bytes);
    return kTfLiteOk;
  }
  if (t->allocation_type == kTfLiteArenaRw && sg->state == PL_STATE_READY &&
      bytes != t->bytes) {
    pl_report(sg, "Tensor '%s' lives in the arena and cannot change size "
              "during Invoke; its kernel must mark it dynamic.", t->name);
    return kTfLiteError;
  }
  t->bytes = bytes;
  return kTfLiteOk;
}

TfLiteStatus pl_resize_like(PlSubgraph* sg, TfLiteTensor* t,
                            const TfLiteIntArray* dims) {
  return pl_resize(sg, t, dims->size, dims->data);
}

bool pl_activation_range_f32(int activation, float* lo, float* hi) {
  switch (activation) {
    case PL_ACT_NONE: /* TFLite clamps to the finite range even here */
      *lo = -FLT_MAX, *hi = FLT_MAX;
      return true;
    case PL_ACT_RELU:
      *lo = 0.0f, *hi = FLT_MAX;
      return true;
    case PL_ACT_RELU_N1_TO_1:
      *lo = -1.0f, *hi = 1.0f;
      return true;
    case PL_ACT_RELU6:
      *lo = 0.0f, *hi = 6.0f;
      return true;
    default:
      return false;
  }
}

float pl_apply_activation_f32(int activation, float x) {
  switch (activation) {
    case PL_ACT_RELU:
      return x < 0.0f ? 0.0f : x;
    case PL_ACT_RELU_N1_TO_1:
      return x < -1.0f ? -1.0f : (x > 1.0f ? 1.0f : x);
    case PL_ACT_RELU6:
      return x < 0.0f ? 0.0f : (x > 6.0f ? 6.0f : x);
    case PL_ACT_TANH:
      return tanhf(x);
    case PL_ACT_SIGN_BIT:
      return signbit(x) ? 1.0f : 0.0f;
    default:
      return x;
  }
}

/* ---- Models --------------------------------------------------------------- */

struct TfLiteModel* pl_model_create(const void* data, size_t size,
                                    void* mapping, size_t mapping_size,
                                    TfLiteErrorReporterCallback reporter,
                                    void* user_data) {
  if (!data || size == 0) {
    pl_error_to(reporter, user_data, "The model allocation is null/empty.");
    return NULL;
  }
  char err[512];
  PlModel* parsed = pl_model_parse(data, size, err, sizeof(err));
  if (!parsed) {
    pl_error_to(reporter, user_data,
                "The model is not a valid Flatbuffer buffer: %s", err);
    return NULL;
  }
  struct TfLiteModel* model = calloc(1, sizeof(*model));
  if (!model) {
    pl_model_free(parsed);
    pl_error_to(reporter, user_data, "Out of memory creating the model.");
    return NULL;
  }
  model->parsed = parsed;
  model->mapping = mapping;
  model->mapping_size = mapping_size;
  atomic_init(&model->refs, 1);
  return model;
}

struct TfLiteModel* pl_model_create_from_file(
    const char* path, TfLiteErrorReporterCallback reporter, void* user_data) {
  if (!path) {
    pl_error_to(reporter, user_data, "Model path is NULL.");
    return NULL;
  }
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    pl_error_to(reporter, user_data, "Could not open '%s': %s.", path,
                strerror(errno));
    return NULL;
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0) {
    close(fd);
    pl_error_to(reporter, user_data,
                "Could not open '%s': not a regular, non-empty file.", path);
    return NULL;
  }
  size_t size = (size_t)st.st_size;
  void* map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
  close(fd);
  if (map == MAP_FAILED) {
    pl_error_to(reporter, user_data, "Could not map '%s': %s.", path,
                strerror(errno));
    return NULL;
  }
  struct TfLiteModel* model =
      pl_model_create(map, size, map, size, reporter, user_data);
  if (!model) munmap(map, size);
  return model;
}

void pl_model_release(struct TfLiteModel* model) {
  if (!model) return;
  if (atomic_fetch_sub(&model->refs, 1) != 1) return;
  pl_model_free(model->parsed);
  if (model->mapping) munmap(model->mapping, model->mapping_size);
  free(model);
}

/* ---- Interpreter creation ------------------------------------------------- */

typedef struct AlignedCopy {
  struct AlignedCopy* next;
} AlignedCopy;

/* The alignment kernels need to read a constant of this type as a typed
 * array: its element's (strings: their int32 header; at most 8). */
static size_t constant_alignment(TfLiteType type) {
  if (type == kTfLiteString) return 4;
  size_t a = pl_type_size(type);
  if (a == 0) return 1;
  return a > 8 ? 8 : a;
}

/* Constant data the kernels read as typed arrays must be aligned for its
 * type. The converter aligns large buffers but not always small ones, and
 * hostile files need not align anything: such data is copied (and kept for
 * the interpreter's life), the rest read in place. */
static const void* aligned_constant(PlInterp* interp, const uint8_t* data,
                                    size_t size, size_t alignment) {
  if (((uintptr_t)data % alignment) == 0) return data;
  size_t header = PL_CONST_ALIGNMENT;
  AlignedCopy* block = aligned_alloc(PL_CONST_ALIGNMENT,
                                     (header + size + PL_CONST_ALIGNMENT - 1) /
                                         PL_CONST_ALIGNMENT *
                                         PL_CONST_ALIGNMENT);
  if (!block) return NULL;
  block->next = interp->aligned_copies;
  interp->aligned_copies = block;
  uint8_t* dst = (uint8_t*)block + header;
  memcpy(dst, data, size);
  return dst;
}

static TfLiteStatus init_tensor(PlInterp* interp, PlSubgraph* sg, int32_t i) {
  const PlModel* m = interp->model->parsed;
  const PlTensorDef* def = &sg->def->tensors[i];
  TfLiteTensor* t = &sg->tensors[i];
  t->type = def->type;
  t->name = def->name;
  t->buffer_handle = kTfLiteNullBufferHandle;
  t->is_variable = def->is_variable;
  t->dims = int_array(def->rank, def->shape);
  if (!t->dims) return kTfLiteError;
  if (def->shape_signature) {
    TfLiteIntArray* sig = int_array(def->rank, def->shape_signature);
    if (!sig) return kTfLiteError;
    t->dims_signature = sig;
  }
  if (def->quant.num_scales > 0) {
    /* The legacy per-tensor parameters, as TFLite sets them: only for a
     * single scale; per-channel tensors keep 0 and 0 there. */
    if (def->quant.num_scales == 1) {
      t->params.scale = def->quant.scale[0];
      t->params.zero_point = def->quant.num_zero_points > 0
                                 ? (int32_t)def->quant.zero_point[0]
                                 : 0;
    }
    TfLiteAffineQuantization* q = calloc(1, sizeof(*q));
    if (!q) return kTfLiteError;
    t->quantization.type = kTfLiteAffineQuantization;
    t->quantization.params = q;
    q->scale = TfLiteFloatArrayCreate(def->quant.num_scales);
    q->zero_point = TfLiteIntArrayCreate(def->quant.num_scales);
    if (!q->scale || !q->zero_point) return kTfLiteError;
    for (int32_t k = 0; k < def->quant.num_scales; ++k) {
      q->scale->data[k] = def->quant.scale[k];
      q->zero_point->data[k] = k < def->quant.num_zero_points
                                   ? (int)def->quant.zero_point[k]
                                   : 0;
    }
    q->quantized_dimension = def->quant.quantized_dimension;
  }
  const PlBufferDef* buf =
      (def->buffer > 0 && def->buffer < m->num_buffers) ? &m->buffers[def->buffer]
                                                        : NULL;
  if (def->has_sparsity) {
    /* Marks the tensor sparse: its data is the compressed form, which only
     * DENSIFY may read (checked in prepare_nodes). */
    t->sparsity = calloc(1, sizeof(TfLiteSparsity));
    if (!t->sparsity) return kTfLiteError;
  }
  if (buf && buf->data && buf->size > 0 && !def->is_variable) {
    const void* data = aligned_constant(interp, buf->data, buf->size,
                                        constant_alignment(def->type));
    if (!data) return kTfLiteError;
    t->data.raw_const = data;
    t->bytes = buf->size;
    t->allocation_type = kTfLiteMmapRo;
    t->allocation = data;
    return kTfLiteOk;
  }
  t->allocation_type =
      (def->is_variable || def->type == kTfLiteString) ? kTfLiteDynamic
                                                       : kTfLiteArenaRw;
  if (def->is_variable) t->allocation_type = kTfLiteArenaRwPersistent;
  size_t bytes = 0;
  if (t->type != kTfLiteString &&
      byte_size(t->type, dims_elements(def->rank, def->shape), &bytes))
    t->bytes = bytes;
  return kTfLiteOk;
}

static TfLiteStatus init_node(PlInterp* interp, PlSubgraph* sg, int32_t i) {
  const PlModel* m = interp->model->parsed;
  const PlOpDef* op = &sg->def->ops[i];
  PlNode* node = &sg->nodes[i];
  const PlOpCode* code = &m->opcodes[op->opcode_index];
  node->index = i;
  node->def = op;
  node->builtin_code = code->builtin_code;
  node->version = code->version;
  node->inputs = int_array(op->num_inputs, op->inputs);
  node->outputs = int_array(op->num_outputs, op->outputs);
  if (!node->inputs || !node->outputs) return kTfLiteError;
  node->tensors = sg->tensors;
  node->num_tensors = sg->num_tensors;
  if (code->custom_code) {
    node->op_name = code->custom_code;
    node->kernel = pl_resolve_custom(interp, code->custom_code, code->version,
                                     &node->registration);
  } else {
    const char* name = pl_builtin_name(code->builtin_code);
    node->op_name = name ? name : "UNKNOWN";
    node->kernel = pl_find_builtin(code->builtin_code);
  }
  if (node->kernel && node->kernel->init &&
      node->kernel->init(sg, node) != kTfLiteOk) {
    pl_error(interp, "Node number %d (%s) failed to initialize.", (int)i,
             node->op_name);
    node->kernel = NULL; /* no free for a failed init */
    return kTfLiteError;
  }
  return kTfLiteOk;
}

/* Names of the placeholder signature: tensor names, or input<i>/output<i>
 * when empty, sorted as LiteRT sorts signature names. */
static TfLiteStatus build_placeholder_side(PlSubgraph* sg,
                                           const TfLiteIntArray* io,
                                           const char* prefix,
                                           const char*** names_out,
                                           int32_t** tensors_out) {
  int32_t n = io->size;
  const char** names = calloc((size_t)n + 1, sizeof(char*));
  int32_t* tensors = calloc((size_t)n + 1, sizeof(int32_t));
  if (!names || !tensors) {
    free(names);
    free(tensors);
    return kTfLiteError;
  }
  *names_out = names;
  *tensors_out = tensors;
  for (int32_t i = 0; i < n; ++i) {
    const char* tname = sg->tensors[io->data[i]].name;
    char* copy;
    if (tname && tname[0]) {
      copy = strdup(tname);
    } else {
      copy = malloc(32);
      if (copy) snprintf(copy, 32, "%s%d", prefix, (int)i);
    }
    if (!copy) return kTfLiteError;
    names[i] = copy;
    tensors[i] = io->data[i];
  }
  /* Insertion sort by name, carrying the tensor index. */
  for (int32_t i = 1; i < n; ++i) {
    for (int32_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; --j) {
      const char* tn = names[j];
      names[j] = names[j - 1];
      names[j - 1] = tn;
      int32_t tt = tensors[j];
      tensors[j] = tensors[j - 1];
      tensors[j - 1] = tt;
    }
  }
  return kTfLiteOk;
}

static TfLiteStatus build_signatures(PlInterp* interp) {
  const PlModel* m = interp->model->parsed;
  interp->num_signatures = m->num_signatures;
  interp->signatures = calloc((size_t)m->num_signatures + 1, sizeof(PlSignature));
  if (!interp->signatures) return kTfLiteError;
  for (int32_t s = 0; s < m->num_signatures; ++s) {
    const PlSignatureDef* def = &m->signatures[s];
    PlSignature* sig = &interp->signatures[s];
    sig->key = def->key;
    sig->subgraph_index = def->subgraph_index;
    sig->num_inputs = def->num_inputs;
    sig->num_outputs = def->num_outputs;
    sig->input_names = calloc((size_t)def->num_inputs + 1, sizeof(char*));
    sig->input_tensors = calloc((size_t)def->num_inputs + 1, sizeof(int32_t));
    sig->output_names = calloc((size_t)def->num_outputs + 1, sizeof(char*));
    sig->output_tensors = calloc((size_t)def->num_outputs + 1, sizeof(int32_t));
    if (!sig->input_names || !sig->input_tensors || !sig->output_names ||
        !sig->output_tensors)
      return kTfLiteError;
    for (int32_t i = 0; i < def->num_inputs; ++i) {
      sig->input_names[i] = def->inputs[i].name;
      sig->input_tensors[i] = def->inputs[i].tensor_index;
    }
    for (int32_t i = 0; i < def->num_outputs; ++i) {
      sig->output_names[i] = def->outputs[i].name;
      sig->output_tensors[i] = def->outputs[i].tensor_index;
    }
  }
  if (m->num_signatures == 0 && interp->num_subgraphs > 0) {
    PlSubgraph* sg = &interp->subgraphs[0];
    PlSignature* p = &interp->placeholder;
    p->key = kPlaceholderKey;
    p->subgraph_index = 0;
    p->num_inputs = sg->inputs->size;
    p->num_outputs = sg->outputs->size;
    interp->has_placeholder = true;
    PL_ENSURE_OK(build_placeholder_side(sg, sg->inputs, "input",
                                        &p->input_names, &p->input_tensors));
    PL_ENSURE_OK(build_placeholder_side(sg, sg->outputs, "output",
                                        &p->output_names, &p->output_tensors));
  }
  return kTfLiteOk;
}

/* The dataflow every kernel relies on, checked once: an operator writes
 * only tensors that nothing else writes (no constant, subgraph input,
 * variable, or its own input), and reads only tensors that exist before it
 * runs (constants, subgraph inputs, variables, or outputs of earlier
 * operators). A hostile model breaking these rules would otherwise hand
 * kernels unwritten, NULL or aliased memory. */
static TfLiteStatus check_dataflow(PlInterp* interp, const PlSubgraphDef* def,
                                   int32_t index) {
  const PlModel* m = interp->model->parsed;
  int32_t n = def->num_tensors;
  /* 0: not available yet; 1: available (input, constant, variable or
   * written by an earlier operator). */
  uint8_t* ready = calloc((size_t)n + 1, 1);
  uint8_t* written = calloc((size_t)n + 1, 1);
  if (!ready || !written) {
    free(ready), free(written);
    pl_error(interp, "Out of memory checking subgraph %d.", (int)index);
    return kTfLiteError;
  }
  for (int32_t t = 0; t < n; ++t) {
    const PlTensorDef* td = &def->tensors[t];
    bool constant = td->buffer > 0 && td->buffer < m->num_buffers &&
                    m->buffers[td->buffer].data && m->buffers[td->buffer].size;
    int64_t count = 1;
    for (int32_t d = 0; d < td->rank; ++d) count *= td->shape[d];
    if (constant || td->is_variable) ready[t] = written[t] = 1;
    /* A tensor without elements has nothing to read (empty constants). */
    if (count == 0) ready[t] = 1;
  }
  for (int32_t i = 0; i < def->num_inputs; ++i)
    ready[def->inputs[i]] = written[def->inputs[i]] = 1;
  TfLiteStatus status = kTfLiteOk;
  for (int32_t k = 0; k < def->num_ops && status == kTfLiteOk; ++k) {
    const PlOpDef* op = &def->ops[k];
    for (int32_t j = 0; j < op->num_inputs; ++j) {
      int32_t t = op->inputs[j];
      if (t >= 0 && !ready[t]) {
        pl_error(interp, "Subgraph %d, operator %d reads tensor %d ('%s'), "
                 "which no earlier operator writes.", (int)index, (int)k,
                 (int)t, def->tensors[t].name);
        status = kTfLiteError;
        break;
      }
    }
    for (int32_t j = 0; j < op->num_outputs && status == kTfLiteOk; ++j) {
      int32_t t = op->outputs[j];
      bool own_input = false;
      for (int32_t q = 0; q < op->num_inputs; ++q)
        own_input |= op->inputs[q] == t;
      if (written[t] || own_input) {
        pl_error(interp, "Subgraph %d, operator %d writes tensor %d ('%s'), "
                 "which is %s.", (int)index, (int)k, (int)t,
                 def->tensors[t].name,
                 own_input ? "also its own input"
                           : "a constant, a variable, a subgraph input, "
                             "another of its outputs or written by another "
                             "operator");
        status = kTfLiteError;
      }
      /* Marked at once, so that an output listed twice is caught. */
      ready[t] = written[t] = 1;
    }
  }
  /* Every output is computed, passed through or constant: an unwritten one
   * would hand the caller (or a WHILE / IF reading it) arena garbage. */
  for (int32_t i = 0; i < def->num_outputs && status == kTfLiteOk; ++i) {
    const int32_t t = def->outputs[i];
    if (!ready[t]) {
      pl_error(interp, "Subgraph %d output %d is tensor %d ('%s'), which no "
               "operator writes.", (int)index, (int)i, (int)t,
               def->tensors[t].name);
      status = kTfLiteError;
    }
  }
  free(ready), free(written);
  return status;
}

static TfLiteStatus init_subgraph(PlInterp* interp, int32_t index) {
  PlSubgraph* sg = &interp->subgraphs[index];
  const PlSubgraphDef* def = &interp->model->parsed->subgraphs[index];
  PL_ENSURE_OK(check_dataflow(interp, def, index));
  sg->interp = interp;
  sg->index = index;
  sg->def = def;
  sg->state = PL_STATE_UNALLOCATED;
  pthread_mutex_init(&sg->lock, NULL);
  sg->num_tensors = def->num_tensors;
  sg->tensors = calloc((size_t)def->num_tensors + 1, sizeof(TfLiteTensor));
  sg->info = calloc((size_t)def->num_tensors + 1, sizeof(PlTensorInfo));
  sg->nodes = calloc((size_t)def->num_ops + 1, sizeof(PlNode));
  sg->node_ns = calloc((size_t)def->num_ops + 1, sizeof(int64_t));
  sg->node_runs = calloc((size_t)def->num_ops + 1, sizeof(int64_t));
  sg->run_nodes = calloc((size_t)def->num_ops + 1, sizeof(int32_t));
  sg->inputs = int_array(def->num_inputs, def->inputs);
  sg->outputs = int_array(def->num_outputs, def->outputs);
  if (!sg->tensors || !sg->info || !sg->nodes || !sg->inputs ||
      !sg->outputs || !sg->node_ns || !sg->node_runs || !sg->run_nodes) {
    pl_error(interp, "Out of memory creating subgraph %d.", (int)index);
    return kTfLiteError;
  }
  for (int32_t i = 0; i < def->num_tensors; ++i) {
    if (init_tensor(interp, sg, i) != kTfLiteOk) {
      pl_error(interp, "Could not set up tensor %d of subgraph %d.", (int)i,
               (int)index);
      return kTfLiteError;
    }
  }
  for (int32_t i = 0; i < def->num_inputs; ++i)
    sg->info[def->inputs[i]].is_input = true;
  for (int32_t i = 0; i < def->num_outputs; ++i)
    sg->info[def->outputs[i]].is_output = true;
  sg->num_nodes = def->num_ops;
  for (int32_t i = 0; i < def->num_ops; ++i)
    PL_ENSURE_OK(init_node(interp, sg, i));
  return kTfLiteOk;
}

PlInterp* pl_interp_create(struct TfLiteModel* model,
                           const struct TfLiteInterpreterOptions* options) {
  if (!model) {
    pl_error(NULL, "TfLiteInterpreterCreate: model is NULL.");
    return NULL;
  }
  TfLiteErrorReporterCallback reporter = options ? options->reporter : NULL;
  void* reporter_data = options ? options->reporter_data : NULL;
  if (options && options->num_delegates > 0) {
    pl_error_to(reporter, reporter_data,
                "Delegates are not supported by pylite.");
    return NULL;
  }
  if (options && options->num_threads != -1 && options->num_threads < 1) {
    pl_error_to(reporter, reporter_data,
                "num_threads must be -1 or at least 1, got %d.",
                (int)options->num_threads);
    return NULL;
  }
  PlInterp* interp = calloc(1, sizeof(*interp));
  if (!interp) {
    pl_error_to(reporter, reporter_data, "Out of memory.");
    return NULL;
  }
  pthread_mutex_init(&interp->error_lock, NULL);
  atomic_fetch_add(&model->refs, 1);
  interp->model = model;
  interp->reporter = reporter;
  interp->reporter_data = reporter_data;
  interp->num_threads = options ? options->num_threads : -1;
  interp->max_allocation_bytes =
      (options && options->max_allocation_bytes) ? options->max_allocation_bytes
                                                 : PL_DEFAULT_MAX_ALLOCATION_BYTES;
  interp->enable_cancellation = options ? options->enable_cancellation : false;
  atomic_init(&interp->cancelled, false);
  if (options && options->num_operators > 0) {
    if (pl_operator_list_copy(options->operators, options->num_operators,
                              &interp->operators) != kTfLiteOk) {
      pl_interp_delete(interp);
      return NULL;
    }
    interp->num_operators = options->num_operators;
  }
  const PlModel* m = model->parsed;
  interp->num_subgraphs = m->num_subgraphs;
  if (pl_control_init(interp) != kTfLiteOk) {
    pl_interp_delete(interp);
    return NULL;
  }
  interp->subgraphs = calloc((size_t)m->num_subgraphs + 1, sizeof(PlSubgraph));
  if (!interp->subgraphs) {
    pl_interp_delete(interp);
    return NULL;
  }
  for (int32_t s = 0; s < m->num_subgraphs; ++s) {
    if (init_subgraph(interp, s) != kTfLiteOk) {
      pl_interp_delete(interp);
      return NULL;
    }
  }
  if (pl_check_call_graph(interp) != kTfLiteOk) {
    pl_interp_delete(interp);
    return NULL;
  }
  pl_mark_state_subgraphs(interp);
  pl_mark_unread_inputs(interp);
  if (build_signatures(interp) != kTfLiteOk) {
    pl_error(interp, "Out of memory building signatures.");
    pl_interp_delete(interp);
    return NULL;
  }
  return interp;
}

static void free_signature(PlSignature* sig, bool owned_names) {
  if (owned_names) {
    for (int32_t i = 0; i < sig->num_inputs && sig->input_names; ++i)
      free((char*)sig->input_names[i]);
    for (int32_t i = 0; i < sig->num_outputs && sig->output_names; ++i)
      free((char*)sig->output_names[i]);
  }
  free(sig->input_names);
  free(sig->input_tensors);
  free(sig->output_names);
  free(sig->output_tensors);
}

/* Frees the data of a tensor computed by constant folding, which goes back
 * to being an arena activation. */
static void unfold_tensor(PlSubgraph* sg, int32_t i) {
  if (!sg->info || !sg->info[i].folded) return;
  TfLiteTensor* t = &sg->tensors[i];
  free(t->data.raw);
  t->data.raw = NULL;
  t->bytes = 0;
  t->allocation_type = kTfLiteArenaRw;
  sg->info[i].folded = false;
}

static void free_tensor(TfLiteTensor* t) {
  if (t->allocation_type != kTfLiteArenaRw) pl_tensor_free_data(t);
  TfLiteIntArrayFree(t->dims);
  TfLiteIntArrayFree((TfLiteIntArray*)t->dims_signature);
  free(t->sparsity);
  if (t->quantization.type == kTfLiteAffineQuantization) {
    TfLiteAffineQuantization* q = t->quantization.params;
    if (q) {
      TfLiteFloatArrayFree(q->scale);
      TfLiteIntArrayFree(q->zero_point);
      free(q);
    }
  }
}

void pl_interp_delete(PlInterp* interp) {
  if (!interp) return;
  pl_threadpool_free(interp); /* workers first: nothing runs after this */
  for (int32_t s = 0; interp->subgraphs && s < interp->num_subgraphs; ++s) {
    PlSubgraph* sg = &interp->subgraphs[s];
    if (!sg->interp) continue; /* never initialized */
    for (int32_t i = 0; sg->nodes && i < sg->num_nodes; ++i) {
      PlNode* node = &sg->nodes[i];
      if (node->kernel && node->kernel->free) node->kernel->free(node);
      TfLiteIntArrayFree(node->inputs);
      TfLiteIntArrayFree(node->outputs);
    }
    for (int32_t i = 0; sg->tensors && i < sg->num_tensors; ++i) {
      unfold_tensor(sg, i);
      free_tensor(&sg->tensors[i]);
    }
    free(sg->nodes);
    free(sg->node_ns);
    free(sg->node_runs);
    free(sg->run_nodes);
    free(sg->tensors);
    free(sg->info);
    free(sg->input_unread);
    TfLiteIntArrayFree(sg->inputs);
    TfLiteIntArrayFree(sg->outputs);
    free(sg->arena);
    pthread_mutex_destroy(&sg->lock);
  }
  free(interp->subgraphs);
  for (int32_t s = 0; interp->signatures && s < interp->num_signatures; ++s)
    free_signature(&interp->signatures[s], false);
  free(interp->signatures);
  if (interp->has_placeholder) free_signature(&interp->placeholder, true);
  for (AlignedCopy* b = interp->aligned_copies; b;) {
    AlignedCopy* next = b->next;
    free(b);
    b = next;
  }
  pl_control_free(interp);
  free(interp->operators);
  pthread_mutex_destroy(&interp->error_lock);
  pl_model_release(interp->model);
  free(interp);
}

/* ---- Resizing ----------------------------------------------------------------- */

TfLiteStatus pl_subgraph_resize_input(PlSubgraph* sg, int32_t tensor_index,
                                      const int* dims, int32_t rank,
                                      bool strict) {
  PlInterp* interp = sg->interp;
  if (tensor_index < 0 || tensor_index >= sg->num_tensors ||
      !sg->info[tensor_index].is_input) {
    pl_error(interp, "Tensor %d is not an input of subgraph %d.",
             (int)tensor_index, (int)sg->index);
    return kTfLiteError;
  }
  if (rank < 0 || rank > PL_MAX_RANK || (rank > 0 && !dims)) {
    pl_error(interp, "Invalid rank %d for input tensor %d (at most %d).",
             (int)rank, (int)tensor_index, PL_MAX_RANK);
    return kTfLiteError;
  }
  for (int32_t i = 0; i < rank; ++i) {
    if (dims[i] < 0) {
      pl_error(interp, "Cannot resize dimension %d of tensor %d to %d: "
               "dims must be >= 0.", (int)i, (int)tensor_index, dims[i]);
      return kTfLiteError;
    }
  }
  TfLiteTensor* t = &sg->tensors[tensor_index];
  if (pl_is_constant(t)) {
    pl_error(interp, "Input tensor %d is constant and cannot be resized.",
             (int)tensor_index);
    return kTfLiteError;
  }
  if (strict) {
    if (t->dims->size != rank) {
      pl_error(interp, "Cannot resize tensor %d of rank %d to rank %d: a "
               "strict resize keeps the rank.", (int)tensor_index,
               t->dims->size, (int)rank);
      return kTfLiteError;
    }
    const TfLiteIntArray* sig =
        (t->dims_signature && t->dims_signature->size) ? t->dims_signature
                                                       : t->dims;
    for (int32_t i = 0; i < rank; ++i) {
      if (sig->data[i] != -1 && sig->data[i] != dims[i]) {
        pl_error(interp, "Attempting to resize dimension %d of tensor %d "
                 "with value %d to %d. ResizeInputTensorStrict only allows "
                 "mutating unknown dimensions identified by -1.", (int)i,
                 (int)tensor_index, sig->data[i], dims[i]);
        return kTfLiteError;
      }
    }
  }
  int64_t count = dims_elements(rank, dims);
  if (count < 0) {
    pl_error(interp, "Resizing tensor %d: element count overflows.",
             (int)tensor_index);
    return kTfLiteError;
  }
  if (!check_allocation_named(sg, nominal_bytes(t->type, count),
                              "Input tensor %d ('%s')", (int)tensor_index,
                              t->name))
    return kTfLiteError;
  if (TfLiteIntArrayEqualsArray(t->dims, rank, dims)) return kTfLiteOk;
  TfLiteIntArray* nd = int_array(rank, dims);
  if (!nd) {
    pl_error(interp, "Out of memory.");
    return kTfLiteError;
  }
  TfLiteIntArrayFree(t->dims);
  t->dims = nd;
  if (t->allocation_type == kTfLiteDynamic) pl_tensor_free_data(t);
  sg->state = PL_STATE_UNALLOCATED;
  return kTfLiteOk;
}

/* ---- Allocation ------------------------------------------------------------- */

/* A node whose outputs are all planned (not dynamic) and empty has nothing
 * to compute: Invoke skips it, which also spares kernels looping over the
 * huge outer dims of an empty tensor (a fuzz finding). Known after prepare:
 * planned outputs do not change size during Invoke. */
static bool outputs_empty(PlSubgraph* sg, const PlNode* node) {
  if (node->outputs->size == 0) return false;
  for (int j = 0; j < node->outputs->size; ++j) {
    int t = node->outputs->data[j];
    if (t < 0) continue;
    const TfLiteTensor* out = &sg->tensors[t];
    if (out->allocation_type == kTfLiteDynamic || pl_num_elements(out) != 0)
      return false;
  }
  return true;
}

/* A node one of whose inputs gets its shape only at Invoke (the output of a
 * RESHAPE by a computed shape, say) cannot be prepared now: it is deferred
 * to Invoke, and its outputs become dynamic, as TFLite prepares the nodes
 * after a dynamic tensor lazily. */
static bool defer_if_needed(PlSubgraph* sg, PlNode* node) {
  node->deferred = false;
  for (int j = 0; j < node->inputs->size; ++j) {
    int t = node->inputs->data[j];
    if (t >= 0 && sg->info[t].shape_at_eval) node->deferred = true;
  }
  if (!node->deferred) return false;
  for (int j = 0; j < node->outputs->size; ++j) {
    int t = node->outputs->data[j];
    if (t < 0) continue;
    pl_set_dynamic(&sg->tensors[t]);
    sg->info[t].shape_at_eval = true;
  }
  return true;
}

/* ---- Constant folding ------------------------------------------------------ */

/* Pure ops, cheap on small tensors, that compute shapes in converted models
 * (SHAPE -> STRIDED_SLICE -> PACK -> RESHAPE for a dynamic batch, say). */
static bool foldable_op(int32_t code) {
  switch (code) {
    case 0:   /* ADD */
    case 2:   /* CONCATENATION */
    case 18:  /* MUL */
    case 22:  /* RESHAPE */
    case 36:  /* GATHER */
    case 39:  /* TRANSPOSE */
    case 41:  /* SUB */
    case 42:  /* DIV */
    case 43:  /* SQUEEZE */
    case 45:  /* STRIDED_SLICE */
    case 53:  /* CAST */
    case 55:  /* MAXIMUM */
    case 57:  /* MINIMUM */
    case 65:  /* SLICE */
    case 69:  /* TILE */
    case 70:  /* EXPAND_DIMS */
    case 74:  /* SUM */
    case 77:  /* SHAPE */
    case 81:  /* REDUCE_PROD */
    case 83:  /* PACK */
    case 88:  /* UNPACK */
    case 90:  /* FLOOR_DIV */
    case 94:  /* FILL */
    case 96:  /* RANGE */
    case 110: /* RANK */
      return true;
    default:
      return false;
  }
}

/* Largest output computed at prepare. */
enum { PL_FOLD_MAX_BYTES = 4096 };

/* Whether a prepared node can be computed now: a builtin pure op whose
 * inputs are all constant (for SHAPE and RANK, of a known shape), whose
 * outputs are small planned numeric tensors that are not subgraph inputs
 * or outputs. */
static bool can_fold(PlSubgraph* sg, const PlNode* node) {
  if (node->registration || !foldable_op(node->builtin_code) ||
      node->outputs->size == 0)
    return false;
  const bool shape_only = node->builtin_code == 77 || node->builtin_code == 110;
  for (int j = 0; j < node->inputs->size; ++j) {
    int t = node->inputs->data[j];
    if (t < 0) continue;
    const TfLiteTensor* in = &sg->tensors[t];
    if (shape_only ? (in->allocation_type == kTfLiteDynamic ||
                      sg->info[t].shape_at_eval)
                   : !pl_is_constant(in))
      return false;
  }
  for (int j = 0; j < node->outputs->size; ++j) {
    int t = node->outputs->data[j];
    if (t < 0) return false;
    const TfLiteTensor* out = &sg->tensors[t];
    if (out->allocation_type != kTfLiteArenaRw || out->type == kTfLiteString ||
        out->bytes > PL_FOLD_MAX_BYTES || sg->info[t].is_input ||
        sg->info[t].is_output)
      return false;
  }
  return true;
}

/* Computes a foldable node now: its outputs get their own memory and become
 * read-only constants, so that their consumers (a RESHAPE by a computed
 * shape) are prepared with known shapes instead of at every Invoke, and
 * Invoke skips the node. If the kernel fails, the node is left to Invoke,
 * which reports the failure as it would have without folding. */
static void fold_node(PlSubgraph* sg, PlNode* node) {
  for (int j = 0; j < node->outputs->size; ++j) {
    int t = node->outputs->data[j];
    TfLiteTensor* out = &sg->tensors[t];
    void* data = calloc(1, out->bytes ? out->bytes : 1);
    if (!data) {
      for (int k = 0; k < j; ++k) unfold_tensor(sg, node->outputs->data[k]);
      return;
    }
    out->data.raw = data;
    out->allocation_type = kTfLitePersistentRo;
    sg->info[t].folded = true;
  }
  if (node->kernel->eval(sg, node) != kTfLiteOk) {
    for (int j = 0; j < node->outputs->size; ++j) {
      const int32_t t = node->outputs->data[j];
      const size_t bytes = sg->tensors[t].bytes;
      unfold_tensor(sg, t);
      sg->tensors[t].bytes = bytes;
    }
    return;
  }
  node->folded = true;
}

static TfLiteStatus prepare_nodes(PlSubgraph* sg) {
  PlInterp* interp = sg->interp;
  for (int32_t i = 0; i < sg->num_tensors; ++i) sg->info[i].shape_at_eval = false;
  for (int32_t i = 0; i < sg->num_nodes; ++i) {
    PlNode* node = &sg->nodes[i];
    if (!node->kernel) {
      const PlOpCode* code = &interp->model->parsed->opcodes[node->def->opcode_index];
      if (code->custom_code) {
        pl_error(interp, "Encountered unresolved custom op: %s. pylite does "
                 "not implement this op (node %d of subgraph %d).",
                 node->op_name, (int)i, (int)sg->index);
      } else {
        pl_error(interp, "Didn't find op for builtin opcode '%s' version "
                 "'%d': pylite does not implement this op (node %d of "
                 "subgraph %d).", node->op_name, (int)node->version, (int)i,
                 (int)sg->index);
      }
      return kTfLiteError;
    }
    for (int j = 0; j < node->inputs->size; ++j) {
      int t = node->inputs->data[j];
      if (t >= 0 && sg->tensors[t].sparsity &&
          node->builtin_code != PL_BUILTIN_DENSIFY &&
          !(node->builtin_code == PL_BUILTIN_FULLY_CONNECTED && j == 1)) {
        pl_error(interp, "Node number %d (%s): input '%s' is a sparse tensor; "
                 "pylite reads sparse tensors only through DENSIFY and "
                 "FULLY_CONNECTED weights.", (int)i,
                 node->op_name, sg->tensors[t].name);
        return kTfLiteError;
      }
    }
    node->empty_outputs = false;
    node->folded = false;
    if (defer_if_needed(sg, node)) continue;
    if (node->kernel->prepare(sg, node) != kTfLiteOk) {
      pl_error(interp, "Node number %d (%s) failed to prepare.", (int)i,
               node->op_name);
      return kTfLiteError;
    }
    node->empty_outputs = outputs_empty(sg, node);
    if (!node->empty_outputs && can_fold(sg, node)) fold_node(sg, node);
    /* An output the kernel made dynamic may get its shape only at Invoke
     * (a string RESHAPE by a computed shape, say): as TFLite does, its
     * consumers are prepared then. */
    for (int j = 0; j < node->outputs->size; ++j) {
      int t = node->outputs->data[j];
      if (t >= 0 && sg->tensors[t].allocation_type == kTfLiteDynamic)
        sg->info[t].shape_at_eval = true;
    }
  }
  return kTfLiteOk;
}

static TfLiteStatus allocate_variables(PlSubgraph* sg) {
  for (int32_t i = 0; i < sg->num_tensors; ++i) {
    TfLiteTensor* t = &sg->tensors[i];
    if (!t->is_variable || t->data.raw) continue;
    size_t bytes = 0;
    if (!byte_size(t->type, pl_num_elements(t), &bytes) ||
        !pl_check_allocation(sg, bytes, "A variable tensor")) {
      pl_error(sg->interp, "Variable tensor %d is too large.", (int)i);
      return kTfLiteError;
    }
    void* data = calloc(1, bytes ? bytes : 1);
    if (!data) {
      pl_error(sg->interp, "Out of memory for variable tensor %d.", (int)i);
      return kTfLiteError;
    }
    /* Zero-initialized (int8: the zero point, as TFLite's reset does): the
     * reader rejects variables with constant data, as TFLite does. */
    if (t->type == kTfLiteInt8) memset(data, t->params.zero_point, bytes);
    t->allocation_type = kTfLiteArenaRwPersistent;
    t->data.raw = data;
    t->bytes = bytes;
  }
  return kTfLiteOk;
}

/* Whether a prepared node's outputs can all share their input's buffer
 * instead of receiving copies, as LiteRT shares it for RESHAPE: the kernel
 * says each output is a part of one input (PlKernel.view), the input and
 * the outputs are planned in the arena, and no output is a subgraph output
 * (callers read those after Invoke, and may have written the subgraph's
 * inputs, which the buffer could be, since). Sharing is safe because no
 * operator writes a tensor it reads (the loader checks), so the buffer is
 * written once, by the input's producer (or the caller), and the planner
 * keeps it alive until the last reader of any of the tensors. Constant,
 * variable and dynamic inputs are left to the copy. All or nothing: a node
 * that runs never copies onto its own input. */
static bool shares_input(PlSubgraph* sg, const PlNode* node) {
  if (!node->kernel || !node->kernel->view || node->registration ||
      node->deferred || node->folded || node->empty_outputs ||
      node->outputs->size == 0)
    return false;
  int32_t in = -1;
  for (int j = 0; j < node->outputs->size; ++j) {
    int input = -1;
    size_t offset = 0;
    const int32_t out = node->outputs->data[j];
    if (out < 0 ||
        !node->kernel->view(sg, node, j, &input, &offset) ||
        input < 0 || input >= node->inputs->size)
      return false;
    const int32_t t = node->inputs->data[input];
    if (t < 0 || (in >= 0 && t != in)) return false;
    in = t;
    const TfLiteTensor* a = &sg->tensors[in];
    const TfLiteTensor* b = &sg->tensors[out];
    if (a->allocation_type != kTfLiteArenaRw ||
        b->allocation_type != kTfLiteArenaRw || a->type != b->type ||
        offset > a->bytes || b->bytes > a->bytes - offset ||
        sg->info[out].is_output || sg->info[out].is_input)
      return false;
  }
  return true;
}

/* Sets each tensor's alias_of and alias_offset: the outputs of a node that
 * shares its input (shares_input) point into the buffer of the input's own
 * owner, so chains of reshapes and splits all share one buffer. */
static void find_aliases(PlSubgraph* sg) {
  for (int32_t i = 0; i < sg->num_tensors; ++i) sg->info[i].alias_of = -1;
  for (int32_t k = 0; k < sg->num_nodes; ++k) {
    const PlNode* node = &sg->nodes[k];
    if (!shares_input(sg, node)) continue;
    for (int j = 0; j < node->outputs->size; ++j) {
      int input = -1;
      size_t offset = 0;
      node->kernel->view(sg, node, j, &input, &offset);
      const PlTensorInfo* from = &sg->info[node->inputs->data[input]];
      PlTensorInfo* to = &sg->info[node->outputs->data[j]];
      to->alias_of = from->alias_of >= 0 ? from->alias_of
                                         : node->inputs->data[input];
      to->alias_offset = (from->alias_of >= 0 ? from->alias_offset : 0) +
                         offset;
    }
  }
}

static TfLiteStatus plan_arena(PlSubgraph* sg) {
  PlInterp* interp = sg->interp;
  int32_t n = sg->num_tensors;
  int32_t end = sg->num_nodes;
  int32_t* first = malloc(sizeof(int32_t) * ((size_t)n + 1));
  int32_t* last = malloc(sizeof(int32_t) * ((size_t)n + 1));
  PlPlanItem* items = malloc(sizeof(PlPlanItem) * ((size_t)n + 1));
  int32_t* item_tensor = malloc(sizeof(int32_t) * ((size_t)n + 1));
  if (!first || !last || !items || !item_tensor) {
    free(first), free(last), free(items), free(item_tensor);
    pl_error(interp, "Out of memory planning subgraph %d.", (int)sg->index);
    return kTfLiteError;
  }
  for (int32_t i = 0; i < n; ++i) first[i] = INT32_MAX, last[i] = -1;
  /* Graph inputs and outputs live for the whole run. */
  for (int32_t i = 0; i < n; ++i) {
    if (sg->info[i].is_input) first[i] = 0, last[i] = end;
    if (sg->info[i].is_output) {
      if (first[i] > 0) first[i] = 0;
      last[i] = end;
    }
  }
  for (int32_t k = 0; k < sg->num_nodes; ++k) {
    const PlNode* node = &sg->nodes[k];
    const TfLiteIntArray* lists[2] = {node->inputs, node->outputs};
    for (int l = 0; l < 2; ++l) {
      for (int j = 0; j < lists[l]->size; ++j) {
        int t = lists[l]->data[j];
        if (t < 0) continue;
        if (k < first[t]) first[t] = k;
        if (k > last[t]) last[t] = k;
      }
    }
  }
  /* A shared buffer lives from the first use of any of its tensors to the
   * last. */
  find_aliases(sg);
  for (int32_t i = 0; i < n; ++i) {
    const int32_t root = sg->info[i].alias_of;
    if (root < 0) continue;
    if (first[i] < first[root]) first[root] = first[i];
    if (last[i] > last[root]) last[root] = last[i];
  }
  int32_t count = 0;
  for (int32_t i = 0; i < n; ++i) {
    TfLiteTensor* t = &sg->tensors[i];
    if (t->allocation_type != kTfLiteArenaRw || last[i] < 0 ||
        sg->info[i].alias_of >= 0)
      continue;
    items[count] = (PlPlanItem){t->bytes, first[i], last[i], 0};
    item_tensor[count++] = i;
  }
  size_t size = pl_plan_greedy(items, count, PL_ARENA_ALIGNMENT);
  TfLiteStatus status = kTfLiteOk;
  char what[64];
  snprintf(what, sizeof(what), "The arena of subgraph %d", (int)sg->index);
  if (!pl_check_allocation(sg, size, what)) {
    free(first), free(last), free(items), free(item_tensor);
    return kTfLiteError;
  }
  if (size > sg->arena_size || !sg->arena) {
    free(sg->arena);
    sg->arena_size = 0;
    sg->arena = aligned_alloc(PL_ARENA_ALIGNMENT, size ? size : PL_ARENA_ALIGNMENT);
    if (!sg->arena) {
      pl_error(interp, "Out of memory: the arena of subgraph %d needs %zu "
               "bytes.", (int)sg->index, size);
      status = kTfLiteError;
    } else {
      sg->arena_size = size;
    }
  }
  for (int32_t k = 0; status == kTfLiteOk && k < count; ++k) {
    TfLiteTensor* t = &sg->tensors[item_tensor[k]];
    sg->info[item_tensor[k]].arena_offset = items[k].offset;
    t->data.raw = (char*)sg->arena + items[k].offset;
  }
  for (int32_t i = 0; status == kTfLiteOk && i < n; ++i) {
    const int32_t root = sg->info[i].alias_of;
    if (root < 0) continue;
    sg->info[i].arena_offset =
        sg->info[root].arena_offset + sg->info[i].alias_offset;
    sg->tensors[i].data.raw =
        (char*)sg->tensors[root].data.raw + sg->info[i].alias_offset;
  }
  free(first), free(last), free(items), free(item_tensor);
  return status;
}

/* Lists the nodes Invoke runs: not those folded at prepare, those with
 * nothing to compute, and those whose outputs share their input (all of
 * them, or none: see shares_input). */
static void list_run_nodes(PlSubgraph* sg) {
  sg->num_run_nodes = 0;
  for (int32_t k = 0; k < sg->num_nodes; ++k) {
    const PlNode* node = &sg->nodes[k];
    if (node->folded || node->empty_outputs) continue;
    if (node->kernel->view && node->outputs->size > 0 &&
        node->outputs->data[0] >= 0 &&
        sg->info[node->outputs->data[0]].alias_of >= 0)
      continue;
    sg->run_nodes[sg->num_run_nodes++] = k;
  }
}

TfLiteStatus pl_subgraph_allocate(PlSubgraph* sg) {
  sg->state = PL_STATE_UNALLOCATED;
  for (int32_t i = 0; i < sg->num_tensors; ++i) unfold_tensor(sg, i);
  /* Every non-string activation goes back to the arena (kernels mark the
   * ones sized at run time dynamic again in prepare); string tensors are
   * always dynamic, and keep their strings. */
  for (int32_t i = 0; i < sg->num_tensors; ++i) {
    TfLiteTensor* t = &sg->tensors[i];
    if (pl_is_constant(t) || t->is_variable) continue;
    if (t->type == kTfLiteString) {
      if (t->allocation_type != kTfLiteDynamic) t->data.raw = NULL, t->bytes = 0;
      t->allocation_type = kTfLiteDynamic;
      continue;
    }
    if (t->allocation_type == kTfLiteDynamic)
      pl_tensor_free_data(t);
    else
      t->data.raw = NULL;
    t->allocation_type = kTfLiteArenaRw;
    size_t bytes = 0;
    if (byte_size(t->type, pl_num_elements(t), &bytes)) t->bytes = bytes;
  }
  PL_ENSURE_OK(allocate_variables(sg));
  PL_ENSURE_OK(prepare_nodes(sg));
  PL_ENSURE_OK(plan_arena(sg));
  list_run_nodes(sg);
  sg->state = PL_STATE_READY;
  return kTfLiteOk;
}

/* ---- Invocation --------------------------------------------------------------- */

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static TfLiteStatus check_string_inputs(PlSubgraph* sg) {
  for (int32_t i = 0; i < sg->inputs->size; ++i) {
    const TfLiteTensor* t = &sg->tensors[sg->inputs->data[i]];
    if (t->type != kTfLiteString) continue;
    int32_t count = pl_string_count(t);
    int64_t want = pl_num_elements(t);
    if (count != want) {
      pl_error(sg->interp, "String input '%s' holds %d strings but its "
               "shape needs %lld; write it after AllocateTensors.", t->name,
               (int)count, (long long)want);
      return kTfLiteError;
    }
  }
  return kTfLiteOk;
}

/* Bool inputs hold whatever bytes the caller wrote; kernels read them as C
 * bool, whose only valid values are 0 and 1, so any non-zero byte becomes
 * 1 (true, as TFLite reads it). Constant bools are checked at load. */
static void normalize_bool_inputs(PlSubgraph* sg) {
  for (int i = 0; i < sg->inputs->size; ++i) {
    const int32_t k = sg->inputs->data[i];
    if (k < 0) continue;
    TfLiteTensor* t = &sg->tensors[k];
    if (t->type != kTfLiteBool || !t->data.raw) continue;
    uint8_t* bytes = (uint8_t*)t->data.raw;
    for (size_t b = 0; b < t->bytes; ++b) bytes[b] = bytes[b] != 0;
  }
}

/* The run list in order, with cancellation and profiling. */
static TfLiteStatus run_nodes(PlSubgraph* sg) {
  PlInterp* interp = sg->interp;
  bool profiling = atomic_load(&interp->profiling);
  for (int32_t r = 0; r < sg->num_run_nodes; ++r) {
    if (interp->enable_cancellation && atomic_load(&interp->cancelled)) {
      pl_error(interp, "Client requested cancel during Invoke()");
      return kTfLiteCancelled;
    }
    const int32_t i = sg->run_nodes[r];
    PlNode* node = &sg->nodes[i];
    int64_t start = profiling ? now_ns() : 0;
    if (node->deferred && node->kernel->prepare(sg, node) != kTfLiteOk) {
      pl_error(interp, "Node number %d (%s) failed to prepare.", (int)i,
               node->op_name);
      return kTfLiteError;
    }
    TfLiteStatus status = node->kernel->eval(sg, node);
    if (status == kTfLiteCancelled) return status; /* from a callee */
    if (status != kTfLiteOk) {
      pl_error(interp, "Node number %d (%s) failed to invoke.", (int)i,
               node->op_name);
      return kTfLiteError;
    }
    if (profiling) {
      sg->node_ns[i] += now_ns() - start;
      sg->node_runs[i]++;
    }
  }
  return kTfLiteOk;
}

TfLiteStatus pl_subgraph_invoke(PlSubgraph* sg) {
  PlInterp* interp = sg->interp;
  if (sg->state != PL_STATE_READY) {
    pl_error(interp, "Invoke called on model that is not ready.");
    return kTfLiteError;
  }
  PL_ENSURE_OK(check_string_inputs(sg));
  normalize_bool_inputs(sg);
  struct PlThreadPool* pool = pl_threadpool_heat(interp);
  const TfLiteStatus status = run_nodes(sg);
  pl_threadpool_cool(pool);
  return status;
}

/* ---- Signatures --------------------------------------------------------------- */

const PlSignature* pl_interp_find_signature(PlInterp* interp,
                                            const char* key) {
  if (!key) {
    if (interp->num_signatures == 0) {
      if (interp->has_placeholder) return &interp->placeholder;
      pl_error(interp, "The model has no subgraphs.");
      return NULL;
    }
    for (int32_t s = 0; s < interp->num_signatures; ++s)
      if (interp->signatures[s].subgraph_index == 0)
        return &interp->signatures[s];
    pl_error(interp, "The model has signature def but none of those points "
             "to primary subgraph.");
    return NULL;
  }
  for (int32_t s = 0; s < interp->num_signatures; ++s)
    if (strcmp(interp->signatures[s].key, key) == 0)
      return &interp->signatures[s];
  if (interp->has_placeholder && strcmp(key, kPlaceholderKey) == 0)
    return &interp->placeholder;
  char list[1024] = "";
  size_t used = 0;
  for (int32_t s = 0; s < interp->num_signatures && used < sizeof(list); ++s)
    used += (size_t)snprintf(list + used, sizeof(list) - used, "%s'%s'",
                             s ? ", " : "", interp->signatures[s].key);
  pl_error(interp, "Signature key '%s' was not found. Available: [%s].", key,
           list);
  return NULL;
}

static int32_t find_name(const char* const* names, int32_t n,
                         const char* name) {
  if (!name) return -1;
  for (int32_t i = 0; i < n; ++i)
    if (strcmp(names[i], name) == 0) return i;
  return -1;
}

int32_t pl_signature_input(const PlSignature* sig, const char* name) {
  return find_name(sig->input_names, sig->num_inputs, name);
}

int32_t pl_signature_output(const PlSignature* sig, const char* name) {
  return find_name(sig->output_names, sig->num_outputs, name);
}
