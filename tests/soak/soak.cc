// pylite soak, C++: the C++ wrapper (pylite.hpp) loads, runs and frees
// every model of a list until SECONDS have passed.
// Usage: soak_cpp MODEL_LIST SECONDS
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "pylite/pylite.hpp"

using namespace pylite;

// Zeros for numbers, "1" for strings: enough to run; errors are expected
// for the suite's negative cases and ignored.
static void Fill(TfLiteTensor* t) {
  if (!t) return;
  if (TfLiteTensorType(t) == kTfLiteString) {
    int64_t n = 1;
    for (int d = 0; d < TfLiteTensorNumDims(t); ++d) n *= TfLiteTensorDim(t, d);
    if (n < 0 || n > 4096) return;
    std::vector<const char*> s(static_cast<size_t>(n), "1");
    std::vector<size_t> len(static_cast<size_t>(n), 1);
    PyliteTensorWriteStrings(t, static_cast<int32_t>(n), s.data(), len.data());
  } else if (void* p = TfLiteTensorData(t)) {
    std::memset(p, 0, TfLiteTensorByteSize(t));
  }
}

static long RunModel(const std::string& path) {
  std::unique_ptr<FlatBufferModel> model =
      FlatBufferModel::BuildFromFile(path.c_str());
  if (!model) return 0;
  std::unique_ptr<Interpreter> interpreter;
  if (InterpreterBuilder(*model)(&interpreter) != kTfLiteOk) return 0;
  std::vector<std::string> keys;
  for (const std::string* k : interpreter->signature_keys()) keys.push_back(*k);
  if (keys.empty()) keys.push_back(std::string());  // the placeholder
  long invokes = 0;
  for (const std::string& key : keys) {
    SignatureRunner* r =
        interpreter->GetSignatureRunner(key.empty() ? nullptr : key.c_str());
    if (!r || r->AllocateTensors() != kTfLiteOk) continue;
    for (const char* name : r->input_names()) Fill(r->input_tensor(name));
    if (r->Invoke() != kTfLiteOk) continue;
    ++invokes;
    for (const char* name : r->output_names()) {
      const TfLiteTensor* out = r->output_tensor(name);
      volatile size_t bytes = out ? TfLiteTensorByteSize(out) : 0;
      (void)bytes;
    }
  }
  return invokes;
}

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: soak_cpp MODEL_LIST SECONDS\n");
    return 2;
  }
  std::vector<std::string> paths;
  std::ifstream list(argv[1]);
  for (std::string line; std::getline(list, line);)
    if (!line.empty()) paths.push_back(line);
  auto end = std::chrono::steady_clock::now() +
             std::chrono::duration<double>(std::atof(argv[2]));
  long runs = 0, invokes = 0;
  while (std::chrono::steady_clock::now() < end) {
    for (const std::string& p : paths) {
      if (std::chrono::steady_clock::now() >= end) break;
      invokes += RunModel(p);
      ++runs;
    }
  }
  std::printf("soak cpp: %ld model runs, %ld invokes\n", runs, invokes);
  return 0;
}
