/* pylite fuzzing: the two harness bodies, shared by the libFuzzer entry
 * points (fuzz_model.c, fuzz_run.c), the regression runner
 * (run_regressions.c, plain C) and the C soak test. Public API only, so
 * they link against the static core or the shared library alike.
 *
 * Both return 0 and never abort on a malformed model: a rejected model must
 * come with an error message, and any other finding is left to the
 * sanitizers. The one property they enforce themselves (abort on breach):
 * a failed call always sets PyliteGetLastError(). */
#ifndef PYLITE_TESTS_FUZZ_HARNESS_H_
#define PYLITE_TESTS_FUZZ_HARNESS_H_

#include <stddef.h>
#include <stdint.h>

/* The reader and verifier: TfLiteModelCreate on arbitrary bytes, then (if
 * it loads) interpreter creation, which resolves ops and checks calls. */
int pl_fuzz_model(const uint8_t* data, size_t size);

/* The whole path: load, create, then for every signature (and the default
 * runner) allocate, fill inputs deterministically, invoke, read every
 * output; then once more with unknown (-1) dims resized. One allocation is
 * capped at PL_FUZZ_MAX_ALLOCATION and a watchdog cancels an invoke after
 * PL_FUZZ_INVOKE_MS, so hostile shapes and endless WHILE loops end with an
 * error instead of exhausting the machine. Returns the number of
 * successful invokes. */
int pl_fuzz_run(const uint8_t* data, size_t size);

#define PL_FUZZ_MAX_ALLOCATION ((size_t)16 << 20)
#define PL_FUZZ_INVOKE_MS 1000

#endif /* PYLITE_TESTS_FUZZ_HARNESS_H_ */
