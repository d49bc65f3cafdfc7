/* pylite: the interpreter core (internal).
 *
 * An interpreter owns one PlSubgraph per model subgraph. Each subgraph has
 * its own tensors, execution plan (nodes in model order), arena and lock, and
 * an explicit state: UNALLOCATED until its nodes are prepared and its memory
 * is planned, READY after, and back to UNALLOCATED when an input is resized.
 * Signature runners are thin views over one subgraph; runners of different
 * subgraphs may run concurrently, calls on one subgraph are serialized by its
 * lock. c_api.c maps the public C API onto the functions below. */
#ifndef PYLITE_CORE_INTERP_H_
#define PYLITE_CORE_INTERP_H_

#include <pthread.h>
#include <stdatomic.h>

#include "capi/core/kernel.h"
#include "capi/core/model.h"
#include "pylite/c_api.h"

typedef enum PlState {
  PL_STATE_UNALLOCATED = 0, /* needs AllocateTensors */
  PL_STATE_READY = 1,       /* prepared and planned: Invoke may run */
} PlState;

/* Per-tensor facts the public struct does not carry. */
typedef struct PlTensorInfo {
  bool is_input;     /* a subgraph input */
  bool is_output;    /* a subgraph output */
  bool shape_at_eval; /* its shape is only known once its producer ran */
  bool folded;       /* computed at prepare from constants (its producer
                        was folded); holds malloc'd data, read-only */
  size_t arena_offset;
  int32_t alias_of;  /* the tensor whose arena buffer it shares (the input
                        of the reshaping or splitting node producing it,
                        PlKernel.view), or -1 */
  size_t alias_offset; /* where its bytes start in that buffer */
} PlTensorInfo;

struct PlSubgraph {
  struct TfLiteInterpreter* interp;
  int32_t index;
  const PlSubgraphDef* def;
  int32_t num_tensors;
  TfLiteTensor* tensors;
  PlTensorInfo* info;
  int32_t num_nodes;
  PlNode* nodes;
  TfLiteIntArray* inputs;
  TfLiteIntArray* outputs;
  PlState state;
  /* The nodes Invoke runs, in order: all but the folded ones, those with
   * empty outputs and those whose output shares its input's buffer. Set
   * by pl_subgraph_allocate. */
  int32_t* run_nodes;
  int32_t num_run_nodes;
  uint8_t* arena;
  size_t arena_size;
  pthread_mutex_t lock;
  /* Profiling (when the interpreter's `profiling` is set): time spent in
   * each node's eval (and deferred prepare), and how many times it ran. */
  int64_t* node_ns;
  int64_t* node_runs;
  /* Whether running this subgraph reads or writes interpreter-wide state
   * (resource variables, hash tables, initialization), itself or through
   * the subgraphs it calls: such runs are serialized by the interpreter's
   * state_lock, so that a read-modify-write of a variable is never
   * interleaved with another runner's. */
  bool touches_state;
  /* Per input: whether no node reads it and it is not an output either
   * (pl_subgraph_call does not copy a value into such an input: a WHILE's
   * cond usually reads only its counters). NULL: all read. */
  bool* input_unread;
  /* Calls through pl_subgraph_call (and _loop) so far, under `lock`: a
   * loop's caller that finds it unchanged knows nobody else ran the
   * subgraph since its own previous call. */
  uint64_t calls;
};

/* A signature as the runtime uses it: names sorted, tensor indices. */
typedef struct PlSignature {
  const char* key;
  int32_t subgraph_index;
  int32_t num_inputs;
  const char** input_names;
  int32_t* input_tensors;
  int32_t num_outputs;
  const char** output_names;
  int32_t* output_tensors;
} PlSignature;

struct TfLiteModel {
  PlModel* parsed;
  void* mapping; /* mmap of the file, or NULL */
  size_t mapping_size;
  atomic_int refs; /* the caller's handle + one per interpreter */
};

struct TfLiteInterpreterOptions {
  int32_t num_threads;
  TfLiteErrorReporterCallback reporter;
  void* reporter_data;
  bool enable_cancellation;
  int32_t num_delegates;
  size_t max_allocation_bytes; /* 0: the default */
  /* Custom operators (TfLiteInterpreterOptionsAddOperator): the array is
   * the options', the operators are the caller's. */
  int32_t num_operators;
  struct TfLiteOperator** operators;
};

/* A resource variable, keyed as LiteRT keys them (container, shared name). */
typedef struct PlResource {
  char* container;
  char* shared_name;
  TfLiteTensor value; /* dynamic; type NoType until first assigned */
  bool assigned;
  /* Object resources (hash tables): kind, key, payload and its destructor;
   * kind is NULL for variables. */
  const char* kind;
  int32_t key;
  void* object;
  void (*destroy)(void* object);
} PlResource;

enum { PL_ONCE_NOT_RUN = 0, PL_ONCE_DONE = 1, PL_ONCE_FAILED = 2 };

struct TfLiteInterpreter {
  struct TfLiteModel* model;
  int32_t num_threads;
  size_t max_allocation_bytes; /* limit for one tensor or one arena */
  TfLiteErrorReporterCallback reporter;
  void* reporter_data;
  bool enable_cancellation;
  atomic_bool cancelled;
  atomic_bool profiling;
  int32_t num_subgraphs;
  PlSubgraph* subgraphs;
  int32_t num_signatures; /* as in the model */
  PlSignature* signatures;
  PlSignature placeholder; /* over subgraph 0, for models without signatures */
  bool has_placeholder;
  pthread_mutex_t error_lock;
  char last_error[2048];
  void* aligned_copies; /* constant buffers copied for alignment */
  /* Resource variables, shared by every subgraph (capi/core/control.c). */
  pthread_mutex_t resource_lock;
  int32_t num_resources;
  int32_t resource_capacity;
  PlResource* resources;
  /* CALL_ONCE state per subgraph. */
  pthread_mutex_t once_lock;
  uint8_t* once_state;
  pthread_mutex_t state_lock; /* see PlSubgraph.touches_state */
  /* Registered custom operators, copied from the options (the operators
   * themselves are the caller's and outlive the interpreter). */
  int32_t num_operators;
  struct TfLiteOperator** operators;
  /* Worker threads for pl_parallel_for (capi/core/threadpool.c): created
   * on first use when num_threads > 1, joined by pl_threadpool_free. */
  struct PlThreadPool* _Atomic pool;
  bool pool_failed; /* no thread could be started: run inline */
};

struct TfLiteSignatureRunner {
  struct TfLiteInterpreter* interp;
  const PlSignature* sig;
  PlSubgraph* sg;
};

typedef struct TfLiteInterpreter PlInterp;

/* ---- Errors (capi/core/error.c) ---------------------------------------- */

/* Starts a public call: clears the calling thread's message accumulator. */
void pl_error_begin(void);
/* Reports a message: appended to the thread's accumulator, copied to the
 * interpreter's last error (if interp != NULL), sent to its reporter, or
 * to stderr when there is none. */
void pl_error(PlInterp* interp, const char* fmt, ...)
    __attribute__((format(printf, 2, 3)));
void pl_error_v(PlInterp* interp, const char* fmt, va_list args);
/* Same for contexts without an interpreter (model creation). */
void pl_error_to(TfLiteErrorReporterCallback reporter, void* user_data,
                 const char* fmt, ...) __attribute__((format(printf, 3, 4)));
const char* pl_error_thread_last(void);

/* Default limit on one allocation (a tensor, the strings of a tensor, or a
 * subgraph's arena): a model asking for more fails with a clear error at
 * allocation instead of exhausting the machine. */
#define PL_DEFAULT_MAX_ALLOCATION_BYTES ((size_t)1 << 31)

/* Checks `bytes` against the interpreter's allocation limit; reports and
 * returns false if over. `what` names the allocation in the message (NULL:
 * no message, for a caller that formats its name only when needed). */
bool pl_check_allocation(PlSubgraph* sg, size_t bytes, const char* what);

/* ---- Tensor memory (capi/core/interp.c) ----------------------------------- */

/* A tensor whose allocation_type is kTfLiteDynamic or
 * kTfLiteArenaRwPersistent owns its data (a heap block). This replaces the
 * data with `data` (taking ownership) and makes the tensor dynamic. */
void pl_tensor_set_heap_data(TfLiteTensor* t, void* data, size_t bytes);
/* Frees an owned heap block, if any, and clears data/bytes. */
void pl_tensor_free_data(TfLiteTensor* t);

/* ---- Model (capi/core/interp.c) ------------------------------------------- */

struct TfLiteModel* pl_model_create(const void* data, size_t size,
                                    void* mapping, size_t mapping_size,
                                    TfLiteErrorReporterCallback reporter,
                                    void* user_data);
struct TfLiteModel* pl_model_create_from_file(
    const char* path, TfLiteErrorReporterCallback reporter, void* user_data);
void pl_model_release(struct TfLiteModel* model);

/* ---- Interpreter ----------------------------------------------------------- */

PlInterp* pl_interp_create(struct TfLiteModel* model,
                           const struct TfLiteInterpreterOptions* options);
void pl_interp_delete(PlInterp* interp);

/* Resizes tensor `tensor_index` of `sg`, which must be a subgraph input.
 * Strict: only -1 dims of the shape signature may change. Unchanged dims
 * keep the state; any change returns the subgraph to UNALLOCATED. */
TfLiteStatus pl_subgraph_resize_input(PlSubgraph* sg, int32_t tensor_index,
                                      const int* dims, int32_t rank,
                                      bool strict);
/* Prepares every node in order and plans the arena. */
TfLiteStatus pl_subgraph_allocate(PlSubgraph* sg);
/* Runs every node in order. Error if not READY. */
TfLiteStatus pl_subgraph_invoke(PlSubgraph* sg);

/* Signature lookup: NULL key → first signature on subgraph 0, or the
 * placeholder for a model without signatures. Reports an error and returns
 * NULL for an unknown key. */
const PlSignature* pl_interp_find_signature(PlInterp* interp,
                                            const char* key);
/* Index of `name` in the signature's inputs/outputs, or -1. */
int32_t pl_signature_input(const PlSignature* sig, const char* name);
int32_t pl_signature_output(const PlSignature* sig, const char* name);

/* Control flow and resources (capi/core/control.c). */
TfLiteStatus pl_control_init(PlInterp* interp);
void pl_control_free(PlInterp* interp);
/* Forgets every resource variable and CALL_ONCE run, as on a fresh
 * interpreter. */
void pl_control_reset(PlInterp* interp);
/* Resource variables for saving and restoring state (the public
 * PyliteInterpreter*ResourceVariable functions): how many there are, the
 * index-th one (value NULL while unassigned), and setting one by name after
 * running the model's pending CALL_ONCE initializations. */
int32_t pl_variable_count(PlInterp* interp);
TfLiteStatus pl_variable_get(PlInterp* interp, int32_t index,
                             const char** container, const char** shared_name,
                             const TfLiteTensor** value);
TfLiteStatus pl_variable_set(PlInterp* interp, const char* container,
                             const char* shared_name,
                             const TfLiteTensor* value);
/* Fails (reported) if subgraphs call each other in a cycle through WHILE,
 * IF, CALL or CALL_ONCE. */
TfLiteStatus pl_check_call_graph(PlInterp* interp);
/* Sets touches_state on every subgraph that uses shared state. */
void pl_mark_state_subgraphs(PlInterp* interp);
/* Sets every subgraph's input_unread (left NULL if out of memory). */
void pl_mark_unread_inputs(PlInterp* interp);

/* Stops and joins the interpreter's worker threads, if any
 * (capi/core/threadpool.c). */
void pl_threadpool_free(PlInterp* interp);
/* Brackets an invoke: the pool's idle workers poll instead of sleeping
 * until the matching cool. Heat returns what to pass to cool (NULL if the
 * interpreter has no pool yet). */
struct PlThreadPool* pl_threadpool_heat(PlInterp* interp);
void pl_threadpool_cool(struct PlThreadPool* pool);

/* Op resolution (capi/core/registry.c). */
const PlKernel* pl_find_builtin(int32_t builtin_code);
const PlKernel* pl_find_custom(const char* custom_code);

/* Registered custom operators (capi/core/operator.c). The kernel for a
 * custom node: the operator registered for (name, version), else pylite's
 * own kernel for `name`, else NULL (unresolved). Sets *registration to the
 * TfLiteOperator used, or NULL. */
const PlKernel* pl_resolve_custom(PlInterp* interp, const char* name,
                                  int32_t version, const void** registration);
/* Copies a list of operator pointers into a new array (*out; NULL when
 * count is 0). Reports and fails if memory is exhausted. */
TfLiteStatus pl_operator_list_copy(struct TfLiteOperator* const* operators,
                                   int32_t count,
                                   struct TfLiteOperator*** out);

/* Memory planning (capi/core/planner.c): places `count` buffers of the
 * given sizes and [first, last] lifetimes (node indices, inclusive) so that
 * buffers alive at the same time never overlap. Writes offsets (aligned to
 * `alignment`) and returns the arena size needed. */
typedef struct PlPlanItem {
  size_t size;
  int32_t first;
  int32_t last;
  size_t offset; /* output */
} PlPlanItem;
size_t pl_plan_greedy(PlPlanItem* items, int32_t count, size_t alignment);
/* Oracle for tests: every buffer one after the other. */
size_t pl_plan_linear(PlPlanItem* items, int32_t count, size_t alignment);

#endif /* PYLITE_CORE_INTERP_H_ */
