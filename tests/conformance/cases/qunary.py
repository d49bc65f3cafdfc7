"""Quantized unary and activation ops: LOGISTIC, TANH, SOFTMAX, LOG_SOFTMAX,
HARD_SWISH, GELU, ELU, LEAKY_RELU, RELU, RELU6, RELU_N1_TO_1, RELU_0_TO_1,
ABS, NEG, RSQRT, SQRT, LOG, EXP and L2_NORMALIZATION.

Two kinds of cases:
- converter-made: tf.functions converted with post-training quantization
  (int8 and 16x8 with integer inputs and outputs), with inputs spanning
  wide ranges so that table edges and saturation are reached;
- hand-built single-op models (SingleOpModel) for what the converter never
  emits: uint8 and int16 forms, unusual scales and zero points, SOFTMAX
  with beta != 1 and int16 outputs, and negative cases (missing or bad
  quantization parameters, output parameters LiteRT fixes).

Integer outputs must match LiteRT's reference kernels bit for bit. ELU is
not in LiteRT's BUILTIN_REF resolver: its cases use
BUILTIN_WITHOUT_DEFAULT_DELEGATES (its only int8 kernel is a table either
way)."""
import numpy as np
import tensorflow as tf

from conformance.cases import Case, SingleOpModel, qparams, rng

# Integer inputs and outputs hold only the op under test; the float-edged
# modes ("int8", "16x8") add QUANTIZE and DEQUANTIZE around it, and
# "uint8_io" requantizes at the edges. MODES_8: the 8-bit modes alone (ops
# LiteRT has no int16 form of).
MODES = ("int8_io", "16x8_io", "int8", "uint8_io", "16x8")
MODES_8 = ("int8_io", "int8", "uint8_io")


def _spec(a):
  return tf.TensorSpec(a.shape, tf.as_dtype(a.dtype))


def _converted(name, body, x, modes=MODES, **kw):
  """One converter-made case per quantization mode."""
  for mode in modes:
    @tf.function(input_signature=[_spec(x)])
    def fn(x):
      return body(x)
    yield Case(name="qunary/tf_%s_%s" % (name, mode), fn=fn, inputs={"x": x},
               quantize=mode, **kw)


def _wide(r, shape, lo, hi):
  """Uniform values over [lo, hi] with both ends present."""
  x = r.uniform(lo, hi, shape).astype(np.float32)
  x.flat[0], x.flat[1] = lo, hi
  return x


def _converter_cases(r):
  x = _wide(r, (4, 32), -10.0, 10.0)
  yield from _converted("logistic", tf.sigmoid, x)
  yield from _converted("tanh", tf.tanh, _wide(r, (4, 32), -6.0, 6.0))
  yield from _converted("relu", tf.nn.relu, _wide(r, (4, 32), -5.0, 7.0))
  yield from _converted("relu6", tf.nn.relu6, _wide(r, (4, 32), -4.0, 9.0))
  yield from _converted("relu_n1_to_1",
                        lambda v: tf.clip_by_value(v, -1.0, 1.0),
                        _wide(r, (4, 32), -3.0, 2.0), modes=MODES_8)
  yield from _converted("leaky_relu",
                        lambda v: tf.nn.leaky_relu(v, alpha=0.15),
                        _wide(r, (4, 32), -8.0, 6.0))
  yield from _converted("hard_swish",
                        lambda v: v * tf.nn.relu6(v + 3.0) * (1.0 / 6.0),
                        _wide(r, (4, 32), -6.0, 6.0), modes=MODES_8)
  yield from _converted("gelu_exact",
                        lambda v: tf.nn.gelu(v, approximate=False),
                        _wide(r, (4, 32), -5.0, 5.0))
  yield from _converted("gelu_approx",
                        lambda v: tf.nn.gelu(v, approximate=True),
                        _wide(r, (4, 32), -5.0, 5.0))
  yield from _converted("softmax", tf.nn.softmax,
                        _wide(r, (3, 5, 24), -12.0, 12.0))
  yield from _converted("log_softmax", tf.nn.log_softmax,
                        _wide(r, (4, 30), -9.0, 9.0), modes=MODES_8)
  yield from _converted("l2_normalization",
                        lambda v: tf.math.l2_normalize(v, axis=-1),
                        _wide(r, (4, 16), -3.0, 3.0), modes=MODES_8)
  yield from _converted("abs", tf.abs, _wide(r, (4, 32), -7.0, 5.0),
                        modes=MODES)
  yield from _converted("exp", tf.exp, _wide(r, (4, 32), -6.0, 2.5),
                        modes=MODES)
  yield from _converted("log", tf.math.log, _wide(r, (4, 32), 0.01, 20.0),
                        modes=MODES)
  # The converter has no 16x8 SQRT.
  yield from _converted("sqrt", tf.sqrt, _wide(r, (4, 32), 0.0, 30.0),
                        modes=MODES_8)
  yield from _converted("rsqrt", tf.math.rsqrt, _wide(r, (4, 32), 0.05, 30.0),
                        modes=MODES)


# ---- hand-built single-op models ----------------------------------------

_NP = {"int8": np.int8, "uint8": np.uint8, "int16": np.int16}


def _schema():
  from tensorflow.lite.python import schema_py_generated as schema
  return schema


def _all_values(dtype, shape=None):
  info = np.iinfo(_NP[dtype])
  x = np.arange(info.min, info.max + 1, dtype=np.int64).astype(_NP[dtype])
  return x.reshape((1, -1) if shape is None else shape)


def _single(name, op, x, in_q, out_q, out_dtype=None, options=None,
            expect_error=None, resolver="BUILTIN_REF", opcode_version=1):
  """A one-op model x -> y; in_q / out_q: (scale, zero_point) or None."""
  s = _schema()
  t = {"int8": s.TensorType.INT8, "uint8": s.TensorType.UINT8,
       "int16": s.TensorType.INT16}
  in_dtype = np.dtype(x.dtype).name
  out_dtype = out_dtype or in_dtype
  m = SingleOpModel(s, op)
  m.model.operatorCodes[0].version = opcode_version
  i = m.tensor("x", x.shape, t[in_dtype],
               quantization=qparams(s, *in_q) if in_q else None)
  o = m.tensor("y", x.shape, t[out_dtype],
               quantization=qparams(s, *out_q) if out_q else None)
  model = m.finish([i], [o], [("x", i)], [("y", o)], options)
  return Case(name="qunary/" + name, model_bytes=model, inputs={"x": x},
              expect_error=expect_error, resolver=resolver,
              reason="" if resolver == "BUILTIN_REF" else
              "ELU is not in LiteRT's BUILTIN_REF resolver")


def _lut_cases(r):
  """Table-driven ops over every int8 / uint8 input, and int16 samples."""
  i16 = lambda: np.concatenate([
      _all_values("int16")[:, ::97],
      np.array([[-32768, -32767, -1, 0, 1, 32766, 32767]], np.int16)],
      axis=1)
  for dtype, zin in (("int8", 5), ("uint8", 140)):
    x = _all_values(dtype)
    zlo = -128 if dtype == "int8" else 0
    yield _single("logistic_%s" % dtype, "LOGISTIC", x, (0.07, zin),
                  (1 / 256, zlo))
    yield _single("logistic_%s_free_zp" % dtype, "LOGISTIC", x, (0.2, zin),
                  (1 / 256, zlo + 3))
    yield _single("tanh_%s" % dtype, "TANH", x, (0.04, zin),
                  (1 / 128, zlo + 128))
    yield _single("tanh_%s_odd_params" % dtype, "TANH", x, (0.013, zin),
                  (0.011, zlo + 100))
    for approx in (False, True):
      yield _single("gelu_%s_%s" % (dtype, "approx" if approx else "exact"),
                    "GELU", x, (0.045, zin), (0.031, zlo + 20),
                    options=("GeluOptions", {"approximate": approx}))
  for approx in (False, True):
    yield _single("gelu_int16_%s" % ("approx" if approx else "exact"),
                  "GELU", i16(), (0.0002, 0), (0.00015, 0),
                  options=("GeluOptions", {"approximate": approx}))
  # int16 LOGISTIC / TANH: power-of-two input scales (taken directly by the
  # table) and general ones (integer rescaling).
  for scale in (2 ** -12, 2 ** -11, 0.0007, 1 / 3000.0):
    tag = "pot%d" % -np.log2(scale) if scale in (2 ** -12, 2 ** -11) else \
        ("%g" % scale).replace(".", "p")
    yield _single("logistic_int16_%s" % tag, "LOGISTIC", i16(), (scale, 0),
                  (1 / 32768, 0))
    yield _single("tanh_int16_%s" % tag, "TANH", i16(), (scale, 0),
                  (1 / 32768, 0))
  yield _single("elu_int8", "ELU", _all_values("int8"), (0.05, 10),
                (0.04, -60), resolver="BUILTIN_WITHOUT_DEFAULT_DELEGATES")
  yield _single("exp_int8", "EXP", _all_values("int8"), (0.03, -20),
                (0.2, -128))
  yield _single("exp_int16", "EXP", i16(), (0.0001, 0), (0.001, 0))
  yield _single("log_int8", "LOG", _all_values("int8"), (0.1, -100),
                (0.03, 50))
  yield _single("log_int16", "LOG", i16(), (0.002, 0), (0.0003, 0))
  pos8 = np.arange(-20, 128, dtype=np.int8).reshape(1, -1)
  pos16 = np.abs(i16()).astype(np.int16)
  pos16[pos16 < 0] = 32767
  yield _single("rsqrt_int8", "RSQRT", pos8, (0.05, -20), (0.02, -100))
  yield _single("rsqrt_int16", "RSQRT", pos16, (0.001, 0), (0.0002, 0))
  yield _single("sqrt_int8", "SQRT", pos8, (0.3, -20), (0.05, -128))
  yield _single("sqrt_int16", "SQRT", pos16, (0.001, 0), (0.0003, 0))


def _requantize_cases(r):
  """RELU family, LEAKY_RELU, ABS, NEG, HARD_SWISH: rescaling and clamps."""
  for dtype, zin, zout in (("int8", -7, 12), ("uint8", 100, 30)):
    x = _all_values(dtype)
    for op in ("RELU", "RELU6", "RELU_N1_TO_1", "RELU_0_TO_1"):
      yield _single("%s_%s" % (op.lower(), dtype), op, x, (0.06, zin),
                    (0.025, zout))
      yield _single("%s_%s_wide" % (op.lower(), dtype), op, x, (0.01, zin),
                    (0.1, zout))
    for alpha in (0.2, 1.7, -0.4):
      yield _single("leaky_relu_%s_alpha%s" % (dtype, ("%g" % alpha).replace(
          ".", "p").replace("-", "m")), "LEAKY_RELU", x, (0.05, zin),
                    (0.04, zout),
                    options=("LeakyReluOptions", {"alpha": alpha}))
    for k, (si, so) in enumerate(((0.05, 0.03), (0.1, 0.02), (0.01, 0.05),
                                  (0.5, 0.3), (0.02, 0.0002))):
      yield _single("hard_swish_%s_%d" % (dtype, k), "HARD_SWISH", x,
                    (si, zin), (so, zout))
  x16 = _all_values("int16")[:, ::61]
  for op in ("RELU", "RELU6"):
    yield _single("%s_int16" % op.lower(), op, x16, (0.001, 0), (0.0004, 0))
  yield _single("leaky_relu_int16", "LEAKY_RELU", x16, (0.001, 0),
                (0.0007, 0), options=("LeakyReluOptions", {"alpha": 0.3}))
  yield _single("abs_int8", "ABS", _all_values("int8"), (0.05, 9),
                (0.03, -100))
  yield _single("abs_int8_same_scale", "ABS", _all_values("int8"),
                (0.05, 9), (0.05, -128))
  yield _single("abs_int16", "ABS", x16, (0.001, 0), (0.0015, 0))
  yield _single("neg_int8", "NEG", _all_values("int8"), (0.05, 9),
                (0.05, -9))
  yield _single("neg_int16", "NEG", x16, (0.001, 0), (0.001, 0))


def _normalization_cases(r):
  """SOFTMAX (beta, output types), LOG_SOFTMAX, L2_NORMALIZATION."""
  def rand(dtype, shape):
    info = np.iinfo(_NP[dtype])
    return r.integers(info.min, info.max + 1, shape).astype(_NP[dtype])
  for beta in (1.0, 0.3, 4.0):
    o = ("SoftmaxOptions", {"beta": beta})
    tag = ("%g" % beta).replace(".", "p")
    yield _single("softmax_int8_beta%s" % tag, "SOFTMAX",
                  rand("int8", (6, 33)), (0.1, 3), (1 / 256, -128),
                  options=o)
    yield _single("softmax_uint8_beta%s" % tag, "SOFTMAX",
                  rand("uint8", (6, 33)), (0.07, 128), (1 / 256, 0),
                  options=o)
    yield _single("softmax_int8_to_int16_beta%s" % tag, "SOFTMAX",
                  rand("int8", (6, 33)), (0.1, 3), (1 / 65536, -32768),
                  out_dtype="int16", options=o)
    yield _single("softmax_uint8_to_int16_beta%s" % tag, "SOFTMAX",
                  rand("uint8", (6, 33)), (0.05, 128), (1 / 65536, -32768),
                  out_dtype="int16", options=o)
    yield _single("softmax_int16_beta%s" % tag, "SOFTMAX",
                  rand("int16", (6, 33)), (0.0004, 0), (1 / 32768, 0),
                  options=o)
  o = ("SoftmaxOptions", {"beta": 1.0})
  yield _single("softmax_int8_rank3", "SOFTMAX", rand("int8", (2, 3, 17)),
                (0.02, -5), (1 / 256, -128), options=o)
  yield _single("softmax_int8_uniform", "SOFTMAX",
                np.full((2, 300), 7, np.int8), (0.05, 0), (1 / 256, -128),
                options=o)
  for scale in (0.05, 0.4, 2.0):
    tag = ("%g" % scale).replace(".", "p")
    yield _single("log_softmax_int8_s%s" % tag, "LOG_SOFTMAX",
                  rand("int8", (4, 29)), (scale, 3), (16 / 256, 127))
    yield _single("log_softmax_uint8_s%s" % tag, "LOG_SOFTMAX",
                  rand("uint8", (4, 29)), (scale, 120), (16 / 256, 255))
  yield _single("l2_normalization_int8", "L2_NORMALIZATION",
                rand("int8", (5, 24)), (0.05, 3), (1 / 128, 0))
  yield _single("l2_normalization_uint8", "L2_NORMALIZATION",
                rand("uint8", (5, 24)), (0.05, 131), (1 / 128, 128))
  yield _single("l2_normalization_int8_zero_row", "L2_NORMALIZATION",
                np.array([[3, 3, 3, 3], [3, 4, 3, 7]], np.int8), (0.05, 3),
                (1 / 128, 0))


def _negative_cases(r):
  """Bad or missing quantization parameters and the output parameters
  LiteRT fixes: a clear error at prepare (or invoke, for data)."""
  x8 = _all_values("int8", (4, 64))
  x16 = _all_values("int16")[:, ::257]
  yield _single("err_relu_int8_no_params", "RELU", x8, None, (0.1, 0),
                expect_error="has no quantization parameters")
  yield _single("err_tanh_int8_zero_scale", "TANH", x8, (0.0, 0),
                (1 / 128, 0), expect_error="scales must be finite")
  yield _single("err_gelu_uint8_zero_point_range", "GELU",
                _all_values("uint8"), (0.05, 300), (0.05, 0),
                expect_error="outside the range")
  yield _single("err_relu_int16_zero_point", "RELU", x16, (0.001, 3),
                (0.001, 0), expect_error="symmetric quantization")
  yield _single("err_logistic_int8_output_scale", "LOGISTIC", x8,
                (0.05, 0), (1 / 255, -128), expect_error="requires exactly "
                "1/256")
  yield _single("err_logistic_int16_output_scale", "LOGISTIC", x16,
                (0.001, 0), (1 / 32000, 0), expect_error="requires exactly "
                "1/32768")
  yield _single("err_tanh_int16_output_scale", "TANH", x16, (0.001, 0),
                (1 / 16384, 0), expect_error="LiteRT requires 2^-15")
  yield _single("err_softmax_int8_output_zero_point", "SOFTMAX", x8,
                (0.05, 0), (1 / 256, -127),
                options=("SoftmaxOptions", {"beta": 1.0}),
                expect_error="requires scale 1/256 and zero point -128")
  yield _single("err_softmax_int8_output_scale", "SOFTMAX", x8, (0.05, 0),
                (1 / 128, -128), options=("SoftmaxOptions", {"beta": 1.0}),
                expect_error="requires scale 1/256 and zero point -128")
  yield _single("err_softmax_int16_output_scale", "SOFTMAX", x16,
                (0.001, 0), (1 / 16384, 0),
                options=("SoftmaxOptions", {"beta": 1.0}),
                expect_error="requires 1/32768")
  yield _single("err_softmax_int8_to_uint8", "SOFTMAX", x8, (0.05, 0),
                (1 / 256, 0), out_dtype="uint8",
                options=("SoftmaxOptions", {"beta": 1.0}),
                expect_error="takes a INT8 or INT16 output")
  yield _single("err_log_softmax_int8_output", "LOG_SOFTMAX", x8,
                (0.05, 0), (16 / 256, 126),
                expect_error="requires scale 16/256 and zero point 127")
  yield _single("err_l2_normalization_uint8_output", "L2_NORMALIZATION",
                _all_values("uint8", (4, 64)), (0.05, 0), (1 / 128, 0),
                expect_error="requires scale 1/128 and zero point 128")
  yield _single("err_hard_swish_output_scale", "HARD_SWISH", x8, (0.05, 0),
                (0.0003, 0), expect_error="too small for input scale")
  yield _single("err_relu_n1_to_1_int16", "RELU_N1_TO_1", x16, (0.001, 0),
                (0.001, 0), expect_error="INT16")
  yield _single("err_rsqrt_int8_negative", "RSQRT", x8, (0.05, 0),
                (0.05, 0), expect_error="only defined for positive values")
  yield _single("err_sqrt_int16_negative", "SQRT", x16, (0.001, 0),
                (0.001, 0), expect_error="only defined for non-negative")
  yield _single("err_abs_uint8", "ABS", _all_values("uint8"), (0.05, 0),
                (0.05, 0), expect_error="UINT8")
  # Per-channel parameters on an activation.
  s = _schema()
  m = SingleOpModel(s, "RELU")
  xi = m.tensor("x", (2, 8), s.TensorType.INT8,
                quantization=qparams(s, [0.1, 0.2], [0, 0], dim=0))
  yi = m.tensor("y", (2, 8), s.TensorType.INT8,
                quantization=qparams(s, 0.1, 0))
  yield Case(name="qunary/err_relu_int8_per_channel",
             model_bytes=m.finish([xi], [yi], [("x", xi)], [("y", yi)]),
             inputs={"x": _all_values("int8", (16, 16))[:2, :8]},
             expect_error="must be quantized per tensor")


def cases():
  r = rng(4100)
  yield from _converter_cases(r)
  yield from _lut_cases(r)
  yield from _requantize_cases(r)
  yield from _normalization_cases(r)
  yield from _negative_cases(r)
