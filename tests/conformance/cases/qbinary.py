"""Quantized binary family, QUANTIZE / DEQUANTIZE, CONCATENATION, PACK,
UNPACK: converter-made models in the integer modes, and hand-built single-op
models for the forms the converter never emits (uint8, int16 pot scales,
unequal parameters, saturation) and for bad parameters."""
import numpy as np
import tensorflow as tf

from conformance.cases import Case, SingleOpModel, qparams, rng


def _schema():
  from tensorflow.lite.python import schema_py_generated as s
  return s


_TYPES = {np.dtype(np.float32): "FLOAT32", np.dtype(np.int8): "INT8",
          np.dtype(np.uint8): "UINT8", np.dtype(np.int16): "INT16",
          np.dtype(np.int32): "INT32", np.dtype(np.bool_): "BOOL"}


def _q(scale, zero_point, dim=0):
  return qparams(_schema(), scale, zero_point, dim)


def qmodel(op, ins, outs, options=None):
  """A single-op model. ins: [(name, array or None for a shape-only
  signature input..., q)], given as (name, shape, dtype, q, const_data);
  outs: [(name, shape, dtype, q)]."""
  s = _schema()
  m = SingleOpModel(s, op)
  idx, sig = [], []
  for name, shape, dtype, q, const in ins:
    t = getattr(s.TensorType, _TYPES[np.dtype(dtype)])
    k = m.tensor(name, shape, t, const, quantization=q)
    idx.append(k)
    if const is None:
      sig.append((name, k))
  oidx = [m.tensor(n, sh, getattr(s.TensorType, _TYPES[np.dtype(d)]),
                   quantization=q) for n, sh, d, q in outs]
  return m.finish(idx, oidx, sig, [(outs[j][0], k) for j, k in
                                   enumerate(oidx)], options)


def qbin(name, op, x, qx, y, qy, out_dtype, qo, options=None, **kw):
  """A binary op on integer arrays x, y with parameters qx, qy -> qo."""
  shape = list(np.broadcast_shapes(x.shape, y.shape))
  model = qmodel(op, [("x", x.shape, x.dtype, qx, None),
                      ("y", y.shape, y.dtype, qy, None)],
                 [("z", shape, out_dtype, qo)], options)
  return Case(name=name, model_bytes=model, inputs={"x": x, "y": y}, **kw)


def ints(r, dtype, *shape):
  info = np.iinfo(dtype)
  return r.integers(info.min, int(info.max) + 1, shape).astype(dtype)


def act(options, fn, **more):
  fields = {"fusedActivationFunction": fn}
  fields.update(more)
  return (options, fields)


# ---- Converter-made models --------------------------------------------------


def _fn2(op, a_shape, b_shape):
  @tf.function(input_signature=[tf.TensorSpec(a_shape, tf.float32),
                                tf.TensorSpec(b_shape, tf.float32)])
  def fn(x, y):
    return op(x, y)
  return fn


def _converted_cases(r):
  f = lambda *s: r.uniform(-4, 4, s).astype(np.float32)
  modes = ("int8", "int8_io", "uint8_io", "16x8")
  two = [
      ("add", tf.add, [2, 3, 4], [2, 3, 4]),
      ("add_bcast", tf.add, [2, 3, 4], [4]),
      ("add_relu", lambda x, y: tf.nn.relu(x + y), [3, 5], [3, 5]),
      ("add_relu6", lambda x, y: tf.nn.relu6(x + y), [3, 5], [1, 5]),
      ("sub", tf.subtract, [2, 3, 4], [3, 1]),
      ("mul", tf.multiply, [2, 3, 4], [2, 3, 4]),
      ("mul_bcast", tf.multiply, [2, 1, 4], [3, 1]),
      ("mul_relu", lambda x, y: tf.nn.relu(x * y), [4, 6], [6]),
      ("squared_difference", tf.math.squared_difference, [3, 4], [3, 4]),
      ("maximum", tf.maximum, [3, 4], [4]),
      ("minimum", tf.minimum, [3, 4], [3, 4]),
  ]
  for name, op, sa, sb in two:
    for mode in modes:
      kw = {}
      if name == "squared_difference" and mode == "16x8":
        # LiteRT has no int16 SQUARED_DIFFERENCE: both fail.
        kw = {"expect_error": "SQUARED_DIFFERENCE supports"}
      yield Case(name="qbinary/%s_%s" % (name, mode),
                 fn=_fn2(op, sa, sb), inputs={"x": f(*sa), "y": f(*sb)},
                 quantize=mode, **kw)

  for name, op, sa, sb in (("add", tf.add, [2, 3, 4], [4]),
                           ("mul", tf.multiply, [3, 5], [3, 5]),
                           ("sub", tf.subtract, [3, 5], [5])):
    yield Case(name="qbinary/%s_16x8_io" % name, fn=_fn2(op, sa, sb),
               inputs={"x": f(*sa), "y": f(*sb)}, quantize="16x8_io")
  for mode in ("int8", "uint8_io"):
    yield Case(name="qbinary/div_%s" % mode, fn=_fn2(tf.divide, [3, 4], [4]),
               inputs={"x": f(3, 4), "y": r.uniform(0.5, 4, 4).astype(
                   np.float32)}, quantize=mode)

  # A small graph mixing the family: products, sums, a difference, a
  # concatenation and min / max, each with its own calibrated scale.
  @tf.function(input_signature=[tf.TensorSpec([2, 4, 3], tf.float32),
                                tf.TensorSpec([3], tf.float32)])
  def mixed(x, y):
    a = tf.nn.relu(x * y + x)
    b = tf.maximum(a - y, -1.0) * 0.5
    c = tf.minimum((x - y) * x, 4.0)
    return tf.concat([a, b, c], axis=-1)
  for mode in modes:
    yield Case(name="qbinary/mixed_%s" % mode, fn=mixed,
               inputs={"x": f(2, 4, 3), "y": f(3)}, quantize=mode)

  # PRELU from Keras (the converter has no 16x8 PRELU).
  inp = tf.keras.Input(shape=(3, 4), batch_size=2, name="x")
  layer = tf.keras.layers.PReLU(
      alpha_initializer=tf.keras.initializers.RandomUniform(-0.5, 0.5,
                                                            seed=5),
      shared_axes=[1])
  prelu = tf.keras.Model(inp, layer(inp))
  for mode in modes[:3]:
    yield Case(name="qbinary/prelu_keras_%s" % mode, fn=prelu,
               inputs={"x": f(2, 3, 4)}, quantize=mode)

  # Dynamic-range and float16 models: a large constant operand is stored
  # as int8 / float16 and DEQUANTIZEd; the arithmetic stays float.
  w = r.uniform(-2, 2, (32, 64)).astype(np.float32)
  @tf.function(input_signature=[tf.TensorSpec([32, 64], tf.float32)])
  def add_const(x):
    return x * w + w
  for mode in ("dynamic", "float16"):
    yield Case(name="qbinary/mul_add_const_%s" % mode, fn=add_const,
               inputs={"x": f(32, 64)}, quantize=mode)

  # Comparisons feeding a select: the condition is computed on quantized
  # inputs of different scales (x spans [-4, 4], y [-1, 1]).
  @tf.function(input_signature=[tf.TensorSpec([3, 4], tf.float32),
                                tf.TensorSpec([3, 4], tf.float32)])
  def where_less(x, y):
    return tf.where(x < y, x, y)
  @tf.function(input_signature=[tf.TensorSpec([3, 4], tf.float32),
                                tf.TensorSpec([4], tf.float32)])
  def where_ge(x, y):
    return tf.where(x >= y, x + y, x * 2.0)
  for mode in modes[:3]:  # the converter has no 16x8 comparisons
    for name, fn, sy in (("where_less", where_less, [3, 4]),
                         ("where_ge", where_ge, [4])):
      yield Case(name="qbinary/%s_%s" % (name, mode), fn=fn,
                 inputs={"x": f(3, 4), "y": (f(*sy) / 4).astype(np.float32)},
                 quantize=mode)

  # Concatenation of differently scaled inputs.
  @tf.function(input_signature=[tf.TensorSpec([2, 3], tf.float32),
                                tf.TensorSpec([2, 2], tf.float32),
                                tf.TensorSpec([2, 4], tf.float32)])
  def concat(a, b, c):
    return tf.concat([a, b * 3.0, c], axis=1)
  @tf.function(input_signature=[tf.TensorSpec([2, 3], tf.float32),
                                tf.TensorSpec([2, 3], tf.float32)])
  def stack(a, b):
    return tf.unstack(tf.stack([a, b * 2.0], axis=1), axis=2)
  for mode in modes:
    yield Case(name="qbinary/concat_%s" % mode, fn=concat,
               inputs={"a": f(2, 3), "b": f(2, 2) / 8, "c": f(2, 4) * 2},
               quantize=mode)
    yield Case(name="qbinary/pack_unpack_%s" % mode, fn=stack,
               inputs={"a": f(2, 3), "b": f(2, 3)}, quantize=mode)


# ---- Hand-built models ------------------------------------------------------


def _addsub_cases(r):
  i8, u8, i16 = np.int8, np.uint8, np.int16
  for op, opts in (("ADD", "AddOptions"), ("SUB", "SubOptions")):
    lo = op.lower()
    x, y = ints(r, u8, 2, 3, 4), ints(r, u8, 2, 3, 4)
    yield qbin("qbinary/%s_u8" % lo, op, x, _q(0.05, 128), y, _q(0.1, 100),
               u8, _q(0.12, 120))
    yield qbin("qbinary/%s_u8_bcast_relu" % lo, op, x, _q(0.05, 128),
               ints(r, u8, 3, 1), _q(0.02, 3), u8, _q(0.07, 10),
               act(opts, 1))
    yield qbin("qbinary/%s_i8_equal_params" % lo, op, ints(r, i8, 4, 5),
               _q(0.1, -3), ints(r, i8, 4, 5), _q(0.1, -3), i8, _q(0.1, -3))
    # A narrow output scale: most results saturate.
    yield qbin("qbinary/%s_i8_saturate" % lo, op, ints(r, i8, 64),
               _q(0.5, 0), ints(r, i8, 64), _q(0.25, 10), i8, _q(0.01, 0))
    yield qbin("qbinary/%s_i8_relu_n1" % lo, op, ints(r, i8, 2, 1, 3),
               _q(0.02, 5), ints(r, i8, 1, 4, 3), _q(0.03, -5), i8,
               _q(0.01, 0), act(opts, 2))
    yield qbin("qbinary/%s_i8_6d" % lo, op, ints(r, i8, 2, 1, 2, 1, 2, 3),
               _q(0.1, 1), ints(r, i8, 1, 2, 1, 2, 1, 3), _q(0.2, -1), i8,
               _q(0.25, 2))
    # int16 general path (pot_scale_int16 false, or scales not powers of
    # two) and pot path.
    a, b = ints(r, i16, 3, 8), ints(r, i16, 3, 8)
    yield qbin("qbinary/%s_i16_general" % lo, op, a, _q(1e-3, 0), b,
               _q(3e-4, 0), i16, _q(1.2e-3, 0),
               act(opts, 0, potScaleInt16=False))
    yield qbin("qbinary/%s_i16_general_bcast" % lo, op, a, _q(1e-3, 0),
               ints(r, i16, 8), _q(3e-4, 0), i16, _q(1.2e-3, 0),
               act(opts, 3, potScaleInt16=True))
    yield qbin("qbinary/%s_i16_pot" % lo, op, a, _q(2.0 ** -12, 0), b,
               _q(2.0 ** -10, 0), i16, _q(2.0 ** -10, 0),
               act(opts, 0, potScaleInt16=True))
    yield qbin("qbinary/%s_i16_pot_relu" % lo, op, a, _q(2.0 ** -8, 0), b,
               _q(2.0 ** -11, 0), i16, _q(2.0 ** -8, 0),
               act(opts, 1, potScaleInt16=True))
    yield qbin("qbinary/%s_i16_pot_nooptions" % lo, op, a,
               _q(2.0 ** -12, 0), b, _q(2.0 ** -10, 0), i16,
               _q(2.0 ** -10, 0))
    # The pot path broadcasts in SUB, not in ADD (LiteRT's ADD reads past
    # the smaller input: an error here).
    yield qbin("qbinary/%s_i16_pot_bcast" % lo if op == "SUB" else
               "qbinary/%s_err_i16_pot_bcast" % lo, op, a,
               _q(2.0 ** -12, 0), ints(r, i16, 8), _q(2.0 ** -10, 0), i16,
               _q(2.0 ** -10, 0), act(opts, 0, potScaleInt16=True),
               **({} if op == "SUB" else
                  {"expect_error": "does not broadcast"}))
    # Negative cases.
    yield qbin("qbinary/%s_err_no_params" % lo, op, ints(r, i8, 4), None,
               ints(r, i8, 4), _q(0.1, 0), i8, _q(0.1, 0),
               expect_error="no quantization parameters")
    yield qbin("qbinary/%s_err_zero_scale" % lo, op, ints(r, i8, 4),
               _q(0.1, 0), ints(r, i8, 4), _q(0.0, 0), i8, _q(0.1, 0),
               expect_error="scales must be finite and greater than zero")
    yield qbin("qbinary/%s_err_zero_point_range" % lo, op, ints(r, u8, 4),
               _q(0.1, 0), ints(r, u8, 4), _q(0.1, 0), u8, _q(0.1, 300),
               expect_error="outside the range")
    yield qbin("qbinary/%s_err_per_channel" % lo, op, ints(r, i8, 2, 3),
               _q([0.1, 0.2, 0.3], [0, 0, 0], 1), ints(r, i8, 2, 3),
               _q(0.1, 0), i8, _q(0.1, 0),
               expect_error="must be quantized per tensor")
    yield qbin("qbinary/%s_err_i16_zero_point" % lo, op, a, _q(1e-3, 3), b,
               _q(1e-3, 0), i16, _q(1e-3, 0),
               expect_error="zero points of 0")


def _mul_cases(r):
  i8, u8, i16 = np.int8, np.uint8, np.int16
  # An output scale so small that the output multiplier exceeds 1: LiteRT
  # aborts for ADD; for SUB it runs with an undefined right shift by a
  # negative amount. Both are errors here.
  yield qbin("qbinary/sub_err_big_output_multiplier", "SUB",
             r.integers(-3, 4, 16).astype(i8), _q(1.0, 0),
             r.integers(-3, 4, 16).astype(i8), _q(1.0, 0), i8,
             _q(7.84314e-9, 0), expect_error="is too small")
  yield qbin("qbinary/add_err_big_output_multiplier", "ADD",
             r.integers(-3, 4, 16).astype(i8), _q(1.0, 0),
             r.integers(-3, 4, 16).astype(i8), _q(1.0, 0), i8,
             _q(7.84314e-9, 0), expect_error="is too small")
  yield qbin("qbinary/mul_u8", "MUL", ints(r, u8, 3, 4), _q(0.05, 128),
             ints(r, u8, 3, 4), _q(0.02, 7), u8, _q(0.1, 90))
  yield qbin("qbinary/mul_u8_bcast_relu6", "MUL", ints(r, u8, 2, 3, 4),
             _q(0.05, 128), ints(r, u8, 4), _q(0.02, 7), u8, _q(0.03, 0),
             act("MulOptions", 3))
  yield qbin("qbinary/mul_i8_saturate", "MUL", ints(r, i8, 64), _q(0.5, 0),
             ints(r, i8, 64), _q(0.25, 10), i8, _q(0.05, -20))
  yield qbin("qbinary/mul_i8_big_multiplier", "MUL", ints(r, i8, 32),
             _q(0.5, 0), ints(r, i8, 32), _q(0.5, 0), i8, _q(0.01, 0))
  yield qbin("qbinary/mul_i16", "MUL", ints(r, i16, 4, 5), _q(1e-3, 0),
             ints(r, i16, 5), _q(2e-3, 0), i16, _q(3e-3, 0))
  yield qbin("qbinary/mul_i16_relu", "MUL", ints(r, i16, 4, 5), _q(1e-3, 0),
             ints(r, i16, 4, 5), _q(2e-3, 0), i16, _q(1e-3, 0),
             act("MulOptions", 1))
  # int16 x int16 -> int8 / uint8 (LiteRT's Q0.15 form: only the output
  # zero point matters).
  yield qbin("qbinary/mul_i16_to_i8", "MUL", ints(r, i16, 4, 8),
             _q(2.0 ** -15, 0), ints(r, i16, 4, 8), _q(2.0 ** -15, 0), i8,
             _q(2.0 ** -7, -3))
  yield qbin("qbinary/mul_i16_to_u8_relu", "MUL", ints(r, i16, 4, 8),
             _q(2.0 ** -15, 0), ints(r, i16, 4, 8), _q(2.0 ** -15, 0), u8,
             _q(2.0 ** -7, 128), act("MulOptions", 1))
  yield qbin("qbinary/mul_err_i16_to_i8_bcast", "MUL", ints(r, i16, 4, 8),
             _q(2.0 ** -15, 0), ints(r, i16, 8), _q(2.0 ** -15, 0), i8,
             _q(2.0 ** -7, 0), expect_error="does not broadcast")
  yield qbin("qbinary/mul_err_i16_zero_point", "MUL", ints(r, i16, 4),
             _q(1e-3, 0), ints(r, i16, 4), _q(2e-3, 0), i16, _q(3e-3, 5),
             expect_error="zero points of 0")
  yield qbin("qbinary/mul_err_no_output_params", "MUL", ints(r, i8, 4),
             _q(0.1, 0), ints(r, i8, 4), _q(0.1, 0), i8, None,
             expect_error="no quantization parameters")


def _compare_cases(r):
  i8, u8, i16 = np.int8, np.uint8, np.int16
  ops = ("EQUAL", "NOT_EQUAL", "LESS", "LESS_EQUAL", "GREATER",
         "GREATER_EQUAL")
  for op in ops:
    lo = op.lower()
    # Scales 0.1 and 0.05 with offsets: many values compare equal.
    x = r.integers(-20, 20, (4, 6)).astype(i8)
    y = r.integers(-40, 40, (6,)).astype(i8)
    yield qbin("qbinary/%s_i8" % lo, op, x, _q(0.1, 2), y, _q(0.05, 4),
               np.bool_, None)
    xu = r.integers(100, 160, (3, 5)).astype(u8)
    yu = r.integers(20, 140, (3, 5)).astype(u8)
    yield qbin("qbinary/%s_u8" % lo, op, xu, _q(0.5, 128), yu, _q(0.75, 64),
               np.bool_, None)
    yield qbin("qbinary/%s_u8_small_scales" % lo, op, xu, _q(0.003, 128),
               yu, _q(0.007, 100), np.bool_, None)
    # Scales of 1 and more: LiteRT's reference shifts right by a negative
    # amount (undefined; on x86 every value collapses to +-1): an error.
    yield qbin("qbinary/%s_u8_big_scales" % lo, op, xu, _q(2.0, 128),
               yu, _q(3.5, 64), np.bool_, None,
               expect_error="support scales below 1 only")
  for op in ("EQUAL", "NOT_EQUAL", "LESS"):
    yield qbin("qbinary/%s_i16" % op.lower(), op,
               r.integers(-50, 50, (4, 5)).astype(i16), _q(0.01, 0),
               r.integers(-50, 50, (5,)).astype(i16), _q(0.02, 0),
               np.bool_, None)
  yield qbin("qbinary/less_err_no_params", "LESS", ints(r, i8, 4), None,
             ints(r, i8, 4), _q(0.1, 0), np.bool_, None,
             expect_error="no quantization parameters")


def _quantize_cases(r):
  f = lambda *s: r.uniform(-3, 3, s).astype(np.float32)

  def quant(name, x, out_dtype, qo, **kw):
    m = qmodel("QUANTIZE", [("x", x.shape, x.dtype, None, None)],
               [("z", list(x.shape), out_dtype, qo)])
    return Case(name="qbinary/" + name, model_bytes=m, inputs={"x": x}, **kw)

  def requant(name, x, qi, out_dtype, qo, **kw):
    m = qmodel("QUANTIZE", [("x", x.shape, x.dtype, qi, None)],
               [("z", list(x.shape), out_dtype, qo)])
    return Case(name="qbinary/" + name, model_bytes=m, inputs={"x": x}, **kw)

  edge = np.array([0.0, 0.05, -0.05, 0.15, -0.15, 0.25, -0.25, 1e9, -1e9,
                   np.inf, -np.inf, 12.7, -12.8, 12.75, -12.85, 3.0, 1e8,
                   -1e8, np.nan],
                  np.float32)
  yield quant("quantize_f32_i8", np.concatenate([f(48), edge]), np.int8,
              _q(0.1, 0))
  yield quant("quantize_f32_i8_zp", np.concatenate([f(48), edge]), np.int8,
              _q(0.03, -17))
  yield quant("quantize_f32_i8_per_channel_edge",
              np.stack([edge, -edge, edge * 7]), np.int8,
              _q([0.1, 1.0, 0.01], [3, -5, 0], 0))
  yield quant("quantize_f32_u8", np.concatenate([f(48), edge]), np.uint8,
              _q(0.05, 128))
  yield quant("quantize_f32_i16", np.concatenate([f(48), edge]), np.int16,
              _q(1e-4, 0))
  yield quant("quantize_f32_i8_per_channel", f(2, 3, 4), np.int8,
              _q([0.01, 0.02, 0.05], [0, 3, -3], 1))
  yield quant("quantize_f32_u8_per_channel", f(3, 4), np.uint8,
              _q([0.01, 0.02, 0.05, 0.1], [128, 100, 0, 255], 1))
  yield quant("quantize_nan", np.array([np.nan, 1.0, -np.nan], np.float32),
              np.int8, _q(0.1, 3))
  i8, u8, i16 = np.int8, np.uint8, np.int16
  yield requant("requantize_i8_u8_flip", ints(r, i8, 32), _q(0.1, -5), u8,
                _q(0.1, 123))
  yield requant("requantize_u8_i8_flip", ints(r, u8, 32), _q(0.1, 128), i8,
                _q(0.1, 0))
  yield requant("requantize_i8_u8", ints(r, i8, 32), _q(0.1, -5), u8,
                _q(0.07, 120))
  yield requant("requantize_u8_i8", ints(r, u8, 32), _q(0.1, 128), i8,
                _q(0.3, -10))
  yield requant("requantize_i8_i8", ints(r, i8, 32), _q(0.1, 7), i8,
                _q(0.013, -2))
  yield requant("requantize_u8_u8", ints(r, u8, 32), _q(0.02, 10), u8,
                _q(0.5, 200))
  yield requant("requantize_i8_i16", ints(r, i8, 32), _q(0.02, 10), i16,
                _q(1e-4, 0))
  yield requant("requantize_i16_i16", ints(r, i16, 32), _q(3e-4, 0), i16,
                _q(1e-4, 0))
  yield requant("requantize_i16_i8", ints(r, i16, 32), _q(3e-4, 0), i8,
                _q(0.05, 4))
  yield requant("requantize_i16_i32", ints(r, i16, 32), _q(3e-4, 0),
                np.int32, _q(1e-5, 0))
  yield requant("requantize_i32_i8", r.integers(-5000, 5000, 32).astype(
      np.int32), _q(1e-3, 0), i8, _q(0.02, 1))
  yield quant("quantize_err_no_params", f(4), np.int8, None,
              expect_error="no quantization parameters")
  yield quant("quantize_err_zero_scale", f(4), np.int8, _q(0.0, 0),
              expect_error="scales must be finite and greater than zero")
  yield quant("quantize_err_zero_point", f(4), np.int8, _q(0.1, 200),
              expect_error="outside the range")
  yield requant("requantize_err_per_channel", ints(r, i8, 2, 2),
                _q([0.1, 0.2], [0, 0], 1), i8, _q(0.1, 0),
                expect_error="must be quantized per tensor")
  yield requant("requantize_err_i16_zero_point", ints(r, i16, 4),
                _q(1e-3, 4), i16, _q(1e-3, 0),
                expect_error="zero points of 0")

  def deq(name, x, qi, **kw):
    m = qmodel("DEQUANTIZE", [("x", x.shape, x.dtype, qi, None)],
               [("z", list(x.shape), np.float32, None)])
    return Case(name="qbinary/" + name, model_bytes=m, inputs={"x": x}, **kw)
  yield deq("dequantize_i8", ints(r, i8, 32), _q(0.1, -3))
  yield deq("dequantize_u8", ints(r, u8, 32), _q(0.037, 128))
  yield deq("dequantize_i16", ints(r, i16, 32), _q(1.3e-4, 0))
  yield deq("dequantize_i8_per_channel", ints(r, i8, 2, 3),
            _q([0.1, 0.2, 0.3], [0, 1, -1], 1))
  yield deq("dequantize_err_i16_zero_point", ints(r, i16, 4), _q(1e-3, 2),
            expect_error="must be 0")
  yield deq("dequantize_err_zero_scale", ints(r, i8, 4), _q(0.0, 0),
            expect_error="scales must be finite and greater than zero")


def _other_cases(r):
  i8, u8, i16 = np.int8, np.uint8, np.int16
  # PRELU: x, alpha and output of one type, each with its own parameters.
  yield qbin("qbinary/prelu_i8", "PRELU", ints(r, i8, 2, 3, 4), _q(0.05, 3),
             ints(r, i8, 4), _q(0.01, -2), i8, _q(0.04, -10))
  yield qbin("qbinary/prelu_u8", "PRELU", ints(r, u8, 2, 3, 4),
             _q(0.05, 128), ints(r, u8, 3, 4), _q(0.004, 100), u8,
             _q(0.03, 140))
  yield qbin("qbinary/prelu_i8_saturate", "PRELU", ints(r, i8, 64),
             _q(0.5, 0), ints(r, i8, 64), _q(0.5, 0), i8, _q(0.05, 0))
  yield qbin("qbinary/prelu_i16_i8", "PRELU", ints(r, i16, 2, 3, 4),
             _q(1e-3, 0), ints(r, i8, 4), _q(0.01, 3), i16, _q(2e-3, 0))
  yield qbin("qbinary/prelu_err_i16_alpha", "PRELU", ints(r, i16, 4),
             _q(1e-3, 0), ints(r, i16, 4), _q(1e-3, 0), i16, _q(1e-3, 0),
             expect_error="takes an int8 alpha")
  # MAXIMUM / MINIMUM compare stored values (LiteRT requires nothing of
  # the parameters).
  yield qbin("qbinary/maximum_u8_raw", "MAXIMUM", ints(r, u8, 3, 4),
             _q(0.05, 128), ints(r, u8, 4), _q(0.05, 128), u8,
             _q(0.05, 128))
  yield qbin("qbinary/minimum_i16_raw", "MINIMUM", ints(r, i16, 3, 4),
             _q(1e-3, 0), ints(r, i16, 3, 4), _q(1e-3, 0), i16,
             _q(1e-3, 0))
  # SQUARED_DIFFERENCE int8 with saturation.
  yield qbin("qbinary/squared_difference_i8", "SQUARED_DIFFERENCE",
             ints(r, i8, 3, 8), _q(0.05, 3), ints(r, i8, 8), _q(0.02, -7),
             i8, _q(0.2, -128))
  yield qbin("qbinary/squared_difference_i8_saturate", "SQUARED_DIFFERENCE",
             ints(r, i8, 64), _q(0.1, 0), ints(r, i8, 64), _q(0.1, 0), i8,
             _q(0.05, 0))
  # DIV: divisors avoid their zero point (a real 0 is an error).
  def nonzero(dtype, zp, *shape):
    v = ints(r, dtype, *shape)
    v[v == zp] = zp + 1
    return v
  yield qbin("qbinary/div_u8", "DIV", ints(r, u8, 3, 8), _q(0.05, 128),
             nonzero(u8, 100, 3, 8), _q(0.02, 100), u8, _q(0.1, 128))
  yield qbin("qbinary/div_u8_bcast_relu", "DIV", ints(r, u8, 2, 3, 4),
             _q(0.05, 128), nonzero(u8, 3, 4), _q(0.5, 3), u8, _q(0.01, 10),
             act("DivOptions", 1))
  yield qbin("qbinary/div_i8", "DIV", ints(r, i8, 4, 16), _q(0.1, -4),
             nonzero(i8, 5, 4, 16), _q(0.03, 5), i8, _q(0.2, 0))
  yield qbin("qbinary/div_i8_saturate", "DIV", ints(r, i8, 64), _q(0.5, 0),
             nonzero(i8, 0, 64), _q(0.01, 0), i8, _q(0.1, 0))
  yield qbin("qbinary/div_i16", "DIV", ints(r, i16, 4, 16), _q(1e-3, 0),
             nonzero(i16, 0, 4, 16), _q(3e-3, 0), i16, _q(1e-3, 0))
  yield qbin("qbinary/div_err_zero", "DIV", ints(r, u8, 4), _q(0.05, 128),
             np.array([3, 7, 9, 7], u8), _q(0.05, 7), u8, _q(0.05, 128),
             expect_error="division by zero")

  # CONCATENATION of uint8 inputs with different parameters (requantized),
  # equal parameters (copied), int8 with a mismatch (an error, as LiteRT),
  # int16 (zero points 0).
  def concat(name, arrays, qs, qo, axis, **kw):
    shape = list(arrays[0].shape)
    shape[axis] = sum(a.shape[axis] for a in arrays)
    ins = [("x%d" % i, a.shape, a.dtype, q, None)
           for i, (a, q) in enumerate(zip(arrays, qs))]
    m = qmodel("CONCATENATION", ins, [("z", shape, arrays[0].dtype, qo)],
               ("ConcatenationOptions", {"axis": axis}))
    return Case(name="qbinary/" + name, model_bytes=m,
                inputs={"x%d" % i: a for i, a in enumerate(arrays)}, **kw)
  yield concat("concat_u8_requant",
               [ints(r, u8, 2, 3, 2), ints(r, u8, 2, 1, 2),
                ints(r, u8, 2, 4, 2)],
               [_q(0.05, 128), _q(0.1, 120), _q(0.013, 3)], _q(0.05, 128),
               1)
  yield concat("concat_u8_requant_axis0",
               [ints(r, u8, 1, 5), ints(r, u8, 3, 5)],
               [_q(0.5, 0), _q(0.001, 255)], _q(0.02, 100), 0)
  yield concat("concat_u8_same", [ints(r, u8, 2, 3), ints(r, u8, 2, 2)],
               [_q(0.05, 128), _q(0.05, 128)], _q(0.05, 128), -1)
  yield concat("concat_i8_same", [ints(r, i8, 2, 3), ints(r, i8, 2, 2)],
               [_q(0.05, -1), _q(0.05, -1)], _q(0.05, -1), 1)
  yield concat("concat_i16", [ints(r, i16, 2, 3), ints(r, i16, 2, 2)],
               [_q(1e-3, 0), _q(2e-3, 0)], _q(1e-3, 0), 1)
  yield concat("concat_err_i8_params", [ints(r, i8, 2, 3),
                                        ints(r, i8, 2, 2)],
               [_q(0.05, -1), _q(0.1, -1)], _q(0.05, -1), 1,
               expect_error="must share the output's parameters")
  yield concat("concat_err_i16_zero_point", [ints(r, i16, 2, 3),
                                             ints(r, i16, 2, 2)],
               [_q(1e-3, 0), _q(1e-3, 5)], _q(1e-3, 0), 1,
               expect_error="it must be 0")
  yield concat("concat_err_zero_scale", [ints(r, u8, 2, 3),
                                         ints(r, u8, 2, 2)],
               [_q(0.05, 0), _q(0.0, 0)], _q(0.05, 0), 1,
               expect_error="scales must be finite and greater than zero")

  # PACK / UNPACK need equal parameters (as LiteRT).
  x = ints(r, u8, 2, 3)
  m = qmodel("PACK", [("a", [2, 3], u8, _q(0.1, 3), None),
                      ("b", [2, 3], u8, _q(0.1, 3), None)],
             [("z", [2, 2, 3], u8, _q(0.1, 3))],
             ("PackOptions", {"valuesCount": 2, "axis": 1}))
  yield Case(name="qbinary/pack_u8", model_bytes=m,
             inputs={"a": x, "b": ints(r, u8, 2, 3)})
  m = qmodel("PACK", [("a", [2, 3], u8, _q(0.1, 3), None),
                      ("b", [2, 3], u8, _q(0.2, 3), None)],
             [("z", [2, 2, 3], u8, _q(0.1, 3))],
             ("PackOptions", {"valuesCount": 2, "axis": 1}))
  yield Case(name="qbinary/pack_err_params", model_bytes=m,
             inputs={"a": x, "b": x}, expect_error="differing from")


def cases():
  r = rng(4040)
  yield from _converted_cases(r)
  yield from _addsub_cases(r)
  yield from _mul_cases(r)
  yield from _compare_cases(r)
  yield from _quantize_cases(r)
  yield from _other_cases(r)
