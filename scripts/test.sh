#!/usr/bin/env bash
# Runs every test of lotgraph from a fresh clone: formatting, lints, unit,
# property, doc and integration tests (insta snapshots must match exactly).
# This is the README's test command and what CI runs (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# Snapshots are compared, never rewritten, here: review changes with
# `cargo insta review` (or INSTA_UPDATE=always) on purpose, not by accident.
export INSTA_UPDATE=no

step() { printf '\n==> %s\n' "$*" >&2; }

step "toolchain: $(cargo --version)"
rustup component add rustfmt clippy >/dev/null 2>&1 || true

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "builds without the neo4j feature (no neo4rs, no tokio)"
cargo clippy --locked --no-default-features --bins --lib -- -D warnings
if cargo tree --locked --no-default-features -e normal | grep -qE '(neo4rs|tokio) v'; then
  echo "neo4rs or tokio is still a dependency without the neo4j feature" >&2
  exit 1
fi

step "cargo test (unit, property, doc, integration)"
cargo test --workspace --locked

step "fuzz harness: csv, parquet and snapshot targets, 20 s each (dev build)"
FUZZ_PROFILE=dev ./scripts/fuzz.sh 20

step "accuracy harness smoke test (3 generated scenarios)"
cargo test --locked --bench accuracy -- --scenarios 3 --lots 2000 --report -

step "notebooks run (their assertions hold)"
LOTGRAPH="${CARGO_TARGET_DIR:-$PWD/target}/debug/lotgraph" python3 scripts/run-notebooks.py >/dev/null

step "demo data is exactly what its generator writes, and passes its checks"
regen="$(mktemp -d)"
trap 'rm -rf "$regen"' EXIT
python3 scripts/gen_demo.py --out "$regen" >/dev/null
diff -r "$regen" data/demo

step "Neo4j mirror tests against a real Neo4j 5 (CI fails if Neo4j cannot start)"
./scripts/test-neo4j.sh

step "peer benchmark smoke test: DuckDB, PostgreSQL and Neo4j answer as lotgraph does (2,000 lots)"
./scripts/bench-peers.sh --smoke --work "${CARGO_TARGET_DIR:-$PWD/target}/bench-peers-smoke" >/dev/null

step "all tests passed"
