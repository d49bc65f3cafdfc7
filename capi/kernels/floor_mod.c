/* pylite: FLOOR_MOD, the remainder of floor division, with numpy-style
 * broadcasting.
 *
 * As TFLite's builtin FLOOR_MOD for float32, int32, int64, int16 and int8:
 * inputs and output share one type; the output is the broadcast of the input
 * shapes at any rank. The result is the truncated remainder (C's % or
 * fmodf), moved by y when it is nonzero and its sign differs from y's, so it
 * takes y's sign. For integers a zero anywhere in y fails the invoke with
 * "FLOOR_MOD: division by zero."; float x mod 0 is NaN. INT_MIN mod -1 is 0
 * here (TFLite traps on it). */
#include "capi/kernels/internal/binary.h"

#define PL_FLOOR_MOD_INT(NAME, T)                                    \
  static inline T NAME##_one(T x, T y) {                             \
    const T r = y == -1 ? 0 : (T)(x % y); /* no INT_MIN % -1 trap */ \
    return r != 0 && ((y < 0) != (r < 0)) ? (T)(r + y) : r;          \
  }                                                                  \
  PL_BIN_ROW(NAME, T, T, NAME##_one(x, y))
PL_FLOOR_MOD_INT(floor_mod_row_i32, int32_t)
PL_FLOOR_MOD_INT(floor_mod_row_i64, int64_t)
PL_FLOOR_MOD_INT(floor_mod_row_i16, int16_t)
PL_FLOOR_MOD_INT(floor_mod_row_i8, int8_t)
#undef PL_FLOOR_MOD_INT

static inline float floor_mod_f32(float x, float y) {
  const float r = fmodf(x, y);
  return r != 0 && ((y < 0) != (r < 0)) ? r + y : r;
}
PL_BIN_ROW(floor_mod_row_f32, float, float, floor_mod_f32(x, y))

static const PlBinaryOp kFloorMod = {
    .name = "FLOOR_MOD",
    .zero_int = true,
    .zero_message = "FLOOR_MOD: division by zero.",
    .types = "float32, int32, int64, int16 and int8",
    .rows = {[kTfLiteFloat32] = floor_mod_row_f32,
             [kTfLiteInt32] = floor_mod_row_i32,
             [kTfLiteInt64] = floor_mod_row_i64,
             [kTfLiteInt16] = floor_mod_row_i16,
             [kTfLiteInt8] = floor_mod_row_i8},
};

PL_BINARY_KERNEL(floor_mod, "FLOOR_MOD", kFloorMod,
                 "float32, int32, int64, int16 and int8")
