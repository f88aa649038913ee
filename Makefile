# Warden — entry points. `make test` installs what it needs and runs everything that exists.
# Each part also runs alone: test-core, test-python, test-node, test-go, test-java,
# test-parity, test-e2e; bench-core, bench-python, …; vectors; demo; fuzz-smoke.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
export CARGO_TERM_COLOR := never
ROOT := $(abspath .)
# The JDK >= 22 the Java SDK needs (UniFFI's Java generator emits FFM code).
JAVA22_HOME ?= $(shell ls -d /usr/lib/jvm/temurin-*-jdk-* 2>/dev/null | sort -V | tail -1)
export JAVA22_HOME
VENV := $(ROOT)/.venv
PY := $(VENV)/bin/python

.PHONY: test test-core test-gateway lint-gateway openapi reliability apifuzz bench-gateway test-python test-node test-go test-java test-parity test-e2e \
        bench bench-core bench-python bench-node bench-go bench-java bench-messaging \
        vectors vectors-check demo fuzz-smoke fuzz venv interop-core lint-core help

help:
	@echo "make demo    run the gateway on SQLite plus an example agent"
	@echo "make test    install what is needed and run every test suite"
	@echo "make bench   side-by-side benchmarks against the peers"

test: test-core test-gateway test-python test-node test-go test-java test-parity test-e2e
	@echo "make test: all parts passed"

# ---------------------------------------------------------------- core
lint-core:
	cargo fmt -p warden-core -p warden-bench --check
	cargo clippy -p warden-core --all-targets -- -D warnings

test-core: lint-core vectors-check interop-core
	cargo test -p warden-core

# ---------------------------------------------------------------- gateway
lint-gateway:
	cargo fmt -p warden-gateway --check
	cargo clippy -p warden-gateway --all-targets -- -D warnings

# The committed OpenAPI document is generated from the route table; CI fails on drift.
openapi:
	cargo run -q -p warden-gateway -- openapi > docs/openapi.json

# Black-box API tests and the e2e parity run on SQLite, then the e2e run again on a private
# PostgreSQL (installed from Debian packages when missing, started and stopped here).
test-gateway: lint-gateway openapi
	git diff --exit-code -- docs/openapi.json
	cargo test -p warden-gateway
	tests/pg/pg.sh start >/dev/null && url=$$(tests/pg/pg.sh fresh warden_e2e_rust) && rc=0 && \
	  WARDEN_E2E_DATABASE_URL=$$url cargo test -p warden-gateway --test e2e || rc=$$?; \
	  tests/pg/pg.sh stop; exit $$rc
	$(MAKE) reliability apifuzz

# kill -9 in a loop under a write load (no acknowledged write may be lost), SIGTERM drain.
reliability:
	cargo build -q -p warden-gateway --release
	python3 gateway/tests/reliability/kill9.py --bin target/release/warden-gateway --iterations 50
	python3 gateway/tests/reliability/sigterm.py --bin target/release/warden-gateway --rounds 3

# schemathesis against /openapi.json: no 5xx.
apifuzz:
	bash tests/apifuzz/run.sh

# A Python venv for peer tools (ati-client, PyJWT, cryptography) shared by the suites.
venv: $(VENV)/.ok
$(VENV)/.ok: tests/requirements.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r tests/requirements.txt
	touch $@

# Real-peer interop: Warden <-> ati-client 0.7.15 and PyJWT (HS256, EdDSA, ES256).
interop-core: venv
	cargo build -q -p warden-core --example tokencli
	$(PY) tests/interop/ati_pyjwt_interop.py $(ROOT)/target/debug/examples/tokencli

# Regenerate Warden's own vectors, then fail if they changed (CI drift check).
vectors:
	cargo run -q -p warden-core --example gen_vectors -- tests/vectors/warden_tokens.json

vectors-check: vectors
	git diff --exit-code -- tests/vectors

# ---------------------------------------------------------------- bindings
define run_part
	@if [ -f $(1)/Makefile ]; then $(MAKE) -C $(1) $(2); else echo "$(2) in $(1): this part does not exist yet (passes)"; fi
endef

test-python:
	$(call run_part,bindings-python,test)
test-node:
	$(call run_part,bindings-node,test)
test-go:
	$(call run_part,bindings-go,test)
test-java:
	$(call run_part,bindings-java,test)
test-parity:
	$(call run_part,tests/parity,test)
test-e2e:
	$(call run_part,tests/e2e,test)

# ---------------------------------------------------------------- benchmarks
bench: bench-core bench-python bench-node bench-go bench-java bench-gateway bench-messaging

bench-core:
	@mkdir -p target
	cargo bench -p warden-bench --bench tokens -- --noplot 2>&1 | tee target/bench-core.txt
	python3 bench/rust/ratios.py target/bench-core.txt
	cargo bench -q -p warden-bench --bench guard_latency 2>&1 | tee target/bench-guard.txt

bench-python:
	$(call run_part,bindings-python,bench)
bench-gateway:
	bash bench/gateway/run.sh
bench-messaging:
	bash bench/messaging/run.sh
bench-node:
	$(call run_part,bindings-node,bench)
bench-go:
	$(call run_part,bindings-go,bench)
bench-java:
	$(call run_part,bindings-java,bench)

# ---------------------------------------------------------------- fuzzing
# cargo-fuzz needs nightly (present on this machine as a rustup toolchain).
FUZZ_SECONDS ?= 20
fuzz-smoke:
	@command -v cargo-fuzz >/dev/null || cargo install -q cargo-fuzz --locked
	cd core/fuzz && for t in $$(cargo +nightly fuzz list); do \
	  cargo +nightly fuzz run $$t -- -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 || exit 1; done

# ---------------------------------------------------------------- demo
demo:
	@if [ -f gateway/Makefile ]; then $(MAKE) -C gateway demo; else \
	  echo "make demo: the gateway (issue #8) is not built yet; running the in-process token demo"; \
	  cargo run -q -p warden-core --example demo; fi
