"""Quantized pooling, reductions, resizing, padding and data movement:
AVERAGE_POOL_2D, MAX_POOL_2D, MEAN, SUM, REDUCE_PROD/MAX/MIN, ARG_MAX/MIN,
RESIZE_BILINEAR, RESIZE_NEAREST_NEIGHBOR, PAD, PADV2, MIRROR_PAD,
SPACE_TO_BATCH_ND, BATCH_TO_SPACE_ND, SPACE_TO_DEPTH, DEPTH_TO_SPACE and the
shape ops (RESHAPE, TRANSPOSE, ...) on int8 / uint8 / int16 tensors.

Converter-made cases run TensorFlow functions through post-training
quantization ("int8", "int8_io", "uint8_io", "16x8"); hand-built single-op
models cover the forms the converter never emits (uint8 and int16 kernels,
differing input and output parameters, fused activations) and the negative
cases (parameters that do not match, missing or invalid quantization).
"""
import numpy as np
import tensorflow as tf

from conformance.cases import Case, SingleOpModel, qparams, rng

_R = rng(4242)


def _f32(*shape, lo=-4.0, hi=4.0):
  return _R.uniform(lo, hi, shape).astype(np.float32)


def _spec(a):
  return tf.TensorSpec(a.shape, tf.as_dtype(a.dtype))


def _conv(name, op, *arrays, quantize="int8", **kw):
  """A converter-made case running op(*arrays) quantized with `quantize`."""
  specs = [_spec(a) for a in arrays]
  names = ["x", "y"][:len(arrays)]
  if len(arrays) == 1:
    fn = tf.function(lambda x: op(x), input_signature=specs)
  else:
    fn = tf.function(lambda x, y: op(x, y), input_signature=specs)
  return Case(name="qspatial/%s_%s" % (name, quantize), fn=fn,
              inputs=dict(zip(names, arrays)), quantize=quantize, **kw)


_MODES = ("int8", "int8_io", "uint8_io", "16x8")
_BUILTIN = "BUILTIN_WITHOUT_DEFAULT_DELEGATES"
_SUM_REASON = ("LiteRT's reference SUM reads int8 and int16 inputs as uint8 "
               "bytes (a bug); its builtin kernel is the truth here.")
_NO_REF = ("LiteRT's reference resolver lacks the quantized version of %s; "
           "its builtin kernel moves the same bytes.")


def _converted_cases():
  x4 = _f32(1, 8, 8, 3)
  x4b = _f32(2, 7, 9, 4)
  for mode in _MODES:
    # Pooling.
    yield _conv("avgpool_same", lambda v: tf.nn.avg_pool2d(
        v, 3, 2, "SAME"), x4, quantize=mode)
    yield _conv("avgpool_valid", lambda v: tf.nn.avg_pool2d(
        v, [2, 3], [2, 1], "VALID"), x4b, quantize=mode)
    yield _conv("maxpool_same", lambda v: tf.nn.max_pool2d(
        v, 3, 2, "SAME"), x4b, quantize=mode)
    yield _conv("maxpool_relu", lambda v: tf.nn.relu(tf.nn.max_pool2d(
        v, 2, 2, "VALID")), x4, quantize=mode)
    # Reductions.
    yield _conv("mean_hw_keepdims", lambda v: tf.reduce_mean(
        v, [1, 2], keepdims=True), x4b, quantize=mode)
    yield _conv("mean_hw", lambda v: tf.reduce_mean(v, [1, 2]), x4b,
                quantize=mode)
    yield _conv("mean_last", lambda v: tf.reduce_mean(v, -1), _f32(3, 5, 7),
                quantize=mode)
    yield _conv("mean_all", lambda v: tf.reduce_mean(v), _f32(4, 6),
                quantize=mode)
    yield _conv("mean_axis0_keepdims", lambda v: tf.reduce_mean(
        v, 0, keepdims=True), _f32(5, 3, 2), quantize=mode)
    yield _conv("sum_axis1", lambda v: tf.reduce_sum(v, 1), _f32(3, 6, 2),
                quantize=mode, resolver=_BUILTIN, reason=_SUM_REASON)
    yield _conv("max_axis1", lambda v: tf.reduce_max(v, 1), _f32(3, 6, 2),
                quantize=mode)
    yield _conv("min_keepdims", lambda v: tf.reduce_min(
        v, [0, 2], keepdims=True), _f32(3, 6, 2), quantize=mode)
    if mode != "16x8":  # the 16x8 quantizer rejects ARG_MAX
      yield _conv("argmax", lambda v: tf.math.argmax(v + 0.0, 1,
                                                     output_type=tf.int32),
                  _f32(4, 9), quantize=mode)
    # Resizing.
    yield _conv("resize_bilinear_half", lambda v: tf.image.resize(
        v, [13, 5], "bilinear"), x4, quantize=mode)
    yield _conv("resize_bilinear_align", lambda v:
                tf.compat.v1.image.resize_bilinear(v, [11, 15],
                                                   align_corners=True),
                x4, quantize=mode)
    yield _conv("resize_nearest", lambda v: tf.image.resize(
        v, [12, 5], "nearest"), x4, quantize=mode)
    # Padding and spatial moves.
    yield _conv("pad", lambda v: tf.pad(v, [[0, 0], [1, 2], [2, 0], [0, 0]]),
                x4, quantize=mode)
    # The 16x8 converter leaves PADV2's value float32: LiteRT (and pylite)
    # refuse the model.
    padv2_kw = dict(expect_error="the pad value must be one INT16") \
        if mode == "16x8" else {}
    yield _conv("padv2", lambda v: tf.pad(v, [[1, 0], [0, 2]],
                                          constant_values=1.5),
                _f32(3, 4), quantize=mode, **padv2_kw)
    yield _conv("mirror_pad_reflect", lambda v: tf.pad(
        v, [[0, 0], [2, 1], [1, 2], [0, 0]], "REFLECT"), x4, quantize=mode)
    yield _conv("mirror_pad_symmetric", lambda v: tf.pad(
        v, [[1, 1], [2, 0]], "SYMMETRIC"), _f32(4, 5), quantize=mode)
    yield _conv("space_to_batch", lambda v: tf.space_to_batch(
        v, [2, 2], [[1, 0], [0, 1]]), x4b, quantize=mode)
    yield _conv("batch_to_space", lambda v: tf.batch_to_space(
        v, [2, 2], [[1, 0], [0, 1]]), _f32(4, 3, 4, 2), quantize=mode)
    if mode != "16x8":  # the 16x8 quantizer rejects both
      yield _conv("space_to_depth", lambda v: tf.nn.space_to_depth(v, 2),
                  x4, quantize=mode)
      yield _conv("depth_to_space", lambda v: tf.nn.depth_to_space(v, 2),
                  _f32(1, 3, 4, 8), quantize=mode, resolver=_BUILTIN,
                  reason=_NO_REF % "DEPTH_TO_SPACE")
    # Shape chains.
    yield _conv("reshape_transpose", lambda v: tf.transpose(
        tf.reshape(v, [4, 6, 2]), [2, 0, 1]), _f32(2, 4, 6), quantize=mode)
    yield _conv("squeeze_expand", lambda v: tf.expand_dims(
        tf.squeeze(v, 1), 0), _f32(3, 1, 5), quantize=mode)
    yield _conv("slice_stride", lambda v: tf.concat([tf.strided_slice(
        v, [0, 1, 0], [3, 6, 4], [1, 2, 3]), tf.slice(
            v, [0, 0, 1], [3, 3, 2])], axis=2), _f32(3, 6, 4), quantize=mode)
    yield _conv("gather", lambda v: tf.gather(v, [3, 0, 2, 2], axis=1),
                _f32(2, 5, 3), quantize=mode)
    yield _conv("split_concat", lambda v: tf.concat(
        tf.split(v, 3, axis=1)[::-1], axis=1), _f32(2, 6), quantize=mode)
    tile_kw = dict(resolver=_BUILTIN, reason=_NO_REF % "TILE")
    yield _conv("tile_reverse", lambda v: tf.reverse(
        tf.tile(v, [2, 3]), [1]), _f32(2, 3), quantize=mode, **tile_kw)


# ---- Hand-built single-op models --------------------------------------------

_NP = {"INT8": np.int8, "UINT8": np.uint8, "INT16": np.int16}


def _schema():
  from tensorflow.lite.python import schema_py_generated as s
  return s


def _qdata(type_name, shape, lo=None, hi=None):
  info = np.iinfo(_NP[type_name])
  lo = info.min if lo is None else lo
  hi = info.max if hi is None else hi
  return _R.integers(lo, hi, shape, endpoint=True).astype(_NP[type_name])


def _single(name, op, type_name, x, in_q, out_shape, out_q, consts=(),
            options=None, expect_error=None, out_type=None, **kw):
  """A one-op model: input x (type_name, in_q = (scale, zero_point) or
  None), constant extra inputs `consts` [(name, array, type, quant)], one
  output (out_q)."""
  s = _schema()
  m = SingleOpModel(s, op)
  tt = getattr(s.TensorType, type_name)
  xi = m.tensor("x", x.shape, tt,
                quantization=None if in_q is None else qparams(s, *in_q))
  ins = [xi]
  for cname, arr, ctype, cq in consts:
    ins.append(m.tensor(cname, arr.shape, getattr(s.TensorType, ctype),
                        data=arr,
                        quantization=None if cq is None else qparams(s, *cq)))
  yi = m.tensor("y", out_shape, getattr(s.TensorType, out_type or type_name),
                quantization=None if out_q is None else qparams(s, *out_q))
  model = m.finish(ins, [yi], [("x", xi)], [("y", yi)], options=options)
  return Case(name="qspatial/" + name, model_bytes=model, inputs={"x": x},
              expect_error=expect_error, **kw)


def _pool_opts(filt, stride, padding="SAME", act=0):
  s = _schema()
  return ("Pool2DOptions", dict(
      padding=getattr(s.Padding, padding), strideH=stride[0],
      strideW=stride[1], filterHeight=filt[0], filterWidth=filt[1],
      fusedActivationFunction=act))


def _pool_out(shape, filt, stride, padding):
  n, h, w, c = shape
  if padding == "SAME":
    oh, ow = -(-h // stride[0]), -(-w // stride[1])
  else:
    oh = (h - filt[0]) // stride[0] + 1
    ow = (w - filt[1]) // stride[1] + 1
  return [n, oh, ow, c]


_ACT = dict(NONE=0, RELU=1, RELU_N1_TO_1=2, RELU6=3)


def _pool_cases():
  shape = (2, 7, 6, 3)
  for op in ("AVERAGE_POOL_2D", "MAX_POOL_2D"):
    short = "avgpool" if op == "AVERAGE_POOL_2D" else "maxpool"
    for type_name, q in (("INT8", (0.05, -7)), ("UINT8", (0.03, 131)),
                         ("INT16", (0.001, 0))):
      x = _qdata(type_name, shape)
      for filt, stride, pad in (((3, 3), (2, 2), "SAME"),
                                ((2, 3), (1, 2), "VALID")):
        yield _single("%s_%s_%s_%dx%d" % (short, type_name.lower(),
                                          pad.lower(), *filt),
                      op, type_name, x, q, _pool_out(shape, filt, stride, pad),
                      q, options=_pool_opts(filt, stride, pad))
      for act in ("RELU", "RELU6", "RELU_N1_TO_1"):
        yield _single("%s_%s_%s" % (short, type_name.lower(), act.lower()),
                      op, type_name, x, q,
                      _pool_out(shape, (2, 2), (2, 2), "SAME"), q,
                      options=_pool_opts((2, 2), (2, 2), "SAME", _ACT[act]))
  # Rounding of negative and positive halves: windows of 2 and 4.
  x = np.array([[-3, -1, 1, 3, -2, 5, -128, 127]], np.int8).reshape(1, 1, 8, 1)
  yield _single("avgpool_int8_halves", "AVERAGE_POOL_2D", "INT8", x,
                (0.5, 0), [1, 1, 4, 1], (0.5, 0),
                options=_pool_opts((1, 2), (1, 2), "VALID"))
  # Negative cases.
  x = _qdata("INT8", (1, 4, 4, 2))
  yield _single("neg_avgpool_params_differ", "AVERAGE_POOL_2D", "INT8", x,
                (0.05, 0), [1, 2, 2, 2], (0.1, 0),
                options=_pool_opts((2, 2), (2, 2), "VALID"),
                expect_error="same quantization")
  yield _single("neg_maxpool_zero_point_differ", "MAX_POOL_2D", "UINT8",
                _qdata("UINT8", (1, 4, 4, 2)), (0.05, 128), [1, 2, 2, 2],
                (0.05, 127), options=_pool_opts((2, 2), (2, 2), "VALID"),
                expect_error="same quantization")
  yield _single("neg_avgpool_no_quantization", "AVERAGE_POOL_2D", "INT8", x,
                None, [1, 2, 2, 2], None,
                options=_pool_opts((2, 2), (2, 2), "VALID"),
                expect_error="no quantization parameters")
  yield _single("neg_maxpool_zero_scale", "MAX_POOL_2D", "INT8", x,
                (0.0, 0), [1, 2, 2, 2], (0.0, 0),
                options=_pool_opts((2, 2), (2, 2), "VALID"),
                expect_error="scales must be finite and greater than zero")
  yield _single("neg_l2pool_int8", "L2_POOL_2D", "INT8", x,
                (0.05, 0), [1, 2, 2, 2], (0.05, 0),
                options=_pool_opts((2, 2), (2, 2), "VALID"),
                expect_error="not supported yet")


def _reduce_out(shape, axes, keep):
  axes = [a % len(shape) for a in axes]
  if keep:
    return [1 if i in axes else d for i, d in enumerate(shape)]
  return [d for i, d in enumerate(shape) if i not in axes]


def _reduce(name, op, type_name, x, axes, in_q, out_q, keep=False, **kw):
  axes_arr = np.asarray(axes, np.int32)
  return _single(name, op, type_name, x, in_q,
                 _reduce_out(x.shape, axes, keep), out_q,
                 consts=[("axis", axes_arr, "INT32", None)],
                 options=("ReducerOptions", {"keepDims": keep}), **kw)



def _reduce_cases():
  shape = (3, 5, 4)
  forms = (("INT8", (0.05, -3), (0.03, 5)), ("UINT8", (0.04, 120),
                                             (0.02, 131)),
           ("INT16", (0.002, 0), (0.0015, 0)))
  for type_name, in_q, out_q in forms:
    t = type_name.lower()
    x = _qdata(type_name, shape)
    yield _reduce("mean_%s_axis1" % t, "MEAN", type_name, x, [1], in_q, out_q)
    yield _reduce("mean_%s_keepdims" % t, "MEAN", type_name, x, [0, -1],
                  in_q, out_q, keep=True)
    yield _reduce("mean_%s_all" % t, "MEAN", type_name, x, [0, 1, 2], in_q,
                  out_q)
    yield _reduce("mean_%s_same_params" % t, "MEAN", type_name, x, [2], in_q,
                  in_q)
    yield _reduce("mean_%s_no_axes" % t, "MEAN", type_name, x,
                  np.zeros([0], np.int32), in_q, out_q)
    # Large input scale: the output saturates.
    yield _reduce("mean_%s_saturate" % t, "MEAN", type_name, x, [1],
                  (in_q[0] * 40, in_q[1]), out_q)
    yield _reduce("mean_%s_4d_hw" % t, "MEAN", type_name,
                  _qdata(type_name, (2, 6, 5, 3)), [1, 2], in_q, out_q,
                  keep=True)
    # 1/n folded into the multiplier for many elements.
    yield _reduce("mean_%s_long" % t, "MEAN", type_name,
                  _qdata(type_name, (2, 300)), [1], in_q, out_q)
    sum_kw = {} if type_name == "UINT8" else dict(resolver=_BUILTIN,
                                                  reason=_SUM_REASON)
    yield _reduce("sum_%s_axis1" % t, "SUM", type_name, x, [1], in_q,
                  (out_q[0] * 4, out_q[1]), **sum_kw)
    yield _reduce("sum_%s_keepdims_saturate" % t, "SUM", type_name, x, [0, 2],
                  in_q, out_q, keep=True, **sum_kw)
    yield _reduce("max_%s" % t, "REDUCE_MAX", type_name, x, [1], in_q, in_q)
    yield _reduce("min_%s_keepdims" % t, "REDUCE_MIN", type_name, x, [0, 2],
                  in_q, in_q, keep=True)
  # REDUCE_PROD: quantized int8 and int16.
  yield _reduce("prod_int8_axis1", "REDUCE_PROD", "INT8",
                _qdata("INT8", (3, 4, 2), -40, 40), [1], (0.05, 2),
                (0.02, -1))
  yield _reduce("prod_int8_all_keepdims", "REDUCE_PROD", "INT8",
                _qdata("INT8", (2, 3), -60, 60), [0, 1], (0.04, 0),
                (0.01, 0), keep=True)
  yield _reduce("prod_int16_axis0", "REDUCE_PROD", "INT16",
                _qdata("INT16", (3, 5), -2000, 2000), [0], (0.001, 0),
                (0.0002, 0))
  # Negative cases.
  x = _qdata("INT8", shape)
  yield _reduce("neg_mean_int8_no_quantization", "MEAN", "INT8", x, [1],
                None, None, expect_error="no quantization parameters")
  yield _reduce("neg_mean_int16_zero_point", "MEAN", "INT16",
                _qdata("INT16", shape), [1], (0.001, 3), (0.001, 0),
                expect_error="must have zero point 0")
  yield _reduce("neg_sum_int8_zero_scale", "SUM", "INT8", x, [1],
                (0.05, 0), (0.0, 0),
                expect_error="scales must be finite and greater than zero")
  yield _reduce("neg_max_int8_params_differ", "REDUCE_MAX", "INT8", x, [1],
                (0.05, 0), (0.05, 1), expect_error="same quantization")
  yield _reduce("neg_prod_uint8_quantized", "REDUCE_PROD", "UINT8",
                _qdata("UINT8", shape), [1], (0.05, 0), (0.05, 0),
                expect_error="quantized uint8 input is not supported")
  yield _reduce("neg_mean_int8_zero_point_range", "MEAN", "INT8", x, [1],
                (0.05, 200), (0.05, 0), expect_error="outside the range")


def _resize_cases():
  s = _schema()
  for type_name, q in (("INT8", (0.05, 3)), ("UINT8", (0.04, 128)),
                       ("INT16", (0.001, 0))):
    t = type_name.lower()
    x = _qdata(type_name, (2, 4, 5, 3))
    for op, opt in (("RESIZE_BILINEAR", "ResizeBilinearOptions"),
                    ("RESIZE_NEAREST_NEIGHBOR",
                     "ResizeNearestNeighborOptions")):
      short = "bilinear" if op == "RESIZE_BILINEAR" else "nearest"
      for size, align, half in (((7, 9), False, False), ((7, 9), True, False),
                                ((3, 8), False, True), ((1, 1), True, False)):
        tag = "align" if align else ("half" if half else "plain")
        yield _single("%s_%s_%s_%dx%d" % (short, t, tag, *size), op,
                      type_name, x, q, [2, size[0], size[1], 3], q,
                      consts=[("size", np.asarray(size, np.int32), "INT32",
                               None)],
                      options=(opt, dict(alignCorners=align,
                                         halfPixelCenters=half)))
  x = _qdata("INT8", (1, 3, 3, 2))
  yield _single("neg_bilinear_params_differ", "RESIZE_BILINEAR", "INT8", x,
                (0.05, 0), [1, 6, 6, 2], (0.1, 0),
                consts=[("size", np.asarray([6, 6], np.int32), "INT32",
                         None)],
                options=("ResizeBilinearOptions", {}),
                expect_error="quantized output")
  del s


def _move_cases():
  # PAD / PADV2 / MIRROR_PAD.
  for type_name, q in (("INT8", (0.05, -20)), ("UINT8", (0.02, 77)),
                       ("INT16", (0.001, 0))):
    t = type_name.lower()
    x = _qdata(type_name, (2, 3, 4))
    pads = np.array([[1, 0], [0, 2], [3, 1]], np.int32)
    out = [3, 5, 8]
    yield _single("raw_pad_%s" % t, "PAD", type_name, x, q, out, q,
                  consts=[("paddings", pads, "INT32", None)])
    value = _qdata(type_name, (1,))
    yield _single("raw_padv2_%s" % t, "PADV2", type_name, x, q, out, q,
                  consts=[("paddings", pads, "INT32", None),
                          ("value", value, type_name, q)])
    yield _single("raw_mirror_pad_%s" % t, "MIRROR_PAD", type_name, x, q,
                  [4, 5, 7], q,
                  consts=[("paddings", np.array([[1, 1], [0, 2], [2, 1]],
                                                np.int32), "INT32", None)],
                  options=("MirrorPadOptions", {"mode": 1}))
    yield _single("raw_reshape_%s" % t, "RESHAPE", type_name, x, q, [4, 6], q,
                  consts=[("shape", np.array([4, 6], np.int32), "INT32",
                           None)])
    yield _single("raw_transpose_%s" % t, "TRANSPOSE", type_name, x, q,
                  [4, 2, 3], q,
                  consts=[("perm", np.array([2, 0, 1], np.int32), "INT32",
                           None)])
    if type_name != "INT16":  # LiteRT's SPACE_TO_DEPTH has no int16
      yield _single("raw_space_to_depth_%s" % t, "SPACE_TO_DEPTH", type_name,
                    _qdata(type_name, (1, 4, 6, 2)), q, [1, 2, 3, 8], q,
                    options=("SpaceToDepthOptions", {"blockSize": 2}))
    yield _single("raw_batch_to_space_%s" % t, "BATCH_TO_SPACE_ND", type_name,
                  _qdata(type_name, (4, 2, 3, 1)), q, [1, 4, 5, 1], q,
                  consts=[("block", np.array([2, 2], np.int32), "INT32",
                           None),
                          ("crops", np.array([[0, 0], [0, 1]], np.int32),
                           "INT32", None)])
    yield _single("raw_space_to_batch_%s" % t, "SPACE_TO_BATCH_ND", type_name,
                  _qdata(type_name, (1, 3, 4, 2)), q, [4, 2, 3, 2], q,
                  consts=[("block", np.array([2, 2], np.int32), "INT32",
                           None),
                          ("pads", np.array([[1, 0], [1, 1]], np.int32),
                           "INT32", None)])
  # Negative cases: bytes must not move across different scales.
  x = _qdata("INT8", (2, 3, 4))
  pads = np.array([[1, 0], [0, 2], [3, 1]], np.int32)
  yield _single("neg_padv2_value_params", "PADV2", "INT8", x, (0.05, 0),
                [3, 5, 8], (0.05, 0),
                consts=[("paddings", pads, "INT32", None),
                        ("value", np.array([3], np.int8), "INT8",
                         (0.1, 0))],
                expect_error="same quantization")
  yield _single("neg_pad_params_differ", "PAD", "INT8", x, (0.05, 0),
                [3, 5, 8], (0.05, 4),
                consts=[("paddings", pads, "INT32", None)],
                expect_error="quantized output")
  yield _single("neg_reshape_params_differ", "RESHAPE", "UINT8",
                _qdata("UINT8", (2, 3, 4)), (0.05, 128), [4, 6], (0.1, 128),
                consts=[("shape", np.array([4, 6], np.int32), "INT32",
                         None)],
                expect_error="same quantization")
  yield _single("neg_transpose_params_differ", "TRANSPOSE", "INT16",
                _qdata("INT16", (2, 3, 4)), (0.001, 0), [4, 2, 3],
                (0.002, 0),
                consts=[("perm", np.array([2, 0, 1], np.int32), "INT32",
                         None)],
                expect_error="quantized output")
  yield _single("neg_space_to_depth_params_differ", "SPACE_TO_DEPTH", "INT8",
                _qdata("INT8", (1, 4, 6, 2)), (0.05, 0), [1, 2, 3, 8],
                (0.05, 1), options=("SpaceToDepthOptions", {"blockSize": 2}),
                expect_error="quantized output")


def _op(name, op, x, x_type, x_q, consts, outputs, options=None,
        expect_error=None, version=1, **kw):
  """A one-op model with graph input x (first operand unless consts hold
  ("x", None, ...) marking its position), constant inputs consts [(name,
  array, type, quant)] and outputs [(name, shape, type, quant)]."""
  s = _schema()
  m = SingleOpModel(s, op)
  m.model.operatorCodes[0].version = version
  q = lambda v: None if v is None else qparams(s, *v)
  xi = m.tensor("x", x.shape, getattr(s.TensorType, x_type),
                quantization=q(x_q))
  ins = []
  if not any(c[1] is None for c in consts):
    ins.append(xi)
  for cname, arr, ctype, cq in consts:
    if arr is None:
      ins.append(xi)
      continue
    ins.append(m.tensor(cname, arr.shape, getattr(s.TensorType, ctype),
                        data=arr, quantization=q(cq)))
  outs = [(oname, m.tensor(oname, shape, getattr(s.TensorType, otype),
                           quantization=q(oq)))
          for oname, shape, otype, oq in outputs]
  model = m.finish(ins, [k for _, k in outs], [("x", xi)], outs,
                   options=options)
  return Case(name="qspatial/" + name, model_bytes=model, inputs={"x": x},
              expect_error=expect_error, **kw)


def _i32(*v):
  return np.asarray(v, np.int32)


def _shape_op_cases():
  """The data-moving ops on uint8 / int16 / int8 with quantization: raw
  moves, input and output parameters equal."""
  for type_name, q in (("UINT8", (0.02, 77)), ("INT16", (0.001, 0)),
                       ("INT8", (0.05, -20))):
    t = type_name.lower()
    x = _qdata(type_name, (2, 3, 4))
    o = lambda shape, tt=type_name, qq=q: ("y", shape, tt, qq)
    yield _op("raw_gather_%s" % t, "GATHER", x, type_name, q,
              [("indices", _i32(2, 0, 2), "INT32", None)],
              [o([2, 3, 3])], options=("GatherOptions", {"axis": 2}))
    yield _op("raw_gather_nd_%s" % t, "GATHER_ND", x, type_name, q,
              [("indices", _i32([1, 2], [0, 0]), "INT32", None)],
              [o([2, 4])])
    yield _op("raw_strided_slice_%s" % t, "STRIDED_SLICE", x, type_name, q,
              [("begin", _i32(0, 2, 3), "INT32", None),
               ("end", _i32(2, 0, 0), "INT32", None),
               ("strides", _i32(1, -1, -2), "INT32", None)],
              [o([2, 2, 2])], options=("StridedSliceOptions", {}))
    yield _op("raw_slice_%s" % t, "SLICE", x, type_name, q,
              [("begin", _i32(1, 0, 1), "INT32", None),
               ("size", _i32(1, -1, 2), "INT32", None)], [o([1, 3, 2])])
    yield _op("raw_split_%s" % t, "SPLIT", x, type_name, q,
              [("axis", _i32(2), "INT32", None), ("x", None, None, None)],
              [("y0", [2, 3, 2], type_name, q),
               ("y1", [2, 3, 2], type_name, q)],
              options=("SplitOptions", {"numSplits": 2}))
    yield _op("raw_split_v_%s" % t, "SPLIT_V", x, type_name, q,
              [("sizes", _i32(1, 2), "INT32", None),
               ("axis", _i32(1), "INT32", None)],
              [("y0", [2, 1, 4], type_name, q),
               ("y1", [2, 2, 4], type_name, q)],
              options=("SplitVOptions", {"numSplits": 2}))
    yield _op("raw_tile_%s" % t, "TILE", x, type_name, q,
              [("multiples", _i32(1, 2, 1), "INT32", None)], [o([2, 6, 4])],
              resolver=_BUILTIN, reason=_NO_REF % "TILE")
    yield _op("raw_broadcast_to_%s" % t, "BROADCAST_TO", x, type_name, q,
              [("shape", _i32(2, 2, 3, 4), "INT32", None)],
              [o([2, 2, 3, 4])], version=2)
    yield _op("raw_reverse_%s" % t, "REVERSE_V2", x, type_name, q,
              [("axis", _i32(1), "INT32", None)], [o([2, 3, 4])])
    yield _op("raw_squeeze_expand_%s" % t, "EXPAND_DIMS", x, type_name, q,
              [("axis", _i32(1), "INT32", None)], [o([2, 1, 3, 4])])
    yield _op("raw_squeeze_%s" % t, "SQUEEZE",
              _qdata(type_name, (1, 3, 1, 4)), type_name, q, [],
              [o([3, 4])], options=("SqueezeOptions", {"squeezeDims": [0, 2]}))
    yield _op("raw_topk_%s" % t, "TOPK_V2", x, type_name, q,
              [("k", _i32(2), "INT32", None)],
              [("values", [2, 3, 2], type_name, q),
               ("indices", [2, 3, 2], "INT32", None)])
    yield _op("raw_dynamic_update_slice_%s" % t, "DYNAMIC_UPDATE_SLICE", x,
              type_name, q,
              [("update", _qdata(type_name, (1, 2, 2)), type_name, q),
               ("start", _i32(1, 1, 1), "INT32", None)], [o([2, 3, 4])])
    yield _op("raw_matrix_diag_%s" % t, "MATRIX_DIAG", x, type_name, q, [],
              [o([2, 3, 4, 4])])
    yield _op("raw_matrix_set_diag_%s" % t, "MATRIX_SET_DIAG", x, type_name, q,
              [("diag", _qdata(type_name, (2, 3)), type_name, q)],
              [o([2, 3, 4])])
    if type_name != "INT16":  # LiteRT's SCATTER_ND has no int16
      yield _op("raw_scatter_nd_%s" % t, "SCATTER_ND",
                _qdata(type_name, (2, 4)), type_name, q,
                [("indices", _i32([1], [3]), "INT32", None),
                 ("x", None, None, None),
                 ("shape", _i32(5, 4), "INT32", None)], [o([5, 4])])
    if type_name != "INT16":
      yield _op("raw_argmax_%s" % t, "ARG_MAX", x, type_name, q,
                [("axis", _i32(2), "INT32", None)],
                [("y", [2, 3], "INT32", None)],
                options=("ArgMaxOptions", {"outputType": 2}))
      yield _op("raw_argmin_%s" % t, "ARG_MIN", x, type_name, q,
                [("axis", _i32(-2), "INT32", None)],
                [("y", [2, 4], "INT64", None)],
                options=("ArgMinOptions", {"outputType": 4}))
  # Negative cases: different parameters on input and output.
  x = _qdata("INT8", (2, 3, 4))
  q, q2 = (0.05, -20), (0.05, -19)
  yield _op("neg_gather_params_differ", "GATHER", x, "INT8", q,
            [("indices", _i32(2, 0), "INT32", None)],
            [("y", [2, 3, 2], "INT8", q2)],
            options=("GatherOptions", {"axis": 2}),
            expect_error="quantized output")
  yield _op("neg_split_params_differ", "SPLIT", x, "INT8", q,
            [("axis", _i32(2), "INT32", None), ("x", None, None, None)],
            [("y0", [2, 3, 2], "INT8", q), ("y1", [2, 3, 2], "INT8", q2)],
            options=("SplitOptions", {"numSplits": 2}),
            expect_error="quantized")
  yield _op("neg_topk_params_differ", "TOPK_V2", x, "INT8", q,
            [("k", _i32(2), "INT32", None)],
            [("values", [2, 3, 2], "INT8", q2),
             ("indices", [2, 3, 2], "INT32", None)],
            expect_error="same quantization")
  yield _op("neg_strided_slice_params_differ", "STRIDED_SLICE", x, "INT8",
            q, [("begin", _i32(0, 0, 0), "INT32", None),
                ("end", _i32(2, 3, 4), "INT32", None),
                ("strides", _i32(1, 1, 1), "INT32", None)],
            [("y", [2, 3, 4], "INT8", (0.1, -20))],
            options=("StridedSliceOptions", {}),
            expect_error="quantized output")
  yield _op("neg_squeeze_unquantized_output", "SQUEEZE",
            _qdata("UINT8", (1, 3, 4)), "UINT8", (0.02, 77), [],
            [("y", [3, 4], "UINT8", None)],
            expect_error="quantized output")


def _edge_cases():
  """MEAN's multiplier edges: a tiny scale ratio with many elements (the
  1/n shift is capped), a ratio above 1 (left shift), extreme sums."""
  x = _qdata("INT8", (2, 400))
  yield _reduce("mean_int8_tiny_ratio", "MEAN", "INT8", x, [1], (1e-7, 0),
                (1e-8, 3))
  yield _reduce("mean_int8_ratio_above_1", "MEAN", "INT8",
                _qdata("INT8", (3, 7), -9, 9), [1], (0.5, 1), (0.01, -2))
  yield _reduce("mean_uint8_all_max", "MEAN", "UINT8",
                np.full((4, 130), 255, np.uint8), [1], (0.02, 0), (0.02, 0))
  yield _reduce("mean_int16_extremes", "MEAN", "INT16",
                np.array([[-32768] * 9 + [32767] * 8], np.int16), [1],
                (0.002, 0), (0.001, 0))
  yield _reduce("sum_uint8_large", "SUM", "UINT8",
                np.full((2, 500), 250, np.uint8), [1], (0.01, 3), (5.0, 1))
  yield _reduce("prod_int16_keepdims_rows", "REDUCE_PROD", "INT16",
                _qdata("INT16", (2, 3, 2), -3000, 3000), [1], (0.0005, 0),
                (0.0001, 0), keep=True)


def _converted_extra_cases():
  """More converter-made forms: REDUCE_PROD (int8 and int16), nearest
  resizing with align_corners, overlapping max pooling."""
  xp = _R.uniform(0.5, 1.5, (3, 4, 2)).astype(np.float32)
  x4 = _f32(1, 6, 5, 2)
  for mode in _MODES:
    yield _conv("prod_axis1", lambda v: tf.reduce_prod(v, 1), xp,
                quantize=mode)
    yield _conv("resize_nearest_align", lambda v:
                tf.compat.v1.image.resize_nearest_neighbor(
                    v, [9, 7], align_corners=True), x4, quantize=mode)
    yield _conv("maxpool_overlap", lambda v: tf.nn.max_pool2d(
        v, 3, 1, "SAME"), x4, quantize=mode)


def _more_negative_cases():
  """Parameters LiteRT does not check (pylite refuses them clearly)."""
  x = _qdata("INT8", (2, 3, 4))
  pads = np.array([[1, 0], [0, 2], [3, 1]], np.int32)
  yield _single("neg_pad_zero_point_range", "PAD", "INT8", x, (0.05, 200),
                [3, 5, 8], (0.05, 200),
                consts=[("paddings", pads, "INT32", None)],
                expect_error="outside the range")
  yield _reduce("neg_mean_per_channel_output", "MEAN", "INT8", x, [1],
                (0.05, 0), ([0.05, 0.1], [0, 0]),
                expect_error="must be quantized per tensor")
  yield _single("neg_nearest_params_differ", "RESIZE_NEAREST_NEIGHBOR",
                "UINT8", _qdata("UINT8", (1, 2, 2, 1)), (0.05, 128),
                [1, 4, 4, 1], (0.05, 120),
                consts=[("size", np.asarray([4, 4], np.int32), "INT32",
                         None)],
                options=("ResizeNearestNeighborOptions", {}),
                expect_error="quantized output")
  yield _reduce("neg_sum_uint8_zero_scale_input", "SUM", "UINT8",
                _qdata("UINT8", (2, 3)), [1], (0.0, 128), (0.05, 128),
                expect_error="scales must be finite and greater than zero")


def cases():
  yield from _converted_cases()
  yield from _pool_cases()
  yield from _reduce_cases()
  yield from _resize_cases()
  yield from _move_cases()
  yield from _shape_op_cases()
  yield from _edge_cases()
  yield from _converted_extra_cases()
  yield from _more_negative_cases()
