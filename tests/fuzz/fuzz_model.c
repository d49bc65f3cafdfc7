/* pylite fuzzing: the model reader and verifier on arbitrary bytes
 * (libFuzzer entry point; body in harness.c). Built by `make fuzz` with
 * clang -fsanitize=fuzzer,address,undefined. */
#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return pl_fuzz_model(data, size);
}
