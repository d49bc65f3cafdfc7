/* The LiteRT guide's C sample ("Run signatures", C), run against pylite.
 *
 * The guide's lines are kept as printed (with its two slips fixed, see the
 * guide); added are the includes, loading the model, filling x = [1, 2, 3],
 * printing, the decode half (the guide shows encode only) and the Keras
 * Dense model's serving_default signature.
 *
 * Usage: signatures_c MODELS_DIR */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tensorflow/lite/c/c_api.h"
#include "pylite/pylite.h" /* string tensors, last error */

/* Shortest "%g" that reads back as the same float32; ".0" added to
 * integers. The same rule is used by every language's sample. */
static void format_float(float v, char* out, size_t size) {
  for (int p = 1; p <= 9; ++p) {
    snprintf(out, size, "%.*g", p, (double)v);
    if (strtof(out, NULL) == v) break;
  }
  if (!strpbrk(out, ".eni")) strncat(out, ".0", size - strlen(out) - 1);
}

static int fail(const char* what) {
  fprintf(stderr, "c: %s failed: %s\n", what, PyliteGetLastError());
  return 1;
}

static int run_coding(const char* path) {
  TfLiteModel* model = TfLiteModelCreateFromFile(path);
  if (!model) return fail("TfLiteModelCreateFromFile");
  TfLiteInterpreter* interpreter = TfLiteInterpreterCreate(model, NULL);
  TfLiteModelDelete(model);
  if (!interpreter) return fail("TfLiteInterpreterCreate");

  /* ---- The guide's sample ---- */
  TfLiteSignatureRunner* encode_runner =
      TfLiteInterpreterGetSignatureRunner(interpreter, "encode");
  const int dims[] = {3};
  const int num_dims = 1;
  TfLiteSignatureRunnerResizeInputTensor(encode_runner, "x", dims, num_dims);
  TfLiteSignatureRunnerAllocateTensors(encode_runner);

  TfLiteTensor* input_tensor =
      TfLiteSignatureRunnerGetInputTensor(encode_runner, "x");
  float* input = (float*)TfLiteTensorData(input_tensor);
  if (!input) return fail("AllocateTensors");
  // Fill `input`.
  input[0] = 1, input[1] = 2, input[2] = 3;

  if (TfLiteSignatureRunnerInvoke(encode_runner) != kTfLiteOk)
    return fail("encode");

  const TfLiteTensor* output_tensor =
      TfLiteSignatureRunnerGetOutputTensor(encode_runner, "encoded_result");
  // Access the output (a string tensor for `encode`).
  /* ---- end of the guide's sample ---- */

  int32_t count = PyliteTensorGetStringCount(output_tensor);
  const char* strings[16];
  size_t lengths[16];
  printf("c: encoded_result = [");
  for (int32_t i = 0; i < count && i < 16; ++i) {
    PyliteTensorGetString(output_tensor, i, &strings[i], &lengths[i]);
    printf("%s'%.*s'", i ? ", " : "", (int)lengths[i], strings[i]);
  }
  printf("]\n");

  /* Decode: feed the encoded strings back. */
  TfLiteSignatureRunner* decode_runner =
      TfLiteInterpreterGetSignatureRunner(interpreter, "decode");
  const int decode_dims[] = {count};
  TfLiteSignatureRunnerResizeInputTensor(decode_runner, "x", decode_dims, 1);
  TfLiteSignatureRunnerAllocateTensors(decode_runner);
  TfLiteTensor* decode_input =
      TfLiteSignatureRunnerGetInputTensor(decode_runner, "x");
  PyliteTensorWriteStrings(decode_input, count, strings, lengths);
  if (TfLiteSignatureRunnerInvoke(decode_runner) != kTfLiteOk)
    return fail("decode");
  const TfLiteTensor* decoded =
      TfLiteSignatureRunnerGetOutputTensor(decode_runner, "decoded_result");
  const float* values = (const float*)TfLiteTensorData(decoded);
  if (!values) return fail("decoded_result");
  printf("c: decoded_result = [");
  for (int32_t i = 0; i < TfLiteTensorDim(decoded, 0); ++i) {
    char text[32];
    format_float(values[i], text, sizeof(text));
    printf("%s%s", i ? ", " : "", text);
  }
  printf("]\n");

  TfLiteSignatureRunnerDelete(decode_runner);
  TfLiteSignatureRunnerDelete(encode_runner);
  TfLiteInterpreterDelete(interpreter);
  return 0;
}

static int run_dense(const char* path) {
  TfLiteModel* model = TfLiteModelCreateFromFile(path);
  if (!model) return fail("TfLiteModelCreateFromFile");
  TfLiteInterpreter* interpreter = TfLiteInterpreterCreate(model, NULL);
  TfLiteModelDelete(model);
  if (!interpreter) return fail("TfLiteInterpreterCreate");
  TfLiteSignatureRunner* runner =
      TfLiteInterpreterGetSignatureRunner(interpreter, "serving_default");
  if (!runner) return fail("GetSignatureRunner");
  const char* in_name = TfLiteSignatureRunnerGetInputName(runner, 0);
  const char* out_name = TfLiteSignatureRunnerGetOutputName(runner, 0);
  const int dims[] = {1, 4};
  TfLiteSignatureRunnerResizeInputTensor(runner, in_name, dims, 2);
  if (TfLiteSignatureRunnerAllocateTensors(runner) != kTfLiteOk)
    return fail("AllocateTensors");
  const float x[] = {1, 2, 3, 4};
  TfLiteTensorCopyFromBuffer(
      TfLiteSignatureRunnerGetInputTensor(runner, in_name), x, sizeof(x));
  if (TfLiteSignatureRunnerInvoke(runner) != kTfLiteOk) return fail("Invoke");
  const TfLiteTensor* out = TfLiteSignatureRunnerGetOutputTensor(runner, out_name);
  const float* y = (const float*)TfLiteTensorData(out);
  printf("c: serving_default %s = [", out_name);
  for (int r = 0; r < TfLiteTensorDim(out, 0); ++r) {
    printf("%s[", r ? ", " : "");
    for (int c = 0; c < TfLiteTensorDim(out, 1); ++c) {
      char text[32];
      format_float(y[r * TfLiteTensorDim(out, 1) + c], text, sizeof(text));
      printf("%s%s", c ? ", " : "", text);
    }
    printf("]");
  }
  printf("]\n");
  TfLiteSignatureRunnerDelete(runner);
  TfLiteInterpreterDelete(interpreter);
  return 0;
}

int main(int argc, char** argv) {
  const char* dir = argc > 1 ? argv[1] : "examples/models";
  char path[4096];
  snprintf(path, sizeof(path), "%s/coding.tflite", dir);
  if (run_coding(path)) return 1;
  snprintf(path, sizeof(path), "%s/dense.tflite", dir);
  return run_dense(path);
}
