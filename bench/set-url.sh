#!/usr/bin/env bash
# `admin set-url` on a fresh seed database against the sqlite3 shell doing the same UPDATE plus
# one audit INSERT into `changes` in one transaction, on a copy of the same file.
# Every run starts from a fresh copy of the seed (hyperfine --prepare), so every run is a real
# change: the force has no URL in the seed. Target: admin median <= 1.5 x sqlite3.
# Usage: bench/set-url.sh   (RUNS=N to change the number of runs; default 100)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked --quiet
admin="$PWD/target/release/admin"
runs=${RUNS:-100}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

export UOF_EDITOR=bench
"$admin" --db "$work/seed.db" init >/dev/null
url=https://www.kent.police.uk/SysSiteAssets/foi-media/kent/use-of-force-data
before='{"id":27,"name":"Kent Police","slug":"kent-police","status":"active","url":null}'
after="{\"id\":27,\"name\":\"Kent Police\",\"slug\":\"kent-police\",\"status\":\"active\",\"url\":\"$url\"}"
cat >"$work/set-url.sql" <<SQL
BEGIN IMMEDIATE;
UPDATE forces SET url = '$url' WHERE slug = 'kent-police';
INSERT INTO changes (at, editor, action, entity, force, before, after, message, hash)
VALUES (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), 'bench', 'set-url', 'force', 'kent-police',
        '$before', '$after', NULL,
        lower(hex(randomblob(32))));
COMMIT;
SQL

# check that both really change the copy
cp "$work/seed.db" "$work/a.db"; cp "$work/seed.db" "$work/s.db"
"$admin" --db "$work/a.db" set-url kent-police "$url" >/dev/null
sqlite3 "$work/s.db" ".read $work/set-url.sql"
for db in a s; do
  n=$(sqlite3 "$work/$db.db" "SELECT COUNT(*) FROM changes WHERE action = 'set-url'")
  [ "$n" = 1 ] || { echo "$db.db: expected one set-url change, found $n" >&2; exit 1; }
done
"$admin" --db "$work/a.db" audit verify >/dev/null

hyperfine -N --warmup 5 --runs "$runs" --export-json "$work/h.json" \
  --prepare "sh -c 'rm -f $work/a.db-wal $work/a.db-shm; cp $work/seed.db $work/a.db'" -n admin "$admin --db $work/a.db set-url kent-police $url" \
  --prepare "sh -c 'rm -f $work/s.db-wal $work/s.db-shm; cp $work/seed.db $work/s.db'" -n sqlite3 "sqlite3 $work/s.db '.read $work/set-url.sql'"

python3 - "$work/h.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
a, s = r["admin"]["median"], r["sqlite3"]["median"]
print(f"set-url median: admin {a*1000:.2f} ms, sqlite3 {s*1000:.2f} ms, admin/sqlite3 = {a/s:.2f} (target <= 1.5)")
PY
