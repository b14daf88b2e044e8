# dgx-spark-exporter — common tasks. `make help` lists them.
BIN     := dgx-spark-exporter
ROOT    ?= /
ARGS    ?=

.PHONY: help build run test lint bench measure once record

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

measure: ## bench medians, binary size, RSS after 1000 scrapes
	scripts/measure.sh

record: ## record a fixture from this host: make record DIR=fixtures/myhost
	@test -n "$(DIR)" || { echo "usage: make record DIR=fixtures/NAME"; exit 2; }
	cargo run --release --locked -- record $(DIR)
