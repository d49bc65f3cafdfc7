"""Comparisons: EQUAL, NOT_EQUAL, LESS, LESS_EQUAL, GREATER, GREATER_EQUAL
(dtypes including bool and string, broadcasting, NaN, edge shapes)."""
import numpy as np
import tensorflow as tf

from conformance.cases import Case, rng
from conformance.cases.binary import binop, op_model

OPS = ("EQUAL", "NOT_EQUAL", "LESS", "LESS_EQUAL", "GREATER", "GREATER_EQUAL")


def cases():
  r = rng(11)
  # Small ranges, so that equal pairs are common.
  ints = lambda dt, *s: r.integers(-3, 4, s).astype(dt)
  fl = lambda *s: (r.integers(-3, 4, s) / 2).astype(np.float32)
  edge_a = np.array([np.nan, 1, np.nan, -0.0, np.inf, -np.inf, 1],
                    np.float32)
  edge_b = np.array([np.nan, np.nan, 1, 0.0, np.inf, np.inf, 2], np.float32)
  B = np.bool_
  for op in OPS:
    lo = op.lower()
    yield binop("compare/%s_f32" % lo, op, fl(3, 4), fl(3, 4), B)
    yield binop("compare/%s_f32_edge" % lo, op, edge_a, edge_b, B)
    yield binop("compare/%s_bcast_4d" % lo, op, fl(2, 1, 3, 4), fl(5, 1, 4),
                B)
    yield binop("compare/%s_bcast_6d" % lo, op, fl(2, 1, 2, 1, 3, 1),
                fl(2, 1, 1, 2), B)
    yield binop("compare/%s_scalar" % lo, op, fl(), fl(2, 3), B)
    yield binop("compare/%s_empty" % lo, op, fl(0, 3), fl(3), B)
    for dt in (np.int32, np.int64, np.int16):
      if op == "NOT_EQUAL" and dt == np.int16:
        continue  # LiteRT reads int16 NOT_EQUAL as quantized (garbage)
      yield binop("compare/%s_%s" % (lo, np.dtype(dt).name), op,
                  ints(dt, 3, 4), ints(dt, 4), B)
  big = np.array([2**62, -2**62, 2**62 + 1, 5], np.int64)
  yield binop("compare/less_i64_large", "LESS", big,
              np.array([2**62 + 1, -2**62, 2**62, 5], np.int64), B)
  for op in ("EQUAL", "NOT_EQUAL"):
    lo = op.lower()
    bb = lambda *s: r.random(s) < 0.5
    yield binop("compare/%s_bool" % lo, op, bb(3, 4), bb(4), B)
    words = np.array([b"a", b"", b"abc", b"ab", b"\xc3\xa9", b"x"] * 2,
                     dtype=object).reshape(2, 6)
    other = np.array([b"a", b"", b"abd", b"abc", b"\xc3\xa9", b"y"],
                     dtype=object)
    m = op_model(op, [("x", [2, 6], "string"), ("y", [6], "string")],
                 [("z", [2, 6], B)])
    yield Case(name="compare/%s_string" % lo, model_bytes=m,
               inputs={"x": words, "y": other})
    # y is [1], not a scalar: LiteRT reads a rank-0 string input wrongly.
    m = op_model(op, [("x", [3, 1], "string"), ("y", [1], "string")],
                 [("z", [3, 1], B)])
    yield Case(name="compare/%s_string_scalar" % lo, model_bytes=m,
               inputs={"x": np.array([[b"q"], [b""], [b"qq"]], dtype=object),
                       "y": np.array([b"q"], dtype=object)})
  yield binop("compare/less_bool_unsupported", "LESS", np.array([True]),
              np.array([False]), B, expect_error="LESS supports")
  yield binop("compare/equal_not_broadcastable", "EQUAL", fl(2, 3), fl(2),
              B, out_shape=[2, 3], expect_error="not broadcastable")
  m = op_model("GREATER", [("x", [2], np.float32), ("y", [2], np.float32)],
               [("z", [2], np.float32)])
  yield Case(name="compare/greater_float_output", model_bytes=m,
             inputs={"x": fl(2), "y": fl(2)}, expect_error="must be BOOL")

  def conv(name, fn, a, b):
    @tf.function(input_signature=[tf.TensorSpec(a.shape, a.dtype),
                                  tf.TensorSpec(b.shape, b.dtype)])
    def f(x, y):
      return fn(x, y)
    return Case(name=name, fn=f, inputs={"x": a, "y": b})
  yield conv("compare/less_converted", tf.less, fl(2, 3), fl(3))
  yield conv("compare/equal_converted_i32", tf.equal, ints(np.int32, 4, 1),
             ints(np.int32, 3))
  yield conv("compare/greater_equal_converted", tf.greater_equal, fl(5),
             fl(1))
