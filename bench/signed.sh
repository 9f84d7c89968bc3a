#!/usr/bin/env bash
# `admin audit verify` on a database of 100,000 signed changes. Target: median < 10 s.
#
# The database is made once by examples/generate.rs with --signed-by-key (a key made here by
# `ssh-keygen -t ed25519 -N ""`): the 46 `init` changes, then the five generated editors
# registered with that key, then every change signed by the gate as `admin` signs it (SSHSIG,
# ed25519, sha512). CHANGES = 100,046 makes exactly 100,000 signed changes; FORCES and
# PUBLICATIONS keep the large database's proportions (10 % and 1 %). Cached in target/bench/.
# Usage: bench/signed.sh   (FORCES, CHANGES, PUBLICATIONS override the size; RUNS the runs, default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
forces=${FORCES:-10000} changes=${CHANGES:-100046} publications=${PUBLICATIONS:-1000}
runs=${RUNS:-5}
command -v ssh-keygen >/dev/null || { echo "ssh-keygen is not installed (apt-get install openssh-client)" >&2; exit 1; }
cargo build --release --locked --quiet --bin admin --example generate
admin="$PWD/target/release/admin"
mkdir -p target/bench
signed="$PWD/target/bench/signed-$forces-$changes-$publications.db"
if [ ! -f "$signed" ]; then
  echo "generating $signed (once; cached) ..."
  rm -f "$signed.tmp" "$signed.tmp-wal" "$signed.tmp-shm" "$signed.key" "$signed.key.pub"
  ssh-keygen -q -t ed25519 -N "" -C bench -f "$signed.key"
  /usr/bin/time -f "generated in %e s, peak %M KB" \
    nice target/release/examples/generate "$signed.tmp" --signed-by-key "$signed.key" \
    --forces "$forces" --changes "$changes" --publications "$publications" 2>&1 | tail -2
  "$admin" --db "$signed.tmp" audit verify
  mv "$signed.tmp" "$signed"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "machine: $(nproc) cores, load before: $(cut -d' ' -f1-3 /proc/loadavg)"
db="$work/signed.db"
cp "$signed" "$db"
sqlite3 "$db" "SELECT 'changes: ' || COUNT(*) || ', signed: ' || COUNT(signature) FROM changes"
# the first command on the copy may apply a migration: not timed
"$admin" --db "$db" audit verify

# a check that verify really checks the signatures: a copy with one signature swapped for
# another change's (the append-only trigger dropped) must fail, naming the change
cp "$db" "$work/bad.db"
sqlite3 "$work/bad.db" "DROP TRIGGER changes_no_update;
  UPDATE changes SET signature = (SELECT signature FROM changes WHERE id = 60000) WHERE id = 60001"
if "$admin" --db "$work/bad.db" audit verify >"$work/bad.txt" 2>&1; then
  echo "audit verify passed a database with a swapped signature" >&2; exit 1
fi
grep -q 'change 60001' "$work/bad.txt" || { echo "audit verify did not name change 60001:" >&2; cat "$work/bad.txt" >&2; exit 1; }

hyperfine -N --runs "$runs" --export-json "$work/verify.json" -n "audit verify (signed)" "$admin --db $db audit verify"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$work/verify.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
m = r["median"]
print(f"audit verify, signed: median {m:.3f} s (user {r['user']:.3f} s, system {r['system']:.3f} s), target < 10 s: {'met' if m < 10 else 'MISSED'}")
PY
