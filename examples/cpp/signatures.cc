// The LiteRT guide's C++ sample ("Run signatures", C++), run against pylite.
//
// The guide's lines are kept as printed; added are the includes, loading the
// model, filling x = [1, 2, 3] (so the resize is to {3} instead of {100}),
// printing, the decode half and the Keras Dense model's serving_default.
//
// Usage: signatures_cpp MODELS_DIR
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "pylite/pylite.hpp"

using namespace pylite;  // stands for tflite

// Shortest "%g" that reads back as the same float32; ".0" added to
// integers. The same rule is used by every language's sample.
static std::string FormatFloat(float v) {
  char out[32];
  for (int p = 1; p <= 9; ++p) {
    std::snprintf(out, sizeof(out), "%.*g", p, static_cast<double>(v));
    if (std::strtof(out, nullptr) == v) break;
  }
  std::string s(out);
  if (s.find_first_of(".eni") == std::string::npos) s += ".0";
  return s;
}

static int Fail(const char* what) {
  std::fprintf(stderr, "cpp: %s failed: %s\n", what, PyliteGetLastError());
  return 1;
}

static int RunCoding(const std::string& path) {
  std::unique_ptr<FlatBufferModel> model =
      FlatBufferModel::BuildFromFile(path.c_str());
  if (!model) return Fail("BuildFromFile");
  std::unique_ptr<Interpreter> interpreter;
  if (InterpreterBuilder(*model)(&interpreter) != kTfLiteOk)
    return Fail("InterpreterBuilder");

  // ---- The guide's sample ----
  SignatureRunner* encode_runner = interpreter->GetSignatureRunner("encode");
  encode_runner->ResizeInputTensor("x", {3});
  encode_runner->AllocateTensors();

  TfLiteTensor* input_tensor = encode_runner->input_tensor("x");
  float* input = GetTensorData<float>(input_tensor);
  if (!input) return Fail("AllocateTensors");
  // Fill `input`.
  input[0] = 1, input[1] = 2, input[2] = 3;

  if (encode_runner->Invoke() != kTfLiteOk) return Fail("encode");

  const TfLiteTensor* output_tensor =
      encode_runner->output_tensor("encoded_result");
  // Access `output` (a string tensor for `encode`).
  // ---- end of the guide's sample ----

  std::vector<std::string> encoded;
  for (int i = 0; i < GetStringCount(output_tensor); ++i)
    encoded.push_back(GetString(output_tensor, i));
  std::printf("cpp: encoded_result = [");
  for (size_t i = 0; i < encoded.size(); ++i)
    std::printf("%s'%s'", i ? ", " : "", encoded[i].c_str());
  std::printf("]\n");

  SignatureRunner* decode_runner = interpreter->GetSignatureRunner("decode");
  decode_runner->ResizeInputTensor("x", {static_cast<int>(encoded.size())});
  decode_runner->AllocateTensors();
  WriteStrings(decode_runner->input_tensor("x"), encoded);
  if (decode_runner->Invoke() != kTfLiteOk) return Fail("decode");
  const TfLiteTensor* decoded = decode_runner->output_tensor("decoded_result");
  const float* values = GetTensorData<float>(decoded);
  std::printf("cpp: decoded_result = [");
  for (int i = 0; i < TfLiteTensorDim(decoded, 0); ++i)
    std::printf("%s%s", i ? ", " : "", FormatFloat(values[i]).c_str());
  std::printf("]\n");
  return 0;
}

static int RunDense(const std::string& path) {
  std::unique_ptr<FlatBufferModel> model =
      FlatBufferModel::BuildFromFile(path.c_str());
  if (!model) return Fail("BuildFromFile");
  std::unique_ptr<Interpreter> interpreter;
  if (InterpreterBuilder(*model)(&interpreter) != kTfLiteOk)
    return Fail("InterpreterBuilder");
  SignatureRunner* runner = interpreter->GetSignatureRunner("serving_default");
  if (!runner) return Fail("GetSignatureRunner");
  const char* in_name = runner->input_names()[0];
  const char* out_name = runner->output_names()[0];
  runner->ResizeInputTensor(in_name, {1, 4});
  if (runner->AllocateTensors() != kTfLiteOk) return Fail("AllocateTensors");
  float* x = GetTensorData<float>(runner->input_tensor(in_name));
  for (int i = 0; i < 4; ++i) x[i] = static_cast<float>(i + 1);
  if (runner->Invoke() != kTfLiteOk) return Fail("Invoke");
  const TfLiteTensor* out = runner->output_tensor(out_name);
  const float* y = GetTensorData<float>(out);
  std::printf("cpp: serving_default %s = [", out_name);
  for (int r = 0; r < TfLiteTensorDim(out, 0); ++r) {
    std::printf("%s[", r ? ", " : "");
    for (int c = 0; c < TfLiteTensorDim(out, 1); ++c)
      std::printf("%s%s", c ? ", " : "",
                  FormatFloat(y[r * TfLiteTensorDim(out, 1) + c]).c_str());
    std::printf("]");
  }
  std::printf("]\n");
  return 0;
}

int main(int argc, char** argv) {
  std::string dir = argc > 1 ? argv[1] : "examples/models";
  if (RunCoding(dir + "/coding.tflite")) return 1;
  return RunDense(dir + "/dense.tflite");
}
