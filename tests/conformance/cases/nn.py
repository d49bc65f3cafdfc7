"""Neural-network ops: CONV_2D, DEPTHWISE_CONV_2D, AVERAGE/MAX/L2_POOL_2D,
SOFTMAX, LOG_SOFTMAX, BATCH_MATMUL, TRANSPOSE_CONV, L2_NORMALIZATION,
LOCAL_RESPONSE_NORMALIZATION (options, fused activations, edge shapes, and
hand-patched models for what the converter never emits)."""
import numpy as np
import tensorflow as tf

from conformance.cases import Case, rng


def _spec(a):
  return tf.TensorSpec(a.shape, tf.as_dtype(a.dtype))


def _case(name, body, dynamic=None, **inputs):
  """A Case for body(**inputs), one tf.function input per array (in the
  order given). dynamic: {input name: axes left unknown (None) in the
  model}, so the runners resize the inputs to the data's shapes."""
  names = list(inputs)
  specs = [_spec(inputs[n]) for n in names]
  for i, n in enumerate(names):
    if dynamic and n in dynamic:
      shape = list(inputs[n].shape)
      for axis in dynamic[n]:
        shape[axis] = None
      specs[i] = tf.TensorSpec(shape, tf.as_dtype(inputs[n].dtype))
  # The converter names signature inputs after the function's arguments.
  fn = _named(names, specs, body)
  return Case(name="nn/" + name, fn=fn, inputs=dict(inputs))


def _named(names, specs, body):
  """A tf.function whose arguments carry the given names."""
  args = ", ".join(names)
  src = "def f(%s):\n  return body(%s)\n" % (
      args, ", ".join("%s=%s" % (n, n) for n in names))
  scope = {"body": body}
  exec(src, scope)  # argument names become the signature's input names
  return tf.function(scope["f"], input_signature=specs)


def _convert(case):
  owner = tf.Module()
  owner.fn = case.fn
  converter = tf.lite.TFLiteConverter.from_concrete_functions(
      [case.fn.get_concrete_function()], owner)
  return converter.convert()


def _patched(case, name, edit, expect_error=None, inputs=None):
  """Converts `case`, lets edit(model, schema) change the model object, and
  returns a hand-made Case with the result."""
  import flatbuffers
  from tensorflow.lite.python import schema_py_generated as schema
  data = _convert(case)
  model = schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(data, 0))
  edit(model, schema)
  builder = flatbuffers.Builder(1024)
  builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
  return Case(name="nn/" + name, model_bytes=bytes(builder.Output()),
              inputs=inputs if inputs is not None else case.inputs,
              expect_error=expect_error)


def _only_op(model, builtin):
  """The single operator of the given builtin code."""
  ops = [op for op in model.subgraphs[0].operators
         if model.operatorCodes[op.opcodeIndex].builtinCode == builtin]
  assert len(ops) == 1, ops
  return ops[0]


def _conv_cases(r):
  f = lambda *s: r.standard_normal(s).astype(np.float32)

  def conv(name, x, w, strides=1, padding="SAME", dilations=1, bias=None,
           act=None, dynamic=None):
    def body(x):
      y = tf.nn.conv2d(x, w, strides=strides, padding=padding,
                       dilations=dilations)
      if bias is not None:
        y = tf.nn.bias_add(y, bias)
      return act(y) if act else y
    return _case(name, body, x=x, dynamic=dynamic and {"x": dynamic})

  yield conv("conv_same_bias_relu", f(1, 5, 5, 3), f(3, 3, 3, 4),
             bias=f(4), act=tf.nn.relu)
  yield conv("conv_valid_strides", f(2, 7, 6, 3), f(3, 2, 3, 5),
             strides=[1, 2, 3, 1], padding="VALID")
  yield conv("conv_same_stride2_even", f(1, 8, 6, 2), f(4, 2, 2, 3),
             strides=2, bias=f(3))
  yield conv("conv_dilation", f(1, 9, 8, 2), f(3, 3, 2, 3),
             dilations=[1, 2, 3, 1], bias=f(3))
  yield conv("conv_dilation_valid", f(1, 9, 8, 2), f(2, 3, 2, 3),
             padding="VALID", dilations=2)
  yield conv("conv_relu6", f(1, 4, 4, 3), f(2, 2, 3, 2) * 3, bias=f(2),
             act=tf.nn.relu6)
  yield conv("conv_relu_n1_to_1", f(1, 4, 4, 3), f(2, 2, 3, 2),
             act=lambda y: tf.clip_by_value(y, -1.0, 1.0))
  yield conv("conv_1x1", f(2, 3, 4, 6), f(1, 1, 6, 5), bias=f(5))
  yield conv("conv_1x1_stride2", f(1, 5, 5, 4), f(1, 1, 4, 3), strides=2,
             padding="VALID")
  yield conv("conv_grouped", f(1, 5, 5, 4), f(3, 3, 2, 6), bias=f(6))
  yield conv("conv_grouped_1x1", f(1, 3, 3, 6), f(1, 1, 2, 9))
  yield conv("conv_filter_larger_same", f(1, 2, 3, 2), f(5, 5, 2, 2))
  # Several im2col blocks (K = 800 gives blocks of 163 pixels).
  yield conv("conv_blocks", f(1, 20, 20, 32), f(5, 5, 32, 9), bias=f(9))
  yield conv("conv_large_values", f(1, 6, 6, 8) * 1e3, f(3, 3, 8, 4) * 1e3)
  yield conv("conv_dynamic_batch", f(3, 5, 5, 3), f(3, 3, 3, 2), bias=f(2),
             dynamic=[0])
  yield conv("conv_dynamic_hw", f(1, 7, 6, 2), f(3, 3, 2, 4), strides=2,
             bias=f(4), dynamic=[1, 2])
  # Blocks of 163 pixels crossing the batch boundary (81 pixels per image).
  yield conv("conv_blocks_batch3", f(3, 9, 9, 32), f(5, 5, 32, 3), bias=f(3))
  yield conv("conv_grouped_stride2_valid", f(2, 9, 8, 6), f(3, 3, 2, 6),
             strides=2, padding="VALID", bias=f(6), act=tf.nn.relu)
  yield conv("conv_grouped_dilation", f(1, 8, 8, 4), f(3, 3, 1, 8),
             dilations=2, bias=f(8))


def _set_input_shape(shape):
  """An edit giving the model's first input a new static shape."""
  def edit(model, schema):
    sg = model.subgraphs[0]
    t = sg.tensors[sg.inputs[0]]
    t.shape = list(shape)
    t.shapeSignature = None
  return edit


def _empty_output_cases(r):
  """VALID windows larger than the input: TensorFlow refuses to build such
  graphs, so smaller inputs are patched into models built for larger ones;
  the outputs have zero-sized dims."""
  f = lambda *s: r.standard_normal(s).astype(np.float32)
  w, b = f(3, 3, 3, 2), f(2)
  conv = _case("conv_valid_empty", lambda x: tf.nn.bias_add(
      tf.nn.conv2d(x, w, 1, "VALID"), b), x=f(1, 3, 3, 3))
  yield _patched(conv, "conv_valid_empty_output", _set_input_shape([1, 2, 2, 3]),
                 inputs={"x": f(1, 2, 2, 3)})
  dw = f(3, 3, 3, 1)
  dwc = _case("dw_valid_empty", lambda x: tf.nn.depthwise_conv2d(
      x, dw, [1, 1, 1, 1], "VALID"), x=f(1, 3, 3, 3))
  yield _patched(dwc, "dw_valid_empty_output", _set_input_shape([1, 3, 2, 3]),
                 inputs={"x": f(1, 3, 2, 3)})
  for name, op in [("max_valid_empty_output", tf.nn.max_pool2d),
                   ("avg_valid_empty_output", tf.nn.avg_pool2d)]:
    pool = _case(name, lambda x, op=op: op(x, 3, 1, "VALID"), x=f(1, 3, 5, 2))
    yield _patched(pool, name, _set_input_shape([1, 2, 5, 2]),
                   inputs={"x": f(1, 2, 5, 2)})
  # A zero-sized tensor flowing through the other kernels.
  w2 = f(3, 3, 3, 4)

  def chain(x):
    y = tf.nn.conv2d(x, w2, 1, "VALID")
    y = tf.nn.avg_pool2d(y, 1, 1, "SAME")
    y = tf.nn.local_response_normalization(y, 1)
    y = tf.math.l2_normalize(y, axis=-1)
    return tf.nn.softmax(y), tf.nn.log_softmax(y)
  base = _case("zero_size_chain", chain, x=f(1, 3, 3, 3))
  yield _patched(base, "zero_size_chain", _set_input_shape([1, 2, 2, 3]),
                 inputs={"x": f(1, 2, 2, 3)})


def _conv_patched(r):
  f = lambda *s: r.standard_normal(s).astype(np.float32)
  w, b = f(3, 3, 3, 4), f(4)

  def body(x):
    return tf.nn.bias_add(tf.nn.conv2d(x, w, 1, "SAME"), b)
  base = _case("conv_base", body, x=f(1, 5, 5, 3))

  channels = _set_input_shape([1, 5, 5, 4])
  yield _patched(base, "conv_bad_channels", channels,
                 expect_error="must divide the input channels",
                 inputs={"x": f(1, 5, 5, 4)})

  def bias_size(model, schema):
    op = _only_op(model, schema.BuiltinOperator.CONV_2D)
    op.inputs = list(op.inputs[:2]) + [op.inputs[0]]
  yield _patched(base, "conv_bad_bias", bias_size,
                 expect_error="CONV_2D bias has 75 elements")

  rank3 = _set_input_shape([5, 5, 3])
  def int8_input(model, schema):
    sg = model.subgraphs[0]
    sg.tensors[sg.inputs[0]].type = schema.TensorType.INT8
  # An int8 input with a float32 filter is no quantized form either.
  yield _patched(base, "conv_int8_not_supported", int8_input,
                 expect_error="CONV_2D int8: filter 'Conv2D' must be INT8",
                 inputs={"x": r.integers(-5, 5, (1, 5, 5, 3)).astype(np.int8)})

  yield _patched(base, "conv_bad_rank", rank3,
                 expect_error="CONV_2D input must be 4-D",
                 inputs={"x": f(5, 5, 3)})


def _depthwise_cases(r):
  f = lambda *s: r.standard_normal(s).astype(np.float32)

  def dw(name, x, w, strides=1, padding="SAME", dilations=None, bias=None,
         act=None, dynamic=None):
    def body(x):
      y = tf.nn.depthwise_conv2d(x, w, strides=[1, strides, strides, 1],
                                 padding=padding, dilations=dilations)
      if bias is not None:
        y = tf.nn.bias_add(y, bias)
      return act(y) if act else y
    return _case(name, body, x=x, dynamic=dynamic and {"x": dynamic})

  yield dw("dw_same_bias_relu", f(1, 5, 5, 3), f(3, 3, 3, 1), bias=f(3),
           act=tf.nn.relu)
  yield dw("dw_multiplier2_valid_stride2", f(2, 7, 6, 3), f(3, 3, 3, 2),
           strides=2, padding="VALID")
  yield dw("dw_multiplier3_same", f(1, 4, 5, 2), f(2, 3, 2, 3), bias=f(6))
  yield dw("dw_dilation", f(1, 9, 9, 4), f(3, 3, 4, 1), dilations=[2, 2],
           bias=f(4))
  yield dw("dw_relu6", f(1, 6, 6, 8), f(3, 3, 8, 1) * 2, bias=f(8),
           act=tf.nn.relu6)
  yield dw("dw_stride2_same", f(1, 8, 7, 16), f(5, 5, 16, 1), strides=2)
  yield dw("dw_dynamic_shape", f(2, 6, 5, 3), f(3, 3, 3, 2), bias=f(6),
           dynamic=[0, 1, 2])


def _dw_patched(r):
  f = lambda *s: r.standard_normal(s).astype(np.float32)
  w = f(3, 3, 3, 2)

  def body(x):
    return tf.nn.depthwise_conv2d(x, w, [1, 1, 1, 1], "SAME")
  base = _case("dw_base", body, x=f(1, 4, 4, 3))

  channels = _set_input_shape([1, 4, 4, 4])
  yield _patched(base, "dw_bad_channels", channels,
                 expect_error="must be a multiple of the input channels",
                 inputs={"x": f(1, 4, 4, 4)})


def _pool_cases(r):
  f = lambda *s: r.standard_normal(s).astype(np.float32)

  def pool(name, op, x, ksize, strides, padding, act=None):
    def body(x):
      y = op(x, ksize=ksize, strides=strides, padding=padding)
      return act(y) if act else y
    return _case(name, body, x=x)

  avg, mx = tf.nn.avg_pool2d, tf.nn.max_pool2d
  yield pool("avg_same_3x3_s2", avg, f(2, 7, 6, 3), 3, 2, "SAME")
  yield pool("avg_valid_2x3", avg, f(1, 6, 7, 2), [2, 3], [1, 2], "VALID")
  yield pool("avg_same_relu6", avg, f(1, 5, 5, 2) * 8, 2, 1, "SAME",
             tf.nn.relu6)
  yield pool("avg_global", avg, f(1, 4, 4, 5), 4, 4, "VALID")
  yield pool("max_same_3x3_s2", mx, f(2, 7, 6, 3), 3, 2, "SAME")
  yield pool("max_valid_2x3", mx, f(1, 6, 7, 2), [2, 3], [2, 1], "VALID")
  yield pool("max_same_relu", mx, f(1, 5, 5, 2), 3, 1, "SAME", tf.nn.relu)
  yield pool("max_filter_larger", mx, f(1, 2, 3, 2), 4, 1, "SAME")
  yield _case("avg_dynamic_batch",
              lambda x: avg(x, ksize=2, strides=2, padding="SAME"),
              x=f(3, 5, 4, 2), dynamic={"x": [0]})
  yield _case("max_dynamic_hw",
              lambda x: mx(x, ksize=3, strides=2, padding="SAME"),
              x=f(1, 9, 6, 2), dynamic={"x": [1, 2]})
  base = _case("pool_base", lambda x: mx(x, 2, 2, "SAME"), x=f(1, 4, 4, 2))

  rank3 = _set_input_shape([4, 4, 2])
  yield _patched(base, "max_bad_rank", rank3,
                 expect_error="MAX_POOL_2D input must be 4-D",
                 inputs={"x": f(4, 4, 2)})


def _l2_pool_cases(r):
  """The converter has no L2 pool: MAX_POOL_2D models with the opcode
  patched (Pool2DOptions are shared)."""
  f = lambda *s: r.standard_normal(s).astype(np.float32)
  for name, x, k, s, pad, act in [
      ("l2pool_same_3x3_s2", f(2, 7, 6, 3), 3, 2, "SAME", None),
      ("l2pool_valid_2x2", f(1, 6, 6, 4), 2, 2, "VALID", None),
      ("l2pool_same_relu6", f(1, 5, 5, 2) * 8, 2, 1, "SAME", tf.nn.relu6)]:
    def body(x, k=k, s=s, pad=pad, act=act):
      y = tf.nn.max_pool2d(x, ksize=k, strides=s, padding=pad)
      return act(y) if act else y
    base = _case(name, body, x=x)

    def to_l2(model, schema):
      op = _only_op(model, schema.BuiltinOperator.MAX_POOL_2D)
      code = model.operatorCodes[op.opcodeIndex]
      code.builtinCode = code.deprecatedBuiltinCode = \
          schema.BuiltinOperator.L2_POOL_2D
    yield _patched(base, name, to_l2)


def _softmax_cases(r):
  f = lambda *s: r.standard_normal(s).astype(np.float32)
  yield _case("softmax_2d", tf.nn.softmax, logits=f(3, 7))
  yield _case("softmax_1d", tf.nn.softmax, logits=f(10) * 5)
  yield _case("softmax_4d", tf.nn.softmax, logits=f(2, 3, 2, 5))
  yield _case("softmax_large", tf.nn.softmax, logits=f(4, 9) * 100)
  yield _case("softmax_long_rows", tf.nn.softmax, logits=f(2, 1000))
  yield _case("softmax_rank6", tf.nn.softmax, logits=f(1, 2, 1, 2, 2, 3))
  yield _case("softmax_dynamic", tf.nn.softmax, logits=f(3, 5),
              dynamic={"logits": [0, 1]})
  yield _case("log_softmax_dynamic", tf.nn.log_softmax, logits=f(2, 4, 3),
              dynamic={"logits": [0, 1]})
  yield _case("log_softmax_2d", tf.nn.log_softmax, logits=f(3, 7))
  yield _case("log_softmax_3d_large", tf.nn.log_softmax,
              logits=f(2, 3, 6) * 50)
  yield _case("log_softmax_1d", tf.nn.log_softmax, logits=f(12))


def _softmax_patched(r):
  """The converter folds no beta into SOFTMAX: patch the option."""
  f = lambda *s: r.standard_normal(s).astype(np.float32)
  for name, beta in [("softmax_beta_half", 0.5), ("softmax_beta_3", 3.0),
                     ("softmax_beta_zero", 0.0)]:
    base = _case(name, tf.nn.softmax, logits=f(3, 6) * 4)

    def set_beta(model, schema, beta=beta):
      op = _only_op(model, schema.BuiltinOperator.SOFTMAX)
      op.builtinOptions.beta = beta
    yield _patched(base, name, set_beta)


def _softmax_errors(r):
  f = lambda *s: r.standard_normal(s).astype(np.float32)
  for op, fn in [("softmax", tf.nn.softmax), ("log_softmax", tf.nn.log_softmax)]:
    base = _case(op + "_base", fn, logits=f(4))
    yield _patched(base, op + "_scalar_error", _set_input_shape([]),
                   expect_error="rank >= 1",
                   inputs={"logits": np.float32(1.5)})


def _matmul_cases(r):
  f = lambda *s: r.standard_normal(s).astype(np.float32)

  def mm(name, a, b, adj_x=False, adj_y=False):
    return _case(name, lambda a, b: tf.linalg.matmul(
        a, b, adjoint_a=adj_x, adjoint_b=adj_y), a=a, b=b)

  yield mm("bmm_3d", f(2, 3, 4), f(2, 4, 5))
  yield mm("bmm_2d", f(3, 4), f(4, 6))
  yield mm("bmm_broadcast_4d", f(2, 1, 3, 4), f(5, 4, 2))
  yield mm("bmm_broadcast_lhs_2d", f(3, 4), f(2, 4, 5))
  yield mm("bmm_adj_x", f(2, 4, 3), f(2, 4, 5), adj_x=True)
  yield mm("bmm_adj_y", f(2, 3, 4), f(1, 5, 4), adj_y=True)
  yield mm("bmm_adj_both", f(3, 4, 3), f(3, 5, 4), adj_x=True, adj_y=True)
  yield mm("bmm_rank5", f(2, 1, 2, 3, 4), f(1, 3, 1, 4, 2))
  yield mm("bmm_long_depth", f(1, 2, 600) * 100, f(1, 600, 9) * 100)
  yield mm("bmm_wide", f(2, 5, 7), f(2, 7, 19))
  yield _case("bmm_dynamic_batch", lambda a, b: tf.linalg.matmul(a, b),
              a=f(3, 2, 4), b=f(3, 4, 5), dynamic={"a": [0], "b": [0]})
  w = f(4, 6)
  yield _case("bmm_const_rhs", lambda a: tf.linalg.matmul(a, w),
              a=f(2, 3, 4))

  base = mm("bmm_base", f(2, 3, 4), f(2, 4, 5))

  def depth(model, schema):
    sg = model.subgraphs[0]
    for i in sg.inputs:
      if list(sg.tensors[i].shape) == [2, 4, 5]:
        sg.tensors[i].shape = [2, 3, 5]
        sg.tensors[i].shapeSignature = None
  yield _patched(base, "bmm_bad_depth", depth,
                 expect_error="BATCH_MATMUL inner dims differ",
                 inputs={"a": f(2, 3, 4), "b": f(2, 3, 5)})

  def batch(model, schema):
    sg = model.subgraphs[0]
    for i in sg.inputs:
      if list(sg.tensors[i].shape) == [2, 4, 5]:
        sg.tensors[i].shape = [3, 4, 5]
        sg.tensors[i].shapeSignature = None
  yield _patched(base, "bmm_bad_broadcast", batch,
                 expect_error="do not broadcast",
                 inputs={"a": f(2, 3, 4), "b": f(3, 4, 5)})


def _transpose_conv_cases(r):
  f = lambda *s: r.standard_normal(s).astype(np.float32)

  def tconv(name, x, w, out, strides, padding, bias=None, act=None):
    def body(x):
      y = tf.nn.conv2d_transpose(x, w, out, strides, padding)
      if bias is not None:
        y = tf.nn.bias_add(y, bias)
      return act(y) if act else y
    return _case(name, body, x=x)

  yield tconv("tconv_same_s2", f(1, 4, 4, 3), f(3, 3, 2, 3), [1, 8, 8, 2],
              2, "SAME")
  yield tconv("tconv_same_s2_odd", f(1, 4, 4, 3), f(3, 3, 2, 3),
              [1, 7, 7, 2], 2, "SAME")
  yield tconv("tconv_valid_s2", f(2, 3, 3, 2), f(3, 3, 4, 2), [2, 7, 7, 4],
              2, "VALID")
  yield tconv("tconv_strides_hw", f(1, 3, 4, 2), f(2, 3, 3, 2),
              [1, 6, 12, 3], [2, 3], "SAME")
  yield tconv("tconv_s1_bias_relu", f(1, 5, 5, 4), f(3, 3, 3, 4),
              [1, 5, 5, 3], 1, "SAME", bias=f(3), act=tf.nn.relu)
  yield tconv("tconv_bias_relu6", f(1, 3, 3, 4), f(4, 4, 5, 4) * 2,
              [1, 6, 6, 5], 2, "SAME", bias=f(5), act=tf.nn.relu6)
  base = tconv("tconv_base", f(1, 3, 3, 2), f(3, 3, 4, 2), [1, 6, 6, 4], 2,
               "SAME")

  channels = _set_input_shape([1, 3, 3, 3])
  yield _patched(base, "tconv_bad_channels", channels,
                 expect_error="TRANSPOSE_CONV input channels (3) must equal",
                 inputs={"x": f(1, 3, 3, 3)})
  yield tconv("tconv_wide_channels", f(1, 3, 3, 16), f(3, 3, 24, 16),
              [1, 6, 6, 24], 2, "SAME")
  w = f(3, 3, 2, 3)
  yield _case("tconv_dynamic_shape",
              lambda x, shape: tf.nn.conv2d_transpose(x, w, shape, 2, "SAME"),
              x=f(1, 4, 4, 3), shape=np.array([1, 8, 8, 2], np.int32))


def _norm_cases(r):
  f = lambda *s: r.standard_normal(s).astype(np.float32)
  l2 = lambda x: tf.math.l2_normalize(x, axis=-1)
  yield _case("l2norm_2d", l2, x=f(3, 8))
  yield _case("l2norm_4d", l2, x=f(2, 3, 2, 5))
  yield _case("l2norm_1d", l2, x=f(7) * 100)
  tiny = f(2, 4) * 1e-8
  yield _case("l2norm_tiny", l2, x=tiny)

  def lrn(name, x, radius, bias, alpha, beta):
    return _case(name, lambda x: tf.nn.local_response_normalization(
        x, depth_radius=radius, bias=bias, alpha=alpha, beta=beta), x=x)
  yield lrn("lrn_default", f(1, 3, 3, 8), 5, 1.0, 1.0, 0.5)
  yield lrn("lrn_radius2", f(2, 2, 3, 7), 2, 2.0, 1e-2, 0.75)
  yield lrn("lrn_radius0", f(1, 2, 2, 5), 0, 1.5, 0.5, 0.25)
  yield lrn("lrn_big_radius", f(1, 1, 2, 4) * 3, 10, 0.5, 0.3, 1.5)
  yield _case("l2norm_dynamic", l2, x=f(2, 6), dynamic={"x": [0, 1]})


def _special_value_cases(r):
  """NaN and infinities: max keeps the first of equal / unordered values as
  std::max does, sums propagate them."""
  f = lambda *s: r.standard_normal(s).astype(np.float32)
  x = f(1, 4, 4, 3)
  x[0, 0, 0, 0] = np.nan
  x[0, 1, 2, 1] = np.inf
  x[0, 3, 3, 2] = -np.inf
  x[0, 2, 0, 0] = np.nan
  yield _case("max_nan_inf", lambda x: tf.nn.max_pool2d(x, 2, 1, "SAME"),
              x=x)
  yield _case("avg_nan_inf", lambda x: tf.nn.avg_pool2d(x, 2, 2, "VALID"),
              x=x)
  w = f(2, 2, 3, 2)
  yield _case("conv_nan_inf", lambda x: tf.nn.conv2d(x, w, 1, "VALID"), x=x)
  logits = f(4, 5)
  logits[0, 1] = np.inf
  logits[1, 2] = -np.inf
  logits[2, 3] = np.nan
  yield _case("softmax_nan_inf", tf.nn.softmax, logits=logits)
  yield _case("log_softmax_nan_inf", tf.nn.log_softmax, logits=logits)


def cases():
  r = rng(31)
  yield from _conv_cases(r)
  yield from _conv_patched(r)
  yield from _empty_output_cases(r)
  yield from _depthwise_cases(r)
  yield from _dw_patched(r)
  yield from _pool_cases(r)
  yield from _l2_pool_cases(r)
  yield from _softmax_cases(r)
  yield from _softmax_patched(r)
  yield from _softmax_errors(r)
  yield from _matmul_cases(r)
  yield from _transpose_conv_cases(r)
  yield from _norm_cases(r)
  yield from _special_value_cases(r)
