"""Reductions and scans: MEAN, SUM, REDUCE_PROD/MAX/MIN/ANY/ALL, ARG_MAX,
ARG_MIN, CUMSUM, TOPK_V2 (axes, keep_dims, dtypes, edge shapes)."""
import numpy as np
import tensorflow as tf

from conformance.cases import Case, rng


def _spec(a):
  return tf.TensorSpec(a.shape, tf.as_dtype(a.dtype))


def _reduce(name, op, x, axis, keepdims=False, dynamic=False, **kw):
  """op(x, axis, keepdims); a dynamic axis is a second model input."""
  if dynamic:
    axis = np.asarray(axis, np.int32)

    @tf.function(input_signature=[_spec(x), _spec(axis)])
    def fn(x, axis):
      return op(x, axis=axis, keepdims=keepdims)
    return Case(name="reduce/" + name, fn=fn, inputs={"x": x, "axis": axis},
                **kw)

  @tf.function(input_signature=[_spec(x)])
  def fn(x):
    return op(x, axis=axis, keepdims=keepdims)
  return Case(name="reduce/" + name, fn=fn, inputs={"x": x}, **kw)


def _reduction_cases(r):
  f = lambda *s: r.standard_normal(s).astype(np.float32)
  i32 = lambda lo, hi, *s: r.integers(lo, hi, s).astype(np.int32)
  i64 = lambda lo, hi, *s: r.integers(lo, hi, s).astype(np.int64)
  b = lambda *s: r.random(s) < 0.5

  mean, rsum = tf.reduce_mean, tf.reduce_sum
  # MEAN
  yield _reduce("mean_f32_axis1", mean, f(3, 4, 5), [1])
  yield _reduce("mean_f32_keepdims", mean, f(2, 3, 4), [0, 2], True)
  yield _reduce("mean_f32_neg_dup_axes", mean, f(2, 3, 4), [-1, 2, 0])
  yield _reduce("mean_f32_all", mean, f(4, 5), None)
  yield _reduce("mean_f32_4d_hw_keepdims", mean, f(2, 5, 6, 3), [1, 2], True)
  yield _reduce("mean_f32_4d_hw", mean, f(2, 5, 6, 3), [2, 1])
  # Long rows of large values: the summation order shows in the last bits.
  yield _reduce("mean_f32_long_rows", mean, f(3, 700) * 1000, [1])
  yield _reduce("mean_f32_long_cols", mean, f(700, 3) * 1000, [0])
  yield _reduce("mean_f32_rank6", mean, f(2, 1, 3, 2, 2, 3), [1, 3, -1], True)
  yield _reduce("mean_f32_scalar", mean, np.float32(2.5), [])
  yield _reduce("mean_f32_dynamic_axis", mean, f(3, 4, 5), [2, 0],
                dynamic=True)
  yield _reduce("mean_f32_dynamic_keepdims", mean, f(3, 4, 5), [-2], True,
                dynamic=True)
  yield _reduce("mean_f32_dynamic_empty_axes", mean, f(3, 4),
                np.zeros([0], np.int32), dynamic=True)
  yield _reduce("mean_f32_empty_input", mean, np.zeros((0, 3), np.float32),
                [0])
  yield _reduce("mean_i32", mean, i32(-100, 100, 3, 7), [1])
  yield _reduce("mean_i32_keepdims", mean, i32(-1000, 1000, 4, 3, 2), [0, 2],
                True)
  yield _reduce("mean_i64", mean, i64(-10**12, 10**12, 5, 3), [0])
  yield _reduce("mean_i32_empty_input", mean, np.zeros((2, 0), np.int32), [1])

  # SUM
  yield _reduce("sum_f32_axis0", rsum, f(4, 3), [0])
  yield _reduce("sum_f32_keepdims", rsum, f(2, 3, 4), [1], True)
  yield _reduce("sum_f32_all", rsum, f(3, 4, 2), None)
  yield _reduce("sum_f32_neg_axes", rsum, f(2, 3, 4), [-1, -3])
  yield _reduce("sum_f32_long", rsum, f(5, 600) * 100, [-1])
  yield _reduce("sum_f32_neg_zero", rsum,
                np.array([[-0.0, -0.0], [-0.0, 1.0]], np.float32), [0])
  yield _reduce("sum_f32_neg_zero_all", rsum,
                np.array([-0.0, -0.0], np.float32), [0])
  yield _reduce("sum_f32_dynamic", rsum, f(2, 3, 4), [1, -1], dynamic=True)
  yield _reduce("sum_f32_dynamic_all", rsum, f(2, 3), [0, 1, 1],
                dynamic=True)
  yield _reduce("sum_f32_empty_input", rsum, np.zeros((2, 0, 3), np.float32),
                [1])
  yield _reduce("sum_f32_rank5", rsum, f(2, 2, 3, 1, 2), [0, 2, 4])
  yield _reduce("sum_f32_all_keepdims", rsum, f(2, 3, 2), None, True)
  yield _reduce("sum_f32_rank6_dynamic", rsum, f(2, 1, 2, 3, 1, 2),
                [-6, 3, -1], True, dynamic=True)
  yield _reduce("sum_i32", rsum, i32(-1000, 1000, 3, 5), [1])
  yield _reduce("sum_i32_wrap", rsum,
                np.array([[2**31 - 1, 5], [-2**31, -7]], np.int32), [1])
  yield _reduce("sum_i64", rsum, i64(-10**15, 10**15, 4, 3), [0], True)
  # Dynamic axis with out-of-range values: rejected at invoke.
  yield _reduce("sum_bad_axis", rsum, f(2, 3), [2], dynamic=True,
                expect_error="out of range")

  # REDUCE_PROD
  prod = tf.reduce_prod
  yield _reduce("prod_f32", prod, f(3, 4) + 0.5, [1])
  yield _reduce("prod_f32_all", prod, f(2, 5) * 0.9, None)
  yield _reduce("prod_f32_keepdims_neg", prod, f(2, 3, 4), [-2], True)
  yield _reduce("prod_i32_wrap", prod, i32(-50, 50, 3, 8), [1])
  yield _reduce("prod_i64", prod, i64(-20, 20, 4, 6), [0])
  yield _reduce("prod_f32_empty", prod, np.zeros((0, 4), np.float32), [0])
  yield _reduce("prod_f32_dynamic", prod, f(3, 2, 2), [2], dynamic=True)

  # REDUCE_MAX / REDUCE_MIN
  rmax, rmin = tf.reduce_max, tf.reduce_min
  nan_rows = np.array([[np.nan, 1.0, 2.0], [3.0, np.nan, -1.0],
                       [-np.inf, -np.inf, -np.inf]], np.float32)
  yield _reduce("max_f32", rmax, f(3, 4, 5), [1])
  yield _reduce("max_f32_all", rmax, f(3, 4), None)
  yield _reduce("max_f32_keepdims", rmax, f(2, 3, 4), [0, -1], True)
  yield _reduce("max_f32_nan_rows", rmax, nan_rows, [1])
  yield _reduce("max_f32_nan_first_all", rmax,
                np.array([np.nan, 1.0, 2.0], np.float32), [0])
  yield _reduce("max_f32_nan_later_all", rmax,
                np.array([1.0, np.nan, 2.0], np.float32), [0])
  yield _reduce("max_f32_empty", rmax, np.zeros((0, 3), np.float32), [0])
  yield _reduce("max_i32", rmax, i32(-1000, 1000, 4, 5), [0])
  yield _reduce("max_i64", rmax, i64(-10**15, 10**15, 3, 4), [1], True)
  yield _reduce("max_f32_dynamic", rmax, f(2, 3, 4), [0, 2], dynamic=True)
  yield _reduce("min_f32", rmin, f(3, 4, 5), [2])
  yield _reduce("min_f32_all", rmin, f(6), None)
  yield _reduce("min_f32_neg_keepdims", rmin, f(2, 3, 4), [-2], True)
  yield _reduce("min_f32_nan_rows", rmin, nan_rows, [1])
  yield _reduce("min_f32_empty", rmin, np.zeros((2, 0), np.float32), [1])
  yield _reduce("min_i32", rmin, i32(-1000, 1000, 4, 5), [1])
  yield _reduce("min_i64", rmin, i64(-10**15, 10**15, 3, 4), [0])
  yield _reduce("min_f32_dynamic", rmin, f(2, 3, 4), [-1], True,
                dynamic=True)

  # REDUCE_ANY / REDUCE_ALL
  rany, rall = tf.reduce_any, tf.reduce_all
  yield _reduce("any_axis1", rany, b(3, 4), [1])
  yield _reduce("any_all_dims", rany, b(2, 3), None)
  yield _reduce("any_keepdims_neg", rany, b(2, 3, 4), [-1, 0], True)
  yield _reduce("any_dynamic", rany, b(3, 4), [0], dynamic=True)
  yield _reduce("any_empty", rany, np.zeros((0, 3), np.bool_), [0])
  yield _reduce("all_axis0", rall, r.random((4, 3)) < 0.8, [0])
  yield _reduce("all_all_dims", rall, np.ones((2, 3), np.bool_), None)
  yield _reduce("all_keepdims", rall, r.random((2, 3, 4)) < 0.7, [1], True)
  yield _reduce("all_dynamic", rall, r.random((3, 4)) < 0.7, [1, -2],
                dynamic=True)
  yield _reduce("all_empty", rall, np.zeros((3, 0), np.bool_), [1])


def _arg(name, op, x, axis, output_type=tf.int64, dynamic=False, **kw):
  if dynamic:
    axis = np.asarray(axis, np.int32)

    @tf.function(input_signature=[_spec(x), _spec(axis)])
    def fn(x, axis):
      return op(x, axis=axis, output_type=output_type)
    return Case(name="reduce/" + name, fn=fn, inputs={"x": x, "axis": axis},
                **kw)

  @tf.function(input_signature=[_spec(x)])
  def fn(x):
    return op(x, axis=axis, output_type=output_type)
  return Case(name="reduce/" + name, fn=fn, inputs={"x": x}, **kw)


def _cumsum(name, x, axis, exclusive=False, reverse=False, dynamic=False):
  if dynamic:
    axis = np.asarray(axis, np.int32)

    @tf.function(input_signature=[_spec(x), _spec(axis)])
    def fn(x, axis):
      return tf.math.cumsum(x, axis=axis, exclusive=exclusive,
                            reverse=reverse)
    return Case(name="reduce/" + name, fn=fn, inputs={"x": x, "axis": axis})

  @tf.function(input_signature=[_spec(x)])
  def fn(x):
    return tf.math.cumsum(x, axis=axis, exclusive=exclusive, reverse=reverse)
  return Case(name="reduce/" + name, fn=fn, inputs={"x": x})


def _topk(name, x, k, dynamic=False, **kw):
  if dynamic:
    k = np.asarray(k, np.int32)

    @tf.function(input_signature=[_spec(x), _spec(k)])
    def fn(x, k):
      return tf.math.top_k(x, k=k)
    return Case(name="reduce/" + name, fn=fn, inputs={"x": x, "k": k}, **kw)

  @tf.function(input_signature=[_spec(x)])
  def fn(x):
    return tf.math.top_k(x, k=k)
  return Case(name="reduce/" + name, fn=fn, inputs={"x": x}, **kw)


def _arg_scan_cases(r):
  f = lambda *s: r.standard_normal(s).astype(np.float32)
  i32 = lambda lo, hi, *s: r.integers(lo, hi, s).astype(np.int32)
  amax, amin = tf.math.argmax, tf.math.argmin
  # NaN never wins (TFLite's reference rule), except in LiteRT's 4-lane scan
  # of last-axis float lines of 4 or more, whose pairwise lane fold can pick
  # a NaN lane: nan_long covers both.
  nan_rows = np.array([[np.nan, 1.0, 2.0], [3.0, np.nan, 5.0],
                       [1.0, 2.0, np.nan], [np.nan, np.nan, np.nan],
                       [np.nan, 4.0, 4.0]], np.float32)
  nan_cols = np.ascontiguousarray(np.array(
      [[np.nan, 1.0, 2.0, 0.0, 7.0], [3.0, np.nan, 5.0, 0.0, 7.0],
       [np.nan, np.nan, np.nan, np.nan, np.nan],
       [0.0, np.nan, np.nan, 3.0, 3.0]], np.float32).T)
  # ARG_MAX / ARG_MIN
  yield _arg("argmax_f32", amax, f(3, 5), 1)
  yield _arg("argmax_f32_i32_out", amax, f(4, 3, 2), 1, tf.int32)
  yield _arg("argmax_f32_axis0", amax, f(4, 3), 0)
  yield _arg("argmax_f32_neg_axis", amax, f(2, 3, 4), -1, tf.int32)
  yield _arg("argmax_f32_rank1", amax, f(7), 0)
  yield _arg("argmax_f32_rank5", amax, f(2, 1, 3, 2, 4), 2)
  yield _arg("argmax_f32_rank6", amax, f(2, 1, 3, 2, 1, 5), -1, tf.int32)
  yield _arg("argmax_ties", amax, i32(0, 3, 4, 6), 1)
  yield _arg("argmax_ties_axis0", amax, i32(0, 2, 5, 3), 0, tf.int32)
  yield _arg("argmax_f32_nan", amax, nan_rows, 1)
  yield _arg("argmax_f32_nan_axis0", amax, nan_cols, 0)
  nan_long = r.integers(0, 5, (60, 11)).astype(np.float32)
  nan_long[r.random(nan_long.shape) < 0.25] = np.nan
  for n in (4, 5, 8, 11):
    yield _arg("argmax_f32_nan_last%d" % n, amax,
               np.ascontiguousarray(nan_long[:, :n]), -1)
    yield _arg("argmin_f32_nan_last%d" % n, amin,
               np.ascontiguousarray(nan_long[:, :n]), 1, tf.int32)
  yield _arg("argmax_u8", amax, r.integers(0, 4, (3, 5)).astype(np.uint8), 1)
  yield _arg("argmax_i8", amax, r.integers(-3, 3, (3, 5)).astype(np.int8), 0)
  yield _arg("argmax_dynamic_axis", amax, f(3, 4, 5), 2, dynamic=True)
  yield _arg("argmax_dynamic_neg_axis", amax, f(3, 4, 5), -3, tf.int32,
             dynamic=True)
  yield _arg("argmax_empty_axis", amax, np.zeros((3, 0), np.float32), 1,
             expect_error="empty axis")
  yield _arg("argmax_bad_axis", amax, f(2, 3), 2, dynamic=True,
             expect_error="out of range")
  yield _arg("argmin_f32", amin, f(3, 5), 1)
  yield _arg("argmin_f32_i32_out", amin, f(4, 3, 2), 0, tf.int32)
  yield _arg("argmin_f32_neg_axis", amin, f(2, 3, 4), -2)
  yield _arg("argmin_ties", amin, i32(0, 3, 4, 6), 1, tf.int32)
  yield _arg("argmin_f32_nan", amin, nan_rows, 1)
  yield _arg("argmin_f32_nan_axis0", amin, nan_cols, 0, tf.int32)
  yield _arg("argmin_i32", amin, i32(-100, 100, 5, 4), 0)
  yield _arg("argmin_dynamic_axis", amin, f(3, 4, 5), 1, tf.int32,
             dynamic=True)

  # CUMSUM
  yield _cumsum("cumsum_f32_axis0", f(4, 3), 0)
  yield _cumsum("cumsum_f32_axis1", f(3, 5), 1)
  yield _cumsum("cumsum_f32_neg_axis", f(2, 3, 4), -2)
  yield _cumsum("cumsum_f32_exclusive", f(3, 5), 1, exclusive=True)
  yield _cumsum("cumsum_f32_reverse", f(3, 5), 1, reverse=True)
  yield _cumsum("cumsum_f32_exclusive_reverse", f(4, 3, 2), 1, True, True)
  yield _cumsum("cumsum_f32_long", f(2, 800) * 1000, 1)
  yield _cumsum("cumsum_f32_long_reverse", f(600, 2) * 1000, 0, False, True)
  yield _cumsum("cumsum_f32_rank1", f(9), 0, True)
  yield _cumsum("cumsum_f32_rank5", f(2, 2, 3, 1, 2), 2)
  yield _cumsum("cumsum_f32_rank6", f(2, 1, 2, 3, 1, 2), -3, True, True)
  yield _cumsum("cumsum_i32", i32(-1000, 1000, 3, 6), 1)
  yield _cumsum("cumsum_i32_wrap",
                np.array([2**31 - 1, 1, 5, -2**31], np.int32), 0)
  yield _cumsum("cumsum_i64", r.integers(-10**15, 10**15, (4, 3)), 0, True,
                True)
  yield _cumsum("cumsum_f32_dynamic_axis", f(3, 4), 1, dynamic=True)
  yield _cumsum("cumsum_f32_dynamic_neg_axis", f(3, 4, 2), -3, True,
                dynamic=True)

  # TOPK_V2
  yield _topk("topk_f32", f(3, 8), 3)
  yield _topk("topk_f32_rank1", f(10), 4)
  yield _topk("topk_f32_rank3", f(2, 3, 6), 2)
  yield _topk("topk_f32_rank5", f(2, 1, 2, 3, 5), 3)
  yield _topk("topk_f32_k_all", f(2, 5), 5)
  yield _topk("topk_f32_k1", f(4, 7), 1)
  yield _topk("topk_ties_i32", i32(0, 4, 3, 12), 5)
  yield _topk("topk_ties_f32", r.integers(0, 3, (2, 9)).astype(np.float32),
              6)
  yield _topk("topk_i64", r.integers(-10**12, 10**12, (3, 6)), 2)
  yield _topk("topk_f32_long", f(2, 500), 20)
  # NaN rows: TFLite's heap and std::sort steps decide the order.
  nan_vals = r.integers(0, 4, (8, 40)).astype(np.float32)
  nan_vals[r.random(nan_vals.shape) < 0.3] = np.nan
  yield _topk("topk_f32_nan_heap", nan_vals, 7)
  yield _topk("topk_f32_nan_sort", nan_vals, 40)
  yield _topk("topk_f32_nan_short", np.ascontiguousarray(nan_vals[:, :9]), 9)
  yield _topk("topk_f32_dynamic_k", f(3, 6), 4, dynamic=True)
  yield _topk("topk_f32_k_too_large", f(3, 6), 7, dynamic=True,
              expect_error="larger than")


def _mutated(name, fn, inputs, mutate, expect_error):
  """A negative case: fn converted, then its model edited by mutate(model,
  subgraph, op) on the flatbuffers object API (the converter never writes
  such models)."""
  import flatbuffers
  from ai_edge_litert import schema_py_generated as schema
  owner = tf.Module()
  owner.fn = fn
  model = tf.lite.TFLiteConverter.from_concrete_functions(
      [fn.get_concrete_function()], owner).convert()
  mt = schema.ModelT.InitFromPackedBuf(model, 0)
  sg = mt.subgraphs[0]
  mutate(mt, sg, sg.operators[0])
  b = flatbuffers.Builder(1024)
  b.Finish(mt.Pack(b), file_identifier=b"TFL3")
  return Case(name="reduce/" + name, model_bytes=bytes(b.Output()),
              inputs=inputs, expect_error=expect_error)


def _set_const(value):
  """Mutation: the op's input 1 (axis or k) holds `value` (int32)."""
  def mutate(mt, sg, op):
    buf = sg.tensors[op.inputs[1]].buffer
    mt.buffers[buf].data = np.frombuffer(
        np.asarray(value, "<i4").tobytes(), np.uint8).copy()
  return mutate


def _negative_cases(r):
  from ai_edge_litert import schema_py_generated as schema
  x = r.standard_normal((2, 3)).astype(np.float32)

  def fn_of(op):
    @tf.function(input_signature=[_spec(x)])
    def fn(x):
      return op(x)
    return fn

  mean = fn_of(lambda v: tf.reduce_mean(v, axis=[1]))
  rsum = fn_of(lambda v: tf.reduce_sum(v, axis=[0]))
  yield _mutated("neg_mean_const_axis_out_of_range", mean, {"x": x},
                 _set_const([5]), "out of range")

  def out_i32(mt, sg, op):
    sg.tensors[op.outputs[0]].type = schema.TensorType.INT32
  yield _mutated("neg_sum_output_type", rsum, {"x": x}, out_i32,
                 "does not match")

  def axis_i64(mt, sg, op):
    t = sg.tensors[op.inputs[1]]
    t.type = schema.TensorType.INT64
    mt.buffers[t.buffer].data = np.frombuffer(
        np.asarray([0], "<i8").tobytes(), np.uint8).copy()
  yield _mutated("neg_sum_axis_int64", rsum, {"x": x}, axis_i64,
                 "int32 axis")

  def one_input(mt, sg, op):
    op.inputs = op.inputs[:1]
  yield _mutated("neg_mean_one_input", mean, {"x": x}, one_input,
                 "takes 2 inputs")

  # Quantized SUM works (cases/qspatial.py); int16 needs zero points 0.
  def quantized_i16(mt, sg, op):
    for i in (op.inputs[0], op.outputs[0]):
      t = sg.tensors[i]
      t.type = schema.TensorType.INT16
      t.quantization = schema.QuantizationParametersT()
      t.quantization.scale = [0.5]
      t.quantization.zeroPoint = [3]
  yield _mutated("neg_sum_quantized_int16_zero_point", rsum,
                 {"x": r.integers(-5, 5, (2, 3)).astype(np.int16)},
                 quantized_i16, "must have zero point 0")

  anyfn = fn_of(lambda v: tf.reduce_any(v > 0, axis=[1]))
  # The bool comparison feeding ANY is removed: ANY reads the float input.

  def any_on_float(mt, sg, op):
    cmp_op, any_op = sg.operators[0], sg.operators[1]
    any_op.inputs = [cmp_op.inputs[0], any_op.inputs[1]]
    sg.operators = [any_op]
  yield _mutated("neg_any_float_input", anyfn, {"x": x}, any_on_float,
                 "bool input only")

  amax = fn_of(lambda v: tf.math.argmax(v, axis=1))

  def argmax_i32_option(mt, sg, op):
    op.builtinOptions.outputType = schema.TensorType.INT32
  yield _mutated("neg_argmax_output_type", amax, {"x": x},
                 argmax_i32_option, "output_type")
  yield _mutated("neg_argmax_const_axis", amax, {"x": x}, _set_const([-3]),
                 "out of range")
  cums = fn_of(lambda v: tf.math.cumsum(v, axis=1))
  yield _mutated("neg_cumsum_const_axis", cums, {"x": x}, _set_const([2]),
                 "out of range")
  topk = fn_of(lambda v: tf.math.top_k(v, k=2))
  yield _mutated("neg_topk_const_k", topk, {"x": x}, _set_const([4]),
                 "larger than")


def _retype(tensors, type_name, quant=None):
  """Mutation: tensors (("in", i) / ("out", i) of the op) get a new type and
  optionally (scale, zero_point)."""
  def mutate(mt, sg, op):
    from ai_edge_litert import schema_py_generated as schema
    for side, i in tensors:
      t = sg.tensors[(op.inputs if side == "in" else op.outputs)[i]]
      t.type = getattr(schema.TensorType, type_name)
      if quant is not None:
        t.quantization = schema.QuantizationParametersT()
        t.quantization.scale = [quant[0]]
        t.quantization.zeroPoint = [quant[1]]
  return mutate


def _dtype_cases(r):
  """Types the converter does not emit for these ops, set on converted
  float models."""
  shape = (3, 6)
  xf = np.zeros(shape, np.float32)

  def fn_of(op):
    @tf.function(input_signature=[_spec(xf)])
    def fn(x):
      return op(x)
    return fn

  io = [("in", 0), ("out", 0)]
  rmax = fn_of(lambda v: tf.reduce_max(v, axis=[1]))
  rmin = fn_of(lambda v: tf.reduce_min(v, axis=[0]))
  i8 = r.integers(-128, 128, shape).astype(np.int8)
  u8 = r.integers(0, 256, shape).astype(np.uint8)
  i16 = r.integers(-32768, 32768, shape).astype(np.int16)
  bools = r.random(shape) < 0.5
  yield _mutated("max_i8", rmax, {"x": i8}, _retype(io, "INT8"), None)
  yield _mutated("max_u8", rmax, {"x": u8}, _retype(io, "UINT8"), None)
  yield _mutated("max_i16", rmax, {"x": i16}, _retype(io, "INT16"), None)
  yield _mutated("max_bool", rmax, {"x": bools}, _retype(io, "BOOL"), None)
  yield _mutated("max_i8_quantized", rmax, {"x": i8},
                 _retype(io, "INT8", (0.5, 3)), None)
  yield _mutated("min_i8", rmin, {"x": i8}, _retype(io, "INT8"), None)
  yield _mutated("min_u8", rmin, {"x": u8}, _retype(io, "UINT8"), None)
  yield _mutated("min_i16", rmin, {"x": i16}, _retype(io, "INT16"), None)
  yield _mutated("min_bool", rmin, {"x": bools}, _retype(io, "BOOL"), None)

  rprod = fn_of(lambda v: tf.reduce_prod(v, axis=[1]))
  yield _mutated("prod_i8_wrap", rprod,
                 {"x": r.integers(-9, 10, shape).astype(np.int8)},
                 _retype(io, "INT8"), None)
  yield _mutated("prod_u8_wrap", rprod,
                 {"x": r.integers(0, 9, shape).astype(np.uint8)},
                 _retype(io, "UINT8"), None)
  yield _mutated("prod_i16_wrap", rprod,
                 {"x": r.integers(-30, 30, shape).astype(np.int16)},
                 _retype(io, "INT16"), None)

  def mixed_scales(mt, sg, op):
    _retype([("in", 0)], "INT8", (0.5, 0))(mt, sg, op)
    _retype([("out", 0)], "INT8", (0.25, 0))(mt, sg, op)
  yield _mutated("neg_max_i8_scales", rmax, {"x": i8}, mixed_scales,
                 "same quantization")

  amax = fn_of(lambda v: tf.math.argmax(v, axis=1))
  yield _mutated("argmax_bool", amax, {"x": bools},
                 _retype([("in", 0)], "BOOL"), None)

  topk = fn_of(lambda v: tf.math.top_k(v, k=3))
  tv = [("in", 0), ("out", 0)]
  yield _mutated("topk_i8", topk, {"x": i8}, _retype(tv, "INT8"), None)
  yield _mutated("topk_u8", topk, {"x": u8}, _retype(tv, "UINT8"), None)
  yield _mutated("topk_i16", topk, {"x": i16}, _retype(tv, "INT16"), None)
  ties = r.integers(0, 3, shape).astype(np.float32)
  yield _mutated("topk_i16_indices", topk, {"x": ties},
                 _retype([("out", 1)], "INT16"), None)

  def k_i16(mt, sg, op):
    from ai_edge_litert import schema_py_generated as schema
    t = sg.tensors[op.inputs[1]]
    t.type = schema.TensorType.INT16
    mt.buffers[t.buffer].data = np.frombuffer(
        np.asarray([4], "<i2").tobytes(), np.uint8).copy()
  yield _mutated("topk_k_i16", topk, {"x": ties}, k_i16, None)


def cases():
  r = rng(7)
  yield from _reduction_cases(r)
  yield from _arg_scan_cases(rng(8))
  yield from _negative_cases(rng(9))
  yield from _dtype_cases(rng(10))
