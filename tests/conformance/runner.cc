// The conformance suite through pylite's C++ API (include/pylite/pylite.hpp).
//
//   conformance_cpp [manifest.json] [name-substring...]
//
// The same cases, steps and rule as the C runner (runner.c): a
// pylite::SignatureRunner resizes every input to its data's shape, allocates,
// takes the inputs, invokes, and each output is compared with LiteRT's. With
// PYLITE_CONFORMANCE_OUT=<dir>, outputs go to <dir>/cpp/<case>/<output>.bin.
// Prints a line per failing case and a final "N passed, N failed" line;
// exits 1 if a case failed, 2 if the manifest could not be read.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "conformance.h"
#include "pylite/pylite.hpp"

namespace {

const char kLang[] = "cpp";

std::string LastError(const char* stage) {
  const char* last = PyliteGetLastError();
  return std::string(stage) + " failed: " +
         (last && last[0] ? last : "(no message)");
}

// Owns the raw bytes of one data file.
struct Data {
  unsigned char* bytes = nullptr;
  size_t size = 0;
  ~Data() { free(bytes); }
};

std::vector<std::string> DecodeStrings(const unsigned char* data,
                                       size_t size) {
  std::vector<std::string> out;
  int32_t n = pl_conf_strings_count(data, size);
  for (int32_t k = 0; k < n; ++k) {
    const char* s;
    size_t len;
    pl_conf_strings_get(data, k, &s, &len);
    out.emplace_back(s, len);
  }
  return out;
}

class CaseRun {
 public:
  CaseRun(const PlConfManifest* manifest, const char* out_root)
      : manifest_(manifest), out_root_(out_root) {}
  ~CaseRun() { pl_conf_case_free(&spec_); }

  const std::string& message() const { return message_; }

  bool Run(size_t index) {
    char error[PL_CONF_MESSAGE];
    if (!pl_conf_case_parse(manifest_, index, &spec_, error, sizeof(error))) {
      message_ = error;
      return false;
    }
    if (out_root_) pl_conf_output_clear(out_root_, kLang, &spec_);
    inputs_.resize(spec_.num_inputs);
    for (size_t i = 0; i < spec_.num_inputs; ++i) {
      if (!pl_conf_tensor_load(manifest_, &spec_.inputs[i], &inputs_[i].bytes,
                               &inputs_[i].size, error, sizeof(error))) {
        message_ = error;
        return false;
      }
    }
    std::unique_ptr<char, decltype(&free)> path(
        pl_conf_path(manifest_, spec_.model), &free);
    if (!path) {
      message_ = "out of memory";
      return false;
    }
    PyliteClearLastError();
    model_ = pylite::FlatBufferModel::BuildFromFile(path.get());
    if (!model_) {
      message_ = LastError("loading the model");
      return spec_.expect_error && ExpectedError(false);
    }
    pylite::InterpreterBuilder builder(*model_);
    PyliteClearLastError();
    if (builder(&interpreter_) != kTfLiteOk || !interpreter_) {
      message_ = LastError("building the interpreter");
      return false;
    }
    PyliteClearLastError();
    runner_ = interpreter_->GetSignatureRunner(spec_.signature);
    if (!runner_) {
      message_ = LastError("getting the signature runner");
      return false;
    }
    if (runner_->input_size() != spec_.num_inputs) {
      message_ = "the signature has " + std::to_string(runner_->input_size()) +
                 " inputs, the manifest " + std::to_string(spec_.num_inputs);
      return false;
    }
    bool ran = Invoke();
    if (spec_.expect_error) return ExpectedError(ran);
    return ran && Outputs();
  }

 private:
  // A negative case's verdict: it must have failed (ran is false), with a
  // message containing expect_error.
  bool ExpectedError(bool ran) {
    if (ran) {
      message_ = std::string("expected an error containing '") +
                 spec_.expect_error + "', but the case ran";
      return false;
    }
    if (message_.find(spec_.expect_error) == std::string::npos) {
      message_ = std::string("expected an error containing '") +
                 spec_.expect_error + "', got: " + message_;
      return false;
    }
    return true;
  }

  bool WriteInput(size_t i) {
    const PlConfTensor& t = spec_.inputs[i];
    TfLiteTensor* tensor = runner_->input_tensor(t.name);
    if (!tensor) {
      message_ = LastError("getting an input tensor");
      return false;
    }
    if (TfLiteTensorType(tensor) != t.type) {
      message_ = std::string("input ") + t.name + ": the tensor is " +
                 pl_conf_type_name(TfLiteTensorType(tensor)) + ", the data " +
                 t.dtype;
      return false;
    }
    const Data& data = inputs_[i];
    if (t.type == kTfLiteString) {
      if (pylite::WriteStrings(tensor, DecodeStrings(data.bytes, data.size)) !=
          kTfLiteOk) {
        message_ = LastError("writing a string input");
        return false;
      }
      return true;
    }
    if (TfLiteTensorByteSize(tensor) != data.size) {
      message_ = std::string("input ") + t.name + ": the tensor has " +
                 std::to_string(TfLiteTensorByteSize(tensor)) +
                 " bytes, the data " + std::to_string(data.size);
      return false;
    }
    if (data.size > 0) {
      uint8_t* dst = pylite::GetTensorData<uint8_t>(tensor);
      if (!dst) {
        message_ = std::string("input ") + t.name + " has no data";
        return false;
      }
      memcpy(dst, data.bytes, data.size);
    }
    return true;
  }

  bool Invoke() {
    for (size_t i = 0; i < spec_.num_inputs; ++i) {
      const PlConfTensor& t = spec_.inputs[i];
      PyliteClearLastError();
      if (runner_->ResizeInputTensor(
              t.name, std::vector<int>(t.dims, t.dims + t.rank)) !=
          kTfLiteOk) {
        message_ = LastError("ResizeInputTensor");
        return false;
      }
    }
    PyliteClearLastError();
    if (runner_->AllocateTensors() != kTfLiteOk) {
      message_ = LastError("AllocateTensors");
      return false;
    }
    for (size_t i = 0; i < spec_.num_inputs; ++i)
      if (!WriteInput(i)) return false;
    PyliteClearLastError();
    if (runner_->Invoke() != kTfLiteOk) {
      message_ = LastError("Invoke");
      return false;
    }
    return true;
  }

  // Compares (and saves) one output; false with `detail` on a difference.
  bool Output(const PlConfTensor& t, std::string* detail) {
    const TfLiteTensor* tensor = runner_->output_tensor(t.name);
    if (!tensor) {
      *detail = std::string("no output named ") + t.name + ": " +
                PyliteGetLastError();
      return false;
    }
    PlConfOutput got;
    got.type = TfLiteTensorType(tensor);
    got.rank = TfLiteTensorNumDims(tensor);
    if (got.rank < 0) got.rank = 0;
    if (got.rank > PL_CONF_MAX_RANK) {
      *detail = std::string(t.name) + ": too many dimensions";
      return false;
    }
    std::vector<int> dims(static_cast<size_t>(got.rank) + 1);
    for (int d = 0; d < got.rank; ++d) dims[d] = TfLiteTensorDim(tensor, d);
    got.dims = dims.data();
    std::unique_ptr<unsigned char, decltype(&free)> encoded(nullptr, &free);
    if (got.type == kTfLiteString) {
      int n = pylite::GetStringCount(tensor);
      if (n < 0) {
        *detail = std::string(t.name) + ": malformed string output";
        return false;
      }
      std::vector<std::string> items;
      for (int k = 0; k < n; ++k) items.push_back(pylite::GetString(tensor, k));
      std::vector<const char*> ptrs;
      std::vector<size_t> lengths;
      for (const std::string& s : items) {
        ptrs.push_back(s.data());
        lengths.push_back(s.size());
      }
      size_t size = 0;
      encoded.reset(pl_conf_strings_encode(n, ptrs.data(), lengths.data(),
                                           &size));
      if (!encoded) {
        *detail = "out of memory";
        return false;
      }
      got.data = encoded.get();
      got.size = size;
    } else {
      got.size = TfLiteTensorByteSize(tensor);
      got.data = pylite::GetTensorData<unsigned char>(tensor);
      if (!got.data && got.size > 0) {
        *detail = std::string(t.name) + ": no data";
        return false;
      }
      static const unsigned char kEmpty[1] = {0};
      if (!got.data) got.data = kEmpty;
    }
    char error[PL_CONF_MESSAGE];
    if (out_root_ &&
        !pl_conf_output_write(out_root_, kLang, spec_.name, t.name, got.data,
                              got.size, error, sizeof(error))) {
      *detail = error;
      return false;
    }
    Data expected;
    if (!pl_conf_tensor_load(manifest_, &t, &expected.bytes, &expected.size,
                             error, sizeof(error)) ||
        !pl_conf_compare(&t, expected.bytes, expected.size, &got, error,
                         sizeof(error))) {
      *detail = error;
      return false;
    }
    return true;
  }

  bool Outputs() {
    if (runner_->output_size() != spec_.num_outputs) {
      message_ = "the signature has " +
                 std::to_string(runner_->output_size()) +
                 " outputs, the manifest " + std::to_string(spec_.num_outputs);
      return false;
    }
    int failures = 0;
    for (size_t i = 0; i < spec_.num_outputs; ++i) {
      std::string detail;
      if (!Output(spec_.outputs[i], &detail) && failures++ == 0)
        message_ = detail;
    }
    if (failures > 1)
      message_ += " (and " + std::to_string(failures - 1) + " more outputs)";
    return failures == 0;
  }

  const PlConfManifest* manifest_;
  const char* out_root_;
  PlConfCase spec_ = {};
  std::vector<Data> inputs_;
  // Declared in this order so that the interpreter goes before the model.
  std::unique_ptr<pylite::FlatBufferModel> model_;
  std::unique_ptr<pylite::Interpreter> interpreter_;
  pylite::SignatureRunner* runner_ = nullptr;  // owned by interpreter_
  std::string message_;
};

bool Selected(const char* name, int argc, char** argv) {
  if (argc <= 2) return true;
  for (int i = 2; i < argc; ++i)
    if (strstr(name, argv[i])) return true;
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  const char* manifest_path =
      argc > 1 ? argv[1] : getenv("PYLITE_CONFORMANCE_MANIFEST");
  if (!manifest_path || !manifest_path[0])
    manifest_path = "tests/conformance/manifest.json";
  PlConfManifest manifest;
  char error[PL_CONF_MESSAGE];
  if (!pl_conf_manifest_load(manifest_path, &manifest, error,
                             sizeof(error))) {
    fprintf(stderr, "conformance (cpp): %s\n", error);
    return 2;
  }
  const char* out_root = getenv("PYLITE_CONFORMANCE_OUT");
  if (out_root && !out_root[0]) out_root = nullptr;
  int passed = 0, failed = 0;
  for (size_t i = 0; i < pl_conf_case_count(&manifest); ++i) {
    char scratch[64];
    const char* name =
        pl_conf_case_name(&manifest, i, scratch, sizeof(scratch));
    if (!Selected(name, argc, argv)) continue;
    CaseRun run(&manifest, out_root);
    if (run.Run(i)) {
      ++passed;
    } else {
      ++failed;
      std::string line = run.message();  // one line per case
      for (char& c : line)
        if (c == '\n') c = ' ';
      printf("FAIL %s: %s\n", name, line.c_str());
    }
  }
  printf("conformance (cpp): %d passed, %d failed\n", passed, failed);
  pl_conf_manifest_free(&manifest);
  return failed ? 1 : 0;
}
