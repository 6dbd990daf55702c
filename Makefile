# The same commands locally and in CI. Each target creates .venv and installs what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
DEPS := $(VENV)/.deps-installed
export VIRTUAL_ENV := $(CURDIR)/$(VENV)
export PATH := $(BIN):$(HOME)/.cargo/bin:$(PATH)

# Everything the tests, the demo and the benchmarks import, pinned loosely.
DEV_DEPS := "maturin>=1.7,<2" "chdb>=3" "pytest>=7" "pytest-asyncio>=0.23" \
            "pyarrow>=14" "pandas>=2" "polars>=1" "orjson>=3" "ruff>=0.5" "mypy>=1.18" "tqdm>=4" \
            "brotli>=1.1" "zstandard>=0.22" "requests>=2" "trustme>=1"

.PHONY: demo test lint fmt fuzz develop develop-release clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(DEPS): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet $(DEV_DEPS)
	touch $@

develop: $(DEPS)
	$(BIN)/maturin develop --quiet

develop-release: $(DEPS)
	$(BIN)/maturin develop --quiet --release

demo: develop-release
	$(BIN)/python examples/demo.py

# 1M rows from the emulator into Arrow/pandas/polars vs plain Python (docs/performance.md).
# BENCH_ARGS="--quick" for one run at 1M only; see bench/run.py --help.
bench: develop-release
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# Instructions per row of the production in-memory decode, counted by callgrind (valgrind)
# on a 100k-row body: repeatable where timings on a shared machine are not. `make bench`
# prints the same figure; INSTRUCTIONS_ARGS="--rows 200000" for another size.
.PHONY: bench-instructions
bench-instructions: develop-release
	$(BIN)/python bench/instructions.py $(INSTRUCTIONS_ARGS)

# query().to_arrow() on the 1M-row body sent identity, gzip, zstd and br, beside each
# decompression alone (bench/compressed.py).
.PHONY: bench-encodings
bench-encodings: develop-release
	$(BIN)/python bench/compressed.py

test: $(DEPS)
	cargo test --quiet
	$(MAKE) --no-print-directory develop
	$(BIN)/python -m pytest -q

# A long run of the decoder's property tests (cargo test runs 2000 cases each).
fuzz:
	PROPTEST_CASES=$${PROPTEST_CASES:-50000} cargo test --release --lib fuzz_tests

# The differential type test (tests/typefuzz) at length: random ClickHouse columns through
# the emulator, each rendering checked against ClickHouse's own answer. A random seed
# (printed) and 3000 columns unless given: `SEED=7 COLUMNS=10000 make fuzz-types`.
.PHONY: fuzz-types
fuzz-types: develop
	PYTHONPATH=tests $(BIN)/python -m typefuzz $(if $(SEED),--seed $(SEED)) \
		$(if $(COLUMNS),--columns $(COLUMNS))

# The house rules CI enforces after the tests: formatting, clippy warnings, ruff, the native
# module's stubs against the built module (stubtest), and the typed facades (mypy).
lint: develop
	cargo fmt --check
	cargo clippy --all-targets --quiet -- -D warnings
	$(BIN)/ruff check python tests examples bench
	$(BIN)/ruff format --check python tests examples bench
	$(BIN)/python -m mypy.stubtest sqlquarry._native
	$(BIN)/python -m mypy --ignore-missing-imports --exclude 'sqlquarry/testing/' python/sqlquarry

fmt: $(DEPS)
	cargo fmt
	$(BIN)/ruff format python tests examples
	$(BIN)/ruff check --fix python tests examples

clean:
	rm -rf $(VENV) target

# Wheels (docs/wheels.md): a manylinux2014 (glibc 2.17) x86-64 abi3 wheel for CPython >= 3.10,
# linked by zig against the old glibc so no manylinux container is needed; every tool is from
# PyPI. `--auditwheel check` makes maturin fail rather than bundle a shared library.
WHEEL_TOOLS := $(VENV)/.wheel-tools-installed
WHEEL_FLAGS := --zig --compatibility manylinux2014 --target x86_64-unknown-linux-gnu \
               --auditwheel check
WHEEL_TEST := target/wheel-test

.PHONY: wheel wheel-test

# zig's flags and bundled glibc stubs change between releases: a new zig is tried before it is
# allowed (built and checked with 0.17.1).
$(WHEEL_TOOLS): | $(BIN)/python
	$(BIN)/python -m pip install --quiet "ziglang>=0.17,<0.18" "auditwheel>=6"
	touch $@

# The release wheel and the sdist into dist/, each checked (tests/wheel/check_*.py).
wheel: $(DEPS) $(WHEEL_TOOLS)
	rm -f dist/sqlquarry-*.whl dist/sqlquarry-*.tar.gz
	$(BIN)/maturin build --release $(WHEEL_FLAGS) --out dist
	$(BIN)/maturin sdist --out dist
	$(BIN)/python tests/wheel/check_wheel.py dist/sqlquarry-*.whl
	$(BIN)/python tests/wheel/check_sdist.py dist/sqlquarry-*.tar.gz

# CI: the same wheel in the dev profile (minutes faster), checked, installed into a fresh venv
# with no Rust on PATH and queried against the emulator; the sdist's contents are checked.
wheel-test: $(DEPS) $(WHEEL_TOOLS)
	rm -rf $(WHEEL_TEST)/dist
	$(BIN)/maturin build $(WHEEL_FLAGS) --out $(WHEEL_TEST)/dist
	$(BIN)/maturin sdist --out $(WHEEL_TEST)/dist
	$(BIN)/python tests/wheel/check_wheel.py $(WHEEL_TEST)/dist/sqlquarry-*.whl
	$(BIN)/python tests/wheel/check_sdist.py $(WHEEL_TEST)/dist/sqlquarry-*.tar.gz
	$(BIN)/python tests/wheel/install_and_query.py $(WHEEL_TEST)/dist/sqlquarry-*.whl \
		--work $(WHEEL_TEST)
