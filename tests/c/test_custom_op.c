/* pylite tests: custom operators through LiteRT's stable C API.
 *
 * The kernels below are written against LiteRT's header paths and names
 * only (tensorflow/lite/c/c_api.h, tensorflow/lite/c/c_api_opaque.h,
 * tensorflow/lite/builtin_ops.h), as a kernel written for LiteRT would be:
 *   MyAdd    (a + b) * scale, scale from custom options; the WithData
 *            callbacks; resizes its output in prepare.
 *   MyUpper  upper-cases strings; plain callbacks; writes its output with
 *            TfLiteOpaqueTensorWriteStrings.
 *   MyRange  [0, n) as floats: an output sized in invoke (dynamic), read
 *            by a builtin ADD prepared at Invoke.
 *   MyCheck  copies its input, fails on negative values with a kernel
 *            message.
 * The test harness around them (check.h, model_builder.h, and pylite.h for
 * the last error) is pylite's. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tensorflow/lite/builtin_ops.h"
#include "tensorflow/lite/c/c_api.h"
#include "tensorflow/lite/c/c_api_opaque.h"
#include "tensorflow/lite/core/c/operator.h"

#include "check.h"
#include "model_builder.h"
#include "pylite/pylite.h"

/* ---- Kernels (LiteRT's API only) -------------------------------------------- */

typedef struct Counters {
  int inits;
  int frees;
  int prepares;
  int invokes;
  int tag; /* which registration ran, for precedence tests */
} Counters;

typedef struct AddData {
  float scale;
} AddData;

static void* add_init(void* user_data, TfLiteOpaqueContext* context,
                      const char* buffer, size_t length) {
  Counters* c = user_data;
  c->inits++;
  AddData* data = malloc(sizeof(*data));
  if (!data) return NULL;
  data->scale = 1.0f;
  if (buffer && length == sizeof(float)) memcpy(&data->scale, buffer, 4);
  return data;
}

static void add_free(void* user_data, TfLiteOpaqueContext* context,
                     void* data) {
  Counters* c = user_data;
  c->frees++;
  free(data);
}

static TfLiteStatus add_prepare(void* user_data, TfLiteOpaqueContext* context,
                                TfLiteOpaqueNode* node) {
  Counters* c = user_data;
  c->prepares++;
  TF_LITE_OPAQUE_ENSURE_EQ(context, TfLiteOpaqueNodeNumberOfInputs(node), 2);
  TF_LITE_OPAQUE_ENSURE_EQ(context, TfLiteOpaqueNodeNumberOfOutputs(node), 1);
  const TfLiteOpaqueTensor* a = TfLiteOpaqueNodeGetInput(context, node, 0);
  const TfLiteOpaqueTensor* b = TfLiteOpaqueNodeGetInput(context, node, 1);
  TfLiteOpaqueTensor* out = TfLiteOpaqueNodeGetOutput(context, node, 0);
  TF_LITE_OPAQUE_ENSURE(context, a && b && out);
  TF_LITE_OPAQUE_ENSURE_TYPES_EQ(context, TfLiteOpaqueTensorType(a),
                                 kTfLiteFloat32);
  TF_LITE_OPAQUE_ENSURE_TYPES_EQ(context, TfLiteOpaqueTensorType(b),
                                 kTfLiteFloat32);
  int rank = TfLiteOpaqueTensorNumDims(a);
  TF_LITE_OPAQUE_ENSURE_EQ(context, rank, TfLiteOpaqueTensorNumDims(b));
  TfLiteIntArray* shape = TfLiteIntArrayCreate(rank);
  for (int i = 0; i < rank; ++i) {
    if (TfLiteOpaqueTensorDim(a, i) != TfLiteOpaqueTensorDim(b, i)) {
      TfLiteIntArrayFree(shape);
      TfLiteOpaqueContextReportError(context, "MyAdd: dim %d differs: %d vs %d",
                                     i, TfLiteOpaqueTensorDim(a, i),
                                     TfLiteOpaqueTensorDim(b, i));
      return kTfLiteError;
    }
    shape->data[i] = TfLiteOpaqueTensorDim(a, i);
  }
  return TfLiteOpaqueContextResizeTensor(context, out, shape);
}

static TfLiteStatus add_invoke(void* user_data, TfLiteOpaqueContext* context,
                               TfLiteOpaqueNode* node) {
  Counters* c = user_data;
  c->invokes++;
  const AddData* data = TfLiteOpaqueNodeGetUserData(node);
  const TfLiteOpaqueTensor* a = TfLiteOpaqueNodeGetInput(context, node, 0);
  const TfLiteOpaqueTensor* b = TfLiteOpaqueNodeGetInput(context, node, 1);
  TfLiteOpaqueTensor* out = TfLiteOpaqueNodeGetOutput(context, node, 0);
  const float* x = TfLiteOpaqueTensorData(a);
  const float* y = TfLiteOpaqueTensorData(b);
  float* z = TfLiteOpaqueTensorData(out);
  size_t n = TfLiteOpaqueTensorByteSize(out) / sizeof(float);
  for (size_t i = 0; i < n; ++i) z[i] = (x[i] + y[i]) * data->scale;
  return kTfLiteOk;
}

/* A second MyAdd (for version tests): a - b, tagged. */
static TfLiteStatus sub_invoke(void* user_data, TfLiteOpaqueContext* context,
                               TfLiteOpaqueNode* node) {
  Counters* c = user_data;
  c->tag = 2;
  const float* x = TfLiteOpaqueTensorData(TfLiteOpaqueNodeGetInput(context, node, 0));
  const float* y = TfLiteOpaqueTensorData(TfLiteOpaqueNodeGetInput(context, node, 1));
  TfLiteOpaqueTensor* out = TfLiteOpaqueNodeGetOutput(context, node, 0);
  float* z = TfLiteOpaqueTensorData(out);
  size_t n = TfLiteOpaqueTensorByteSize(out) / sizeof(float);
  for (size_t i = 0; i < n; ++i) z[i] = x[i] - y[i];
  return kTfLiteOk;
}

static TfLiteOperator* make_my_add(Counters* counters, int version) {
  TfLiteOperator* op = TfLiteOperatorCreate(kTfLiteBuiltinCustom, "MyAdd",
                                            version, counters);
  TfLiteOperatorSetInitWithData(op, add_init);
  TfLiteOperatorSetFreeWithData(op, add_free);
  TfLiteOperatorSetPrepareWithData(op, add_prepare);
  TfLiteOperatorSetInvokeWithData(op, add_invoke);
  return op;
}

static TfLiteStatus upper_prepare(TfLiteOpaqueContext* context,
                                  TfLiteOpaqueNode* node) {
  const TfLiteOpaqueTensor* in = TfLiteOpaqueNodeGetInput(context, node, 0);
  TfLiteOpaqueTensor* out = TfLiteOpaqueNodeGetOutput(context, node, 0);
  TF_LITE_OPAQUE_ENSURE_TYPES_EQ(context, TfLiteOpaqueTensorType(in),
                                 kTfLiteString);
  TF_LITE_OPAQUE_ENSURE_TYPES_EQ(context, TfLiteOpaqueTensorType(out),
                                 kTfLiteString);
  TfLiteOpaqueTensorSetAllocationTypeToDynamic(out);
  return kTfLiteOk;
}

static TfLiteStatus upper_invoke(TfLiteOpaqueContext* context,
                                 TfLiteOpaqueNode* node) {
  const TfLiteOpaqueTensor* in = TfLiteOpaqueNodeGetInput(context, node, 0);
  TfLiteOpaqueTensor* out = TfLiteOpaqueNodeGetOutput(context, node, 0);
  int count = TfLiteOpaqueTensorGetStringCount(in);
  TF_LITE_OPAQUE_ENSURE(context, count >= 0);
  char** strs = calloc((size_t)count + 1, sizeof(char*));
  int* lens = calloc((size_t)count + 1, sizeof(int));
  TfLiteStatus status = strs && lens ? kTfLiteOk : kTfLiteError;
  for (int i = 0; status == kTfLiteOk && i < count; ++i) {
    const char* s;
    int len;
    status = TfLiteOpaqueTensorGetString(in, i, &s, &len);
    if (status != kTfLiteOk) break;
    strs[i] = malloc((size_t)len + 1);
    if (!strs[i]) {
      status = kTfLiteError;
      break;
    }
    for (int k = 0; k < len; ++k) strs[i][k] = (char)toupper((unsigned char)s[k]);
    lens[i] = len;
  }
  if (status == kTfLiteOk)
    status = TfLiteOpaqueTensorWriteStrings(out, (const char* const*)strs,
                                            count, lens);
  for (int i = 0; strs && i < count; ++i) free(strs[i]);
  free(strs);
  free(lens);
  return status;
}

static TfLiteStatus range_prepare(TfLiteOpaqueContext* context,
                                  TfLiteOpaqueNode* node) {
  TfLiteOpaqueTensorSetAllocationTypeToDynamic(
      TfLiteOpaqueNodeGetOutput(context, node, 0));
  return kTfLiteOk;
}

static TfLiteStatus range_invoke(TfLiteOpaqueContext* context,
                                 TfLiteOpaqueNode* node) {
  const TfLiteOpaqueTensor* in = TfLiteOpaqueNodeGetInput(context, node, 0);
  TfLiteOpaqueTensor* out = TfLiteOpaqueNodeGetOutput(context, node, 0);
  int32_t n;
  TF_LITE_OPAQUE_ENSURE(context, TfLiteOpaqueTensorCopyToBuffer(
                                     in, &n, sizeof(n)) == kTfLiteOk);
  TF_LITE_OPAQUE_ENSURE_MSG(context, n >= 0, "MyRange: n must be >= 0");
  TfLiteIntArray* shape = TfLiteIntArrayCreate(1);
  shape->data[0] = n;
  if (TfLiteOpaqueContextResizeTensor(context, out, shape) != kTfLiteOk)
    return kTfLiteError;
  float* values = malloc(sizeof(float) * (size_t)(n + 1));
  for (int32_t i = 0; i < n; ++i) values[i] = (float)i;
  TfLiteStatus status =
      TfLiteOpaqueTensorCopyFromBuffer(out, values, sizeof(float) * (size_t)n);
  free(values);
  return status;
}

static TfLiteStatus check_invoke(TfLiteOpaqueContext* context,
                                 TfLiteOpaqueNode* node) {
  const TfLiteOpaqueTensor* in = TfLiteOpaqueNodeGetInput(context, node, 0);
  TfLiteOpaqueTensor* out = TfLiteOpaqueNodeGetOutput(context, node, 0);
  const float* x = TfLiteOpaqueTensorData(in);
  size_t n = TfLiteOpaqueTensorByteSize(in) / sizeof(float);
  for (size_t i = 0; i < n; ++i) {
    if (x[i] < 0) {
      TfLiteOpaqueContextReportError(context, "MyCheck: value %d is negative "
                                     "(%g)", (int)i, (double)x[i]);
      return kTfLiteError;
    }
  }
  return TfLiteOpaqueTensorCopyFromBuffer(out, x, n * sizeof(float));
}

/* ---- Models ------------------------------------------------------------------ */

typedef struct Built {
  uint8_t* data;
  size_t size;
  TfLiteModel* model;
} Built;

static void build(MbModel* m, Built* b) {
  b->data = mb_build(m, &b->size);
  b->model = TfLiteModelCreate(b->data, b->size);
}

static void unbuild(Built* b) {
  TfLiteModelDelete(b->model);
  free(b->data);
}

/* in0, in1 float [n] -> MyAdd (version, scale option) -> out. The output is
 * declared [1] in the model: the kernel's prepare sets its real shape. */
static void add_model(Built* b, int version, const float* scale, int n) {
  MbModel m;
  mb_init(&m, "my add");
  int code = mb_opcode(&m, OP_CUSTOM, "MyAdd");
  m.opcodes[code].version = version;
  MbSubgraph* sg = mb_subgraph(&m, "main");
  int shape[1] = {n}, one[1] = {1};
  int a = mb_tensor(sg, "a", T_F32, 1, shape);
  int c = mb_tensor(sg, "b", T_F32, 1, shape);
  int out = mb_tensor(sg, "out", T_F32, 1, one);
  int ins[2] = {a, c};
  MbOp* op = mb_op(sg, code, 2, ins, 1, &out);
  if (scale) {
    op->custom_options = scale;
    op->custom_options_size = sizeof(float);
  }
  mb_io(sg, 2, ins, 1, &out);
  build(&m, b);
}

static void set_floats(TfLiteInterpreter* it, int input, const float* v,
                       size_t n) {
  TfLiteTensor* t = TfLiteInterpreterGetInputTensor(it, input);
  CHECK(TfLiteTensorCopyFromBuffer(t, v, n * sizeof(float)) == kTfLiteOk);
}

/* ---- Tests --------------------------------------------------------------------- */

static TfLiteInterpreter* create_with(TfLiteModel* model, TfLiteOperator** ops,
                                      int count);

static void test_operator_object(void) {
  int user = 7;
  TfLiteOperator* op = TfLiteOperatorCreate(kTfLiteBuiltinCustom, "Thing", 3,
                                            &user);
  CHECK(op != NULL);
  CHECK(TfLiteOperatorGetBuiltInCode(op) == kTfLiteBuiltinCustom);
  CHECK(strcmp(TfLiteOperatorGetCustomName(op), "Thing") == 0);
  CHECK(TfLiteOperatorGetVersion(op) == 3);
  CHECK(TfLiteOperatorGetUserData(op) == &user);
  CHECK(TfLiteOperatorGetVersion(NULL) == -1);
  CHECK(TfLiteOperatorGetUserData(NULL) == NULL);
  CHECK(TfLiteOperatorSetInvokeWithData(op, add_invoke) == kTfLiteOk);
  TfLiteOperatorSetInplaceOperator(op, 1);
  TfLiteOperatorDelete(op);
  TfLiteOperatorDelete(NULL);

  TfLiteOperator* builtin =
      TfLiteOperatorCreate(kTfLiteBuiltinAdd, NULL, 1, NULL);
  CHECK(TfLiteOperatorGetCustomName(builtin) == NULL);
  CHECK(TfLiteOperatorGetBuiltInCode(builtin) == kTfLiteBuiltinAdd);
  TfLiteOperatorDelete(builtin);
  CHECK(kTfLiteBuiltinCustom == 32 && kTfLiteBuiltinStablehloComposite == 206);
}

static void test_my_add(void) {
  Counters counters = {0};
  TfLiteOperator* op = make_my_add(&counters, 1);
  float scale = 2.0f;
  Built b;
  add_model(&b, 1, &scale, 3);
  CHECK(b.model != NULL);

  TfLiteInterpreterOptions* options = TfLiteInterpreterOptionsCreate();
  TfLiteInterpreterOptionsSetErrorReporter(options, PyliteQuietReporter, NULL);
  TfLiteInterpreterOptionsAddOperator(options, op);
  TfLiteInterpreter* it = TfLiteInterpreterCreate(b.model, options);
  /* The options and the model handle may go right away; the operator (and
   * the model bytes) must stay. */
  TfLiteInterpreterOptionsDelete(options);
  TfLiteModelDelete(b.model);
  b.model = NULL;
  CHECK(it != NULL);
  if (!it) {
    TfLiteOperatorDelete(op);
    unbuild(&b);
    return;
  }
  CHECK(counters.inits == 1);
  CHECK(TfLiteInterpreterAllocateTensors(it) == kTfLiteOk);
  CHECK(counters.prepares == 1);
  const TfLiteTensor* out = TfLiteInterpreterGetOutputTensor(it, 0);
  CHECK(TfLiteTensorNumDims(out) == 1 && TfLiteTensorDim(out, 0) == 3);

  const float x[3] = {1, 2, 3}, y[3] = {10, 20, 30};
  set_floats(it, 0, x, 3);
  set_floats(it, 1, y, 3);
  CHECK(TfLiteInterpreterInvoke(it) == kTfLiteOk);
  float z[3] = {0};
  CHECK(TfLiteTensorCopyToBuffer(out, z, sizeof(z)) == kTfLiteOk);
  CHECK(z[0] == 22 && z[1] == 44 && z[2] == 66);

  /* A new input shape: prepare runs again and resizes the output. */
  int dims[2] = {2, 2};
  CHECK(TfLiteInterpreterResizeInputTensor(it, 0, dims, 2) == kTfLiteOk);
  CHECK(TfLiteInterpreterResizeInputTensor(it, 1, dims, 2) == kTfLiteOk);
  CHECK(TfLiteInterpreterAllocateTensors(it) == kTfLiteOk);
  CHECK(counters.prepares == 2);
  out = TfLiteInterpreterGetOutputTensor(it, 0);
  CHECK(TfLiteTensorNumDims(out) == 2 && TfLiteTensorDim(out, 1) == 2);
  const float x4[4] = {1, 1, 1, 1}, y4[4] = {0, 1, 2, 3};
  set_floats(it, 0, x4, 4);
  set_floats(it, 1, y4, 4);
  CHECK(TfLiteInterpreterInvoke(it) == kTfLiteOk);
  float z4[4] = {0};
  CHECK(TfLiteTensorCopyToBuffer(out, z4, sizeof(z4)) == kTfLiteOk);
  CHECK(z4[0] == 2 && z4[3] == 8);
  CHECK(counters.invokes == 2);

  /* Mismatched shapes: prepare fails, naming the op; then a good shape
   * works again. */
  int bad[2] = {2, 3};
  CHECK(TfLiteInterpreterResizeInputTensor(it, 0, bad, 2) == kTfLiteOk);
  CHECK(TfLiteInterpreterAllocateTensors(it) != kTfLiteOk);
  CHECK_CONTAINS(PyliteGetLastError(), "MyAdd: dim 1 differs: 3 vs 2");
  CHECK_CONTAINS(PyliteGetLastError(), "Custom op 'MyAdd'");
  CHECK_CONTAINS(PyliteGetLastError(), "subgraph 0 ('main')");
  CHECK(TfLiteInterpreterInvoke(it) != kTfLiteOk);
  CHECK(TfLiteInterpreterResizeInputTensor(it, 0, dims, 2) == kTfLiteOk);
  CHECK(TfLiteInterpreterAllocateTensors(it) == kTfLiteOk);
  CHECK(TfLiteInterpreterInvoke(it) == kTfLiteOk);

  CHECK(counters.frees == 0);
  TfLiteInterpreterDelete(it);
  CHECK(counters.frees == 1);
  unbuild(&b);
  TfLiteOperatorDelete(op);
}

static void test_strings(void) {
  TfLiteOperator* op =
      TfLiteOperatorCreate(kTfLiteBuiltinCustom, "MyUpper", 1, NULL);
  TfLiteOperatorSetPrepare(op, upper_prepare);
  TfLiteOperatorSetInvoke(op, upper_invoke);
  MbModel m;
  mb_init(&m, "strings");
  int code = mb_opcode(&m, OP_CUSTOM, "MyUpper");
  MbSubgraph* sg = mb_subgraph(&m, NULL);
  int shape[2] = {1, 3};
  int in = mb_tensor(sg, "in", T_STR, 2, shape);
  int out = mb_tensor(sg, "out", T_STR, 2, shape);
  mb_op(sg, code, 1, &in, 1, &out);
  mb_io(sg, 1, &in, 1, &out);
  Built b;
  build(&m, &b);
  TfLiteInterpreterOptions* options = TfLiteInterpreterOptionsCreate();
  TfLiteInterpreterOptionsAddOperator(options, op);
  TfLiteInterpreter* it = TfLiteInterpreterCreate(b.model, options);
  TfLiteInterpreterOptionsDelete(options);
  CHECK(it != NULL);
  CHECK(TfLiteInterpreterAllocateTensors(it) == kTfLiteOk);
  const char* words[3] = {"abc", "", "x\0y"};
  size_t lens[3] = {3, 0, 3};
  CHECK(PyliteTensorWriteStrings(TfLiteInterpreterGetInputTensor(it, 0), 3,
                                 words, lens) == kTfLiteOk);
  for (int round = 0; round < 2; ++round) {
    CHECK(TfLiteInterpreterInvoke(it) == kTfLiteOk);
    const TfLiteTensor* o = TfLiteInterpreterGetOutputTensor(it, 0);
    CHECK(PyliteTensorGetStringCount(o) == 3);
    /* As in LiteRT, WriteStrings leaves a vector of the strings written. */
    CHECK(TfLiteTensorNumDims(o) == 1 && TfLiteTensorDim(o, 0) == 3);
    const char* s;
    size_t len;
    CHECK(PyliteTensorGetString(o, 0, &s, &len) == kTfLiteOk);
    CHECK(len == 3 && memcmp(s, "ABC", 3) == 0);
    CHECK(PyliteTensorGetString(o, 1, &s, &len) == kTfLiteOk && len == 0);
    CHECK(PyliteTensorGetString(o, 2, &s, &len) == kTfLiteOk);
    CHECK(len == 3 && memcmp(s, "X\0Y", 3) == 0);
  }
  TfLiteInterpreterDelete(it);
  unbuild(&b);
  TfLiteOperatorDelete(op);
}

/* n (int32 scalar) -> MyRange -> r (float [n], dynamic) -> ADD(r, r). */
static void test_dynamic_output(void) {
  TfLiteOperator* op =
      TfLiteOperatorCreate(kTfLiteBuiltinCustom, "MyRange", 1, NULL);
  TfLiteOperatorSetPrepare(op, range_prepare);
  TfLiteOperatorSetInvoke(op, range_invoke);
  MbModel m;
  mb_init(&m, "range");
  int code = mb_opcode(&m, OP_CUSTOM, "MyRange");
  int add = mb_opcode(&m, OP_ADD, NULL);
  MbSubgraph* sg = mb_subgraph(&m, NULL);
  int one[1] = {1};
  int n = mb_tensor(sg, "n", T_I32, 0, NULL);
  int r = mb_tensor(sg, "r", T_F32, 1, one);
  int out = mb_tensor(sg, "out", T_F32, 1, one);
  mb_op(sg, code, 1, &n, 1, &r);
  int ins[2] = {r, r};
  MbOp* a = mb_op(sg, add, 2, ins, 1, &out);
  a->options = OPT_ADD;
  mb_io(sg, 1, &n, 1, &out);
  Built b;
  build(&m, &b);
  TfLiteInterpreter* it = create_with(b.model, &op, 1);
  CHECK(it != NULL);
  CHECK(TfLiteInterpreterAllocateTensors(it) == kTfLiteOk);
  for (int32_t count = 4; count >= 0; count -= 4) {
    TfLiteTensor* in = TfLiteInterpreterGetInputTensor(it, 0);
    CHECK(TfLiteTensorCopyFromBuffer(in, &count, sizeof(count)) == kTfLiteOk);
    CHECK(TfLiteInterpreterInvoke(it) == kTfLiteOk);
    const TfLiteTensor* o = TfLiteInterpreterGetOutputTensor(it, 0);
    CHECK(TfLiteTensorDim(o, 0) == count);
    if (count == 4) {
      const float* v = TfLiteTensorData(o);
      CHECK(v && v[0] == 0 && v[1] == 2 && v[3] == 6);
    }
  }
  int32_t negative = -1;
  CHECK(TfLiteTensorCopyFromBuffer(TfLiteInterpreterGetInputTensor(it, 0),
                                   &negative, 4) == kTfLiteOk);
  CHECK(TfLiteInterpreterInvoke(it) != kTfLiteOk);
  CHECK_CONTAINS(PyliteGetLastError(), "MyRange: n must be >= 0");
  TfLiteInterpreterDelete(it);
  unbuild(&b);
  TfLiteOperatorDelete(op);
}

/* A failing op reports a clear error naming op and subgraph, and the
 * interpreter runs again afterwards. The op sits in subgraph 1, reached
 * through a signature. */
static void test_failing_op(void) {
  TfLiteOperator* op =
      TfLiteOperatorCreate(kTfLiteBuiltinCustom, "MyCheck", 1, NULL);
  TfLiteOperatorSetInvoke(op, check_invoke);
  MbModel m;
  mb_init(&m, "failing");
  int code = mb_opcode(&m, OP_CUSTOM, "MyCheck");
  int shape[1] = {2};
  for (int s = 0; s < 2; ++s) {
    MbSubgraph* sg = mb_subgraph(&m, s == 0 ? "first" : "second");
    int in = mb_tensor(sg, "x", T_F32, 1, shape);
    int out = mb_tensor(sg, "y", T_F32, 1, shape);
    mb_op(sg, code, 1, &in, 1, &out);
    mb_io(sg, 1, &in, 1, &out);
    MbSignature* sig = mb_signature(&m, s == 0 ? "one" : "two", s);
    mb_sig_input(sig, "x", in);
    mb_sig_output(sig, "y", out);
  }
  Built b;
  build(&m, &b);
  TfLiteInterpreterOptions* options = TfLiteInterpreterOptionsCreate();
  TfLiteInterpreterOptionsSetErrorReporter(options, PyliteQuietReporter, NULL);
  TfLiteInterpreterOptionsAddOperator(options, op);
  TfLiteInterpreter* it = TfLiteInterpreterCreate(b.model, options);
  TfLiteInterpreterOptionsDelete(options);
  CHECK(it != NULL);
  TfLiteSignatureRunner* r = TfLiteInterpreterGetSignatureRunner(it, "two");
  CHECK(r != NULL);
  CHECK(TfLiteSignatureRunnerAllocateTensors(r) == kTfLiteOk);
  TfLiteTensor* in = TfLiteSignatureRunnerGetInputTensor(r, "x");
  const float bad[2] = {1, -5}, good[2] = {3, 4};
  CHECK(TfLiteTensorCopyFromBuffer(in, bad, sizeof(bad)) == kTfLiteOk);
  CHECK(TfLiteSignatureRunnerInvoke(r) == kTfLiteError);
  const char* err = PyliteGetLastError();
  CHECK_CONTAINS(err, "MyCheck: value 1 is negative (-5)");
  CHECK_CONTAINS(err, "Custom op 'MyCheck'");
  CHECK_CONTAINS(err, "subgraph 1 ('second')");
  CHECK_CONTAINS(err, "failed to invoke");
  CHECK_CONTAINS(PyliteInterpreterGetLastError(it), "MyCheck: value 1");
  CHECK(TfLiteTensorCopyFromBuffer(in, good, sizeof(good)) == kTfLiteOk);
  CHECK(TfLiteSignatureRunnerInvoke(r) == kTfLiteOk);
  float y[2] = {0};
  CHECK(TfLiteTensorCopyToBuffer(TfLiteSignatureRunnerGetOutputTensor(r, "y"),
                                 y, sizeof(y)) == kTfLiteOk);
  CHECK(y[0] == 3 && y[1] == 4);
  TfLiteSignatureRunnerDelete(r);
  TfLiteInterpreterDelete(it);
  unbuild(&b);
  TfLiteOperatorDelete(op);
}

static TfLiteInterpreter* create_with(TfLiteModel* model, TfLiteOperator** ops,
                                      int count) {
  TfLiteInterpreterOptions* options = TfLiteInterpreterOptionsCreate();
  TfLiteInterpreterOptionsSetErrorReporter(options, PyliteQuietReporter, NULL);
  for (int i = 0; i < count; ++i)
    TfLiteInterpreterOptionsAddOperator(options, ops[i]);
  TfLiteInterpreter* it = TfLiteInterpreterCreate(model, options);
  TfLiteInterpreterOptionsDelete(options);
  return it;
}

static float run_add(TfLiteInterpreter* it, TfLiteStatus* status) {
  const float x[2] = {5, 6}, y[2] = {1, 2};
  *status = TfLiteInterpreterAllocateTensors(it);
  if (*status != kTfLiteOk) return 0;
  set_floats(it, 0, x, 2);
  set_floats(it, 1, y, 2);
  *status = TfLiteInterpreterInvoke(it);
  float z[2] = {0};
  TfLiteTensorCopyToBuffer(TfLiteInterpreterGetOutputTensor(it, 0), z,
                           sizeof(z));
  return z[0];
}

static void test_versions(void) {
  Counters c1 = {0}, c2 = {0};
  TfLiteOperator* v1 = make_my_add(&c1, 1);
  TfLiteOperator* v2 = make_my_add(&c2, 2);
  TfLiteOperatorSetInvokeWithData(v2, sub_invoke);
  Built b1, b2, b3;
  add_model(&b1, 1, NULL, 2);
  add_model(&b2, 2, NULL, 2);
  add_model(&b3, 3, NULL, 2);
  TfLiteStatus status;

  /* Name and version must both match. */
  TfLiteOperator* both[2] = {v1, v2};
  TfLiteInterpreter* it = create_with(b1.model, both, 2);
  CHECK(run_add(it, &status) == 6 && status == kTfLiteOk);
  TfLiteInterpreterDelete(it);
  it = create_with(b2.model, both, 2);
  CHECK(run_add(it, &status) == 4 && status == kTfLiteOk && c2.tag == 2);
  TfLiteInterpreterDelete(it);

  /* A version nobody registered: created, but unresolved at allocation,
   * with the registered versions listed. */
  it = create_with(b3.model, both, 2);
  CHECK(it != NULL);
  CHECK(TfLiteInterpreterAllocateTensors(it) != kTfLiteOk);
  CHECK_CONTAINS(PyliteGetLastError(), "unresolved custom op: MyAdd version 3");
  CHECK_CONTAINS(PyliteGetLastError(), "Registered versions of 'MyAdd': 1, 2");
  TfLiteInterpreterDelete(it);

  /* Nothing registered at all. */
  it = create_with(b1.model, NULL, 0);
  CHECK(it != NULL);
  CHECK(TfLiteInterpreterAllocateTensors(it) != kTfLiteOk);
  CHECK_CONTAINS(PyliteGetLastError(), "unresolved custom op: MyAdd");

  /* Same name and version twice: the last one added wins. */
  TfLiteOperator* again = make_my_add(&c2, 1);
  TfLiteOperatorSetInvokeWithData(again, sub_invoke);
  TfLiteOperator* twice[2] = {v1, again};
  TfLiteInterpreterDelete(it);
  it = create_with(b1.model, twice, 2);
  CHECK(run_add(it, &status) == 4 && status == kTfLiteOk);
  TfLiteInterpreterDelete(it);

  /* Options copies carry the operators. */
  TfLiteInterpreterOptions* options = TfLiteInterpreterOptionsCreate();
  TfLiteInterpreterOptionsAddOperator(options, v1);
  TfLiteInterpreterOptions* copy = TfLiteInterpreterOptionsCopy(options);
  TfLiteInterpreterOptionsDelete(options);
  it = TfLiteInterpreterCreate(b1.model, copy);
  TfLiteInterpreterOptionsDelete(copy);
  CHECK(run_add(it, &status) == 6 && status == kTfLiteOk);
  TfLiteInterpreterDelete(it);

  CHECK(c1.inits == c1.frees && c2.inits == c2.frees);
  unbuild(&b1);
  unbuild(&b2);
  unbuild(&b3);
  TfLiteOperatorDelete(v1);
  TfLiteOperatorDelete(v2);
  TfLiteOperatorDelete(again);
}

/* A registered operator takes precedence over pylite's own kernel of the
 * same name. */
static TfLiteStatus fake_as_string(TfLiteOpaqueContext* context,
                                   TfLiteOpaqueNode* node) {
  TfLiteOpaqueTensor* out = TfLiteOpaqueNodeGetOutput(context, node, 0);
  return TfLiteOpaqueTensorWriteString(out, "mine", 4);
}

static void test_precedence(void) {
  MbModel m;
  mb_init(&m, "flex");
  int code = mb_opcode(&m, OP_CUSTOM, "FlexAsString");
  MbSubgraph* sg = mb_subgraph(&m, NULL);
  int one[1] = {1};
  int in = mb_tensor(sg, "in", T_I32, 1, one);
  int out = mb_tensor(sg, "out", T_STR, 1, one);
  mb_op(sg, code, 1, &in, 1, &out);
  mb_io(sg, 1, &in, 1, &out);
  Built b;
  build(&m, &b);
  TfLiteOperator* op =
      TfLiteOperatorCreate(kTfLiteBuiltinCustom, "FlexAsString", 1, NULL);
  TfLiteOperatorSetInvoke(op, fake_as_string);
  TfLiteInterpreter* it = create_with(b.model, &op, 1);
  CHECK(TfLiteInterpreterAllocateTensors(it) == kTfLiteOk);
  CHECK(TfLiteInterpreterInvoke(it) == kTfLiteOk);
  const char* s = NULL;
  size_t len = 0;
  CHECK(PyliteTensorGetString(TfLiteInterpreterGetOutputTensor(it, 0), 0, &s,
                              &len) == kTfLiteOk);
  CHECK(len == 4 && s && memcmp(s, "mine", 4) == 0);
  TfLiteInterpreterDelete(it);
  unbuild(&b);
  TfLiteOperatorDelete(op);
}

/* Context and node accessors, called from inside a kernel. */
typedef struct Probe {
  int ok;
  int checks;
} Probe;

#define PROBE(p, cond) ((p)->checks++, (p)->ok += (cond) ? 1 : 0)

static TfLiteStatus probe_invoke(void* user_data, TfLiteOpaqueContext* context,
                                 TfLiteOpaqueNode* node) {
  Probe* p = user_data;
  PROBE(p, TfLiteOpaqueContextGetNumNodes(context) == 1);
  PROBE(p, TfLiteOpaqueContextGetNumTensors(context) == 3);
  PROBE(p, strcmp(TfLiteOpaqueContextGetName(context), "main") == 0);
  const int* idx;
  int n;
  PROBE(p, TfLiteOpaqueContextGetInputs(context, &idx, &n) == kTfLiteOk &&
               n == 2 && idx[0] == 0 && idx[1] == 1);
  PROBE(p, TfLiteOpaqueContextGetOutputs(context, &idx, &n) == kTfLiteOk &&
               n == 1 && idx[0] == 2);
  PROBE(p, TfLiteOpaqueNodeInputs(node, &idx, &n) == kTfLiteOk && n == 2);
  PROBE(p, TfLiteOpaqueNodeOutputs(node, &idx, &n) == kTfLiteOk && n == 1);
  PROBE(p, TfLiteOpaqueNodeTemporaries(node, &idx, &n) == kTfLiteOk && n == 0);
  PROBE(p, TfLiteOpaqueNodeGetInputTensorIndex(node, 1) == 1);
  PROBE(p, TfLiteOpaqueNodeGetInputTensorIndex(node, 2) == -1);
  PROBE(p, TfLiteOpaqueNodeGetOutputTensorIndex(node, 0) == 2);
  PROBE(p, TfLiteOpaqueNodeGetInput(context, node, 5) == NULL);
  PROBE(p, TfLiteOpaqueNodeGetBuiltinData(node) == NULL);
  const void* init_data;
  int size;
  PROBE(p, TfLiteOpaqueNodeGetCustomInitialData(node, &init_data, &size) ==
                   kTfLiteOk &&
               size == 4);
  TfLiteOpaqueNode* found;
  TfLiteOperator* reg;
  PROBE(p, TfLiteOpaqueContextGetNodeAndRegistration(context, 0, &found,
                                                     &reg) == kTfLiteOk &&
               found == node &&
               strcmp(TfLiteOperatorGetCustomName(reg), "MyAdd") == 0);
  PROBE(p, TfLiteOpaqueContextGetNodeAndRegistration(context, 9, &found,
                                                     &reg) == kTfLiteError);
  TfLiteOpaqueTensor* t = TfLiteOpaqueContextGetOpaqueTensor(context, 1);
  PROBE(p, t && strcmp(TfLiteOpaqueTensorName(t), "b") == 0);
  PROBE(p, TfLiteOpaqueContextGetOpaqueTensor(context, 3) == NULL);
  PROBE(p, TfLiteOpaqueTensorGetAllocationType(t) == kTfLiteArenaRw);
  PROBE(p, TfLiteOpaqueTensorIsVariable(t) == 0);
  PROBE(p, TfLiteOpaqueTensorGetAllocationStrategy(t) ==
               kTfLiteAllocationStrategyArena);
  PROBE(p, TfLiteOpaqueTensorGetShapeKnownStep(t) == kTfLiteRunStepPrepare);
  PROBE(p, TfLiteOpaqueTensorGetDataStability(t) ==
               kTfLiteRunStabilitySingleRun);
  PROBE(p, TfLiteOpaqueTensorDim(t, 1) == -1);
  int32_t rank, dim;
  PROBE(p, TfLiteOpaqueTensorGetNumDimsSignature(t, &rank) == kTfLiteOk);
  PROBE(p, TfLiteOpaqueTensorGetDimSignature(t, 0, &dim) == kTfLiteOk &&
               dim == 2);
  PROBE(p, TfLiteOpaqueTensorGetQuantization(t).type == kTfLiteNoQuantization);
  PROBE(p, TfLiteOpaqueTensorGetStringCount(t) == -1);
  size_t bytes;
  PROBE(p, TfLiteOpaqueContextGetSizeOfType(context, kTfLiteInt16, &bytes) ==
                   kTfLiteOk &&
               bytes == 2);
  PROBE(p, TfLiteOpaqueContextGetSizeOfType(context, kTfLiteString, &bytes) ==
               kTfLiteError);
  const char* meta;
  PROBE(p, TfLiteOpaqueContextGetMetadata(context, "nothing", &meta, &bytes) ==
               kTfLiteError);
  PROBE(p, TfLiteOpaqueNodeSetTemporaries(node, NULL, 0) == kTfLiteOk);
  int temp = 0;
  PROBE(p, TfLiteOpaqueNodeSetTemporaries(node, &temp, 1) == kTfLiteError);
  TfLiteOpaqueTensorBuilder* builder = TfLiteOpaqueTensorBuilderCreate();
  TfLiteOpaqueTensorBuilderSetAllocationType(
      TfLiteOpaqueTensorBuilderSetType(builder, kTfLiteFloat32),
      kTfLiteArenaRw);
  int added;
  PROBE(p, TfLiteOpaqueContextAddTensor(context, builder, &added) ==
               kTfLiteError);
  TfLiteOpaqueTensorBuilderDelete(builder);
  /* A wrong size is refused. */
  float buf[3];
  PROBE(p, TfLiteOpaqueTensorCopyToBuffer(t, buf, sizeof(buf)) == kTfLiteError);
  return kTfLiteOk;
}

static void* failing_init(TfLiteOpaqueContext* context, const char* buffer,
                          size_t length) {
  TfLiteOpaqueContextReportError(context, "MyAdd: cannot initialize");
  return TfLiteKernelInitFailed();
}

static int never_freed_calls = 0;
static void never_free(TfLiteOpaqueContext* context, void* data) {
  never_freed_calls++;
}

static void test_accessors(void) {
  Probe probe = {0, 0};
  TfLiteOperator* op =
      TfLiteOperatorCreate(kTfLiteBuiltinCustom, "MyAdd", 1, &probe);
  TfLiteOperatorSetInvokeWithData(op, probe_invoke);
  float scale = 1.0f;
  Built b;
  add_model(&b, 1, &scale, 2);
  TfLiteInterpreter* it = create_with(b.model, &op, 1);
  CHECK(it != NULL);
  CHECK(TfLiteInterpreterAllocateTensors(it) == kTfLiteOk);
  CHECK(TfLiteInterpreterInvoke(it) == kTfLiteOk);
  CHECK(probe.checks > 20 && probe.ok == probe.checks);
  if (probe.ok != probe.checks)
    fprintf(stderr, "accessor probes: %d of %d passed\n", probe.ok,
            probe.checks);

  /* Without an invoke callback the node cannot run. */
  TfLiteOperator* empty =
      TfLiteOperatorCreate(kTfLiteBuiltinCustom, "MyAdd", 1, NULL);
  TfLiteInterpreter* it2 = create_with(b.model, &empty, 1);
  CHECK(TfLiteInterpreterAllocateTensors(it2) == kTfLiteOk);
  CHECK(TfLiteInterpreterInvoke(it2) == kTfLiteError);
  CHECK_CONTAINS(PyliteGetLastError(), "has no invoke callback");
  TfLiteInterpreterDelete(it2);
  TfLiteOperatorDelete(empty);

  TfLiteInterpreterDelete(it);
  unbuild(&b);
  TfLiteOperatorDelete(op);

  /* An init that reports failure fails the interpreter's creation. */
  TfLiteOperator* broken =
      TfLiteOperatorCreate(kTfLiteBuiltinCustom, "MyAdd", 1, NULL);
  TfLiteOperatorSetInit(broken, failing_init);
  TfLiteOperatorSetFree(broken, never_free);
  add_model(&b, 1, NULL, 2);
  CHECK(create_with(b.model, &broken, 1) == NULL);
  CHECK_CONTAINS(PyliteGetLastError(), "MyAdd: cannot initialize");
  CHECK_CONTAINS(PyliteGetLastError(), "its init callback failed");
  CHECK(never_freed_calls == 0);
  unbuild(&b);
  TfLiteOperatorDelete(broken);

  /* NULL handles are harmless. */
  TfLiteInterpreterOptionsAddOperator(NULL, NULL);
  CHECK(TfLiteOpaqueTensorData(NULL) == NULL);
  CHECK(TfLiteOpaqueTensorNumDims(NULL) == -1);
  CHECK(TfLiteOpaqueNodeGetUserData(NULL) == NULL);
}

int main(void) {
  test_operator_object();
  test_my_add();
  test_strings();
  test_dynamic_output();
  test_failing_op();
  test_versions();
  test_precedence();
  test_accessors();
  return CHECK_SUMMARY();
}
