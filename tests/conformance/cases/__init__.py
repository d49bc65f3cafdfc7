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
    raise at allocate or invoke (LiteRT's outcome is recorded too).
  select_tf_ops: convert with SELECT_TF_OPS as well (Flex ops).
  resize: run with the inputs' shapes, resizing from the model's (dynamic
    batch models).
  model_bytes: a hand-built model (skips conversion), for negative cases the
    converter never emits.
  resolver: the LiteRT OpResolverType whose kernels give the expected
    outputs: BUILTIN_REF (the reference kernels) unless that resolver lacks
    the op, in which case BUILTIN_WITHOUT_DEFAULT_DELEGATES (LiteRT's
    builtin kernels without XNNPACK), with the reason in `reason`.
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


def rng(seed):
  """The one source of random inputs: fixed seeds, reproducible files."""
  return np.random.default_rng(seed)
