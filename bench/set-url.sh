#!/usr/bin/env bash
# `admin set-url` against the sqlite3 shell doing the same UPDATE plus one audit INSERT into
# `changes` in one transaction, on a copy of the same file, in three cases:
#   seed       a fresh `admin init` database (no registered editor);
#   registry   the same with 20 registered editors (`admin editor add`, the first an admin), acting
#              as the 20th (role editor): the gate looks the editor up and checks the role;
#   signed     the same 20 editors, the 20th registered with an ed25519 key (`editor set-key`,
#              a key from `ssh-keygen -t ed25519 -N ""`), acting with --signing-key: the gate
#              reads the private key and signs the change (SSHSIG); sqlite3's INSERT then also
#              stores a signature (the text admin wrote for the same change: it cannot sign).
# Every run starts from a fresh copy of its database (hyperfine --prepare), so every run is a
# real change: the force has no URL in the seed. All six commands are measured together, so each
# ratio is of medians taken side by side: in rounds (`bench/rounds.sh`), so that the machine's
# drift falls on both sides. Targets (SPEC section 19): admin median <= 1.25 x sqlite3 unsigned
# (seed, registry), <= 1.4 x signed.
# Usage: bench/set-url.sh   (RUNS=N runs of each command, default 100, in ROUNDS=K rounds, default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked --quiet --bin admin
admin="$PWD/target/release/admin"
runs=${RUNS:-100}
nrounds=${ROUNDS:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
command -v ssh-keygen >/dev/null || { echo "ssh-keygen is not installed (apt-get install openssh-client)" >&2; exit 1; }
echo "machine: $(nproc) cores, load before: $(cut -d' ' -f1-3 /proc/loadavg)"

export UOF_EDITOR=bench
"$admin" --db "$work/seed.db" init >/dev/null
# 20 editors: bench (the first, an admin), then editor-02 … editor-20 (editors)
cp "$work/seed.db" "$work/registry.db"
"$admin" --db "$work/registry.db" editor add bench --role admin >/dev/null
for i in $(seq -w 2 20); do
  "$admin" --db "$work/registry.db" editor add "editor-$i" --role editor >/dev/null
done
[ "$("$admin" --db "$work/registry.db" editor list | tail -n +2 | wc -l)" = 20 ]
# the same, editor-20 with a key
ssh-keygen -q -t ed25519 -N "" -C bench -f "$work/key"
cp "$work/registry.db" "$work/signed.db"
"$admin" --db "$work/signed.db" editor set-key editor-20 "$work/key.pub" >/dev/null

url=https://www.kent.police.uk/SysSiteAssets/foi-media/kent/use-of-force-data
before='{"name":"Kent Police","slug":"kent-police","status":"active","url":null}'
after="{\"name\":\"Kent Police\",\"slug\":\"kent-police\",\"status\":\"active\",\"url\":\"$url\"}"
# the admin side of each case: its database and its command line
declare -A args=(
  [seed]="--db $work/a-seed.db set-url kent-police $url"
  [registry]="--db $work/a-registry.db --editor editor-20 set-url kent-police $url"
  [signed]="--db $work/a-signed.db --editor editor-20 --signing-key $work/key set-url kent-police $url"
)
# check that admin really changes each copy (one set-url change, signed where it must be, and
# the copy still verifies); the signature it wrote is the one sqlite3 stores
for c in seed registry signed; do
  cp "$work/$c.db" "$work/a-$c.db"
  # shellcheck disable=SC2086
  "$admin" ${args[$c]} >/dev/null
  n=$(sqlite3 "$work/a-$c.db" "SELECT COUNT(*) FROM changes WHERE action = 'set-url'")
  [ "$n" = 1 ] || { echo "admin, $c: expected one set-url change, found $n" >&2; exit 1; }
  got=$(sqlite3 "$work/a-$c.db" "SELECT before || ' ' || after FROM changes WHERE action = 'set-url'")
  [ "$got" = "$before $after" ] || { echo "admin, $c: the change is not the one sqlite3 writes: $got" >&2; exit 1; }
  "$admin" --db "$work/a-$c.db" audit verify >/dev/null
done
[ "$(sqlite3 "$work/a-signed.db" "SELECT COUNT(*) FROM changes WHERE action = 'set-url' AND signature LIKE '-----BEGIN SSH SIGNATURE-----%'")" = 1 ] \
  || { echo "admin, signed: the set-url change is not signed" >&2; exit 1; }
signature=$(sqlite3 "$work/a-signed.db" "SELECT signature FROM changes WHERE action = 'set-url'")

sql() { # EDITOR SIGNATURE-SQL
  cat <<SQL
BEGIN IMMEDIATE;
UPDATE forces SET url = '$url' WHERE slug = 'kent-police';
INSERT INTO changes (at, editor, action, entity, force, before, after, message, hash, signature)
VALUES (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), '$1', 'set-url', 'force', 'kent-police',
        '$before', '$after', NULL,
        lower(hex(randomblob(32))), $2);
COMMIT;
SQL
}
sql bench NULL >"$work/seed.sql"
sql editor-20 NULL >"$work/registry.sql"
sql editor-20 "'$signature'" >"$work/signed.sql"
for c in seed registry signed; do
  cp "$work/$c.db" "$work/s-$c.db"
  sqlite3 "$work/s-$c.db" ".read $work/$c.sql"
  n=$(sqlite3 "$work/s-$c.db" "SELECT COUNT(*) FROM changes WHERE action = 'set-url'")
  [ "$n" = 1 ] || { echo "sqlite3, $c: expected one set-url change, found $n" >&2; exit 1; }
done

cmds=()
for c in seed registry signed; do
  cmds+=(--prepare "sh -c 'rm -f $work/a-$c.db-wal $work/a-$c.db-shm; cp $work/$c.db $work/a-$c.db'"
         -n "admin $c" "$admin ${args[$c]}"
         --prepare "sh -c 'rm -f $work/s-$c.db-wal $work/s-$c.db-shm; cp $work/$c.db $work/s-$c.db'"
         -n "sqlite3 $c" "sqlite3 $work/s-$c.db '.read $work/$c.sql'")
done
# shellcheck source=bench/rounds.sh
. bench/rounds.sh
rounds "$work/h.json" "$runs" "$nrounds" "${cmds[@]}"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$work/h.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
# SPEC section 19: <= 1.25 x the sqlite3 shell; signed <= 1.4 x
for c, target in [("seed", 1.25), ("registry", 1.25), ("signed", 1.4)]:
    a, s = r[f"admin {c}"]["median"], r[f"sqlite3 {c}"]["median"]
    ok = "met" if a / s <= target else "MISSED"
    print(f"set-url median, {c:8s}: admin {a*1000:.2f} ms, sqlite3 {s*1000:.2f} ms, admin/sqlite3 = {a/s:.2f} (target <= {target}: {ok})")
PY
