"""The conformance outputs of the four runners must be byte-identical.

Runs nothing itself: the C, C++, Python and Java conformance runners, run
with PYLITE_CONFORMANCE_OUT=<dir>, each wrote every output they computed to
<dir>/<lang>/<case>/<output>.bin (raw little-endian bytes; strings in
TFLite's layout). Here every output of every positive case of the manifest
is compared across the languages, byte for byte. <dir> is
PYLITE_CONFORMANCE_OUT, else build/conformance-out; without it the module is
skipped (run the runners first). PYLITE_CONFORMANCE_MANIFEST may name another
manifest, as for the runners.

A runner that cannot express a case through its API (the Java API has no
float64 type, for one) writes <dir>/<lang>/<case>/SKIPPED with the reason;
the other languages are still compared and the case is reported as skipped.

The C runner also runs every case with its kernels split across 2 and 4
threads (PYLITE_CONFORMANCE_THREADS, outputs in <dir>/c-threads<n>/): those
outputs must be byte-identical to the one-thread run's, floats included. And
with the vector instructions capped (PYLITE_SIMD=portable / avx2, outputs in
<dir>/c-simd-<level>/): integer and bool outputs must be byte-identical to
the default run's (float outputs only meet the case's tolerance, which the
runner checked).
"""
import json
import os
import re

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CONFORMANCE = os.path.join(ROOT, "tests", "conformance")
LANGS = ("c", "cpp", "python", "java")
THREADED = ("c-threads2", "c-threads4")
SIMD = ("c-simd-portable", "c-simd-avx2")
EXACT_ON_EVERY_ISA = ("int8", "uint8", "int16", "uint16", "int32", "uint32",
                      "int64", "uint64", "bool", "string")
OUT = os.path.join(ROOT, os.environ.get("PYLITE_CONFORMANCE_OUT") or
                   os.path.join("build", "conformance-out"))

MANIFEST = os.path.join(ROOT, os.environ.get("PYLITE_CONFORMANCE_MANIFEST") or
                        os.path.join(CONFORMANCE, "manifest.json"))

with open(MANIFEST) as f:
  CASES = [c for c in json.load(f)["cases"] if "expect_error" not in c]

if not os.path.isdir(OUT):
  pytest.skip("no conformance outputs in %s: run the runners with "
              "PYLITE_CONFORMANCE_OUT first" % OUT, allow_module_level=True)


def clean(part, keep_slash):
  """A path part as every runner writes it (tests/conformance/conformance.h):
  [A-Za-z0-9._-] kept, other characters and a segment's leading '.' -> '_'."""
  segments = part.split("/") if keep_slash else [part]
  return "/".join(re.sub(r"^\.", "_", re.sub(r"[^A-Za-z0-9._-]", "_", s))
                  for s in segments)


def case_dir(lang, case):
  return os.path.join(OUT, lang, clean(case["name"], True))


def test_every_language_ran():
  missing = [lang for lang in LANGS if not os.path.isdir(os.path.join(OUT, lang))]
  assert not missing, "no outputs from %s in %s" % (", ".join(missing), OUT)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["name"])
def test_outputs_identical(case):
  skipped = {}
  for lang in LANGS:
    marker = os.path.join(case_dir(lang, case), "SKIPPED")
    if os.path.exists(marker):
      with open(marker, encoding="utf-8", errors="replace") as f:
        skipped[lang] = f.read().strip()
  ran = [lang for lang in LANGS if lang not in skipped]
  assert len(ran) >= 2, "only %s ran this case" % ran
  problems = []
  for spec in case["outputs"]:
    blobs = {}
    for lang in ran:
      path = os.path.join(case_dir(lang, case),
                          clean(spec["name"], False) + ".bin")
      if not os.path.exists(path):
        problems.append("%s wrote no %s" % (lang, spec["name"]))
        continue
      with open(path, "rb") as f:
        blobs[lang] = f.read()
    distinct = {}
    for lang, blob in blobs.items():
      distinct.setdefault(blob, []).append(lang)
    if len(distinct) > 1:
      groups = sorted(distinct.items(), key=lambda kv: -len(kv[1]))
      reference = groups[0][0]
      for blob, langs in groups[1:]:
        at = next((i for i, (a, b) in enumerate(zip(blob, reference))
                   if a != b), min(len(blob), len(reference)))
        problems.append("%s: %s differ from %s (%d vs %d bytes, first "
                        "difference at byte %d)" % (
                            spec["name"], "/".join(langs),
                            "/".join(groups[0][1]), len(blob),
                            len(reference), at))
  assert not problems, "; ".join(problems)
  if skipped:
    pytest.skip("; ".join("%s skipped: %s" % kv for kv in skipped.items()))


def test_every_thread_count_and_isa_ran():
  missing = [d for d in THREADED + SIMD
             if not os.path.isdir(os.path.join(OUT, d))]
  assert not missing, "no outputs from %s in %s" % (", ".join(missing), OUT)


def differences_from_default(case, runs, dtypes=None):
  """Outputs of `runs` (of the given dtypes, default all) that differ from
  the default C run's bytes."""
  problems = []
  for spec in case["outputs"]:
    if dtypes is not None and spec["dtype"] not in dtypes:
      continue
    name = clean(spec["name"], False) + ".bin"
    with open(os.path.join(case_dir("c", case), name), "rb") as f:
      one = f.read()
    for run in runs:
      path = os.path.join(case_dir(run, case), name)
      if not os.path.exists(path):
        problems.append("%s wrote no %s" % (run, spec["name"]))
        continue
      with open(path, "rb") as f:
        blob = f.read()
      if blob != one:
        at = next((i for i, (a, b) in enumerate(zip(blob, one)) if a != b),
                  min(len(blob), len(one)))
        problems.append("%s: %s differs from the default run (first "
                        "difference at byte %d)" % (spec["name"], run, at))
  return problems


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["name"])
def test_thread_counts_identical(case):
  problems = differences_from_default(case, THREADED)
  assert not problems, "; ".join(problems)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["name"])
def test_integer_outputs_identical_on_every_isa(case):
  problems = differences_from_default(case, SIMD, EXACT_ON_EVERY_ISA)
  assert not problems, "; ".join(problems)
