/* pylite: state shared between entry points, through the C API.
 *
 * - The converter-made counter model (tests/data/state/counter.tflite): a
 *   tf.Variable shared by signatures, initialized by CALL_ONCE, and a WHILE
 *   loop whose carried tensor grows. Expected values are LiteRT's, from
 *   tests/data/state/reference.json.
 * - Hand-built models for the bad cases: a variable read before any
 *   assignment, a WHILE body that changes a dtype, recursion, a call into a
 *   missing subgraph, a failing initialization subgraph. Each must give a
 *   clear error and leave the interpreter usable. */
#include <math.h>

#include "check.h"
#include "model_builder.h"
#include "pylite/pylite.h"

enum { T_BOOL = 6, T_RESOURCE = 13 };
enum {
  OP_LESS = 58,
  OP_CALL = 31,
  OP_WHILE = 119,
  OP_CALL_ONCE = 129,
  OP_VAR_HANDLE = 142,
  OP_READ_VARIABLE = 143,
  OP_ASSIGN_VARIABLE = 144,
};
enum { OPT_CALL = 16, OPT_WHILE = 93, OPT_CALL_ONCE = 103, OPT_VAR_HANDLE = 111 };

static TfLiteInterpreter* open_model(const void* data, size_t size,
                                     TfLiteModel** model_out) {
  TfLiteModel* model =
      TfLiteModelCreateWithErrorReporter(data, size, PyliteQuietReporter, NULL);
  if (model_out) *model_out = model;
  if (!model) return NULL;
  TfLiteInterpreterOptions* o = TfLiteInterpreterOptionsCreate();
  TfLiteInterpreterOptionsSetErrorReporter(o, PyliteQuietReporter, NULL);
  TfLiteInterpreter* interp = TfLiteInterpreterCreate(model, o);
  TfLiteInterpreterOptionsDelete(o);
  if (!model_out) TfLiteModelDelete(model);
  return interp;
}

/* Runs a runner with float inputs (or none); returns its first output. */
static const TfLiteTensor* run(TfLiteInterpreter* interp, const char* key,
                               const char* input, const float* x, int n,
                               TfLiteStatus* status) {
  TfLiteSignatureRunner* r = TfLiteInterpreterGetSignatureRunner(interp, key);
  if (!r) {
    *status = kTfLiteError;
    return NULL;
  }
  *status = kTfLiteOk;
  if (input) {
    const int dims[] = {n};
    TfLiteTensor* t = TfLiteSignatureRunnerGetInputTensor(r, input);
    if (TfLiteTensorNumDims(t) == 1)
      *status = TfLiteSignatureRunnerResizeInputTensor(r, input, dims, 1);
  }
  if (*status == kTfLiteOk) *status = TfLiteSignatureRunnerAllocateTensors(r);
  if (*status == kTfLiteOk && input) {
    TfLiteTensor* t = TfLiteSignatureRunnerGetInputTensor(r, input);
    *status = TfLiteTensorCopyFromBuffer(t, x, sizeof(float) * (size_t)n);
  }
  if (*status == kTfLiteOk) *status = TfLiteSignatureRunnerInvoke(r);
  const TfLiteTensor* out =
      TfLiteSignatureRunnerGetOutputTensor(r, TfLiteSignatureRunnerGetOutputName(r, 0));
  TfLiteSignatureRunnerDelete(r);
  return *status == kTfLiteOk ? out : NULL;
}

static int equals(const TfLiteTensor* t, const float* want, int n) {
  if (!t || TfLiteTensorType(t) != kTfLiteFloat32 ||
      TfLiteTensorByteSize(t) != sizeof(float) * (size_t)n)
    return 0;
  return memcmp(TfLiteTensorData(t), want, sizeof(float) * (size_t)n) == 0;
}

static void test_counter(void) {
  TfLiteModel* model = TfLiteModelCreateFromFile("tests/data/state/counter.tflite");
  CHECK(model != NULL);
  if (!model) return;
  TfLiteInterpreter* interp = TfLiteInterpreterCreate(model, NULL);
  TfLiteModelDelete(model);
  TfLiteStatus s;
  const float init[3] = {0.5f, 0.5f, 0.5f};
  CHECK(equals(run(interp, "read", NULL, NULL, 0, &s), init, 3));
  const float one23[3] = {1, 2, 3}, ones[3] = {1, 1, 1};
  const float after1[3] = {1.5f, 2.5f, 3.5f}, after2[3] = {2.5f, 3.5f, 4.5f};
  CHECK(equals(run(interp, "add", "x", one23, 3, &s), after1, 3));
  CHECK(equals(run(interp, "add", "x", ones, 3, &s), after2, 3));
  CHECK(equals(run(interp, "read", NULL, NULL, 0, &s), after2, 3));
  const float k = -2;
  const float scaled[3] = {-5, -7, -9};
  CHECK(equals(run(interp, "scale", "k", &k, 1, &s), scaled, 3));
  const float x[2] = {1, 2};
  const float looped[16] = {1, 2, 2, 4, 2, 4, 4, 8, 2, 4, 4, 8, 4, 8, 8, 16};
  CHECK(equals(run(interp, "loop", "x", x, 2, &s), looped, 16));
  const float five = 5;
  const float looped5[8] = {5, 10, 10, 20, 10, 20, 20, 40};
  CHECK(equals(run(interp, "loop", "x", &five, 1, &s), looped5, 8));
  CHECK(equals(run(interp, "read", NULL, NULL, 0, &s), scaled, 3));
  /* ResetVariableTensors leaves resource variables alone, as LiteRT;
   * PyliteInterpreterReset returns to the initial state. */
  CHECK(TfLiteInterpreterResetVariableTensors(interp) == kTfLiteOk);
  CHECK(equals(run(interp, "read", NULL, NULL, 0, &s), scaled, 3));
  CHECK(PyliteInterpreterReset(interp) == kTfLiteOk);
  CHECK(equals(run(interp, "read", NULL, NULL, 0, &s), init, 3));
  TfLiteInterpreterDelete(interp);
}

/* Saving and restoring resource variables (what pickling an interpreter with
 * its state uses): the counter's variable read from one interpreter and set
 * into a fresh one, whose CALL_ONCE initialization must not overwrite it. */
static void test_variable_save_restore(void) {
  TfLiteModel* model = TfLiteModelCreateFromFile("tests/data/state/counter.tflite");
  CHECK(model != NULL);
  if (!model) return;
  TfLiteInterpreterOptions* o = TfLiteInterpreterOptionsCreate();
  TfLiteInterpreterOptionsSetErrorReporter(o, PyliteQuietReporter, NULL);
  TfLiteInterpreter* a = TfLiteInterpreterCreate(model, o);
  TfLiteInterpreter* b = TfLiteInterpreterCreate(model, o);
  TfLiteInterpreterOptionsDelete(o);
  TfLiteModelDelete(model);
  CHECK(PyliteInterpreterGetResourceVariableCount(a) == 0);
  CHECK(PyliteInterpreterGetResourceVariableCount(NULL) == -1);
  /* The model bytes are the file's. */
  const void* bytes = NULL;
  size_t size = 0;
  CHECK(PyliteInterpreterGetModelBuffer(a, &bytes, &size) == kTfLiteOk);
  FILE* f = fopen("tests/data/state/counter.tflite", "rb");
  CHECK(f != NULL);
  if (f) {
    unsigned char* want = malloc(size + 1);
    CHECK(want && fread(want, 1, size + 1, f) == size &&
          memcmp(want, bytes, size) == 0);
    free(want);
    fclose(f);
  }
  CHECK(PyliteInterpreterGetModelBuffer(a, NULL, &size) == kTfLiteError);
  TfLiteStatus s;
  const float x[3] = {1, 2, 3}, after[3] = {1.5f, 2.5f, 3.5f};
  CHECK(equals(run(a, "add", "x", x, 3, &s), after, 3));
  CHECK(PyliteInterpreterGetResourceVariableCount(a) == 1);
  const char *container = NULL, *name = NULL;
  const TfLiteTensor* value = NULL;
  CHECK(PyliteInterpreterGetResourceVariable(a, 0, &container, &name,
                                             &value) == kTfLiteOk);
  CHECK(container != NULL && name != NULL && strlen(name) > 0);
  CHECK(equals(value, after, 3));
  CHECK(PyliteInterpreterGetResourceVariable(a, 1, NULL, NULL, NULL) ==
        kTfLiteError);
  CHECK_CONTAINS(PyliteGetLastError(), "out of range");
  /* A size that does not match the shape is refused. */
  const int dims[1] = {3};
  CHECK(PyliteInterpreterSetResourceVariable(b, container, name,
                                             kTfLiteFloat32, dims, 1,
                                             after, 8) == kTfLiteError);
  CHECK_CONTAINS(PyliteGetLastError(), "do not hold");
  CHECK(PyliteInterpreterSetResourceVariable(
            b, container, name, TfLiteTensorType(value), dims, 1,
            TfLiteTensorData(value), TfLiteTensorByteSize(value)) == kTfLiteOk);
  CHECK(equals(run(b, "read", NULL, NULL, 0, &s), after, 3));
  const float again[3] = {2.5f, 4.5f, 6.5f};
  CHECK(equals(run(b, "add", "x", x, 3, &s), again, 3));
  /* The source is untouched. */
  CHECK(equals(run(a, "read", NULL, NULL, 0, &s), after, 3));
  /* A new shape and a string value are accepted (types may change). */
  const char strings[] = {1, 0, 0, 0, 12, 0, 0, 0, 14, 0, 0, 0, 'h', 'i'};
  CHECK(PyliteInterpreterSetResourceVariable(b, "", "s", kTfLiteString, dims,
                                             0, strings, sizeof strings) ==
        kTfLiteOk);
  CHECK(PyliteInterpreterGetResourceVariableCount(b) == 2);
  CHECK(PyliteInterpreterGetResourceVariable(b, 1, NULL, &name, &value) ==
        kTfLiteOk);
  CHECK(value && TfLiteTensorType(value) == kTfLiteString &&
        PyliteTensorGetStringCount(value) == 1);
  const char bad[] = {5, 0, 0, 0, 12, 0, 0, 0};
  CHECK(PyliteInterpreterSetResourceVariable(b, "", "s", kTfLiteString, dims,
                                             0, bad, sizeof bad) ==
        kTfLiteError);
  TfLiteInterpreterDelete(a);
  TfLiteInterpreterDelete(b);
}

/* Subgraph 0 "read": VAR_HANDLE -> READ_VARIABLE; subgraph 1 "write":
 * VAR_HANDLE, ASSIGN_VARIABLE(x). Both name the variable "v". */
static uint8_t* variable_model(size_t* size) {
  static MbModel m;
  mb_init(&m, "variables");
  int vh = mb_opcode(&m, OP_VAR_HANDLE, NULL);
  int rd = mb_opcode(&m, OP_READ_VARIABLE, NULL);
  int as = mb_opcode(&m, OP_ASSIGN_VARIABLE, NULL);
  const int s3[] = {3};
  MbSubgraph* g = mb_subgraph(&m, "read");
  int h = mb_tensor(g, "handle", T_RESOURCE, 0, NULL);
  int y = mb_tensor(g, "y", T_F32, 1, s3);
  MbOp* op = mb_op(g, vh, 0, NULL, 1, &h);
  op->options = OPT_VAR_HANDLE, op->str[1] = "v";
  mb_op(g, rd, 1, &h, 1, &y);
  mb_io(g, 0, NULL, 1, &y);
  mb_sig_output(mb_signature(&m, "read", 0), "y", y);
  MbSubgraph* w = mb_subgraph(&m, "write");
  int h2 = mb_tensor(w, "handle", T_RESOURCE, 0, NULL);
  int x = mb_tensor(w, "x", T_F32, 1, s3);
  op = mb_op(w, vh, 0, NULL, 1, &h2);
  op->options = OPT_VAR_HANDLE, op->str[1] = "v";
  const int ins[] = {h2, x};
  mb_op(w, as, 2, ins, 0, NULL);
  mb_io(w, 1, &x, 1, &x);
  MbSignature* sig = mb_signature(&m, "write", 1);
  mb_sig_input(sig, "x", x);
  mb_sig_output(sig, "x_out", x);
  return mb_build(&m, size);
}

static void test_read_before_assign(void) {
  size_t size;
  uint8_t* bytes = variable_model(&size);
  TfLiteInterpreter* interp = open_model(bytes, size, NULL);
  CHECK(interp != NULL);
  if (interp) {
    TfLiteStatus s;
    CHECK(run(interp, "read", NULL, NULL, 0, &s) == NULL);
    CHECK(s == kTfLiteError);
    CHECK_CONTAINS(PyliteInterpreterGetLastError(interp), "Variable 'v' is read before it was assigned");
    CHECK_CONTAINS(PyliteInterpreterGetLastError(interp), "READ_VARIABLE");
    const float x[3] = {4, 5, 6};
    run(interp, "write", "x", x, 3, &s);
    CHECK(s == kTfLiteOk);
    CHECK(equals(run(interp, "read", NULL, NULL, 0, &s), x, 3));
  }
  TfLiteInterpreterDelete(interp);
  free(bytes);
}

/* Subgraph 0: y = WHILE(b) with cond = subgraph 1 (returns its input) and
 * body = subgraph `body`; subgraph 2 returns an INT32 constant instead of
 * the BOOL it was given. */
static uint8_t* while_model(int cond, int body, size_t* size) {
  static MbModel m;
  mb_init(&m, "while");
  int wh = mb_opcode(&m, OP_WHILE, NULL);
  const int s1[] = {1};
  MbSubgraph* g = mb_subgraph(&m, "main");
  int b = mb_tensor(g, "b", T_BOOL, 1, s1);
  int y = mb_tensor(g, "y", T_BOOL, 1, s1);
  MbOp* op = mb_op(g, wh, 1, &b, 1, &y);
  op->options = OPT_WHILE, op->num_i32 = 2, op->i32[0] = cond, op->i32[1] = body;
  mb_io(g, 1, &b, 1, &y);
  MbSignature* sig = mb_signature(&m, "main", 0);
  mb_sig_input(sig, "b", b);
  mb_sig_output(sig, "y", y);
  MbSubgraph* c = mb_subgraph(&m, "cond");
  int cb = mb_tensor(c, "b", T_BOOL, 1, s1);
  mb_io(c, 1, &cb, 1, &cb);
  MbSubgraph* bd = mb_subgraph(&m, "body");
  int bb = mb_tensor(bd, "b", T_BOOL, 1, s1);
  static const int32_t seven = 7;
  int k = mb_tensor_data(bd, "k", T_I32, 1, s1, &seven, sizeof(seven));
  mb_io(bd, 1, &bb, 1, &k);
  return mb_build(&m, size);
}

/* y = WHILE(i, acc, seq, u) counting i up to 5: cond reads only i (LESS);
 * the body adds 1 to i and u to acc and passes seq and u through unchanged.
 * pylite copies no value into the inputs cond does not read, nor the
 * passed-through values back out, nor into the body again after its first
 * call (u is read at every step); the results must not show it. */
static uint8_t* loop_model(size_t* size) {
  static MbModel m;
  mb_init(&m, "while with passed-through values");
  const int wh = mb_opcode(&m, OP_WHILE, NULL);
  const int less = mb_opcode(&m, OP_LESS, NULL);
  const int add = mb_opcode(&m, OP_ADD, NULL);
  const int s1[] = {1}, s4[] = {4}, s54[] = {5, 4};
  static const int32_t one = 1, five = 5;
  MbSubgraph* g = mb_subgraph(&m, "main");
  int in[4], out[4];
  in[0] = mb_tensor(g, "i", T_I32, 1, s1);
  in[1] = mb_tensor(g, "acc", T_F32, 1, s4);
  in[2] = mb_tensor(g, "seq", T_F32, 2, s54);
  in[3] = mb_tensor(g, "u", T_F32, 1, s4);
  out[0] = mb_tensor(g, "i_out", T_I32, 1, s1);
  out[1] = mb_tensor(g, "acc_out", T_F32, 1, s4);
  out[2] = mb_tensor(g, "seq_out", T_F32, 2, s54);
  out[3] = mb_tensor(g, "u_out", T_F32, 1, s4);
  MbOp* op = mb_op(g, wh, 4, in, 4, out);
  op->options = OPT_WHILE, op->num_i32 = 2, op->i32[0] = 1, op->i32[1] = 2;
  mb_io(g, 4, in, 4, out);
  MbSubgraph* c = mb_subgraph(&m, "cond");
  int cin[4];
  cin[0] = mb_tensor(c, "i", T_I32, 1, s1);
  cin[1] = mb_tensor(c, "acc", T_F32, 1, s4);
  cin[2] = mb_tensor(c, "seq", T_F32, 2, s54);
  cin[3] = mb_tensor(c, "u", T_F32, 1, s4);
  const int limit = mb_tensor_data(c, "five", T_I32, 1, s1, &five, 4);
  const int go = mb_tensor(c, "go", T_BOOL, 1, s1);
  const int less_in[2] = {cin[0], limit};
  mb_op(c, less, 2, less_in, 1, &go);
  mb_io(c, 4, cin, 1, &go);
  MbSubgraph* b = mb_subgraph(&m, "body");
  int bin[4], bout[4];
  bin[0] = mb_tensor(b, "i", T_I32, 1, s1);
  bin[1] = mb_tensor(b, "acc", T_F32, 1, s4);
  bin[2] = mb_tensor(b, "seq", T_F32, 2, s54);
  bin[3] = mb_tensor(b, "u", T_F32, 1, s4);
  const int k1 = mb_tensor_data(b, "one", T_I32, 1, s1, &one, 4);
  const int i1 = mb_tensor(b, "i1", T_I32, 1, s1);
  const int acc1 = mb_tensor(b, "acc1", T_F32, 1, s4);
  const int add_i[2] = {bin[0], k1}, add_acc[2] = {bin[1], bin[3]};
  mb_op(b, add, 2, add_i, 1, &i1);
  mb_op(b, add, 2, add_acc, 1, &acc1);
  bout[0] = i1, bout[1] = acc1, bout[2] = bin[2], bout[3] = bin[3];
  mb_io(b, 4, bin, 4, bout);
  return mb_build(&m, size);
}

static void test_while_pass_through(void) {
  size_t size;
  uint8_t* bytes = loop_model(&size);
  TfLiteInterpreter* interp = open_model(bytes, size, NULL);
  CHECK(interp != NULL);
  if (!interp) {
    free(bytes);
    return;
  }
  CHECK(TfLiteInterpreterAllocateTensors(interp) == kTfLiteOk);
  /* Twice with other values: passed-through outputs are this run's. */
  for (int run = 0; run < 2; ++run) {
    const int32_t i0 = run ? 2 : 0;
    float acc[4], seq[20], u[4];
    for (int k = 0; k < 4; ++k) acc[k] = (float)(k + run), u[k] = 0.5f + k + run;
    for (int k = 0; k < 20; ++k) seq[k] = (float)(k * (run + 1));
    const void* data[4] = {&i0, acc, seq, u};
    const size_t bytes_in[4] = {4, sizeof(acc), sizeof(seq), sizeof(u)};
    for (int k = 0; k < 4; ++k)
      CHECK(TfLiteTensorCopyFromBuffer(TfLiteInterpreterGetInputTensor(
                                           interp, k),
                                       data[k], bytes_in[k]) == kTfLiteOk);
    CHECK(TfLiteInterpreterInvoke(interp) == kTfLiteOk);
    int32_t i_out = -1;
    float acc_out[4], seq_out[20], u_out[4];
    void* outs[4] = {&i_out, acc_out, seq_out, u_out};
    for (int k = 0; k < 4; ++k)
      CHECK(TfLiteTensorCopyToBuffer(TfLiteInterpreterGetOutputTensor(
                                         interp, k),
                                     outs[k], bytes_in[k]) == kTfLiteOk);
    CHECK(i_out == 5);
    bool ok = memcmp(seq_out, seq, sizeof(seq)) == 0 &&
              memcmp(u_out, u, sizeof(u)) == 0;
    for (int k = 0; k < 4; ++k) {
      float want = acc[k];
      for (int n = i0; n < 5; ++n) want += u[k];
      ok = ok && acc_out[k] == want;
    }
    CHECK(ok);
  }
  TfLiteInterpreterDelete(interp);
  free(bytes);
}

static TfLiteStatus run_bool(TfLiteInterpreter* interp, bool value) {
  TfLiteSignatureRunner* r = TfLiteInterpreterGetSignatureRunner(interp, "main");
  TfLiteStatus s = TfLiteSignatureRunnerAllocateTensors(r);
  if (s == kTfLiteOk) {
    *(bool*)TfLiteTensorData(TfLiteSignatureRunnerGetInputTensor(r, "b")) = value;
    s = TfLiteSignatureRunnerInvoke(r);
  }
  TfLiteSignatureRunnerDelete(r);
  return s;
}

static void test_bad_while(void) {
  size_t size;
  /* The body changes the carried value's dtype. */
  uint8_t* bytes = while_model(1, 2, &size);
  TfLiteInterpreter* interp = open_model(bytes, size, NULL);
  CHECK(interp != NULL);
  if (interp) {
    CHECK(run_bool(interp, true) == kTfLiteError);
    CHECK_CONTAINS(PyliteGetLastError(), "(INT32) into 'y' (BOOL)");
    CHECK_CONTAINS(PyliteGetLastError(), "Calling subgraph 2 ('body') failed");
    CHECK_CONTAINS(PyliteGetLastError(), "Node number 0 (WHILE) failed to invoke");
    /* Still usable: a false condition never runs the body. */
    CHECK(run_bool(interp, false) == kTfLiteOk);
  }
  TfLiteInterpreterDelete(interp);
  free(bytes);

  /* The body is the main subgraph: recursion is refused at creation. */
  bytes = while_model(1, 0, &size);
  CHECK(open_model(bytes, size, NULL) == NULL);
  CHECK_CONTAINS(PyliteGetLastError(), "control flow may not recurse");
  free(bytes);

  /* A call into a subgraph that does not exist. */
  bytes = while_model(7, 2, &size);
  interp = open_model(bytes, size, NULL);
  CHECK(interp != NULL);
  if (interp) {
    CHECK(run_bool(interp, true) == kTfLiteError);
    CHECK_CONTAINS(PyliteGetLastError(), "WHILE: cond subgraph index 7 is out of range");
    CHECK_CONTAINS(PyliteGetLastError(), "Node number 0 (WHILE) failed to prepare");
  }
  TfLiteInterpreterDelete(interp);
  free(bytes);
}

/* Subgraph 0 "main": CALL_ONCE(init = 1), then y = x. Subgraph 1 reads a
 * variable nobody assigned, so the initialization fails. */
static uint8_t* failing_init_model(size_t* size) {
  static MbModel m;
  mb_init(&m, "init");
  int co = mb_opcode(&m, OP_CALL_ONCE, NULL);
  int vh = mb_opcode(&m, OP_VAR_HANDLE, NULL);
  int rd = mb_opcode(&m, OP_READ_VARIABLE, NULL);
  const int s1[] = {1};
  MbSubgraph* g = mb_subgraph(&m, "main");
  int x = mb_tensor(g, "x", T_F32, 1, s1);
  MbOp* op = mb_op(g, co, 0, NULL, 0, NULL);
  op->options = OPT_CALL_ONCE, op->num_i32 = 1, op->i32[0] = 1;
  mb_io(g, 1, &x, 1, &x);
  MbSignature* sig = mb_signature(&m, "main", 0);
  mb_sig_input(sig, "x", x);
  mb_sig_output(sig, "y", x);
  MbSubgraph* init = mb_subgraph(&m, "init");
  int h = mb_tensor(init, "handle", T_RESOURCE, 0, NULL);
  int v = mb_tensor(init, "v", T_F32, 1, s1);
  op = mb_op(init, vh, 0, NULL, 1, &h);
  op->options = OPT_VAR_HANDLE, op->str[1] = "missing";
  mb_op(init, rd, 1, &h, 1, &v);
  mb_io(init, 0, NULL, 0, NULL);
  return mb_build(&m, size);
}

static void test_failing_init(void) {
  size_t size;
  uint8_t* bytes = failing_init_model(&size);
  TfLiteInterpreter* interp = open_model(bytes, size, NULL);
  CHECK(interp != NULL);
  if (interp) {
    TfLiteStatus s;
    const float x = 1;
    run(interp, "main", "x", &x, 1, &s);
    CHECK(s == kTfLiteError);
    CHECK_CONTAINS(PyliteInterpreterGetLastError(interp), "Variable 'missing' is read before");
    CHECK_CONTAINS(PyliteInterpreterGetLastError(interp), "Calling subgraph 1 ('init') failed");
    run(interp, "main", "x", &x, 1, &s);
    CHECK(s == kTfLiteError);
    CHECK_CONTAINS(PyliteInterpreterGetLastError(interp), "failed on its first run");
    CHECK(PyliteInterpreterReset(interp) == kTfLiteOk);
    run(interp, "main", "x", &x, 1, &s);
    CHECK_CONTAINS(PyliteInterpreterGetLastError(interp), "Variable 'missing' is read before");
  }
  TfLiteInterpreterDelete(interp);
  free(bytes);
}

/* Subgraph 0: y = CALL(x) into subgraph `callee`; subgraph 1: b = a + a. */
static uint8_t* call_model(int callee, size_t* size) {
  static MbModel m;
  mb_init(&m, "call");
  int call = mb_opcode(&m, OP_CALL, NULL);
  int add = mb_opcode(&m, OP_ADD, NULL);
  const int s2[] = {2};
  MbSubgraph* g = mb_subgraph(&m, "main");
  int x = mb_tensor(g, "x", T_F32, 1, s2);
  int y = mb_tensor(g, "y", T_F32, 1, s2);
  MbOp* op = mb_op(g, call, 1, &x, 1, &y);
  op->options = OPT_CALL, op->num_i32 = 1, op->i32[0] = callee;
  mb_io(g, 1, &x, 1, &y);
  MbSignature* sig = mb_signature(&m, "main", 0);
  mb_sig_input(sig, "x", x);
  mb_sig_output(sig, "y", y);
  MbSubgraph* d = mb_subgraph(&m, "double");
  int a = mb_tensor(d, "a", T_F32, 1, s2);
  int b = mb_tensor(d, "b", T_F32, 1, s2);
  const int ins[] = {a, a};
  op = mb_op(d, add, 2, ins, 1, &b);
  op->options = OPT_ADD;
  mb_io(d, 1, &a, 1, &b);
  return mb_build(&m, size);
}

static void test_call(void) {
  size_t size;
  uint8_t* bytes = call_model(1, &size);
  TfLiteInterpreter* interp = open_model(bytes, size, NULL);
  CHECK(interp != NULL);
  if (interp) {
    TfLiteStatus s;
    const float x[3] = {1.5f, -2, 4};
    const float want[3] = {3, -4, 8};
    CHECK(equals(run(interp, "main", "x", x, 2, &s), want, 2));
    /* The callee follows the caller's shapes (non-strict resize). */
    TfLiteSignatureRunner* r = TfLiteInterpreterGetSignatureRunner(interp, "main");
    const int d3[] = {3};
    CHECK(PyliteSignatureRunnerResizeInput(r, "x", d3, 1, false) == kTfLiteOk);
    CHECK(TfLiteSignatureRunnerAllocateTensors(r) == kTfLiteOk);
    CHECK(TfLiteTensorCopyFromBuffer(TfLiteSignatureRunnerGetInputTensor(r, "x"),
                                     x, sizeof(x)) == kTfLiteOk);
    CHECK(TfLiteSignatureRunnerInvoke(r) == kTfLiteOk);
    CHECK(equals(TfLiteSignatureRunnerGetOutputTensor(r, "y"), want, 3));
    TfLiteSignatureRunnerDelete(r);
  }
  TfLiteInterpreterDelete(interp);
  free(bytes);
  /* A call into a subgraph that does not exist, and into itself. */
  bytes = call_model(5, &size);
  interp = open_model(bytes, size, NULL);
  if (interp) {
    TfLiteStatus s;
    const float x[2] = {1, 2};
    CHECK(run(interp, "main", "x", x, 2, &s) == NULL);
    CHECK_CONTAINS(PyliteInterpreterGetLastError(interp),
                   "CALL: called subgraph index 5 is out of range");
  }
  TfLiteInterpreterDelete(interp);
  free(bytes);
  bytes = call_model(0, &size);
  CHECK(open_model(bytes, size, NULL) == NULL);
  CHECK_CONTAINS(PyliteGetLastError(), "control flow may not recurse");
  free(bytes);
}

/* On-device training (tests/data/state/training.tflite): infer, five SGD
 * steps, infer, get_weights, against TensorFlow running the same steps
 * (tests/data/state/training_reference.json, by
 * tools/make_training_model.py). */
static const float kTrainX[32] = {
    0.345584184f,  0.82161814f,   0.330437064f, -1.30315721f, 0.905355871f,
    0.446374565f,  -0.536953211f, 0.581118107f, 0.364572406f, 0.294132501f,
    0.028422242f,  0.546712995f,  -0.73645407f, -0.162909955f, -0.482119322f,
    0.598846197f,  0.0397221074f, -0.292456746f, -0.781908453f, -0.257192254f,
    0.00814218074f, -0.275602907f, 1.29406381f, 1.00672436f,  -2.71116257f,
    -1.88901329f,  -0.174772099f, -0.422190398f, 0.213643f,   0.217321932f,
    2.11783886f,   -1.11202073f};
static const float kTrainLoss[5] = {1.47800887f, 1.43158317f, 1.38850117f,
                                    1.34858704f, 1.31163776f};
static const float kTrainedW[12] = {
    -0.548971534f, -0.548323631f, -0.090030767f, 0.170239598f,
    0.615571022f,  0.0472884662f, -0.294893891f, -0.332905978f,
    0.33345896f,   0.691992164f,  0.0813991129f, -0.436279714f};
static const float kTrainedB[3] = {0.0163295493f, 0.0398786329f,
                                   -0.0562081821f};
static const float kFirstOutput[3] = {0.0858539343f, 0.24603121f,
                                      0.668114841f};
static const float kLastOutput[3] = {0.105195485f, 0.339890569f, 0.554913938f};

/* |got - want| <= 1e-5 * max|want|, as the suite's float bound. */
static int close_to(const float* got, const float* want, int n) {
  float scale = 0;
  for (int i = 0; i < n; ++i) scale = fabsf(want[i]) > scale ? fabsf(want[i]) : scale;
  for (int i = 0; i < n; ++i)
    if (!got || fabsf(got[i] - want[i]) > 1e-5f * scale) return 0;
  return 1;
}

static const float* run_train_step(TfLiteInterpreter* interp, const char* key,
                                   int rows, const char* output) {
  TfLiteSignatureRunner* r = TfLiteInterpreterGetSignatureRunner(interp, key);
  if (!r) return NULL;
  const int xd[] = {rows, 4}, yd[] = {rows, 3};
  float y[24];
  for (int i = 0; i < rows; ++i)
    for (int c = 0; c < 3; ++c) y[i * 3 + c] = (float)(i % 3 == c);
  TfLiteStatus s = kTfLiteOk;
  if (TfLiteSignatureRunnerGetInputCount(r) > 0) {
    s = TfLiteSignatureRunnerResizeInputTensor(r, "x", xd, 2);
    if (s == kTfLiteOk && TfLiteSignatureRunnerGetInputCount(r) > 1)
      s = TfLiteSignatureRunnerResizeInputTensor(r, "y", yd, 2);
  }
  if (s == kTfLiteOk) s = TfLiteSignatureRunnerAllocateTensors(r);
  if (s == kTfLiteOk && TfLiteSignatureRunnerGetInputCount(r) > 0) {
    s = TfLiteTensorCopyFromBuffer(TfLiteSignatureRunnerGetInputTensor(r, "x"),
                                   kTrainX, sizeof(float) * 4 * (size_t)rows);
    if (s == kTfLiteOk && TfLiteSignatureRunnerGetInputCount(r) > 1)
      s = TfLiteTensorCopyFromBuffer(TfLiteSignatureRunnerGetInputTensor(r, "y"),
                                     y, sizeof(float) * 3 * (size_t)rows);
  }
  if (s == kTfLiteOk) s = TfLiteSignatureRunnerInvoke(r);
  const TfLiteTensor* out = TfLiteSignatureRunnerGetOutputTensor(r, output);
  TfLiteSignatureRunnerDelete(r);
  return s == kTfLiteOk && out ? (const float*)TfLiteTensorData(out) : NULL;
}

static void test_training(void) {
  TfLiteModel* model =
      TfLiteModelCreateFromFile("tests/data/state/training.tflite");
  CHECK(model != NULL);
  if (!model) return;
  TfLiteInterpreter* interp = TfLiteInterpreterCreate(model, NULL);
  TfLiteModelDelete(model);
  CHECK(close_to(run_train_step(interp, "infer", 8, "output"), kFirstOutput, 3));
  for (int step = 0; step < 5; ++step)
    CHECK(close_to(run_train_step(interp, "train", 8, "loss"),
                   &kTrainLoss[step], 1));
  CHECK(close_to(run_train_step(interp, "infer", 3, "output"), kLastOutput, 3));
  CHECK(close_to(run_train_step(interp, "get_weights", 0, "w"), kTrainedW, 12));
  CHECK(close_to(run_train_step(interp, "get_weights", 0, "b"), kTrainedB, 3));
  TfLiteInterpreterDelete(interp);
}

/* Hash tables (tests/data/state/hashtable.tflite, a tf.lookup.StaticHashTable
 * string -> int64 and int64 -> string), values recorded from LiteRT in
 * tests/data/state/hashtable_reference.json. */
static void test_hashtable(void) {
  TfLiteModel* model =
      TfLiteModelCreateFromFile("tests/data/state/hashtable.tflite");
  CHECK(model != NULL);
  if (!model) return;
  TfLiteInterpreter* interp = TfLiteInterpreterCreate(model, NULL);
  TfLiteModelDelete(model);
  TfLiteSignatureRunner* r =
      TfLiteInterpreterGetSignatureRunner(interp, "lookup_words");
  const char* words[4] = {"banana", "Apple", "", "cherry"};
  const size_t lens[4] = {6, 5, 0, 6};
  const int dims[] = {4};
  CHECK(TfLiteSignatureRunnerResizeInputTensor(r, "words", dims, 1) == kTfLiteOk);
  CHECK(TfLiteSignatureRunnerAllocateTensors(r) == kTfLiteOk);
  CHECK(PyliteTensorWriteStrings(TfLiteSignatureRunnerGetInputTensor(r, "words"),
                                 4, words, lens) == kTfLiteOk);
  CHECK(TfLiteSignatureRunnerInvoke(r) == kTfLiteOk);
  const TfLiteTensor* ids = TfLiteSignatureRunnerGetOutputTensor(r, "ids");
  const int64_t want[4] = {2, -1, 40, 3};
  CHECK(ids && TfLiteTensorType(ids) == kTfLiteInt64 &&
        TfLiteTensorByteSize(ids) == sizeof(want) &&
        memcmp(TfLiteTensorData(ids), want, sizeof(want)) == 0);
  TfLiteSignatureRunnerDelete(r);

  r = TfLiteInterpreterGetSignatureRunner(interp, "lookup_ids");
  const int64_t keys[3] = {7, 1, -1};
  CHECK(TfLiteSignatureRunnerResizeInputTensor(r, "ids", (const int[]){3}, 1) ==
        kTfLiteOk);
  CHECK(TfLiteSignatureRunnerAllocateTensors(r) == kTfLiteOk);
  CHECK(TfLiteTensorCopyFromBuffer(TfLiteSignatureRunnerGetInputTensor(r, "ids"),
                                   keys, sizeof(keys)) == kTfLiteOk);
  CHECK(TfLiteSignatureRunnerInvoke(r) == kTfLiteOk);
  const TfLiteTensor* out = TfLiteSignatureRunnerGetOutputTensor(r, "words");
  const char* expect[3] = {"seven", "<unk>", "minus one"};
  CHECK(PyliteTensorGetStringCount(out) == 3);
  for (int i = 0; i < 3; ++i) {
    const char* str = NULL;
    size_t n = 0;
    CHECK(PyliteTensorGetString(out, i, &str, &n) == kTfLiteOk &&
          n == strlen(expect[i]) && memcmp(str, expect[i], n) == 0);
  }
  TfLiteSignatureRunnerDelete(r);
  TfLiteInterpreterDelete(interp);
}

int main(void) {
  test_hashtable();
  test_training();
  test_call();
  test_counter();
  test_variable_save_restore();
  test_read_before_assign();
  test_bad_while();
  test_while_pass_through();
  test_failing_init();
  return CHECK_SUMMARY();
}
