"""Sequence ops: UNIDIRECTIONAL_SEQUENCE_LSTM, UNIDIRECTIONAL_SEQUENCE_RNN,
BIDIRECTIONAL_SEQUENCE_LSTM (float32; their quantized forms are in qsequence).

Keras 2 (tf_keras) LSTM layers convert to the fused
UNIDIRECTIONAL_SEQUENCE_LSTM (a Bidirectional LSTM to two of them with
REVERSE_V2 and CONCATENATION); SimpleRNN converts to a WHILE loop, and the
converter never emits UNIDIRECTIONAL_SEQUENCE_RNN or
BIDIRECTIONAL_SEQUENCE_LSTM, so those, and every LSTM variant Keras does not
produce (CIFG, peephole, projection, clipping, layer norm, diagonal
recurrence, aux inputs), are single-op models built with the schema: constant
weights, the states as zero-initialized variable tensors, omitted optional
inputs as -1.

Tolerance: the LSTM gates go through sigmoid and tanh, which LiteRT takes
from Eigen and pylite from libm, and LiteRT sums its matrix products with
its GEMM in another order: outputs agree to a few float roundings per step
(measured below 1e-6 relative over these cases), inside the default 1e-5.
"""
import numpy as np

from conformance.cases import Case, SingleOpModel, rng

G = "sequence/"


def _schema():
  from tensorflow.lite.python import schema_py_generated as s
  return s


def op_model(op, options, ins, outs):
  """A single-op model. ins: list of None (omitted input) or (name, kind,
  shape, data) with kind "input" (a signature input), "const" (data as its
  buffer) or "var" (a zero-initialized variable tensor); outs: [(name,
  shape)]. Every tensor is float32 unless the data says otherwise (int8
  tensors get a per-tensor quantization of scale 0.05).
  options: (BuiltinOptions name, {field: value}) or None."""
  s = _schema()
  types = {np.dtype(np.float32): s.TensorType.FLOAT32,
           np.dtype(np.int8): s.TensorType.INT8,
           np.dtype(np.int32): s.TensorType.INT32}
  m = SingleOpModel(s, op)

  def tensor(name, shape, dtype, data=None, variable=False):
    q = None
    if np.dtype(dtype) == np.int8:
      q = s.QuantizationParametersT()
      q.scale = [0.05]
      q.zeroPoint = [0]
    return m.tensor(name, shape, types[np.dtype(dtype)], data, variable, q)

  idx, sig_in = [], []
  for spec in ins:
    if spec is None:
      idx.append(-1)
      continue
    name, kind, shape, data = spec
    dtype = data.dtype if data is not None else np.float32
    if kind == "const":
      idx.append(tensor(name, shape, dtype, data))
    elif kind == "var":
      idx.append(tensor(name, shape, np.float32, variable=True))
    else:
      k = tensor(name, shape, dtype)
      idx.append(k)
      sig_in.append((name, k))
  out_idx = [tensor(n, sh, np.float32) for n, sh in outs]
  return m.finish(idx, out_idx, sig_in,
                  [(outs[j][0], k) for j, k in enumerate(out_idx)], options)


def _act(name):
  return getattr(_schema().ActivationFunctionType, name)


# ---- LSTM weights --------------------------------------------------------------


def lstm_weights(r, prefix, n_input, n_cell, n_output=None, cifg=False,
                 peephole=False, projection=False, proj_bias=True,
                 layer_norm=False, diag=False, n_aux=0, scale=0.5):
  """The weight inputs of one LSTM direction, in the op's order:
  {"in": [4], "rec": [4], "peep": [3], "bias": [4], "proj": [2],
  "norm": [4], "aux": [4]}, each None or a const spec."""
  n_output = n_output or n_cell
  f = lambda *sh: (scale * r.standard_normal(sh)).astype(np.float32)
  c = lambda name, a: (prefix + name, "const", a.shape, a)
  gates = ["input", "forget", "cell", "output"]
  w = {"in": [], "rec": [], "peep": [], "bias": [], "proj": [None, None],
       "norm": [None] * 4, "aux": [None] * 4}
  for k, g in enumerate(gates):
    skip = cifg and k == 0
    w["in"].append(None if skip else c("w_in_" + g, f(n_cell, n_input)))
    rec = f(n_cell) if diag else f(n_cell, n_output)
    w["rec"].append(None if skip else c("w_rec_" + g, rec))
    w["bias"].append(None if skip else c("b_" + g, f(n_cell)))
    if layer_norm and not skip:
      w["norm"][k] = c("ln_" + g, (1.0 + f(n_cell)).astype(np.float32))
    if n_aux and not skip:
      w["aux"][k] = c("w_aux_" + g, f(n_cell, n_aux))
  for k, g in [(0, "input"), (1, "forget"), (3, "output")]:
    w["peep"].append(c("w_peep_" + g, f(n_cell))
                     if peephole and not (cifg and k == 0) else None)
  if projection:
    w["proj"][0] = c("w_proj", f(n_output, n_cell))
    if proj_bias:
      w["proj"][1] = c("b_proj", f(n_output))
  return w


def _flat(w):
  return w["in"] + w["rec"] + w["peep"] + w["bias"] + w["proj"]


def uni_lstm(name, r, batch=2, time=4, n_input=3, n_cell=4, n_output=None,
             time_major=False, act="TANH", cell_clip=0.0, proj_clip=0.0,
             inputs20=False, x=None, options=True, **kw):
  n_output = n_output or n_cell
  case_kw = {k: kw.pop(k) for k in ("expect_error",) if k in kw}
  w = lstm_weights(r, "", n_input, n_cell, n_output, **kw)
  shape = (time, batch, n_input) if time_major else (batch, time, n_input)
  if x is None:
    x = r.standard_normal(shape).astype(np.float32)
  ins = [("x", "input", x.shape, x)] + _flat(w) + [
      ("h", "var", (batch, n_output), None),
      ("c", "var", (batch, n_cell), None)]
  if not inputs20:
    ins += w["norm"]
  out_shape = list(x.shape[:2]) + [n_output]
  opts = ("UnidirectionalSequenceLSTMOptions",
          {"fusedActivationFunction": _act(act), "cellClip": cell_clip,
           "projClip": proj_clip, "timeMajor": time_major}) if options else None
  m = op_model("UNIDIRECTIONAL_SEQUENCE_LSTM", opts, ins, [("y", out_shape)])
  return Case(name=G + name, model_bytes=m, inputs={"x": x}, **case_kw)


def bi_lstm(name, r, batch=2, time=4, n_input=3, n_cell=3, time_major=True,
            merge=False, act="TANH", cell_clip=0.0, proj_clip=0.0,
            aux="none", options=True, **kw):
  """aux: "none"; "weights" (aux input and aux weights: both directions add
  it); "bw_input" (aux input without weights: the backward LSTM reads it)."""
  n_output = n_cell
  if kw.get("projection"):
    n_output = n_cell - 1
  n_aux = 2 if aux == "weights" else 0
  fw = lstm_weights(r, "fw_", n_input, n_cell, n_output, n_aux=n_aux, **kw)
  bw = lstm_weights(r, "bw_", n_input, n_cell, n_output, n_aux=n_aux, **kw)
  shape = (time, batch, n_input) if time_major else (batch, time, n_input)
  x = r.standard_normal(shape).astype(np.float32)
  inputs = {"x": x}
  ins = [("x", "input", shape, x)] + _flat(fw) + _flat(bw) + [
      ("fw_h", "var", (batch, n_output), None),
      ("fw_c", "var", (batch, n_cell), None),
      ("bw_h", "var", (batch, n_output), None),
      ("bw_c", "var", (batch, n_cell), None)]
  if aux == "none":
    ins += [None] * 9
  else:
    a_shape = shape[:2] + ((n_aux,) if aux == "weights" else (n_input,))
    a = r.standard_normal(a_shape).astype(np.float32)
    inputs["aux"] = a
    ins += [("aux", "input", a_shape, a)] + fw["aux"] + bw["aux"]
  d = list(shape[:2])
  outs = ([("y", d + [2 * n_output])] if merge else
          [("y_fw", d + [n_output]), ("y_bw", d + [n_output])])
  opts = ("BidirectionalSequenceLSTMOptions",
          {"fusedActivationFunction": _act(act), "cellClip": cell_clip,
           "projClip": proj_clip, "mergeOutputs": merge,
           "timeMajor": time_major}) if options else None
  m = op_model("BIDIRECTIONAL_SEQUENCE_LSTM", opts, ins, outs)
  return Case(name=G + name, model_bytes=m, inputs=inputs)


def uni_rnn(name, r, batch=2, time=4, n_input=3, units=5, time_major=False,
            act="TANH", weights_dtype=np.float32, **kw):
  f = lambda *sh: (0.5 * r.standard_normal(sh)).astype(np.float32)
  shape = (time, batch, n_input) if time_major else (batch, time, n_input)
  x = r.standard_normal(shape).astype(np.float32)
  w, w_rec = f(units, n_input), f(units, units)
  if weights_dtype == np.int8:  # hybrid: int8 weights, scale 0.05
    q = lambda a: np.clip(np.round(a / 0.05), -127, 127).astype(np.int8)
    w, w_rec = q(w), q(w_rec)
  ins = [("x", "input", shape, x), ("w", "const", w.shape, w),
         ("w_rec", "const", (units, units), w_rec),
         ("b", "const", (units,), f(units)),
         ("h", "var", (batch, units), None)]
  opts = ("SequenceRNNOptions", {"timeMajor": time_major,
                                 "fusedActivationFunction": _act(act)})
  m = op_model("UNIDIRECTIONAL_SEQUENCE_RNN", opts, ins,
               [("y", list(shape[:2]) + [units])])
  return Case(name=G + name, model_bytes=m, inputs={"x": x}, **kw)


# ---- Keras 2 models ---------------------------------------------------------------


def _keras_cases(r):
  import tf_keras as k

  def model(name, layers, batch=2, time=5, feat=3, seed=0):
    k.utils.set_random_seed(seed)
    inp = k.Input(shape=(time, feat), batch_size=batch, name="x")
    y = inp
    for layer in layers:
      y = layer(y)
    x = r.standard_normal((batch, time, feat)).astype(np.float32)
    return Case(name=G + name, fn=k.Model(inp, y), inputs={"x": x})

  yield model("keras_lstm_sequences",
              [k.layers.LSTM(4, return_sequences=True)])
  yield model("keras_lstm_last", [k.layers.LSTM(6)], batch=3, time=7,
              feat=4, seed=1)
  yield model("keras_lstm_stacked",
              [k.layers.LSTM(5, return_sequences=True),
               k.layers.LSTM(3, return_sequences=True)], seed=2)
  yield model("keras_lstm_bidirectional",
              [k.layers.Bidirectional(
                  k.layers.LSTM(3, return_sequences=True))], seed=3)
  yield model("keras_lstm_batch1", [k.layers.LSTM(8, return_sequences=True)],
              batch=1, time=10, feat=2, seed=4)
  # SimpleRNN converts to TRANSPOSE + WHILE, not UNIDIRECTIONAL_SEQUENCE_RNN:
  # kept as a whole-model check of that path.
  yield model("keras_simple_rnn_while",
              [k.layers.SimpleRNN(4, return_sequences=True)], seed=5)


# ---- Cases ------------------------------------------------------------------------


def cases():
  r = rng(2026)
  yield from _keras_cases(r)

  # UNIDIRECTIONAL_SEQUENCE_LSTM, hand-built.
  yield uni_lstm("lstm_basic", r)
  yield uni_lstm("lstm_time_major", r, time_major=True, batch=3, time=5)
  yield uni_lstm("lstm_cifg", r, cifg=True)
  yield uni_lstm("lstm_peephole", r, peephole=True)
  yield uni_lstm("lstm_cifg_peephole", r, cifg=True, peephole=True)
  yield uni_lstm("lstm_projection", r, n_cell=5, n_output=3, projection=True)
  yield uni_lstm("lstm_projection_no_bias_clip", r, n_cell=5, n_output=3,
                 projection=True, proj_bias=False, proj_clip=0.3, scale=1.5)
  yield uni_lstm("lstm_cell_clip", r, cell_clip=0.4, scale=1.5, time=6)
  yield uni_lstm("lstm_layer_norm", r, layer_norm=True)
  yield uni_lstm("lstm_layer_norm_cifg_peephole_projection", r,
                 layer_norm=True, cifg=True, peephole=True, projection=True,
                 n_cell=4, n_output=2, time_major=True)
  yield uni_lstm("lstm_inputs20", r, inputs20=True, peephole=True)
  yield uni_lstm("lstm_diagonal", r, diag=True)
  for act in ["RELU", "RELU6", "RELU_N1_TO_1", "SIGN_BIT"]:
    yield uni_lstm("lstm_act_" + act.lower(), r, act=act, scale=1.2)
  yield uni_lstm("lstm_no_options", r, options=False)
  # Activation NONE: TFLite leaves the cell gate's buffer as its summing
  # left it (pylite matches): zero input steps, a diagonal recurrence and
  # layer norm reach the different cases.
  xz = np.zeros((2, 4, 3), np.float32)
  xz[0, 1] = [1.0, -0.5, 0.25]
  xz[1, 2] = [-2.0, 0.5, 1.0]
  yield uni_lstm("lstm_act_none", r, act="NONE")
  yield uni_lstm("lstm_act_none_zero_steps", r, act="NONE", x=xz.copy())
  yield uni_lstm("lstm_act_none_diagonal_zero_steps", r, act="NONE",
                 diag=True, x=xz.copy())
  yield uni_lstm("lstm_act_none_layer_norm_zero_steps", r, act="NONE",
                 layer_norm=True, x=xz.transpose(1, 0, 2).copy(),
                 time_major=True)
  x = np.zeros((2, 3, 3), np.float32)
  x[1, 1] = [0.5, -1.0, 2.0]
  yield uni_lstm("lstm_zero_steps", r, time=3, x=x)
  yield uni_lstm("lstm_batch1_long", r, batch=1, time=16, n_input=2,
                 n_cell=6)
  yield uni_lstm("lstm_empty_time", r, time=0)
  yield uni_lstm("lstm_empty_batch", r, batch=0)
  # Negative cases.
  yield uni_lstm("lstm_negative_cell_clip", r, cell_clip=-1.0,
                 expect_error="cell_clip")
  yield _bad_cifg(r)
  yield _hybrid_lstm(r)
  yield _edited(uni_lstm("lstm_state_not_variable", r), _unvariable,
                "variable tensor")
  yield _edited(uni_lstm("lstm_proj_bias_without_proj", r, n_cell=4,
                         projection=True),
                lambda m, s: _omit(m, 16), "projection")

  # UNIDIRECTIONAL_SEQUENCE_RNN.
  yield uni_rnn("rnn_tanh", r)
  yield uni_rnn("rnn_time_major_relu", r, time_major=True, act="RELU")
  yield uni_rnn("rnn_relu6", r, act="RELU6", batch=3)
  yield uni_rnn("rnn_relu_n1_to_1", r, act="RELU_N1_TO_1")
  yield uni_rnn("rnn_none", r, act="NONE", time=3)
  yield uni_rnn("rnn_sign_bit", r, act="SIGN_BIT")
  yield uni_rnn("rnn_batch1_long", r, batch=1, time=12, units=8)
  yield uni_rnn("rnn_empty_time", r, time=0)
  yield uni_rnn("rnn_empty_batch_time_major", r, batch=0, time_major=True)
  yield uni_rnn("rnn_hybrid", r, weights_dtype=np.int8)

  # BIDIRECTIONAL_SEQUENCE_LSTM.
  yield bi_lstm("bilstm_time_major", r)
  yield bi_lstm("bilstm_merge", r, merge=True)
  yield bi_lstm("bilstm_batch_major", r, time_major=False)
  yield bi_lstm("bilstm_batch_major_merge_batch1", r, time_major=False,
                merge=True, batch=1)
  yield bi_lstm("bilstm_cifg_peephole_projection", r, cifg=True,
                peephole=True, projection=True, n_cell=4, cell_clip=0.5,
                proj_clip=0.4, scale=1.2)
  yield bi_lstm("bilstm_aux_weights", r, aux="weights")
  yield bi_lstm("bilstm_aux_bw_input", r, aux="bw_input", merge=True)
  yield bi_lstm("bilstm_relu", r, act="RELU")
  yield bi_lstm("bilstm_no_options", r, options=False, time_major=False)
  yield bi_lstm("bilstm_aux_weights_act_none", r, aux="weights", act="NONE")
  yield _edited(bi_lstm("bilstm_merge_two_outputs", r, merge=False),
                _set_merge, "48 inputs and 1 output")


def _bad_cifg(r):
  """input_to_input weights without recurrent_to_input weights."""
  c = uni_lstm("lstm_bad_cifg", r)
  from tensorflow.lite.python import schema_py_generated as s
  model = s.ModelT.InitFromObj(s.Model.GetRootAsModel(c.model_bytes, 0))
  op = model.subgraphs[0].operators[0]
  op.inputs = [int(i) for i in op.inputs]
  op.inputs[5] = -1
  import flatbuffers
  b = flatbuffers.Builder(1024)
  b.Finish(model.Pack(b), b"TFL3")
  return Case(name=c.name, model_bytes=bytes(b.Output()), inputs=c.inputs,
              expect_error="CIFG")


def _hybrid_lstm(r):
  """int8 weights with a float input: hybrid (the qsequence group covers
  its forms)."""
  c = uni_lstm("lstm_hybrid", r)
  from tensorflow.lite.python import schema_py_generated as s
  model = s.ModelT.InitFromObj(s.Model.GetRootAsModel(c.model_bytes, 0))
  sg = model.subgraphs[0]
  for pos in range(1, 9):
    t = sg.tensors[sg.operators[0].inputs[pos]]
    buf = model.buffers[t.buffer]
    vals = np.frombuffer(bytes(buf.data), np.float32)
    buf.data = np.clip(np.round(vals / 0.05), -127, 127).astype(
        np.int8).view(np.uint8).tolist()
    t.type = s.TensorType.INT8
    q = s.QuantizationParametersT()
    q.scale = [0.05]
    q.zeroPoint = [0]
    t.quantization = q
  import flatbuffers
  b = flatbuffers.Builder(1024)
  b.Finish(model.Pack(b), b"TFL3")
  return Case(name=c.name, model_bytes=bytes(b.Output()), inputs=c.inputs)


def _edited(case, edit, expect_error):
  """`case` with edit(model, schema) applied, expecting an error."""
  import flatbuffers
  from tensorflow.lite.python import schema_py_generated as s
  model = s.ModelT.InitFromObj(s.Model.GetRootAsModel(case.model_bytes, 0))
  edit(model, s)
  b = flatbuffers.Builder(1024)
  b.Finish(model.Pack(b), b"TFL3")
  return Case(name=case.name, model_bytes=bytes(b.Output()),
              inputs=case.inputs, expect_error=expect_error)


def _omit(model, position):
  op = model.subgraphs[0].operators[0]
  op.inputs = [int(i) for i in op.inputs]
  op.inputs[position] = -1


def _unvariable(model, s):
  """The output state (input 18) as a plain zero-filled constant."""
  sg = model.subgraphs[0]
  t = sg.tensors[sg.operators[0].inputs[18]]
  t.isVariable = False
  model.buffers[t.buffer].data = [0] * (4 * int(np.prod(t.shape)))


def _set_merge(model, s):
  model.subgraphs[0].operators[0].builtinOptions.mergeOutputs = True
