#!/usr/bin/env bash
# Runs the fuzz harness (crates/lotgraph-fuzz, see its README.md) on its
# three targets, csv, parquet and snapshot, for SECONDS_PER_TARGET each
# (default 20), one after the other, in release mode with overflow checks
# on in lotgraph's own crates (an overflow is a bug the harness must see).
# Exit 1 if any target crashed, hung or died; crashing inputs are left in
# $FUZZ_OUT/crashes/<target>/ (default target/fuzz). FUZZ_SEED (default 1)
# seeds the mutations; FUZZ_CORPUS=DIR keeps a growing corpus per target.
# FUZZ_PROFILE=dev builds the harness in the dev profile instead (what
# `cargo test` built already: the test command uses it, so CI does not
# build a second, release dependency tree for 60 s of fuzzing).
set -euo pipefail
cd "$(dirname "$0")/.."

secs="${1:-20}"
seed="${FUZZ_SEED:-1}"
target_dir="${CARGO_TARGET_DIR:-$PWD/target}"
out="${FUZZ_OUT:-$target_dir/fuzz}"
checks=()
for p in lotgraph lotgraph-core lotgraph-fuzz; do
    checks+=(--config "profile.release.package.$p.overflow-checks=true")
done

if [[ "${FUZZ_PROFILE:-release}" == dev ]]; then
    # Overflow checks are on in the dev profile anyway.
    cargo build --locked -p lotgraph-fuzz --bin lotgraph-fuzz
    bin="$target_dir/debug/lotgraph-fuzz"
else
    cargo build --release --locked -p lotgraph-fuzz --bin lotgraph-fuzz "${checks[@]}"
    bin="$target_dir/release/lotgraph-fuzz"
fi

failed=0
for t in csv parquet snapshot; do
    corpus=()
    if [[ -n "${FUZZ_CORPUS:-}" ]]; then corpus=(--corpus "$FUZZ_CORPUS/$t"); fi
    status=0
    "$bin" "$t" --seconds "$secs" --seed "$seed" --crashes "$out/crashes/$t" "${corpus[@]}" \
        2> >(grep -v '^lotgraph: warning: ' >&2) || status=$?
    case "$status" in
        0) ;;
        1) echo "fuzz: target $t crashed or hung: inputs in $out/crashes/$t" >&2; failed=1 ;;
        *)
            echo "fuzz: target $t died (exit $status); its input: $out/crashes/$t/last-input" >&2
            failed=1
            ;;
    esac
done
exit "$failed"
