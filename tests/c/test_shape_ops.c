/* pylite: tests of the shape and data-movement kernels beyond LiteRT.
 *
 * The conformance suite (tests/conformance/cases/shape.py) checks these
 * ops against LiteRT. This file covers what LiteRT cannot record: forms
 * LiteRT rejects but pylite supports (string CONCATENATION, PACK, UNPACK,
 * SPLIT_V, GATHER with 2-D params, FILL, PAD, TRANSPOSE, TILE; fused
 * activations on CONCATENATION; non-contiguous REVERSE_V2 axes), empty
 * outputs (LiteRT's Python API cannot return them), a chain of dynamic
 * outputs, and some errors. Expected values are worked out by hand. */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capi/kernels/internal/simd.h"
#include "check.h"
#include "model_builder.h"
#include "pylite/c_api.h"
#include "pylite/pylite.h"

#define OP_TEST_NAME "shape test"
#include "op_test_util.h"
#include "run_util.h"

/* Builtin operator codes and options types used here (schema.fbs). */
enum {
  kOpConcatenation = 2,
  kOpPad = 34,
  kOpGather = 36,
  kOpTranspose = 39,
  kOpSlice = 65,
  kOpTile = 69,
  kOpPack = 83,
  kOpUnpack = 88,
  kOpFill = 94,
  kOpRange = 96,
  kOpSplitV = 102,
  kOpReverseV2 = 105,
  kOpSqueeze = 43,
  kOpExpandDims = 70,
  kOpSplit = 49,
  kOpStridedSlice = 45,
};
enum {
  kOptConcatenation = 10,
  kOptGather = 23,
  kOptPack = 59,
  kOptUnpack = 64,
  kOptSplitV = 79,
  kOptSplit = 35,
};

static bool write_strings(TfLiteInterpreter* it, int input, int n,
                          const char* const* s) {
  size_t lens[16];
  for (int i = 0; i < n; ++i) lens[i] = strlen(s[i]);
  return PyliteTensorWriteStrings(TfLiteInterpreterGetInputTensor(it, input),
                                  n, s, lens) == kTfLiteOk;
}

static bool strings_are(const TfLiteTensor* t, int n,
                        const char* const* want) {
  if (!t || PyliteTensorGetStringCount(t) != n) {
    printf("  string count %d, want %d\n",
           t ? (int)PyliteTensorGetStringCount(t) : -1, n);
    return false;
  }
  for (int i = 0; i < n; ++i) {
    const char* s;
    size_t len;
    if (PyliteTensorGetString(t, i, &s, &len) != kTfLiteOk ||
        len != strlen(want[i]) || memcmp(s, want[i], len) != 0) {
      printf("  string %d is '%.*s', want '%s'\n", i, (int)len, s, want[i]);
      return false;
    }
  }
  return true;
}

/* ---- String forms -------------------------------------------------------- */

static void test_concat_strings(void) {
  Op o;
  op_begin(&o);
  op_input(&o, T_STR, 2, (int[]){2, 1});
  op_input(&o, T_STR, 2, (int[]){2, 2});
  op_output(&o, T_STR, 2, (int[]){2, 3});
  TfLiteModel* model;
  uint8_t* bytes;
  TfLiteInterpreter* it = op_load(&o, kOpConcatenation, kOptConcatenation, 1,
                                  (int32_t[]){-1}, &model, &bytes);
  CHECK(TfLiteInterpreterAllocateTensors(it) == kTfLiteOk);
  CHECK(write_strings(it, 0, 2, (const char*[]){"a", "bb"}));
  CHECK(write_strings(it, 1, 4, (const char*[]){"c", "", "eee", "f"}));
  CHECK(TfLiteInterpreterInvoke(it) == kTfLiteOk);
  CHECK(shape_is(out(it, 0), 2, (int[]){2, 3}));
  CHECK(strings_are(out(it, 0), 6,
                    (const char*[]){"a", "c", "", "bb", "eee", "f"}));
  op_free(it, model, bytes);
}

static void test_concat_activation(void) {
  Op o;
  op_begin(&o);
  op_input(&o, T_F32, 1, (int[]){3});
  op_input(&o, T_F32, 1, (int[]){2});
  op_output(&o, T_F32, 1, (int[]){5});
  TfLiteModel* model;
  uint8_t* bytes;
  /* axis 0, RELU6 */
  TfLiteInterpreter* it = op_load(&o, kOpConcatenation, kOptConcatenation, 2,
                                  (int32_t[]){0, ACT_RELU6}, &model, &bytes);
  CHECK(TfLiteInterpreterAllocateTensors(it) == kTfLiteOk);
  const float a[3] = {-1.0f, 3.0f, 7.0f};
  const float b[2] = {NAN, 6.5f};
  CHECK(write_raw(it, 0, a, sizeof(a)));
  CHECK(write_raw(it, 1, b, sizeof(b)));
  CHECK(TfLiteInterpreterInvoke(it) == kTfLiteOk);
  const float* got = TfLiteTensorData(out(it, 0));
  CHECK(got[0] == 0.0f && got[1] == 3.0f && got[2] == 6.0f &&
        isnan(got[3]) && got[4] == 6.0f);
  op_free(it, model, bytes);
}

static void test_pack_unpack_strings(void) {
  Op o;
  op_begin(&o);
  op_input(&o, T_STR, 1, (int[]){2});
  op_input(&o, T_STR, 1, (int[]){2});
  op_output(&o, T_STR, 2, (int[]){2, 2});
  TfLiteModel* model;
  uint8_t* bytes;
  TfLiteInterpreter* it = op_load(&o, kOpPack, kOptPack, 2,
                                  (int32_t[]){2, 1}, &model, &bytes);
  CHECK(TfLiteInterpreterAllocateTensors(it) == kTfLiteOk);
  CHECK(write_strings(it, 0, 2, (const char*[]){"a", "b"}));
  CHECK(write_strings(it, 1, 2, (const char*[]){"c", "d"}));
  CHECK(TfLiteInterpreterInvoke(it) == kTfLiteOk);
  CHECK(strings_are(out(it, 0), 4, (const char*[]){"a", "c", "b", "d"}));
  op_free(it, model, bytes);

  op_begin(&o);
  op_input(&o, T_STR, 2, (int[]){2, 2});
  op_output(&o, T_STR, 1, (int[]){2});
  op_output(&o, T_STR, 1, (int[]){2});
  it = op_load(&o, kOpUnpack, kOptUnpack, 2, (int32_t[]){2, -1}, &model,
               &bytes);
  CHECK(TfLiteInterpreterAllocateTensors(it) == kTfLiteOk);
  CHECK(write_strings(it, 0, 4, (const char*[]){"a", "b", "c", "d"}));
  CHECK(TfLiteInterpreterInvoke(it) == kTfLiteOk);
  CHECK(strings_are(out(it, 0), 2, (const char*[]){"a", "c"}));
  CHECK(strings_are(out(it, 1), 2, (const char*[]){"b", "d"}));
  op_free(it, model, bytes);
}

static void test_split_v_strings(void) {
  Op o;
  op_begin(&o);
  op_input(&o, T_STR, 1, (int[]){3});
  const int32_t sizes[2] = {1, -1};
  const int32_t axis = 0;
  op_const(&o, T_I32, 1, (int[]){2}, sizes, sizeof(sizes));
  op_const(&o, T_I32, 0, NULL, &axis, sizeof(axis));
  op_output(&o, T_STR, 1, (int[]){1});
  op_output(&o, T_STR, 1, (int[]){2});
  TfLiteModel* model;
  uint8_t* bytes;
  TfLiteInterpreter* it = op_load(&o, kOpSplitV, kOptSplitV, 1,
                                  (int32_t[]){2}, &model, &bytes);
  CHECK(TfLiteInterpreterAllocateTensors(it) == kTfLiteOk);
  CHECK(write_strings(it, 0, 3, (const char*[]){"x", "yy", "zzz"}));
  CHECK(TfLiteInterpreterInvoke(it) == kTfLiteOk);
  CHECK(strings_are(out(it, 0), 1, (const char*[]){"x"}));
  CHECK(strings_are(out(it, 1), 2, (const char*[]){"yy", "zzz"}));
  op_free(it, model, bytes);
}

static void test_gather_strings_axis1(void) {
  Op o;
  op_begin(&o);
  op_input(&o, T_STR, 2, (int[]){2, 3});
  op_input(&o, T_I32, 1, (int[]){2});
  op_output(&o, T_STR, 2, (int[]){2, 2});
  TfLiteModel* model;
  uint8_t* bytes;
  TfLiteInterpreter* it = op_load(&o, kOpGather, kOptGather, 1,
                                  (int32_t[]){1}, &model, &bytes);
  CHECK(TfLiteInterpreterAllocateTensors(it) == kTfLiteOk);
  CHECK(write_strings(it, 0, 6,
                      (const char*[]){"p0", "p1", "p2", "p3", "p4", "p5"}));
  const int32_t idx[2] = {2, 0};
  CHECK(write_raw(it, 1, idx, sizeof(idx)));
  CHECK(TfLiteInterpreterInvoke(it) == kTfLiteOk);
  CHECK(strings_are(out(it, 0), 4, (const char*[]){"p2", "p0", "p5", "p3"}));
  /* An index out of range fails the invoke, naming the op and index. */
  const int32_t bad[2] = {1, 3};
  CHECK(write_raw(it, 1, bad, sizeof(bad)));
  CHECK(TfLiteInterpreterInvoke(it) == kTfLiteError);
  CHECK_CONTAINS(PyliteGetLastError(), "GATHER: index 3");
  CHECK_CONTAINS(PyliteGetLastError(), "failed to invoke");
  op_free(it, model, bytes);
}

static void test_fill_pad_transpose_tile_strings(void) {
  Op o;
  TfLiteModel* model;
  uint8_t* bytes;
  /* FILL */
  op_begin(&o);
  const int32_t dims[2] = {2, 1};
  op_const(&o, T_I32, 1, (int[]){2}, dims, sizeof(dims));
  op_input(&o, T_STR, 0, NULL);
  op_output(&o, T_STR, 2, (int[]){2, 1});
  TfLiteInterpreter* it = op_load(&o, kOpFill, 0, 0, NULL, &model, &bytes);
  CHECK(TfLiteInterpreterAllocateTensors(it) == kTfLiteOk);
  CHECK(write_strings(it, 0, 1, (const char*[]){"xy"}));
  CHECK(TfLiteInterpreterInvoke(it) == kTfLiteOk);
  CHECK(shape_is(out(it, 0), 2, (int[]){2, 1}));
  CHECK(strings_are(out(it, 0), 2, (const char*[]){"xy", "xy"}));
  op_free(it, model, bytes);
  /* PAD pads strings with "" */
  op_begin(&o);
  const int32_t pads[2] = {1, 2};
  op_input(&o, T_STR, 1, (int[]){2});
  op_const(&o, T_I32, 2, (int[]){1, 2}, pads, sizeof(pads));
  op_output(&o, T_STR, 1, (int[]){5});
  it = op_load(&o, kOpPad, 0, 0, NULL, &model, &bytes);
  CHECK(TfLiteInterpreterAllocateTensors(it) == kTfLiteOk);
  CHECK(write_strings(it, 0, 2, (const char*[]){"a", "b"}));
  CHECK(TfLiteInterpreterInvoke(it) == kTfLiteOk);
  CHECK(strings_are(out(it, 0), 5, (const char*[]){"", "a", "b", "", ""}));
  op_free(it, model, bytes);
  /* TRANSPOSE */
  op_begin(&o);
  const int32_t perm[2] = {1, 0};
  op_input(&o, T_STR, 2, (int[]){2, 3});
  op_const(&o, T_I32, 1, (int[]){2}, perm, sizeof(perm));
  op_output(&o, T_STR, 2, (int[]){3, 2});
  it = op_load(&o, kOpTranspose, 0, 0, NULL, &model, &bytes);
  CHECK(TfLiteInterpreterAllocateTensors(it) == kTfLiteOk);
  CHECK(write_strings(it, 0, 6, (const char*[]){"a", "b", "c", "d", "e",
                                                "f"}));
  CHECK(TfLiteInterpreterInvoke(it) == kTfLiteOk);
  CHECK(strings_are(out(it, 0), 6,
                    (const char*[]){"a", "d", "b", "e", "c", "f"}));
  op_free(it, model, bytes);
  /* TILE with a multiple of 0: an empty string output */
  op_begin(&o);
  const int32_t mult[2] = {0, 2};
  op_input(&o, T_STR, 2, (int[]){1, 2});
  op_const(&o, T_I32, 1, (int[]){2}, mult, sizeof(mult));
  op_output(&o, T_STR, 2, (int[]){0, 4});
  it = op_load(&o, kOpTile, 0, 0, NULL, &model, &bytes);
  CHECK(TfLiteInterpreterAllocateTensors(it) == kTfLiteOk);
  CHECK(write_strings(it, 0, 2, (const char*[]){"a", "b"}));
  CHECK(TfLiteInterpreterInvoke(it) == kTfLiteOk);
  CHECK(shape_is(out(it, 0), 2, (int[]){0, 4}));
  CHECK(PyliteTensorGetStringCount(out(it, 0)) == 0);
  op_free(it, model, bytes);
}

/* Rank-0 TRANSPOSE and REVERSE_V2 copy the one element (LiteRT's reference
 * kernels leave it unwritten or crash). */
static void test_scalar_moves(void) {
  const int codes[2] = {kOpTranspose, kOpReverseV2};
  for (int k = 0; k < 2; ++k) {
    Op o;
    op_begin(&o);
    op_input(&o, T_F32, 0, NULL);
    op_const(&o, T_I32, 1, (int[]){0}, NULL, 0);
    op_output(&o, T_F32, 0, NULL);
    TfLiteModel* model;
    uint8_t* bytes;
    TfLiteInterpreter* it = op_load(&o, codes[k], 0, 0, NULL, &model,
                                    &bytes);
    CHECK(TfLiteInterpreterAllocateTensors(it) == kTfLiteOk);
    const float x = -2.5f;
    CHECK(write_raw(it, 0, &x, sizeof(x)));
    CHECK(TfLiteInterpreterInvoke(it) == kTfLiteOk);
    CHECK(shape_is(out(it, 0), 0, NULL));
    CHECK(*(const float*)TfLiteTensorData(out(it, 0)) == -2.5f);
    op_free(it, model, bytes);
  }
}

/* int64 UNPACK (LiteRT has no int64 form). */
static void test_unpack_int64(void) {
  Op o;
  op_begin(&o);
  op_input(&o, T_I64, 2, (int[]){2, 2});
  op_output(&o, T_I64, 1, (int[]){2});
  op_output(&o, T_I64, 1, (int[]){2});
  TfLiteModel* model;
  uint8_t* bytes;
  TfLiteInterpreter* it = op_load(&o, kOpUnpack, kOptUnpack, 2,
                                  (int32_t[]){2, 0}, &model, &bytes);
  CHECK(TfLiteInterpreterAllocateTensors(it) == kTfLiteOk);
  const int64_t x[4] = {1, (int64_t)1 << 40, -3, 4};
  CHECK(write_raw(it, 0, x, sizeof(x)));
  CHECK(TfLiteInterpreterInvoke(it) == kTfLiteOk);
  CHECK(memcmp(TfLiteTensorData(out(it, 0)), x, 16) == 0);
  CHECK(memcmp(TfLiteTensorData(out(it, 1)), x + 2, 16) == 0);
  op_free(it, model, bytes);
}

/* ---- Shapes and errors --------------------------------------------------- */

static void test_reverse_non_contiguous(void) {
  Op o;
  op_begin(&o);
  const int32_t axes[2] = {0, -1};
  op_input(&o, T_F32, 3, (int[]){2, 2, 2});
  op_const(&o, T_I32, 1, (int[]){2}, axes, sizeof(axes));
  op_output(&o, T_F32, 3, (int[]){2, 2, 2});
  TfLiteModel* model;
  uint8_t* bytes;
  TfLiteInterpreter* it = op_load(&o, kOpReverseV2, 0, 0, NULL, &model,
                                  &bytes);
  CHECK(TfLiteInterpreterAllocateTensors(it) == kTfLiteOk);
  const float x[8] = {0, 1, 2, 3, 4, 5, 6, 7};
  CHECK(write_raw(it, 0, x, sizeof(x)));
  CHECK(TfLiteInterpreterInvoke(it) == kTfLiteOk);
  const float want[8] = {5, 4, 7, 6, 1, 0, 3, 2};
  CHECK(memcmp(TfLiteTensorData(out(it, 0)), want, sizeof(want)) == 0);
  op_free(it, model, bytes);
}

static void test_empty_outputs(void) {
  Op o;
  op_begin(&o);
  const int32_t begin[2] = {1, 0}, size[2] = {0, -1};
  op_input(&o, T_F32, 2, (int[]){2, 3});
  op_const(&o, T_I32, 1, (int[]){2}, begin, sizeof(begin));
  op_const(&o, T_I32, 1, (int[]){2}, size, sizeof(size));
  op_output(&o, T_F32, 2, (int[]){0, 3});
  TfLiteModel* model;
  uint8_t* bytes;
  TfLiteInterpreter* it = op_load(&o, kOpSlice, 0, 0, NULL, &model, &bytes);
  CHECK(TfLiteInterpreterAllocateTensors(it) == kTfLiteOk);
  const float x[6] = {0};
  CHECK(write_raw(it, 0, x, sizeof(x)));
  CHECK(TfLiteInterpreterInvoke(it) == kTfLiteOk);
  CHECK(shape_is(out(it, 0), 2, (int[]){0, 3}));
  CHECK(TfLiteTensorByteSize(out(it, 0)) == 0);
  op_free(it, model, bytes);

  /* SQUEEZE of an empty input. */
  op_begin(&o);
  op_input(&o, T_I32, 3, (int[]){0, 1, 2});
  op_output(&o, T_I32, 2, (int[]){0, 2});
  it = op_load(&o, kOpSqueeze, 0, 0, NULL, &model, &bytes);
  CHECK(TfLiteInterpreterAllocateTensors(it) == kTfLiteOk);
  CHECK(TfLiteInterpreterInvoke(it) == kTfLiteOk);
  CHECK(shape_is(out(it, 0), 2, (int[]){0, 2}));
  op_free(it, model, bytes);
}

static void test_transpose_rank_limit(void) {
  Op o;
  op_begin(&o);
  const int32_t perm[7] = {6, 5, 4, 3, 2, 1, 0};
  op_input(&o, T_F32, 7, (int[]){1, 1, 1, 1, 1, 1, 2});
  op_const(&o, T_I32, 1, (int[]){7}, perm, sizeof(perm));
  op_output(&o, T_F32, 7, (int[]){2, 1, 1, 1, 1, 1, 1});
  TfLiteModel* model;
  uint8_t* bytes;
  TfLiteInterpreter* it = op_load(&o, kOpTranspose, 0, 0, NULL, &model,
                                  &bytes);
  CHECK(TfLiteInterpreterAllocateTensors(it) == kTfLiteError);
  CHECK_CONTAINS(PyliteGetLastError(), "TRANSPOSE supports up to 6 dims");
  op_free(it, model, bytes);
}

/* RANGE from graph inputs gives a dynamic output; the REVERSE_V2 after it
 * is prepared at Invoke. */
static void test_dynamic_chain(void) {
  MbModel m;
  mb_init(&m, "range then reverse");
  MbSubgraph* sg = mb_subgraph(&m, "main");
  const int a = mb_tensor(sg, "a", T_I32, 0, NULL);
  const int b = mb_tensor(sg, "b", T_I32, 0, NULL);
  const int d = mb_tensor(sg, "d", T_I32, 0, NULL);
  const int r = mb_tensor(sg, "r", T_I32, 1, (int[]){1});
  const int32_t axis[1] = {0};
  const int ax = mb_tensor_data(sg, "axis", T_I32, 1, (int[]){1}, axis,
                                sizeof(axis));
  const int y = mb_tensor(sg, "y", T_I32, 1, (int[]){1});
  mb_op(sg, mb_opcode(&m, kOpRange, NULL), 3, (int[]){a, b, d}, 1,
        (int[]){r});
  mb_op(sg, mb_opcode(&m, kOpReverseV2, NULL), 2, (int[]){r, ax}, 1,
        (int[]){y});
  mb_io(sg, 3, (int[]){a, b, d}, 1, (int[]){y});
  size_t size = 0;
  uint8_t* bytes = mb_build(&m, &size);
  TfLiteModel* model = TfLiteModelCreateWithErrorReporter(
      bytes, size, PyliteQuietReporter, NULL);
  TfLiteInterpreterOptions* opts = TfLiteInterpreterOptionsCreate();
  TfLiteInterpreterOptionsSetErrorReporter(opts, PyliteQuietReporter, NULL);
  TfLiteInterpreter* it = TfLiteInterpreterCreate(model, opts);
  TfLiteInterpreterOptionsDelete(opts);
  CHECK(it != NULL);
  CHECK(TfLiteInterpreterAllocateTensors(it) == kTfLiteOk);
  const int32_t va = 1, vb = 10, vd = 3;
  CHECK(write_raw(it, 0, &va, 4));
  CHECK(write_raw(it, 1, &vb, 4));
  CHECK(write_raw(it, 2, &vd, 4));
  CHECK(TfLiteInterpreterInvoke(it) == kTfLiteOk);
  CHECK(shape_is(out(it, 0), 1, (int[]){3}));
  const int32_t want[3] = {7, 4, 1};
  CHECK(memcmp(TfLiteTensorData(out(it, 0)), want, sizeof(want)) == 0);
  const int32_t vd2 = 4; /* a new length on the next run */
  CHECK(write_raw(it, 2, &vd2, 4));
  CHECK(TfLiteInterpreterInvoke(it) == kTfLiteOk);
  CHECK(shape_is(out(it, 0), 1, (int[]){3}));
  const int32_t want2[3] = {9, 5, 1};
  CHECK(memcmp(TfLiteTensorData(out(it, 0)), want2, sizeof(want2)) == 0);
  const int32_t vd3 = -1; /* leads away from the limit */
  CHECK(write_raw(it, 2, &vd3, 4));
  CHECK(TfLiteInterpreterInvoke(it) == kTfLiteError);
  CHECK_CONTAINS(PyliteGetLastError(), "RANGE");
  op_free(it, model, bytes);
}

/* ---- TRANSPOSE against a plain reference ------------------------------------ */

/* Output element i of a transpose, found by index arithmetic alone: the
 * input element whose coordinate along perm[j] is the output's along j. */
static int64_t transpose_source(int rank, const int* in_dims, const int* perm,
                                int64_t i) {
  int out_dims[6], coord[6];
  for (int j = 0; j < rank; ++j) out_dims[j] = in_dims[perm[j]];
  for (int j = rank - 1; j >= 0; --j) {
    coord[perm[j]] = (int)(i % out_dims[j]);
    i /= out_dims[j];
  }
  int64_t src = 0;
  for (int j = 0; j < rank; ++j) src = src * in_dims[j] + coord[j];
  return src;
}

/* Every element size (1, 2, 4 and 8 bytes), tile remainders, several
 * planes, dims of size 1 and identity perms, with the perm constant (the
 * copy planned in prepare) and as an input (planned at every invoke), on
 * 1, 2 and 4 threads, with the vector paths and the portable ones. */
static void test_transpose_reference(void) {
  static const struct {
    int rank;
    int dims[6];
    int perm[6];
  } cases[] = {
      {2, {3, 5}, {1, 0}},
      {2, {16, 16}, {1, 0}},
      {3, {2, 13, 17}, {0, 2, 1}},
      {4, {1, 4, 64, 9}, {0, 1, 3, 2}},
      {4, {1, 3, 9, 11}, {0, 2, 1, 3}},
      {4, {4, 1, 9, 11}, {2, 1, 3, 0}},
      {3, {5, 1, 7}, {2, 1, 0}},
      {3, {3, 4, 5}, {0, 1, 2}},
      {5, {2, 3, 4, 5, 6}, {4, 2, 0, 3, 1}},
      {6, {2, 1, 3, 2, 1, 4}, {5, 3, 0, 4, 2, 1}},
      /* Large enough to be split across threads. */
      {3, {3, 64, 129}, {0, 2, 1}},
      {3, {1, 130, 200}, {0, 2, 1}},
      {3, {200, 30, 40}, {1, 0, 2}},
  };
  static const struct {
    int type;
    size_t size;
  } types[] = {{T_I8, 1}, {T_I16, 2}, {T_F32, 4}, {T_I32, 4}, {T_I64, 8}};
  for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); ++c) {
    const int rank = cases[c].rank;
    int out_dims[6];
    int64_t count = 1;
    for (int j = 0; j < rank; ++j) {
      out_dims[j] = cases[c].dims[cases[c].perm[j]];
      count *= cases[c].dims[j];
    }
    for (size_t k = 0; k < sizeof(types) / sizeof(types[0]); ++k) {
      for (int run = 0; run < 12; ++run) {
        const int perm_input = run % 2, threads = 1 << (run / 2 % 3);
        const bool portable = run >= 6;
        pl_simd_force_portable(portable);
        const size_t e = types[k].size, bytes = (size_t)count * e;
        Op o;
        op_begin(&o);
        op_input(&o, types[k].type, rank, cases[c].dims);
        if (perm_input)
          op_input(&o, T_I32, 1, (int[]){rank});
        else
          op_const(&o, T_I32, 1, (int[]){rank}, cases[c].perm,
                   sizeof(int32_t) * (size_t)rank);
        op_output(&o, types[k].type, rank, out_dims);
        TfLiteInterpreter* it =
            op_load_threads(&o, kOpTranspose, 0, 0, NULL, threads);
        uint8_t* x = malloc(bytes);
        for (size_t b = 0; b < bytes; ++b) x[b] = (uint8_t)check_rand_u32();
        CHECK(TfLiteInterpreterAllocateTensors(it) == kTfLiteOk);
        CHECK(write_raw(it, 0, x, bytes));
        if (perm_input)
          CHECK(write_raw(it, 1, cases[c].perm, sizeof(int32_t) * (size_t)rank));
        CHECK(TfLiteInterpreterInvoke(it) == kTfLiteOk);
        CHECK(shape_is(out(it, 0), rank, out_dims));
        const uint8_t* y = TfLiteTensorData(out(it, 0));
        bool same = y != NULL;
        for (int64_t i = 0; same && i < count; ++i) {
          const int64_t src =
              transpose_source(rank, cases[c].dims, cases[c].perm, i);
          same = memcmp(y + i * (int64_t)e, x + src * (int64_t)e, e) == 0;
        }
        if (!same)
          printf("  transpose case %zu, %zu-byte elements, perm %s, %d "
                 "threads%s\n", c, e, perm_input ? "input" : "constant",
                 threads, portable ? ", portable" : "");
        CHECK(same);
        free(x);
        op_release(&o, it);
      }
    }
  }
  pl_simd_force_portable(false);
}

/* ---- Reshapes sharing their input's buffer --------------------------------- */

static const float* tensor_f32(TfLiteInterpreter* it, int index) {
  return TfLiteTensorData(TfLiteInterpreterGetTensor(it, index));
}

/* RESHAPE, EXPAND_DIMS and SQUEEZE of an arena tensor give their output
 * the input's buffer (chains included) instead of copying; a graph output
 * keeps its own buffer, and a graph input may be shared by an
 * intermediate. The values are checked over two invokes and a resize. */
static void test_reshape_sharing(void) {
  enum { kX, kOne, kA, kShape6, kB, kAxis, kC, kD, kE, kShape32, kF, kG, kH,
         kK };
  MbModel m;
  mb_init(&m, "reshape sharing");
  const int add = mb_opcode(&m, OP_ADD, NULL);
  const int reshape = mb_opcode(&m, OP_RESHAPE, NULL);
  const int expand = mb_opcode(&m, kOpExpandDims, NULL);
  const int squeeze = mb_opcode(&m, kOpSqueeze, NULL);
  MbSubgraph* sg = mb_subgraph(&m, "main");
  const float one = 1.0f;
  const int32_t six = 6, axis = 0, s32[2] = {3, 2};
  mb_tensor(sg, "x", T_F32, 2, (int[]){2, 3});
  mb_tensor_data(sg, NULL, T_F32, 1, (int[]){1}, &one, sizeof(one));
  mb_tensor(sg, "a", T_F32, 2, (int[]){2, 3});
  mb_tensor_data(sg, NULL, T_I32, 1, (int[]){1}, &six, sizeof(six));
  mb_tensor(sg, "b", T_F32, 1, (int[]){6});
  mb_tensor_data(sg, NULL, T_I32, 0, NULL, &axis, sizeof(axis));
  mb_tensor(sg, "c", T_F32, 2, (int[]){1, 6});
  mb_tensor(sg, "d", T_F32, 2, (int[]){1, 6});
  mb_tensor(sg, "e", T_F32, 2, (int[]){3, 2});
  mb_tensor_data(sg, NULL, T_I32, 1, (int[]){2}, s32, sizeof(s32));
  mb_tensor(sg, "f", T_F32, 1, (int[]){6});
  mb_tensor(sg, "g", T_F32, 1, (int[]){6});
  mb_tensor(sg, "h", T_F32, 1, (int[]){6});
  mb_tensor(sg, "k", T_F32, 1, (int[]){6});
  mb_op(sg, add, 2, (int[]){kX, kOne}, 1, (int[]){kA})->options = OPT_ADD;
  mb_op(sg, reshape, 2, (int[]){kA, kShape6}, 1, (int[]){kB});
  mb_op(sg, expand, 2, (int[]){kB, kAxis}, 1, (int[]){kC});
  mb_op(sg, add, 2, (int[]){kC, kOne}, 1, (int[]){kD})->options = OPT_ADD;
  mb_op(sg, reshape, 2, (int[]){kX, kShape32}, 1, (int[]){kE});
  mb_op(sg, squeeze, 1, (int[]){kC}, 1, (int[]){kF});
  mb_op(sg, add, 2, (int[]){kF, kB}, 1, (int[]){kG})->options = OPT_ADD;
  mb_op(sg, reshape, 2, (int[]){kX, kShape6}, 1, (int[]){kH});
  mb_op(sg, add, 2, (int[]){kH, kG}, 1, (int[]){kK})->options = OPT_ADD;
  mb_io(sg, 1, (int[]){kX}, 4, (int[]){kD, kE, kG, kK});
  size_t size = 0;
  uint8_t* bytes = mb_build(&m, &size);
  Run run;
  run_load(&run, bytes, size);
  TfLiteInterpreter* it = run.interp;
  CHECK(it != NULL);
  for (int round = 0; it && round < 2; ++round) {
    CHECK(TfLiteInterpreterAllocateTensors(it) == kTfLiteOk);
    const float* a = tensor_f32(it, kA);
    CHECK(a != NULL && tensor_f32(it, kB) == a && tensor_f32(it, kC) == a &&
          tensor_f32(it, kF) == a);
    CHECK(tensor_f32(it, kH) == tensor_f32(it, kX));
    /* Graph outputs are never shared. */
    CHECK(tensor_f32(it, kE) != tensor_f32(it, kX));
    CHECK(tensor_f32(it, kD) != a && tensor_f32(it, kG) != a);
    for (int pass = 0; pass < 2; ++pass) {
      float x[6];
      for (int i = 0; i < 6; ++i) x[i] = (float)(pass ? -i : 3 * i) + 0.5f;
      CHECK(write_raw(it, 0, x, sizeof(x)));
      CHECK(TfLiteInterpreterInvoke(it) == kTfLiteOk);
      CHECK(shape_is(out(it, 0), 2, (int[]){1, 6}));
      CHECK(shape_is(out(it, 1), 2, (int[]){3, 2}));
      const float* d = TfLiteTensorData(out(it, 0));
      const float* e = TfLiteTensorData(out(it, 1));
      const float* g = TfLiteTensorData(out(it, 2));
      const float* k = TfLiteTensorData(out(it, 3));
      for (int i = 0; i < 6; ++i) {
        CHECK(d[i] == x[i] + 2.0f && e[i] == x[i]);
        CHECK(g[i] == 2.0f * (x[i] + 1.0f));
        CHECK(k[i] == x[i] + 2.0f * (x[i] + 1.0f));
      }
    }
    /* A new allocation plans the sharing again. */
    CHECK(TfLiteInterpreterResizeInputTensor(it, 0, (int[]){2, 3}, 2) ==
          kTfLiteOk);
  }
  run_close(&run);
}

/* SPLIT and UNPACK whose parts are contiguous (nothing before the axis)
 * give each output its part of the input's buffer, after a RESHAPE sharing
 * it too; a split along an inner axis copies, and so does a node one of
 * whose outputs is a graph output (all or nothing). */
static void test_split_sharing(void) {
  enum { kX, kOne, kA, kAxis1, kB0, kB1, kB2, kC, kShape32, kR, kU0, kU1, kU2,
         kD, kS0, kS1, kE, kP0, kP1, kF };
  MbModel m;
  mb_init(&m, "split sharing");
  const int add = mb_opcode(&m, OP_ADD, NULL);
  const int reshape = mb_opcode(&m, OP_RESHAPE, NULL);
  const int split = mb_opcode(&m, kOpSplit, NULL);
  const int unpack = mb_opcode(&m, kOpUnpack, NULL);
  MbSubgraph* sg = mb_subgraph(&m, "main");
  const float one = 1.0f;
  const int32_t axis1 = 1, s32[2] = {3, 2};
  mb_tensor(sg, "x", T_F32, 2, (int[]){1, 6});
  mb_tensor_data(sg, NULL, T_F32, 1, (int[]){1}, &one, sizeof(one));
  mb_tensor(sg, "a", T_F32, 2, (int[]){1, 6});
  mb_tensor_data(sg, NULL, T_I32, 0, NULL, &axis1, sizeof(axis1));
  for (int k = 0; k < 3; ++k) mb_tensor(sg, NULL, T_F32, 2, (int[]){1, 2});
  mb_tensor(sg, "c", T_F32, 2, (int[]){1, 2});
  mb_tensor_data(sg, NULL, T_I32, 1, (int[]){2}, s32, sizeof(s32));
  mb_tensor(sg, "r", T_F32, 2, (int[]){3, 2});
  for (int k = 0; k < 3; ++k) mb_tensor(sg, NULL, T_F32, 1, (int[]){2});
  mb_tensor(sg, "d", T_F32, 1, (int[]){2});
  mb_tensor(sg, "s0", T_F32, 2, (int[]){3, 1});
  mb_tensor(sg, "s1", T_F32, 2, (int[]){3, 1});
  mb_tensor(sg, "e", T_F32, 2, (int[]){3, 1});
  mb_tensor(sg, "p0", T_F32, 2, (int[]){1, 3});
  mb_tensor(sg, "p1", T_F32, 2, (int[]){1, 3});
  mb_tensor(sg, "f", T_F32, 2, (int[]){1, 3});
  mb_op(sg, add, 2, (int[]){kX, kOne}, 1, (int[]){kA})->options = OPT_ADD;
  MbOp* op = mb_op(sg, split, 2, (int[]){kAxis1, kA}, 3,
                   (int[]){kB0, kB1, kB2});
  op->options = kOptSplit, op->num_i32 = 1, op->i32[0] = 3;
  mb_op(sg, add, 2, (int[]){kB0, kB2}, 1, (int[]){kC})->options = OPT_ADD;
  mb_op(sg, reshape, 2, (int[]){kA, kShape32}, 1, (int[]){kR});
  op = mb_op(sg, unpack, 1, (int[]){kR}, 3, (int[]){kU0, kU1, kU2});
  op->options = kOptUnpack, op->num_i32 = 2, op->i32[0] = 3, op->i32[1] = 0;
  mb_op(sg, add, 2, (int[]){kU1, kB1}, 1, (int[]){kD})->options = OPT_ADD;
  op = mb_op(sg, split, 2, (int[]){kAxis1, kR}, 2, (int[]){kS0, kS1});
  op->options = kOptSplit, op->num_i32 = 1, op->i32[0] = 2;
  mb_op(sg, add, 2, (int[]){kS0, kS1}, 1, (int[]){kE})->options = OPT_ADD;
  op = mb_op(sg, split, 2, (int[]){kAxis1, kA}, 2, (int[]){kP0, kP1});
  op->options = kOptSplit, op->num_i32 = 1, op->i32[0] = 2;
  mb_op(sg, add, 2, (int[]){kP1, kP0}, 1, (int[]){kF})->options = OPT_ADD;
  mb_io(sg, 1, (int[]){kX}, 5, (int[]){kC, kD, kE, kP0, kF});
  size_t size = 0;
  uint8_t* bytes = mb_build(&m, &size);
  Run run;
  run_load(&run, bytes, size);
  TfLiteInterpreter* it = run.interp;
  CHECK(it != NULL);
  if (it) {
    CHECK(TfLiteInterpreterAllocateTensors(it) == kTfLiteOk);
    const float* a = tensor_f32(it, kA);
    CHECK(a != NULL && tensor_f32(it, kB0) == a &&
          tensor_f32(it, kB1) == a + 2 && tensor_f32(it, kB2) == a + 4);
    CHECK(tensor_f32(it, kR) == a && tensor_f32(it, kU0) == a &&
          tensor_f32(it, kU1) == a + 2 && tensor_f32(it, kU2) == a + 4);
    /* Copies: an inner axis, and a node with a graph output. */
    const float* s0 = tensor_f32(it, kS0);
    CHECK(s0 != NULL && (s0 + 3 <= a || s0 >= a + 6));
    const float* p1 = tensor_f32(it, kP1);
    CHECK(p1 != NULL && (p1 + 3 <= a || p1 >= a + 6));
    for (int pass = 0; pass < 2; ++pass) {
      float x[6], v[6];
      for (int i = 0; i < 6; ++i) {
        x[i] = (float)(pass ? 5 - 2 * i : 3 * i) + 0.25f;
        v[i] = x[i] + 1.0f;
      }
      CHECK(write_raw(it, 0, x, sizeof(x)));
      CHECK(TfLiteInterpreterInvoke(it) == kTfLiteOk);
      const float* c = TfLiteTensorData(out(it, 0));
      const float* d = TfLiteTensorData(out(it, 1));
      const float* e = TfLiteTensorData(out(it, 2));
      const float* p0 = TfLiteTensorData(out(it, 3));
      const float* f = TfLiteTensorData(out(it, 4));
      CHECK(c[0] == v[0] + v[4] && c[1] == v[1] + v[5]);
      CHECK(d[0] == v[2] + v[2] && d[1] == v[3] + v[3]);
      CHECK(e[0] == v[0] + v[1] && e[1] == v[2] + v[3] && e[2] == v[4] + v[5]);
      CHECK(p0[0] == v[0] && p0[1] == v[1] && p0[2] == v[2]);
      for (int i = 0; i < 3; ++i) CHECK(f[i] == v[3 + i] + v[i]);
    }
  }
  run_close(&run);
}

/* SLICE and STRIDED_SLICE of consecutive rows give the output its part of
 * the input's buffer; a column slice copies. */
static void test_slice_sharing(void) {
  enum { kX, kOne, kA, kBegin1, kSize23, kB, kBegin01, kSize41, kC, kBegin2,
         kEnd43, kStrides, kD, kE, kF };
  MbModel m;
  mb_init(&m, "slice sharing");
  const int add = mb_opcode(&m, OP_ADD, NULL);
  const int slice = mb_opcode(&m, kOpSlice, NULL);
  const int sslice = mb_opcode(&m, kOpStridedSlice, NULL);
  MbSubgraph* sg = mb_subgraph(&m, "main");
  const float one = 1.0f;
  const int32_t begin1[2] = {1, 0}, size23[2] = {2, 3}, begin01[2] = {0, 1},
                size41[2] = {4, 1}, begin2[2] = {2, 0}, end43[2] = {4, 3},
                strides[2] = {1, 1};
  const int two[1] = {2};
  mb_tensor(sg, "x", T_F32, 2, (int[]){4, 3});
  mb_tensor_data(sg, NULL, T_F32, 1, (int[]){1}, &one, sizeof(one));
  mb_tensor(sg, "a", T_F32, 2, (int[]){4, 3});
  mb_tensor_data(sg, NULL, T_I32, 1, two, begin1, sizeof(begin1));
  mb_tensor_data(sg, NULL, T_I32, 1, two, size23, sizeof(size23));
  mb_tensor(sg, "b", T_F32, 2, (int[]){2, 3});
  mb_tensor_data(sg, NULL, T_I32, 1, two, begin01, sizeof(begin01));
  mb_tensor_data(sg, NULL, T_I32, 1, two, size41, sizeof(size41));
  mb_tensor(sg, "c", T_F32, 2, (int[]){4, 1});
  mb_tensor_data(sg, NULL, T_I32, 1, two, begin2, sizeof(begin2));
  mb_tensor_data(sg, NULL, T_I32, 1, two, end43, sizeof(end43));
  mb_tensor_data(sg, NULL, T_I32, 1, two, strides, sizeof(strides));
  mb_tensor(sg, "d", T_F32, 2, (int[]){2, 3});
  mb_tensor(sg, "e", T_F32, 2, (int[]){2, 3});
  mb_tensor(sg, "f", T_F32, 2, (int[]){4, 1});
  mb_op(sg, add, 2, (int[]){kX, kOne}, 1, (int[]){kA})->options = OPT_ADD;
  mb_op(sg, slice, 3, (int[]){kA, kBegin1, kSize23}, 1, (int[]){kB});
  mb_op(sg, slice, 3, (int[]){kA, kBegin01, kSize41}, 1, (int[]){kC});
  mb_op(sg, sslice, 4, (int[]){kA, kBegin2, kEnd43, kStrides}, 1,
        (int[]){kD});
  mb_op(sg, add, 2, (int[]){kB, kD}, 1, (int[]){kE})->options = OPT_ADD;
  mb_op(sg, add, 2, (int[]){kC, kC}, 1, (int[]){kF})->options = OPT_ADD;
  mb_io(sg, 1, (int[]){kX}, 2, (int[]){kE, kF});
  size_t size = 0;
  uint8_t* bytes = mb_build(&m, &size);
  Run run;
  run_load(&run, bytes, size);
  TfLiteInterpreter* it = run.interp;
  CHECK(it != NULL);
  if (it) {
    CHECK(TfLiteInterpreterAllocateTensors(it) == kTfLiteOk);
    const float* a = tensor_f32(it, kA);
    CHECK(a != NULL && tensor_f32(it, kB) == a + 3 &&
          tensor_f32(it, kD) == a + 6);
    const float* c = tensor_f32(it, kC);
    CHECK(c != NULL && (c + 4 <= a || c >= a + 12));
    float x[12], v[12];
    for (int i = 0; i < 12; ++i) x[i] = 1.5f * (float)i - 4.0f, v[i] = x[i] + 1;
    CHECK(write_raw(it, 0, x, sizeof(x)));
    CHECK(TfLiteInterpreterInvoke(it) == kTfLiteOk);
    const float* e = TfLiteTensorData(out(it, 0));
    const float* f = TfLiteTensorData(out(it, 1));
    for (int i = 0; i < 6; ++i) CHECK(e[i] == v[3 + i] + v[6 + i]);
    for (int r = 0; r < 4; ++r) CHECK(f[r] == v[3 * r + 1] + v[3 * r + 1]);
  }
  run_close(&run);
}

int main(void) {
  test_concat_strings();
  test_concat_activation();
  test_pack_unpack_strings();
  test_split_v_strings();
  test_gather_strings_axis1();
  test_fill_pad_transpose_tile_strings();
  test_reverse_non_contiguous();
  test_scalar_moves();
  test_unpack_int64();
  test_empty_outputs();
  test_transpose_rank_limit();
  test_dynamic_chain();
  test_reshape_sharing();
  test_transpose_reference();
  test_split_sharing();
  test_slice_sharing();
  return CHECK_SUMMARY();
}
