# crm — build, test, demo and benchmark every face from a fresh clone.
# `make demo` runs the end-to-end demo; `make test` runs every test (Rust, C, C++, Python).
# The Makefile installs what it needs itself: a .venv with the pinned Python tools.

SHELL      := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
# --locked everywhere: the versions in Cargo.lock (one ndarray, the pinned cbindgen) are the ones built.
CARGO      ?= cargo
LOCKED     := --locked
PYTHON     ?= python3
VENV       := .venv
VPY        := $(VENV)/bin/python
RELEASE    := target/release
PKGCONFIG  := $(RELEASE)/pkgconfig
CC         ?= cc
CXX        ?= c++
VALGRIND   := valgrind --quiet --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect,possible
DEMO_DB    := crm-demo.db
# The demo's fixed clock, 2026-11-25T09:00:00Z, in microseconds (crm-core/examples/demo/main.rs).
DEMO_NOW_US := 1795597200000000
PREFIX     ?= /usr/local

.PHONY: all build lib header header-check venv wheel test test-rust test-c test-python lint-deps demo bench bench-rust bench-python install clean

all: build

build: lib wheel

# ---------------------------------------------------------------- Python environment
# Pinned tools for building the wheel and running the tests (requirements-dev.txt).
$(VENV)/.installed: requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

# ---------------------------------------------------------------- C library
# libcrm.so (SONAME libcrm.so.0), libcrm.a, and a pkg-config file pointing at this tree.
lib:
	$(CARGO) build $(LOCKED) --release -p crm-ffi
	ln -sf libcrm.so $(RELEASE)/libcrm.so.0
	mkdir -p $(PKGCONFIG)
	sed -e 's|@PREFIX@|$(CURDIR)|' -e 's|@LIBDIR@|$(CURDIR)/$(RELEASE)|' -e 's|@INCLUDEDIR@|$(CURDIR)/include|' \
	    -e 's|@VERSION@|$(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)|' crm-ffi/crm.pc.in > $(PKGCONFIG)/crm.pc

# Regenerates include/crm.h with the cbindgen pinned in Cargo.lock.
header:
	$(CARGO) run $(LOCKED) --quiet -p crm-gen-header -- include/crm.h

# Fails when the committed header differs from a fresh generation.
header-check:
	$(CARGO) run $(LOCKED) --quiet -p crm-gen-header -- --verify include/crm.h

# ---------------------------------------------------------------- Python wheel
wheel: venv
	rm -rf target/wheels
	$(VENV)/bin/maturin build $(LOCKED) --release --quiet -o target/wheels
	$(VPY) -m pip install --quiet --force-reinstall --no-deps target/wheels/*.whl

# ---------------------------------------------------------------- tests
test: lint-deps header-check test-rust test-c test-python
	@echo "make test: all suites passed"

# One version of each crate in what we ship (cbindgen's build-time tree is exempt).
lint-deps:
	@mkdir -p target; out=$$($(CARGO) tree $(LOCKED) -d -e normal -p crm-core -p crm-ffi -p crm-py 2>target/lint-deps.err) \
	    || { cat target/lint-deps.err; exit 1; }; \
	if [ -n "$$(echo "$$out" | grep -v '^$$')" ]; then echo "duplicate crate versions in the shipped tree:"; echo "$$out"; exit 1; fi

test-rust:
	$(CARGO) test $(LOCKED) --workspace --exclude crm-py

C_TESTS   := $(wildcard tests/c/*.c)
CXX_TESTS := $(wildcard tests/cpp/*.cpp)
C_FLAGS   := -std=c99 -Wall -Wextra -Werror -pedantic -Iinclude
CXX_FLAGS := -std=c++17 -Wall -Wextra -Werror -pedantic -Iinclude
STATIC_LIBS := $(RELEASE)/libcrm.a -lpthread -ldl -lm
SHARED_LIBS := -L$(RELEASE) -lcrm -Wl,-rpath,$(CURDIR)/$(RELEASE)

# Every C and C++ test, linked once statically and once dynamically, run under valgrind.
test-c: lib
	readelf -d $(RELEASE)/libcrm.so | grep -q 'SONAME.*\[libcrm\.so\.0\]' || { echo "libcrm.so lacks SONAME libcrm.so.0"; exit 1; }
	mkdir -p target/ctest
	for t in $(C_TESTS); do n=$$(basename $$t .c); \
	  $(CC) $(C_FLAGS) $$t -o target/ctest/$$n-static $(STATIC_LIBS); \
	  $(CC) $(C_FLAGS) $$t -o target/ctest/$$n-shared $(SHARED_LIBS); \
	  for k in static shared; do echo "== $$n ($$k)"; (cd target/ctest && $(VALGRIND) ./$$n-$$k); done; done
	for t in $(CXX_TESTS); do n=$$(basename $$t .cpp)_cpp; \
	  $(CXX) $(CXX_FLAGS) $$t -o target/ctest/$$n-static $(STATIC_LIBS); \
	  $(CXX) $(CXX_FLAGS) $$t -o target/ctest/$$n-shared $(SHARED_LIBS); \
	  for k in static shared; do echo "== $$n ($$k)"; (cd target/ctest && $(VALGRIND) ./$$n-$$k); done; done

test-python: wheel
	cd tests/python && ../../$(VPY) -m pytest -q

# ---------------------------------------------------------------- demo
# Loads generated customers into crm-demo.db (Rust), then reads the same file from C and Python.
demo: lib wheel
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	$(CARGO) run $(LOCKED) --release --quiet -p crm-core --example demo -- $(DEMO_DB)
	$(CC) -std=c99 -Wall -Wextra -Werror $$(PKG_CONFIG_PATH=$(PKGCONFIG) pkg-config --cflags crm) examples/c/report.c \
	    -o target/report $$(PKG_CONFIG_PATH=$(PKGCONFIG) pkg-config --libs crm) -Wl,-rpath,$(CURDIR)/$(RELEASE)
	./target/report $(DEMO_DB) $(DEMO_NOW_US)
	$(VPY) examples/python/report.py $(DEMO_DB)

# ---------------------------------------------------------------- benchmarks (not part of test)
bench: bench-rust bench-python

bench-rust:
	$(CARGO) bench $(LOCKED) -p crm-core --bench bulk_insert
	$(PYTHON) benches/criterion_ratio.py bulk_insert_$${CRM_BENCH_ROWS:-1000000} raw_rusqlite
	$(CARGO) bench $(LOCKED) -p crm-core --bench purchases_segments
	$(PYTHON) benches/criterion_ratio.py bulk_purchases_$${CRM_BENCH_PURCHASES:-1000000} raw_rusqlite
	$(CARGO) bench $(LOCKED) -p crm-core --bench engagement

# Market-basket mining side by side with mlxtend 0.25.0 (benches/market_basket.py, docs/benchmarks.md).
# The Rust bench's one-shot mode writes each data set as CSV (and logs crm's mining time without
# Python), so both sides mine the same baskets; mlxtend runs in its own pinned venv, capped.
BENCH_VENVS  := benches/.venvs
BENCH_DATA   := target/bench-data
BENCH_PYTHON ?= $(PYTHON)
MBA_ONESHOT  = CRM_BENCH_MBA_WRITE=$(CURDIR)/$(BENCH_DATA)/$(1).csv CRM_BENCH_MBA_ONESHOT=$(2) \
    CRM_BENCH_MBA_SUPPORT=$(3) CRM_BENCH_MBA_REPEAT=5 $(4) $(CARGO) bench $(LOCKED) -p crm-core \
    --bench market_basket | tee $(BENCH_DATA)/$(1).log

$(BENCH_VENVS)/mlxtend/.installed: benches/requirements-mlxtend.txt
	rm -rf $(BENCH_VENVS)/mlxtend
	$(BENCH_PYTHON) -m venv $(BENCH_VENVS)/mlxtend
	$(BENCH_VENVS)/mlxtend/bin/python -m pip install --quiet -r $<
	touch $@

bench-python: wheel $(BENCH_VENVS)/mlxtend/.installed
	mkdir -p $(BENCH_DATA)
	$(call MBA_ONESHOT,mba_100000,100000,0.005,)
	$(call MBA_ONESHOT,mba_100000_huge,100000,0.005,CRM_BENCH_MBA_HUGE=1)
	$(call MBA_ONESHOT,mba_1000000,1000000,0.001,)
	$(VPY) benches/market_basket.py --data $(BENCH_DATA) --mlxtend-python $(BENCH_VENVS)/mlxtend/bin/python

# ---------------------------------------------------------------- reference values (not part of test)
# Regenerates the committed reference JSON under tests/reference/<name>/ from the Python library
# each Rust function matches, in a pinned venv per reference (tests/reference/README.md).
# `make test` never needs these venvs: the Rust tests read the committed JSON.
REF_VENVS  := tests/reference/.venvs
REF_PYTHON ?= $(PYTHON)

.PHONY: reference reference-proportions reference-mlxtend

reference: reference-proportions reference-mlxtend

$(REF_VENVS)/proportions/.installed: tests/reference/proportions/requirements.txt
	rm -rf $(REF_VENVS)/proportions
	$(REF_PYTHON) -m venv $(REF_VENVS)/proportions
	$(REF_VENVS)/proportions/bin/python -m pip install --quiet -r $<
	touch $@

reference-proportions: $(REF_VENVS)/proportions/.installed
	$(REF_VENVS)/proportions/bin/python tests/reference/proportions/generate.py

$(REF_VENVS)/mlxtend/.installed: tests/reference/mlxtend/requirements.txt
	rm -rf $(REF_VENVS)/mlxtend
	$(REF_PYTHON) -m venv $(REF_VENVS)/mlxtend
	$(REF_VENVS)/mlxtend/bin/python -m pip install --quiet -r $<
	touch $@

reference-mlxtend: $(REF_VENVS)/mlxtend/.installed
	$(REF_VENVS)/mlxtend/bin/python tests/reference/mlxtend/generate.py

# ---------------------------------------------------------------- install
install: lib
	install -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 644 include/crm.h $(DESTDIR)$(PREFIX)/include/
	install -m 755 $(RELEASE)/libcrm.so $(DESTDIR)$(PREFIX)/lib/libcrm.so.0
	ln -sf libcrm.so.0 $(DESTDIR)$(PREFIX)/lib/libcrm.so
	install -m 644 $(RELEASE)/libcrm.a $(DESTDIR)$(PREFIX)/lib/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(PREFIX)/lib|' -e 's|@INCLUDEDIR@|$(PREFIX)/include|' \
	    -e 's|@VERSION@|$(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)|' crm-ffi/crm.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/crm.pc

clean:
	$(CARGO) clean
	rm -rf $(VENV) $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
