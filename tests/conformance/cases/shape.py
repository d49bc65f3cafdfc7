"""Shape and data-movement ops: SQUEEZE, TRANSPOSE, CONCATENATION, GATHER, ...

Most cases are TensorFlow functions; the converter folds ops whose inputs
are all constant, so the data flows from an input. Options the converter
never emits (fused activations, masks it canonicalizes away, bad indices)
come from hand-built single-op models (`_hand`).
"""
import numpy as np
import tensorflow as tf

from conformance.cases import Case, rng

_R = rng(7)


def _f32(*shape):
  return _R.standard_normal(shape).astype(np.float32)


def _i32(*shape, lo=-100, hi=100):
  return _R.integers(lo, hi, shape).astype(np.int32)


def _i64(*shape):
  return _R.integers(-2**40, 2**40, shape).astype(np.int64)


def _bool(*shape):
  return _R.integers(0, 2, shape).astype(np.bool_)


def _str(*shape):
  n = int(np.prod(shape)) if shape else 1
  words = np.array(["s%d%s" % (i, "x" * (i % 4)) for i in range(n)],
                   dtype=object)
  return words.reshape(shape)


def _spec(a, dynamic=False):
  shape = [None] * a.ndim if dynamic else list(a.shape)
  dtype = tf.string if a.dtype == object else tf.as_dtype(a.dtype)
  return tf.TensorSpec(shape, dtype)


def _case(name, op, *arrays, dynamic=False, names=None, **kw):
  """A case running op(*inputs) on the given arrays (all graph inputs)."""
  names = names or ["x", "y", "z", "w"][:len(arrays)]
  specs = [_spec(a, dynamic) for a in arrays]
  if len(arrays) == 1:
    fn = tf.function(lambda x: op(x), input_signature=specs)
  elif len(arrays) == 2:
    fn = tf.function(lambda x, y: op(x, y), input_signature=specs)
  elif len(arrays) == 3:
    fn = tf.function(lambda x, y, z: op(x, y, z), input_signature=specs)
  else:
    fn = tf.function(lambda x, y, z, w: op(x, y, z, w), input_signature=specs)
  return Case(name="shape/" + name, fn=fn, inputs=dict(zip(names, arrays)),
              **kw)


# ---- Hand-built single-op models -------------------------------------------

_TYPES = {np.dtype(np.float32): 0, np.dtype(np.float16): 1,
          np.dtype(np.int32): 2, np.dtype(np.uint8): 3,
          np.dtype(np.int64): 4, np.dtype(object): 5, np.dtype(np.bool_): 6,
          np.dtype(np.int16): 7, np.dtype(np.int8): 9,
          np.dtype(np.float64): 10}


def _string_buffer(items):
  import struct
  items = [s.encode() if isinstance(s, str) else bytes(s) for s in items]
  header = 4 * (len(items) + 2)
  offsets, at = [], header
  for s in items:
    offsets.append(at)
    at += len(s)
  offsets.append(at)
  return struct.pack("<%di" % (len(items) + 2), len(items), *offsets) + \
      b"".join(items)


def _hand(name, op, options_type, options, tensors, ins, outs, inputs,
          expect_error=None, version=1):
  """A one-op model.

  tensors: list of (name, numpy dtype, shape, constant array or None);
  ins/outs: tensor indices of the op (-1 for an omitted input); the graph
  inputs are the non-constant op inputs, named as their tensors; inputs:
  {name: array} fed to them.
  """
  import flatbuffers
  from tensorflow.lite.python import schema_py_generated as s
  model = s.ModelT()
  model.version = 3
  code = s.OperatorCodeT()
  code.builtinCode = op
  code.deprecatedBuiltinCode = min(op, 127)
  code.version = version
  model.operatorCodes = [code]
  model.buffers = [s.BufferT()]
  sg = s.SubGraphT()
  sg.tensors = []
  for tname, dtype, shape, const in tensors:
    t = s.TensorT()
    t.name = tname
    t.type = _TYPES[np.dtype(dtype)]
    t.shape = list(shape)
    buf = s.BufferT()
    if const is not None:
      const = np.asarray(const, dtype=dtype)
      raw = (_string_buffer(const.reshape(-1)) if const.dtype == object
             else const.astype(const.dtype.newbyteorder("<")).tobytes())
      buf.data = list(raw)
      model.buffers.append(buf)
      t.buffer = len(model.buffers) - 1
    else:
      t.buffer = 0
    sg.tensors.append(t)
  graph_inputs = [i for i in ins if i >= 0 and tensors[i][3] is None]
  sg.inputs = graph_inputs
  sg.outputs = list(outs)
  oper = s.OperatorT()
  oper.opcodeIndex = 0
  oper.inputs = list(ins)
  oper.outputs = list(outs)
  if options is not None:
    oper.builtinOptionsType = options_type
    oper.builtinOptions = options
  sg.operators = [oper]
  model.subgraphs = [sg]
  sig = s.SignatureDefT()
  sig.signatureKey = "serving_default"
  sig.subgraphIndex = 0

  def tmap(i):
    m = s.TensorMapT()
    m.name = tensors[i][0]
    m.tensorIndex = i
    return m
  sig.inputs = [tmap(i) for i in graph_inputs]
  sig.outputs = [tmap(i) for i in outs]
  model.signatureDefs = [sig]
  b = flatbuffers.Builder(1024)
  b.Finish(model.Pack(b), file_identifier=b"TFL3")
  return Case(name="shape/" + name, model_bytes=bytes(b.Output()),
              inputs=inputs, expect_error=expect_error)


def _one(name, op, options_type, options, args, outs, expect_error=None,
         version=1):
  """A one-op model from op arguments and output specs.

  args: (name, array) for a graph input, (name, array, "const") for a
  constant, None for an omitted input; outs: (name, dtype, shape).
  """
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
  for oname, dtype, shape in outs:
    tensors.append((oname, dtype, shape, None))
    out_ids.append(len(tensors) - 1)
  return _hand(name, _OP[op], options_type, options, tensors, ins, out_ids,
               inputs, expect_error=expect_error, version=version)


def _opts(cls_name, **fields):
  from tensorflow.lite.python import schema_py_generated as s
  o = getattr(s, cls_name)()
  for k, v in fields.items():
    setattr(o, k, v)
  return o


# BuiltinOperator and BuiltinOptions codes used by the hand-built models.
_OP = dict(RANK=110, ZEROS_LIKE=93, CONCATENATION=2, GATHER=36, TRANSPOSE=39,
           SQUEEZE=43,
           STRIDED_SLICE=45, SPLIT=49, SLICE=65, TILE=69, EXPAND_DIMS=70,
           SHAPE=77, PACK=83, UNPACK=88, FILL=94, RANGE=96, MIRROR_PAD=100,
           SPLIT_V=102, REVERSE_V2=105, GATHER_ND=107, BROADCAST_TO=130,
           PAD=34, PADV2=60)
_OPT = dict(ConcatenationOptions=10, GatherOptions=23, SqueezeOptions=30,
            StridedSliceOptions=32, SplitOptions=35, PackOptions=59,
            UnpackOptions=64, MirrorPadOptions=77, SplitVOptions=79)


# ---- Cases ------------------------------------------------------------------

def _squeeze():
  yield _case("squeeze_all_f32", tf.squeeze, _f32(1, 3, 1, 2))
  yield _case("squeeze_axis_neg_i32", lambda x: tf.squeeze(x, axis=[-1, 0]),
              _i32(1, 3, 1))
  yield _case("squeeze_to_scalar_bool", tf.squeeze, _bool(1, 1))
  yield _case("squeeze_i64_6d", lambda x: tf.squeeze(x, axis=[2, 4]),
              _i64(2, 1, 1, 3, 1, 2))
  # LiteRT's Python API cannot return empty outputs: empty results are
  # joined to a non-empty input along their empty axis.
  yield _case("squeeze_zero_size",
              lambda x, y: tf.concat([tf.squeeze(x[:0], axis=[1]), y], 0),
              _f32(2, 1, 3), _f32(1, 3))
  yield _case("squeeze_string", tf.squeeze, _str(2, 1, 3))
  yield _hand("squeeze_not_one", _OP["SQUEEZE"], _OPT["SqueezeOptions"],
              _opts("SqueezeOptionsT", squeezeDims=[0]),
              [("x", np.float32, [2, 1], None), ("out", np.float32, [2], None)],
              [0], [1], {"x": _f32(2, 1)}, expect_error="its size is not 1")


def _expand_dims():
  yield _case("expand_dims_f32", lambda x: tf.expand_dims(x, 1), _f32(2, 3))
  yield _case("expand_dims_neg_axis_i32", lambda x: tf.expand_dims(x, -1),
              _i32(2, 3))
  yield _case("expand_dims_scalar_bool", lambda x: tf.expand_dims(x, 0),
              _bool())
  yield _case("expand_dims_string", lambda x: tf.expand_dims(x, -3),
              _str(2, 3))
  yield _case("expand_dims_dynamic_axis",
              lambda x, a: tf.expand_dims(x, a[0]), _f32(2, 3),
              np.array([-2], np.int32))
  yield _case("expand_dims_zero_size",
              lambda x, y: tf.concat([tf.expand_dims(x[:, :0], 0), y], 2),
              _i64(3, 2), _i64(1, 3, 2))


def _transpose():
  yield _case("transpose_2d_f32", tf.transpose, _f32(3, 4))
  yield _case("transpose_3d_i32", lambda x: tf.transpose(x, [2, 0, 1]),
              _i32(2, 3, 4))
  yield _case("transpose_6d_f32",
              lambda x: tf.transpose(x, [5, 3, 1, 0, 2, 4]),
              _f32(2, 1, 3, 2, 2, 3))
  yield _case("transpose_5d_i64", lambda x: tf.transpose(x, [4, 0, 3, 1, 2]),
              _i64(2, 3, 1, 2, 2))
  yield _case("transpose_bool", lambda x: tf.transpose(x, [1, 0, 2]),
              _bool(2, 3, 2))
  yield _case("transpose_int8", lambda x: tf.transpose(x, [1, 0]),
              _i32(3, 5).astype(np.int8))
  yield _case("transpose_zero_size",
              lambda x, y: tf.concat([tf.transpose(x[:, :0], [1, 2, 0]), y],
                                     0), _f32(2, 2, 3), _f32(1, 3, 2))
  yield _case("transpose_dynamic_perm", lambda x, p: tf.transpose(x, p),
              _f32(2, 3, 4), np.array([1, 2, 0], np.int32))
  yield _hand("transpose_bad_perm", _OP["TRANSPOSE"], 0, None,
              [("x", np.float32, [2, 3], None),
               ("perm", np.int32, [2], np.array([0, 2], np.int32)),
               ("out", np.float32, [2, 3], None)],
              [0, 1], [2], {"x": _f32(2, 3)}, expect_error="out of range")


def _concat():
  yield _case("concat_axis0_f32", lambda x, y: tf.concat([x, y], 0),
              _f32(2, 3), _f32(1, 3))
  yield _case("concat_neg_axis_i32", lambda x, y, z: tf.concat([x, y, z], -1),
              _i32(2, 1, 2), _i32(2, 1, 3), _i32(2, 1, 1))
  yield _case("concat_i64", lambda x, y: tf.concat([x, y], 1),
              _i64(2, 2), _i64(2, 3))
  yield _case("concat_bool", lambda x, y: tf.concat([x, y], 0),
              _bool(2, 2), _bool(1, 2))
  yield _case("concat_int8", lambda x, y: tf.concat([x, y], 1),
              _i32(2, 2).astype(np.int8), _i32(2, 3).astype(np.int8))
  yield _case("concat_zero_size", lambda x, y: tf.concat([x[:, :0], y], 1),
              _f32(2, 1, 2), _f32(2, 3, 2))
  yield _case("concat_5d", lambda x, y: tf.concat([x, y], 3),
              _f32(2, 1, 2, 2, 3), _f32(2, 1, 2, 1, 3))
  # LiteRT accepts only NONE as CONCATENATION's fused activation, and no
  # string, bool-split, int64-unpack or string pack/unpack/split forms:
  # pylite's extra forms are checked in tests/c/test_shape_ops.c.
  yield _hand("concat_bad_shapes", _OP["CONCATENATION"],
              _OPT["ConcatenationOptions"],
              _opts("ConcatenationOptionsT", axis=0),
              [("x", np.float32, [2, 3], None),
               ("y", np.float32, [2, 2], None),
               ("out", np.float32, [4, 3], None)],
              [0, 1], [2], {"x": _f32(2, 3), "y": _f32(2, 2)},
              expect_error="does not match")


def _pack_unpack():
  yield _case("pack_axis0_f32", lambda x, y: tf.stack([x, y], 0),
              _f32(2, 3), _f32(2, 3))
  yield _case("pack_neg_axis_i32", lambda x, y, z: tf.stack([x, y, z], -1),
              _i32(2, 3), _i32(2, 3), _i32(2, 3))
  yield _case("pack_scalars_i64", lambda x, y: tf.stack([x, y]),
              _i64(), _i64())
  yield _case("pack_bool_axis1", lambda x, y: tf.stack([x, y], 1),
              _bool(2, 2), _bool(2, 2))
  yield _case("pack_zero_size",
              lambda x, y: tf.concat([tf.stack([x[:0], x[:0]], 1), y], 0),
              _f32(1, 2), _f32(1, 2, 2))
  yield _case("unpack_axis0_f32", lambda x: tf.unstack(x, axis=0),
              _f32(3, 2))
  yield _case("unpack_neg_axis_i32", lambda x: tf.unstack(x, axis=-1),
              _i32(2, 3, 2))
  yield _case("unpack_bool", lambda x: tf.unstack(x, axis=1), _bool(2, 2))
  yield _hand("unpack_bad_num", _OP["UNPACK"], _OPT["UnpackOptions"],
              _opts("UnpackOptionsT", num=3, axis=0),
              [("x", np.float32, [2, 3], None),
               ("a", np.float32, [3], None), ("b", np.float32, [3], None),
               ("c", np.float32, [3], None)],
              [0], [1, 2, 3], {"x": _f32(2, 3)}, expect_error="must agree")


def _split():
  yield _case("split_axis1_f32", lambda x: tf.split(x, 3, axis=1),
              _f32(2, 6))
  yield _case("split_neg_axis_i32", lambda x: tf.split(x, 2, axis=-1),
              _i32(2, 2, 4))
  for tname, arr, dt in (("i64", _i64(4, 2), np.int64),):
    yield _one("split_" + tname, "SPLIT", _OPT["SplitOptions"],
               _opts("SplitOptionsT", numSplits=2),
               [("a", np.array(0, np.int32), "const"), ("x", arr)],
               [("o1", dt, [2, 2]), ("o2", dt, [2, 2])])
  yield _case("split_dynamic_axis", lambda x, a: tf.split(x, 2, axis=a[0]),
              _f32(4, 6), np.array([1], np.int32))
  yield _case("split_zero_size",
              lambda x, y: [tf.concat([p, y], 1)
                            for p in tf.split(x[:, :0], 2, axis=0)],
              _f32(4, 1), _f32(2, 1))
  yield _case("split_v_f32", lambda x: tf.split(x, [1, 2, 3], axis=1),
              _f32(2, 6))
  yield _case("split_v_infer_i32", lambda x: tf.split(x, [2, -1], axis=0),
              _i32(5, 2))
  yield _case("split_v_zero_part", lambda x: tf.split(x, [0, 3, 1], axis=-1),
              _f32(2, 4))
  yield _case("split_v_dynamic_sizes", lambda x, s: tf.split(x, s, axis=0,
                                                              num=2),
              _f32(5, 2), np.array([3, 2], np.int32))
  yield _hand("split_v_bad_sum", _OP["SPLIT_V"], 79,
              _opts("SplitVOptionsT", numSplits=2),
              [("x", np.float32, [5], None),
               ("s", np.int32, [2], np.array([1, 2], np.int32)),
               ("a", np.int32, [], np.array(0, np.int32)),
               ("o1", np.float32, [1], None), ("o2", np.float32, [2], None)],
              [0, 1, 2], [3, 4], {"x": _f32(5)}, expect_error="sum to")
  yield _hand("split_uneven", _OP["SPLIT"], _OPT["SplitOptions"],
              _opts("SplitOptionsT", numSplits=2),
              [("a", np.int32, [], np.array(0, np.int32)),
               ("x", np.float32, [5], None),
               ("o1", np.float32, [2], None), ("o2", np.float32, [2], None)],
              [0, 1], [2, 3], {"x": _f32(5)}, expect_error="equal parts")


def _ss(name, x, b, e, st, out_shape, error=None, **opts):
  """A hand-built STRIDED_SLICE with constant begin/end/strides."""
  return _one(name, "STRIDED_SLICE", _OPT["StridedSliceOptions"],
              _opts("StridedSliceOptionsT", **opts),
              [("x", x), ("b", np.array(b, np.int32), "const"),
               ("e", np.array(e, np.int32), "const"),
               ("s", np.array(st, np.int32), "const")],
              [("out", x.dtype, out_shape)], expect_error=error)


def _slice():
  yield _case("slice_f32", lambda x: tf.slice(x, [1, 0, 2], [2, -1, 1]),
              _f32(3, 2, 4))
  yield _case("slice_i64_index", lambda x: tf.slice(
      x, tf.constant([1, 1], tf.int64), tf.constant([-1, 2], tf.int64)),
      _i32(3, 4))
  yield _case("slice_bool", lambda x: tf.slice(x, [0, 1], [1, 2]),
              _bool(2, 3))
  yield _case("slice_i64_5d", lambda x: tf.slice(x, [0, 1, 0, 1, 0],
                                                   [2, 1, -1, 1, 2]),
              _i64(2, 2, 2, 3, 2))
  yield _case("slice_string", lambda x: tf.slice(x, [1, 0], [1, 2]),
              _str(2, 3))
  yield _case("slice_dynamic", lambda x, b, n: tf.slice(x, b, n),
              _f32(4, 5), np.array([1, 2], np.int32),
              np.array([2, -1], np.int32))
  yield _case("slice_zero_size",
              lambda x, y: tf.concat([tf.slice(x, [1, 0], [0, 3]), y], 0),
              _f32(2, 3), _f32(1, 3))
  yield _one("slice_out_of_range", "SLICE", 0, None,
             [("x", _f32(3, 4)), ("b", np.array([2, 0], np.int32), "const"),
              ("n", np.array([2, 4], np.int32), "const")],
             [("out", np.float32, [2, 4])], expect_error="do not fit")

  x = np.arange(2 * 3 * 4, dtype=np.float32).reshape(2, 3, 4)
  yield _case("strided_slice_basic", lambda x: x[:, 1:, ::2], x)
  yield _case("strided_slice_negative", lambda x: x[::-1, -2::-1, -1:0:-2],
              x)
  yield _case("strided_slice_shrink", lambda x: x[1, :, -1], x)
  yield _case("strided_slice_i32_clamp", lambda x: x[-10:10, 2:, 1:3],
              _i32(3, 4, 5))
  yield _case("strided_slice_bool", lambda x: x[:, ::2], _bool(3, 5))
  yield _case("strided_slice_i64", lambda x: x[1:, :1], _i64(3, 3))
  yield _ss("strided_slice_string", _str(3, 2), [-1, 1], [-4, 2], [-1, 1],
            [3], shrinkAxisMask=2)
  yield _case("strided_slice_5d", lambda x: x[:, 1:, ::-1, 0, 1:],
              _f32(2, 3, 2, 2, 3))
  yield _case("strided_slice_dynamic",
              lambda x, b, e: tf.strided_slice(x, b, e, [1, -1]),
              _f32(4, 5), np.array([1, -1], np.int32),
              np.array([3, 0], np.int32))
  yield _ss("strided_slice_begin_end_mask", x, [1, 2, 3], [1, 0, 0],
            [1, -1, 1], [2, 3, 1], beginMask=5, endMask=2)
  yield _ss("strided_slice_ellipsis", x, [0, 1], [0, 3], [1, 1], [2, 3, 2],
            ellipsisMask=1)
  yield _ss("strided_slice_ellipsis_mid", x, [1, 0, 1], [2, 0, 3],
            [1, 1, 1], [3, 2], ellipsisMask=2, shrinkAxisMask=1)
  yield _ss("strided_slice_new_axis", x, [0, 1], [0, 3], [1, 1],
            [1, 1, 3, 4], newAxisMask=1)
  yield _ss("strided_slice_new_axis_ellipsis", x, [0, 0, 1], [0, 0, 3],
            [1, 1, 1], [1, 2, 3, 2], newAxisMask=1, ellipsisMask=2)
  yield _ss("strided_slice_new_axis_last", x, [0, 0], [1, 1], [1, 1],
            [2, 3, 4, 1], newAxisMask=2, ellipsisMask=1)
  yield _ss("strided_slice_offset", x[0, 0], [-2], [1], [1], [1],
            offset=True)
  yield _ss("strided_slice_offset_reverse", x[0, 0], [-1], [-2], [-1], [2],
            offset=True)
  yield _ss("strided_slice_offset_begin_mask", x[0, 0], [1], [2], [1], [2],
            offset=True, beginMask=1)
  yield _ss("strided_slice_short_begin", x, [1], [2], [1], [1, 3, 4])
  yield _ss("strided_slice_zero_stride", x, [0], [1], [0], [1, 3, 4],
            error="zero")
  yield _ss("strided_slice_shrink_out_of_range", x[0, 0], [5], [6], [1], [],
            shrinkAxisMask=1, error="out of range")


def _gather():
  yield _case("gather_axis0_f32", lambda x, i: tf.gather(x, i), _f32(5, 3),
              np.array([4, 0, 2, 2], np.int32))
  yield _case("gather_axis1_i32", lambda x, i: tf.gather(x, i, axis=1),
              _i32(2, 4, 3), np.array([[3, 1], [0, 0]], np.int32))
  yield _case("gather_neg_axis_i64_idx",
              lambda x, i: tf.gather(x, i, axis=-1), _f32(2, 3, 4),
              np.array([3, 0, 1], np.int64))
  yield _case("gather_batch_dims", lambda x, i: tf.gather(x, i, axis=2,
                                                          batch_dims=1),
              _f32(2, 3, 4, 2), np.array([[1, 3], [0, 2]], np.int32))
  yield _case("gather_batch_dims_neg", lambda x, i: tf.gather(
      x, i, axis=1, batch_dims=-1), _i64(2, 5), np.array([[4, 0, 1], [2, 2,
                                                                     3]],
                                                         np.int32))
  yield _case("gather_scalar_index", lambda x, i: tf.gather(x, i, axis=1),
              _f32(3, 4), np.array(2, np.int32))
  yield _case("gather_bool", lambda x, i: tf.gather(x, i), _bool(4, 2),
              np.array([1, 3], np.int32))
  yield _case("gather_int8", lambda x, i: tf.gather(x, i),
              _i32(4, 2).astype(np.int8), np.array([3, 0], np.int32))
  yield _case("gather_string", lambda x, i: tf.gather(x, i), _str(4),
              np.array([3, 1, 1], np.int32))
  yield _case("gather_zero_indices",
              lambda x, i, y: tf.concat([tf.gather(x, i[:0]), y], 0),
              _f32(3, 2), np.array([1], np.int32), _f32(1, 2))
  yield _case("gather_index_too_large", lambda x, i: tf.gather(x, i),
              _f32(3, 2), np.array([0, 3], np.int32),
              expect_error="GATHER: index 3")
  yield _case("gather_index_negative", lambda x, i: tf.gather(x, i),
              _f32(3, 2), np.array([-1], np.int32),
              expect_error="out of range")
  yield _case("gather_nd_f32", lambda x, i: tf.gather_nd(x, i), _f32(3, 4),
              np.array([[2, 1], [0, 3]], np.int32))
  yield _case("gather_nd_slices_i32", lambda x, i: tf.gather_nd(x, i),
              _i32(3, 4, 2), np.array([[[1]], [[2]]], np.int32))
  yield _case("gather_nd_i64_index", lambda x, i: tf.gather_nd(x, i),
              _i64(2, 3), np.array([[1, 2], [0, 0], [1, 0]], np.int64))
  yield _case("gather_nd_string", lambda x, i: tf.gather_nd(x, i),
              _str(2, 3), np.array([[1, 2], [0, 1]], np.int32))
  yield _case("gather_nd_out_of_range", lambda x, i: tf.gather_nd(x, i),
              _f32(3, 4), np.array([[2, 4]], np.int32),
              expect_error="GATHER_ND: index 4")


def _pad():
  yield _case("pad_f32", lambda x: tf.pad(x, [[1, 0], [2, 3]]), _f32(2, 3))
  yield _case("pad_i32_3d", lambda x: tf.pad(x, [[0, 1], [1, 1], [0, 0]]),
              _i32(2, 2, 3))
  yield _case("pad_i64_paddings", lambda x: tf.pad(
      x, tf.constant([[1, 2]], tf.int64)), _i64(3))
  yield _case("pad_5d", lambda x: tf.pad(x, [[0, 1], [1, 0], [0, 0], [1, 1],
                                             [0, 2]]), _f32(1, 2, 2, 1, 2))
  yield _case("pad_bool", lambda x: tf.pad(x, [[1, 1]]), _bool(3))
  yield _case("pad_dynamic", lambda x, p: tf.pad(x, p), _f32(2, 2),
              np.array([[0, 1], [2, 0]], np.int32))
  yield _case("pad_zero_size_input", lambda x: tf.pad(x[:0], [[1, 1], [0,
                                                                       0]]),
              _f32(2, 3))
  yield _case("padv2_f32", lambda x: tf.pad(x, [[1, 1], [0, 2]],
                                            constant_values=-3.5),
              _f32(2, 2))
  yield _case("padv2_i32", lambda x: tf.pad(x, [[2, 0]], constant_values=7),
              _i32(3))
  yield _case("padv2_dynamic_value", lambda x, v: tf.pad(
      x, [[1, 1]], constant_values=v), _f32(2), np.array(9.0, np.float32))
  yield _one("pad_negative", "PAD", 0, None,
             [("x", _f32(2)), ("p", np.array([[-1, 0]], np.int32), "const")],
             [("out", np.float32, [1])], expect_error=">= 0")
  yield _case("mirror_pad_reflect", lambda x: tf.pad(x, [[1, 1], [2, 2]],
                                                     mode="REFLECT"),
              _f32(3, 3))
  yield _case("mirror_pad_symmetric", lambda x: tf.pad(x, [[2, 1], [0, 3]],
                                                       mode="SYMMETRIC"),
              _i32(2, 3))
  yield _case("mirror_pad_i64_3d", lambda x: tf.pad(
      x, [[1, 0], [0, 1], [1, 1]], mode="REFLECT"), _i64(2, 2, 3))
  yield _case("mirror_pad_dynamic", lambda x, p: tf.pad(x, p,
                                                        mode="SYMMETRIC"),
              _f32(2, 3), np.array([[1, 2], [3, 0]], np.int32))
  yield _one("mirror_pad_too_wide", "MIRROR_PAD",
             _OPT["MirrorPadOptions"], _opts("MirrorPadOptionsT", mode=0),
             [("x", _f32(2)), ("p", np.array([[2, 0]], np.int32), "const")],
             [("out", np.float32, [4])], expect_error="REFLECT")


def _tile_broadcast_reverse():
  yield _case("tile_f32", lambda x: tf.tile(x, [2, 3]), _f32(2, 2))
  yield _case("tile_i32_3d", lambda x: tf.tile(x, [1, 2, 2]), _i32(2, 1, 3))
  yield _case("tile_i64_multiples", lambda x: tf.tile(
      x, tf.constant([3], tf.int64)), _i64(2))
  yield _case("tile_bool", lambda x: tf.tile(x, [2, 1]), _bool(2, 2))
  yield _case("tile_string", lambda x: tf.tile(x, [2, 2]), _str(1, 2))
  yield _case("tile_dynamic", lambda x, m: tf.tile(x, m), _f32(2, 3),
              np.array([2, 1], np.int32))
  yield _case("tile_zero_multiple",
              lambda x, y: tf.concat([tf.tile(x, [0, 2]), y], 0),
              _f32(2, 2), _f32(1, 4))
  yield _case("broadcast_to_f32", lambda x: tf.broadcast_to(x, [2, 3, 4]),
              _f32(3, 1))
  yield _case("broadcast_to_i32", lambda x: tf.broadcast_to(x, [4, 2]),
              _i32(1, 2))
  yield _case("broadcast_to_scalar_i64", lambda x: tf.broadcast_to(x, [3]),
              _i64())
  yield _case("broadcast_to_8d", lambda x: tf.broadcast_to(
      x, [2, 1, 2, 1, 2, 2, 2, 3]), _f32(1, 2, 1, 3))
  yield _case("broadcast_to_bool", lambda x: tf.broadcast_to(x, [2, 2]),
              _bool(2))
  yield _case("broadcast_to_dynamic", lambda x, s: tf.broadcast_to(x, s),
              _f32(1, 3), np.array([2, 3], np.int32))
  yield _one("broadcast_to_incompatible", "BROADCAST_TO", 0, None,
             [("x", _f32(3)), ("s", np.array([2, 2], np.int32), "const")],
             [("out", np.float32, [2, 2])], expect_error="cannot broadcast",
             version=2)
  yield _case("reverse_f32", lambda x: tf.reverse(x, [1]), _f32(2, 3))
  yield _case("reverse_neg_axis_i32", lambda x: tf.reverse(x, [-1]),
              _i32(2, 3, 4))
  yield _case("reverse_multi_axis", lambda x: tf.reverse(x, [1, 2]),
              _f32(2, 3, 4))
  yield _case("reverse_i64", lambda x: tf.reverse(x, [0]), _i64(5))
  yield _case("reverse_bool", lambda x: tf.reverse(x, [0]), _bool(3, 2))


def _shape_fill_range():
  yield _case("shape_i32", lambda x: tf.shape(x), _f32(2, 3, 1),
              dynamic=True)
  yield _case("shape_i64", lambda x: tf.shape(x, out_type=tf.int64),
              _i32(4, 1), dynamic=True)
  yield _case("shape_string_input", lambda x: tf.shape(x), _str(3, 2),
              dynamic=True)
  for tname, arr in (("f32", _f32(2, 3)), ("bool", _bool(4)),
                     ("scalar", _i64())):
    yield _one("rank_" + tname, "RANK", 0, None, [("x", arr)],
               [("out", np.int32, [])])
  yield _case("fill_f32", lambda d, v: tf.fill(d, v),
              np.array([2, 3], np.int32), np.array(1.5, np.float32))
  yield _case("fill_i64_dims", lambda d, v: tf.fill(d, v),
              np.array([3], np.int64), np.array(-7, np.int32))
  yield _case("fill_i64", lambda d, v: tf.fill(d, v),
              np.array([2, 1, 2], np.int32), np.array(2**40, np.int64))
  yield _case("fill_bool", lambda d, v: tf.fill(d, v),
              np.array([2, 2], np.int32), np.array(True))
  # No string FILL case: LiteRT's reference kernel writes pointer bytes
  # instead of the string (its recorded output is garbage).
  yield _case("fill_scalar", lambda d, v: tf.fill(d[:0], v),
              np.array([3], np.int32), np.array(4.0, np.float32))
  yield _one("fill_const_dims", "FILL", 0, None,
             [("d", np.array([2, 2], np.int32), "const"),
              ("v", np.array(3, np.int32))], [("out", np.int32, [2, 2])])
  yield _one("fill_negative_dim", "FILL", 0, None,
             [("d", np.array([2, -1], np.int32)),
              ("v", np.array(3, np.int32))], [("out", np.int32, [2, 1])],
             expect_error=">= 0")
  for tname, arr in (("f32", _f32(2, 3)), ("i32", _i32(3)),
                     ("i64", _i64(2, 2))):
    yield _one("zeros_like_" + tname, "ZEROS_LIKE", 0, None, [("x", arr)],
               [("out", arr.dtype, list(arr.shape))])
  yield _case("range_i32", lambda a, b, c: tf.range(a, b, c),
              np.array(2, np.int32), np.array(17, np.int32),
              np.array(3, np.int32))
  yield _case("range_i32_down", lambda a, b, c: tf.range(a, b, c),
              np.array(5, np.int32), np.array(-6, np.int32),
              np.array(-2, np.int32))
  yield _case("range_f32", lambda a, b, c: tf.range(a, b, c),
              np.array(0.1, np.float32), np.array(3.3, np.float32),
              np.array(0.1, np.float32))
  yield _case("range_f32_down", lambda a, b, c: tf.range(a, b, c),
              np.array(1.0, np.float32), np.array(-2.0, np.float32),
              np.array(-0.7, np.float32))
  yield _case("range_bad_delta", lambda a, b, c: tf.range(a, b, c),
              np.array(0, np.int32), np.array(5, np.int32),
              np.array(-1, np.int32),
              expect_error="delta")


def _more_dtypes():
  """uint8 / int16 / int8 forms (plain integers; no quantization)."""
  u8 = _R.integers(0, 255, (2, 3, 4)).astype(np.uint8)
  i16 = _R.integers(-30000, 30000, (3, 4)).astype(np.int16)
  i8 = _R.integers(-128, 127, (3, 4)).astype(np.int8)
  yield _case("transpose_uint8", lambda x: tf.transpose(x, [2, 0, 1]), u8)
  yield _case("concat_uint8", lambda x, y: tf.concat([x, y], 2), u8, u8)
  yield _case("concat_int16", lambda x, y: tf.concat([x, y], 0), i16, i16)
  yield _case("pack_int16", lambda x, y: tf.stack([x, y], 1), i16, i16)
  yield _case("unpack_uint8", lambda x: tf.unstack(x, axis=1), u8)
  yield _case("split_uint8", lambda x: tf.split(x, 2, axis=-1), u8)
  yield _case("split_v_int16", lambda x: tf.split(x, [3, 1], axis=1), i16)
  yield _case("slice_uint8", lambda x: tf.slice(x, [1, 1, 0], [1, 2, -1]),
              u8)
  yield _case("strided_slice_int16", lambda x: x[::-2, 1:3], i16)
  yield _case("strided_slice_int8", lambda x: x[1:, ::3], i8)
  yield _case("gather_uint8", lambda x, i: tf.gather(x, i, axis=2), u8,
              np.array([3, 1], np.int32))
  yield _case("gather_int16", lambda x, i: tf.gather(x, i), i16,
              np.array([2, 2, 0], np.int32))
  yield _case("gather_nd_uint8", lambda x, i: tf.gather_nd(x, i), u8,
              np.array([[1, 2], [0, 0]], np.int32))
  yield _case("mirror_pad_uint8", lambda x: tf.pad(
      x, [[1, 0], [0, 2], [1, 1]], mode="REFLECT"), u8)
  yield _case("tile_uint8", lambda x: tf.tile(x, [1, 2, 1]), u8)
  yield _case("broadcast_to_uint8", lambda x: tf.broadcast_to(x, [2, 2, 3,
                                                                  4]), u8)
  yield _case("reverse_uint8", lambda x: tf.reverse(x, [1]), u8)
  yield _case("reverse_int16", lambda x: tf.reverse(x, [0]), i16)
  yield _case("squeeze_uint8", tf.squeeze, u8[:1])
  yield _case("expand_dims_int16", lambda x: tf.expand_dims(x, 2), i16)


def _more_errors():
  x = _f32(2, 3)
  yield _one("expand_dims_bad_axis", "EXPAND_DIMS", 0, None,
             [("x", x), ("a", np.array([3], np.int32), "const")],
             [("out", np.float32, [2, 3, 1])], expect_error="out of range")
  yield _one("pack_bad_count", "PACK", _OPT["PackOptions"],
             _opts("PackOptionsT", valuesCount=3, axis=0),
             [("x", x), ("y", x)], [("out", np.float32, [2, 2, 3])],
             expect_error="values_count")
  yield _one("pack_shape_mismatch", "PACK", _OPT["PackOptions"],
             _opts("PackOptionsT", valuesCount=2, axis=0),
             [("x", x), ("y", _f32(3, 2))], [("out", np.float32, [2, 2, 3])],
             expect_error="differs")
  yield _one("tile_negative_multiple", "TILE", 0, None,
             [("x", x), ("m", np.array([1, -2], np.int32), "const")],
             [("out", np.float32, [2, 3])], expect_error="TILE: multiple")
  yield _one("reverse_bad_axis", "REVERSE_V2", 0, None,
             [("x", x), ("a", np.array([2], np.int32), "const")],
             [("out", np.float32, [2, 3])], expect_error="REVERSE_V2: axis")
  yield _one("gather_bad_axis", "GATHER", _OPT["GatherOptions"],
             _opts("GatherOptionsT", axis=2),
             [("x", x), ("i", np.array([0], np.int32))],
             [("out", np.float32, [2, 1])], expect_error="GATHER: axis 2")
  yield _one("gather_bad_batch_dims", "GATHER", _OPT["GatherOptions"],
             _opts("GatherOptionsT", axis=0, batchDims=1),
             [("x", x), ("i", np.array([[0]], np.int32))],
             [("out", np.float32, [2, 1, 3])], expect_error="batch_dims")
  yield _one("slice_bad_size", "SLICE", 0, None,
             [("x", x), ("b", np.array([0, 0], np.int32), "const"),
              ("n", np.array([1, -2], np.int32), "const")],
             [("out", np.float32, [1, 1])], expect_error="do not fit")
  yield _one("transpose_repeated_perm", "TRANSPOSE", 0, None,
             [("x", x), ("p", np.array([0, 0], np.int32), "const")],
             [("out", np.float32, [2, 2])], expect_error="repeated")


def _low_rank():
  """Rank 0 and rank 1 forms."""
  s0 = _f32()
  v = _f32(5)
  # No TRANSPOSE of a scalar: LiteRT's reference kernel leaves the output
  # unwritten.
  yield _case("transpose_1d", lambda x: tf.transpose(x, [0]), v)
  yield _one("tile_scalar", "TILE", 0, None,
             [("x", s0), ("m", np.zeros([0], np.int32), "const")],
             [("out", np.float32, [])])
  yield _one("pad_scalar", "PAD", 0, None,
             [("x", s0), ("p", np.zeros([0, 2], np.int32), "const")],
             [("out", np.float32, [])])
  # No REVERSE_V2 of a scalar: LiteRT's kernel crashes on it.
  yield _one("slice_scalar", "SLICE", 0, None,
             [("x", s0), ("b", np.zeros([0], np.int32), "const"),
              ("n", np.zeros([0], np.int32), "const")],
             [("out", np.float32, [])])
  yield _case("slice_1d", lambda x: tf.slice(x, [1], [3]), v)
  yield _case("strided_slice_1d_shrink", lambda x: x[-1], v)
  yield _case("mirror_pad_1d", lambda x: tf.pad(x, [[4, 4]],
                                                mode="REFLECT"), v)
  yield _case("tile_1d", lambda x: tf.tile(x, [3]), v)
  yield _case("gather_nd_scalar_params_slice", lambda x, i: tf.gather_nd(
      x, i), v, np.array([[4], [0]], np.int32))


def cases():
  for gen in (_squeeze, _expand_dims, _transpose, _concat, _pack_unpack,
              _split, _slice, _gather, _pad, _tile_broadcast_reverse,
              _shape_fill_range, _more_dtypes, _more_errors, _low_rank):
    yield from gen()
