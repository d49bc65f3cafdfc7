/* pylite: helpers shared by the one-op kernel tests (test_shape_ops.c,
 * test_spatial_ops.c, test_indexing_ops.c, test_reduce_ops.c).
 *
 * An Op is a one-op model under construction: op_begin starts it, then
 * op_input / op_const / op_output add the op's tensors in order, and
 * op_load (or op_load_threads) adds the op, builds the model and creates an
 * interpreter. A test file may define OP_TEST_NAME (the model description)
 * before including this header. */
#ifndef PYLITE_TESTS_OP_TEST_UTIL_H_
#define PYLITE_TESTS_OP_TEST_UTIL_H_

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "model_builder.h"
#include "pylite/c_api.h"
#include "pylite/pylite.h"

#ifndef OP_TEST_NAME
#define OP_TEST_NAME "op test"
#endif

/* op_load_threads leaves the interpreter's thread count alone when given
 * this. */
#define OP_THREADS_DEFAULT INT_MIN

/* ---- A one-op model under construction ---------------------------------- */

typedef struct Op {
  MbModel m;
  MbSubgraph* sg;
  int op_in[MB_MAX_OP_IO], n_op_in;
  int op_out[MB_MAX_OP_IO], n_op_out;
  int g_in[MB_MAX_GRAPH_IO], n_g_in;
  TfLiteModel* model; /* set by op_load_threads; freed by op_release */
  uint8_t* bytes;
} Op;

static inline void op_begin(Op* o) {
  mb_init(&o->m, OP_TEST_NAME);
  o->sg = mb_subgraph(&o->m, "main");
  o->n_op_in = o->n_op_out = o->n_g_in = 0;
  o->model = NULL;
  o->bytes = NULL;
}

/* A graph input feeding the op. */
static inline int op_input(Op* o, int type, int rank, const int* shape) {
  const int t = mb_tensor(o->sg, NULL, type, rank, shape);
  o->op_in[o->n_op_in++] = t;
  o->g_in[o->n_g_in++] = t;
  return t;
}

/* A constant input of the op. */
static inline int op_const(Op* o, int type, int rank, const int* shape,
                           const void* data, size_t bytes) {
  const int t = mb_tensor_data(o->sg, NULL, type, rank, shape, data, bytes);
  o->op_in[o->n_op_in++] = t;
  return t;
}

/* An op output, also a graph output. */
static inline int op_output(Op* o, int type, int rank, const int* shape) {
  const int t = mb_tensor(o->sg, NULL, type, rank, shape);
  o->op_out[o->n_op_out++] = t;
  return t;
}

/* Adds the op (options: int32 fields 0..n-1; a bool field reads the low
 * byte), builds the model into o->bytes / o->model and creates an
 * interpreter with `threads` threads (OP_THREADS_DEFAULT: not set). */
static inline TfLiteInterpreter* op_load_threads(Op* o, int code, int options,
                                                 int n, const int32_t* fields,
                                                 int threads) {
  const int opcode = mb_opcode(&o->m, code, NULL);
  MbOp* op = mb_op(o->sg, opcode, o->n_op_in, o->op_in, o->n_op_out,
                   o->op_out);
  op->options = options;
  op->num_i32 = n;
  for (int i = 0; i < n; ++i) op->i32[i] = fields[i];
  mb_io(o->sg, o->n_g_in, o->g_in, o->n_op_out, o->op_out);
  size_t size = 0;
  o->bytes = mb_build(&o->m, &size);
  o->model = TfLiteModelCreateWithErrorReporter(o->bytes, size,
                                                PyliteQuietReporter, NULL);
  CHECK(o->model != NULL);
  if (!o->model) return NULL;
  TfLiteInterpreterOptions* opts = TfLiteInterpreterOptionsCreate();
  TfLiteInterpreterOptionsSetErrorReporter(opts, PyliteQuietReporter, NULL);
  if (threads != OP_THREADS_DEFAULT)
    TfLiteInterpreterOptionsSetNumThreads(opts, threads);
  TfLiteInterpreter* it = TfLiteInterpreterCreate(o->model, opts);
  TfLiteInterpreterOptionsDelete(opts);
  CHECK(it != NULL);
  return it;
}

/* As op_load_threads with the default thread count; also hands back the
 * model and its bytes, for op_free. */
static inline TfLiteInterpreter* op_load(Op* o, int code, int options, int n,
                                         const int32_t* fields,
                                         TfLiteModel** model,
                                         uint8_t** bytes) {
  TfLiteInterpreter* it =
      op_load_threads(o, code, options, n, fields, OP_THREADS_DEFAULT);
  *model = o->model;
  *bytes = o->bytes;
  return it;
}

static inline void op_free(TfLiteInterpreter* it, TfLiteModel* model,
                           uint8_t* bytes) {
  TfLiteInterpreterDelete(it);
  TfLiteModelDelete(model);
  free(bytes);
}

/* Frees what op_load_threads made. */
static inline void op_release(Op* o, TfLiteInterpreter* it) {
  op_free(it, o->model, o->bytes);
}

/* ---- Running and comparing ---------------------------------------------- */

static inline bool write_raw(TfLiteInterpreter* it, int input,
                             const void* data, size_t bytes) {
  return TfLiteTensorCopyFromBuffer(TfLiteInterpreterGetInputTensor(it, input),
                                    data, bytes) == kTfLiteOk;
}

static inline bool shape_is(const TfLiteTensor* t, int rank,
                            const int* dims) {
  if (!t || TfLiteTensorNumDims(t) != rank) return false;
  for (int i = 0; i < rank; ++i)
    if (TfLiteTensorDim(t, i) != dims[i]) return false;
  return true;
}

static inline const TfLiteTensor* out(TfLiteInterpreter* it, int i) {
  return TfLiteInterpreterGetOutputTensor(it, i);
}

#endif /* PYLITE_TESTS_OP_TEST_UTIL_H_ */
