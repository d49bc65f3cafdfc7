"""Unary elementwise ops: ABS, NEG, SQRT, RSQRT, SQUARE, EXP, LOG, SIN, COS,
TANH, LOGISTIC, RELU6, RELU_N1_TO_1, RELU_0_TO_1, LEAKY_RELU, HARD_SWISH,
GELU, FLOOR, CEIL, SIGN, CAST and DEQUANTIZE (dtypes, options, edge shapes,
and hand-patched models for what the converter never emits).

The harness compares floats within a bound relative to the largest
reference magnitude, so inputs avoid NaN outputs (a NaN makes the bound
NaN) and infinite outputs (the bound becomes infinite).

Not here: zero-sized inputs (LiteRT's Python wrapper refuses to set an
empty input: "Invalid tensor size"), and ELU, ROUND and CEIL, which
LiteRT's BUILTIN_REF resolver does not register, so no reference output can
be recorded; bfloat16 outputs (numpy has no bfloat16 for the data files)."""
import numpy as np
import tensorflow as tf

from conformance.cases import Case, rng

# GELU (float32): TFLite's reference kernel evaluates erfc / tanh with
# Eigen's float approximations, pylite with glibc's erfcf / tanhf. Measured
# on these inputs and on 660 more (|x| <= 20, specials): at most 9.2e-8
# relative to the largest output, 4.8e-7 absolute; the default bound holds.
# Every other op here, transcendentals included (they call the same glibc
# float functions as LiteRT's reference kernels), is bit-exact.


def _spec(a):
  return tf.TensorSpec(a.shape, tf.as_dtype(a.dtype))


def _case(name, body, x, **kw):
  @tf.function(input_signature=[_spec(x)])
  def fn(x):
    return body(x)
  return Case(name="unary/" + name, fn=fn, inputs={"x": x}, **kw)


def _convert(case, float16=False):
  owner = tf.Module()
  owner.fn = case.fn
  converter = tf.lite.TFLiteConverter.from_concrete_functions(
      [case.fn.get_concrete_function()], owner)
  if float16:
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.target_spec.supported_types = [tf.float16]
  return converter.convert()


def _patched(case, name, edit, expect_error=None, inputs=None,
             float16=False):
  """Converts `case`, lets edit(model, schema) change the model object, and
  returns a hand-made Case with the result."""
  import flatbuffers
  from tensorflow.lite.python import schema_py_generated as schema
  data = _convert(case, float16)
  model = schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(data, 0))
  if edit:
    edit(model, schema)
  builder = flatbuffers.Builder(1024)
  builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
  return Case(name="unary/" + name, model_bytes=bytes(builder.Output()),
              inputs=inputs if inputs is not None else case.inputs,
              expect_error=expect_error)


def _only_op(model, builtin):
  ops = [op for op in model.subgraphs[0].operators
         if model.operatorCodes[op.opcodeIndex].builtinCode == builtin]
  assert len(ops) == 1, ops
  return ops[0]


def _set_opcode(model, schema, old, new, version=None):
  op = _only_op(model, old)
  code = model.operatorCodes[op.opcodeIndex]
  code.builtinCode = new
  code.deprecatedBuiltinCode = min(new, 127)  # 127: see builtinCode
  if version is not None:
    code.version = version
  return op


def _set_types(model, tensor_type, quant=None):
  """Every tensor of subgraph 0 becomes `tensor_type` (optionally with
  per-tensor quantization (scale, zero_point))."""
  from tensorflow.lite.python import schema_py_generated as schema
  for t in model.subgraphs[0].tensors:
    t.type = tensor_type
    if quant:
      q = schema.QuantizationParametersT()
      q.scale, q.zeroPoint = [quant[0]], [quant[1]]
      t.quantization = q


def _built(name, opcode, x, out_type, quant=None, out_shape=None,
           expect_error=None, options=None):
  """A hand-built model: one `opcode` operator from input "x" (the array's
  dtype and shape, optional quantization (scales, zero_points, axis)) to
  output "y" of schema type `out_type`; options: (BuiltinOptions type,
  options object)."""
  import flatbuffers
  from tensorflow.lite.python import schema_py_generated as schema
  T = schema.TensorType
  types = {np.dtype(k): v for k, v in [
      (np.bool_, T.BOOL), (np.int8, T.INT8), (np.uint8, T.UINT8),
      (np.int16, T.INT16), (np.uint16, T.UINT16), (np.int32, T.INT32),
      (np.uint32, T.UINT32), (np.int64, T.INT64), (np.float16, T.FLOAT16),
      (np.float32, T.FLOAT32), (np.float64, T.FLOAT64),
      (np.complex64, T.COMPLEX64)]}

  def tensor(tname, ttype, shape, q=None):
    t = schema.TensorT()
    t.name, t.type, t.shape, t.buffer = tname, ttype, list(shape), 0
    if q:
      qp = schema.QuantizationParametersT()
      qp.scale, qp.zeroPoint, qp.quantizedDimension = \
          list(q[0]), list(q[1]), q[2]
      t.quantization = qp
    return t
  code = schema.OperatorCodeT()
  code.builtinCode = opcode
  code.deprecatedBuiltinCode = min(opcode, 127)
  code.version = 1
  op = schema.OperatorT()
  op.opcodeIndex, op.inputs, op.outputs = 0, [0], [1]
  if options:
    op.builtinOptionsType, op.builtinOptions = options
  sg = schema.SubGraphT()
  sg.tensors = [tensor("x", types[x.dtype], x.shape, quant),
                tensor("y", out_type,
                       x.shape if out_shape is None else out_shape)]
  sg.inputs, sg.outputs, sg.operators = [0], [1], [op]
  sig = schema.SignatureDefT()
  sig.signatureKey, sig.subgraphIndex = "serving_default", 0
  sig.inputs, sig.outputs = [schema.TensorMapT()], [schema.TensorMapT()]
  sig.inputs[0].name, sig.inputs[0].tensorIndex = "x", 0
  sig.outputs[0].name, sig.outputs[0].tensorIndex = "y", 1
  model = schema.ModelT()
  model.version, model.operatorCodes, model.subgraphs = 3, [code], [sg]
  model.buffers = [schema.BufferT()]
  model.signatureDefs = [sig]
  builder = flatbuffers.Builder(1024)
  builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
  return Case(name="unary/" + name, model_bytes=bytes(builder.Output()),
              inputs={"x": x}, expect_error=expect_error)


def _floats(r, *shape, scale=3.0):
  return (r.standard_normal(shape) * scale).astype(np.float32)


def _elementwise_cases(r):
  f = lambda *s, scale=3.0: _floats(r, *s, scale=scale)
  pos = lambda *s: (np.abs(f(*s)) + 0.01).astype(np.float32)
  # ABS / NEG
  x = f(2, 3, 4)
  x.flat[:3] = [0.0, -0.0, -7.5]
  yield _case("abs_f32", tf.abs, x)
  yield _case("abs_i16", tf.abs,
              np.array([-32768, -5, 0, 7, 32767, -1], np.int16))
  # ABS on int32 is opcode version 5, which BUILTIN_REF does not register
  # (ABS is there at version 1 only); its kernel is the same at any
  # version, so the version is patched to 1.
  base = _case("abs_i32", tf.abs,
               np.array([-2**31, -5, 0, 7, 2**31 - 1, -1], np.int32))

  def abs_v1(model, schema):
    _set_opcode(model, schema, schema.BuiltinOperator.ABS,
                schema.BuiltinOperator.ABS, version=1)
  yield _patched(base, "abs_i32", abs_v1)
  yield _case("abs_scalar", tf.abs, np.array(-2.5, np.float32))
  yield _case("neg_f32", tf.negative, f(3, 5))
  yield _case("neg_i32", tf.negative,
              np.array([-2**31, -5, 0, 3, 2**31 - 1], np.int32))
  yield _case("neg_i64", tf.negative,
              np.array([-2**63, -5, 0, 3, 2**63 - 1, 1 << 40], np.int64))
  yield _case("neg_rank6", tf.negative, f(2, 1, 2, 3, 1, 2))
  # Types the converter does not emit for NEG: hand-built.
  from tensorflow.lite.python import schema_py_generated as schema
  neg = schema.BuiltinOperator.NEG
  yield _built("neg_i8", neg, np.array([-128, -5, 0, 3, 127], np.int8),
               schema.TensorType.INT8)
  yield _built("neg_i16", neg,
               np.array([-32768, -5, 0, 3, 32767], np.int16),
               schema.TensorType.INT16)
  yield _built("neg_f16", neg,
               np.array([-2.5, -0.0, 0.0, 65504.0, 6e-8], np.float16),
               schema.TensorType.FLOAT16)
  # Roots, powers, transcendentals.
  x = pos(4, 6)
  x.flat[:2] = [0.0, 1e-30]
  yield _case("sqrt_f32", tf.sqrt, x)
  yield _case("rsqrt_f32", tf.math.rsqrt, pos(4, 6))
  yield _case("square_f32", tf.square, f(2, 3, 4))
  yield _case("square_rank5", tf.square, f(1, 2, 3, 2, 2))
  yield _case("exp_f32", tf.exp, f(4, 8))
  yield _case("exp_range", tf.exp,
              np.linspace(-87, 88, 50, dtype=np.float32))
  yield _case("log_f32", tf.math.log, pos(4, 8))
  yield _case("log_small", tf.math.log,
              np.array([1e-38, 1e-20, 0.5, 1.0, 3e38], np.float32))
  yield _case("sin_f32", tf.sin, f(4, 8, scale=10.0))
  yield _case("cos_f32", tf.cos, f(4, 8, scale=10.0))
  yield _case("sin_large", tf.sin,
              np.array([1e4, -3e5, 1e7, 123456.7], np.float32))
  yield _case("tanh_f32", tf.tanh, f(4, 8))
  yield _case("tanh_range", tf.tanh,
              np.linspace(-12, 12, 97, dtype=np.float32))
  yield _case("logistic_f32", tf.sigmoid, f(4, 8))
  # Crosses both of TFLite's cutoffs (-9 and 16.619...).
  yield _case("logistic_range", tf.sigmoid,
              np.concatenate([np.linspace(-30, 30, 121),
                              [-9.0, -8.999, 16.619047, 16.62]]
                             ).astype(np.float32))
  yield _case("floor_f32", tf.floor,
              np.array([-2.5, -1.0, -0.5, -0.0, 0.0, 0.4, 1.5, 2.5, 1e9,
                        -1e9, 8388607.5], np.float32))
  yield _case("floor_random", tf.floor, f(3, 7))


def _float16_cases(r):
  """float16 forms (hand-built: the converter keeps float16 math in
  float32). pylite matches LiteRT bit for bit over every finite half for
  these ops; a sample is recorded here."""
  from tensorflow.lite.python import schema_py_generated as schema
  B, f16 = schema.BuiltinOperator, schema.TensorType.FLOAT16
  x = (r.standard_normal(40) * 4).astype(np.float16)
  x[:6] = [0.0, -0.0, 65504.0, -65504.0, 6e-8, 2.5]
  small = np.clip(x, -11, 11)  # no infinite outputs
  for op, arr in [("sin", small), ("cos", small), ("tanh", x),
                  ("logistic", x), ("floor", x)]:
    yield _built(op + "_f16", getattr(B, op.upper()), arr, f16)
  yield _built("gelu_exact_f16", B.GELU, small, f16)
  opts = schema.GeluOptionsT()
  opts.approximate = True
  yield _built("gelu_approximate_f16", B.GELU, small, f16,
               options=(schema.BuiltinOptions.GeluOptions, opts))


def _sign_cases(r):
  x = _floats(r, 3, 4)
  x.flat[:3] = [0.0, -0.0, 1e-40]
  yield _case("sign_f32", tf.sign, x)
  yield _case("sign_f64", tf.sign,
              np.array([-2.0, -0.0, 0.0, 5e-324, 3.5], np.float64))
  yield _case("sign_i32", tf.sign,
              np.array([-2**31, -3, 0, 1, 2**31 - 1], np.int32))


def _activation_cases(r):
  f = lambda *s, scale=4.0: _floats(r, *s, scale=scale)
  edges = np.array([-np.inf, -7.0, -1.0, -0.0, 0.0, 1.0, 6.0, 6.5, np.inf],
                   np.float32)
  yield _case("relu6_f32", tf.nn.relu6, f(3, 5))
  yield _case("relu6_edges", tf.nn.relu6, edges)
  yield _case("relu_n1_to_1_f32",
              lambda x: tf.minimum(tf.maximum(x, -1.0), 1.0), f(3, 5))
  yield _case("relu_n1_to_1_edges",
              lambda x: tf.minimum(tf.maximum(x, -1.0), 1.0), edges)
  yield _case("leaky_relu_f32", lambda x: tf.nn.leaky_relu(x, 0.2), f(3, 5))
  yield _case("leaky_relu_alpha2", lambda x: tf.nn.leaky_relu(x, 2.0),
              f(3, 5))
  yield _case("leaky_relu_neg_alpha", lambda x: tf.nn.leaky_relu(x, -0.5),
              f(2, 2, 2, 2, 2))
  yield _case("hard_swish_f32", lambda x: x * tf.nn.relu6(x + 3.0) / 6.0,
              f(4, 6))
  yield _case("hard_swish_edges", lambda x: x * tf.nn.relu6(x + 3.0) / 6.0,
              np.array([-4.0, -3.0, -2.9, -0.0, 0.0, 2.9, 3.0, 4.0],
                       np.float32))
  yield _case("gelu_exact", lambda x: tf.nn.gelu(x, approximate=False),
              f(4, 8, scale=3.0))
  yield _case("gelu_approximate", lambda x: tf.nn.gelu(x, approximate=True),
              f(4, 8, scale=3.0))
  yield _case("gelu_exact_tails", lambda x: tf.nn.gelu(x, approximate=False),
              np.linspace(-12, 12, 49, dtype=np.float32))
  yield _case("gelu_approximate_tails",
              lambda x: tf.nn.gelu(x, approximate=True),
              np.linspace(-12, 12, 49, dtype=np.float32))

  # RELU_0_TO_1: the converter never emits it; a RELU_N1_TO_1 model with
  # the opcode patched.
  base = _case("relu_0_to_1_f32",
               lambda x: tf.minimum(tf.maximum(x, -1.0), 1.0), f(3, 5) / 2)

  def to_relu_0_to_1(model, schema):
    _set_opcode(model, schema, schema.BuiltinOperator.RELU_N1_TO_1,
                schema.BuiltinOperator.RELU_0_TO_1)
  yield _patched(base, "relu_0_to_1_f32", to_relu_0_to_1)
  base = _case("relu_0_to_1_edges",
               lambda x: tf.minimum(tf.maximum(x, -1.0), 1.0), edges)
  yield _patched(base, "relu_0_to_1_edges", to_relu_0_to_1)

  # LEAKY_RELU with no options: alpha reads as 0.
  base = _case("leaky_relu_no_options", lambda x: tf.nn.leaky_relu(x, 0.3),
               f(2, 5))

  def drop_options(model, schema):
    op = _only_op(model, schema.BuiltinOperator.LEAKY_RELU)
    op.builtinOptionsType = 0
    op.builtinOptions = None
  yield _patched(base, "leaky_relu_no_options", drop_options)


def _cast(name, x, dtype):
  return _case(name, lambda v: tf.cast(v, dtype), x)


def _cast_cases(r):
  big = np.array([-3.9e9, -2.2e9, -2147483648.0, -129.7, -1.5, -0.5, 0.0,
                  0.7, 127.9, 255.5, 65535.9, 2147483520.0, 3e9, 5e18,
                  -1e19, 1e20, np.inf, -np.inf], np.float32)
  f = _floats(r, 3, 4)
  ints = np.array([-2**31, -70000, -129, -1, 0, 1, 127, 128, 255, 256,
                   65535, 65536, 2**31 - 1], np.int32)
  yield _cast("cast_f32_i32", f * 100, tf.int32)
  yield _cast("cast_f32_i32_saturate", big, tf.int32)
  yield _cast("cast_f32_i64_saturate", big, tf.int64)
  yield _cast("cast_f32_u8", big, tf.uint8)
  yield _cast("cast_f32_i8", big, tf.int8)
  yield _cast("cast_f32_i16", big, tf.int16)
  yield _cast("cast_f32_u16", big, tf.uint16)
  yield _cast("cast_f32_u32", big, tf.uint32)
  yield _cast("cast_f32_bool", np.array([0.0, -0.0, 1e-45, -2.0, np.inf],
                                        np.float32), tf.bool)
  yield _cast("cast_f32_f64", f, tf.float64)
  yield _cast("cast_f32_f16",
              np.array([0.1, -3.14159, 65504.0, 65519.0, 1e-7, 6e-8, 2e-8,
                        -3e-8, 1.0009765625, 1.00048828125, 1.00146484375],
                       np.float32), tf.float16)
  yield _cast("cast_f64_f32", np.array([0.1, 1e30, -1e-300, 3.5],
                                       np.float64), tf.float32)
  yield _cast("cast_f64_i32", np.array([-1e10, -2.5, 2.9, 2147483647.5,
                                        1e10], np.float64), tf.int32)
  yield _cast("cast_f16_f32", np.array([0.5, -1e-7, 65504, 6e-8],
                                       np.float16), tf.float32)
  yield _cast("cast_f16_i32", np.array([0.5, -3.7, 65504, -np.inf],
                                       np.float16), tf.int32)
  yield _cast("cast_i32_f32", ints, tf.float32)
  yield _cast("cast_i32_u8", ints, tf.uint8)
  yield _cast("cast_i32_i8", ints, tf.int8)
  yield _cast("cast_i32_i16", ints, tf.int16)
  yield _cast("cast_i32_i64", ints, tf.int64)
  yield _cast("cast_i32_bool", ints, tf.bool)
  yield _cast("cast_i32_f16", ints, tf.float16)
  yield _cast("cast_i32_f64", ints, tf.float64)
  yield _cast("cast_i64_i32", np.array([-2**63, -2**40 - 3, -1, 2**32 + 5,
                                        2**63 - 1], np.int64), tf.int32)
  yield _cast("cast_i64_f32", np.array([-2**63, 2**53 + 1, 2**24 + 1,
                                        2**63 - 1], np.int64), tf.float32)
  yield _cast("cast_u8_f32", np.arange(0, 256, 17, dtype=np.uint8),
              tf.float32)
  yield _cast("cast_u8_i32", np.arange(0, 256, 17, dtype=np.uint8), tf.int32)
  yield _cast("cast_i8_f32", np.arange(-128, 128, 17, dtype=np.int8),
              tf.float32)
  yield _cast("cast_i16_i32", np.array([-32768, -1, 0, 32767], np.int16),
              tf.int32)
  yield _cast("cast_u16_f32", np.array([0, 1, 65535], np.uint16),
              tf.float32)
  yield _cast("cast_u32_i64", np.array([0, 1, 2**32 - 1], np.uint32),
              tf.int64)
  yield _cast("cast_bool_f32", np.array([True, False, True]), tf.float32)
  yield _cast("cast_bool_i32", np.array([[True, False], [False, True]]),
              tf.int32)
  yield _cast("cast_c64_f32", np.array([1 + 2j, -3.5 - 1j], np.complex64),
              tf.float32)
  yield _cast("cast_f32_c64", np.array([1.5, -2.0], np.float32),
              tf.complex64)
  yield _cast("cast_scalar", np.array(3.7, np.float32), tf.int32)
  # bfloat16 in the middle (the data files have no bfloat16).
  yield _case("cast_bf16_round_trip",
              lambda v: tf.cast(tf.cast(v, tf.bfloat16), tf.float32),
              np.array([0.1, -3.14159, 1e38, 3.4e38, 1.00390625,
                        1.01171875, -0.0, 1e-40], np.float32))
  # Pairs the converter does not emit, hand-built (every pair of the twelve
  # types matches LiteRT bit for bit, NaN and infinities included).
  from tensorflow.lite.python import schema_py_generated as schema
  T, cast = schema.TensorType, schema.BuiltinOperator.CAST
  specials = np.array([np.nan, np.inf, -np.inf, 9.2e18, -9.3e18, 2.0**63,
                       -2.5, 2.5, 0.0], np.float64)
  yield _built("cast_f64_i64_saturate", cast, specials, T.INT64)
  yield _built("cast_f64_u8_saturate", cast, specials, T.UINT8)
  yield _built("cast_f16_u8", cast,
               np.array([-1.5, 0.5, 255.9, 300.0, 65504, np.inf, np.nan],
                        np.float16), T.UINT8)
  yield _built("cast_c64_i32", cast,
               np.array([1 + 2j, -3.5 - 1j, 3e9 + 1j, 0j], np.complex64),
               T.INT32)
  yield _built("cast_c64_c64", cast,
               np.array([1 + 2j, -3.5 - 1j], np.complex64), T.COMPLEX64)
  yield _built("cast_bool_f16", cast, np.array([True, False, True]),
               T.FLOAT16)
  yield _built("cast_u32_f32", cast,
               np.array([0, 16777217, 2**32 - 1], np.uint32), T.FLOAT32)
  yield _built("cast_i64_f16", cast,
               np.array([-70000, -2049, 2049, 65519, 1 << 40], np.int64)[:4],
               T.FLOAT16)
  yield _built("cast_u16_i8", cast, np.array([0, 127, 128, 65535], np.uint16),
               T.INT8)
  yield _cast("cast_rank6", (f.reshape(1, 2, 1, 3, 2, 1) * 10), tf.int16)


def _dequantize_cases(r):
  # float16 weights: the converter stores the constant as float16 and
  # dequantizes it; pylite converts it once, in prepare.
  w = _floats(r, 3, 4)
  w.flat[:2] = [65504.0, 1e-6]  # the largest float16, a subnormal
  base = _case("dequantize_f16_const", lambda x: x * tf.constant(w),
               _floats(r, 2, 3, 4))
  yield _patched(base, "dequantize_f16_const", None, float16=True)
  wv = _floats(r, 5, 3)
  base = _case("dequantize_f16_matmul", lambda x: tf.matmul(x, wv),
               _floats(r, 2, 5))
  yield _patched(base, "dequantize_f16_matmul", None, float16=True)
  # Non-constant inputs, hand-built (the converter only dequantizes
  # constants).
  from tensorflow.lite.python import schema_py_generated as schema
  deq, f32 = schema.BuiltinOperator.DEQUANTIZE, schema.TensorType.FLOAT32
  yield _built("dequantize_f16_input", deq,
               np.array([[0.5, -2.0, 65504.0], [6e-8, -0.0, 1e-3]],
                        np.float16), f32)
  yield _built("dequantize_i8", deq,
               np.arange(-128, 128, 9, dtype=np.int8), f32,
               quant=([0.05], [3], 0))
  yield _built("dequantize_u8", deq,
               np.arange(0, 256, 9, dtype=np.uint8)[:28].reshape(2, 1, 14), f32,
               quant=([0.1], [128], 0))
  yield _built("dequantize_i16", deq,
               np.array([-32768, -1000, 0, 7, 32767], np.int16), f32,
               quant=([1.0 / 3.0], [0], 0))
  yield _built("dequantize_i8_per_channel", deq,
               r.integers(-128, 128, (2, 3, 4)).astype(np.int8), f32,
               quant=([0.5, 0.03, 1.7], [0, -2, 5], 1))
  yield _built("dequantize_i8_per_channel_last", deq,
               r.integers(-128, 128, (3, 4)).astype(np.int8), f32,
               quant=([0.5, 0.25, 0.125, 2.0], [1, 2, 3, 4], 1))


def _negative_cases(r):
  f = lambda *s: _floats(r, *s)
  # Output type differs from the input's.
  base = _case("abs_type_mismatch", tf.abs, f(2, 3))

  def out_i32(model, schema):
    op = _only_op(model, schema.BuiltinOperator.ABS)
    model.subgraphs[0].tensors[op.outputs[0]].type = schema.TensorType.INT32
  yield _patched(base, "abs_type_mismatch", out_i32,
                 expect_error="ABS input type FLOAT32 does not match output "
                 "type INT32")
  # SIN on int32: not a type SIN takes.
  base = _case("sin_int32", tf.sin, f(2, 3))

  def to_i32(model, schema):
    _set_types(model, schema.TensorType.INT32)
  yield _patched(base, "sin_int32", to_i32,
                 inputs={"x": np.arange(6, dtype=np.int32).reshape(2, 3)},
                 expect_error="SIN does not support type INT32")
  # Quantized TANH with the patched parameters (more in qunary.py).
  base = _case("tanh_int8", tf.tanh, f(2, 3))

  def to_i8(model, schema):
    _set_types(model, schema.TensorType.INT8, quant=(0.05, 0))
  yield _patched(base, "tanh_int8", to_i8,
                 inputs={"x": np.arange(6, dtype=np.int8).reshape(2, 3)})
  # Two inputs to a unary op.
  base = _case("exp_two_inputs", tf.exp, f(2, 3))

  def two_inputs(model, schema):
    op = _only_op(model, schema.BuiltinOperator.EXP)
    op.inputs = [op.inputs[0], op.inputs[0]]
  yield _patched(base, "exp_two_inputs", two_inputs,
                 expect_error="EXP takes 1 input and 1 output, got 2 and 1")
  # CAST to a packed int4 output.
  base = _cast("cast_to_int4", f(2, 4), tf.int32)

  def out_int4(model, schema):
    op = _only_op(model, schema.BuiltinOperator.CAST)
    model.subgraphs[0].tensors[op.outputs[0]].type = schema.TensorType.INT4
  yield _patched(base, "cast_to_int4", out_int4,
                 expect_error="CAST from FLOAT32 to INT4 is not supported")
  # DEQUANTIZE of int8 without quantization parameters, and to int32.
  from tensorflow.lite.python import schema_py_generated as schema
  deq = schema.BuiltinOperator.DEQUANTIZE
  yield _built("dequantize_no_params", deq,
               np.arange(4, dtype=np.int8), schema.TensorType.FLOAT32,
               expect_error="has no affine quantization parameters")
  yield _built("dequantize_to_int32", deq,
               np.arange(4, dtype=np.float16), schema.TensorType.INT32,
               expect_error="DEQUANTIZE output must be float32, got INT32")
  # An output shape other than the input's is inferred, not an error: the
  # model says [7] but the op writes [2, 3].
  yield _built("neg_output_shape_inferred", schema.BuiltinOperator.NEG,
               np.arange(6, dtype=np.float32).reshape(2, 3),
               schema.TensorType.FLOAT32, out_shape=[7])


def _builtin_only_cases(r):
  """ELU, ROUND and CEIL: LiteRT's reference resolver does not register
  them, so their expected outputs come from LiteRT's builtin kernels without
  XNNPACK."""
  why = "BUILTIN_REF lacks this op; recorded from LiteRT's builtin kernels"
  special = np.array([-np.inf, -2.5, -1.5, -0.5, -0.0, 0.0, 0.5, 1.5, 2.5,
                      3.49, np.inf, np.nan], np.float32)
  x = _floats(r, 3, 7, scale=4.0)
  for name, fn in (("elu", tf.nn.elu), ("round", tf.round),
                   ("ceil", tf.math.ceil)):
    for suffix, data in (("f32", x), ("edges", special)):
      case = _case("%s_%s" % (name, suffix), fn, data, reason=why)
      case.resolver = "BUILTIN_WITHOUT_DEFAULT_DELEGATES"
      yield case


def cases():
  yield from _builtin_only_cases(rng(31))
  r = rng(3)
  yield from _elementwise_cases(r)
  yield from _sign_cases(r)
  yield from _float16_cases(r)
  yield from _activation_cases(r)
  yield from _cast_cases(r)
  yield from _dequantize_cases(r)
  yield from _negative_cases(r)
