"""The conformance suite through the Python API (tests/conformance/).

Every case of the manifest runs through pylite.Interpreter's signature runner
and is compared with LiteRT's recorded reference outputs, by the rule all four
runners share (tests/conformance/conformance.h):
  - dtype and shape equal the manifest's;
  - integers, bools and strings are identical;
  - floats (complex numbers by modulus): |got - expected| <= tolerance *
    max|expected|, the max over the finite expected values; an expected NaN
    needs a NaN, an expected infinity the same infinity.
A negative case ("expect_error") passes when loading the model or the runner
call fails with a message containing that text.

PYLITE_CONFORMANCE_MANIFEST may name another manifest. With
PYLITE_CONFORMANCE_OUT=<dir>, every output is written to
<dir>/python/<case>/<output>.bin (raw little-endian; strings in TFLite's
layout) for tests/cross/test_conformance_outputs.py.
"""
import json
import os
import re
import struct

import numpy as np
import pytest

import pylite

MANIFEST_PATH = os.path.abspath(
    os.environ.get("PYLITE_CONFORMANCE_MANIFEST") or
    os.path.join(os.path.dirname(__file__), "..", "conformance",
                 "manifest.json"))
ROOT = os.path.dirname(MANIFEST_PATH)  # the manifest's paths start here
with open(MANIFEST_PATH) as f:
  MANIFEST = json.load(f)
OUT = os.environ.get("PYLITE_CONFORMANCE_OUT") or None
LANG = "python"


def read_tensor(spec):
  with open(os.path.join(ROOT, spec["file"]), "rb") as f:
    data = f.read()
  shape = tuple(spec["shape"])
  if spec["dtype"] == "string":
    return np.array(decode_strings(data), dtype=object).reshape(shape)
  return np.frombuffer(data, dtype=np.dtype(spec["dtype"]).newbyteorder("<")
                       ).reshape(shape)


def decode_strings(data):
  count = struct.unpack_from("<i", data, 0)[0]
  offsets = struct.unpack_from("<%di" % (count + 1), data, 4)
  return [data[offsets[i]:offsets[i + 1]] for i in range(count)]


def encode_strings(items):
  """TFLite's layout: int32 count, count + 1 int32 offsets, bytes."""
  items = [s.encode() if isinstance(s, str) else bytes(s) for s in items]
  at = 4 * (len(items) + 2)
  offsets = []
  for s in items:
    offsets.append(at)
    at += len(s)
  offsets.append(at)
  return struct.pack("<%di" % (len(items) + 2), len(items), *offsets) + \
      b"".join(items)


def clean(part, keep_slash):
  """A path part as every runner writes it: [A-Za-z0-9._-] kept, other
  characters and a segment's leading '.' replaced by '_'."""
  segments = part.split("/") if keep_slash else [part]
  return "/".join(re.sub(r"^\.", "_", re.sub(r"[^A-Za-z0-9._-]", "_", s))
                  for s in segments)


def output_path(case_name, output_name):
  return os.path.join(OUT, LANG, clean(case_name, True),
                      clean(output_name, False) + ".bin")


def raw_bytes(value):
  if value.dtype == object or value.dtype.kind in "SU":
    return encode_strings(value.reshape(-1))
  return np.ascontiguousarray(value).astype(value.dtype.newbyteorder("<"),
                                            copy=False).tobytes()


def as_array(value):
  # A rank-0 string comes back as bytes: keep it whole (numpy's "S" dtype
  # would drop trailing NULs).
  if isinstance(value, bytes):
    return np.array(value, dtype=object)
  return np.asarray(value)


def check_output(spec, got):
  want = read_tensor(spec)
  name = spec["name"]
  assert got.shape == want.shape, "%s: shape %s, expected %s" % (
      name, got.shape, want.shape)
  if spec["dtype"] == "string":
    assert got.dtype == object or got.dtype.kind == "S", (
        "%s: dtype %s, expected string" % (name, got.dtype))
    assert [bytes(s) for s in got.reshape(-1)] == list(want.reshape(-1)), name
    return
  assert got.dtype == want.dtype.newbyteorder("="), (
      "%s: dtype %s, expected %s" % (name, got.dtype, spec["dtype"]))
  if want.dtype.kind not in "fc":
    np.testing.assert_array_equal(got, want, err_msg=name)
    return
  w = want.astype(np.complex128 if want.dtype.kind == "c" else np.float64)
  g = got.astype(w.dtype)
  finite = np.isfinite(w)
  largest = float(np.max(np.abs(w[finite]), initial=0))
  bound = spec["tolerance"] * largest
  nan = np.isnan(w)
  inf = np.isinf(w) & ~nan
  ok = np.zeros(w.shape, dtype=bool)
  ok[nan] = np.isnan(g[nan])
  ok[inf] = g[inf] == w[inf]
  fin = finite & np.isfinite(g)
  ok[fin] = np.abs(g[fin] - w[fin]) <= bound
  if not ok.all():
    first = np.argwhere(~ok)[0]
    pytest.fail("%s: %d of %d elements differ by more than %g (tolerance %g "
                "x max|expected| %g); first at %s: got %r, expected %r" % (
                    name, int((~ok).sum()), ok.size, bound,
                    spec["tolerance"], largest, tuple(int(i) for i in first),
                    g[tuple(first)], w[tuple(first)]))


@pytest.mark.parametrize("case", MANIFEST["cases"], ids=lambda c: c["name"])
def test_case(case):
  if OUT:
    for spec in case.get("outputs", []):
      path = output_path(case["name"], spec["name"])
      if os.path.exists(path):
        os.remove(path)
  model_path = os.path.join(ROOT, case["model"])
  inputs = {spec["name"]: read_tensor(spec) for spec in case["inputs"]}
  if "expect_error" in case:
    with pytest.raises((ValueError, RuntimeError)) as info:
      interp = pylite.Interpreter(model_path=model_path)
      interp.get_signature_runner(case["signature"])(**inputs)
    assert case["expect_error"] in str(info.value)
    return
  interp = pylite.Interpreter(model_path=model_path)
  runner = interp.get_signature_runner(case["signature"])
  outputs = runner(**inputs)
  assert sorted(outputs) == sorted(o["name"] for o in case["outputs"])
  got = {name: as_array(value) for name, value in outputs.items()}
  if OUT:
    for spec in case["outputs"]:
      path = output_path(case["name"], spec["name"])
      os.makedirs(os.path.dirname(path), exist_ok=True)
      with open(path, "wb") as f:
        f.write(raw_bytes(got[spec["name"]]))
  for spec in case["outputs"]:
    check_output(spec, got[spec["name"]])
