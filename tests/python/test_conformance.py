"""The conformance suite through the Python API (tests/conformance/).

Every case of the manifest runs through pylite.Interpreter's signature runner
and is compared with LiteRT's recorded reference outputs, within the case's
tolerance relative to the largest reference magnitude.
"""
import json
import os
import struct

import numpy as np
import pytest

import pylite

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..",
                                    "conformance"))
with open(os.path.join(ROOT, "manifest.json")) as f:
  MANIFEST = json.load(f)


def read_tensor(spec):
  with open(os.path.join(ROOT, spec["file"]), "rb") as f:
    data = f.read()
  shape = tuple(spec["shape"])
  if spec["dtype"] == "string":
    count = struct.unpack_from("<i", data, 0)[0]
    offsets = struct.unpack_from("<%di" % (count + 1), data, 4)
    items = [data[offsets[i]:offsets[i + 1]] for i in range(count)]
    return np.array(items, dtype=object).reshape(shape)
  return np.frombuffer(data, dtype=np.dtype(spec["dtype"]).newbyteorder("<")
                       ).reshape(shape)


@pytest.mark.parametrize("case", MANIFEST["cases"], ids=lambda c: c["name"])
def test_case(case):
  interp = pylite.Interpreter(model_path=os.path.join(ROOT, case["model"]))
  runner = interp.get_signature_runner(case["signature"])
  inputs = {spec["name"]: read_tensor(spec) for spec in case["inputs"]}
  if "expect_error" in case:
    with pytest.raises((ValueError, RuntimeError)) as info:
      runner(**inputs)
    assert case["expect_error"] in str(info.value)
    return
  outputs = runner(**inputs)
  assert sorted(outputs) == sorted(o["name"] for o in case["outputs"])
  for spec in case["outputs"]:
    want = read_tensor(spec)
    got = np.asarray(outputs[spec["name"]])
    assert got.shape == want.shape, spec["name"]
    if spec["dtype"] in ("string", "bool") or want.dtype.kind in "iu":
      np.testing.assert_array_equal(got, want)
      continue
    assert got.dtype == want.dtype
    bound = spec["tolerance"] * max(float(np.max(np.abs(want), initial=0)), 1e-30)
    np.testing.assert_allclose(got.astype(np.float64), want.astype(np.float64),
                               rtol=0, atol=bound, equal_nan=True)
