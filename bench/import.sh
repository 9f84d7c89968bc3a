#!/usr/bin/env bash
# A large directory made the way an editor would make one at once: 100,000 forces in one
# `admin import` (a change each), published, one force retired, then published again. The first
# publication's record in the log carries its entry of `history.json` (SPEC section 18), which
# names every force it added, so each later `publish` reads that record back with the rest of
# the log. bench/large.sh's database, made a change at a time with a publication every hundred
# changes, has no record of that size. Measures the second `publish` (a real one, into the site
# of the first): its time and peak memory, against the large `publish`'s targets (SPEC section
# 19): < 1.5 s and < 150 MB.
# Usage: bench/import.sh   (FORCES overrides the size; RUNS the runs, default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
forces=${FORCES:-100000}
runs=${RUNS:-5}
cargo build --release --locked --quiet --bin admin
admin="$PWD/target/release/admin"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
command -v hyperfine >/dev/null || { echo "hyperfine is not installed (apt-get install hyperfine)" >&2; exit 1; }
echo "machine: $(nproc) cores, load before: $(cut -d' ' -f1-3 /proc/loadavg)"
export UOF_EDITOR=bench

# the forces: distinct names, none a look-alike of another, each with its link
python3 - "$forces" "$work/forces.json" <<'PY'
import json, sys
n, out = int(sys.argv[1]), sys.argv[2]
words = ["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf", "Hotel", "India", "Juliet"]
forces = []
for i in range(n):
    name = "Force " + " ".join(words[(i // 10 ** k) % 10] for k in range(5)) + f" {i}"
    slug = name.lower().replace(" ", "-")
    forces.append({"name": name, "slug": slug, "status": "active", "url": f"https://f{i}.example.police.uk/uof"})
json.dump({"forces": forces}, open(out, "w"))
PY
db="$work/import.db"
"$admin" --db "$db" init --empty >/dev/null
/usr/bin/time -f "import: %e s, peak %M KB" "$admin" --db "$db" import "$work/forces.json" 2>&1 >/dev/null | tail -1
/usr/bin/time -f "first publish: %e s, peak %M KB" "$admin" --db "$db" publish --out "$work/site" 2>&1 >/dev/null | tail -1
slug=$(sqlite3 "$db" "SELECT slug FROM forces WHERE id = 2")
"$admin" --db "$db" retire-force "$slug" >/dev/null
sqlite3 "$db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
echo "the first publication's change: $(sqlite3 "$db" "SELECT length(after) FROM changes WHERE action = 'publish'") bytes"
# every run publishes the retirement afresh, into a copy of the first publication's site
cp "$db" "$work/before.db"
cp -r "$work/site" "$work/site-before"
prepare="sh -c 'rm -rf $work/run.db* $work/out && cp $work/before.db $work/run.db && cp -r $work/site-before $work/out'"
hyperfine -N --runs "$runs" --prepare "$prepare" --export-json "$work/h.json" \
  -n "second publish" "$admin --db $work/run.db publish --out $work/out"
sh -c "$prepare"
peak=$(/usr/bin/time -f "%M" "$admin" --db "$work/run.db" publish --out "$work/out" 2>&1 >/dev/null | tail -1)
"$admin" --db "$work/run.db" audit verify >/dev/null
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$work/h.json" "$peak" <<'PY'
import json, sys
median = json.load(open(sys.argv[1]))["results"][0]["median"]
peak = int(sys.argv[2]) / 1000
print(f"second publish after an import  median {median:.3f} s  target < 1.5 s: {'met' if median < 1.5 else 'MISSED'}")
print(f"second publish peak RSS (one run)       {peak:.1f} MB  target < 150 MB: {'met' if peak < 150 else 'MISSED'}")
PY
