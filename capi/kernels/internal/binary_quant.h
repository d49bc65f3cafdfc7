/* pylite: the quantized forms of the elementwise binary family.
 *
 * LiteRT's integer binary kernels share a few recipes, each reproduced here
 * step for step (quant.h has the fixed-point primitives):
 *   - ADD / SUB, general scales: each input, offset by its zero point, is
 *     shifted left (20 bits for 8-bit types, 15 for int16) and rescaled by
 *     s_i / (2 max(s_1, s_2)); the sum (difference) is rescaled by
 *     2 max(s_1, s_2) / (2^left_shift s_out), offset and clamped.
 *   - ADD / SUB, int16 with power-of-two scales and zero points of 0 (the
 *     "pot" path, when the options ask for it): one input is divided by a
 *     power of two (rounding), the other taken as is, and the int16 sum
 *     saturated and clamped.
 *   - MUL: (x - z_x)(y - z_y) rescaled by s_x s_y / s_out (computed in
 *     float, as LiteRT), offset and clamped.
 *   - SQUARED_DIFFERENCE: as SUB with a left shift of 7, the difference
 *     squared before the output rescaling.
 *   - DIV: the divisor's reciprocal in Q31 by gemmlowp's Newton-Raphson
 *     (one_over_one_plus_x_for_x_in_0_1), the dividend normalized by its
 *     headroom, and one rescaling by s_x / (s_y s_out).
 *   - comparisons: each input, offset and shifted left 8 bits, multiplied
 *     by its own scale in fixed point; the results compared. Scales of 1
 *     or more are an error (LiteRT's result is undefined there).
 * The rows of ADD, SUB, MUL and SQUARED_DIFFERENCE are functions of
 * binary_quant.c (vectorized); the others are instantiated per type with
 * PL_BINQ_ROW. The per-node constants live in PlBinaryData.q (binary.h). */
#ifndef PYLITE_KERNELS_INTERNAL_BINARY_QUANT_H_
#define PYLITE_KERNELS_INTERNAL_BINARY_QUANT_H_

#include "capi/kernels/internal/binary.h"
#include "capi/kernels/internal/quant.h"

/* A quantized row: out[i] = EXPR over int32 `x`, `y` (the stored values)
 * and `q` (the PlBinQuant). */
#define PL_BINQ_ROW(NAME, TI, TO, EXPR)                                    \
  static PL_BIN_UNUSED void NAME(void* out_, const void* const* in,        \
                                 const int64_t* step, int64_t n,           \
                                 const void* ctx_) {                       \
    const TI* a = (const TI*)in[0];                                        \
    const TI* b = (const TI*)in[1];                                        \
    TO* o = (TO*)out_;                                                     \
    const PlBinQuant* q = (const PlBinQuant*)ctx_;                         \
    const int64_t sa = step[0], sb = step[1];                              \
    for (int64_t i = 0; i < n; ++i) {                                      \
      const int32_t x = a[i * sa], y = b[i * sb];                          \
      o[i] = (TO)(EXPR);                                                   \
    }                                                                      \
  }

/* Input k rescaled for ADD / SUB / comparisons: ((v + offset) << left)
 * times the input's multiplier. */
static inline int32_t pl_binq_scale_in(const PlBinQuant* q, int k, int32_t v) {
  return pl_q_mul(pl_q_shift_left(pl_q_add(v, q->in_offset[k]),
                                  q->left_shift),
                  q->in_mult[k], q->in_shift[k]);
}

/* The output of a rescaled sum (ADD) or difference (SUB). */
static inline int32_t pl_binq_out(const PlBinQuant* q, int32_t raw) {
  return pl_q_clamp(pl_q_add(pl_q_mul(raw, q->out_mult, q->out_shift),
                             q->out_offset),
                    q->lo, q->hi);
}

/* Wrapping int32 subtraction and product (as -fwrapv makes the kernels'
 * int32 arithmetic; spelled out so that the header means the same in any
 * translation unit). */
static inline int32_t pl_binq_wsub(int32_t a, int32_t b) {
  return (int32_t)((uint32_t)a - (uint32_t)b);
}
static inline int32_t pl_binq_wmul(int32_t a, int32_t b) {
  return (int32_t)((uint32_t)a * (uint32_t)b);
}

static inline int32_t pl_binq_add(const PlBinQuant* q, int32_t x, int32_t y) {
  return pl_binq_out(
      q, pl_q_add(pl_binq_scale_in(q, 0, x), pl_binq_scale_in(q, 1, y)));
}

static inline int32_t pl_binq_sub(const PlBinQuant* q, int32_t x, int32_t y) {
  return pl_binq_out(
      q, pl_binq_wsub(pl_binq_scale_in(q, 0, x), pl_binq_scale_in(q, 1, y)));
}

/* The pot path: in_shift[k] is input k's right shift (one of them 0). */
static inline int32_t pl_binq_pot_add(const PlBinQuant* q, int32_t x,
                                      int32_t y) {
  return pl_q_clamp(pl_q_shift_right(x, q->in_shift[0]) +
                        pl_q_shift_right(y, q->in_shift[1]),
                    q->lo, q->hi);
}

static inline int32_t pl_binq_pot_sub(const PlBinQuant* q, int32_t x,
                                      int32_t y) {
  return pl_q_clamp(pl_q_shift_right(x, q->in_shift[0]) -
                        pl_q_shift_right(y, q->in_shift[1]),
                    q->lo, q->hi);
}

static inline int32_t pl_binq_mul(const PlBinQuant* q, int32_t x, int32_t y) {
  const int32_t p = pl_binq_wmul(pl_q_add(x, q->in_offset[0]),
                                 pl_q_add(y, q->in_offset[1]));
  return pl_q_clamp(pl_q_add(pl_q_mul(p, q->out_mult, q->out_shift),
                             q->out_offset),
                    q->lo, q->hi);
}

/* SQUARED_DIFFERENCE: the rescaled difference (left shift 7), squared,
 * rescaled to the output. */
static inline int32_t pl_binq_sqdiff(const PlBinQuant* q, int32_t x,
                                     int32_t y) {
  const int32_t d =
      pl_binq_wsub(pl_binq_scale_in(q, 0, x), pl_binq_scale_in(q, 1, y));
  return pl_binq_out(q, pl_binq_wmul(d, d));
}

/* The rows of ADD and SUB (int8, uint8, int16), MUL (the same) and
 * SQUARED_DIFFERENCE (int8), as PlBinRowFn with a PlBinQuant as ctx:
 * out[i] = pl_binq_<op>(q, x[i], y[i]). With AVX2 they compute 8 elements
 * at a time in 32-bit lanes by the same integer steps (the high multiply
 * from 64-bit products of the even and odd lanes, the rounding shift with
 * its tie rule), so their bits equal the scalar functions' for any
 * parameters; parameters a lane cannot reproduce cheaply (a multiplier of
 * INT32_MIN, a right shift beyond 31, an empty or out-of-type clamp range)
 * take the scalar loop. */
void pl_binq_row_add_i8(void* out, const void* const* in, const int64_t* step,
                        int64_t n, const void* q);
void pl_binq_row_add_u8(void* out, const void* const* in, const int64_t* step,
                        int64_t n, const void* q);
void pl_binq_row_add_i16(void* out, const void* const* in,
                         const int64_t* step, int64_t n, const void* q);
void pl_binq_row_sub_i8(void* out, const void* const* in, const int64_t* step,
                        int64_t n, const void* q);
void pl_binq_row_sub_u8(void* out, const void* const* in, const int64_t* step,
                        int64_t n, const void* q);
void pl_binq_row_sub_i16(void* out, const void* const* in,
                         const int64_t* step, int64_t n, const void* q);
void pl_binq_row_mul_i8(void* out, const void* const* in, const int64_t* step,
                        int64_t n, const void* q);
void pl_binq_row_mul_u8(void* out, const void* const* in, const int64_t* step,
                        int64_t n, const void* q);
void pl_binq_row_mul_i16(void* out, const void* const* in,
                         const int64_t* step, int64_t n, const void* q);
void pl_binq_row_sqdiff_i8(void* out, const void* const* in,
                           const int64_t* step, int64_t n, const void* q);

/* Eval of a binary op with quantized forms: pl_binary_eval for the
 * unquantized ones; for the quantized, the same broadcast walk cut into
 * spans of the flat output (each span starting its own walk mid-way), run
 * in parallel with pl_parallel_for. Every element is computed by data->qrow
 * with the same parameters whatever the spans, so the output does not
 * depend on the thread count. */
TfLiteStatus pl_binq_eval(PlSubgraph* sg, PlNode* node, const PlBinaryOp* op);

/* As PL_BINARY_KERNEL (binary.h), with pl_binq_eval as the eval. */
#define PL_BINQ_KERNEL(SUFFIX, NAME, OP, TYPES) \
  PL_BINARY_KERNEL_EVAL(SUFFIX, NAME, OP, TYPES, pl_binq_eval)

/* DIV: x / y as LiteRT's reference DivElementwise (the divisor, offset,
 * must not be 0: the caller checks). */
int32_t pl_binq_div(const PlBinQuant* q, int32_t x, int32_t y);

/* Sets q for ADD or SUB (op names it): the pot path when `pot` (the
 * options' pot_scale_int16) is set, the tensors are int16 and every scale
 * is a power of two; the general path otherwise. *is_pot says which.
 * Reports unsupported parameters (int16 zero points other than 0, an
 * output scale so small that the output rescaling is >= 1, a pot shift
 * LiteRT rejects). */
TfLiteStatus pl_binq_prepare_addsub(PlSubgraph* sg, const char* op,
                                    bool pot, int activation,
                                    const TfLiteTensor* const* in,
                                    const TfLiteTensor* output, PlBinQuant* q,
                                    bool* is_pot);

/* Sets q for MUL (int16 needs zero points of 0). */
TfLiteStatus pl_binq_prepare_mul(PlSubgraph* sg, const char* op,
                                 int activation, const TfLiteTensor* const* in,
                                 const TfLiteTensor* output, PlBinQuant* q);

/* Sets q for SQUARED_DIFFERENCE (int8): left shift 7, input multipliers
 * s_i / (2 max), output multiplier (2 max)^2 / (2^14 s_out), the int8
 * range as the clamp. */
TfLiteStatus pl_binq_prepare_sqdiff(PlSubgraph* sg, const char* op,
                                    const TfLiteTensor* const* in,
                                    const TfLiteTensor* output, PlBinQuant* q);

/* Sets q for DIV: offsets, the activation range, s_x / (s_y s_out) in
 * float as the output multiplier. */
TfLiteStatus pl_binq_prepare_div(PlSubgraph* sg, const char* op,
                                 int activation, const TfLiteTensor* const* in,
                                 const TfLiteTensor* output, PlBinQuant* q);

/* Sets q for a comparison: offsets, left shift 8, each input's own scale as
 * its multiplier. */
TfLiteStatus pl_binq_prepare_compare(PlSubgraph* sg, const char* op,
                                     const TfLiteTensor* const* in,
                                     PlBinQuant* q);

#endif /* PYLITE_KERNELS_INTERNAL_BINARY_QUANT_H_ */
