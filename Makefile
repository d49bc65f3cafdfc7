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
	$(VPY) -m pip install -q -r requirements-dev.txt

venv: $(VPY)

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

test: test-c test-asan test-python test-java test-cross

test-c: build
	cd $(BUILD) && ctest --output-on-failure

test-asan: build-asan
	cd $(BUILD_ASAN) && ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 ctest --output-on-failure

test-python: build venv
	$(VPY) -m pytest -q tests/python

test-java: build
	cd java && mvn -B -ntp test

test-cross: build venv java
	$(VPY) -m pytest -q tests/cross

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) java/target
