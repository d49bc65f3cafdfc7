/* pylite: a tiny test harness for the C tests.
 *
 * CHECK(cond) counts a pass or prints the failure and counts it; main ends
 * with CHECK_SUMMARY(), which prints "N passed, N failed" and returns the
 * exit code. */
#ifndef PYLITE_TESTS_CHECK_H_
#define PYLITE_TESTS_CHECK_H_

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_passed_ = 0;
static int check_failed_ = 0;

#define CHECK(cond)                                                   \
  do {                                                                \
    if (cond) {                                                       \
      ++check_passed_;                                                \
    } else {                                                          \
      ++check_failed_;                                                \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, \
              #cond);                                                 \
    }                                                                 \
  } while (0)

/* Checks that `haystack` contains `needle`. */
#define CHECK_CONTAINS(haystack, needle)                                   \
  do {                                                                     \
    const char* h_ = (haystack);                                           \
    if (h_ && strstr(h_, (needle))) {                                      \
      ++check_passed_;                                                     \
    } else {                                                               \
      ++check_failed_;                                                     \
      fprintf(stderr, "%s:%d: '%s' does not contain '%s'\n", __FILE__,     \
              __LINE__, h_ ? h_ : "(null)", (needle));                     \
    }                                                                      \
  } while (0)

#define CHECK_SUMMARY()                                              \
  (printf("%d passed, %d failed\n", check_passed_, check_failed_),   \
   check_failed_ == 0 ? 0 : 1)

/* Reads a whole file into a malloc'd buffer; NULL if unreadable. */
static inline unsigned char* check_read_file(const char* path, size_t* size) {
  FILE* f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  unsigned char* data = malloc(n > 0 ? (size_t)n : 1);
  if (data && fread(data, 1, (size_t)n, f) != (size_t)n) {
    free(data);
    data = NULL;
  }
  fclose(f);
  *size = (size_t)n;
  return data;
}

/* Test data: a xorshift generator, the same sequence on every run
 * (check_rand_seed picks another). */
static uint64_t check_rand_state_ = 0x9E3779B97F4A7C15ull;
static inline void check_rand_seed(uint64_t seed) { check_rand_state_ = seed; }
static inline uint32_t check_rand_u32(void) {
  check_rand_state_ ^= check_rand_state_ << 13;
  check_rand_state_ ^= check_rand_state_ >> 7;
  check_rand_state_ ^= check_rand_state_ << 17;
  return (uint32_t)(check_rand_state_ >> 11);
}
/* A float in [-1, 1) from the same generator (24 random bits). */
static inline float check_rand_float(void) {
  return (float)(check_rand_u32() >> 8) / 8388608.0f - 1.0f;
}

#endif /* PYLITE_TESTS_CHECK_H_ */
