"""Indexing ops: SCATTER_ND, BROADCAST_ARGS, ONE_HOT, EMBEDDING_LOOKUP,
DYNAMIC_UPDATE_SLICE, MATRIX_DIAG, MATRIX_SET_DIAG, UNIQUE, SEGMENT_SUM and
the UNSORTED_SEGMENT_* reductions.

Most cases are TensorFlow functions whose data flows from graph inputs;
types and forms the converter never emits (EMBEDDING_LOOKUP, int64 indices,
bad ids, unsupported types) come from hand-built single-op models
(`_one`)."""
import numpy as np
import tensorflow as tf

from conformance.cases import Case, rng

_R = rng(31)


def _f32(*shape):
  return _R.standard_normal(shape).astype(np.float32)


def _int(dtype, *shape, lo=-50, hi=50):
  return _R.integers(lo, hi, shape).astype(dtype)


def _bool(*shape):
  return _R.integers(0, 2, shape).astype(np.bool_)


def _spec(a, dynamic=False):
  shape = [None] * a.ndim if dynamic else list(a.shape)
  return tf.TensorSpec(shape, tf.as_dtype(a.dtype))


def _case(name, op, *arrays, dynamic=False, **kw):
  """A case running op(*inputs) on the given arrays (all graph inputs)."""
  names = ["a", "b", "c", "d"][:len(arrays)]
  specs = [_spec(a, dynamic) for a in arrays]
  if len(arrays) == 1:
    fn = tf.function(lambda a: op(a), input_signature=specs)
  elif len(arrays) == 2:
    fn = tf.function(lambda a, b: op(a, b), input_signature=specs)
  elif len(arrays) == 3:
    fn = tf.function(lambda a, b, c: op(a, b, c), input_signature=specs)
  else:
    fn = tf.function(lambda a, b, c, d: op(a, b, c, d), input_signature=specs)
  return Case(name="indexing/" + name, fn=fn, inputs=dict(zip(names, arrays)),
              **kw)


# ---- Hand-built single-op models -------------------------------------------

_TYPES = {np.dtype(np.float32): 0, np.dtype(np.float16): 1,
          np.dtype(np.int32): 2, np.dtype(np.uint8): 3,
          np.dtype(np.int64): 4, np.dtype(np.bool_): 6,
          np.dtype(np.int16): 7, np.dtype(np.int8): 9}

_OP = dict(EMBEDDING_LOOKUP=7, ONE_HOT=85, UNIQUE=103, MATRIX_DIAG=113,
           MATRIX_SET_DIAG=115, SCATTER_ND=122, SEGMENT_SUM=125,
           BROADCAST_ARGS=145, DYNAMIC_UPDATE_SLICE=151,
           UNSORTED_SEGMENT_PROD=153, UNSORTED_SEGMENT_MAX=154,
           UNSORTED_SEGMENT_SUM=155, UNSORTED_SEGMENT_MIN=157)


def _opts(cls_name, **fields):
  from tensorflow.lite.python import schema_py_generated as s
  o = getattr(s, cls_name)()
  for k, v in fields.items():
    setattr(o, k, v)
  return o


def _one(name, op, args, outs, options=None, options_type=0, quant=None,
         **kw):
  """A one-op model.

  args: (name, array) for a graph input, (name, array, "const") for a
  constant; outs: (name, dtype, shape); quant: {tensor name: (scale,
  zero point)} for quantized tensors."""
  import flatbuffers
  from tensorflow.lite.python import schema_py_generated as s
  model = s.ModelT()
  model.version = 3
  code = s.OperatorCodeT()
  code.builtinCode = _OP[op]
  code.deprecatedBuiltinCode = min(_OP[op], 127)
  code.version = 1
  model.operatorCodes = [code]
  model.buffers = [s.BufferT()]
  sg = s.SubGraphT()
  sg.tensors = []

  def tensor(tname, dtype, shape, const):
    t = s.TensorT()
    t.name = tname
    t.type = _TYPES[np.dtype(dtype)]
    t.shape = list(shape)
    t.buffer = 0
    if quant and tname in quant:
      q = s.QuantizationParametersT()
      q.scale, q.zeroPoint = [quant[tname][0]], [quant[tname][1]]
      t.quantization = q
    if const is not None:
      buf = s.BufferT()
      buf.data = list(np.ascontiguousarray(const).astype(
          np.dtype(dtype).newbyteorder("<")).tobytes())
      model.buffers.append(buf)
      t.buffer = len(model.buffers) - 1
    sg.tensors.append(t)
    return len(sg.tensors) - 1

  ins, graph_inputs, inputs = [], [], {}
  for arg in args:
    arr = np.asarray(arg[1])
    const = arr if len(arg) > 2 else None
    ins.append(tensor(arg[0], arr.dtype, arr.shape, const))
    if const is None:
      graph_inputs.append(ins[-1])
      inputs[arg[0]] = arr
  out_ids = [tensor(n, d, shape, None) for n, d, shape in outs]
  sg.inputs, sg.outputs = graph_inputs, out_ids
  oper = s.OperatorT()
  oper.opcodeIndex = 0
  oper.inputs, oper.outputs = ins, out_ids
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
    m.name = sg.tensors[i].name
    m.tensorIndex = i
    return m
  sig.inputs = [tmap(i) for i in graph_inputs]
  sig.outputs = [tmap(i) for i in out_ids]
  model.signatureDefs = [sig]
  b = flatbuffers.Builder(1024)
  b.Finish(model.Pack(b), file_identifier=b"TFL3")
  return Case(name="indexing/" + name, model_bytes=bytes(b.Output()),
              inputs=inputs, **kw)


# ---- Cases ------------------------------------------------------------------

def _scatter_nd():
  yield _case("scatter_nd_f32_dup",
              lambda i, u: tf.scatter_nd(i, u, [5, 4]),
              np.array([[1], [3], [1]], np.int32), _f32(3, 4))
  yield _case("scatter_nd_i32_elems",
              lambda i, u: tf.scatter_nd(i, u, [3, 4]),
              np.array([[2, 3], [0, 0], [2, 3], [1, 2]], np.int32),
              _int(np.int32, 4))
  yield _case("scatter_nd_i64_rank3",
              lambda i, u: tf.scatter_nd(i, u, [2, 3, 2]),
              np.array([[[1, 2]], [[0, 0]]], np.int32),
              _int(np.int64, 2, 1, 2, lo=-2**40, hi=2**40))
  yield _case("scatter_nd_dynamic_shape",
              lambda i, u, s: tf.scatter_nd(i, u, s),
              np.array([[0], [2]], np.int32), _f32(2, 3),
              np.array([4, 3], np.int32))
  yield _case("scatter_nd_int8_wrap",
              lambda i, u: tf.scatter_nd(i, u, [3]),
              np.array([[1], [1], [0]], np.int32),
              np.array([100, 100, -7], np.int8))
  yield _case("scatter_nd_uint8",
              lambda i, u: tf.scatter_nd(i, u, [2, 2]),
              np.array([[1], [1]], np.int32),
              np.array([[200, 3], [100, 4]], np.uint8))
  yield _one("scatter_nd_bool", "SCATTER_ND",
             [("i", np.array([[0], [2], [0]], np.int32)),
              ("u", np.array([[True, False], [False, True], [False, True]])),
              ("s", np.array([4, 2], np.int32), "const")],
             [("out", np.bool_, [4, 2])])
  yield _one("scatter_nd_no_updates", "SCATTER_ND",
             [("i", np.zeros([0, 1], np.int32)),
              ("u", np.zeros([0, 3], np.float32)),
              ("s", np.array([2, 3], np.int32), "const")],
             [("out", np.float32, [2, 3])])
  yield _case("scatter_nd_index_too_large",
              lambda i, u: tf.scatter_nd(i, u, [5, 4]),
              np.array([[1], [5]], np.int32), _f32(2, 4),
              expect_error="SCATTER_ND: index 5")
  yield _case("scatter_nd_index_negative",
              lambda i, u: tf.scatter_nd(i, u, [5, 4]),
              np.array([[-1], [0]], np.int32), _f32(2, 4),
              expect_error="out of range")
  yield _one("scatter_nd_i64_indices", "SCATTER_ND",
             [("i", np.array([[0], [1]], np.int64)),
              ("u", _f32(2)), ("s", np.array([3], np.int64), "const")],
             [("out", np.float32, [3])],
             expect_error="SCATTER_ND: indices of type INT64")


def _broadcast_args():
  ba = tf.broadcast_dynamic_shape
  yield _case("broadcast_args_i32", ba, np.array([2, 1, 3], np.int32),
              np.array([4, 1], np.int32))
  yield _case("broadcast_args_i64", ba, np.array([1, 5], np.int64),
              np.array([3, 2, 1, 1], np.int64))
  yield _case("broadcast_args_zero_dim", ba, np.array([0, 1, 3], np.int32),
              np.array([1, 3], np.int32))
  yield _case("broadcast_args_empty", ba, np.zeros([0], np.int32),
              np.array([2, 3], np.int32))


def _one_hot():
  yield _case("one_hot_f32_last", lambda i: tf.one_hot(i, 4),
              np.array([0, 3, -1, 4, 2], np.int32))
  yield _case("one_hot_axis0", lambda i: tf.one_hot(i, 3, axis=0),
              _int(np.int32, 2, 3, lo=-1, hi=4))
  yield _case("one_hot_axis1_i64", lambda i: tf.one_hot(i, 5, axis=1),
              _int(np.int64, 2, 3, lo=0, hi=6))
  yield _case("one_hot_i32_values",
              lambda i: tf.one_hot(i, 3, on_value=7, off_value=-2,
                                   dtype=tf.int32),
              _int(np.int32, 4, lo=0, hi=3))
  yield _case("one_hot_i64_values",
              lambda i: tf.one_hot(i, 3, on_value=np.int64(2**40),
                                   off_value=np.int64(-1), dtype=tf.int64),
              _int(np.int32, 2, 2, lo=0, hi=3))
  yield _case("one_hot_bool",
              lambda i: tf.one_hot(i, 2, on_value=True, off_value=False,
                                   dtype=tf.bool),
              np.array([1, 0, 1], np.int32))
  yield _case("one_hot_int8",
              lambda i: tf.one_hot(i, 3, on_value=np.int8(-5),
                                   off_value=np.int8(9), dtype=tf.int8),
              np.array([2, 0], np.int32))
  yield _case("one_hot_uint8",
              lambda i: tf.one_hot(i, 3, on_value=np.uint8(255),
                                   off_value=np.uint8(1), dtype=tf.uint8),
              np.array([[1], [2]], np.int32))
  yield _case("one_hot_values_inputs",
              lambda i, on, off: tf.one_hot(i, 3, on_value=on,
                                            off_value=off),
              np.array([0, 2, 1], np.int32), np.array(1.5, np.float32),
              np.array(-0.25, np.float32))
  yield _case("one_hot_dynamic_depth", lambda i, d: tf.one_hot(i, d),
              np.array([[0, 5], [2, 1]], np.int32), np.array(6, np.int32))
  yield _case("one_hot_scalar_index", lambda i: tf.one_hot(i, 4),
              np.array(2, np.int32))
  yield _case("one_hot_rank5", lambda i: tf.one_hot(i, 2, axis=3),
              _int(np.int32, 2, 1, 2, 1, 2, lo=0, hi=2))
  yield _case("one_hot_negative_depth", lambda i, d: tf.one_hot(i, d),
              np.array([0, 1], np.int32), np.array(-1, np.int32),
              expect_error="ONE_HOT: depth")
  yield _one("one_hot_bad_axis", "ONE_HOT",
             [("i", np.array([0, 1], np.int32)),
              ("d", np.array(2, np.int32), "const"),
              ("on", np.array(1, np.float32), "const"),
              ("off", np.array(0, np.float32), "const")],
             [("out", np.float32, [2, 2])],
             options=_opts("OneHotOptionsT", axis=3), options_type=61,
             expect_error="ONE_HOT: axis 3")


def _embedding_lookup():
  def el(name, ids, value, **kw):
    out = [len(ids)] + list(value.shape[1:])
    return _one(name, "EMBEDDING_LOOKUP",
                [("ids", np.asarray(ids, np.int32)), ("value", value)],
                [("out", value.dtype, out)], **kw)
  yield el("embedding_lookup_f32", [2, 0, 2, 3], _f32(4, 3))
  yield el("embedding_lookup_rank3", [1, 0], _f32(2, 2, 3))
  yield el("embedding_lookup_i32", [1, 1], _int(np.int32, 3, 2))
  yield el("embedding_lookup_i64", [0, 2],
           _int(np.int64, 3, 2, lo=-2**40, hi=2**40))
  yield el("embedding_lookup_bool", [2, 1, 0], _bool(3, 4))
  yield el("embedding_lookup_int8", [1], _int(np.int8, 2, 5))
  yield el("embedding_lookup_f16", [0, 1], _f32(2, 3).astype(np.float16))
  yield el("embedding_lookup_empty", [], _f32(3, 2))
  yield _one("embedding_lookup_const_value", "EMBEDDING_LOOKUP",
             [("ids", np.array([3, 1], np.int32)),
              ("value", _f32(4, 2), "const")],
             [("out", np.float32, [2, 2])])
  yield el("embedding_lookup_id_too_large", [0, 4], _f32(4, 2),
           expect_error="EMBEDDING_LOOKUP: id 4")
  yield el("embedding_lookup_id_negative", [-1], _f32(4, 2),
           expect_error="out of range")


def _dynamic_update_slice():
  from tensorflow.compiler.tf2xla.python import xla
  f = xla.dynamic_update_slice
  yield _case("dus_f32", f, _f32(4, 5), _f32(2, 3),
              np.array([1, 2], np.int32))
  yield _case("dus_clamped", f, _f32(4, 5), _f32(2, 3),
              np.array([-3, 9], np.int32))
  yield _case("dus_i64_start", f, _int(np.int32, 3, 4, 2), _int(np.int32, 1,
                                                                  2, 2),
              np.array([2, 1, 0], np.int64))
  yield _case("dus_i64", f, _int(np.int64, 5, lo=-2**40, hi=2**40),
              _int(np.int64, 2, lo=-2**40, hi=2**40),
              np.array([3], np.int32))
  yield _case("dus_int8", f, _int(np.int8, 3, 3), _int(np.int8, 3, 1),
              np.array([0, 1], np.int32))
  yield _case("dus_int16", f, _int(np.int16, 2, 3), _int(np.int16, 1, 3),
              np.array([1, 0], np.int32))
  def hand(name, a, u, st):
    return _one(name, "DYNAMIC_UPDATE_SLICE", [("a", a), ("u", u), ("s", st)],
                [("out", a.dtype, a.shape)])
  yield hand("dus_uint8", _int(np.uint8, 2, 3, lo=0, hi=255),
             _int(np.uint8, 2, 2, lo=0, hi=255), np.array([0, 1], np.int32))
  yield hand("dus_bool", _bool(3, 3), _bool(2, 2), np.array([1, 1], np.int32))
  yield hand("dus_f16", _f32(3, 2).astype(np.float16),
             _f32(1, 2).astype(np.float16), np.array([2, 0], np.int64))
  yield hand("dus_scalar", np.array(1.5, np.float32),
             np.array(-2.5, np.float32), np.zeros([0], np.int32))
  yield _case("dus_full", f, _f32(2, 3), _f32(2, 3),
              np.array([1, 1], np.int32))
  yield _case("dus_empty_update", f, _f32(2, 3), _f32(0, 3),
              np.array([1, 0], np.int32))
  yield _case("dus_rank5", f, _f32(2, 2, 2, 3, 2), _f32(1, 2, 1, 2, 2),
              np.array([1, 0, 1, 1, 0], np.int32))
  yield _one("dus_update_too_big", "DYNAMIC_UPDATE_SLICE",
             [("a", _f32(2, 3)), ("u", _f32(3, 3)),
              ("s", np.array([0, 0], np.int32))],
             [("out", np.float32, [2, 3])],
             expect_error="no larger dims")


def _matrix_diag():
  yield _case("matrix_diag_f32", tf.linalg.diag, _f32(4))
  yield _case("matrix_diag_batch_i32", tf.linalg.diag, _int(np.int32, 2, 3))
  yield _case("matrix_diag_i64", tf.linalg.diag,
              _int(np.int64, 2, 1, 2, lo=-2**40, hi=2**40))
  yield _case("matrix_diag_int8", tf.linalg.diag, _int(np.int8, 3))
  yield _case("matrix_diag_uint8", tf.linalg.diag,
              _int(np.uint8, 2, 2, lo=1, hi=255))
  yield _case("matrix_diag_int16", tf.linalg.diag, _int(np.int16, 3))
  yield _one("matrix_diag_bool", "MATRIX_DIAG", [("a", _bool(3))],
             [("out", np.bool_, [3, 3])],
             expect_error="MATRIX_DIAG: input of type BOOL")
  sd = tf.linalg.set_diag
  yield _case("matrix_set_diag_f32", sd, _f32(3, 3), _f32(3))
  yield _case("matrix_set_diag_wide", sd, _f32(2, 3, 4), _f32(2, 3))
  yield _case("matrix_set_diag_tall_i32", sd, _int(np.int32, 2, 4, 3),
              _int(np.int32, 2, 3))
  yield _case("matrix_set_diag_i64", sd,
              _int(np.int64, 2, 2, lo=-2**40, hi=2**40),
              _int(np.int64, 2, lo=-2**40, hi=2**40))
  yield _case("matrix_set_diag_int8", sd, _int(np.int8, 2, 2, 3),
              _int(np.int8, 2, 2))
  yield _case("matrix_set_diag_int16", sd, _int(np.int16, 3, 2),
              _int(np.int16, 2))
  yield _case("matrix_set_diag_uint8", sd,
              _int(np.uint8, 2, 2, lo=0, hi=255),
              _int(np.uint8, 2, lo=0, hi=255))
  yield _one("matrix_set_diag_bad_diag", "MATRIX_SET_DIAG",
             [("a", _f32(2, 3)), ("d", _f32(3))],
             [("out", np.float32, [2, 3])],
             expect_error="MATRIX_SET_DIAG: diagonal shape")


def _unique():
  def u(name, x, idx=tf.int32, **kw):
    return _case(name, lambda a: tf.unique(a, out_idx=idx), x, **kw)
  yield u("unique_f32", np.array([1.5, -0.0, 2.0, 1.5, 0.0, 7.0, -0.0, 2.0],
                                 np.float32))
  yield u("unique_i32_i64idx", _int(np.int32, 12, lo=0, hi=5),
          idx=tf.int64)
  yield u("unique_i64", np.array([2**40, 5, 2**40, -2**41, 5], np.int64))
  yield u("unique_int8", _int(np.int8, 9, lo=-3, hi=3))
  yield u("unique_uint8", _int(np.uint8, 7, lo=250, hi=256))
  yield u("unique_int16", _int(np.int16, 6, lo=-2, hi=2), idx=tf.int64)
  yield u("unique_single", np.array([4.0], np.float32))
  yield u("unique_all_distinct", _f32(10))
  yield _one("unique_rank2", "UNIQUE", [("a", _f32(2, 2))],
             [("y", np.float32, [4]), ("idx", np.int32, [2, 2])],
             options=_opts("UniqueOptionsT", idxOutType=2), options_type=80,
             expect_error="UNIQUE: the input must be 1-D")
  yield _one("unique_idx_type_mismatch", "UNIQUE", [("a", _f32(3))],
             [("y", np.float32, [3]), ("idx", np.int64, [3])],
             options=_opts("UniqueOptionsT", idxOutType=2), options_type=80,
             expect_error="idx_out_type")


_SEG_REASON = ("SEGMENT_SUM is missing from LiteRT's BUILTIN_REF resolver; "
               "its builtin kernel is the reference")


def _segment_sum():
  kw = dict(resolver="BUILTIN_WITHOUT_DEFAULT_DELEGATES", reason=_SEG_REASON)
  ss = tf.math.segment_sum
  yield _case("segment_sum_f32", ss, _f32(6, 3),
              np.array([0, 0, 1, 2, 2, 2], np.int32), **kw)
  yield _case("segment_sum_i32_1d", ss, _int(np.int32, 5),
              np.array([0, 1, 1, 1, 2], np.int32), **kw)
  yield _case("segment_sum_rank3", ss, _f32(4, 2, 3),
              np.array([0, 1, 2, 3], np.int32), **kw)
  yield _case("segment_sum_one_segment", ss, _int(np.int32, 3, 2),
              np.zeros([3], np.int32), **kw)
  yield _case("segment_sum_const_ids",
              lambda a: ss(a, tf.constant([0, 0, 1], tf.int32)), _f32(3, 2),
              **kw)
  yield _case("segment_sum_gap", ss, _f32(3, 2),
              np.array([0, 2, 2], np.int32), expect_error="SEGMENT_SUM: "
              "segment id 2", **kw)
  yield _case("segment_sum_not_from_zero", ss, _f32(3),
              np.array([1, 1, 2], np.int32),
              expect_error="first segment id", **kw)
  yield _case("segment_sum_decreasing", ss, _f32(3),
              np.array([0, 1, 0], np.int32), expect_error="grow by", **kw)


def _unsorted_segment():
  fns = dict(sum=tf.math.unsorted_segment_sum,
             prod=tf.math.unsorted_segment_prod,
             max=tf.math.unsorted_segment_max,
             min=tf.math.unsorted_segment_min)
  for op, fn in fns.items():
    name = "unsorted_segment_" + op
    yield _case(name + "_f32", lambda d, i, f=fn: f(d, i, 4), _f32(6, 2),
                np.array([3, 0, 3, -1, 0, 3], np.int32))
    yield _case(name + "_i32", lambda d, i, f=fn: f(d, i, 3),
                _int(np.int32, 5, lo=-9, hi=9),
                np.array([2, 2, 0, 2, 0], np.int32))
    yield _case(name + "_2d_ids", lambda d, i, f=fn: f(d, i, 3),
                _f32(2, 3, 2), np.array([[0, 2, 0], [1, -1, 2]], np.int32))
    yield _case(name + "_dynamic_num", lambda d, i, n, f=fn: f(d, i, n),
                _int(np.int32, 4, 2, lo=-3, hi=4),
                np.array([1, 0, 1, 1], np.int32), np.array(3, np.int32))
    yield _case(name + "_id_too_large", lambda d, i, f=fn: f(d, i, 2),
                _f32(3), np.array([0, 2, 1], np.int32),
                expect_error=name.upper() + ": segment id 2")
  nan = np.array([[1.0, np.nan], [np.nan, -2.0], [3.0, 0.5]], np.float32)
  for op in ("max", "min"):
    yield _case("unsorted_segment_%s_nan" % op,
                lambda d, i, f=fns[op]: f(d, i, 2), nan,
                np.array([0, 0, 0], np.int32))
  yield _case("unsorted_segment_prod_i32_wrap",
              lambda d, i: tf.math.unsorted_segment_prod(d, i, 1),
              np.array([65536, 65536, 3], np.int32),
              np.array([0, 0, 0], np.int32))


def _more():
  """More shapes and types, and the type errors LiteRT shares."""
  yield _case("scatter_nd_rank5",
              lambda i, u: tf.scatter_nd(i, u, [2, 2, 1, 2, 3]),
              np.array([[1, 0], [0, 1], [1, 0]], np.int32), _f32(3, 1, 2, 3))
  yield _case("one_hot_neg1_axis_i64_dynamic",
              lambda i, d: tf.one_hot(i, d, axis=-1),
              _int(np.int64, 3, 2, lo=-1, hi=4), np.array(3, np.int32))
  yield _case("matrix_diag_rank5", tf.linalg.diag, _f32(2, 1, 2, 1, 3))
  yield _case("matrix_set_diag_rank5", tf.linalg.set_diag,
              _int(np.int32, 1, 2, 1, 2, 3), _int(np.int32, 1, 2, 1, 2))
  yield _case("unique_many_dups_i32",
              lambda a: tf.unique(a, out_idx=tf.int64),
              _int(np.int32, 300, lo=-20, hi=20))
  yield _case("unique_many_dups_f32", tf.unique,
              np.round(_f32(200) * 3).astype(np.float32))
  yield _case("unsorted_segment_sum_long_f32",
              lambda d, i: tf.math.unsorted_segment_sum(d, i, 3),
              _f32(120, 2), _int(np.int32, 120, lo=-1, hi=3))
  yield _case("unsorted_segment_prod_scalar_slices",
              lambda d, i: tf.math.unsorted_segment_prod(d, i, 4),
              _f32(2, 3), np.array([[0, 3, 0], [3, 1, 3]], np.int32))
  yield _case("segment_sum_long_f32", tf.math.segment_sum, _f32(100, 3),
              np.repeat(np.arange(25, dtype=np.int32), 4),
              resolver="BUILTIN_WITHOUT_DEFAULT_DELEGATES",
              reason=_SEG_REASON)
  yield _one("embedding_lookup_uint8", "EMBEDDING_LOOKUP",
             [("ids", np.array([1, 0, 1], np.int32)),
              ("value", _int(np.uint8, 2, 3, lo=0, hi=255))],
             [("out", np.uint8, [3, 3])])
  yield _one("embedding_lookup_int16", "EMBEDDING_LOOKUP",
             [("ids", np.array([2], np.int32)),
              ("value", _int(np.int16, 3, 2, 2))],
             [("out", np.int16, [1, 2, 2])])
  yield _one("unsorted_segment_sum_scalar_id", "UNSORTED_SEGMENT_SUM",
             [("d", _f32(2)), ("i", np.array(1, np.int32)),
              ("n", np.array(3, np.int32), "const")],
             [("out", np.float32, [3, 2])])
  yield _one("embedding_lookup_rank1_value", "EMBEDDING_LOOKUP",
             [("ids", np.array([0], np.int32)), ("value", _f32(3))],
             [("out", np.float32, [1])], expect_error="rank >= 2")
  # Quantized tensors that only move.
  q = (0.25, -3)
  yield _one("dus_int8_quantized", "DYNAMIC_UPDATE_SLICE",
             [("a", _int(np.int8, 3, 3)), ("u", _int(np.int8, 2, 1)),
              ("s", np.array([1, 2], np.int32))],
             [("out", np.int8, [3, 3])],
             quant={"a": q, "u": q, "out": q})
  yield _one("matrix_diag_uint8_quantized", "MATRIX_DIAG",
             [("a", _int(np.uint8, 2, 3, lo=0, hi=255))],
             [("out", np.uint8, [2, 3, 3])],
             quant={"a": (0.5, 128), "out": (0.5, 128)})
  yield _one("unique_int8_quantized", "UNIQUE",
             [("a", _int(np.int8, 8, lo=-3, hi=3))],
             [("y", np.int8, [8]), ("idx", np.int32, [8])],
             options=_opts("UniqueOptionsT", idxOutType=2), options_type=80,
             quant={"a": q, "y": q})
  yield _one("dus_int8_scale_mismatch", "DYNAMIC_UPDATE_SLICE",
             [("a", _int(np.int8, 3, 3)), ("u", _int(np.int8, 2, 1)),
              ("s", np.array([1, 2], np.int32))],
             [("out", np.int8, [3, 3])],
             quant={"a": q, "u": (0.5, 0), "out": q},
             expect_error="not supported yet")
  # Type errors, in prepare for both runtimes.
  yield _one("scatter_nd_int16_updates", "SCATTER_ND",
             [("i", np.array([[0]], np.int32)), ("u", _int(np.int16, 1)),
              ("s", np.array([2], np.int32), "const")],
             [("out", np.int16, [2])],
             expect_error="SCATTER_ND: updates of type INT16")
  yield _one("broadcast_args_mixed_types", "BROADCAST_ARGS",
             [("a", np.array([2, 1], np.int32)),
              ("b", np.array([3], np.int64))],
             [("out", np.int32, [2])], expect_error="BROADCAST_ARGS")
  yield _one("one_hot_int16_indices", "ONE_HOT",
             [("i", np.array([0, 1], np.int16)),
              ("d", np.array(2, np.int32), "const"),
              ("on", np.array(1, np.float32), "const"),
              ("off", np.array(0, np.float32), "const")],
             [("out", np.float32, [2, 2])],
             options=_opts("OneHotOptionsT", axis=-1), options_type=61,
             expect_error="ONE_HOT: indices of type INT16")
  yield _one("embedding_lookup_i64_ids", "EMBEDDING_LOOKUP",
             [("ids", np.array([0], np.int64)), ("value", _f32(2, 2))],
             [("out", np.float32, [1, 2])],
             expect_error="lookup must be 1-D int32")
  yield _one("dus_start_wrong_length", "DYNAMIC_UPDATE_SLICE",
             [("a", _f32(2, 3)), ("u", _f32(1, 3)),
              ("s", np.array([0], np.int32))],
             [("out", np.float32, [2, 3])], expect_error="start_indices")
  yield _one("unique_bool", "UNIQUE", [("a", _bool(3))],
             [("y", np.bool_, [3]), ("idx", np.int32, [3])],
             options=_opts("UniqueOptionsT", idxOutType=2), options_type=80,
             expect_error="UNIQUE: input of type BOOL")
  yield _one("segment_sum_i64_data", "SEGMENT_SUM",
             [("d", _int(np.int64, 2)), ("i", np.array([0, 0], np.int32))],
             [("out", np.int64, [1])],
             expect_error="SEGMENT_SUM: data of type INT64",
             resolver="BUILTIN_WITHOUT_DEFAULT_DELEGATES", reason=_SEG_REASON)
  yield _one("unsorted_segment_min_i64_ids", "UNSORTED_SEGMENT_MIN",
             [("d", _f32(2)), ("i", np.array([0, 1], np.int64)),
              ("n", np.array([2], np.int32), "const")],
             [("out", np.float32, [2])],
             expect_error="segment_ids of type INT64")
  yield _one("unsorted_segment_sum_bad_ids_shape", "UNSORTED_SEGMENT_SUM",
             [("d", _f32(2, 3)), ("i", np.array([0, 1, 1], np.int32)),
              ("n", np.array([2], np.int32), "const")],
             [("out", np.float32, [2])],
             expect_error="must be a prefix")


def cases():
  for gen in (_scatter_nd, _broadcast_args, _one_hot, _embedding_lookup,
              _dynamic_update_slice, _matrix_diag, _unique, _segment_sum,
              _unsorted_segment, _more):
    yield from gen()
