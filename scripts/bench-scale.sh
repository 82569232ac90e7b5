#!/usr/bin/env bash
# Runs the scale benchmark (benches/scale.rs) at 100k and 1M lots in release
# mode and tees everything, with the machine facts, to target/bench-scale.txt.
#
#   scripts/bench-scale.sh            # 100k and 1M lots
#   scripts/bench-scale.sh 100000     # only the sizes given
set -euo pipefail
cd "$(dirname "$0")/.."

sizes=("$@")
if [ ${#sizes[@]} -eq 0 ]; then
    sizes=(100000 1000000)
fi
out=target/bench-scale.txt
mkdir -p target

# Build first, so compile time never overlaps a measurement.
cargo bench --bench scale --no-run

{
    echo "# lotgraph scale bench, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "commit:  $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (+ uncommitted changes)')"
    echo "nproc:   $(nproc)"
    echo "cpu:     $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
    echo "memory:  $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
    echo "kernel:  $(uname -sr)"
    echo "rustc:   $(rustc --version)"
    echo
} | tee "$out"

for n in "${sizes[@]}"; do
    echo "\$ cargo bench --bench scale -- --lots $n" | tee -a "$out"
    cargo bench --bench scale -- --lots "$n" 2>&1 | tee -a "$out"
    echo | tee -a "$out"
done
echo "written to $out"
