# pylite: the two commands.
#   make demo   runs the guide's samples in C, C++, Python and Java
#   make test   runs every test suite (C, C under sanitizers, Python, Java,
#               cross-language)
# Both install what they need: a .venv for Python, the CMake build, Maven.

PYTHON ?= python3
BUILD := build
BUILD_ASAN := build-asan
VENV := .venv
VPY := $(VENV)/bin/python
MODELS := examples/models
JAR_GLOB := java/target/pylite-*.jar
NPROC := $(shell nproc 2>/dev/null || echo 2)

export PYLITE_LIBRARY := $(CURDIR)/$(BUILD)/libpylite.so
export PYTHONPATH := $(CURDIR)
# Every conformance runner writes its outputs here; tests/cross compares them
# byte for byte (so `make test` runs its steps in order, not with -j).
export PYLITE_CONFORMANCE_OUT := $(CURDIR)/$(BUILD)/conformance-out

.PHONY: all build build-asan venv java demo test test-c test-asan test-python \
        test-java test-cross clean

all: build

build:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release >/dev/null
	cmake --build $(BUILD) -j$(NPROC)

build-asan:
	cmake -S . -B $(BUILD_ASAN) -DCMAKE_BUILD_TYPE=Debug -DPYLITE_SANITIZE=ON \
	  -DPYLITE_BUILD_JNI=OFF >/dev/null
	cmake --build $(BUILD_ASAN) -j$(NPROC)

$(VPY):
	$(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install -q --upgrade pip

# Installed again whenever requirements-dev.txt changes.
$(VENV)/.requirements: requirements-dev.txt | $(VPY)
	$(VPY) -m pip install -q -r requirements-dev.txt
	touch $@

# pylite._fast (pylite/_fast_build.py): the compiled module of the signature
# runner's one-call path. Optional at run time; built here so that the tests
# cover it (tests/python/test_runner_fast_path.py runs with and without it).
FAST := pylite/_fast.abi3.so
$(FAST): pylite/_fast_build.py include/pylite/pylite.h $(VENV)/.requirements
	$(VPY) pylite/_fast_build.py

venv: $(VENV)/.requirements $(FAST)

java: build
	cd java && mvn -q -B package -DskipTests

# The build steps' output goes to demo-build.log (shown only on failure), so
# that the demo prints just the samples' lines.
demo:
	@$(MAKE) --no-print-directory build venv java > demo-build.log 2>&1 \
	  || (cat demo-build.log; exit 1)
	@$(BUILD)/signatures_c $(MODELS) | grep '^c:'
	@$(BUILD)/signatures_cpp $(MODELS) | grep '^cpp:'
	@$(VPY) examples/python/signatures.py $(MODELS) | grep '^python:'
	@java -Dpylite.library=$(CURDIR)/$(BUILD)/libpylite_jni.so \
	  -cp "$$(ls $(JAR_GLOB) | head -1)" examples/java/Signatures.java $(MODELS) \
	  | grep '^java:'

test: test-c test-asan test-python test-typing test-java test-cross tsan fuzz-ci

test-c: build
	rm -rf $(PYLITE_CONFORMANCE_OUT)
	cd $(BUILD) && ctest --output-on-failure

test-asan: build-asan
	cd $(BUILD_ASAN) && PYLITE_CONFORMANCE_OUT= \
	  ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 ctest --output-on-failure

# PYLITE_REQUIRE_RAY: the Ray tests (tests/python/test_ray.py, which start a
# local 2-CPU Ray cluster) fail instead of skipping if Ray is missing.
test-python: build venv
	PYLITE_REQUIRE_RAY=1 $(VPY) -m pytest -q tests/python

# The Python package's type hints (py.typed) checked with mypy, with the
# settings of pyproject.toml ([tool.mypy]).
.PHONY: test-typing test-packaging
test-typing: venv
	$(VPY) -m mypy --version >/dev/null 2>&1 || $(VPY) -m pip install -q "mypy>=1.5"
	$(VPY) -m mypy

# Slow, not part of `test`: the wheel and `pip install .` in fresh virtual
# environments, the installed CMake package and pkg-config file (the C and
# C++ samples built out of tree), the Maven jar alone (tests/packaging/).
test-packaging: build venv
	PYTHON=$(PYTHON) bash tests/packaging/run.sh

test-java: build
	cd java && mvn -B -ntp test

test-cross: build venv java
	$(VPY) -m pytest -q tests/cross

# ---- Fuzzing, ThreadSanitizer, soak (tests/fuzz, tests/c/test_threads.c,
# tests/soak). fuzz: each libFuzzer harness FUZZ_SECONDS (clang, installed if
# missing); tsan: the thread stress test and the pool's own test under
# -fsanitize=thread; soak: every language loads, runs and frees models for
# SOAK_SECONDS with flat memory.
BUILD_FUZZ := build-fuzz
BUILD_TSAN := build-tsan
FUZZ_SECONDS ?= 60
SOAK_SECONDS ?= 60

fuzz-build:
	@command -v clang >/dev/null || apt-get install -y clang >/dev/null \
	  || (apt-get update >/dev/null && apt-get install -y clang >/dev/null)
	CC=clang cmake -S . -B $(BUILD_FUZZ) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DPYLITE_SANITIZE=ON -DPYLITE_FUZZ=ON -DPYLITE_BUILD_JNI=OFF \
	  -DCMAKE_C_FLAGS=-fsanitize=fuzzer-no-link >/dev/null
	cmake --build $(BUILD_FUZZ) -j$(NPROC) --target fuzz_model fuzz_run

fuzz: fuzz-build
	tests/fuzz/fuzz.sh $(BUILD_FUZZ) $(FUZZ_SECONDS)

# A fixed number of inputs per harness from a fixed seed and the seed corpus
# alone (about a minute per harness here), run by `make test` on every
# change. A finding fails the run; its input (build-fuzz/artifacts/) then
# becomes a regression case in tests/fuzz/regressions/ once fixed.
FUZZ_CI_RUNS ?= 200000
fuzz-ci: fuzz-build
	FUZZ_RUNS=$(FUZZ_CI_RUNS) tests/fuzz/fuzz.sh $(BUILD_FUZZ)

tsan:
	cmake -S . -B $(BUILD_TSAN) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DPYLITE_BUILD_JNI=OFF -DCMAKE_C_FLAGS=-fsanitize=thread \
	  -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=thread >/dev/null
	cmake --build $(BUILD_TSAN) -j$(NPROC) --target test_threads test_threadpool
	TSAN_OPTIONS=halt_on_error=1 $(BUILD_TSAN)/test_threads
	TSAN_OPTIONS=halt_on_error=1 $(BUILD_TSAN)/test_threadpool

soak: build venv java
	tests/soak/soak.sh $(SOAK_SECONDS)

.PHONY: fuzz-build fuzz fuzz-ci tsan soak

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) $(BUILD_FUZZ) $(BUILD_TSAN) java/target

# ---- Benchmarks (dev-only, needs TensorFlow + ai-edge-litert; not in `test`) --
# pylite against LiteRT (benchmarks/README.md). A Release build of its own, so
# that it never reconfigures $(BUILD). TF_PYTHON: a Python with tensorflow
# and ai-edge-litert; BENCH_ARGS: e.g. --quick, --threads 1, --only NAME.
TF_PYTHON ?= /work/tfenv/bin/python
BENCH_BUILD := build-bench
BENCH_ARGS ?=

.PHONY: bench
bench:
	cmake -S . -B $(BENCH_BUILD) -DCMAKE_BUILD_TYPE=Release \
	  -DPYLITE_BUILD_JNI=OFF >/dev/null
	cmake --build $(BENCH_BUILD) -j$(NPROC) --target pylite pylite_bench
	$(TF_PYTHON) -c "import cffi" 2>/dev/null || $(TF_PYTHON) -m pip install -q cffi
	$(TF_PYTHON) pylite/_fast_build.py
	$(TF_PYTHON) benchmarks/make_models.py
	PYLITE_LIBRARY=$(CURDIR)/$(BENCH_BUILD)/libpylite.so \
	  $(TF_PYTHON) benchmarks/compare.py --update-readme benchmarks/README.md \
	  --update-readme README.md $(BENCH_ARGS)

# ---- Ray Data throughput (dev-only; not in `test`) -----------------------------
# Rows/s of pylite.ray.predict with 1 and 2 actors against a plain loop in one
# process (benchmarks/ray_throughput.py; README.md, "pylite on Ray").
# BENCH_RAY_ARGS: e.g. --rows 20000 --batch-size 256 --repeat 3.
BENCH_RAY_ARGS ?=

.PHONY: bench-ray
bench-ray: build venv
	$(VPY) benchmarks/ray_throughput.py $(BENCH_RAY_ARGS)
