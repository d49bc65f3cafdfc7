/* pylite fuzzing: load -> allocate -> invoke on mutated models (libFuzzer
 * entry point; body in harness.c). The custom mutator alternates
 * schema-aware mutations (mutator.c: indices, lengths, shapes, types, op
 * options, quantization) with libFuzzer's own byte-level ones, which use
 * the dictionary tflite.dict when given -dict. */
#include "harness.h"
#include "mutator.h"

size_t LLVMFuzzerMutate(uint8_t* data, size_t size, size_t max_size);

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pl_fuzz_run(data, size);
  return 0;
}

size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size,
                               unsigned int seed) {
  /* One in four: byte-level (bit flips, dictionary words, truncation). */
  if (seed % 4 == 0) return LLVMFuzzerMutate(data, size, max_size);
  size_t n = pl_tflite_mutate(data, size, seed / 4);
  return n ? n : LLVMFuzzerMutate(data, size, max_size);
}
