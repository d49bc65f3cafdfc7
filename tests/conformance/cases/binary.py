"""Elementwise binary ops: ADD, SUB, MUL, DIV, ... (broadcasting, dtypes)."""
import numpy as np
import tensorflow as tf

from conformance.cases import Case, rng


def _binary(name, op, a, b):
  @tf.function(input_signature=[tf.TensorSpec(a.shape, tf.as_dtype(a.dtype)),
                                tf.TensorSpec(b.shape, tf.as_dtype(b.dtype))])
  def fn(x, y):
    return op(x, y)
  return Case(name=name, fn=fn, inputs={"x": a, "y": b})


def cases():
  r = rng(1)
  f = lambda *s: r.standard_normal(s).astype(np.float32)
  yield _binary("binary/add_f32", tf.add, f(2, 3), f(2, 3))
  yield _binary("binary/add_broadcast_4d", tf.add, f(2, 1, 3, 4), f(5, 1, 4))
  yield _binary("binary/add_i32", tf.add,
                r.integers(-100, 100, (3, 4)).astype(np.int32),
                r.integers(-100, 100, (4,)).astype(np.int32))
