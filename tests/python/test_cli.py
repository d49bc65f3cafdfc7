"""The command line: ``pylite inspect | run | bench | ops``.

Most cases call ``pylite.cli.main`` in-process (fast); a few run
``python -m pylite`` in a subprocess to check exit statuses and that a user
mistake never prints a traceback.
"""

import json
import os
import re
import struct
import subprocess
import sys

import numpy as np
import pytest

from conftest import ROOT, strip_signatures

import pylite
from pylite.cli import _model, main
from pylite.cli._builtin_names import BUILTIN_NAMES
from pylite.cli.ops_cmd import ops_markdown, supported_ops


def cli(capsys, *args):
  """(exit status, stdout, stderr) of one in-process run."""
  try:
    status = main(list(args))
  except SystemExit as e:  # argparse errors
    status = e.code
  captured = capsys.readouterr()
  return status, captured.out, captured.err


def assert_one_line_error(status, out, err, *fragments, code=1):
  assert status == code, (status, out, err)
  assert "Traceback" not in err
  assert len(err.strip().splitlines()) == 1, err
  assert "error:" in err
  for fragment in fragments:
    assert fragment in err, (fragment, err)


def with_opcode(model, builtin_code):
  """The model with its first operator code changed to ``builtin_code``."""
  data = bytearray(model)
  r = _model._Reader(bytes(data))  # pylint: disable=protected-access
  code = r.tables(r.root(), 1)[0]
  # pylint: disable=protected-access
  deprecated = r._field(code, 0)
  current = r._field(code, 3)
  assert current, "the test model has no builtin_code field"
  struct.pack_into("<i", data, current, builtin_code)
  if deprecated:
    struct.pack_into("<b", data, deprecated, min(builtin_code, 127))
  return bytes(data)


@pytest.fixture()
def tmp_model(tmp_path):
  def write(data, name="model.tflite"):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)
  return write


# ---- inspect -------------------------------------------------------------------


def test_inspect_text(capsys, dense_path, coding_path):
  status, out, _ = cli(capsys, "inspect", dense_path)
  assert status == 0
  assert "signature 'serving_default' (subgraph 0)" in out
  assert "keras_tensor: tensor 0, float32, shape [-1, 4]" in out
  assert "output_0: tensor 6, float32, shape [-1, 1]" in out
  assert re.search(r"2\s+FULLY_CONNECTED\s+v1\s+supported", out)
  assert "min_runtime_version: 16 bytes = '1.5.0'" in out
  assert "every op is supported by this build" in out
  assert "load: ok" in out
  status, out, _ = cli(capsys, "inspect", coding_path)
  assert status == 0
  assert "'encode' (subgraph 1)" in out and "'decode' (subgraph 0)" in out
  assert "FlexAsString" in out and "FlexStringToNumber" in out
  assert "x: tensor 0, bytes_, shape [-1]" in out


def test_inspect_json_matches_the_interpreter(capsys, dense_path, coding_path):
  for path in (dense_path, coding_path):
    status, out, _ = cli(capsys, "inspect", "--json", path)
    assert status == 0
    info = json.loads(out)
    it = pylite.Interpreter(model_path=path)
    assert [s["key"] for s in info["signatures"]] == list(
        it.get_signature_list())
    for sig in info["signatures"]:
      runner = it.get_signature_runner(sig["key"])
      for kind, details in (("inputs", runner.get_input_details()),
                            ("outputs", runner.get_output_details())):
        assert [e["name"] for e in sig[kind]] == list(details)
        for e in sig[kind]:
          d = details[e["name"]]
          assert e["tensor"] == d["index"]
          assert e["dtype"] == d["dtype"].__name__
          assert e["shape_signature"] == [int(x) for x in
                                          d["shape_signature"]]
    assert len(info["subgraphs"]) == it.num_subgraphs()
    tensors0 = [t for t in info["tensors"] if t["subgraph"] == 0]
    assert [t["name"] for t in tensors0] == [
        d["name"] for d in it.get_tensor_details()]
    assert info["supported"] and info["loads"] and not info["unsupported_ops"]
    it.close()


def test_inspect_placeholder_signature(capsys, tmp_model, dense_bytes):
  path = tmp_model(strip_signatures(dense_bytes))
  status, out, _ = cli(capsys, "inspect", path)
  assert status == 0
  assert pylite.PLACEHOLDER_SIGNATURE_KEY in out
  assert "no SignatureDefs" in out
  assert "serving_default_keras_tensor:0: tensor 0, float32" in out


def test_inspect_quantization(capsys, tmp_model):
  path = os.path.join(ROOT, "tests", "conformance", "models")
  quantized = None
  for root, _, files in os.walk(path):
    for name in sorted(files):
      if not name.endswith(".tflite"):
        continue
      with open(os.path.join(root, name), "rb") as f:
        model = _model.parse(f.read())
      if any(t.quantization for sg in model.subgraphs for t in sg.tensors):
        quantized = os.path.join(root, name)
        break
    if quantized:
      break
  if quantized is None:
    pytest.fail("no quantized model among the conformance models")
  status, out, _ = cli(capsys, "inspect", "--json", quantized)
  assert status == 0
  q = [t for t in json.loads(out)["tensors"] if t["quantization"]]
  assert q and q[0]["quantization"]["scales"]


def test_inspect_unsupported_op(capsys, tmp_model, dense_bytes):
  # LSTM (16) is not in this build's op table (checked below).
  assert "LSTM" not in dict(supported_ops())
  path = tmp_model(with_opcode(dense_bytes, 16))
  status, out, err = cli(capsys, "inspect", path)
  assert status == 0, err
  assert re.search(r"2\s+LSTM\s+v1\s+NOT SUPPORTED", out)
  assert "1 op(s) not supported by this build: LSTM" in out
  assert "load: fails:" in out
  status, out, _ = cli(capsys, "inspect", "--json", path)
  info = json.loads(out)
  assert not info["supported"] and info["unsupported_ops"] == ["LSTM"]
  assert not info["loads"] and "LSTM" in info["load_error"]
  # run and bench refuse it in one line.
  for command in ("run", "bench"):
    assert_one_line_error(*cli(capsys, command, path), "LSTM",
                          "does not implement")


def test_builtin_names_match_the_core():
  with open(os.path.join(ROOT, "capi", "core", "builtin_names.c"),
            encoding="utf-8") as f:
    table = dict((int(code), name) for code, name in
                 re.findall(r'\[(\d+)\] = "([A-Z0-9_]+)"', f.read()))
  assert sorted(table) == list(range(len(BUILTIN_NAMES)))
  assert tuple(table[i] for i in range(len(table))) == BUILTIN_NAMES


# ---- run ----------------------------------------------------------------------------


def test_run_literal_and_npy(capsys, tmp_path, dense_path):
  status, out, _ = cli(capsys, "run", dense_path,
                       "--input", "keras_tensor=[[1, 2, 3, 4]]")
  assert status == 0
  assert "output output_0: float32 [1, 1] = [[1.5117401]]" in out
  x = np.array([[1, 2, 3, 4], [0, 0, 0, 0]], dtype=np.float32)
  np.save(tmp_path / "x.npy", x)
  status, out, _ = cli(capsys, "run", dense_path, "--json",
                       "--input", f"keras_tensor={tmp_path / 'x.npy'}")
  assert status == 0
  result = json.loads(out)
  assert result["signature"] == "serving_default"
  expected = pylite.Interpreter(model_path=dense_path).get_signature_runner()(
      keras_tensor=x)["output_0"]
  np.testing.assert_array_equal(
      np.array(result["outputs"]["output_0"]["value"], dtype=np.float32),
      expected)


def test_run_strings_and_output_dir(capsys, tmp_path, coding_path):
  status, out, _ = cli(capsys, "run", coding_path, "--signature", "encode",
                       "--input", "x=[1, 2, 3]")
  assert status == 0
  assert "['1.000000', '2.000000', '3.000000']" in out
  out_dir = tmp_path / "out"
  status, out, _ = cli(capsys, "run", coding_path, "--signature", "decode",
                       "--input", 'x=["1.5", "-2"]', "--output-dir",
                       str(out_dir))
  assert status == 0
  saved = np.load(out_dir / "decoded_result.npy")
  np.testing.assert_array_equal(saved, np.array([1.5, -2], np.float32))
  status, _, _ = cli(capsys, "run", coding_path, "--signature", "encode",
                     "--output-dir", str(out_dir))
  assert status == 0
  strings = np.load(out_dir / "encoded_result.npy", allow_pickle=False)
  assert strings.dtype.kind == "S" and strings.shape == (1,)


def test_run_random_inputs(capsys, dense_path):
  status, out, _ = cli(capsys, "run", dense_path)
  assert status == 0
  assert "input keras_tensor: float32 [1, 4] from random" in out
  status, out, _ = cli(capsys, "run", dense_path, "--input",
                       "keras_tensor=random:3x4")
  assert status == 0 and "output output_0: float32 [3, 1]" in out
  # The same seed gives the same outputs.
  runs = [cli(capsys, "run", dense_path, "--seed", "7")[1] for _ in range(2)]
  assert runs[0] == runs[1]


def test_run_placeholder_signature(capsys, tmp_model, dense_bytes):
  path = tmp_model(strip_signatures(dense_bytes))
  status, out, _ = cli(capsys, "run", path, "--input",
                       "serving_default_keras_tensor:0=[[1, 2, 3, 4]]")
  assert status == 0, out
  assert "[[1.5117401]]" in out


# ---- bench ------------------------------------------------------------------------


def test_bench_text(capsys, dense_path):
  status, out, err = cli(capsys, "bench", dense_path, "--runs", "5",
                         "--warmup", "1", "--no-progress")
  assert status == 0, err
  assert "init:" in out and "first run:" in out
  assert re.search(r"5 runs after 1 warmup: min .*median .*p90 ", out)
  assert "peak memory:" in out and "arena" in out
  assert "per node" not in out


def test_bench_profile_json(capsys, coding_path):
  status, out, err = cli(capsys, "bench", coding_path, "--signature",
                         "encode", "--runs", "4", "--warmup", "0",
                         "--threads", "2", "--profile", "--json",
                         "--input", "x=[1, 2, 3]")
  assert status == 0, err
  r = json.loads(out)
  assert r["signature"] == "encode" and r["runs"] == 4 and r["threads"] == 2
  lat = r["latency"]
  assert 0 <= lat["min_ms"] <= lat["median_ms"] <= lat["p90_ms"] <= \
      lat["max_ms"]
  assert r["peak_rss_bytes"] >= r["rss_before_load_bytes"] > 0
  rows = r["profile"]
  assert [(x["op"], x["subgraph"], x["node"]) for x in rows] == [
      ("FlexAsString", 1, 0)]
  assert rows[0]["calls"] == 4 and rows[0]["share"] == pytest.approx(1.0)
  assert r["profile_by_op"][0]["op"] == "FlexAsString"


def test_bench_profile_table_and_progress(capsys, dense_path):
  status, out, err = cli(capsys, "bench", dense_path, "--runs", "3",
                         "--profile", "--progress")
  assert status == 0
  assert re.search(r"FULLY_CONNECTED\s+0\s+0\s+\S+ \S?s\s+\d+\.\d%", out)
  assert "per op (summed over nodes):" in out
  assert "running [" in err and "4/4" in err  # 1 warmup + 3 runs


# ---- ops ---------------------------------------------------------------------------


def test_ops(capsys):
  status, out, _ = cli(capsys, "ops")
  assert status == 0
  names = [line.split()[0] for line in out.splitlines()]
  assert names == [name for name, _ in supported_ops()]
  assert "FULLY_CONNECTED" in names and "FlexAsString" in names
  status, out, _ = cli(capsys, "ops", "--json")
  assert [e["op"] for e in json.loads(out)] == names


def test_ops_markdown_is_docs_ops_md(capsys):
  """docs/ops.md: the op table, then the table of LiteRT's own kernel
  differences recorded in the conformance manifest."""
  status, out, _ = cli(capsys, "ops", "--markdown")
  assert status == 0 and out == ops_markdown()
  sys.path.insert(0, os.path.join(ROOT, "tests", "conformance"))
  import differences  # pylint: disable=import-outside-toplevel
  path = os.path.join(ROOT, "docs", "ops.md")
  with open(path, encoding="utf-8") as f:
    assert f.read() == out + "\n" + differences.section(), (
        "docs/ops.md is stale: regenerate it with "
        "`python tests/conformance/differences.py --write`")


# ---- bad input: one line, non-zero status, never a traceback -------------------------


def test_bad_model_files(capsys, tmp_path, tmp_model, dense_bytes):
  garbage = tmp_model(b"\x00" * 64 + b"not a model" * 10, "garbage.tflite")
  truncated = tmp_model(dense_bytes[:len(dense_bytes) // 2], "half.tflite")
  empty = tmp_model(b"", "empty.tflite")
  for command in ("inspect", "run", "bench"):
    assert_one_line_error(*cli(capsys, command, "/no/such.tflite"),
                          "no such file")
    assert_one_line_error(*cli(capsys, command, str(tmp_path)),
                          "is a directory")
    for path in (garbage, truncated, empty):
      assert_one_line_error(*cli(capsys, command, path), "not a valid model")


def test_bad_signatures_and_inputs(capsys, tmp_path, dense_path, coding_path):
  for command in ("run", "bench"):
    assert_one_line_error(*cli(capsys, command, coding_path),
                          "2 signatures", "--signature")
    assert_one_line_error(
        *cli(capsys, command, coding_path, "--signature", "nope"),
        "unknown signature 'nope'", "decode, encode")
    assert_one_line_error(
        *cli(capsys, command, dense_path, "--input", "nope=[1]"),
        "unknown input 'nope'", "keras_tensor")
    assert_one_line_error(
        *cli(capsys, command, dense_path, "--input", "keras_tensor"),
        "NAME=FILE_OR_LITERAL")
    assert_one_line_error(
        *cli(capsys, command, dense_path, "--input", "keras_tensor=[1, 2]"),
        "shape [2]", "[-1, 4]")
    assert_one_line_error(
        *cli(capsys, command, dense_path, "--input", "keras_tensor=oops"),
        "neither a file nor a JSON literal")
    assert_one_line_error(
        *cli(capsys, command, dense_path, "--input", "keras_tensor=[[1, 2], [3]]"),
        "keras_tensor")
    assert_one_line_error(
        *cli(capsys, command, coding_path, "--signature", "decode",
             "--input", "x=[1.5]"), "strings")
    assert_one_line_error(
        *cli(capsys, command, coding_path, "--signature", "encode",
             "--input", 'x=["a"]'), "strings", "float32")

  wrong_dtype = tmp_path / "int.npy"
  np.save(wrong_dtype, np.ones((1, 4), dtype=np.int32))
  wrong_shape = tmp_path / "shape.npy"
  np.save(wrong_shape, np.ones((1, 5), dtype=np.float32))
  not_npy = tmp_path / "bad.npy"
  not_npy.write_bytes(b"hello")
  for command in ("run", "bench"):
    assert_one_line_error(
        *cli(capsys, command, dense_path, "--input",
             f"keras_tensor={wrong_dtype}"), "int32", "float32")
    assert_one_line_error(
        *cli(capsys, command, dense_path, "--input",
             f"keras_tensor={wrong_shape}"), "[1, 5]", "[-1, 4]")
    assert_one_line_error(
        *cli(capsys, command, dense_path, "--input",
             f"keras_tensor={not_npy}"), "not a readable .npy file")
    assert_one_line_error(
        *cli(capsys, command, dense_path, "--input",
             f"keras_tensor={tmp_path / 'missing.npy'}"), "no such file")


def test_literal_types(capsys, coding_path, dense_path):
  # Integers are fine for a float input; fractions and overflow are not for
  # an integer one (checked through the literal parser directly).
  from pylite.cli._common import CliError, _from_literal  # pylint: disable=import-outside-toplevel
  assert _from_literal("x", "[1, 2]", np.float32, [-1]).dtype == np.float32
  with pytest.raises(CliError, match="non-integer"):
    _from_literal("x", "[1.5]", np.int32, [-1])
  with pytest.raises(CliError, match="does not fit int8"):
    _from_literal("x", "[300]", np.int8, [-1])
  with pytest.raises(CliError, match="bool"):
    _from_literal("x", "[2]", np.bool_, [-1])
  assert _from_literal("x", "[true, false]", np.bool_, [2]).dtype == np.bool_


def test_bad_command_lines(capsys, dense_path):
  for args, fragment in (
      ((), "required"),
      (("frob",), "invalid choice"),
      (("bench", dense_path, "--runs", "0"), "at least 1"),
      (("bench", dense_path, "--runs", "x"), "not an integer"),
      (("bench", dense_path, "--warmup", "-1"), "negative"),
      (("run", dense_path, "--threads", "0"), "at least 1"),
      (("run",), "required"),
      (("ops", "--markdown", "--json"), "not allowed"),
  ):
    assert_one_line_error(*cli(capsys, *args), fragment, code=2)


def test_module_entry_point_subprocess(tmp_path, dense_path):
  env = dict(os.environ)
  env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
  env.pop("PYLITE_TRACEBACK", None)

  def run(*args):
    return subprocess.run([sys.executable, "-m", "pylite", *args], env=env,
                          cwd=str(tmp_path), capture_output=True, text=True,
                          timeout=120, check=False)

  ok = run("run", dense_path, "--input", "keras_tensor=[[1, 2, 3, 4]]")
  assert ok.returncode == 0, ok.stderr
  assert "[[1.5117401]]" in ok.stdout
  for args in (("inspect", "missing.tflite"),
               ("run", dense_path, "--signature", "x"),
               ("bench", dense_path, "--input", "keras_tensor=[1]"),
               ("bench", dense_path, "--runs", "-3")):
    bad = run(*args)
    assert bad.returncode != 0
    assert "Traceback" not in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1, bad.stderr
  assert run("--help").returncode == 0
