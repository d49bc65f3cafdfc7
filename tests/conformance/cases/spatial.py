"""Spatial ops: DEPTH_TO_SPACE, SPACE_TO_DEPTH, SPACE_TO_BATCH_ND,
BATCH_TO_SPACE_ND, RESIZE_BILINEAR, RESIZE_NEAREST_NEIGHBOR, CONV_3D.

Most cases are TensorFlow functions; option combinations and bad shapes the
converter never emits come from hand-built single-op models (the builder of
cases/shape.py, renamed into this group).
"""
import numpy as np
import tensorflow as tf

from conformance.cases import Case, rng
from conformance.cases import shape as _shape

_R = rng(11)


def _f32(*shape):
  return _R.standard_normal(shape).astype(np.float32)


def _int(dtype, *shape):
  info = np.iinfo(dtype)
  lo, hi = max(info.min, -2**40), min(info.max, 2**40)
  return _R.integers(lo, hi, shape, endpoint=True).astype(dtype)


def _spec(a, dynamic=False):
  shape = [None] * a.ndim if dynamic else list(a.shape)
  return tf.TensorSpec(shape, tf.as_dtype(a.dtype))


def _case(name, op, *arrays, dynamic=False, **kw):
  """A case running op(*inputs) on the given arrays (all graph inputs)."""
  names = ["x", "y", "z"][:len(arrays)]
  specs = [_spec(a, dynamic) for a in arrays]
  if len(arrays) == 1:
    fn = tf.function(lambda x: op(x), input_signature=specs)
  elif len(arrays) == 2:
    fn = tf.function(lambda x, y: op(x, y), input_signature=specs)
  else:
    fn = tf.function(lambda x, y, z: op(x, y, z), input_signature=specs)
  return Case(name="spatial/" + name, fn=fn, inputs=dict(zip(names, arrays)),
              **kw)


_OP = dict(DEPTH_TO_SPACE=5, RESIZE_BILINEAR=23, SPACE_TO_DEPTH=26,
           BATCH_TO_SPACE_ND=37, SPACE_TO_BATCH_ND=38,
           RESIZE_NEAREST_NEIGHBOR=97, CONV_3D=132)
_OPT = dict(DepthToSpaceOptions=94, SpaceToDepthOptions=19,
            ResizeBilinearOptions=15, ResizeNearestNeighborOptions=74,
            Conv3DOptions=106)


def _opts(cls_name, **fields):
  from tensorflow.lite.python import schema_py_generated as s
  o = getattr(s, cls_name)()
  for k, v in fields.items():
    setattr(o, k, v)
  return o


def _one(name, op, options_cls, options, args, outs, expect_error=None):
  """A one-op model. args: (name, array) graph input, (name, array,
  "const") constant, None omitted; outs: (name, dtype, shape)."""
  tensors, ins, inputs = [], [], {}
  for arg in args:
    if arg is None:
      ins.append(-1)
      continue
    arr = np.asarray(arg[1])
    const = arr if len(arg) > 2 else None
    tensors.append((arg[0], arr.dtype, arr.shape, const))
    ins.append(len(tensors) - 1)
    if const is None:
      inputs[arg[0]] = arr
  out_ids = []
  for oname, dtype, shp in outs:
    tensors.append((oname, dtype, shp, None))
    out_ids.append(len(tensors) - 1)
  opt_type = _OPT[options_cls] if options_cls else 0
  opt = _opts(options_cls + "T", **options) if options_cls else None
  case = _shape._hand(name, _OP[op], opt_type, opt, tensors, ins, out_ids,
                      inputs, expect_error=expect_error)
  case.name = "spatial/" + name
  return case


def _typed(name, op, options_cls, options, x, consts, tf_fn):
  """A hand-built one-op model on input x (types the converter does not
  emit as builtins, e.g. plain int8); the output shape comes from running
  tf_fn on x as float32."""
  out_shape = list(np.asarray(tf_fn(x.astype(np.float32))).shape)
  args = [("x", x)] + [(n, a, "const") for n, a in consts]
  return _one(name, op, options_cls, options, args,
              [("out", x.dtype, out_shape)])


# ---- DEPTH_TO_SPACE / SPACE_TO_DEPTH -----------------------------------------

def _depth():
  d2s = lambda b: (lambda x: tf.nn.depth_to_space(x, b))
  s2d = lambda b: (lambda x: tf.nn.space_to_depth(x, b))
  yield _case("depth_to_space_f32", d2s(2), _f32(2, 3, 2, 8))
  yield _case("depth_to_space_b3_i32", d2s(3), _int(np.int32, 1, 2, 3, 18))
  yield _case("depth_to_space_i64", d2s(2), _int(np.int64, 1, 2, 2, 4))
  yield _case("depth_to_space_u8", d2s(2), _int(np.uint8, 2, 1, 3, 12))
  # The converter gives int8 DEPTH_TO_SPACE version 2, which LiteRT's
  # reference resolver lacks; a version-1 hand model runs the same kernel.
  yield _typed("depth_to_space_i8", "DEPTH_TO_SPACE", "DepthToSpaceOptions",
               dict(blockSize=4), _int(np.int8, 1, 2, 1, 32), [], d2s(4))
  yield _case("depth_to_space_dynamic_batch", d2s(2), _f32(3, 2, 2, 4),
              dynamic=True)
  yield _case("space_to_depth_f32", s2d(2), _f32(2, 4, 6, 3))
  yield _case("space_to_depth_b3_i32", s2d(3), _int(np.int32, 1, 3, 6, 2))
  yield _case("space_to_depth_i64", s2d(2), _int(np.int64, 1, 2, 4, 1))
  yield _typed("space_to_depth_u8", "SPACE_TO_DEPTH", "SpaceToDepthOptions",
               dict(blockSize=2), _int(np.uint8, 1, 4, 2, 5), [], s2d(2))
  yield _typed("space_to_depth_i8", "SPACE_TO_DEPTH", "SpaceToDepthOptions",
               dict(blockSize=4), _int(np.int8, 2, 4, 8, 2), [], s2d(4))
  yield _one("depth_to_space_b1", "DEPTH_TO_SPACE", "DepthToSpaceOptions",
             dict(blockSize=1), [("x", _f32(1, 2, 3, 4))],
             [("out", np.float32, [1, 2, 3, 4])])
  yield _one("depth_to_space_bad_depth", "DEPTH_TO_SPACE",
             "DepthToSpaceOptions", dict(blockSize=2),
             [("x", _f32(1, 2, 2, 6))], [("out", np.float32, [1, 4, 4, 1])],
             expect_error="not a multiple of block_size^2")
  yield _one("depth_to_space_block0", "DEPTH_TO_SPACE",
             "DepthToSpaceOptions", dict(blockSize=0),
             [("x", _f32(1, 2, 2, 4))], [("out", np.float32, [1, 2, 2, 4])],
             expect_error="block_size must be >= 1")
  yield _one("depth_to_space_rank3", "DEPTH_TO_SPACE",
             "DepthToSpaceOptions", dict(blockSize=2),
             [("x", _f32(2, 2, 4))], [("out", np.float32, [4, 4, 1])],
             expect_error="must have 4 dims")
  yield _one("space_to_depth_bad_width", "SPACE_TO_DEPTH",
             "SpaceToDepthOptions", dict(blockSize=2),
             [("x", _f32(1, 4, 3, 1))], [("out", np.float32, [1, 2, 1, 4])],
             expect_error="must be multiples of block_size")


# ---- SPACE_TO_BATCH_ND / BATCH_TO_SPACE_ND -----------------------------------

def _batch():
  def s2b(block, pads):
    return lambda x: tf.space_to_batch_nd(x, block, pads)

  def b2s(block, crops):
    return lambda x: tf.compat.v1.batch_to_space_nd(x, block, crops)

  yield _case("space_to_batch_f32", s2b([2, 3], [[1, 1], [2, 1]]),
              _f32(2, 4, 3, 3))
  yield _case("space_to_batch_no_pad_i32", s2b([2, 2], [[0, 0], [0, 0]]),
              _int(np.int32, 1, 4, 4, 2))
  yield _case("space_to_batch_3d_f32", s2b([3], [[2, 1]]), _f32(2, 6, 4))
  yield _case("space_to_batch_i64", s2b([1, 2], [[1, 0], [0, 1]]),
              _int(np.int64, 1, 2, 3, 2))
  for tag, dtype, block, pads, shp in (
      ("u8", np.uint8, [2, 1], [[1, 1], [0, 0]], (2, 2, 2, 3)),
      ("i8", np.int8, [2, 2], [[0, 2], [3, 1]], (1, 4, 4, 1)),
      ("i16", np.int16, [3], [[1, 1]], (2, 4, 2))):
    yield _typed("space_to_batch_" + tag, "SPACE_TO_BATCH_ND", None, None,
                 _int(dtype, *shp),
                 [("b", np.array(block, np.int32)),
                  ("p", np.array(pads, np.int32))], s2b(block, pads))
  yield _case("space_to_batch_dynamic",
              lambda x, b, p: tf.space_to_batch_nd(x, b, p),
              _f32(1, 5, 4, 2), np.array([3, 2], np.int32),
              np.array([[1, 0], [1, 1]], np.int32))
  yield _case("batch_to_space_f32", b2s([2, 3], [[1, 0], [2, 1]]),
              _f32(12, 2, 3, 3))
  yield _case("batch_to_space_no_crop_i32", b2s([2, 2], [[0, 0], [0, 0]]),
              _int(np.int32, 4, 2, 3, 2))
  yield _case("batch_to_space_3d_f32", b2s([2], [[1, 2]]), _f32(4, 5, 3))
  yield _case("batch_to_space_i64", b2s([2, 1], [[0, 1], [0, 0]]),
              _int(np.int64, 2, 3, 2, 2))
  yield _case("batch_to_space_u8", b2s([1, 3], [[0, 0], [1, 1]]),
              _int(np.uint8, 3, 2, 2, 2))
  yield _case("batch_to_space_i8", b2s([2, 2], [[1, 1], [0, 3]]),
              _int(np.int8, 8, 2, 2, 1))
  yield _case("batch_to_space_dynamic",
              lambda x, b, c: tf.compat.v1.batch_to_space_nd(x, b, c),
              _f32(6, 2, 2, 1), np.array([3, 2], np.int32),
              np.array([[2, 0], [0, 1]], np.int32))
  blk = np.array([2, 2], np.int32)
  yield _one("space_to_batch_not_multiple", "SPACE_TO_BATCH_ND", None, None,
             [("x", _f32(1, 3, 4, 1)), ("b", blk, "const"),
              ("p", np.zeros([2, 2], np.int32), "const")],
             [("out", np.float32, [4, 1, 2, 1])],
             expect_error="not a multiple of block_shape")
  yield _one("space_to_batch_bad_paddings_shape", "SPACE_TO_BATCH_ND", None,
             None, [("x", _f32(1, 4, 4, 1)), ("b", blk, "const"),
                    ("p", np.zeros([2], np.int32), "const")],
             [("out", np.float32, [4, 2, 2, 1])],
             expect_error="paddings must have shape [2,2]")
  yield _one("space_to_batch_rank5", "SPACE_TO_BATCH_ND", None, None,
             [("x", _f32(1, 2, 2, 2, 1)), ("b", blk, "const"),
              ("p", np.zeros([2, 2], np.int32), "const")],
             [("out", np.float32, [4, 1, 1, 2, 1])],
             expect_error="must have 3 or 4 dims")
  yield _one("batch_to_space_batch_not_multiple", "BATCH_TO_SPACE_ND", None,
             None, [("x", _f32(3, 2, 2, 1)), ("b", blk, "const"),
                    ("c", np.zeros([2, 2], np.int32), "const")],
             [("out", np.float32, [1, 4, 4, 1])],
             expect_error="not a multiple of the block size")
  yield _one("batch_to_space_crops_too_big", "BATCH_TO_SPACE_ND", None,
             None, [("x", _f32(4, 1, 2, 1)), ("b", blk, "const"),
                    ("c", np.array([[2, 1], [0, 0]], np.int32), "const")],
             [("out", np.float32, [1, 1, 4, 1])], expect_error="exceed")
  yield _one("batch_to_space_block_shape_size", "BATCH_TO_SPACE_ND", None,
             None, [("x", _f32(4, 2, 2, 1)),
                    ("b", np.array([2, 2, 1], np.int32), "const"),
                    ("c", np.zeros([2, 2], np.int32), "const")],
             [("out", np.float32, [1, 4, 4, 1])],
             expect_error="block_shape must have shape [2]")


# ---- RESIZE_BILINEAR / RESIZE_NEAREST_NEIGHBOR -------------------------------

def _resize():
  def bil(size, align=False, half=False):
    return lambda x: tf.raw_ops.ResizeBilinear(
        images=x, size=size, align_corners=align, half_pixel_centers=half)

  def nn(size, align=False, half=False):
    return lambda x: tf.raw_ops.ResizeNearestNeighbor(
        images=x, size=size, align_corners=align, half_pixel_centers=half)

  img = _f32(2, 5, 7, 3)
  for tag, size in (("up", [9, 13]), ("down", [3, 4]), ("odd", [7, 5])):
    yield _case("resize_bilinear_%s" % tag, bil(size), img)
    yield _case("resize_bilinear_%s_align" % tag, bil(size, align=True), img)
    yield _case("resize_bilinear_%s_half" % tag, bil(size, half=True), img)
    yield _case("resize_nearest_%s" % tag, nn(size), img)
    yield _case("resize_nearest_%s_align" % tag, nn(size, align=True), img)
    yield _case("resize_nearest_%s_half" % tag, nn(size, half=True), img)
  one = _f32(1, 1, 1, 2)
  yield _case("resize_bilinear_from_1x1_align", bil([3, 2], align=True), one)
  yield _case("resize_bilinear_to_1x1_align", bil([1, 1], align=True),
              _f32(1, 3, 4, 1))
  yield _case("resize_nearest_to_1x1_half", nn([1, 1], half=True),
              _f32(1, 4, 3, 1))
  yield _case("resize_bilinear_large_ratio_half", bil([31, 3], half=True),
              _f32(1, 3, 30, 1))
  yield _case("resize_bilinear_dynamic_size",
              lambda x, s: tf.raw_ops.ResizeBilinear(
                  images=x, size=s, half_pixel_centers=True),
              _f32(1, 3, 4, 2), np.array([5, 2], np.int32))
  yield _case("resize_nearest_dynamic_size",
              lambda x, s: tf.raw_ops.ResizeNearestNeighbor(
                  images=x, size=s, align_corners=True),
              _f32(1, 3, 4, 2), np.array([7, 3], np.int32))
  yield _case("resize_bilinear_image_resize", lambda x: tf.image.resize(
      x, [6, 10]), _f32(1, 4, 4, 2))
  yield _case("resize_nearest_image_resize", lambda x: tf.image.resize(
      x, [5, 9], method="nearest"), _f32(1, 4, 4, 2))
  for tag, dtype, size, align, half, shp in (
      ("u8", np.uint8, [5, 3], False, True, (1, 3, 2, 2)),
      ("i8", np.int8, [4, 6], False, False, (2, 3, 4, 1)),
      ("i16", np.int16, [4, 6], True, False, (1, 3, 4, 1)),
      ("i32", np.int32, [2, 7], False, False, (1, 3, 4, 1))):
    yield _typed("resize_nearest_" + tag, "RESIZE_NEAREST_NEIGHBOR",
                 "ResizeNearestNeighborOptions",
                 dict(alignCorners=align, halfPixelCenters=half),
                 _int(dtype, *shp), [("s", np.array(size, np.int32))],
                 nn(size, align, half))
  # LiteRT's nearest-neighbour kernel accepts both options at once.
  yield _one("resize_nearest_align_and_half", "RESIZE_NEAREST_NEIGHBOR",
             "ResizeNearestNeighborOptions",
             dict(alignCorners=True, halfPixelCenters=True),
             [("x", _f32(1, 3, 5, 1)),
              ("s", np.array([7, 4], np.int32), "const")],
             [("out", np.float32, [1, 7, 4, 1])])
  sz = np.array([4, 4], np.int32)
  yield _one("resize_bilinear_align_and_half", "RESIZE_BILINEAR",
             "ResizeBilinearOptions",
             dict(alignCorners=True, halfPixelCenters=True),
             [("x", _f32(1, 2, 2, 1)), ("s", sz, "const")],
             [("out", np.float32, [1, 4, 4, 1])],
             expect_error="align_corners must be False")
  for op, cls in (("RESIZE_BILINEAR", "ResizeBilinearOptions"),
                  ("RESIZE_NEAREST_NEIGHBOR",
                   "ResizeNearestNeighborOptions")):
    tag = op.lower()
    yield _one(tag + "_size_shape", op, cls, {},
               [("x", _f32(1, 2, 2, 1)),
                ("s", np.array([4, 4, 1], np.int32), "const")],
               [("out", np.float32, [1, 4, 4, 1])],
               expect_error="size must be an int32 tensor of shape [2]")
    yield _one(tag + "_rank3", op, cls, {},
               [("x", _f32(2, 2, 1)), ("s", sz, "const")],
               [("out", np.float32, [4, 4, 1])],
               expect_error="must have 4 dims")


# ---- CONV_3D -----------------------------------------------------------------

def _conv3d():
  def conv(filt, strides=(1, 1, 1), padding="VALID", dil=(1, 1, 1),
           bias=None, act=None):
    w = tf.constant(filt)

    def f(x):
      y = tf.nn.conv3d(x, w, strides=[1, *strides, 1], padding=padding,
                       dilations=[1, *dil, 1])
      if bias is not None:
        y = tf.nn.bias_add(y, tf.constant(bias))
      if act is not None:
        y = act(y)
      return y
    return f

  x = _f32(2, 4, 5, 6, 3)
  yield _case("conv3d_valid", conv(_f32(2, 3, 2, 3, 4)), x)
  yield _case("conv3d_same_stride", conv(_f32(3, 3, 3, 3, 2),
                                         strides=(2, 1, 2), padding="SAME"),
              x)
  yield _case("conv3d_same_bias_relu", conv(
      _f32(2, 2, 3, 3, 5), padding="SAME", bias=_f32(5), act=tf.nn.relu), x)
  yield _case("conv3d_valid_bias_relu6", conv(
      _f32(1, 2, 2, 3, 4), strides=(1, 2, 3), bias=_f32(4),
      act=tf.nn.relu6), x)
  yield _case("conv3d_dilated_same", conv(
      _f32(2, 2, 2, 3, 2), padding="SAME", dil=(2, 2, 3)), x)
  yield _case("conv3d_dilated_valid_bias", conv(
      _f32(2, 2, 2, 3, 3), dil=(2, 1, 2), bias=_f32(3)), x)
  yield _case("conv3d_1x1x1", conv(_f32(1, 1, 1, 3, 6)), _f32(1, 2, 2, 2, 3))
  yield _case("conv3d_dynamic_batch", conv(_f32(2, 2, 2, 3, 2),
                                          padding="SAME"),
              _f32(3, 2, 3, 3, 3), dynamic=True)
  w = _f32(2, 2, 2, 3, 4)
  yield _one("conv3d_channel_mismatch", "CONV_3D", "Conv3DOptions",
             dict(padding=1, strideD=1, strideH=1, strideW=1),
             [("x", _f32(1, 3, 3, 3, 2)), ("w", w, "const")],
             [("out", np.float32, [1, 2, 2, 2, 4])],
             expect_error="differ from the input channels")
  yield _one("conv3d_bias_size", "CONV_3D", "Conv3DOptions",
             dict(padding=1, strideD=1, strideH=1, strideW=1),
             [("x", _f32(1, 3, 3, 3, 3)), ("w", w, "const"),
              ("b", _f32(3), "const")],
             [("out", np.float32, [1, 2, 2, 2, 4])],
             expect_error="bias has 3 elements")
  yield _one("conv3d_no_bias_hand", "CONV_3D", "Conv3DOptions",
             dict(padding=0, strideD=2, strideH=1, strideW=2,
                  fusedActivationFunction=2),
             [("x", _f32(1, 3, 4, 5, 3)), ("w", w, "const"), None],
             [("out", np.float32, [1, 2, 4, 3, 4])])
  yield _one("conv3d_rank4", "CONV_3D", "Conv3DOptions",
             dict(padding=1, strideD=1, strideH=1, strideW=1),
             [("x", _f32(3, 3, 3, 3)), ("w", w, "const")],
             [("out", np.float32, [2, 2, 2, 4])],
             expect_error="input must be 5-D")


def _edges():
  """Zero-sized dims (LiteRT's Python API cannot return empty outputs, so
  each empty result is joined to a non-empty input along its empty axis;
  dynamic shapes keep the converter from folding the empty op away),
  and types the kernels reject."""
  yield _case("depth_to_space_zero_batch", lambda x, y: tf.concat(
      [tf.nn.depth_to_space(x[:0], 2), y], 0), _f32(2, 2, 3, 8),
      _f32(1, 4, 6, 2), dynamic=True)
  # (Zero channels would do too, but LiteRT's XNNPACK path, which the
  # generator also runs, gets that one wrong.)
  yield _case("space_to_depth_zero_batch", lambda x, y: tf.concat(
      [tf.nn.space_to_depth(x[:0], 2), y], 0), _f32(2, 4, 2, 3),
      _f32(1, 2, 1, 12), dynamic=True)
  yield _case("space_to_batch_zero_channels", lambda x, y: tf.concat(
      [tf.space_to_batch_nd(x[..., :0], [2, 2], [[1, 1], [0, 2]]), y], 3),
      _f32(1, 4, 2, 3), _f32(4, 3, 2, 1), dynamic=True)
  yield _case("batch_to_space_zero_width", lambda x, y: tf.concat(
      [tf.compat.v1.batch_to_space_nd(x, [2, 2], [[0, 1], [1, 1]]), y], 2),
      _f32(4, 2, 1, 2), _f32(1, 3, 2, 2), dynamic=True)
  yield _case("resize_bilinear_zero_channels", lambda x, y: tf.concat(
      [tf.raw_ops.ResizeBilinear(images=x[..., :0], size=[4, 3]), y], 3),
      _f32(1, 2, 2, 2), _f32(1, 4, 3, 1), dynamic=True)
  yield _case("resize_nearest_zero_batch", lambda x, y: tf.concat(
      [tf.raw_ops.ResizeNearestNeighbor(images=x[:0], size=[3, 5]), y], 0),
      _f32(2, 2, 2, 2), _f32(1, 3, 5, 2), dynamic=True)
  w = tf.constant(_f32(2, 2, 2, 2, 3))
  yield _case("conv3d_zero_batch", lambda x, y: tf.concat(
      [tf.nn.conv3d(x[:0], w, [1, 1, 1, 1, 1], "SAME"), y], 0),
      _f32(2, 2, 3, 2, 2), _f32(1, 2, 3, 2, 3), dynamic=True)
  yield _typed("batch_to_space_i16", "BATCH_TO_SPACE_ND", None, None,
               _int(np.int16, 6, 2, 2),
               [("b", np.array([3], np.int32)),
                ("c", np.array([[1, 2]], np.int32))],
               lambda x: tf.compat.v1.batch_to_space_nd(x, [3], [[1, 2]]))
  # Integer bilinear: uint8 through the float formula, int8 / int16
  # through LiteRT's integer-only one.
  for tag, dtype in (("u8", np.uint8), ("i8", np.int8), ("i16", np.int16)):
    for opt, flags in (("", {}), ("_align", dict(alignCorners=True)),
                       ("_half", dict(halfPixelCenters=True))):
      for size, shp in (([5, 7], (2, 3, 4, 2)), ([2, 3], (1, 5, 7, 1))):
        yield _one("resize_bilinear_%s%s_%dx%d" % (tag, opt, *size),
                   "RESIZE_BILINEAR", "ResizeBilinearOptions", flags,
                   [("x", _int(dtype, *shp)),
                    ("s", np.array(size, np.int32), "const")],
                   [("out", dtype, [shp[0], *size, shp[3]])])
  yield _one("depth_to_space_bool", "DEPTH_TO_SPACE", "DepthToSpaceOptions",
             dict(blockSize=2), [("x", np.ones([1, 1, 1, 4], np.bool_))],
             [("out", np.bool_, [1, 2, 2, 1])],
             expect_error="is not supported")
  yield _one("conv3d_i32", "CONV_3D", "Conv3DOptions",
             dict(padding=1, strideD=1, strideH=1, strideW=1),
             [("x", _int(np.int32, 1, 2, 2, 2, 1)),
              ("w", _int(np.int32, 1, 1, 1, 1, 1), "const")],
             [("out", np.int32, [1, 2, 2, 2, 1])],
             expect_error="only float32")


def cases():
  for gen in (_depth, _batch, _resize, _conv3d, _edges):
    yield from gen()
