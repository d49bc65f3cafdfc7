#!/usr/bin/env bash
# pylite fuzzing: builds the seed corpus from every model in the repository
# (conformance suite, examples, test data), one file per distinct content.
# Usage: tests/fuzz/make_corpus.sh [OUT_DIR]   (default build-fuzz/corpus,
# git-ignored). Run from anywhere; paths are relative to the repository.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="${1:-$root/build-fuzz/corpus}"
mkdir -p "$out"
n=0
while IFS= read -r -d '' f; do
  sum="$(sha1sum "$f" | cut -c1-16)"
  cp "$f" "$out/$sum.tflite"
  n=$((n + 1))
done < <(find "$root/tests/conformance/models" "$root/examples/models" \
              "$root/tests/data" -name '*.tflite' -print0 2>/dev/null)
echo "make_corpus: $n models -> $(ls "$out" | wc -l) seeds in $out"
