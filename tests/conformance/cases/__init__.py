"""Conformance cases: one module per op group, each with a `cases()` generator.

A case is a TensorFlow function (or Keras model) with inputs; the generator
(tests/conformance/generate.py, dev-only) converts it with TensorFlow's
converter, runs it in LiteRT with its reference kernels, and records the
model, the inputs and the expected outputs for the runners of every language.
"""
import dataclasses
from typing import Any, Callable, Dict, List, Optional

import numpy as np


@dataclasses.dataclass
class Case:
  """One conformance case.

  name: "<group>/<case>", unique; also the file stem of its model and data.
  fn: a tf.function with an input_signature, or a tf.keras.Model.
  inputs: {input name: numpy array}; names are the function's argument names
    (for Keras, the signature's input names).
  tolerance: bound on |pylite - reference| relative to the largest reference
    magnitude of each output (single ops: 1e-5; say why when larger).
  reason: why the tolerance is what it is, when it is not the default.
  expect_error: for negative cases, a substring of the error pylite must
    raise at load, allocate or invoke (LiteRT's outcome is recorded too;
    LiteRT runs in a child process for these, since some bad models crash
    it).
  select_tf_ops: convert with SELECT_TF_OPS as well (Flex ops).
  resize: run with the inputs' shapes, resizing from the model's (dynamic
    batch models).
  model_bytes: a hand-built model (skips conversion), for negative cases the
    converter never emits.
  resolver: the LiteRT OpResolverType whose kernels give the expected
    outputs: BUILTIN_REF (the reference kernels) unless that resolver lacks
    the op, in which case BUILTIN_WITHOUT_DEFAULT_DELEGATES (LiteRT's
    builtin kernels without XNNPACK), with the reason in `reason`.
  quantize: convert with post-training quantization (None: float model):
    "int8"      full integer, float inputs and outputs (QUANTIZE and
                DEQUANTIZE at the edges);
    "int8_io"   full integer with int8 inputs and outputs;
    "uint8_io"  full integer with uint8 inputs and outputs;
    "16x8"      int16 activations, int8 weights, float inputs/outputs;
    "16x8_io"   the same with int16 inputs and outputs;
    "dynamic"   dynamic range (int8 weights, float activations);
    "float16"   float16 weights.
    For *_io modes give float inputs: the generator quantizes them with the
    converted model's input parameters and records the integer arrays.
  representative: calibration samples ({input name: float array}) for the
    integer modes; default: 16 random samples spanning the inputs' range,
    plus the inputs themselves.
  """
  name: str
  fn: Any = None
  inputs: Dict[str, np.ndarray] = dataclasses.field(default_factory=dict)
  tolerance: float = 1e-5
  reason: str = ""
  expect_error: Optional[str] = None
  select_tf_ops: bool = False
  model_bytes: Optional[bytes] = None
  signature_key: str = "serving_default"
  resolver: str = "BUILTIN_REF"
  quantize: Optional[str] = None
  representative: Optional[List[Dict[str, np.ndarray]]] = None


def rng(seed):
  """The one source of random inputs: fixed seeds, reproducible files."""
  return np.random.default_rng(seed)


def qparams(schema, scale, zero_point, dim=0):
  """QuantizationParametersT for SingleOpModel.tensor(): scale and
  zero_point are scalars (per tensor) or lists (per channel along dim)."""
  q = schema.QuantizationParametersT()
  q.scale = [float(v) for v in np.atleast_1d(scale)]
  q.zeroPoint = [int(v) for v in np.atleast_1d(zero_point)]
  q.quantizedDimension = dim
  return q


class SingleOpModel:
  """A .tflite model with one builtin operator and a serving_default
  signature, built with the schema's object API: for the hand-made cases
  (dtypes, options and forms the converter never emits).

  schema: tensorflow.lite.python.schema_py_generated; op: a BuiltinOperator
  name. Add tensors with tensor(), then finish()."""

  def __init__(self, schema, op):
    self.s = s = schema
    code = getattr(s.BuiltinOperator, op)
    self.model = s.ModelT()
    self.model.version = 3
    opcode = s.OperatorCodeT()
    opcode.builtinCode = code
    opcode.deprecatedBuiltinCode = min(code, 127)
    opcode.version = 1
    self.model.operatorCodes = [opcode]
    self.model.buffers = [s.BufferT()]
    self.sg = s.SubGraphT()
    self.sg.tensors = []

  def tensor(self, name, shape, tensor_type, data=None, variable=False,
             quantization=None):
    """Adds a tensor (its own buffer, holding `data` if given); returns its
    index."""
    t = self.s.TensorT()
    t.name = name
    t.shape = list(shape)
    t.type = tensor_type
    if variable:
      t.isVariable = True
    buf = self.s.BufferT()
    if data is not None:
      buf.data = np.frombuffer(np.ascontiguousarray(data).tobytes(),
                               np.uint8).tolist()
    self.model.buffers.append(buf)
    t.buffer = len(self.model.buffers) - 1
    if quantization is not None:
      t.quantization = quantization
    self.sg.tensors.append(t)
    return len(self.sg.tensors) - 1

  def finish(self, inputs, outputs, sig_inputs, sig_outputs, options=None):
    """The model bytes. inputs / outputs: the operator's tensor indices (-1
    for an omitted input); sig_inputs / sig_outputs: [(name, index)], also
    the subgraph's inputs and outputs; options: (BuiltinOptions name,
    {field: value}) or None."""
    import flatbuffers
    s = self.s
    operator = s.OperatorT()
    operator.opcodeIndex = 0
    operator.inputs = inputs
    operator.outputs = outputs
    if options is not None:
      name, fields = options
      operator.builtinOptionsType = getattr(s.BuiltinOptions, name)
      obj = getattr(s, name + "T")()
      for k, v in fields.items():
        setattr(obj, k, v)
      operator.builtinOptions = obj
    self.sg.operators = [operator]
    self.sg.inputs = [k for _, k in sig_inputs]
    self.sg.outputs = [k for _, k in sig_outputs]
    self.sg.name = "main"
    self.model.subgraphs = [self.sg]

    def tmap(name, k):
      m = s.TensorMapT()
      m.name = name
      m.tensorIndex = k
      return m

    sig = s.SignatureDefT()
    sig.signatureKey = "serving_default"
    sig.subgraphIndex = 0
    sig.inputs = [tmap(n, k) for n, k in sig_inputs]
    sig.outputs = [tmap(n, k) for n, k in sig_outputs]
    self.model.signatureDefs = [sig]
    b = flatbuffers.Builder(1024)
    b.Finish(self.model.Pack(b), b"TFL3")
    return bytes(b.Output())
