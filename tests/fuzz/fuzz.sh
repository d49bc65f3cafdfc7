#!/usr/bin/env bash
# pylite fuzzing: runs each libFuzzer harness for SECONDS on the seed corpus
# plus what earlier runs found, and prints executions and findings.
# Usage: tests/fuzz/fuzz.sh BUILD_DIR SECONDS   (`make fuzz`)
#        FUZZ_RUNS=N tests/fuzz/fuzz.sh BUILD_DIR  (`make fuzz-ci`: N inputs
#        per harness from a fixed seed and the seed corpus alone, so that a
#        CI run is repeatable)
# A crash leaves its input in BUILD_DIR/artifacts/; copy it into
# tests/fuzz/regressions/ once fixed (run_regressions then keeps it fixed).
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${1:?build dir}"
seconds="${2:-60}"
cd "$root"
tests/fuzz/make_corpus.sh "$build/corpus" >/dev/null
mkdir -p "$build/artifacts"
# Huge requests must fail cleanly (pylite checks every malloc).
export ASAN_OPTIONS="allocator_may_return_null=1:detect_leaks=1:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"
status=0
for harness in fuzz_model fuzz_run; do
  bin="$(find "$build" -name "$harness" -type f -perm -u+x | head -1)"
  work="$build/corpus-$harness"
  limit=(-max_total_time="$seconds")
  if [ -n "${FUZZ_RUNS:-}" ]; then
    work="$build/corpus-ci-$harness"
    rm -rf "$work"
    limit=(-runs="$FUZZ_RUNS" -seed=1)
  fi
  mkdir -p "$work"
  log="$build/$harness.log"
  start=$(date +%s)
  "$bin" "${limit[@]}" -max_len=65536 -timeout=10 \
    -rss_limit_mb=2048 -dict=tests/fuzz/tflite.dict -print_final_stats=1 \
    -artifact_prefix="$build/artifacts/$harness-" "$work" "$build/corpus" \
    >"$log" 2>&1
  rc=$?
  execs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')"
  cov="$(grep -o 'cov: [0-9]*' "$log" | tail -1)"
  echo "$harness: ${execs:-?} executions in $(( $(date +%s) - start )) s, ${cov:-cov: ?}, corpus $(ls "$work" | wc -l) files, exit $rc"
  if [ $rc -ne 0 ]; then
    status=1
    grep -E 'ERROR:|runtime error|SUMMARY|Test unit written' "$log" | head -5
    grep -E '^ +#[0-9]+ ' "$log" | head -12
    echo "  full log: $log"
  fi
done
exit $status
