/* pylite fuzzing: schema-aware mutations of a .tflite file.
 *
 * Walks the flatbuffer as the TFLite schema lays it out (its own bounds-
 * checked walk, independent of pylite's reader) and collects the places
 * where a model says something: tensor, buffer, opcode and subgraph
 * indices, shapes and shape signatures, tensor types, vector lengths,
 * builtin codes and option fields, quantization scales, zero points and
 * axes, buffer offsets and sizes, and the words of small constant buffers
 * (shapes, axes, paddings). A mutation rewrites one to three of them in
 * place with a value chosen for its kind (a valid index elsewhere, -1, 0,
 * the count, INT32_MAX, NaN, ...), so the file stays structurally close to
 * a real model and the mutant reaches allocation and the kernels. */
#ifndef PYLITE_TESTS_FUZZ_MUTATOR_H_
#define PYLITE_TESTS_FUZZ_MUTATOR_H_

#include <stddef.h>
#include <stdint.h>

/* Mutates `data` (`size` bytes) in place; returns the new size (the same),
 * or 0 when nothing mutable was found (not a model the walk understands). */
size_t pl_tflite_mutate(uint8_t* data, size_t size, uint32_t seed);

/* How many mutable places the walk finds (for tests). */
size_t pl_tflite_count_slots(const uint8_t* data, size_t size);

#endif /* PYLITE_TESTS_FUZZ_MUTATOR_H_ */
