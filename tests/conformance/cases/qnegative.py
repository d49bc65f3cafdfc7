"""Quantized models with bad quantization or sparsity parameters: each must
be refused with a clear error (at load or at allocate), never run or crash.

Two kinds of models:
- single operators built by hand (SingleOpModel + qparams), one bad field
  each, on the ops whose quantized kernels check their parameters at
  prepare (ADD, CONV_2D, FULLY_CONNECTED, QUANTIZE, DEQUANTIZE);
- a small converter-made int8 network (CONV_2D, FULLY_CONNECTED, DENSIFY for
  its pruned, sparse-stored weights) with one field patched.

The expected messages are pylite's own: the model reader (capi/core/model.c)
refuses what no operator could use (a quantized_dimension outside the
shape, a per-channel scale count that is not the size of that dimension,
unequal scale and zero point counts, sparsity metadata that does not
describe its buffer), and the kernels' shared check (pl_q_check in
capi/kernels/internal/quant.c) the rest, naming the operator and tensor.
LiteRT's own outcome is recorded beside each case (litert_outcome); LiteRT
runs several of these models without complaint.
"""
import numpy as np
import tensorflow as tf

from conformance.cases import Case, SingleOpModel, qparams, rng

NO_PARAMS = "has no quantization parameters"
BAD_SCALE = "scales must be finite and greater than zero"
OUT_OF_RANGE = "outside the range"
SYMMETRIC = "it must be 0 (symmetric quantization)"
PER_TENSOR = "must be quantized per tensor"
WRONG_AXIS = "per-channel scales along dimension"


def _schema():
  from tensorflow.lite.python import schema_py_generated as schema
  return schema


def _case(name, model_bytes, inputs, expect_error):
  return Case(name="qnegative/" + name, model_bytes=model_bytes,
              inputs=inputs, expect_error=expect_error)


# Hand-built single operators. Every builder takes the quantization of each
# tensor (None: no parameters) so one case changes one of them.

INT8 = {"type": "INT8", "np": np.int8}
UINT8 = {"type": "UINT8", "np": np.uint8}
INT16 = {"type": "INT16", "np": np.int16}


def _add(dt, qx, qy, qout):
  """ADD of two [1, 6] tensors of type dt."""
  s = _schema()
  ty = getattr(s.TensorType, dt["type"])
  m = SingleOpModel(s, "ADD")
  x = m.tensor("x", [1, 6], ty, quantization=qx)
  y = m.tensor("y", [1, 6], ty, quantization=qy)
  out = m.tensor("sum", [1, 6], ty, quantization=qout)
  model = m.finish([x, y], [out], [("x", x), ("y", y)], [("sum", out)],
                   ("AddOptions", {"fusedActivationFunction": 0}))
  r = rng(7)
  info = np.iinfo(dt["np"])
  inputs = {k: r.integers(max(info.min, -100), min(info.max, 100),
                          (1, 6)).astype(dt["np"]) for k in ("x", "y")}
  return model, inputs


def _conv(q_input, q_filter, q_bias, q_out, in_type=INT8, bias_np=np.int32):
  """CONV_2D, 1x1 filter: input [1, 3, 3, 2], filter [4, 1, 1, 2], bias [4],
  output [1, 3, 3, 4]."""
  s = _schema()
  r = rng(8)
  ty = getattr(s.TensorType, in_type["type"])
  bias_type = s.TensorType.INT64 if bias_np == np.int64 else s.TensorType.INT32
  m = SingleOpModel(s, "CONV_2D")
  x = m.tensor("x", [1, 3, 3, 2], ty, quantization=q_input)
  w = m.tensor("filter", [4, 1, 1, 2], s.TensorType.INT8,
               data=r.integers(-127, 128, (4, 1, 1, 2)).astype(np.int8),
               quantization=q_filter)
  b = m.tensor("bias", [4], bias_type,
               data=r.integers(-50, 50, 4).astype(bias_np), quantization=q_bias)
  out = m.tensor("y", [1, 3, 3, 4], ty, quantization=q_out)
  model = m.finish([x, w, b], [out], [("x", x)], [("y", out)],
                   ("Conv2DOptions", {"padding": s.Padding.VALID,
                                      "strideW": 1, "strideH": 1,
                                      "dilationWFactor": 1,
                                      "dilationHFactor": 1,
                                      "fusedActivationFunction": 0}))
  info = np.iinfo(in_type["np"])
  inputs = {"x": r.integers(max(info.min, -100), min(info.max, 100),
                            (1, 3, 3, 2)).astype(in_type["np"])}
  return model, inputs


def _fc(q_input, q_weights, q_bias, q_out):
  """FULLY_CONNECTED: input [1, 5], weights [3, 5], bias [3], output
  [1, 3]."""
  s = _schema()
  r = rng(9)
  m = SingleOpModel(s, "FULLY_CONNECTED")
  x = m.tensor("x", [1, 5], s.TensorType.INT8, quantization=q_input)
  w = m.tensor("weights", [3, 5], s.TensorType.INT8,
               data=r.integers(-127, 128, (3, 5)).astype(np.int8),
               quantization=q_weights)
  b = m.tensor("bias", [3], s.TensorType.INT32,
               data=r.integers(-50, 50, 3).astype(np.int32),
               quantization=q_bias)
  out = m.tensor("y", [1, 3], s.TensorType.INT8, quantization=q_out)
  model = m.finish([x, w, b], [out], [("x", x)], [("y", out)],
                   ("FullyConnectedOptions", {"fusedActivationFunction": 0}))
  return model, {"x": r.integers(-100, 100, (1, 5)).astype(np.int8)}


def _quantize(q_out, out_type=INT8):
  """QUANTIZE float32 [6] -> out_type."""
  s = _schema()
  m = SingleOpModel(s, "QUANTIZE")
  x = m.tensor("x", [6], s.TensorType.FLOAT32)
  out = m.tensor("q", [6], getattr(s.TensorType, out_type["type"]),
                 quantization=q_out)
  model = m.finish([x], [out], [("x", x)], [("q", out)])
  return model, {"x": rng(10).uniform(-1, 1, 6).astype(np.float32)}


def _dequantize(q_in, in_type=INT8):
  """DEQUANTIZE in_type [6] -> float32."""
  s = _schema()
  m = SingleOpModel(s, "DEQUANTIZE")
  x = m.tensor("x", [6], getattr(s.TensorType, in_type["type"]),
               quantization=q_in)
  out = m.tensor("y", [6], s.TensorType.FLOAT32)
  model = m.finish([x], [out], [("x", x)], [("y", out)])
  info = np.iinfo(in_type["np"])
  return model, {"x": rng(11).integers(max(info.min, -100),
                                       min(info.max, 100),
                                       6).astype(in_type["np"])}


def _hand_made():
  s = _schema()

  def q(scale, zero=0, dim=0):
    return qparams(s, scale, zero, dim)

  act = q(0.05, 3)
  filt = q([0.01, 0.02, 0.015, 0.03], [0, 0, 0, 0], 0)
  bias = q([0.05 * v for v in (0.01, 0.02, 0.015, 0.03)], [0] * 4, 0)

  # Missing parameters on an int8 activation.
  yield "add_int8_input_no_params", _add(INT8, None, act, act), NO_PARAMS
  yield "add_int8_output_no_params", _add(INT8, act, act, None), NO_PARAMS
  yield "conv_int8_input_no_params", _conv(None, filt, bias, act), NO_PARAMS
  yield ("conv_int8_filter_no_params", _conv(act, None, bias, act),
         NO_PARAMS)
  yield "fc_int8_output_no_params", _fc(act, q(0.01), q(0.0005), None), \
      NO_PARAMS
  # (DEQUANTIZE words it "has no affine quantization parameters".)
  yield "dequantize_int8_no_params", _dequantize(None), \
      "quantization parameters"
  yield "quantize_int8_no_params", _quantize(None), NO_PARAMS
  # An empty scale list reads as no parameters too.
  empty = s.QuantizationParametersT()
  empty.scale, empty.zeroPoint = [], []
  yield "add_int8_empty_scales", _add(INT8, act, empty, act), NO_PARAMS

  # Per-channel counts and axes. The reader refuses a scale count that is
  # not the size of the quantized dimension, and a dimension outside the
  # shape; the kernels refuse per-channel scales on the wrong axis (for
  # CONV_2D filters the output channels, dimension 0) or on an activation.
  yield ("conv_filter_scale_count",
         _conv(act, q([0.01, 0.02, 0.03], [0] * 3, 0), bias, act),
         "quantization has 3 scales; expected 1 or the size of dimension 0")
  yield ("conv_filter_quantized_dimension_out_of_range",
         _conv(act, q([0.01] * 4, [0] * 4, 4), bias, act),
         "quantized_dimension 4 is out of range [0, 4)")
  yield ("conv_filter_quantized_dimension_negative",
         _conv(act, q([0.01] * 4, [0] * 4, -1), bias, act),
         "quantized_dimension -1 is out of range")
  yield ("conv_filter_wrong_axis",
         _conv(act, q([0.01, 0.02], [0, 0], 3), bias, act), WRONG_AXIS)
  yield ("fc_weights_wrong_axis",
         _fc(act, q([0.01] * 5, [0] * 5, 1), q(0.0005), act), WRONG_AXIS)
  yield ("add_int8_per_channel_activation",
         _add(INT8, q([0.05] * 6, [0] * 6, 1), act, act), PER_TENSOR)
  yield ("conv_filter_zero_point_count",
         _conv(act, q([0.01] * 4, [0, 0], 0), bias, act),
         "quantization has 2 zero points and 4 scales")

  # Scales that are not finite and positive.
  for label, bad in (("zero", 0.0), ("negative", -0.05), ("nan", np.nan),
                     ("inf", np.inf)):
    yield "add_int8_%s_scale" % label, _add(INT8, act, q(bad, 3), act), \
        BAD_SCALE
    yield ("conv_filter_%s_channel_scale" % label,
           _conv(act, q([0.01, 0.02, bad, 0.03], [0] * 4, 0), bias, act),
           BAD_SCALE)
  yield "fc_output_zero_scale", _fc(act, q(0.01), q(0.0005), q(0.0, 1)), \
      BAD_SCALE
  yield "quantize_negative_scale", _quantize(q(-0.1, 0)), BAD_SCALE
  yield "dequantize_nan_scale", _dequantize(q(np.nan, 0)), BAD_SCALE
  # A denormal scale is finite and positive, and passes the check; its
  # multipliers underflow, which the kernels must still handle. Not a
  # negative case; left to the kernels' own suites.

  # Zero points outside the storage type.
  yield "add_int8_zero_point_128", _add(INT8, act, q(0.05, 128), act), \
      OUT_OF_RANGE
  yield "add_int8_zero_point_-129", _add(INT8, q(0.05, -129), act, act), \
      OUT_OF_RANGE
  u8 = q(0.05, 128)
  yield "add_uint8_zero_point_256", _add(UINT8, u8, q(0.05, 256), u8), \
      OUT_OF_RANGE
  yield "add_uint8_zero_point_-1", _add(UINT8, u8, u8, q(0.05, -1)), \
      OUT_OF_RANGE
  yield "quantize_uint8_zero_point_300", _quantize(q(0.1, 300), UINT8), \
      OUT_OF_RANGE
  yield "dequantize_int8_zero_point_200", _dequantize(q(0.1, 200)), \
      OUT_OF_RANGE

  # Symmetric tensors with a zero point: int8 per-channel weights, and
  # int16 activations (16x8 kernels).
  yield ("conv_filter_nonzero_zero_point",
         _conv(act, q([0.01] * 4, [0, 0, 1, 0], 0), bias, act), SYMMETRIC)
  yield ("fc_weights_nonzero_zero_point",
         _fc(act, q([0.01] * 3, [0, 2, 0], 0), q([0.0005] * 3, [0] * 3, 0),
             act), SYMMETRIC)
  # (The binary ops word the int16 rule themselves: "int16 tensors must
  # have zero points of 0".)
  i16 = q(0.001, 0)
  yield "add_int16_nonzero_zero_point", \
      _add(INT16, i16, q(0.001, 5), i16), "zero point"
  yield "add_int16_output_nonzero_zero_point", \
      _add(INT16, i16, i16, q(0.001, -3)), "zero point"
  bias16 = q([1e-6 * v for v in (10, 20, 15, 30)], [0] * 4, 0)
  yield ("conv_16x8_input_nonzero_zero_point",
         _conv(q(0.001, 7), filt, bias16, i16, INT16, np.int64), SYMMETRIC)


# A converter-made int8 network, with and without sparse weights.

def _tiny_net():
  keras = tf.keras
  layers = keras.layers
  keras.utils.set_random_seed(301)
  inp = keras.Input((4, 4, 2), batch_size=1, name="x")
  y = layers.Conv2D(8, 3, padding="same", activation="relu")(inp)
  y = layers.Flatten()(y)
  out = layers.Dense(4)(y)
  model = keras.Model(inp, out, name="tiny_int8")
  for w in model.weights:  # 80% of each kernel pruned
    if len(w.shape) >= 2:
      v = w.numpy()
      v[np.abs(v) < np.quantile(np.abs(v), 0.8)] = 0.0
      w.assign(v)
  return model


def _convert_int8(model, sparse):
  r = rng(302)
  converter = tf.lite.TFLiteConverter.from_keras_model(model)
  converter.optimizations = [tf.lite.Optimize.DEFAULT]
  if sparse:
    converter.optimizations.append(tf.lite.Optimize.EXPERIMENTAL_SPARSITY)
  samples = [r.uniform(-1, 1, (1, 4, 4, 2)).astype(np.float32)
             for _ in range(8)]
  converter.representative_dataset = lambda: ({"x": v} for v in samples)
  converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
  return converter.convert()


def _patch(data, edit):
  import flatbuffers
  s = _schema()
  model = s.ModelT.InitFromObj(s.Model.GetRootAsModel(data, 0))
  edit(model, s)
  builder = flatbuffers.Builder(1024)
  builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
  return bytes(builder.Output())


def _op_tensors(model, s, builtin):
  """(operator, tensors) of the first operator with that builtin code."""
  sg = model.subgraphs[0]
  for op in sg.operators:
    if model.operatorCodes[op.opcodeIndex].builtinCode == builtin:
      return op, sg.tensors
  raise ValueError("no operator %d" % builtin)


def _sparse_tensor(model, rank):
  """The sparse-stored weights of the given rank (4: the convolution
  filter, 2: the dense layer's)."""
  for t in model.subgraphs[0].tensors:
    if t.sparsity is not None and len(t.shape) == rank:
      return t
  raise ValueError("no sparse tensor of rank %d" % rank)


def _patched():
  model = _tiny_net()
  dense = _convert_int8(model, sparse=False)
  sparse = _convert_int8(model, sparse=True)

  def conv_filter(m, s):
    op, ts = _op_tensors(m, s, s.BuiltinOperator.CONV_2D)
    return ts[op.inputs[1]]

  def conv_output(m, s):
    op, ts = _op_tensors(m, s, s.BuiltinOperator.CONV_2D)
    return ts[op.outputs[0]]

  def fc_input(m, s):
    op, ts = _op_tensors(m, s, s.BuiltinOperator.FULLY_CONNECTED)
    return ts[op.inputs[0]]

  # Quantization parameters of a converter-made model.
  def drop_params(m, s):
    conv_output(m, s).quantization = None
  yield "net_conv_output_no_params", _patch(dense, drop_params), NO_PARAMS

  def zero_channel_scale(m, s):
    t = conv_filter(m, s)
    scales = list(t.quantization.scale)
    scales[5] = 0.0
    t.quantization.scale = scales
  yield ("net_conv_filter_zero_channel_scale",
         _patch(dense, zero_channel_scale), BAD_SCALE)

  def filter_zero_point(m, s):
    t = conv_filter(m, s)
    zeros = list(t.quantization.zeroPoint)
    zeros[2] = 4
    t.quantization.zeroPoint = zeros
  yield ("net_conv_filter_nonzero_zero_point",
         _patch(dense, filter_zero_point), SYMMETRIC)

  def filter_count(m, s):
    t = conv_filter(m, s)
    t.quantization.scale = list(t.quantization.scale)[:7]
    t.quantization.zeroPoint = list(t.quantization.zeroPoint)[:7]
  yield ("net_conv_filter_scale_count", _patch(dense, filter_count),
         "quantization has 7 scales; expected 1 or the size of dimension 0")

  def filter_axis(m, s):
    conv_filter(m, s).quantization.quantizedDimension = 9
  yield ("net_conv_filter_quantized_dimension",
         _patch(dense, filter_axis), "quantized_dimension 9 is out of range")

  # An activation between CONV_2D and FULLY_CONNECTED, through RESHAPE
  # (which keeps its input's parameters: both tensors are patched alike).
  def activation_zero_point(m, s):
    for t in (conv_output(m, s), fc_input(m, s)):
      t.quantization.zeroPoint = [-200]
  yield ("net_activation_zero_point_out_of_range",
         _patch(dense, activation_zero_point), OUT_OF_RANGE)

  def activation_inf_scale(m, s):
    for t in (conv_output(m, s), fc_input(m, s)):
      t.quantization.scale = [float("inf")]
  yield ("net_activation_inf_scale", _patch(dense, activation_inf_scale),
         BAD_SCALE)

  # Sparsity metadata that does not describe its buffer (DENSIFY inputs).
  # The reader checks it against the tensor's shape and buffer; each message
  # begins with the tensor's path and names the sparsity level at fault.
  def segments_mismatch(m, s):
    level = _sparse_tensor(m, 2).sparsity.dimMetadata[1]
    level.arraySegments.values = list(level.arraySegments.values)
    level.arraySegments.values[-1] -= 1
  yield ("net_sparse_segments_do_not_match_indices",
         _patch(sparse, segments_mismatch),
         "sparsity level 1 segments do not match indices")

  def segments_decrease(m, s):
    level = _sparse_tensor(m, 2).sparsity.dimMetadata[1]
    v = list(level.arraySegments.values)
    v[1], v[2] = v[2], v[1]
    level.arraySegments.values = v
  yield ("net_sparse_segments_decrease", _patch(sparse, segments_decrease),
         "sparsity level 1 segments decrease")

  def segments_count(m, s):
    level = _sparse_tensor(m, 2).sparsity.dimMetadata[1]
    level.arraySegments.values = list(level.arraySegments.values)[:-1]
  yield ("net_sparse_segments_count", _patch(sparse, segments_count),
         "sparsity level 1 has invalid CSR arrays")

  def index_out_of_range(m, s):
    level = _sparse_tensor(m, 2).sparsity.dimMetadata[1]
    v = list(level.arrayIndices.values)
    v[3] = 128  # the dense layer's weights are [4, 128]
    level.arrayIndices.values = v
  yield ("net_sparse_index_out_of_range", _patch(sparse, index_out_of_range),
         "sparsity level 1 index 128 out of range")

  def conv_index(m, s):
    level = _sparse_tensor(m, 4).sparsity.dimMetadata[3]
    v = list(level.arrayIndices.values)
    v[0] = 2  # the filter is [8, 3, 3, 2]
    level.arrayIndices.values = v
  yield ("net_sparse_conv_index_out_of_range", _patch(sparse, conv_index),
         "sparsity level 3 index 2 out of range")

  def dense_size(m, s):
    _sparse_tensor(m, 4).sparsity.dimMetadata[1].denseSize = 4
  yield ("net_sparse_dense_size", _patch(sparse, dense_size),
         "sparsity level 1 has dense_size 4, expected 3")

  def traversal(m, s):
    _sparse_tensor(m, 4).sparsity.traversalOrder = [0, 1, 1, 3]
  yield ("net_sparse_traversal_order", _patch(sparse, traversal),
         "sparsity traversal_order is not a permutation")

  def add_block(block, mapped):
    """A 1 x block block on the dense weights' columns: traversal order
    [0, 1, 2], block_map [mapped], a dense block level of size block."""
    def fn(m, s):
      sp = _sparse_tensor(m, 2).sparsity
      sp.traversalOrder = [0, 1, 2]
      sp.blockMap = [mapped]
      level = s.DimensionMetadataT()
      level.format = s.DimensionType.DENSE
      level.denseSize = block
      sp.dimMetadata = list(sp.dimMetadata) + [level]
    return fn
  # 128 columns do not split into blocks of 5.
  yield ("net_sparse_block_does_not_divide", _patch(sparse, add_block(5, 1)),
         "invalid sparsity block 0")
  # block_map names a dimension the weights do not have.
  yield ("net_sparse_block_map_out_of_range",
         _patch(sparse, add_block(4, 2)), "invalid sparsity block 0")

  def block_map_missing(m, s):
    sp = _sparse_tensor(m, 2).sparsity
    add_block(4, 1)(m, s)
    sp.blockMap = []
  yield ("net_sparse_block_map_missing", _patch(sparse, block_map_missing),
         "invalid sparsity parameters")

  def levels_missing(m, s):
    sp = _sparse_tensor(m, 4).sparsity
    sp.dimMetadata = list(sp.dimMetadata)[:3]
  yield ("net_sparse_levels_missing", _patch(sparse, levels_missing),
         "invalid sparsity parameters")


def cases():
  x = {"x": rng(303).uniform(-1, 1, (1, 4, 4, 2)).astype(np.float32)}
  for name, (model, inputs), error in _hand_made():
    yield _case(name, model, inputs, error)
  for name, model, error in _patched():
    yield _case(name, model, x, error)
