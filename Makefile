# CDS Portal — see README.md.
CARGO ?= cargo
DEMO_LISTEN ?= 127.0.0.1:8080

.PHONY: help run test check deps lint bench soak release deb clean

help: ## this list
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

run: ## build and start the demo on http://127.0.0.1:8080 (demo data, sandboxes)
	$(CARGO) run --release -- demo --listen $(DEMO_LISTEN)

test: deps lint ## everything: installs what the tests need, then unit, integration and browser tests
	$(CARGO) test --locked
	bash tests/deb/run.sh
	cd tests/e2e && CDS_BIN=$(or $(CARGO_TARGET_DIR),$(CURDIR)/target)/debug/cds-portal node --test --test-concurrency=1 --test-timeout=300000

check: ## quick loop: cargo fmt --check, clippy -D warnings, unit tests (no system packages needed)
	$(CARGO) fmt --check
	$(CARGO) clippy --locked --all-targets -- -D warnings
	$(CARGO) test --locked --lib

deps: ## install the system packages the tests need (idempotent)
	bash tests/install-deps.sh

lint: ## cargo fmt --check and clippy -D warnings
	$(CARGO) fmt --check
	$(CARGO) clippy --locked --all-targets -- -D warnings

bench: ## benchmarks under bench/ (prints figures, and the last make soak's)
	bash bench/run.sh

soak: deps ## long resistance runs (tests/soak/run.sh: crash 100 kill -9 runs, abuse x3, faults x10, fuzz 300 s a target), figures in target/soak
	bash tests/soak/run.sh

release: ## stripped release binary in target/release/cds-portal
	$(CARGO) build --release --locked
	@ls -l target/release/cds-portal

deb: ## Debian package target/deb/cds-portal_<version>_<arch>.deb (pkg/deb)
	$(CARGO) build --release --locked
	@bash pkg/deb/build.sh $(or $(CARGO_TARGET_DIR),target)/release/cds-portal target/deb

clean: ## remove build output and the demo data
	$(CARGO) clean
	rm -rf demo-data
