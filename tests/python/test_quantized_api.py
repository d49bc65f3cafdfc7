"""Quantization parameters through the Python API, as LiteRT reports them.

tests/data/quantized/int8_cnn.tflite is a converter-made full int8 network
with int8 input and output (per-tensor activations, per-channel weights and
biases), int8_cnn_sparse.tflite the same with sparse-stored weights;
tests/data/quantized/reference.json holds what ai_edge_litert's Interpreter
reports for them (all from tools/make_quantized_test_model.py).
Only metadata is compared here: none of it needs the model to run.
"""
import json
import os

import numpy as np
import pytest

from conftest import ROOT
from conftest import jsonable_details as _jsonable_details
from pylite import Interpreter

DATA = os.path.join(ROOT, "tests", "data", "quantized")


MODELS = ["int8_cnn", "int8_cnn_sparse"]


def jsonable_details(d):
  """The recorded form, without sparsity_parameters: pylite does not fill
  them yet (the sparse tensors' metadata is read by DENSIFY from the model
  itself); reference.json has LiteRT's."""
  d = _jsonable_details(d)
  d.pop("sparsity_parameters")
  return d


def without_sparsity(record):
  """A recorded model with sparsity_parameters dropped from its details."""
  if isinstance(record, dict):
    return {k: without_sparsity(v) for k, v in record.items()
            if k != "sparsity_parameters"}
  if isinstance(record, list):
    return [without_sparsity(v) for v in record]
  return record


@pytest.fixture(scope="module", params=MODELS)
def name(request):
  return request.param


@pytest.fixture(scope="module")
def model_path(name):
  path = os.path.join(DATA, name + ".tflite")
  if not os.path.exists(path):
    pytest.fail(f"{path} is missing")
  return path


@pytest.fixture(scope="module")
def ref(name):
  path = os.path.join(DATA, "reference.json")
  if not os.path.exists(path):
    pytest.fail(f"{path} is missing")
  with open(path, encoding="utf-8") as f:
    return without_sparsity(json.load(f)["models"][name])


def test_input_output_details_match_litert(model_path, ref):
  it = Interpreter(model_path=model_path)
  assert [jsonable_details(d) for d in it.get_input_details()] == \
      ref["input_details"]
  assert [jsonable_details(d) for d in it.get_output_details()] == \
      ref["output_details"]


def test_tensor_details_match_litert(model_path, ref):
  it = Interpreter(model_path=model_path)
  for s, details in ref["tensor_details"].items():
    assert [jsonable_details(d) for d in it.get_tensor_details(int(s))] == \
        details, s


def test_runner_details_match_litert(model_path, ref):
  it = Interpreter(model_path=model_path)
  for key, details in ref["runner_details"].items():
    runner = it.get_signature_runner(key)
    assert {n: jsonable_details(d)
            for n, d in runner.get_input_details().items()} == \
        details["inputs"], key
    assert {n: jsonable_details(d)
            for n, d in runner.get_output_details().items()} == \
        details["outputs"], key


def test_details_types(model_path):
  """The types LiteRT gives: a (float, int) tuple, float32 and int32
  arrays, an int dimension."""
  it = Interpreter(model_path=model_path)
  per_channel = [d for d in it.get_tensor_details()
                 if len(d["quantization_parameters"]["scales"]) > 1]
  assert per_channel, "the model has per-channel weights"
  for d in it.get_tensor_details():
    scale, zero_point = d["quantization"]
    assert type(scale) is float and type(zero_point) is int
    q = d["quantization_parameters"]
    assert isinstance(q["scales"], np.ndarray)
    assert q["scales"].dtype == np.float32
    assert isinstance(q["zero_points"], np.ndarray)
    assert q["zero_points"].dtype == np.int32
    assert type(q["quantized_dimension"]) is int

