// pylite: a header-only C++ wrapper over the C API, shaped like TFLite's
// tflite::FlatBufferModel / InterpreterBuilder / Interpreter / SignatureRunner
// so that code written for them (the LiteRT guide's C++ sample among it)
// compiles with only the includes and namespace changed.
//
// Ownership as in TFLite: the Interpreter owns its SignatureRunners (cached
// per key) and tensors; pointers to them stay valid until the Interpreter is
// destroyed, but tensor data may move on AllocateTensors or Invoke.
#ifndef PYLITE_PYLITE_HPP_
#define PYLITE_PYLITE_HPP_

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "pylite/c_api.h"
#include "pylite/pylite.h"

namespace pylite {

// Typed view of a tensor's data. As in TFLite; the const overload returns a
// mutable pointer too, so that samples written as
// `float* out = GetTensorData<float>(output_tensor)` compile.
template <typename T>
inline T* GetTensorData(TfLiteTensor* tensor) {
  return tensor ? static_cast<T*>(TfLiteTensorData(tensor)) : nullptr;
}
template <typename T>
inline T* GetTensorData(const TfLiteTensor* tensor) {
  return tensor ? static_cast<T*>(TfLiteTensorData(tensor)) : nullptr;
}

// Strings of a kTfLiteString tensor.
inline int GetStringCount(const TfLiteTensor* tensor) {
  return PyliteTensorGetStringCount(tensor);
}
inline std::string GetString(const TfLiteTensor* tensor, int index) {
  const char* data = nullptr;
  size_t length = 0;
  if (PyliteTensorGetString(tensor, index, &data, &length) != kTfLiteOk)
    return std::string();
  return std::string(data, length);
}
inline TfLiteStatus WriteStrings(TfLiteTensor* tensor,
                                 const std::vector<std::string>& values) {
  std::vector<const char*> data;
  std::vector<size_t> lengths;
  for (const std::string& s : values) {
    data.push_back(s.data());
    lengths.push_back(s.size());
  }
  return PyliteTensorWriteStrings(tensor, static_cast<int32_t>(values.size()),
                                  data.data(), lengths.data());
}

// A model; verified at load.
class FlatBufferModel {
 public:
  // nullptr if the file cannot be read or is not a valid model (the reason
  // is in PyliteGetLastError()).
  static std::unique_ptr<FlatBufferModel> BuildFromFile(const char* path) {
    TfLiteModel* m = TfLiteModelCreateFromFile(path);
    return m ? std::unique_ptr<FlatBufferModel>(new FlatBufferModel(m))
             : nullptr;
  }
  // The caller keeps `buffer` alive for the model's lifetime.
  static std::unique_ptr<FlatBufferModel> BuildFromBuffer(const char* buffer,
                                                          size_t size) {
    TfLiteModel* m = TfLiteModelCreate(buffer, size);
    return m ? std::unique_ptr<FlatBufferModel>(new FlatBufferModel(m))
             : nullptr;
  }
  ~FlatBufferModel() { TfLiteModelDelete(model_); }
  FlatBufferModel(const FlatBufferModel&) = delete;
  FlatBufferModel& operator=(const FlatBufferModel&) = delete;
  const TfLiteModel* c_model() const { return model_; }

 private:
  explicit FlatBufferModel(TfLiteModel* m) : model_(m) {}
  TfLiteModel* model_;
};

class Interpreter;

// One entry point of a model, as tflite::SignatureRunner.
class SignatureRunner {
 public:
  ~SignatureRunner() { TfLiteSignatureRunnerDelete(runner_); }
  SignatureRunner(const SignatureRunner&) = delete;
  SignatureRunner& operator=(const SignatureRunner&) = delete;

  const std::string& signature_key() const { return key_; }
  size_t input_size() const { return input_names_.size(); }
  size_t output_size() const { return output_names_.size(); }
  // Sorted by name, as LiteRT lists them.
  const std::vector<const char*>& input_names() const { return input_names_; }
  const std::vector<const char*>& output_names() const {
    return output_names_;
  }

  // nullptr (and a reported error) for an unknown name.
  TfLiteTensor* input_tensor(const char* name) {
    return TfLiteSignatureRunnerGetInputTensor(runner_, name);
  }
  const TfLiteTensor* output_tensor(const char* name) const {
    return TfLiteSignatureRunnerGetOutputTensor(runner_, name);
  }
  // Non-strict, as tflite::SignatureRunner::ResizeInputTensor.
  TfLiteStatus ResizeInputTensor(const char* name,
                                 const std::vector<int>& dims) {
    return PyliteSignatureRunnerResizeInput(
        runner_, name, dims.data(), static_cast<int32_t>(dims.size()), false);
  }
  // Only -1 dims of the shape signature may change.
  TfLiteStatus ResizeInputTensorStrict(const char* name,
                                       const std::vector<int>& dims) {
    return PyliteSignatureRunnerResizeInput(
        runner_, name, dims.data(), static_cast<int32_t>(dims.size()), true);
  }
  TfLiteStatus AllocateTensors() {
    return TfLiteSignatureRunnerAllocateTensors(runner_);
  }
  TfLiteStatus Invoke() { return TfLiteSignatureRunnerInvoke(runner_); }
  TfLiteStatus Cancel() { return TfLiteSignatureRunnerCancel(runner_); }

 private:
  friend class Interpreter;
  explicit SignatureRunner(TfLiteSignatureRunner* r)
      : runner_(r), key_(PyliteSignatureRunnerGetKey(r)) {
    for (size_t i = 0; i < TfLiteSignatureRunnerGetInputCount(r); ++i)
      input_names_.push_back(
          TfLiteSignatureRunnerGetInputName(r, static_cast<int32_t>(i)));
    for (size_t i = 0; i < TfLiteSignatureRunnerGetOutputCount(r); ++i)
      output_names_.push_back(
          TfLiteSignatureRunnerGetOutputName(r, static_cast<int32_t>(i)));
  }
  TfLiteSignatureRunner* runner_;
  std::string key_;
  std::vector<const char*> input_names_;
  std::vector<const char*> output_names_;
};

class Interpreter {
 public:
  ~Interpreter() {
    runners_.clear();  // runners go before the interpreter
    TfLiteInterpreterDelete(interpreter_);
  }
  Interpreter(const Interpreter&) = delete;
  Interpreter& operator=(const Interpreter&) = delete;

  std::vector<const std::string*> signature_keys() const {
    std::vector<const std::string*> keys;
    for (const std::string& k : keys_) keys.push_back(&k);
    return keys;
  }
  // Cached per key; nullptr for an unknown key. A nullptr key gives the
  // first signature on subgraph 0 (or the placeholder of a model without
  // signatures).
  SignatureRunner* GetSignatureRunner(const char* signature_key) {
    std::string cache_key = signature_key ? signature_key : std::string();
    auto it = runners_.find(cache_key);
    if (it != runners_.end()) return it->second.get();
    TfLiteSignatureRunner* r =
        TfLiteInterpreterGetSignatureRunner(interpreter_, signature_key);
    if (!r) return nullptr;
    SignatureRunner* runner = new SignatureRunner(r);
    runners_[cache_key].reset(runner);
    return runner;
  }

  // The classic API over subgraph 0.
  TfLiteStatus AllocateTensors() {
    return TfLiteInterpreterAllocateTensors(interpreter_);
  }
  TfLiteStatus Invoke() { return TfLiteInterpreterInvoke(interpreter_); }
  TfLiteStatus ResizeInputTensor(int input_index,
                                 const std::vector<int>& dims) {
    return TfLiteInterpreterResizeInputTensor(
        interpreter_, input_index, dims.data(),
        static_cast<int32_t>(dims.size()));
  }
  TfLiteTensor* input_tensor(size_t index) {
    return TfLiteInterpreterGetInputTensor(interpreter_,
                                           static_cast<int32_t>(index));
  }
  const TfLiteTensor* output_tensor(size_t index) const {
    return TfLiteInterpreterGetOutputTensor(interpreter_,
                                            static_cast<int32_t>(index));
  }
  // Any tensor of subgraph 0 (nullptr if out of range), as
  // tflite::Interpreter::tensor: its quantization is in ->params (per
  // tensor; 0 and 0 for per-channel tensors, as in TFLite) and
  // ->quantization (TfLiteAffineQuantization: scales, zero points,
  // quantized_dimension).
  TfLiteTensor* tensor(int tensor_index) {
    return TfLiteInterpreterGetTensor(interpreter_, tensor_index);
  }
  size_t tensors_size() const {
    int32_t n = PyliteInterpreterGetTensorCount(interpreter_, 0);
    return n > 0 ? static_cast<size_t>(n) : 0;
  }
  template <typename T>
  T* typed_input_tensor(int index) {
    return GetTensorData<T>(input_tensor(static_cast<size_t>(index)));
  }
  template <typename T>
  const T* typed_output_tensor(int index) const {
    return GetTensorData<T>(output_tensor(static_cast<size_t>(index)));
  }
  TfLiteInterpreter* c_interpreter() { return interpreter_; }

 private:
  friend class InterpreterBuilder;
  explicit Interpreter(TfLiteInterpreter* i) : interpreter_(i) {
    for (int32_t k = 0; k < TfLiteInterpreterGetSignatureCount(i); ++k)
      keys_.emplace_back(TfLiteInterpreterGetSignatureKey(i, k));
  }
  TfLiteInterpreter* interpreter_;
  std::vector<std::string> keys_;
  std::map<std::string, std::unique_ptr<SignatureRunner>> runners_;
};

// Builds interpreters, as tflite::InterpreterBuilder (the op resolver is
// pylite's built-in one).
class InterpreterBuilder {
 public:
  explicit InterpreterBuilder(const FlatBufferModel& model)
      : model_(model.c_model()) {}
  ~InterpreterBuilder() { TfLiteInterpreterOptionsDelete(options_); }
  InterpreterBuilder(const InterpreterBuilder&) = delete;
  InterpreterBuilder& operator=(const InterpreterBuilder&) = delete;

  TfLiteStatus SetNumThreads(int num_threads) {
    if (!options_) options_ = TfLiteInterpreterOptionsCreate();
    TfLiteInterpreterOptionsSetNumThreads(options_, num_threads);
    return kTfLiteOk;
  }
  TfLiteStatus operator()(std::unique_ptr<Interpreter>* interpreter) {
    TfLiteInterpreter* i = TfLiteInterpreterCreate(model_, options_);
    if (!i) {
      interpreter->reset();
      return kTfLiteError;
    }
    interpreter->reset(new Interpreter(i));
    return kTfLiteOk;
  }

 private:
  const TfLiteModel* model_;
  TfLiteInterpreterOptions* options_ = nullptr;
};

}  // namespace pylite

#endif  // PYLITE_PYLITE_HPP_
