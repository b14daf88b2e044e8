# dgx-spark-exporter — common tasks. `make help` lists them.
BIN     := dgx-spark-exporter
ROOT    ?= /
ARGS    ?=
AARCH64 := aarch64-unknown-linux-musl
X86_64  := x86_64-unknown-linux-musl
DIST    := dist
# The static binary for this machine, used by `make install`.
HOST_ARCH := $(shell uname -m)
# The unit's ExecStart names this path.
BIN_PATH := /usr/local/bin/$(BIN)
UNIT_DIR := /etc/systemd/system
HOSTS   ?=
SSH     ?= ssh
SCP     ?= scp

.PHONY: help build run test lint bench bench-parse measure soak compare once record aarch64 x86_64 static verify install deploy

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z_0-9-]+:.*## / {printf "  make %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

build: ## release binary -> target/release/dgx-spark-exporter
	cargo build --release --locked

run: ## run the exporter on :9835 (ROOT=fixtures/spark replays a fixture)
	cargo run --release --locked -- --root $(ROOT) $(ARGS)

once: ## print one scrape of ROOT (default /) and exit
	cargo run --release --locked -- --root $(ROOT) --once $(ARGS)

test: ## the whole test suite
	cargo test --locked

lint: ## formatting and clippy, as CI runs them
	cargo fmt --check
	cargo clippy --locked --all-targets -- -D warnings

bench: ## criterion: full collection vs. the file-reading floor
	cargo bench --locked --bench collect

bench-parse: ## criterion: every parser in src/parse/ on a fixture file
	cargo bench --locked --bench parse

measure: ## bench medians, binary size, RSS after 1000 scrapes
	scripts/measure.sh

SOAK_N ?= 100000
soak: ## scrape fixtures/spark SOAK_N times (default 100000): RSS and fds before/after (BIN= picks the binary)
	scripts/soak.sh $(SOAK_N)

compare: ## beside node_exporter on this host: latency p50/p99 (1 and 8 scrapers), CPU/scrape, RSS, size as ratios
	scripts/compare-node-exporter.sh

record: ## record a fixture from this host: make record DIR=fixtures/myhost
	@test -n "$(DIR)" || { echo "usage: make record DIR=fixtures/NAME"; exit 2; }
	cargo run --release --locked -- record $(DIR)

aarch64: ## static aarch64 binary for the Spark -> dist/dgx-spark-exporter-aarch64
	rustup target add $(AARCH64)
	cargo build --release --locked --target $(AARCH64)
	install -D -m 0755 target/$(AARCH64)/release/$(BIN) $(DIST)/$(BIN)-aarch64

x86_64: ## static x86_64 binary -> dist/dgx-spark-exporter-x86_64
	rustup target add $(X86_64)
	cargo build --release --locked --target $(X86_64)
	install -D -m 0755 target/$(X86_64)/release/$(BIN) $(DIST)/$(BIN)-x86_64

static: aarch64 x86_64 verify ## both static binaries, checked

verify: ## fail unless both dist/ binaries exist and are static (no interpreter, no shared libs)
	@command -v readelf >/dev/null || { echo "verify: readelf not found (Debian: binutils)"; exit 1; }
	@set -e; for arch in aarch64 x86_64; do f=$(DIST)/$(BIN)-$$arch; \
	  test -x $$f || { echo "verify: $$f missing (make $$arch)"; exit 1; }; \
	  prog=$$(readelf -lW $$f); dyn=$$(readelf -dW $$f); \
	  if echo "$$prog" | grep -q INTERP; then echo "$$f: has an interpreter (dynamic)"; exit 1; fi; \
	  if echo "$$dyn" | grep -q NEEDED; then echo "$$f: needs shared libraries"; exit 1; fi; \
	  echo "$$f: static, $$(stat -c %s $$f) bytes"; done

install: ## as root: binary to /usr/local/bin, unit to /etc/systemd/system, enable and (re)start
	@test -x $(DIST)/$(BIN)-$(HOST_ARCH) || { echo "run make $(HOST_ARCH) first"; exit 2; }
	install -D -m 0755 $(DIST)/$(BIN)-$(HOST_ARCH) $(BIN_PATH)
	install -D -m 0644 $(BIN).service $(UNIT_DIR)/$(BIN).service
	systemctl daemon-reload
	systemctl enable $(BIN)
	systemctl restart $(BIN)

# Each host needs ssh access and passwordless sudo (the remote commands run
# without a terminal). Uploads go to per-run names under /tmp.
deploy: ## HOSTS="spark1 spark2": copy the aarch64 binary and unit over ssh, restart; stops at the first failure
	@test -n "$(HOSTS)" || { echo 'usage: make deploy HOSTS="spark1 spark2"'; exit 2; }
	@test -x $(DIST)/$(BIN)-aarch64 || { echo "run make aarch64 first"; exit 2; }
	@tag=$$$$-$$(date +%s); for h in $(HOSTS); do \
	  echo "deploy: $$h"; \
	  $(SCP) -q $(DIST)/$(BIN)-aarch64 $$h:/tmp/$(BIN).$$tag && \
	  $(SCP) -q $(BIN).service $$h:/tmp/$(BIN).service.$$tag && \
	  $(SSH) $$h "sudo -n install -m 0755 /tmp/$(BIN).$$tag $(BIN_PATH) && \
	    sudo -n install -m 0644 /tmp/$(BIN).service.$$tag $(UNIT_DIR)/$(BIN).service && \
	    rm -f /tmp/$(BIN).$$tag /tmp/$(BIN).service.$$tag && \
	    sudo -n systemctl daemon-reload && sudo -n systemctl enable $(BIN) && \
	    sudo -n systemctl restart $(BIN) && systemctl is-active --quiet $(BIN)" \
	  || { echo "deploy: FAILED on $$h"; exit 1; }; \
	done
