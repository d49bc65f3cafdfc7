"""Quantized matrix products: FULLY_CONNECTED (int8 per tensor and per
channel, uint8, 16x8, dynamic-range hybrid, float16 weights), BATCH_MATMUL
(int8, int16, hybrid), hybrid EMBEDDING_LOOKUP and DENSIFY of sparse
weights; converter-made models plus hand-built ones for the forms the
converter never emits and for bad quantization or sparsity parameters."""
import numpy as np
import tensorflow as tf

from conformance.cases import Case, SingleOpModel, qparams, rng

G = "qmatmul/"
# Hybrid kernels quantize float activations on the fly: the result differs
# from a float product, but LiteRT's reference is the same computation; only
# float rounding order (its SIMD tensor utils) may differ.
HYBRID = dict(tolerance=1e-4,
              reason="hybrid: int32 products scaled in float; LiteRT's "
                     "tensor utils may round the float steps in another "
                     "order")


def _schema():
  from tensorflow.lite.python import schema_py_generated as schema
  return schema


def _spec(a):
  return tf.TensorSpec(a.shape, tf.as_dtype(a.dtype))


def _fn(body, **inputs):
  names = list(inputs)
  specs = [_spec(inputs[n]) for n in names]
  src = "def f(%s):\n  return body(%s)\n" % (", ".join(names), ", ".join(
      "%s=%s" % (n, n) for n in names))
  scope = {"body": body}
  exec(src, scope)  # argument names become the signature's input names
  return tf.function(scope["f"], input_signature=specs)


def _case(name, body, quantize=None, **inputs):
  return Case(name=G + name, fn=_fn(body, **inputs), inputs=dict(inputs),
              quantize=quantize)


def _dense_model(in_shape, units, act=None, seed=0, use_bias=True):
  tf.keras.utils.set_random_seed(seed)
  inp = tf.keras.Input(in_shape[1:], batch_size=in_shape[0], name="x")
  out = tf.keras.layers.Dense(units, activation=act, use_bias=use_bias,
                              bias_initializer="glorot_uniform")(inp)
  return tf.keras.Model(inp, out)


# ---- FULLY_CONNECTED, converter-made ---------------------------------------

def _fc_converter_cases(r):
  f = lambda *s: r.standard_normal(s).astype(np.float32)
  # Integer-io and float-io modes (QUANTIZE/DEQUANTIZE at the edges).
  for mode in ("int8_io", "16x8_io", "int8", "uint8_io", "16x8"):
    c = Case(name=G + "fc_dense_relu_" + mode,
             fn=_dense_model((3, 20), 12, act="relu", seed=1),
             inputs={"x": f(3, 20)}, quantize=mode)
    yield c
  # keep_num_dims: Dense on a rank-3 input.
  yield Case(name=G + "fc_dense_rank3_int8_io",
             fn=_dense_model((2, 3, 10), 7, seed=2),
             inputs={"x": f(2, 3, 10)}, quantize="int8_io")
  w, b = f(24, 9), f(9)
  yield _case("fc_matmul_bias_relu6_int8_io",
              lambda x: tf.nn.relu6(tf.matmul(x, w) + b), "int8_io",
              x=3 * f(5, 24))
  yield _case("fc_matmul_nobias_16x8_io", lambda x: tf.matmul(x, w),
              "16x8_io", x=f(4, 24))
  # Dynamic range: the converter quantizes weights of >= 1024 elements.
  wd, bd = f(48, 40), f(40)
  yield Case(**{**_case("fc_dynamic", lambda x: tf.matmul(x, wd) + bd,
                        "dynamic", x=f(3, 48)).__dict__, **HYBRID})
  yield Case(name=G + "fc_dynamic_keras_tanh",
             fn=_dense_model((2, 64), 32, act="tanh", seed=3),
             inputs={"x": f(2, 64)}, quantize="dynamic", **HYBRID)
  yield Case(name=G + "fc_float16", fn=_dense_model((2, 20), 6, seed=4),
             inputs={"x": f(2, 20)}, quantize="float16")


# ---- FULLY_CONNECTED, hand-built -------------------------------------------

def _fc_model(name, x, w, b, qx, qw, qb, qy, in_t, w_t, y_t, bias_t=None,
              act=0, options=None, expect_error=None, keep=False, **kw):
  """A FULLY_CONNECTED model; q*: (scale, zero_point[, dim]) or None."""
  s = _schema()
  T = s.TensorType
  m = SingleOpModel(s, "FULLY_CONNECTED")
  q = lambda p: qparams(s, *p) if p is not None else None
  xi = m.tensor("x", x.shape, getattr(T, in_t), quantization=q(qx))
  wi = m.tensor("w", w.shape, getattr(T, w_t), data=w, quantization=q(qw))
  bi = -1
  if b is not None:
    bi = m.tensor("b", b.shape, getattr(T, bias_t), data=b,
                  quantization=q(qb))
  yshape = list(x.shape[:-1]) + [w.shape[0]] if keep else \
      [x.size // w.shape[1], w.shape[0]]
  yi = m.tensor("y", yshape, getattr(T, y_t), quantization=q(qy))
  opts = {"fusedActivationFunction": act, "keepNumDims": keep}
  opts.update(options or {})
  model = m.finish([xi, wi, bi], [yi], [("x", xi)], [("y", yi)],
                   ("FullyConnectedOptions", opts))
  return Case(name=G + name, model_bytes=model, inputs={"x": x},
              expect_error=expect_error, **kw)


def _fc_hand_cases(r):
  i8 = lambda *s: r.integers(-128, 128, s).astype(np.int8)
  u8 = lambda *s: r.integers(0, 256, s).astype(np.uint8)
  i32 = lambda n, a: r.integers(-a, a, n).astype(np.int32)
  # int8 per channel, odd shapes, non-zero input zero point, RELU6.
  K, N = 37, 13
  ws = (r.uniform(0.002, 0.02, N)).astype(np.float32)
  yield _fc_model("fc_int8_per_channel_relu6", i8(5, K), i8(N, K),
                  i32(N, 4000), (0.05, 7), (ws, [0] * N, 0), (0.05 * ws, [0] * N, 0),
                  (0.04, -3), "INT8", "INT8", "INT8", "INT32", act=3)
  # int8 per tensor with a weights zero point, keep_num_dims, RELU_N1_TO_1.
  yield _fc_model("fc_int8_weight_zp_keep_dims", i8(2, 3, K), i8(N, K),
                  i32(N, 3000), (0.03, -11), (0.01, 5), (0.0003, 0),
                  (0.008, 2), "INT8", "INT8", "INT8", "INT32", act=2,
                  keep=True)
  # Saturation: a tiny output scale drives every output to the limits.
  yield _fc_model("fc_int8_saturate", i8(3, 16), i8(4, 16), None,
                  (0.5, 0), (0.5, 0), None, (0.001, 10), "INT8", "INT8",
                  "INT8")
  # A product beyond int32 after scaling (LiteRT's conversion quirk).
  yield _fc_model("fc_int8_scale_overflow", i8(2, 64), i8(3, 64), None,
                  (1.0, 0), (1.0, 0), None, (1e-6, 0), "INT8", "INT8",
                  "INT8")
  # uint8, legacy asymmetric, RELU.
  yield _fc_model("fc_uint8_relu", u8(4, 21), u8(6, 21), i32(6, 2000),
                  (0.02, 120), (0.015, 131), (0.0003, 0), (0.05, 100),
                  "UINT8", "UINT8", "UINT8", "INT32", act=1)
  yield _fc_model("fc_uint8_nobias", u8(1, 8), u8(3, 8), None,
                  (0.1, 3), (0.2, 250), None, (0.3, 255), "UINT8", "UINT8",
                  "UINT8")
  # 16x8: int64 and int32 biases, per channel.
  i16 = lambda *s: r.integers(-32768, 32768, s).astype(np.int16)
  ws16 = r.uniform(0.001, 0.01, 5).astype(np.float32)
  yield _fc_model("fc_16x8_per_channel_int64_bias", i16(3, 19), i8(5, 19),
                  r.integers(-10**7, 10**7, 5).astype(np.int64),
                  (0.0005, 0), (ws16, [0] * 5, 0), (0.0005 * ws16, [0] * 5, 0),
                  (0.002, 0), "INT16", "INT8", "INT16", "INT64", act=1)
  yield _fc_model("fc_16x8_int32_bias", i16(2, 11), i8(4, 11),
                  i32(4, 10**6), (0.0004, 0), (0.01, 0), (0.000004, 0),
                  (0.001, 0), "INT16", "INT8", "INT16", "INT32",
                  options={"quantizedBiasType": 2})
  # Hybrid: symmetric per tensor and asymmetric per channel.
  f = lambda *s: r.standard_normal(s).astype(np.float32)
  # Hybrid weights in [-127, 127], as the converter writes them: LiteRT's
  # x86 hybrid kernel negates weights for its int8 products, which wraps
  # for -128.
  i8 = lambda *s: r.integers(-127, 128, s).astype(np.int8)
  x = f(3, 33)
  x[1] = 0  # an all-zero row
  yield _fc_model("fc_hybrid_symmetric", x, i8(8, 33), f(8), None,
                  (0.02, 0), None, None, "FLOAT32", "INT8", "FLOAT32",
                  "FLOAT32", act=1, **HYBRID)
  yield _fc_model("fc_hybrid_asymmetric_per_channel", 2 * f(4, 33) + 1,
                  i8(8, 33), f(8), None,
                  (r.uniform(0.01, 0.03, 8).astype(np.float32), [0] * 8, 0),
                  None, None, "FLOAT32", "INT8", "FLOAT32", "FLOAT32",
                  act=4, options={"asymmetricQuantizeInputs": True},
                  **HYBRID)
  yield _fc_model("fc_hybrid_zero_input_sign_bit", np.zeros((2, 5),
                  np.float32), i8(3, 5), -f(3), None, (0.1, 0), None, None,
                  "FLOAT32", "INT8", "FLOAT32", "FLOAT32", act=5, **HYBRID)

  # Negative cases: bad parameters give a clear error at prepare.
  base = dict(x=i8(2, 8), w=i8(3, 8), b=None, qb=None, in_t="INT8",
              w_t="INT8", y_t="INT8")
  yield _fc_model("fc_bad_no_weight_params", qx=(0.1, 0), qw=None,
                  qy=(0.1, 0), expect_error="no quantization parameters",
                  **base)
  yield _fc_model("fc_bad_zero_scale", qx=(0.0, 0), qw=(0.1, 0),
                  qy=(0.1, 0), expect_error="scales must be finite",
                  **base)
  yield _fc_model("fc_bad_channel_count", qx=(0.1, 0),
                  qw=([0.1] * 8, [0] * 8, 1), qy=(0.1, 0),
                  expect_error="per-channel scales", **base)
  yield _fc_model("fc_bad_zero_point_range", qx=(0.1, 200), qw=(0.1, 0),
                  qy=(0.1, 0), expect_error="outside the range", **base)
  yield _fc_model("fc_bad_per_channel_zero_point", qx=(0.1, 0),
                  qw=([0.1, 0.2, 0.3], [0, 1, 0], 0), qy=(0.1, 0),
                  expect_error="must be 0", **base)
  yield _fc_model("fc_bad_bias_scale", i8(2, 8), i8(3, 8), i32(3, 10),
                  (0.1, 0), (0.1, 0), (0.5, 0), (0.1, 0), "INT8", "INT8",
                  "INT8", "INT32", expect_error="bias 'b' scale")
  yield _fc_model("fc_bad_16x8_input_zero_point",
                  r.integers(-100, 100, (2, 8)).astype(np.int16), i8(3, 8),
                  None, (0.1, 4), (0.1, 0), None, (0.1, 0), "INT16", "INT8",
                  "INT16", expect_error="must be 0")
  yield _fc_model("fc_bad_mixed_types", i8(2, 8), u8(3, 8), None, (0.1, 0),
                  (0.1, 0), None, (0.1, 0), "INT8", "UINT8", "INT8",
                  expect_error="not supported")
  yield _fc_model("fc_bad_int8_tanh", qx=(0.1, 0), qw=(0.1, 0),
                  qy=(0.1, 0), act=4, expect_error="fused activations",
                  **base)


# ---- DENSIFY ------------------------------------------------------------------

def _sparse_convert(w, mode, seed):
  """A matmul by the constant w (mostly zeros) converted with
  EXPERIMENTAL_SPARSITY: the converter stores w sparse behind DENSIFY."""
  wv = tf.constant(w)
  fn = tf.function(lambda x: tf.matmul(x, wv),
                   input_signature=[tf.TensorSpec([2, w.shape[0]],
                                                  tf.float32)])
  owner = tf.Module()
  owner.fn = fn
  c = tf.lite.TFLiteConverter.from_concrete_functions(
      [fn.get_concrete_function()], owner)
  c.optimizations = [tf.lite.Optimize.EXPERIMENTAL_SPARSITY]
  if mode != "float":
    c.optimizations.append(tf.lite.Optimize.DEFAULT)
  if mode == "int8":
    r = rng(seed)
    c.representative_dataset = lambda: (
        {"x": r.standard_normal((2, w.shape[0])).astype(np.float32)}
        for _ in range(16))
    c.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    c.inference_input_type = tf.int8
    c.inference_output_type = tf.int8
  return c.convert()


def _quantized_inputs(model, inputs):
  """Float inputs quantized with the model's input parameters."""
  from ai_edge_litert import interpreter as litert
  details = litert.Interpreter(model_content=model).get_signature_runner(
  ).get_input_details()
  out = {}
  for name, value in inputs.items():
    scale, zero = details[name]["quantization"]
    dtype = details[name]["dtype"]
    if np.issubdtype(dtype, np.integer) and scale:
      info = np.iinfo(dtype)
      value = np.clip(np.round(value / scale) + zero, info.min,
                      info.max).astype(dtype)
    out[name] = value
  return out


def _densify_model(name, shape, values, value_t, order, block_map, levels,
                   expect_error=None, constant=True):
  """A DENSIFY model; levels: [(format, dense_size, segments, indices,
  index vector name)]."""
  s = _schema()
  m = SingleOpModel(s, "DENSIFY")
  xi = m.tensor("w", shape, getattr(s.TensorType, value_t),
                data=values if constant else None)
  sp = s.SparsityParametersT()
  sp.traversalOrder = list(order)
  sp.blockMap = list(block_map)
  sp.dimMetadata = []
  for fmt, size, seg, idx, vec in levels:
    d = s.DimensionMetadataT()
    d.format = fmt
    d.denseSize = size
    if seg is not None:
      for attr, arr in (("arraySegments", seg), ("arrayIndices", idx)):
        v = getattr(s, vec + "T")()
        v.values = list(arr)
        setattr(d, attr, v)
        setattr(d, attr + "Type", getattr(s.SparseIndexVector, vec))
    sp.dimMetadata.append(d)
  m.sg.tensors[xi].sparsity = sp
  yi = m.tensor("y", shape, getattr(s.TensorType, value_t))
  sig_in = [] if constant else [("w", xi)]
  model = m.finish([xi], [yi], sig_in, [("y", yi)])
  return Case(name=G + name, model_bytes=model, inputs={},
              expect_error=expect_error)


def _densify_cases(r):
  f = lambda *s: r.standard_normal(s).astype(np.float32)
  w = f(32, 16)
  w[r.random(w.shape) < 0.85] = 0
  x = f(2, 32)
  for mode in ("float", "dynamic", "int8"):
    model = _sparse_convert(w, mode, 5)
    yield Case(name=G + "densify_fc_" + mode, model_bytes=model,
               inputs=_quantized_inputs(model, {"x": x}))
  # Block sparse 1x4 along the depth of the [units, depth] weights.
  wb = f(32, 16)
  for n in range(16):
    for k in range(8):
      if r.random() < 0.7:
        wb[4 * k:4 * k + 4, n] = 0
  # The converter keeps 1x4 block-sparse float weights in FULLY_CONNECTED
  # itself (no DENSIFY): pylite expands them at prepare.
  yield Case(name=G + "sparse_fc_block_float",
             model_bytes=_sparse_convert(wb, "float", 6), inputs={"x": x})
  model = _sparse_convert(wb, "int8", 7)
  yield Case(name=G + "densify_fc_block_int8", model_bytes=model,
             inputs=_quantized_inputs(model, {"x": x}))
  # 1x16 blocks: int8 weights stay sparse in FULLY_CONNECTED too.
  w16 = f(64, 8)
  for n in range(8):
    for k in range(4):
      if r.random() < 0.6:
        w16[16 * k:16 * k + 16, n] = 0
  x64 = f(2, 64)
  for mode in ("int8", "float"):
    model = _sparse_convert(w16, mode, 8)
    yield Case(name=G + "sparse_fc_block16_" + mode, model_bytes=model,
               inputs=_quantized_inputs(model, {"x": x64}))
  # Hand-built: a 4x6 CSR matrix in column-major traversal, uint16 indices.
  DENSE, CSR = 0, 1
  vals = np.arange(1, 8, dtype=np.float32)
  yield _densify_model("densify_csr_col_major_f32", [4, 6], vals,
                       "FLOAT32", [1, 0], [],
                       [(DENSE, 6, None, None, None),
                        (CSR, 0, [0, 1, 1, 3, 4, 6, 7], [2, 0, 3, 1, 0, 2,
                                                        3], "Uint16Vector")])
  # Block sparse 2x2 blocks of a 4x4 float16 matrix (block_map [0, 1]).
  v16 = np.arange(1, 9, dtype=np.float16)
  yield _densify_model("densify_block2x2_f16", [4, 4], v16, "FLOAT16",
                       [0, 1, 2, 3], [0, 1],
                       [(DENSE, 2, None, None, None),
                        (CSR, 0, [0, 1, 2], [1, 0], "Int32Vector"),
                        (DENSE, 2, None, None, None),
                        (DENSE, 2, None, None, None)])
  v8 = np.array([5, -7, 127, -128], np.int8)
  yield _densify_model("densify_csr_int8_uint8_index", [3, 5], v8, "INT8",
                       [0, 1], [],
                       [(DENSE, 3, None, None, None),
                        (CSR, 0, [0, 2, 2, 4], [0, 4, 1, 3], "Uint8Vector")])
  # Negative: forms DENSIFY rejects at prepare.
  yield _densify_model("densify_bad_type", [3, 5], np.arange(4, dtype=np.int32),
                       "INT32", [0, 1], [],
                       [(DENSE, 3, None, None, None),
                        (CSR, 0, [0, 2, 2, 4], [0, 4, 1, 3],
                         "Uint8Vector")],
                       expect_error="supported types")
  # Metadata that does not describe the buffer (indices out of range, a
  # value count that is not the buffer's, dense sizes off the shape) is
  # rejected by the model reader when the model is loaded.


# ---- BATCH_MATMUL -----------------------------------------------------------------

def _bmm_model(name, a, b, qa, qb, qy, a_t, b_t, y_t, yshape, adj_x=False,
               adj_y=False, asym=False, const_b=False, expect_error=None,
               **kw):
  s = _schema()
  T = s.TensorType
  m = SingleOpModel(s, "BATCH_MATMUL")
  q = lambda p: qparams(s, *p) if p is not None else None
  ai = m.tensor("a", a.shape, getattr(T, a_t), quantization=q(qa))
  bi = m.tensor("b", b.shape, getattr(T, b_t), data=b if const_b else None,
                quantization=q(qb))
  yi = m.tensor("y", yshape, getattr(T, y_t), quantization=q(qy))
  sig = [("a", ai)] + ([] if const_b else [("b", bi)])
  model = m.finish([ai, bi], [yi], sig, [("y", yi)],
                   ("BatchMatMulOptions", {"adjX": adj_x, "adjY": adj_y,
                                           "asymmetricQuantizeInputs": asym}))
  inputs = {"a": a} if const_b else {"a": a, "b": b}
  return Case(name=G + name, model_bytes=model, inputs=inputs,
              expect_error=expect_error, **kw)


def _bmm_cases(r):
  f = lambda *s: r.standard_normal(s).astype(np.float32)
  i8 = lambda *s: r.integers(-128, 128, s).astype(np.int8)
  i16 = lambda *s: r.integers(-32768, 32768, s).astype(np.int16)
  # Converter-made: two variable operands, integer io.
  mm = lambda a, b: tf.matmul(a, b)
  yield _case("bmm_int8_io", mm, "int8_io", a=f(2, 3, 5), b=f(2, 5, 4))
  yield _case("bmm_16x8_io", mm, "16x8_io", a=f(2, 3, 6), b=f(2, 6, 2))
  yield _case("bmm_adj_broadcast_int8_io",
              lambda a, b: tf.matmul(a, b, adjoint_a=True, adjoint_b=True),
              "int8_io", a=f(3, 1, 7, 4), b=f(2, 5, 7))
  # Dynamic range: a constant rank-3 rhs of >= 1024 elements.
  wc = f(2, 32, 24)
  yield Case(**{**_case("bmm_dynamic", lambda a: tf.matmul(a, wc),
                        "dynamic", a=f(2, 3, 32)).__dict__, **HYBRID})
  # Hand-built.
  yield _bmm_model("bmm_int8_adj_broadcast", i8(2, 1, 6, 3), i8(3, 4, 6),
                   (0.05, 3), (0.04, -2), (0.3, 1), "INT8", "INT8", "INT8",
                   [2, 3, 3, 4], adj_x=True, adj_y=True)
  yield _bmm_model("bmm_int8_saturate", i8(1, 4, 9), i8(1, 9, 5),
                   (0.5, 0), (0.5, 0), (0.01, 0), "INT8", "INT8", "INT8",
                   [1, 4, 5])
  yield _bmm_model("bmm_int8_to_int32", i8(2, 3, 5), i8(2, 5, 4),
                   (0.05, 3), (0.04, -2), None, "INT8", "INT8", "INT32",
                   [2, 3, 4])
  yield _bmm_model("bmm_int16", i16(2, 3, 5), i16(5, 4), (0.001, 0),
                   (0.002, 0), (0.5, 0), "INT16", "INT16", "INT16",
                   [2, 3, 4], adj_y=False)
  yield _bmm_model("bmm_int16_int8_adj_y", i16(3, 5), i8(2, 4, 5),
                   (0.001, 0), (0.02, 0), (0.05, 0), "INT16", "INT8",
                   "INT16", [2, 3, 4], adj_y=True)
  w8 = r.integers(-127, 128, (2, 16, 6)).astype(np.int8)
  yield _bmm_model("bmm_hybrid_symmetric", f(2, 3, 16), w8, None,
                   (0.02, 0), None, "FLOAT32", "INT8", "FLOAT32", [2, 3, 6],
                   const_b=True, **HYBRID)
  yield _bmm_model("bmm_hybrid_asym_per_channel_adj", 2 * f(1, 16, 3) + 1,
                   r.integers(-127, 128, (6, 16)).astype(np.int8), None,
                   (r.uniform(0.01, 0.03, 6).astype(np.float32), [0] * 6, 0),
                   None, "FLOAT32", "INT8", "FLOAT32", [1, 3, 6],
                   adj_x=True, adj_y=True, asym=True, const_b=True, **HYBRID)
  yield _bmm_model("bmm_bad_per_channel_int8", i8(2, 3), i8(3, 2), (0.1, 0),
                   ([0.1, 0.2], [0, 0], 1), (0.1, 0), "INT8", "INT8", "INT8",
                   [2, 2], expect_error="per tensor")
  yield _bmm_model("bmm_bad_int16_zero_point", i16(2, 3), i16(3, 2),
                   (0.1, 5), (0.1, 0), (0.1, 0), "INT16", "INT16", "INT16",
                   [2, 2], expect_error="must be 0")
  yield _bmm_model("bmm_bad_missing_params", i8(2, 3), i8(3, 2), (0.1, 0),
                   None, (0.1, 0), "INT8", "INT8", "INT8", [2, 2],
                   expect_error="no quantization parameters")


# ---- EMBEDDING_LOOKUP hybrid ----------------------------------------------------

def _embedding_model(name, table, value_t, q, ids, expect_error=None):
  s = _schema()
  m = SingleOpModel(s, "EMBEDDING_LOOKUP")
  li = m.tensor("ids", ids.shape, s.TensorType.INT32)
  vi = m.tensor("table", table.shape, getattr(s.TensorType, value_t),
                data=table, quantization=qparams(s, *q))
  yi = m.tensor("y", [len(ids)] + list(table.shape[1:]), s.TensorType.FLOAT32)
  model = m.finish([li, vi], [yi], [("ids", li)], [("y", yi)])
  return Case(name=G + name, model_bytes=model, inputs={"ids": ids},
              expect_error=expect_error)


def _embedding_cases(r):
  t8 = r.integers(-128, 128, (6, 3, 2)).astype(np.int8)
  ids = np.array([5, 0, 2, 2], np.int32)
  yield _embedding_model("embedding_hybrid_int8", t8, "INT8", (0.05, 0), ids)
  yield _embedding_model("embedding_hybrid_per_row", t8, "INT8",
                         (r.uniform(0.01, 1, 6).astype(np.float32), [0] * 6,
                          0), ids)
  tu = r.integers(0, 256, (4, 5)).astype(np.uint8)
  yield _embedding_model("embedding_hybrid_uint8", tu, "UINT8", (0.1, 0),
                         np.array([3, 1], np.int32))
  yield _embedding_model("embedding_bad_zero_point", t8, "INT8", (0.05, 3),
                         ids, expect_error="must be 0")


def cases():
  yield from _fc_converter_cases(rng(401))
  yield from _fc_hand_cases(rng(402))
  yield from _densify_cases(rng(403))
  yield from _embedding_cases(rng(404))
  yield from _bmm_cases(rng(405))
