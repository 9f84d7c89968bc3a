#!/usr/bin/env bash
# Fuzz every target in fuzz/ in turn, FUZZ_SECONDS (600) each, one libFuzzer job at a time and
# niced, then print each run's final figures. A crash does not stop the later targets; the script
# exits 1 if any target crashed, and the input that broke it is left in fuzz/artifacts/TARGET/.
# Usage: bench/fuzz.sh [TARGET...]   (default: every target)
#   FUZZ_SECONDS=60 bench/fuzz.sh import
#   FUZZ_SANITIZER=none bench/fuzz.sh   (if the address-sanitizer build fails)
set -uo pipefail
cd "$(dirname "$0")/../fuzz"
secs=${FUZZ_SECONDS:-600}
sanitizer=${FUZZ_SANITIZER:-address}
# cargo-fuzz passes nightly-only flags to rustc; this lets a stable toolchain take them
export RUSTC_BOOTSTRAP=1
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked || exit 1
if [ $# -gt 0 ]; then targets=("$@"); else mapfile -t targets < <(cargo fuzz list); fi
nice -n 10 cargo fuzz build -s "$sanitizer" || exit 1
mkdir -p logs
failed=0
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t"
  # -jobs=1 -workers=1: one process, its output in fuzz-0.log
  rm -f fuzz-0.log
  nice -n 10 cargo fuzz run -s "$sanitizer" "$t" "corpus/$t" "seeds/$t" -- \
    -jobs=1 -workers=1 -max_total_time="$secs" -print_final_stats=1 >/dev/null 2>&1
  mv fuzz-0.log "logs/$t.log"
  echo "== $t: $secs s"
  grep -E '^#[0-9]+' "logs/$t.log" | tail -n 1
  grep -E '^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)' "logs/$t.log"
  echo "corpus files: $(find "corpus/$t" -type f | wc -l)"
  if grep -qE 'panicked|SUMMARY: |Test unit written' "logs/$t.log"; then
    failed=1
    echo "CRASH:"
    grep -E 'panicked|SUMMARY: |Test unit written' -A1 "logs/$t.log" | head -n 8
  fi
done
exit $failed
