"""Quantized sequence ops: UNIDIRECTIONAL_SEQUENCE_LSTM (hybrid and full
integer), BIDIRECTIONAL_SEQUENCE_LSTM and UNIDIRECTIONAL_SEQUENCE_RNN
(hybrid).

The converter turns a Keras 2 (tf_keras) LSTM into UNIDIRECTIONAL_SEQUENCE_LSTM:
with quantize="dynamic" its weight matrices become int8 (per tensor, only
when a matrix has at least 1024 elements, hence the 32-unit layers) with
asymmetric_quantize_inputs set; with "int8" / "int8_io" it emits TFLite's
integer LSTM (int8 input, output and weights, int16 cell state, int32
biases, five intermediates of which the last carries the hidden state's
quantization). BIDIRECTIONAL_SEQUENCE_LSTM, UNIDIRECTIONAL_SEQUENCE_RNN and
the LSTM forms Keras never produces (CIFG, peephole, projection, layer norm,
symmetric input quantization, time-major) are the float single-op models of
sequence.py with their weight matrices quantized to int8 here.

Tolerances: the hybrid ops compute in float around int8 products; pylite
repeats TFLite's quantization of the inputs and states bit for bit
(including its rounding of ties, which the *_ties cases pin down), so the
only differences are sigmoid/tanh (libm against Eigen): measured within
3.6e-7 of the largest output over these cases, inside the default 1e-5. A
rounding difference could in principle move one value of the next step's
quantized state by a step; none does here. Integer outputs are exact.
"""
import numpy as np

from conformance.cases import Case, rng
from conformance.cases import sequence as seq

G = "qsequence/"
HYBRID_TOL = 1e-5
HYBRID_REASON = ("hybrid: float math around int8 products; sigmoid/tanh "
                 "are libm's here and Eigen's in LiteRT (measured < 4e-7)")


def _schema():
  from tensorflow.lite.python import schema_py_generated as s
  return s


def _load(model_bytes):
  s = _schema()
  return s, s.ModelT.InitFromObj(s.Model.GetRootAsModel(model_bytes, 0))


def _pack(model):
  import flatbuffers
  b = flatbuffers.Builder(1024)
  b.Finish(model.Pack(b), b"TFL3")
  return bytes(b.Output())


def hybridize(case, positions, asymmetric=True, name=None, bad=None,
              expect_error=None):
  """`case` (a float single-op model) with the float tensors at the op's
  input `positions` quantized to int8 per tensor (scale max|w| / 127), and
  asymmetric_quantize_inputs set. bad: (position, "zero_scale" |
  "zero_point" | "per_channel") to break one tensor's parameters."""
  s, model = _load(case.model_bytes)
  sg = model.subgraphs[0]
  op = sg.operators[0]
  for pos in positions:
    k = int(op.inputs[pos])
    if k < 0:
      continue
    t = sg.tensors[k]
    buf = model.buffers[t.buffer]
    vals = np.frombuffer(bytes(bytearray(buf.data)), np.float32)
    scale = float(np.max(np.abs(vals))) / 127 or 1.0
    q8 = np.clip(np.round(vals / scale), -127, 127).astype(np.int8)
    buf.data = q8.view(np.uint8).tolist()
    t.type = s.TensorType.INT8
    q = s.QuantizationParametersT()
    q.scale = [scale]
    q.zeroPoint = [0]
    if bad is not None and bad[0] == pos:
      if bad[1] == "zero_scale":
        q.scale = [0.0]
      elif bad[1] == "zero_point":
        q.zeroPoint = [3]
      elif bad[1] == "per_channel":
        q.scale = [scale] * int(t.shape[0])
        q.zeroPoint = [0] * int(t.shape[0])
        q.quantizedDimension = 0
    t.quantization = q
  if op.builtinOptions is not None and hasattr(op.builtinOptions,
                                               "asymmetricQuantizeInputs"):
    op.builtinOptions.asymmetricQuantizeInputs = asymmetric
  return Case(name=G + (name or case.name.split("/")[-1]),
              model_bytes=_pack(model), inputs=case.inputs,
              tolerance=HYBRID_TOL, reason=HYBRID_REASON,
              expect_error=expect_error)


# Op input positions of the weight matrices (not biases, not states).
UNI_LSTM_W = list(range(1, 12)) + [16]          # in, rec, peephole, proj
BI_LSTM_W = (list(range(1, 12)) + [16] + list(range(18, 29)) + [33] +
             list(range(40, 48)))
RNN_W = [1, 2]


def _hybrid_cases(r):
  def uni(name, asym=True, **kw):
    return hybridize(seq.uni_lstm(name, r, **kw), UNI_LSTM_W, asym)

  yield uni("hybrid_lstm_basic")
  yield uni("hybrid_lstm_symmetric", asym=False)
  yield uni("hybrid_lstm_time_major", time_major=True, batch=3, time=5)
  yield uni("hybrid_lstm_cifg_peephole", cifg=True, peephole=True)
  yield uni("hybrid_lstm_peephole_symmetric", asym=False, peephole=True)
  yield uni("hybrid_lstm_projection", n_cell=5, n_output=3, projection=True,
            proj_clip=0.3)
  yield uni("hybrid_lstm_projection_symmetric", asym=False, n_cell=5,
            n_output=3, projection=True, proj_bias=False)
  yield uni("hybrid_lstm_layer_norm", layer_norm=True, cell_clip=0.6)
  yield uni("hybrid_lstm_relu_none", act="RELU")
  yield uni("hybrid_lstm_act_none", act="NONE")
  x = np.zeros((2, 3, 3), np.float32)
  x[1, 1] = [0.5, -1.0, 2.0]
  yield uni("hybrid_lstm_zero_steps", time=3, x=x)
  yield uni("hybrid_lstm_batch1_long", batch=1, time=12, n_input=2,
            n_cell=6)

  def bi(name, asym=True, **kw):
    return hybridize(seq.bi_lstm(name, r, **kw), BI_LSTM_W, asym)

  yield bi("hybrid_bilstm_time_major")
  yield bi("hybrid_bilstm_merge_symmetric", asym=False, merge=True)
  yield bi("hybrid_bilstm_batch_major", time_major=False)
  yield bi("hybrid_bilstm_aux_weights", aux="weights")
  yield bi("hybrid_bilstm_aux_bw_input", aux="bw_input", merge=True)
  yield bi("hybrid_bilstm_cifg_peephole_projection", cifg=True, peephole=True,
           projection=True, n_cell=4, cell_clip=0.5, proj_clip=0.4)

  def rnn(name, asym=True, **kw):
    return hybridize(seq.uni_rnn(name, r, **kw), RNN_W, asym)

  yield rnn("hybrid_rnn_tanh")
  yield rnn("hybrid_rnn_symmetric", asym=False)
  yield rnn("hybrid_rnn_time_major_relu", time_major=True, act="RELU",
            batch=3)
  yield rnn("hybrid_rnn_batch1_long", batch=1, time=12, units=8)
  yield rnn("hybrid_rnn_none_symmetric", asym=False, act="NONE", time=3)

  # Exact ties in the on-the-fly quantization (x * 127 / max|x| or zp + x /
  # scale landing on k + 0.5): LiteRT rounds them to even.
  ties = np.array([[127.0, 0.5, 2.5, -1.5, -0.5], [-1.0, 2.0, 0.5, 0.0, 1.0],
                   [3.0, -3.0, 1.5, -0.5, 0.5]], np.float32)
  xt = np.stack([ties, ties[::-1] * 0.5])
  for asym in (False, True):
    c = seq.uni_rnn("x", r, batch=2, time=3, n_input=5)
    c.inputs = {"x": xt.copy()}
    yield hybridize(c, RNN_W, asym, name="hybrid_rnn_ties" +
                    ("" if asym else "_symmetric"))
    c = seq.uni_lstm("x", r, batch=2, time=3, n_input=5)
    c.inputs = {"x": xt.copy()}
    yield hybridize(c, UNI_LSTM_W, asym, name="hybrid_lstm_ties" +
                    ("" if asym else "_symmetric"))

  # Negative cases: bad weight parameters.
  yield hybridize(seq.uni_lstm("x", r), UNI_LSTM_W,
                  name="hybrid_lstm_zero_scale", bad=(3, "zero_scale"),
                  expect_error="scale")
  yield hybridize(seq.uni_lstm("x", r), UNI_LSTM_W,
                  name="hybrid_lstm_weight_zero_point", bad=(6, "zero_point"),
                  expect_error="zero point")
  yield hybridize(seq.uni_lstm("x", r), UNI_LSTM_W,
                  name="hybrid_lstm_per_channel", bad=(2, "per_channel"),
                  expect_error="per tensor")
  yield hybridize(seq.uni_rnn("x", r), RNN_W, name="hybrid_rnn_zero_scale",
                  bad=(2, "zero_scale"), expect_error="scale")
  yield hybridize(seq.bi_lstm("x", r), BI_LSTM_W,
                  name="hybrid_bilstm_per_channel", bad=(20, "per_channel"),
                  expect_error="per tensor")


# ---- Keras 2 models ----------------------------------------------------------


def _keras_cases(r):
  import tf_keras as k

  def model(name, layers, quantize, batch=2, time=5, feat=3, seed=0,
            scale=1.0):
    k.utils.set_random_seed(seed)
    inp = k.Input(shape=(time, feat), batch_size=batch, name="x")
    y = inp
    for layer in layers:
      y = layer(y)
    x = (scale * r.standard_normal((batch, time, feat))).astype(np.float32)
    c = Case(name=G + name, fn=k.Model(inp, y), inputs={"x": x},
             quantize=quantize)
    if quantize == "dynamic":
      c.tolerance = HYBRID_TOL
      c.reason = HYBRID_REASON
    return c

  L = k.layers
  # Dynamic range: 32x32 weight matrices (the converter leaves smaller ones
  # float).
  yield model("keras_lstm_dynamic", [L.LSTM(32, return_sequences=True)],
              "dynamic", time=4, feat=32)
  yield model("keras_lstm_dynamic_last", [L.LSTM(32)], "dynamic", batch=1,
              time=6, feat=40, seed=1)
  yield model("keras_bilstm_dynamic",
              [L.Bidirectional(L.LSTM(32, return_sequences=True))], "dynamic",
              time=3, feat=32, seed=2)
  # Full integer, int8 input and output (the float-interface "int8" mode,
  # with QUANTIZE and DEQUANTIZE around the LSTM, is qmodels/lstm_int8).
  yield model("keras_lstm_int8_io", [L.LSTM(6, return_sequences=True)],
              "int8_io", batch=3, time=7, feat=4, seed=1)
  yield model("keras_lstm_int8_small", [L.LSTM(4, return_sequences=True)],
              "int8_io")
  yield model("keras_lstm_int8_last", [L.LSTM(5)], "int8_io", seed=2)
  yield model("keras_lstm_int8_stacked",
              [L.LSTM(5, return_sequences=True),
               L.LSTM(3, return_sequences=True)], "int8_io", seed=3)
  # (A Bidirectional int8 model also needs REVERSE_V2 with requantization,
  # another group's op.)
  yield model("keras_lstm_int8_batch1_long",
              [L.LSTM(8, return_sequences=True)], "int8_io", batch=1,
              time=12, feat=2, seed=5)
  yield model("keras_lstm_int8_wide", [L.LSTM(16, return_sequences=True)],
              "int8_io", time=4, feat=8, seed=6, scale=3.0)
  yield model("keras_lstm_int8_32", [L.LSTM(32, return_sequences=True)],
              "int8_io", time=4, feat=32, seed=7)
  # Calibrated on tiny inputs, the cell state gets scale 2^-17: TFLite's
  # integer tanh then is not computed (its input would need -2 integer
  # bits) and its buffer still holds the input gate, which saturates the
  # output; pylite reproduces that.
  c = model("keras_lstm_int8_small_cell_scale",
            [L.LSTM(6, return_sequences=True)], "int8_io", batch=2, time=6,
            feat=3, seed=8)
  c.representative = [{"x": 0.1 * r.standard_normal((2, 6, 3)).astype(
      np.float32)} for _ in range(8)]
  c.inputs = {"x": (0.12 * r.standard_normal((2, 6, 3))).astype(np.float32)}
  yield c
  # Saturation: inputs far beyond the calibration samples' range.
  c = model("keras_lstm_int8_saturate", [L.LSTM(6, return_sequences=True)],
            "int8_io", batch=2, time=6, feat=3, seed=10)
  c.representative = [{"x": r.standard_normal((2, 6, 3)).astype(
      np.float32)} for _ in range(8)]
  c.inputs = {"x": (6.0 * r.standard_normal((2, 6, 3))).astype(np.float32)}
  yield c
  # Square batch x time, for the time-major edit below.
  yield model("keras_lstm_int8_square", [L.LSTM(5, return_sequences=True)],
              "int8_io", batch=3, time=3, feat=4, seed=9)


def _int_edits(r):
  """Integer LSTM forms Keras does not produce, edited into a converted
  Keras model (the integer parameters stay the converter's)."""
  for c in _keras_cases(r):
    base = c.name.split("/")[-1]
    if base not in ("keras_lstm_int8_square", "keras_lstm_int8_io"):
      continue
    import tensorflow as tf  # noqa: F401 (conversion needs it loaded)
    from conformance.generate import convert
    model_bytes = convert(c)
    x = c.inputs

    def edited(name, edit, expect_error=None):
      s, model = _load(model_bytes)
      sg = model.subgraphs[0]
      op = [o for o in sg.operators if o.inputs is not None and
            len(o.inputs) == 24][0]
      op.inputs = [int(i) for i in op.inputs]
      edit(s, model, sg, op)
      return Case(name=G + name, model_bytes=_pack(model), inputs=dict(x),
                  quantize="int8_io", expect_error=expect_error)

    if base == "keras_lstm_int8_square":
      def time_major(s, model, sg, op):
        op.builtinOptions.timeMajor = True
      yield edited("int8_lstm_time_major", time_major)
      continue

    def add(s, model, sg, name, data, ttype, scale):
      buf = s.BufferT()
      buf.data = np.frombuffer(np.ascontiguousarray(data).tobytes(),
                               np.uint8).tolist()
      model.buffers.append(buf)
      t = s.TensorT()
      t.name = name
      t.shape = list(data.shape)
      t.type = ttype
      t.buffer = len(model.buffers) - 1
      q = s.QuantizationParametersT()
      q.scale = [scale]
      q.zeroPoint = [0]
      t.quantization = q
      sg.tensors.append(t)
      return len(sg.tensors) - 1

    n = 6  # keras_lstm_int8_io's units
    rr = rng(77)

    def projection(clip, bias=True):
      def edit(s, model, sg, op):
        w = rr.integers(-127, 128, (n, n)).astype(np.int8)
        op.inputs[16] = add(s, model, sg, "proj_w", w, s.TensorType.INT8,
                            0.01)
        if bias:
          b = rr.integers(-3000, 3000, (n,)).astype(np.int32)
          op.inputs[17] = add(s, model, sg, "proj_b", b, s.TensorType.INT32,
                              1e-5)
        op.builtinOptions.projClip = clip
      return edit

    def peephole(cifg=False):
      def edit(s, model, sg, op):
        for pos in ([10, 11] if cifg else [9, 10, 11]):
          w = rr.integers(-20000, 20000, (n,)).astype(np.int16)
          op.inputs[pos] = add(s, model, sg, "peep%d" % pos, w,
                               s.TensorType.INT16, 5e-5)
        if cifg:
          op.inputs[1] = op.inputs[5] = op.inputs[12] = -1
      return edit

    def layer_norm(cifg=False, gate_params=True):
      def edit(s, model, sg, op):
        for pos in range(20, 24):
          if cifg and pos == 20:
            continue
          w = rr.integers(5000, 20000, (n,)).astype(np.int16)
          op.inputs[pos] = add(s, model, sg, "ln%d" % pos, w,
                               s.TensorType.INT16, 1e-4)
        if cifg:
          op.inputs[1] = op.inputs[5] = op.inputs[12] = -1
        # The gates' sums get their own scales (the converter would
        # calibrate them).
        for k in range(4):
          q = s.QuantizationParametersT()
          q.scale = [[1e-3, 7e-4, 1.2e-3, 9e-4][k]]
          q.zeroPoint = [0]
          sg.tensors[op.intermediates[k]].quantization = (
              q if gate_params else None)
      return edit

    yield edited("int8_lstm_projection", projection(0.0))
    yield edited("int8_lstm_projection_clip_no_bias",
                 projection(0.05, bias=False))
    yield edited("int8_lstm_peephole", peephole())
    yield edited("int8_lstm_peephole_cifg", peephole(cifg=True))
    yield edited("int8_lstm_layer_norm", layer_norm())
    yield edited("int8_lstm_layer_norm_cifg", layer_norm(cifg=True))
    yield edited("int8_lstm_layer_norm_missing_gate_params",
                 layer_norm(gate_params=False), expect_error="intermediate 0")

    def cell_clip(s, model, sg, op):
      op.builtinOptions.cellClip = 0.3
    yield edited("int8_lstm_cell_clip", cell_clip)

    def cifg(s, model, sg, op):
      op.inputs[1] = op.inputs[5] = op.inputs[12] = -1
    yield edited("int8_lstm_cifg", cifg)

    def no_hidden_params(s, model, sg, op):
      sg.tensors[op.intermediates[4]].quantization = None
    yield edited("int8_lstm_missing_intermediate_params", no_hidden_params,
                 expect_error="intermediate 4")

    def no_intermediates(s, model, sg, op):
      op.intermediates = []
    yield edited("int8_lstm_no_intermediates", no_intermediates,
                 expect_error="5 intermediate tensors")

    def bad_weight_scale(s, model, sg, op):
      sg.tensors[op.inputs[2]].quantization.scale = [0.0]
    yield edited("int8_lstm_zero_weight_scale", bad_weight_scale,
                 expect_error="scale")

    def weight_zero_point(s, model, sg, op):
      sg.tensors[op.inputs[6]].quantization.zeroPoint = [5]
    yield edited("int8_lstm_weight_zero_point", weight_zero_point,
                 expect_error="zero point")

    def cell_scale(s, model, sg, op):
      sg.tensors[op.inputs[19]].quantization.scale = [1e-4]
    yield edited("int8_lstm_cell_scale_not_pot", cell_scale,
                 expect_error="power of two")

    def no_state_params(s, model, sg, op):
      sg.tensors[op.inputs[18]].quantization = None
    yield edited("int8_lstm_missing_state_params", no_state_params,
                 expect_error="output state")


# ---- Cases -------------------------------------------------------------------


def cases():
  r = rng(4242)
  yield from _keras_cases(r)
  yield from _int_edits(rng(4242))
  yield from _hybrid_cases(r)
