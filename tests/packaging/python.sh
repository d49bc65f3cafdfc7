#!/usr/bin/env bash
# The Python package: a wheel made by `python -m build` (sdist, then the
# wheel from the sdist) installed with no compiler into a fresh virtual
# environment, and `pip install .` into another; each runs the CLI and the
# guide's sample from outside the source tree, without PYTHONPATH or
# PYLITE_LIBRARY.
source "$(dirname "$0")/common.sh"
unset PYTHONPATH PYLITE_LIBRARY

# The `build` frontend lives in a venv of its own (the sdist and wheel are
# built in isolated environments it makes).
"$PYTHON" -m venv "$SCRATCH/tools"
"$SCRATCH/tools/bin/pip" install -q build
"$SCRATCH/tools/bin/python" -m build --outdir "$SCRATCH/dist" "$ROOT" \
  > "$SCRATCH/build.log" 2>&1 || { tail -30 "$SCRATCH/build.log"; fail "python -m build"; }
wheel=$(ls "$SCRATCH"/dist/pylite-*.whl)
sdist=$(ls "$SCRATCH"/dist/pylite-*.tar.gz)
ok "python -m build: $(basename "$sdist"), $(basename "$wheel")"
"$SCRATCH/tools/bin/python" -c "import sys, zipfile
print('\\n'.join(zipfile.ZipFile(sys.argv[1]).namelist()))" "$wheel" > "$SCRATCH/wheel.txt"
for member in pylite/libpylite.so pylite/_fast.abi3.so pylite/_cdefs.h \
              pylite/py.typed pylite/ray.py pylite/cli/__init__.py; do
  grep -qx "$member" "$SCRATCH/wheel.txt" || fail "the wheel lacks $member"
done

check_install() {  # VENV: what a user does after installing
  local venv=$1 py="$1/bin/python"
  (
    cd "$SCRATCH"
    "$py" -c "import os, sys, pylite
from pylite._ffi import fast_lib
assert pylite.library_path.startswith(sys.prefix), pylite.library_path
assert fast_lib is not None, 'pylite._fast is missing'
assert os.path.exists(os.path.join(os.path.dirname(pylite.__file__), 'py.typed'))"
    check_sample python "$py" "$ROOT/examples/python/signatures.py" "$MODELS"
    has '\[\[1.5117401\]\]' "$venv/bin/pylite" run "$MODELS/dense.tflite" \
      --input 'keras_tensor=[[1, 2, 3, 4]]' ||
      fail "pylite run"
    has 'every op is supported' "$venv/bin/pylite" inspect \
      "$MODELS/coding.tflite" || fail "pylite inspect"
    has 'p90' "$venv/bin/pylite" bench "$MODELS/dense.tflite" --runs 3 ||
      fail "pylite bench"
    has '^| FULLY_CONNECTED |' "$py" -m pylite ops --markdown ||
      fail "python -m pylite ops --markdown"
    if "$venv/bin/pylite" run missing.tflite 2> err.txt; then
      fail "pylite run on a missing file succeeded"
    fi
    [ "$(wc -l < err.txt)" -eq 1 ] || fail "not a one-line error: $(cat err.txt)"
  )
}

# A fresh environment with no compiler: only binary wheels, CC unusable.
"$PYTHON" -m venv "$SCRATCH/wheel-venv"
CC=/bin/false CXX=/bin/false "$SCRATCH/wheel-venv/bin/pip" install -q \
  --only-binary :all: "$wheel"
check_install "$SCRATCH/wheel-venv"
ok "the wheel installs and runs in a fresh venv (no compiler)"

"$PYTHON" -m venv "$SCRATCH/src-venv"
"$SCRATCH/src-venv/bin/pip" install -q "$ROOT" > "$SCRATCH/pip.log" 2>&1 ||
  { tail -30 "$SCRATCH/pip.log"; fail "pip install ."; }
check_install "$SCRATCH/src-venv"
ok "pip install . installs and runs in a fresh venv"
