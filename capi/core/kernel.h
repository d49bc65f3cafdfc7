/* pylite: what a kernel sees of the runtime.
 *
 * A kernel (one file per op in capi/kernels/) is a PlKernel: optional init
 * (parse builtin options / custom options into node->user_data), optional
 * free, prepare (validate inputs, infer output shapes, mark outputs whose
 * size is only known at run time as dynamic, size scratch) and eval (compute;
 * "runs blindly" on what prepare checked). Prepare runs on every
 * AllocateTensors; eval on every Invoke.
 *
 * Kernels report errors through pl_report() and return kTfLiteError; they
 * never abort. */
#ifndef PYLITE_CORE_KERNEL_H_
#define PYLITE_CORE_KERNEL_H_

#include <stdarg.h>

#include "capi/core/fb.h"
#include "capi/core/model.h"
#include "pylite/common.h"

typedef struct PlSubgraph PlSubgraph;
typedef struct PlNode PlNode;

typedef struct PlKernel {
  const char* name; /* "FULLY_CONNECTED", or the custom code "FlexAsString" */
  TfLiteStatus (*init)(PlSubgraph* sg, PlNode* node);
  void (*free)(PlNode* node);
  TfLiteStatus (*prepare)(PlSubgraph* sg, PlNode* node);
  TfLiteStatus (*eval)(PlSubgraph* sg, PlNode* node);
  /* Optional, for ops that only move bytes: whether output `i`, as
   * prepared, holds exactly the bytes [*offset, *offset + its size) of
   * node input *input (a reshape; a part of a split whose dims before the
   * axis are all 1). The runtime may then give the output that part of the
   * input's buffer, and skips eval when every output of the node has it. */
  bool (*view)(PlSubgraph* sg, const PlNode* node, int i, int* input,
               size_t* offset);
  /* The tensor types the kernel supports, for `pylite ops` and docs/ops.md,
   * e.g. "float32, int32, int64". */
  const char* types;
} PlKernel;

struct PlNode {
  int32_t index;           /* position in the subgraph's execution plan */
  const PlOpDef* def;      /* the operator as read from the model */
  const PlKernel* kernel;  /* NULL if the op is not supported */
  const char* op_name;     /* builtin name or custom code */
  int32_t builtin_code;
  int32_t version;
  TfLiteIntArray* inputs;  /* tensor indices, -1 for an omitted input */
  TfLiteIntArray* outputs;
  void* user_data;         /* owned by the kernel (init/free) */
  bool deferred;           /* prepared at Invoke: an input's shape is only
                              known then (data-dependent shapes) */
  bool empty_outputs;      /* every output planned and empty: nothing to
                              compute (set by the runtime after prepare) */
  bool folded;             /* outputs computed at prepare from constant
                              inputs (constant folding): Invoke skips it */
  const void* registration; /* the TfLiteOperator running this node, when
                               it was registered through the options
                               (capi/core/operator.c); NULL otherwise */
  TfLiteTensor* tensors;   /* the subgraph's tensors (the array never
                              moves), for the inline pl_input / pl_output */
  int32_t num_tensors;
};

/* ---- Node inputs and outputs ------------------------------------------ */

/* Inline: kernels ask for their tensors at every eval. */
static inline int pl_num_inputs(const PlNode* node) {
  return node->inputs->size;
}
static inline int pl_num_outputs(const PlNode* node) {
  return node->outputs->size;
}
/* Tensor `i` of the list, NULL if i is out of range or the entry omitted
 * (-1). */
static inline TfLiteTensor* pl_node_tensor(const PlNode* node,
                                           const TfLiteIntArray* list,
                                           int i) {
  if (i < 0 || i >= list->size) return NULL;
  const int idx = list->data[i];
  return idx >= 0 && idx < node->num_tensors ? &node->tensors[idx] : NULL;
}
/* NULL if i is out of range or the input is omitted (-1). sg is the
 * node's subgraph. */
static inline TfLiteTensor* pl_input(PlSubgraph* sg, const PlNode* node,
                                     int i) {
  (void)sg;
  return pl_node_tensor(node, node->inputs, i);
}
static inline TfLiteTensor* pl_output(PlSubgraph* sg, const PlNode* node,
                                      int i) {
  (void)sg;
  return pl_node_tensor(node, node->outputs, i);
}

/* The sparsity parameters of input i (a constant sparse weight), decoded
 * from the model for DENSIFY, the one kernel that reads sparse tensors;
 * false if the input is absent or not sparse. */
bool pl_input_sparsity(PlSubgraph* sg, const PlNode* node, int i,
                       PlSparsity* out);

/* ---- Errors ---------------------------------------------------------------- */

/* Reports an error for the current node; the message is prefixed with the op
 * name and node index by the runtime when the kernel fails. */
void pl_report(PlSubgraph* sg, const char* fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Checks that report "<file>:<line> <cond> was not true." and fail. */
#define PL_ENSURE(sg, cond)                                            \
  do {                                                                 \
    if (!(cond)) {                                                     \
      pl_report((sg), "%s:%d %s was not true.", __FILE__, __LINE__, #cond); \
      return kTfLiteError;                                             \
    }                                                                  \
  } while (0)
#define PL_ENSURE_OK(expr)                     \
  do {                                         \
    TfLiteStatus pl_status_ = (expr);          \
    if (pl_status_ != kTfLiteOk) return pl_status_; \
  } while (0)

/* ---- Tensor shapes and memory ------------------------------------------- */

/* Element count of the tensor's dims (1 for rank 0). */
int64_t pl_num_elements(const TfLiteTensor* t);
/* Sets the tensor's dims (copied). Called in prepare for arena tensors: the
 * planner then sizes them. Called in eval for dynamic tensors: reallocates
 * their data (contents not kept). Checks byte-size overflow. */
TfLiteStatus pl_resize(PlSubgraph* sg, TfLiteTensor* t, int rank,
                       const int* dims);
/* Same, taking the dims from an array (not owned). */
TfLiteStatus pl_resize_like(PlSubgraph* sg, TfLiteTensor* t,
                            const TfLiteIntArray* dims);
/* Marks an output as sized at run time (strings, data-dependent shapes): it
 * is left out of the arena and allocated on the heap by pl_resize /
 * pl_string_write at eval. Call in prepare. */
void pl_set_dynamic(TfLiteTensor* t);
bool pl_is_constant(const TfLiteTensor* t);
/* Makes an output constant data computed once in prepare (DEQUANTIZE of a
 * constant, say): it points at `data`, which the kernel owns and keeps alive
 * as long as the node, leaves the arena, and keeps its data across later
 * AllocateTensors (kTfLitePersistentRo). Consumers see a constant. */
void pl_set_constant_output(TfLiteTensor* t, void* data, size_t bytes);
/* Grows a node's buffer *buf of *have bytes to at least `bytes` (contents
 * not kept; a new buffer of at least 1 byte). On failure *buf is NULL,
 * *have 0 and out of memory is reported. For scratch sized in prepare. */
TfLiteStatus pl_reserve(PlSubgraph* sg, void** buf, size_t* have,
                        size_t bytes);
/* Writes dims as "[2,3]" into buf (truncated to size), for messages. */
void pl_shape_string(const TfLiteIntArray* dims, char* buf, size_t size);
/* The same as a message argument, formatted only where the message is
 * made (error paths), in a buffer of the enclosing block:
 *   pl_report(sg, "... input shape %s.", PL_SHAPE_STR(input->dims)); */
enum { PL_SHAPE_STR_SIZE = 160 };
const char* pl_shape_str(const TfLiteIntArray* dims, char* buf);
#define PL_SHAPE_STR(dims) \
  pl_shape_str((dims), (char[PL_SHAPE_STR_SIZE]){0})
/* Whether a tensor's dims equal the given dims. */
bool pl_same_shape(const TfLiteTensor* a, const TfLiteTensor* b);

/* ---- Strings (TFLite layout) --------------------------------------------- */

/* int32 count N, then N+1 int32 byte offsets from the tensor start, then the
 * bytes. An unwritten string tensor has 0 bytes and count 0. */
int32_t pl_string_count(const TfLiteTensor* t);
/* Returns false if index is out of range or the buffer is malformed. */
bool pl_string_get(const TfLiteTensor* t, int32_t index, const char** data,
                   size_t* length);
/* Replaces the tensor's data with `count` strings (its dims are unchanged;
 * the caller checks that count matches them). Makes the tensor dynamic. */
TfLiteStatus pl_string_write(PlSubgraph* sg, TfLiteTensor* t, int32_t count,
                             const char* const* data, const size_t* lengths);
/* Checks a string tensor's buffer: count, monotone offsets inside bytes. */
bool pl_string_valid(const TfLiteTensor* t);

/* ---- Shared kernel helpers ------------------------------------------------- */

/* Schema ActivationFunctionType values. */
enum {
  PL_ACT_NONE = 0,
  PL_ACT_RELU = 1,
  PL_ACT_RELU_N1_TO_1 = 2,
  PL_ACT_RELU6 = 3,
  PL_ACT_TANH = 4,
  PL_ACT_SIGN_BIT = 5,
};
/* Clamp range of a fused activation, as TFLite computes it (NONE gives
 * [-FLT_MAX, FLT_MAX]). Returns false
 * for activations that are not a clamp (TANH, SIGN_BIT). */
bool pl_activation_range_f32(int activation, float* lo, float* hi);
/* Applies a fused activation to one value. */
float pl_apply_activation_f32(int activation, float x);

/* Interpreter's thread count for kernels that split work. */
int pl_num_threads(const PlSubgraph* sg);

/* ---- Parallel loops (capi/core/threadpool.c) ----------------------------- */

/* Computes [begin, end) of a parallel loop; `worker` is in
 * [0, pl_num_threads(sg)) and no two chunks of one loop run at the same
 * time with the same worker, so it can index the node's per-thread scratch
 * sized in prepare. */
typedef void (*PlParallelFn)(void* ctx, int64_t begin, int64_t end,
                             int worker);
/* Splits [0, count) into chunks run on the interpreter's threads (created
 * on first use; the caller is worker 0) and returns when all are done. With
 * one thread, or while another subgraph's call uses the pool, it runs
 * fn(ctx, 0, count, 0) inline. Kernels never create threads; each output
 * must belong to exactly one index, so results do not depend on the
 * thread count. fn must not call pl_parallel_for itself. */
void pl_parallel_for(PlSubgraph* sg, int64_t count, PlParallelFn fn,
                     void* ctx);
/* pl_parallel_for for loops whose index costs about `cost` units of work
 * (a unit is roughly a nanosecond: one float multiply-add on 8 lanes, or
 * one element of a memory-bound elementwise op, is about 1): a loop below
 * ~5000 units in all runs inline (handing it out costs more), and no chunk
 * is made smaller than ~1500. */
void pl_parallel_for_cost(PlSubgraph* sg, int64_t count, int64_t cost,
                          PlParallelFn fn, void* ctx);

/* ---- Control flow (WHILE, IF, CALL_ONCE) --------------------------------- */

int32_t pl_subgraph_count(const PlSubgraph* sg);
int32_t pl_subgraph_num_inputs(const PlSubgraph* sg, int32_t index);
int32_t pl_subgraph_num_outputs(const PlSubgraph* sg, int32_t index);
/* Runs subgraph `index` of the caller's interpreter: its inputs are resized
 * to and filled with copies of `inputs` (allocating it when needed), it is
 * invoked, and its outputs are copied into `outputs` (which take their
 * shapes: they must be dynamic). Holds the callee's lock throughout. The
 * interpreter rejects models whose subgraphs call each other in a cycle, so
 * this cannot recurse forever or deadlock. */
TfLiteStatus pl_subgraph_call(PlSubgraph* caller, int32_t index,
                              int32_t num_inputs,
                              const TfLiteTensor* const* inputs,
                              int32_t num_outputs, TfLiteTensor* const* outputs);
/* Runs subgraph `index` once per interpreter (CALL_ONCE): later calls do
 * nothing, or fail again if the first run failed. */
/* pl_subgraph_call for the calls of a loop (WHILE's body), with n values
 * in and out (`values`, dynamic): an input the callee passes through to
 * the same output is not copied again when the callee still holds it, i.e.
 * `*stamp` (0 before the first call; updated by each call) shows no other
 * call since this caller's previous one and no input changed shape. A
 * subgraph that is also a signature's (or subgraph 0) is always copied
 * into: its inputs can be written through the API. */
TfLiteStatus pl_subgraph_call_loop(PlSubgraph* caller, int32_t index,
                                   int32_t n, TfLiteTensor* const* values,
                                   uint64_t* stamp);
TfLiteStatus pl_subgraph_run_once(PlSubgraph* caller, int32_t index);
/* Makes `dst` (dynamic) a copy of `src`: type, shape and data. */
TfLiteStatus pl_tensor_copy(PlSubgraph* sg, TfLiteTensor* dst,
                            const TfLiteTensor* src);

/* ---- Resource variables ----------------------------------------------------- */

/* The id of the variable named (container, shared_name), created on first
 * use; ids are shared by every subgraph and signature of the interpreter.
 * -1 (reported) on failure. */
int32_t pl_resource_id(PlSubgraph* sg, const char* container,
                       const char* shared_name);
/* Copies the variable's value into `dst` (dynamic); an error if the id is
 * unknown or the variable was never assigned. */
TfLiteStatus pl_resource_read(PlSubgraph* sg, int32_t id, TfLiteTensor* dst);
/* Sets the variable to a copy of `value` (its type and shape may change). */
TfLiteStatus pl_resource_assign(PlSubgraph* sg, int32_t id,
                                const TfLiteTensor* value);

/* Object resources (hash tables): the resource id of the object of `kind`
 * (a static string, e.g. "hashtable") with model key `key`, created with
 * create(arg) on first use and freed with destroy() with the interpreter or
 * on reset. -1 (reported) on failure. */
int32_t pl_resource_object_id(PlSubgraph* sg, const char* kind, int32_t key,
                              void* (*create)(void* arg), void* arg,
                              void (*destroy)(void* object));
/* The object behind resource `id`, or NULL (reported) if `id` is not an
 * object of `kind`. Use it between pl_resource_lock and pl_resource_unlock:
 * resources are shared by every runner of the interpreter. */
void* pl_resource_object(PlSubgraph* sg, int32_t id, const char* kind);
void pl_resource_lock(PlSubgraph* sg);
void pl_resource_unlock(PlSubgraph* sg);

#endif /* PYLITE_CORE_KERNEL_H_ */
