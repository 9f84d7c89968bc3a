#!/usr/bin/env bash
# A clean release build (in its own target directory, so the main target/ is left alone) and
# the release binary's size. Targets (SPEC section 19): build < 2.5 min on 2 cores, binary < 8 MB.
# Usage: bench/build.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="$PWD/target/bench/clean-build"
echo "machine: $(nproc) cores, load before: $(cut -d' ' -f1-3 /proc/loadavg)"
cargo clean --quiet
start=$(date +%s.%N)
cargo build --release --locked --quiet
secs=$(echo "$(date +%s.%N) - $start" | bc)
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
bytes=$(stat -c %s "$CARGO_TARGET_DIR/release/admin")
printf 'clean release build: %.1f s (target < 150 s): %s\n' "$secs" "$(echo "$secs < 150" | bc | sed 's/1/met/;s/0/MISSED/')"
printf 'release binary: %.2f MB (%d bytes; target < 8 MB): %s\n' "$(echo "$bytes / 1000000" | bc -l)" "$bytes" \
  "$([ "$bytes" -lt 8000000 ] && echo met || echo MISSED)"
