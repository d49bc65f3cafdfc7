"""Quantized and hybrid CONV_2D, DEPTHWISE_CONV_2D and TRANSPOSE_CONV.

Converter-made cases (int8 per-channel with integer inputs and outputs,
16x8 with int16 inputs and outputs, dynamic-range hybrid, float16 weights)
on small Keras layers and tf.functions with random weights, and hand-built
single-op models for what the converter never emits: uint8 (legacy
per-tensor), odd per-channel parameters, saturation, the 16x8 int32-bias
option, and bad parameters that must be rejected at prepare.

Integer outputs must match LiteRT's reference kernels exactly; hybrid and
float16 cases compare floats (the input is quantized on the fly in float
arithmetic)."""
import numpy as np
import tensorflow as tf

from conformance.cases import Case, SingleOpModel, qparams, rng

# Full-integer cases are bit-exact (tolerance 0 for the integer outputs).
EXACT = 0.0
# Hybrid: LiteRT's reference computes sums of int8 products in int32 and
# rescales in float, as pylite does; the bound only absorbs float rounding
# of the rescale and bias add.
HYBRID_TOL = 1e-5
HYBRID_WHY = ("hybrid: float rescale of int32 sums; same operations as the "
              "reference, bound for float rounding only")
F16_TOL = 1e-5


def _keras(layer, shape, seed, scale=0.5):
  """A Keras model of one layer with random weights (bias included)."""
  r = rng(seed)
  inp = tf.keras.Input(shape[1:], batch_size=shape[0], name="x")
  model = tf.keras.Model(inp, layer(inp))
  model.set_weights([(r.standard_normal(w.shape) * scale).astype(np.float32)
                     for w in model.get_weights()])
  return model


# Case-name suffix of each quantization mode.
_SUFFIX = {"int8_io": "int8", "16x8_io": "16x8", "float16": "float16",
           "int8": "fio_int8", "uint8_io": "uint8", "16x8": "fio_16x8"}
# The float-io modes (QUANTIZE / DEQUANTIZE or requantization at the edges)
# for the first spec of each op: the convolution is the *_io cases' own.
_FLOAT_IO = ("int8", "uint8_io", "16x8")


def _case(name, model, shape, mode, seed, tol=EXACT, reason=""):
  x = rng(seed + 1000).standard_normal(shape).astype(np.float32)
  if mode == "dynamic":
    tol, reason = HYBRID_TOL, HYBRID_WHY
  elif mode == "float16":
    tol, reason = F16_TOL, "float16 weights widened exactly; float conv"
  return Case(name="qconv/" + name, fn=model, inputs={"x": x}, quantize=mode,
              tolerance=tol, reason=reason)


def _fn_case(name, body, shape, mode, seed):
  """A tf.function case (for options Keras layers do not expose)."""
  fn = tf.function(body, input_signature=[tf.TensorSpec(shape, tf.float32,
                                                        name="x")])
  return _case(name, fn, shape, mode, seed)


# ---- CONV_2D -----------------------------------------------------------------


def _conv_cases():
  L = tf.keras.layers
  specs = [
      # name, layer factory, input shape
      ("conv_same_relu", lambda: L.Conv2D(4, 3, padding="same",
                                          activation="relu"), (1, 6, 6, 3)),
      ("conv_valid_stride2", lambda: L.Conv2D(5, 3, strides=2,
                                              padding="valid"), (2, 7, 8, 3)),
      ("conv_same_stride2_relu6", lambda: L.Conv2D(
          6, (2, 3), strides=(2, 1), padding="same", activation="relu6"),
       (1, 7, 6, 4)),
      ("conv_dilation", lambda: L.Conv2D(3, 3, dilation_rate=2,
                                         padding="same"), (1, 8, 7, 2)),
      ("conv_1x1", lambda: L.Conv2D(8, 1), (2, 4, 5, 6)),
      ("conv_grouped", lambda: L.Conv2D(6, 3, groups=2, padding="same"),
       (1, 5, 5, 4)),
      ("conv_wide", lambda: L.Conv2D(16, 3, padding="same",
                                     activation="relu"), (1, 10, 10, 16)),
  ]
  for i, (name, make, shape) in enumerate(specs):
    modes = ["int8_io", "16x8_io"]
    if name in ("conv_same_relu", "conv_dilation"):
      modes.append("float16")
    if i == 0:
      modes.extend(_FLOAT_IO)
    for mode in modes:
      yield _case("%s_%s" % (name, _SUFFIX[mode]),
                  _keras(make(), shape, 10 + i), shape, mode, 10 + i)
  # Dynamic range: the converter quantizes only weights of >= 1024 values.
  yield _case("conv_hybrid", _keras(L.Conv2D(16, 3, padding="same",
                                             activation="relu"),
                                    (2, 6, 6, 16), 40), (2, 6, 6, 16),
              "dynamic", 40)
  yield _case("conv_hybrid_stride2_valid", _keras(
      L.Conv2D(12, 3, strides=2, padding="valid"), (1, 9, 8, 12), 41),
              (1, 9, 8, 12), "dynamic", 41)
  yield _case("conv_hybrid_grouped", _keras(
      L.Conv2D(32, 3, groups=2, padding="same"), (1, 5, 5, 16), 42),
              (1, 5, 5, 16), "dynamic", 42)
  # Several im2col blocks (K = 144 gives blocks of 220 pixels): split over
  # threads.
  yield _case("conv_blocks_int8", _keras(L.Conv2D(16, 3, padding="same"),
                                         (2, 12, 12, 16), 45),
              (2, 12, 12, 16), "int8_io", 45)
  # A dynamic batch (the runners resize the input to batch 3).
  r = rng(46)
  wdyn = (r.standard_normal((3, 3, 2, 4)) * 0.5).astype(np.float32)
  bdyn = (r.standard_normal(4) * 0.1).astype(np.float32)
  dyn = tf.function(lambda x: tf.nn.relu(tf.nn.bias_add(
      tf.nn.conv2d(x, wdyn, 2, "SAME"), bdyn)),
                    input_signature=[tf.TensorSpec([None, 5, 6, 2],
                                                   tf.float32, name="x")])
  for mode in ("int8_io", "16x8_io"):
    yield _case("conv_dynamic_batch_" + mode.replace("_io", ""), dyn,
                (3, 5, 6, 2), mode, 46)
  # Hybrid needs >= 1024 weights to be quantized.
  whyb = (r.standard_normal((3, 3, 16, 8)) * 0.5).astype(np.float32)
  hyb = tf.function(lambda x: tf.nn.conv2d(x, whyb, 1, "VALID"),
                    input_signature=[tf.TensorSpec([None, 4, 5, 16],
                                                   tf.float32, name="x")])
  yield _case("conv_dynamic_batch_hybrid", hyb, (3, 4, 5, 16), "dynamic", 47)
  # A tf.function: RELU_N1_TO_1 from a clip, explicit dilation + stride 1.
  r = rng(50)
  w = (r.standard_normal((3, 3, 3, 4)) * 0.5).astype(np.float32)
  b = (r.standard_normal(4) * 0.1).astype(np.float32)
  yield _fn_case("conv_relu_n1_to_1_int8", lambda x: tf.clip_by_value(
      tf.nn.bias_add(tf.nn.conv2d(x, w, 1, "SAME"), b), -1.0, 1.0),
                 (1, 5, 5, 3), "int8_io", 50)


# ---- DEPTHWISE_CONV_2D -------------------------------------------------------


def _dw_cases():
  L = tf.keras.layers
  specs = [
      ("dw_same_relu", lambda: L.DepthwiseConv2D(3, padding="same",
                                                 activation="relu"),
       (1, 6, 6, 4)),
      ("dw_multiplier2_valid", lambda: L.DepthwiseConv2D(
          3, depth_multiplier=2, padding="valid"), (2, 6, 7, 3)),
      ("dw_stride2_relu6", lambda: L.DepthwiseConv2D(
          (3, 2), strides=2, padding="same", activation="relu6"),
       (1, 7, 8, 5)),
      ("dw_dilation", lambda: L.DepthwiseConv2D(3, dilation_rate=(2, 3),
                                                padding="same"),
       (1, 8, 9, 3)),
  ]
  for i, (name, make, shape) in enumerate(specs):
    modes = ["int8_io", "16x8_io"]
    if name == "dw_same_relu":
      modes.append("float16")
    if i == 0:
      modes.extend(_FLOAT_IO)
    for mode in modes:
      yield _case("%s_%s" % (name, _SUFFIX[mode]),
                  _keras(make(), shape, 60 + i), shape, mode, 60 + i)
  # Enough work to be split over threads.
  yield _case("dw_rows_int8", _keras(L.DepthwiseConv2D(3, padding="same"),
                                     (1, 16, 16, 32), 65), (1, 16, 16, 32),
              "int8_io", 65)
  yield _case("dw_hybrid", _keras(L.DepthwiseConv2D(
      5, depth_multiplier=2, padding="same", activation="relu"),
                                  (2, 6, 6, 32), 70), (2, 6, 6, 32),
              "dynamic", 70)
  yield _case("dw_hybrid_stride2", _keras(L.DepthwiseConv2D(
      3, strides=2, padding="valid"), (1, 7, 7, 128), 71), (1, 7, 7, 128),
              "dynamic", 71)


# ---- TRANSPOSE_CONV ----------------------------------------------------------


def _tconv_cases():
  L = tf.keras.layers
  specs = [
      ("tconv_same_stride2", lambda: L.Conv2DTranspose(4, 3, strides=2,
                                                       padding="same"),
       (1, 4, 4, 3)),
      ("tconv_valid", lambda: L.Conv2DTranspose(3, (2, 3), strides=(1, 2),
                                                padding="valid"),
       (2, 3, 4, 2)),
      ("tconv_relu", lambda: L.Conv2DTranspose(5, 3, strides=2,
                                               padding="same",
                                               activation="relu"),
       (1, 3, 5, 4)),
  ]
  for i, (name, make, shape) in enumerate(specs):
    modes = ["int8_io", "16x8_io"]
    if name == "tconv_same_stride2":
      modes.append("float16")
    if i == 0:
      modes.extend(_FLOAT_IO)
    for mode in modes:
      yield _case("%s_%s" % (name, _SUFFIX[mode]),
                  _keras(make(), shape, 80 + i), shape, mode, 80 + i)
  yield _case("tconv_hybrid", _keras(L.Conv2DTranspose(
      16, 3, strides=2, padding="same"), (2, 4, 4, 16), 90), (2, 4, 4, 16),
              "dynamic", 90)




# ---- Hand-built single-op models ---------------------------------------------

SAME, VALID = 0, 1
NONE, RELU, RELU_N1_TO_1, RELU6 = 0, 1, 2, 3


def _schema():
  from tensorflow.lite.python import schema_py_generated as schema
  return schema


_TYPES = {np.dtype(np.float32): "FLOAT32", np.dtype(np.int8): "INT8",
          np.dtype(np.uint8): "UINT8", np.dtype(np.int16): "INT16",
          np.dtype(np.int32): "INT32", np.dtype(np.int64): "INT64"}


def _ttype(dtype):
  return getattr(_schema().TensorType, _TYPES[np.dtype(dtype)])


def _q(scale, zero_point, dim=0):
  return None if scale is None else qparams(_schema(), scale, zero_point, dim)


def _out_size(n, f, stride, dilation, padding):
  eff = (f - 1) * dilation + 1
  return -(-n // stride) if padding == SAME else (n - eff + stride) // stride


class T:
  """A tensor of a hand-built model: dtype, quantization (scale, zero
  point, quantized dimension; scale None: no parameters), data for
  constants."""

  def __init__(self, dtype, scale=None, zero_point=0, dim=0, data=None,
               shape=None):
    self.dtype = np.dtype(dtype)
    self.scale, self.zero_point, self.dim = scale, zero_point, dim
    self.data = data
    self.shape = list(data.shape) if data is not None else shape


def _model(op, x, w, b, y, x_shape, y_shape, options, shape_input=None):
  """One CONV_2D / DEPTHWISE_CONV_2D (inputs x, w, b) or TRANSPOSE_CONV
  (output shape, w, x, b) model; b may be None (omitted input)."""
  m = SingleOpModel(_schema(), op)
  tx = m.tensor("x", x_shape, _ttype(x.dtype),
                quantization=_q(x.scale, x.zero_point))
  tw = m.tensor("w", w.shape, _ttype(w.dtype), w.data,
                quantization=_q(w.scale, w.zero_point, w.dim))
  tb = -1
  if b is not None:
    tb = m.tensor("b", b.shape, _ttype(b.dtype), b.data,
                  quantization=_q(b.scale, b.zero_point, b.dim))
  ty = m.tensor("y", y_shape, _ttype(y.dtype),
                quantization=_q(y.scale, y.zero_point))
  if shape_input is not None:
    ts = m.tensor("output_shape", [4], _ttype(np.int32),
                  np.array(y_shape, np.int32))
    inputs = [ts, tw, tx, tb]
  else:
    inputs = [tx, tw, tb]
  if inputs[-1] == -1 and op != "TRANSPOSE_CONV":
    inputs = inputs[:-1]
  return m.finish(inputs, [ty], [("x", tx)], [("y", ty)], options)


def _ints(r, dtype, shape, lo=None, hi=None):
  info = np.iinfo(dtype)
  lo = info.min if lo is None else lo
  hi = info.max if hi is None else hi
  return r.integers(lo, hi + 1, shape).astype(dtype)


def _conv(name, x_data, x, w, b, y, stride=(1, 1), dilation=(1, 1),
          padding=SAME, act=NONE, bias_type=None, expect_error=None,
          tol=EXACT, reason=""):
  n, h, wd, _ = x_data.shape
  oc, fh, fw, _ = w.shape
  oh = _out_size(h, fh, stride[0], dilation[0], padding)
  ow = _out_size(wd, fw, stride[1], dilation[1], padding)
  opts = {"padding": padding, "strideH": stride[0], "strideW": stride[1],
          "dilationHFactor": dilation[0], "dilationWFactor": dilation[1],
          "fusedActivationFunction": act}
  if bias_type is not None:
    opts["quantizedBiasType"] = bias_type
  model = _model("CONV_2D", x, w, b, y, list(x_data.shape), [n, oh, ow, oc],
                 ("Conv2DOptions", opts))
  return Case(name="qconv/" + name, model_bytes=model, inputs={"x": x_data},
              expect_error=expect_error, tolerance=tol, reason=reason)


def _dw(name, x_data, x, w, b, y, stride=(1, 1), dilation=(1, 1),
        padding=SAME, act=NONE, multiplier=None, expect_error=None,
        tol=EXACT, reason=""):
  n, h, wd, c = x_data.shape
  _, fh, fw, oc = w.shape
  oh = _out_size(h, fh, stride[0], dilation[0], padding)
  ow = _out_size(wd, fw, stride[1], dilation[1], padding)
  opts = {"padding": padding, "strideH": stride[0], "strideW": stride[1],
          "dilationHFactor": dilation[0], "dilationWFactor": dilation[1],
          "fusedActivationFunction": act,
          "depthMultiplier": oc // c if multiplier is None else multiplier}
  model = _model("DEPTHWISE_CONV_2D", x, w, b, y, list(x_data.shape),
                 [n, oh, ow, oc], ("DepthwiseConv2DOptions", opts))
  return Case(name="qconv/" + name, model_bytes=model, inputs={"x": x_data},
              expect_error=expect_error, tolerance=tol, reason=reason)


def _tconv(name, x_data, x, w, b, y, out_hw, stride=(1, 1), padding=SAME,
           act=NONE, bias_type=None, expect_error=None, tol=EXACT,
           reason=""):
  n = x_data.shape[0]
  oc = w.shape[0]
  opts = {"padding": padding, "strideH": stride[0], "strideW": stride[1],
          "fusedActivationFunction": act}
  if bias_type is not None:
    opts["quantizedBiasType"] = bias_type
  model = _model("TRANSPOSE_CONV", x, w, b, y, list(x_data.shape),
                 [n, out_hw[0], out_hw[1], oc],
                 ("TransposeConvOptions", opts), shape_input=True)
  return Case(name="qconv/" + name, model_bytes=model, inputs={"x": x_data},
              expect_error=expect_error, tolerance=tol, reason=reason)


def _uint8_cases():
  r = rng(200)
  xs, ws = 0.05, 0.02
  x = T(np.uint8, xs, 131)
  w = T(np.uint8, ws, 117, data=_ints(r, np.uint8, (4, 3, 3, 3)))
  b = T(np.int32, xs * ws, 0, data=_ints(r, np.int32, (4,), -3000, 3000))
  y = T(np.uint8, 0.12, 100)
  xd = _ints(r, np.uint8, (1, 5, 6, 3))
  yield _conv("u8_conv_same_relu", xd, x, w, b, y, act=RELU)
  yield _conv("u8_conv_valid_stride2_dilation",
              _ints(r, np.uint8, (2, 9, 8, 3)), x, w, b, y, stride=(2, 1),
              dilation=(1, 2), padding=VALID)
  yield _conv("u8_conv_relu6_saturate", xd, x, w, b, T(np.uint8, 0.02, 30),
              act=RELU6)
  wg = T(np.uint8, ws, 140, data=_ints(r, np.uint8, (6, 2, 2, 2)))
  bg = T(np.int32, xs * ws, 0, data=_ints(r, np.int32, (6,), -2000, 2000))
  yield _conv("u8_conv_grouped", _ints(r, np.uint8, (1, 4, 5, 4)), x, wg, bg,
              y)
  # Multiplier above 1 (input * filter scale > output scale).
  yield _conv("u8_conv_multiplier_above_one", xd, T(np.uint8, 0.5, 128),
              T(np.uint8, 0.4, 128, data=_ints(r, np.uint8, (2, 1, 1, 3),
                                               120, 136)),
              T(np.int32, 0.2, 0, data=np.array([5, -7], np.int32)),
              T(np.uint8, 0.15, 128))
  wd = T(np.uint8, 0.03, 110, data=_ints(r, np.uint8, (1, 3, 3, 6)))
  bd = T(np.int32, xs * 0.03, 0, data=_ints(r, np.int32, (6,), -1500, 1500))
  yield _dw("u8_dw_multiplier2", _ints(r, np.uint8, (1, 5, 5, 3)), x, wd, bd,
            y, act=RELU)
  yield _dw("u8_dw_stride2_dilation", _ints(r, np.uint8, (2, 7, 6, 3)), x, wd,
            bd, y, stride=(2, 2), dilation=(2, 1), padding=VALID)
  wt = T(np.uint8, 0.025, 125, data=_ints(r, np.uint8, (3, 3, 3, 2)))
  bt = T(np.int32, xs * 0.025, 0, data=_ints(r, np.int32, (3,), -1000, 1000))
  yield _tconv("u8_tconv_stride2", _ints(r, np.uint8, (1, 3, 4, 2)), x, wt,
               bt, y, (6, 8), stride=(2, 2))
  yield _tconv("u8_tconv_valid_nobias", _ints(r, np.uint8, (1, 3, 3, 2)), x,
               wt, None, y, (5, 5), padding=VALID, act=RELU)


def _int8_cases():
  r = rng(300)
  # Per-channel scales spanning five decades: shifts from far right to a
  # left shift (multiplier above 1).
  scales = [1e-4, 3e-3, 0.05, 0.9, 2.5]
  x = T(np.int8, 0.07, -128)
  w = T(np.int8, scales, [0] * 5, data=_ints(r, np.int8, (5, 2, 3, 3), -127))
  b = T(np.int32, [0.07 * s for s in scales], [0] * 5,
        data=_ints(r, np.int32, (5,), -500, 500))
  y = T(np.int8, 0.3, 127)
  yield _conv("i8_conv_odd_channel_scales", _ints(r, np.int8, (1, 4, 5, 3)),
              x, w, b, y, stride=(1, 2))
  # Saturation: a tiny output scale pins most outputs to -128 / 127.
  yield _conv("i8_conv_saturate", _ints(r, np.int8, (1, 4, 5, 3)), x, w, b,
              T(np.int8, 1e-3, -5))
  # Per-tensor int8 filter on an int8 conv; RELU_N1_TO_1 with odd zero point.
  yield _conv("i8_conv_per_tensor_filter", _ints(r, np.int8, (1, 5, 5, 2)),
              T(np.int8, 0.1, 10),
              T(np.int8, 0.02, 0, data=_ints(r, np.int8, (3, 3, 3, 2), -127)),
              T(np.int32, 0.002, 0, data=_ints(r, np.int32, (3,), -900, 900)),
              T(np.int8, 0.01, -3), act=RELU_N1_TO_1)
  # Extreme bias: sums near the int32 range still rescale exactly.
  yield _conv("i8_conv_large_bias", _ints(r, np.int8, (1, 3, 3, 2)),
              T(np.int8, 0.5, 0),
              T(np.int8, [0.5, 0.25], [0, 0], data=_ints(r, np.int8,
                                                        (2, 3, 3, 2), -127)),
              T(np.int32, [0.25, 0.125], [0, 0],
                data=np.array([2 ** 30, -2 ** 30], np.int32)),
              T(np.int8, 2.0 ** 24, 0))
  wd = T(np.int8, [0.01, 0.2, 1.5, 0.003], [0] * 4, dim=3,
         data=_ints(r, np.int8, (1, 3, 3, 4), -127))
  # (With a bias: LiteRT's optimized int8 kernel crashes without one.)
  yield _dw("i8_dw_odd_channel_scales", _ints(r, np.int8, (1, 5, 4, 4)),
            T(np.int8, 0.05, 127), wd,
            T(np.int32, [5e-4, 1e-2, 7.5e-2, 1.5e-4], [0] * 4,
              data=_ints(r, np.int32, (4,), -3000, 3000)),
            T(np.int8, 0.2, -128))
  yield _dw("i8_dw_multiplier4_saturate", _ints(r, np.int8, (2, 4, 4, 1)),
            T(np.int8, 0.05, 3), wd,
            T(np.int32, [5e-4, 1e-2, 7.5e-2, 1.5e-4], [0] * 4, dim=0,
              data=_ints(r, np.int32, (4,), -100, 100)),
            T(np.int8, 0.004, 0), act=RELU6)
  wt = T(np.int8, [0.02, 0.7, 0.004], [0] * 3,
         data=_ints(r, np.int8, (3, 2, 2, 3), -127))
  yield _tconv("i8_tconv_odd_scales_nobias", _ints(r, np.int8, (1, 3, 3, 3)),
               T(np.int8, 0.1, -20), wt, None, T(np.int8, 0.25, 40), (6, 6),
               stride=(2, 2), act=RELU)


def _int16_cases():
  r = rng(400)
  x = T(np.int16, 1e-3, 0)
  w = T(np.int8, [0.01, 0.02, 0.005], [0] * 3,
        data=_ints(r, np.int8, (3, 3, 3, 2), -127))
  b32 = T(np.int32, [1e-5, 2e-5, 5e-6], [0] * 3,
          data=_ints(r, np.int32, (3,), -100000, 100000))
  y = T(np.int16, 2e-3, 0)
  xd = _ints(r, np.int16, (1, 5, 5, 2))
  yield _conv("i16_conv_int32_bias", xd, x, w, b32, y, bias_type=2)
  yield _conv("i16_conv_int32_bias_relu_saturate", xd, x, w, b32,
              T(np.int16, 1e-4, 0), act=RELU, bias_type=2)
  b64 = T(np.int64, [1e-5, 2e-5, 5e-6], [0] * 3,
          data=np.array([2 ** 40, -2 ** 35, 12345], np.int64))
  yield _conv("i16_conv_int64_bias_large", xd, x, w, b64,
              T(np.int16, 500.0, 0))
  yield _conv("i16_conv_saturate", xd, x, w,
              T(np.int64, [1e-5, 2e-5, 5e-6], [0] * 3,
                data=_ints(r, np.int64, (3,), -10 ** 6, 10 ** 6)),
              T(np.int16, 1e-5, 0), act=RELU6)
  wt = T(np.int8, [0.01, 0.03], [0, 0],
         data=_ints(r, np.int8, (2, 3, 3, 2), -127))
  yield _tconv("i16_tconv_int32_bias", _ints(r, np.int16, (1, 3, 3, 2)), x,
               wt, T(np.int32, [1e-5, 3e-5], [0, 0],
                     data=np.array([30000, -42000], np.int32)),
               T(np.int16, 4e-3, 0), (6, 6), stride=(2, 2), bias_type=2)
  yield _tconv("i16_tconv_nobias", _ints(r, np.int16, (1, 3, 3, 2)), x, wt,
               None, T(np.int16, 4e-3, 0), (5, 5), padding=VALID)
  wd = T(np.int8, [0.01, 0.02, 0.03, 0.04], [0] * 4, dim=3,
         data=_ints(r, np.int8, (1, 2, 2, 4), -127))
  yield _dw("i16_dw_nobias_saturate", _ints(r, np.int16, (1, 4, 4, 2)), x, wd,
            None, T(np.int16, 1e-5, 0))


def _hybrid_cases():
  r = rng(500)
  f = lambda *s: r.standard_normal(s).astype(np.float32)
  xf = T(np.float32)
  # Same scale for every channel: LiteRT's CONV_2D quantizes the input
  # symmetrically then; batch 1 is all zeros (the zero-range path).
  xd = f(2, 5, 5, 3)
  xd[1] = 0.0
  w = T(np.int8, [0.02] * 4, [0] * 4,
        data=_ints(r, np.int8, (4, 3, 3, 3), -127))
  b = T(np.float32, data=f(4))
  yield _conv("hybrid_conv_symmetric", xd, xf, w, b, xf, act=RELU,
              tol=HYBRID_TOL, reason=HYBRID_WHY)
  yield _conv("hybrid_conv_per_tensor", f(1, 6, 5, 3), xf,
              T(np.int8, 0.03, 0, data=_ints(r, np.int8, (4, 2, 2, 3), -127)),
              b, xf, stride=(2, 2), padding=VALID, tol=HYBRID_TOL,
              reason=HYBRID_WHY)
  # All-positive input (zero point at -128) and all-negative.
  yield _conv("hybrid_conv_positive_input", np.abs(f(1, 4, 4, 3)) + 1, xf,
              T(np.int8, [0.01, 0.05, 0.02, 0.1], [0] * 4,
                data=_ints(r, np.int8, (4, 3, 3, 3), -127)), b, xf,
              act=RELU6, tol=HYBRID_TOL, reason=HYBRID_WHY)
  wd = T(np.int8, [0.01, 0.05, 0.02, 0.1, 0.3, 0.07], [0] * 6, dim=3,
         data=_ints(r, np.int8, (1, 3, 3, 6), -127))
  yield _dw("hybrid_dw_negative_input", -np.abs(f(2, 4, 5, 3)), xf, wd,
            T(np.float32, data=f(6)), xf, dilation=(2, 2), tol=HYBRID_TOL,
            reason=HYBRID_WHY)
  wt = T(np.int8, [0.01, 0.05, 0.02], [0] * 3,
         data=_ints(r, np.int8, (3, 3, 3, 2), -127))
  yield _tconv("hybrid_tconv_nobias_relu", f(1, 3, 3, 2), xf, wt, None, xf,
               (5, 5), stride=(2, 2), act=RELU, tol=HYBRID_TOL,
               reason=HYBRID_WHY)


def _error_cases():
  """Bad quantization parameters: a clear error at prepare."""
  r = rng(600)
  xd = _ints(r, np.int8, (1, 4, 4, 3))
  x = T(np.int8, 0.05, 0)
  y = T(np.int8, 0.1, 0)
  wdata = _ints(r, np.int8, (4, 3, 3, 3), -127)
  bdata = _ints(r, np.int32, (4,), -100, 100)
  good_w = lambda **kw: T(np.int8, kw.get("scale", [0.01] * 4),
                          kw.get("zp", [0] * 4), kw.get("dim", 0), wdata)
  b = T(np.int32, [5e-4] * 4, [0] * 4, data=bdata)
  # (Counts that match no dimension of the filter are rejected when the
  # model is read; these match another dimension than the channels.)
  yield _conv("err_conv_scale_count", xd, x,
              T(np.int8, [0.01] * 3, [0] * 3, 3, wdata), b, y,
              expect_error="3 per-channel scales along dimension 3; "
                           "expected one per element of dimension 0")
  yield _conv("err_conv_quantized_dimension", xd, x,
              T(np.int8, [0.01] * 3, [0] * 3, 1, wdata), b, y,
              expect_error="per-channel scales along dimension 1")
  yield _conv("err_conv_zero_scale", xd, x,
              good_w(scale=[0.01, 0.0, 0.01, 0.01]), b, y,
              expect_error="scales must be finite and greater than zero")
  yield _conv("err_conv_filter_zero_point", xd, x, good_w(zp=[0, 3, 0, 0]),
              b, y, expect_error="must be 0 (symmetric quantization)")
  yield _conv("err_conv_input_no_params", xd, T(np.int8), good_w(), b, y,
              expect_error="has no quantization parameters")
  yield _conv("err_conv_output_nan_scale", xd, x, good_w(), b,
              T(np.int8, float("nan"), 0),
              expect_error="scales must be finite and greater than zero")
  yield _conv("err_conv_bias_zero_point", xd, x, good_w(),
              T(np.int32, [5e-4] * 4, [0, 0, 7, 0], data=bdata), y,
              expect_error="it must be 0")
  yield _conv("err_conv_bias_type", xd, x, good_w(),
              T(np.int64, [5e-4] * 4, [0] * 4, data=bdata.astype(np.int64)),
              y, expect_error="bias 'b' must be INT32")
  yield _conv("err_conv_output_zero_point_range", xd, x, good_w(), b,
              T(np.int8, 0.1, 200), expect_error="outside the range")
  yield _conv("err_conv_filter_no_params", xd, x, T(np.int8, data=wdata), b,
              y, expect_error="filter 'w' (INT8) has no quantization")
  # Hybrid: the int8 filter must be symmetric too.
  yield _conv("err_hybrid_conv_filter_zero_point",
              np.ones((1, 4, 4, 3), np.float32), T(np.float32),
              good_w(zp=[0, 0, 0, 2]),
              T(np.float32, data=np.zeros(4, np.float32)), T(np.float32),
              expect_error="must be 0 (symmetric quantization)")
  # uint8: per-tensor only, bias scale tied to input * filter scale.
  ud = _ints(r, np.uint8, (1, 4, 4, 3))
  uw = _ints(r, np.uint8, (4, 3, 3, 3))
  ux, uy = T(np.uint8, 0.05, 128), T(np.uint8, 0.1, 128)
  yield _conv("err_u8_conv_per_channel", ud, ux,
              T(np.uint8, [0.01] * 4, [128] * 4, 0, uw),
              T(np.int32, 5e-4, 0, data=bdata), uy,
              expect_error="must be quantized per tensor")
  yield _conv("err_u8_conv_bias_scale", ud, ux, T(np.uint8, 0.01, 128, data=uw),
              T(np.int32, 5e-3, 0, data=bdata), uy,
              expect_error="to within 2% of the output scale")
  # 16x8: symmetric activations; an int32 bias needs the option.
  sd = _ints(r, np.int16, (1, 4, 4, 3))
  sx, sy = T(np.int16, 1e-3, 0), T(np.int16, 1e-3, 0)
  yield _conv("err_i16_conv_input_zero_point", sd, T(np.int16, 1e-3, 5),
              good_w(), T(np.int64, [1e-5] * 4, [0] * 4,
                          data=bdata.astype(np.int64)), sy,
              expect_error="must be 0 (symmetric quantization)")
  yield _conv("err_i16_conv_int32_bias_no_option", sd, sx, good_w(),
              T(np.int32, [1e-5] * 4, [0] * 4, data=bdata), sy,
              expect_error="quantized_bias_type INT32")
  yield _dw("err_u8_dw_int8_filter", ud, ux,
            T(np.int8, 0.01, 0, data=_ints(r, np.int8, (1, 3, 3, 3), -127)),
            T(np.int32, 5e-4, 0, data=bdata[:3]), uy,
            expect_error="filter 'w' must be UINT8, got INT8")
  yield _dw("err_i16_dw_output_zero_point", _ints(r, np.int16, (1, 4, 4, 4)),
            sx, T(np.int8, [0.01] * 4, [0] * 4, 3,
                  _ints(r, np.int8, (1, 3, 3, 4), -127)),
            T(np.int64, [1e-5] * 4, [0] * 4, data=bdata.astype(np.int64)),
            T(np.int16, 1e-3, -7),
            expect_error="must be 0 (symmetric quantization)")
  # Depthwise: per-channel count along dimension 3; 16x8 depth multiplier.
  dwd = _ints(r, np.int8, (1, 3, 3, 4), -127)
  yield _dw("err_dw_scale_count", xd, x,
            T(np.int8, [0.01] * 3, [0] * 3, 1, dwd[..., :3]),
            T(np.int32, [5e-4] * 3, [0] * 3, data=bdata[:3]), y,
            expect_error="per-channel scales")
  yield _dw("err_dw_filter_zero_point", _ints(r, np.int8, (1, 4, 4, 4)), x,
            T(np.int8, [0.01] * 4, [0, 0, 0, -1], 3, dwd),
            T(np.int32, [5e-4] * 4, [0] * 4, data=bdata), y,
            expect_error="must be 0 (symmetric quantization)")
  yield _dw("err_i16_dw_depth_multiplier", _ints(r, np.int16, (1, 4, 4, 2)),
            sx, T(np.int8, [0.01] * 4, [0] * 4, 3, dwd),
            T(np.int64, [1e-5] * 4, [0] * 4, data=bdata.astype(np.int64)), sy,
            multiplier=1, expect_error="does not match the shapes")
  yield _dw("err_hybrid_dw_zero_scale", np.ones((1, 4, 4, 4), np.float32),
            T(np.float32), T(np.int8, [0.01, 0.01, 0.0, 0.01], [0] * 4, 3,
                             dwd), T(np.float32, data=np.zeros(4, np.float32)),
            T(np.float32),
            expect_error="scales must be finite and greater than zero")
  # Transpose conv: weights scale count and missing output parameters.
  tw = _ints(r, np.int8, (2, 3, 3, 3), -127)
  yield _tconv("err_tconv_scale_count", xd, x,
               T(np.int8, [0.01] * 3, [0] * 3, 3, _ints(r, np.int8,
                                                         (2, 3, 3, 3), -127)),
               None, y, (8, 8), stride=(2, 2),
               expect_error="per-channel scales")
  yield _tconv("err_tconv_output_no_params", xd, x,
               T(np.int8, [0.01] * 2, [0] * 2, 0, tw), None, T(np.int8),
               (8, 8), stride=(2, 2),
               expect_error="has no quantization parameters")


def _all_cases():
  yield from _conv_cases()
  yield from _dw_cases()
  yield from _tconv_cases()
  yield from _uint8_cases()
  yield from _int8_cases()
  yield from _int16_cases()
  yield from _hybrid_cases()
  yield from _error_cases()


def cases():
  yield from _all_cases()
