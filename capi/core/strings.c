/* pylite: string tensors in TFLite's layout.
 *
 * A string tensor's data is: int32 count N, then N+1 int32 byte offsets
 * (from the start of the data) delimiting the strings, then the bytes. Its
 * size is only known once written, so string tensors are always dynamic. */
#include <stdlib.h>
#include <string.h>

#include "capi/core/interp.h"

static int32_t read_i32(const uint8_t* p) {
  int32_t v;
  memcpy(&v, p, sizeof(v));
  return v;
}

bool pl_string_valid(const TfLiteTensor* t) {
  if (!t || t->type != kTfLiteString) return false;
  if (t->bytes == 0) return true; /* unwritten */
  if (!t->data.raw || t->bytes < 8) return false;
  const uint8_t* p = (const uint8_t*)t->data.raw;
  int32_t count = read_i32(p);
  if (count < 0 || (uint64_t)count + 2 > t->bytes / 4) return false;
  int32_t prev = read_i32(p + 4);
  if (prev != 4 * (count + 2)) return false;
  for (int32_t i = 1; i <= count; ++i) {
    int32_t next = read_i32(p + 4 + 4 * (size_t)i);
    if (next < prev || (size_t)next > t->bytes) return false;
    prev = next;
  }
  return true;
}

int32_t pl_string_count(const TfLiteTensor* t) {
  if (!pl_string_valid(t)) return -1;
  if (t->bytes == 0) return 0;
  return read_i32((const uint8_t*)t->data.raw);
}

/* One string, checking only what it reads (its two offsets against the
 * header and the buffer), so that reading every string of a tensor stays
 * linear: pl_string_valid checks the whole buffer. */
bool pl_string_get(const TfLiteTensor* t, int32_t index, const char** data,
                   size_t* length) {
  if (!t || t->type != kTfLiteString || !t->data.raw || t->bytes < 8)
    return false;
  const uint8_t* p = (const uint8_t*)t->data.raw;
  const int32_t count = read_i32(p);
  if (count < 0 || (uint64_t)count + 2 > t->bytes / 4 || index < 0 ||
      index >= count)
    return false;
  const int32_t start = read_i32(p + 4 + 4 * (size_t)index);
  const int32_t end = read_i32(p + 8 + 4 * (size_t)index);
  if (start < 4 * ((int64_t)count + 2) || end < start ||
      (size_t)end > t->bytes)
    return false;
  *data = t->data.raw + start;
  *length = (size_t)(end - start);
  return true;
}

TfLiteStatus pl_string_write(PlSubgraph* sg, TfLiteTensor* t, int32_t count,
                             const char* const* data, const size_t* lengths) {
  if (count < 0) {
    pl_report(sg, "Negative string count %d.", (int)count);
    return kTfLiteError;
  }
  uint64_t total = 4 * ((uint64_t)count + 2);
  for (int32_t i = 0; i < count; ++i) total += lengths[i];
  if (total > INT32_MAX) {
    pl_report(sg, "String tensor '%s' would need %llu bytes (limit 2 GiB).",
              t->name ? t->name : "", (unsigned long long)total);
    return kTfLiteError;
  }
  if (!pl_check_allocation(sg, (size_t)total, "A string tensor"))
    return kTfLiteError;
  uint8_t* buf = malloc((size_t)total);
  if (!buf) {
    pl_report(sg, "Out of memory writing string tensor '%s'.",
              t->name ? t->name : "");
    return kTfLiteError;
  }
  int32_t header = 4 * (count + 2);
  memcpy(buf, &count, 4);
  int32_t offset = header;
  for (int32_t i = 0; i < count; ++i) {
    memcpy(buf + 4 + 4 * (size_t)i, &offset, 4);
    if (lengths[i]) memcpy(buf + offset, data[i], lengths[i]);
    offset += (int32_t)lengths[i];
  }
  memcpy(buf + 4 + 4 * (size_t)count, &offset, 4);
  pl_tensor_set_heap_data(t, buf, (size_t)total);
  return kTfLiteOk;
}
