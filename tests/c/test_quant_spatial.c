/* pylite: hand-worked values of the quantized reduction kernels.
 *
 * The conformance group qspatial checks these ops (and the quantized pools,
 * whose options this model builder cannot write) against LiteRT; this file
 * pins the roundings that tell LiteRT's integer kernels apart from a float
 * computation (MEAN's fixed-point multiply rounds halves up, SUM rounds
 * them away from zero, quantized PROD rescales every step) and some
 * quantization-parameter errors. Tensors here are quantized with zero point
 * 0 (what the model builder writes). */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "model_builder.h"
#include "pylite/c_api.h"
#include "pylite/pylite.h"

#define OP_TEST_NAME "quantized spatial test"
#include "op_test_util.h"

enum {
  kOpMean = 40,
  kOpSum = 74,
  kOpReduceProd = 81,
  kOpReshape = 22,
};
enum { kOptReducer = 27 };

/* Quantizes the tensor just added (per tensor, zero point 0). */
static void quantize_last(Op* o, float scale) {
  o->sg->tensors[o->sg->num_tensors - 1].scale = scale;
}

/* Runs a one-op int8 model on `in` (n_in values) and checks `want`. */
static void run_i8(Op* o, int code, int options, int n_fields,
                   const int32_t* fields, const int8_t* in, int n_in,
                   const int8_t* want, int n_out) {
  TfLiteInterpreter* it = op_load_threads(o, code, options, n_fields, fields,
                                          1);
  CHECK(TfLiteInterpreterAllocateTensors(it) == kTfLiteOk);
  CHECK(write_raw(it, 0, in, (size_t)n_in));
  CHECK(TfLiteInterpreterInvoke(it) == kTfLiteOk);
  const int8_t* got = TfLiteTensorData(out(it, 0));
  for (int i = 0; i < n_out; ++i) {
    CHECK(got[i] == want[i]);
    if (got[i] != want[i])
      fprintf(stderr, "  element %d: got %d, want %d\n", i, got[i], want[i]);
  }
  op_release(o, it);
}

/* MEAN int8 of pairs with equal scales: 1/2 is folded into the multiplier
 * and the doubling high multiply rounds halves up: -0.5 -> 0, 0.5 -> 1,
 * -1.5 -> -1, 1.5 -> 2 (a float mean rounded away from zero would give -1,
 * 1, -2, 2). */
static void test_mean_rounding(void) {
  const int8_t in[8] = {-1, 0, 1, 0, -3, 0, 3, 0};
  const int8_t want[4] = {0, 1, -1, 2};
  const int32_t axis = 1;
  Op o;
  op_begin(&o);
  op_input(&o, T_I8, 2, (int[]){4, 2});
  quantize_last(&o, 0.25f);
  op_const(&o, T_I32, 1, (int[]){1}, &axis, 4);
  op_output(&o, T_I8, 1, (int[]){4});
  quantize_last(&o, 0.25f);
  run_i8(&o, kOpMean, kOptReducer, 1, (int32_t[]){0}, in, 8, want, 4);
}

/* SUM int8 with output scale 4x the input's (LiteRT's builtin float
 * rescaling): 6 / 4 = 1.5 -> 2 and -6 / 4 -> -2 (roundf, halves away from
 * zero), 381 / 4 -> 95, 127 / 4 -> 32. */
static void test_sum_rescale(void) {
  const int8_t in[12] = {1, 2, 3, -1, -2, -3, 127, 127, 127, 127, 0, 0};
  const int8_t want[4] = {2, -2, 95, 32};
  const int32_t axis = 1;
  Op o;
  op_begin(&o);
  op_input(&o, T_I8, 2, (int[]){4, 3});
  quantize_last(&o, 1.0f);
  op_const(&o, T_I32, 1, (int[]){1}, &axis, 4);
  op_output(&o, T_I8, 1, (int[]){4});
  quantize_last(&o, 4.0f);
  run_i8(&o, kOpSum, kOptReducer, 1, (int32_t[]){0}, in, 12, want, 4);
}

/* REDUCE_PROD int8 with scales 0.5 in and out over 2 elements: the step
 * scaling is 0.5 / sqrt(0.5) = 0.7071; 4 * 6 = 24 -> 17 (rescaled once per
 * step) -> 12 (rescaled at the end): 2 * 3 = 6 in real values -> 12. */
static void test_prod_steps(void) {
  const int8_t in[4] = {4, 6, -4, 6};
  const int8_t want[2] = {12, -12};
  const int32_t axis = 1;
  Op o;
  op_begin(&o);
  op_input(&o, T_I8, 2, (int[]){2, 2});
  quantize_last(&o, 0.5f);
  op_const(&o, T_I32, 1, (int[]){1}, &axis, 4);
  op_output(&o, T_I8, 1, (int[]){2});
  quantize_last(&o, 0.5f);
  run_i8(&o, kOpReduceProd, kOptReducer, 1, (int32_t[]){0}, in, 4, want, 2);
}

/* Allocation fails with `message`. */
static void expect_error(Op* o, int code, int options, int n_fields,
                         const int32_t* fields, const char* message) {
  TfLiteInterpreter* it = op_load_threads(o, code, options, n_fields, fields,
                                          1);
  CHECK(TfLiteInterpreterAllocateTensors(it) == kTfLiteError);
  CHECK_CONTAINS(PyliteGetLastError(), message);
  op_release(o, it);
}

static void test_errors(void) {
  const int32_t axis = 1;
  { /* int8 MEAN without quantization */
    Op o;
    op_begin(&o);
    op_input(&o, T_I8, 2, (int[]){2, 2});
    op_const(&o, T_I32, 1, (int[]){1}, &axis, 4);
    op_output(&o, T_I8, 1, (int[]){2});
    expect_error(&o, kOpMean, kOptReducer, 1, (int32_t[]){0},
                 "has no quantization parameters");
  }
  { /* uint8 quantized REDUCE_PROD */
    Op o;
    op_begin(&o);
    op_input(&o, T_U8, 2, (int[]){2, 2});
    quantize_last(&o, 0.5f);
    op_const(&o, T_I32, 1, (int[]){1}, &axis, 4);
    op_output(&o, T_U8, 1, (int[]){2});
    quantize_last(&o, 0.5f);
    expect_error(&o, kOpReduceProd, kOptReducer, 1, (int32_t[]){0},
                 "quantized uint8 input is not supported");
  }
  { /* RESHAPE from a quantized int16 to an unquantized one */
    const int32_t shape[1] = {4};
    Op o;
    op_begin(&o);
    op_input(&o, T_I16, 2, (int[]){2, 2});
    quantize_last(&o, 0.5f);
    op_const(&o, T_I32, 1, (int[]){1}, shape, 4);
    op_output(&o, T_I16, 1, (int[]){4});
    expect_error(&o, kOpReshape, OPT_NONE, 0, NULL, "same quantization");
  }
}

int main(void) {
  test_mean_rounding();
  test_sum_rescale();
  test_prod_steps();
  test_errors();
  return CHECK_SUMMARY();
}
