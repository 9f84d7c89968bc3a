#!/usr/bin/env bash
# The long kill loop: mutations, imports and publishes SIGKILLed at random moments, with every
# check of tests/it/reliability.rs after each kill.
# Usage: bench/crash-soak.sh [KILLS] [SEED] [MAX_WAIT_US]
set -euo pipefail
cd "$(dirname "$0")/.."
kills=${1:-300}
seed=${2:-$RANDOM$RANDOM}
max_wait=${3:-6000}
echo "crash soak: $kills kills, seed $seed, waits up to $max_wait µs"
UOF_KILLS=$kills UOF_SEED=$seed UOF_KILL_MAX_US=$max_wait cargo test --locked --release --test it -- \
  --exact reliability::kills_at_random_moments_leave_everything_whole --nocapture 2>&1 |
  grep -E "kill loop|test result|panicked|round"
