"""Runs the guide's sample in all four languages and requires identical output.

Each sample prints `<lang>: <name> = <value>` lines; after the prefix, every
language must print exactly the same text, and the coding model's lines must
be the guide's expected results.
"""
import glob
import os
import subprocess
import sys

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MODELS = os.path.join(ROOT, "examples", "models")
BUILD = os.path.join(ROOT, "build")

EXPECTED = [
    "encoded_result = ['1.000000', '2.000000', '3.000000']",
    "decoded_result = [1.0, 2.0, 3.0]",
]


def _run(cmd, lang):
  env = dict(os.environ, PYTHONPATH=ROOT,
             PYLITE_LIBRARY=os.path.join(BUILD, "libpylite.so"))
  out = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True,
                       timeout=300)
  assert out.returncode == 0, f"{lang} sample failed:\n{out.stdout}\n{out.stderr}"
  prefix = lang + ": "
  return [l[len(prefix):] for l in out.stdout.splitlines() if l.startswith(prefix)]


def _java_cmd():
  jars = glob.glob(os.path.join(ROOT, "java", "target", "pylite-*.jar"))
  jars = [j for j in jars if not j.endswith(("-sources.jar", "-javadoc.jar"))]
  if not jars:
    pytest.fail("java/target has no pylite jar: run `make java` first")
  return ["java", "-Dpylite.library=" + os.path.join(BUILD, "libpylite_jni.so"),
          "-cp", jars[0], os.path.join("examples", "java", "Signatures.java"),
          MODELS]


@pytest.fixture(scope="module")
def outputs():
  return {
      "c": _run([os.path.join(BUILD, "signatures_c"), MODELS], "c"),
      "cpp": _run([os.path.join(BUILD, "signatures_cpp"), MODELS], "cpp"),
      "python": _run([sys.executable, "examples/python/signatures.py", MODELS],
                     "python"),
      "java": _run(_java_cmd(), "java"),
  }


def test_guide_results(outputs):
  for lang, lines in outputs.items():
    assert lines[:2] == EXPECTED, lang


def test_identical_across_languages(outputs):
  c_lines = outputs["c"]
  assert len(c_lines) == 3  # encode, decode, dense serving_default
  for lang, lines in outputs.items():
    assert lines == c_lines, lang


def test_dense_matches_litert_reference(outputs):
  # Recorded from ai-edge-litert 2.3 by tools/record_litert_reference.py.
  import json
  with open(os.path.join(ROOT, "tests", "data", "litert_reference.json")) as f:
    ref = json.load(f)
  import numpy as np
  case = ref["models"]["dense"]["runner_cases"][0]
  assert case["input"] == [[1.0, 2.0, 3.0, 4.0]]
  value = np.float32(case["outputs"]["output_0"]["value"][0][0])
  sys.path.insert(0, os.path.join(ROOT, "examples", "python"))
  from signatures import format_float
  assert outputs["c"][2] == "serving_default output_0 = [[%s]]" % format_float(value)
