"""Elementwise binary ops: ADD, SUB, MUL, DIV, SQUARED_DIFFERENCE, POW,
MAXIMUM, MINIMUM, FLOOR_DIV, FLOOR_MOD, ATAN2, ADD_N, LOGICAL_*, SELECT,
SELECT_V2, WHERE, PRELU (broadcasting, dtypes, options, edge shapes).

Most cases are single-op models built directly with the schema (op_model),
so that every dtype, fused activation and rank is exercised exactly as
written; a few go through the converter."""
import numpy as np
import tensorflow as tf

from conformance.cases import Case, SingleOpModel, rng

# ---- Hand-built single-op models ------------------------------------------


def _schema():
  from tensorflow.lite.python import schema_py_generated as s
  return s


def _tensor_type(dtype):
  s = _schema().TensorType
  if dtype == "string":
    return s.STRING
  return {np.dtype(np.float32): s.FLOAT32, np.dtype(np.float64): s.FLOAT64,
          np.dtype(np.int32): s.INT32, np.dtype(np.int64): s.INT64,
          np.dtype(np.int16): s.INT16, np.dtype(np.int8): s.INT8,
          np.dtype(np.uint8): s.UINT8, np.dtype(np.bool_): s.BOOL,
          np.dtype(np.complex64): s.COMPLEX64}[np.dtype(dtype)]


def op_model(op, ins, outs, options=None, consts=None):
  """A .tflite model with one builtin op and a serving_default signature.

  op: BuiltinOperator name; ins / outs: [(name, shape, dtype)], dtype a numpy
  dtype or "string"; options: (BuiltinOptions name, {field: value}) or None;
  consts: {input position: array} for constant inputs (left out of the
  signature)."""
  consts = consts or {}
  m = SingleOpModel(_schema(), op)
  ins_idx, sig_in = [], []
  for i, (name, shape, dtype) in enumerate(ins):
    if i in consts:
      ins_idx.append(m.tensor(name, shape, _tensor_type(dtype), consts[i]))
    else:
      k = m.tensor(name, shape, _tensor_type(dtype))
      ins_idx.append(k)
      sig_in.append((name, k))
  outs_idx = [m.tensor(n, sh, _tensor_type(d)) for n, sh, d in outs]
  return m.finish(ins_idx, outs_idx, sig_in,
                  [(outs[j][0], k) for j, k in enumerate(outs_idx)], options)


def bcast_shape(*shapes):
  return list(np.broadcast_shapes(*[tuple(s) for s in shapes]))


def binop(name, op, x, y, out_dtype=None, options=None, out_shape=None,
          **kw):
  """A case running `op` on inputs x, y (numpy arrays)."""
  out_dtype = out_dtype or x.dtype
  out_shape = bcast_shape(x.shape, y.shape) if out_shape is None else out_shape
  model = op_model(op, [("x", x.shape, x.dtype), ("y", y.shape, y.dtype)],
                   [("z", out_shape, out_dtype)], options)
  return Case(name=name, model_bytes=model, inputs={"x": x, "y": y}, **kw)


def act(options_name, fn):
  return (options_name, {"fusedActivationFunction": fn})


# ActivationFunctionType
NONE, RELU, RELU_N1_TO_1, RELU6, TANH, SIGN_BIT = range(6)

# ---- Cases -------------------------------------------------------------------


def _converted(name, op, a, b):
  @tf.function(input_signature=[tf.TensorSpec(a.shape, tf.as_dtype(a.dtype)),
                                tf.TensorSpec(b.shape, tf.as_dtype(b.dtype))])
  def fn(x, y):
    return op(x, y)
  return Case(name=name, fn=fn, inputs={"x": a, "y": b})


def _arith_cases(r):
  f = lambda *s: r.standard_normal(s).astype(np.float32)
  ints = lambda dt, lo, hi, *s: r.integers(lo, hi, s).astype(dt)
  nz = lambda dt, *s: (r.integers(1, 9, s) * r.choice([-1, 1], s)).astype(dt)
  opts = {"SUB": "SubOptions", "MUL": "MulOptions", "DIV": "DivOptions"}
  for op in ("SUB", "MUL", "DIV"):
    lo = op.lower()
    den = (lambda *s: f(*s) + np.where(f(*s) > 0, 2, -2).astype(np.float32)) \
        if op == "DIV" else f
    yield binop("binary/%s_f32" % lo, op, f(2, 3), den(2, 3))
    yield binop("binary/%s_broadcast_4d" % lo, op, f(2, 1, 3, 4), den(5, 1, 4))
    yield binop("binary/%s_broadcast_6d" % lo, op, f(2, 1, 3, 1, 2, 2),
                den(1, 2, 3, 1, 2, 1))
    yield binop("binary/%s_scalar_left" % lo, op, f(), den(3, 4))
    yield binop("binary/%s_scalar_right" % lo, op, f(4, 3), den())
    yield binop("binary/%s_rank0" % lo, op, f(), den())
    yield binop("binary/%s_empty" % lo, op, f(0, 3), den(1, 3))
    yield binop("binary/%s_empty_bcast" % lo, op, f(2, 0, 1), den(3))
    for a, an in ((RELU, "relu"), (RELU6, "relu6"),
                  (RELU_N1_TO_1, "relu_n1_to_1"), (TANH, "tanh_ignored")):
      x = (f(3, 8) * 4).astype(np.float32)
      yield binop("binary/%s_act_%s" % (lo, an), op, x, den(8),
                  options=act(opts[op], a))
    i32 = nz if op == "DIV" else (lambda dt, *s: ints(dt, -100, 100, *s))
    yield binop("binary/%s_i32" % lo, op, ints(np.int32, -1000, 1000, 3, 4),
                i32(np.int32, 4))
    yield binop("binary/%s_i32_relu6" % lo, op,
                ints(np.int32, -20, 20, 2, 5), i32(np.int32, 2, 1),
                options=act(opts[op], RELU6))
    if op != "DIV":
      yield binop("binary/%s_i64" % lo, op,
                  ints(np.int64, -10**12, 10**12, 2, 3, 4),
                  ints(np.int64, -10**6, 10**6, 3, 1))
      yield binop("binary/%s_i64_relu" % lo, op,
                  ints(np.int64, -100, 100, 6), ints(np.int64, -100, 100, 6),
                  options=act(opts[op], RELU))
  # Integer wrap-around and limits.
  big = np.array([2**31 - 1, -2**31, 2**30, -7, 7, 0], np.int32)
  yield binop("binary/sub_i32_wrap", "SUB", big,
              np.array([-1, 1, -2**31, 2, -2, -2**31], np.int32))
  yield binop("binary/mul_i32_wrap", "MUL", big,
              np.array([2, 2, 4, -3, 3, 5], np.int32))
  yield binop("binary/mul_i16", "MUL", ints(np.int16, -300, 300, 2, 4),
              ints(np.int16, -300, 300, 4))
  yield binop("binary/mul_i16_relu6", "MUL", ints(np.int16, -300, 300, 8),
              ints(np.int16, -300, 300, 8), options=act("MulOptions", RELU6))
  c = lambda *s: (r.standard_normal(s) + 1j * r.standard_normal(s)).astype(
      np.complex64)
  yield binop("binary/mul_c64", "MUL", c(2, 3), c(2, 3))
  yield binop("binary/mul_c64_bcast", "MUL", c(2, 1, 3), c(4, 1))
  yield binop("binary/mul_c64_relu", "MUL", c(5), c(5),
              options=act("MulOptions", RELU),
              expect_error="not allowed for COMPLEX64")
  yield binop("binary/mul_c64_edge", "MUL",
              np.array([complex(np.inf, 0), complex(np.inf, np.inf),
                        complex(np.nan, 1), complex(0, -0.0), 3e38 + 3e38j],
                       np.complex64),
              np.array([complex(0, 1), complex(1, 0), complex(1, 1),
                        complex(-0.0, 0), 10 + 10j], np.complex64))
  yield binop("binary/mul_i16_wrap", "MUL",
              np.array([300, -300, 32767, -32768, 181], np.int16),
              np.array([300, 300, 2, -1, 181], np.int16))
  # Options of another union type read as defaults (no activation).
  yield binop("binary/sub_foreign_options", "SUB", f(6) * 4, f(6),
              options=act("AddOptions", RELU))
  yield binop("binary/div_act_sign_bit_ignored", "DIV", f(6) * 4,
              np.full(6, 0.5, np.float32), options=act("DivOptions", SIGN_BIT))
  yield binop("binary/div_i32_trunc", "DIV",
              np.array([7, -7, 7, -7, -2**31, 2**31 - 1, 0], np.int32),
              np.array([2, 2, -2, -2, -1, -1, 5], np.int32))
  # Float edge values: +-inf clamp to +-FLT_MAX, NaN passes through.
  edge = np.array([1, -1, 0, -0.0, np.nan, np.inf, -np.inf, 3e38],
                  np.float32)
  yield binop("binary/div_f32_by_zero", "DIV", edge,
              np.array([0, 0, 0, 0, 1, 1, 1, 0.5], np.float32))
  yield binop("binary/sub_f32_edge", "SUB", edge,
              np.array([np.inf, -np.inf, -0.0, 0, 1, 1, np.inf, -3e38],
                       np.float32))
  yield binop("binary/mul_f32_edge", "MUL", edge,
              np.array([np.inf, -0.0, np.inf, 2, 1, -1, 0, 10], np.float32))
  # Converted through TensorFlow, for the converter's own layout.
  yield _converted("binary/sub_converted", tf.subtract, f(2, 3, 4), f(4))
  yield _converted("binary/mul_converted", tf.multiply, f(3, 1), f(1, 5))
  yield _converted("binary/div_converted", tf.divide, f(4, 4),
                   f(4) + np.float32(4))
  # Errors.
  yield binop("binary/sub_not_broadcastable", "SUB", f(2, 3), f(4, 3),
              out_shape=[2, 3], expect_error="not broadcastable")
  yield binop("binary/div_i32_by_zero", "DIV",
              np.array([1, 2, 3], np.int32), np.array([1, 0, 2], np.int32),
              expect_error="division by zero")
  yield binop("binary/div_i64_unsupported", "DIV",
              np.array([1, 2], np.int64), np.array([1, 2], np.int64),
              expect_error="DIV supports float32 and int32, got INT64")
  m = op_model("MUL", [("x", [2], np.float32), ("y", [2], np.int32)],
               [("z", [2], np.float32)])
  yield Case(name="binary/mul_type_mismatch", model_bytes=m,
             inputs={"x": f(2), "y": np.array([1, 2], np.int32)},
             expect_error="inputs of one type")


def _other_cases(r):
  f = lambda *s: r.standard_normal(s).astype(np.float32)
  ints = lambda dt, lo, hi, *s: r.integers(lo, hi, s).astype(dt)
  nz = lambda dt, *s: (r.integers(1, 9, s) * r.choice([-1, 1], s)).astype(dt)
  # SQUARED_DIFFERENCE
  yield binop("binary/squared_difference_f32", "SQUARED_DIFFERENCE",
              f(3, 4), f(3, 4))
  yield binop("binary/squared_difference_bcast_5d", "SQUARED_DIFFERENCE",
              f(2, 1, 3, 1, 2), f(3, 2, 1))
  yield binop("binary/squared_difference_i32", "SQUARED_DIFFERENCE",
              np.array([2**20, 3, -5, 46341, 0], np.int32),
              np.array([-2**20, -3, 5, 0, 0], np.int32))
  yield binop("binary/squared_difference_empty", "SQUARED_DIFFERENCE",
              f(0), f(1))
  yield binop("binary/squared_difference_i64_unsupported",
              "SQUARED_DIFFERENCE", np.array([1], np.int64),
              np.array([1], np.int64), expect_error="float32 and int32")
  # POW
  yield binop("binary/pow_f32", "POW", np.abs(f(3, 4)) + 0.1,
              f(3, 4) * 3, tolerance=1e-5)
  yield binop("binary/pow_f32_edge", "POW",
              np.array([-2, -2, 0, 0, np.nan, 1, -1, np.inf, 4],
                       np.float32),
              np.array([3, 0.5, 0, -1, 0, np.nan, np.inf, -1, 0.5],
                       np.float32))
  yield binop("binary/pow_f32_bcast_6d", "POW",
              np.abs(f(2, 1, 2, 1, 3, 1)) + 0.5, f(2, 1, 1, 2))
  yield binop("binary/pow_i32", "POW",
              np.array([2, -3, 3, 0, 0, 7, -2, 3, 2], np.int32),
              np.array([10, 3, 19, 0, 5, 1, 31, 20, 31], np.int32))
  yield binop("binary/pow_i32_bcast", "POW", ints(np.int32, -5, 5, 3, 4),
              ints(np.int32, 0, 5, 4))
  yield binop("binary/pow_i32_negative_exponent", "POW",
              np.array([2, 2], np.int32), np.array([1, -1], np.int32),
              expect_error="exponents must be >= 0")
  # MAXIMUM / MINIMUM
  nan_a = np.array([np.nan, 1, -0.0, 0.0, np.inf, -np.inf], np.float32)
  nan_b = np.array([1, np.nan, 0.0, -0.0, 1, 1], np.float32)
  for op in ("MAXIMUM", "MINIMUM"):
    lo = op.lower()
    yield binop("binary/%s_f32" % lo, op, f(3, 4), f(3, 4))
    yield binop("binary/%s_nan_zero" % lo, op, nan_a, nan_b)
    yield binop("binary/%s_bcast_5d" % lo, op, f(2, 1, 3, 1, 2), f(1, 2, 1))
    yield binop("binary/%s_scalar" % lo, op, f(2, 3), f())
    for dt, lim in ((np.int32, 2**31), (np.int64, 2**40), (np.int16, 2**15),
                    (np.int8, 128)):
      yield binop("binary/%s_%s" % (lo, np.dtype(dt).name), op,
                  ints(dt, -lim, lim, 2, 3), ints(dt, -lim, lim, 3))
    yield binop("binary/%s_uint8" % lo, op, ints(np.uint8, 0, 256, 4, 1),
                ints(np.uint8, 0, 256, 3))
    yield binop("binary/%s_empty" % lo, op, f(3, 0), f(3, 1))
  yield _converted("binary/maximum_converted", tf.maximum, f(2, 3), f(3))
  yield binop("binary/minimum_bool_unsupported", "MINIMUM",
              np.array([True]), np.array([False]),
              expect_error="MINIMUM supports")
  # FLOOR_DIV
  yield binop("binary/floor_div_f32", "FLOOR_DIV", f(3, 4) * 10,
              np.where(f(3, 4) > 0, 1.5, -2.5).astype(np.float32))
  yield binop("binary/floor_div_f32_bcast_6d", "FLOOR_DIV",
              f(2, 1, 2, 1, 2, 3) * 10, nz(np.float32, 2, 1, 3))
  yield binop("binary/floor_div_i32", "FLOOR_DIV",
              np.array([7, -7, 7, -7, 0, -2**31, 2**31 - 1, -1], np.int32),
              np.array([2, 2, -2, -2, 3, -1, -1, 5], np.int32))
  yield binop("binary/floor_div_i32_bcast", "FLOOR_DIV",
              ints(np.int32, -100, 100, 3, 4), nz(np.int32, 4))
  yield binop("binary/floor_div_i16", "FLOOR_DIV",
              np.array([7, -7, -32768, 32767, -1], np.int16),
              np.array([2, 2, -1, -3, 4], np.int16))
  yield binop("binary/floor_div_i8", "FLOOR_DIV",
              np.array([7, -7, -128, 127, -1], np.int8),
              np.array([2, 2, -1, -3, 4], np.int8))
  yield binop("binary/floor_div_empty", "FLOOR_DIV", f(0, 2), f(2) + 3)
  yield binop("binary/floor_div_f32_by_zero", "FLOOR_DIV",
              np.array([1, 2], np.float32), np.array([1, 0], np.float32),
              expect_error="division by zero")
  yield binop("binary/floor_div_i32_by_zero", "FLOOR_DIV",
              np.array([1, 2], np.int32), np.array([0, 1], np.int32),
              expect_error="division by zero")
  yield binop("binary/floor_div_i64_unsupported", "FLOOR_DIV",
              np.array([1], np.int64), np.array([1], np.int64),
              expect_error="FLOOR_DIV supports")
  yield _converted("binary/floor_div_converted", tf.math.floordiv,
                   f(3, 4) * 5, np.full((4,), 1.5, np.float32))
  # FLOOR_MOD
  yield binop("binary/floor_mod_f32", "FLOOR_MOD",
              np.array([-7.5, 7.5, -0.0, 5, 1, 3, -3, 0], np.float32),
              np.array([2, -2, 3, np.inf, 0, -np.inf, np.inf, -2],
                       np.float32))
  yield binop("binary/floor_mod_f32_bcast", "FLOOR_MOD", f(2, 3, 4) * 10,
              np.array([1.5, -2.5, 3, -0.75], np.float32))
  for dt in (np.int32, np.int64, np.int16, np.int8):
    yield binop("binary/floor_mod_%s" % np.dtype(dt).name, "FLOOR_MOD",
                np.array([7, -7, 7, -7, 0, 6, -100, 100], dt),
                np.array([3, 3, -3, -3, 5, 3, 7, -7], dt))
  yield binop("binary/floor_mod_i32_bcast_5d", "FLOOR_MOD",
              ints(np.int32, -100, 100, 2, 1, 2, 1, 3),
              nz(np.int32, 2, 1, 3))
  yield binop("binary/floor_mod_i32_by_zero", "FLOOR_MOD",
              np.array([1, 2], np.int32), np.array([1, 0], np.int32),
              expect_error="division by zero")
  yield _converted("binary/floor_mod_converted", tf.math.floormod,
                   f(3, 4) * 5, np.full((4,), 1.5, np.float32))
  # ATAN2
  atan_tol = dict(tolerance=1e-5)
  yield binop("binary/atan2_f32", "ATAN2", f(3, 4), f(3, 4), **atan_tol)
  yield binop("binary/atan2_f32_edge", "ATAN2",
              np.array([0, -0.0, 0, -0.0, 1, -1, np.inf, np.nan, 1],
                       np.float32),
              np.array([0, 0, -0.0, -0.0, np.inf, -np.inf, np.inf, 1, 0],
                       np.float32))
  yield binop("binary/atan2_f64", "ATAN2", r.standard_normal((2, 3)),
              r.standard_normal((2, 3)))
  yield binop("binary/atan2_rank0", "ATAN2", f(), f())
  yield binop("binary/atan2_empty", "ATAN2", f(2, 0), f(2, 0))
  yield binop("binary/atan2_shape_mismatch", "ATAN2", f(2, 3), f(2, 1),
              out_shape=[2, 3], expect_error="one shape")
  yield _converted("binary/atan2_converted", tf.math.atan2, f(5), f(5))
  # LOGICAL_AND / LOGICAL_OR / LOGICAL_NOT
  b = lambda *s: r.random(s) < 0.5
  for op in ("LOGICAL_AND", "LOGICAL_OR"):
    lo = op.lower()
    yield binop("binary/%s" % lo, op, b(3, 4), b(3, 4))
    yield binop("binary/%s_bcast_5d" % lo, op, b(2, 1, 2, 1, 3), b(2, 1, 3))
    yield binop("binary/%s_scalar" % lo, op, b(), b(5))
    yield binop("binary/%s_empty" % lo, op, b(0, 2), b(2))
  yield binop("binary/logical_and_f32_unsupported", "LOGICAL_AND",
              f(2), f(2), expect_error="LOGICAL_AND supports bool")
  for shape, nm in (((3, 4), "2d"), ((), "rank0"), ((0, 3), "empty"),
                    ((2, 1, 2, 1, 2, 3), "6d")):
    x = b(*shape)
    m = op_model("LOGICAL_NOT", [("x", x.shape, np.bool_)],
                 [("z", x.shape, np.bool_)])
    yield Case(name="binary/logical_not_%s" % nm, model_bytes=m,
               inputs={"x": x})
  yield _converted("binary/logical_or_converted", tf.logical_or, b(2, 3),
                   b(3))


def cases():
  r = rng(1)
  f = lambda *s: r.standard_normal(s).astype(np.float32)
  yield _binary("binary/add_f32", tf.add, f(2, 3), f(2, 3))
  yield _binary("binary/add_broadcast_4d", tf.add, f(2, 1, 3, 4), f(5, 1, 4))
  yield _binary("binary/add_i32", tf.add,
                r.integers(-100, 100, (3, 4)).astype(np.int32),
                r.integers(-100, 100, (4,)).astype(np.int32))
  yield from _arith_cases(rng(2))
  yield from _other_cases(rng(3))
  yield from _select_cases(rng(4))


def _select_cases(r):
  f = lambda *s: r.standard_normal(s).astype(np.float32)
  b = lambda *s: r.random(s) < 0.5
  B = np.bool_

  def sel(name, op, c, x, y, out_shape=None, **kw):
    if out_shape is None:
      out_shape = list(x.shape) if op == "SELECT" else \
          list(np.broadcast_shapes(c.shape, x.shape, y.shape))
    m = op_model(op, [("c", c.shape, B), ("x", x.shape, x.dtype),
                      ("y", y.shape, y.dtype)], [("z", out_shape, x.dtype)])
    return Case(name=name, model_bytes=m, inputs={"c": c, "x": x, "y": y},
                **kw)

  # SELECT (v1)
  for dt in (np.float32, np.int32, np.int64, np.int16, np.int8, np.uint8,
             np.bool_, np.float64):
    x = (r.integers(-100, 100, (2, 3)) if dt != np.bool_
         else r.integers(0, 2, (2, 3))).astype(dt)
    y = (r.integers(-100, 100, (2, 3)) if dt != np.bool_
         else r.integers(0, 2, (2, 3))).astype(dt)
    yield sel("binary/select_%s" % np.dtype(dt).name, "SELECT", b(2, 3), x,
              y)
  yield sel("binary/select_scalar_cond", "SELECT", np.array(True),
            f(2, 3), f(2, 3))
  yield sel("binary/select_rank1_cond", "SELECT", b(3), f(3, 2, 2),
            f(3, 2, 2))
  yield sel("binary/select_empty", "SELECT", b(0, 2), f(0, 2), f(0, 2))
  yield sel("binary/select_nan_bits", "SELECT", np.array([True, False, True]),
            np.array([np.nan, 1, -0.0], np.float32),
            np.array([2, -np.inf, 0], np.float32))
  yield sel("binary/select_bad_cond", "SELECT", b(3), f(2, 3), f(2, 3),
            out_shape=[2, 3], expect_error="SELECT condition")
  yield sel("binary/select_xy_shapes", "SELECT", b(2, 3), f(1, 3), f(2, 3),
            out_shape=[2, 3], expect_error="x and y of one shape")
  @tf.function(input_signature=[tf.TensorSpec([3], tf.bool),
                                tf.TensorSpec([3, 2], tf.float32),
                                tf.TensorSpec([3, 2], tf.float32)])
  def select_v1(c, x, y):
    return tf.compat.v1.where(c, x, y)
  yield Case(name="binary/select_converted", fn=select_v1,
             inputs={"c": b(3), "x": f(3, 2), "y": f(3, 2)})
  # SELECT_V2
  yield sel("binary/select_v2_same", "SELECT_V2", b(2, 3), f(2, 3), f(2, 3))
  yield sel("binary/select_v2_bcast", "SELECT_V2", b(2, 1), f(1, 3), f(2, 3))
  yield sel("binary/select_v2_bcast_6d", "SELECT_V2", b(2, 1, 1, 2, 1, 2),
            f(1, 3, 1, 1, 2, 1), f(2, 1, 1, 1, 1, 1))
  yield sel("binary/select_v2_scalars", "SELECT_V2", b(4),
            np.array(7, np.float32), f())
  yield sel("binary/select_v2_i64", "SELECT_V2", b(3, 1),
            r.integers(-2**40, 2**40, (4,)), r.integers(-9, 9, (3, 4)))
  yield sel("binary/select_v2_bool", "SELECT_V2", b(2, 2), b(2), b(2, 1))
  yield sel("binary/select_v2_empty", "SELECT_V2", b(0, 1), f(1, 3), f(1))
  yield sel("binary/select_v2_not_broadcastable", "SELECT_V2", b(2), f(2, 3),
            f(2, 3), out_shape=[2, 3], expect_error="not broadcastable")
  m = op_model("SELECT_V2", [("c", [2], np.float32), ("x", [2], np.float32),
                             ("y", [2], np.float32)],
               [("z", [2], np.float32)])
  yield Case(name="binary/select_v2_float_cond", model_bytes=m,
             inputs={"c": f(2), "x": f(2), "y": f(2)},
             expect_error="condition must be BOOL")

  @tf.function(input_signature=[tf.TensorSpec([2, 3], tf.bool),
                                tf.TensorSpec([3], tf.float32),
                                tf.TensorSpec([2, 1], tf.float32)])
  def where3(c, x, y):
    return tf.where(c, x, y)
  yield Case(name="binary/select_v2_converted", fn=where3,
             inputs={"c": b(2, 3), "x": f(3), "y": f(2, 1)})

  # WHERE (dynamic output shape)
  def where(name, c, **kw):
    m = op_model("WHERE", [("c", c.shape, c.dtype)],
                 [("z", [0, max(c.ndim, 1)], np.int64)])
    return Case(name=name, model_bytes=m, inputs={"c": c}, **kw)
  yield where("binary/where_bool_2d", b(3, 4))
  yield where("binary/where_bool_1d", b(7))
  yield where("binary/where_bool_6d", b(2, 1, 2, 1, 3, 2))
  # No case with zero true elements: LiteRT's Python binding cannot read
  # back the resulting [0, rank] dynamic output ("Invalid tensor size").
  yield where("binary/where_all_true", np.ones((2, 2), B))
  yield where("binary/where_f32", np.array([[0, -0.0, np.nan], [1, 0, -2]],
                                           np.float32))
  for dt in (np.int32, np.int64, np.int8, np.uint8):
    yield where("binary/where_%s" % np.dtype(dt).name,
                r.integers(0, 3, (2, 3)).astype(dt))
  const = np.array([[True, False], [False, True], [True, True]])
  m = op_model("WHERE", [("c", const.shape, B)], [("z", [4, 2], np.int64)],
               consts={0: const})
  yield Case(name="binary/where_constant", model_bytes=m, inputs={})
  yield where("binary/where_rank0", np.array(True),
              expect_error="rank >= 1")
  yield where("binary/where_i16_unsupported", np.array([1, 0], np.int16),
              expect_error="WHERE condition must be")

  @tf.function(input_signature=[tf.TensorSpec([3, 4], tf.float32)])
  def where1(x):
    return tf.where(x > 0)
  yield Case(name="binary/where_converted", fn=where1, inputs={"x": f(3, 4)})

  # ADD_N
  def add_n(name, *xs, out_dtype=None, **kw):
    names = ["a%d" % i for i in range(len(xs))]
    m = op_model("ADD_N", [(n, x.shape, x.dtype) for n, x in zip(names, xs)],
                 [("z", xs[0].shape, out_dtype or xs[0].dtype)])
    return Case(name=name, model_bytes=m, inputs=dict(zip(names, xs)), **kw)
  yield add_n("binary/add_n_f32_2", f(2, 3), f(2, 3))
  yield add_n("binary/add_n_f32_5", *[f(4, 1, 2) for _ in range(5)])
  yield add_n("binary/add_n_f32_negzero", np.array([-0.0, -0.0, 1], np.float32),
              np.array([-0.0, 0.0, np.inf], np.float32))
  # Partial sums are clamped to the finite range, as TFLite's kernel does.
  yield add_n("binary/add_n_f32_clamp",
              np.array([np.inf, 3e38, -0.0, 1], np.float32),
              np.array([1, 3e38, -0.0, 2], np.float32),
              np.array([-np.inf, -3e38, -0.0, 3], np.float32))
  yield add_n("binary/add_n_i32", *[r.integers(-2**31, 2**31, (3,)).astype(
      np.int32) for _ in range(3)])
  yield add_n("binary/add_n_rank0", f(), f(), f())
  yield add_n("binary/add_n_empty", f(0, 2), f(0, 2))
  yield add_n("binary/add_n_shape_mismatch", f(2, 3), f(3),
              expect_error="one shape")
  yield add_n("binary/add_n_i64_unsupported", np.array([1], np.int64),
              np.array([1], np.int64), expect_error="float32 and int32")

  @tf.function(input_signature=[tf.TensorSpec([2, 2], tf.float32)] * 3)
  def addn(x, y, z):
    return tf.math.add_n([x, y, z])
  yield Case(name="binary/add_n_converted", fn=addn,
             inputs={"x": f(2, 2), "y": f(2, 2), "z": f(2, 2)})

  # PRELU
  def prelu(name, x, a, **kw):
    m = op_model("PRELU", [("x", x.shape, x.dtype), ("a", a.shape, a.dtype)],
                 [("z", x.shape, x.dtype)])
    return Case(name=name, model_bytes=m, inputs={"x": x, "a": a}, **kw)
  yield prelu("binary/prelu_channel", f(2, 3, 4), f(4))
  yield prelu("binary/prelu_4d", f(1, 2, 2, 3), f(1, 1, 3))
  yield prelu("binary/prelu_6d", f(2, 1, 2, 1, 2, 3), f(2, 1, 1, 3))
  yield prelu("binary/prelu_same_shape", f(3, 4), f(3, 4))
  yield prelu("binary/prelu_scalar_alpha", f(5), f())
  yield prelu("binary/prelu_edge",
              np.array([np.nan, -0.0, 0.0, -1, -np.inf, 2], np.float32),
              np.array([2, 2, 2, np.nan, 0, -1], np.float32))
  yield prelu("binary/prelu_empty", f(0, 3), f(3))
  yield prelu("binary/prelu_alpha_widens", f(3), f(2, 3),
              expect_error="must broadcast to the input")
  yield prelu("binary/prelu_i32_unsupported", np.array([1, -1], np.int32),
              np.array([2, 2], np.int32), expect_error="PRELU supports")
  yield Case(name="binary/prelu_keras", fn=_keras_prelu(),
             inputs={"x": f(2, 3, 4)})


def _keras_prelu():
  inp = tf.keras.Input(shape=(3, 4), batch_size=2, name="x")
  layer = tf.keras.layers.PReLU(
      alpha_initializer=tf.keras.initializers.RandomUniform(0.1, 0.5, seed=3),
      shared_axes=[1])
  return tf.keras.Model(inp, layer(inp))


_binary = _converted
