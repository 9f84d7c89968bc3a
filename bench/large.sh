#!/usr/bin/env bash
# The large database: 100,000 forces, 1,000,000 changes, 10,000 publications, made by
# examples/generate.rs through the library's audited operations (see docs/benchmarks.md) and
# cached in target/bench/. Measures, on a copy of it:
#   publish (a real one: a set-url before each run)   target < 1.5 s and < 150 MB peak RSS
#   history --force F --limit 50                      target < 20 ms
#   list --as-of T (T mid-log, and after the last change)  target < 0.5 s at any moment
#   audit verify                                      target < 2.5 s
#   init + 45 set-url, on a fresh database            target < 1 s in total
# Then how each figure grows: the same commands at 10,000, 100,000 and 1,000,000 changes (the
# smaller databases made the same way with a tenth and a hundredth of the forces and
# publications, cached beside the large one). GROWTH=0 leaves that out.
# BASELINE=PATH/TO/admin also runs another build of admin (an older commit, say) in the same
# hyperfine runs as this one, on the same copy of the database: on a shared machine whose speed
# drifts from hour to hour, the ratio of the two is what compares them.
# Usage: bench/large.sh   (FORCES, CHANGES, PUBLICATIONS override the size; RUNS the runs)
set -euo pipefail
cd "$(dirname "$0")/.."
forces=${FORCES:-100000} changes=${CHANGES:-1000000} publications=${PUBLICATIONS:-10000}
runs=${RUNS:-5}
cargo build --release --locked --quiet --bin admin --example generate
admin="$PWD/target/release/admin"
mkdir -p target/bench
large="$PWD/target/bench/large-$forces-$changes-$publications.db"
if [ ! -f "$large" ]; then
  echo "generating $large (once; cached) ..."
  rm -f "$large.tmp" "$large.tmp-wal" "$large.tmp-shm"
  /usr/bin/time -f "generated in %e s, peak %M KB" \
    nice target/release/examples/generate "$large.tmp" \
    --forces "$forces" --changes "$changes" --publications "$publications" 2>&1 | tail -2
  "$admin" --db "$large.tmp" audit verify
  mv "$large.tmp" "$large"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "machine: $(nproc) cores, load before: $(cut -d' ' -f1-3 /proc/loadavg)"
db="$work/large.db"
cp "$large" "$db"
export UOF_DB="$db" UOF_EDITOR=bench
ls -l "$db" | awk '{printf "database: %.0f MB\n", $5 / 1e6}'

# a real publication each run: the set-url in --prepare gives it one change to publish
# the force halfway through the added ones (force-050000-constabulary in the large database)
slug=$(sqlite3 "$db" "SELECT slug FROM forces WHERE id = (SELECT MAX(id) / 2 FROM forces)")
cat >"$work/toggle.sh" <<SH
#!/bin/sh
set -e
rm -rf "$work/site"
if [ -f "$work/flip" ]; then rm "$work/flip"; u=a; else touch "$work/flip"; u=b; fi
"$admin" set-url $slug "https://www.example.police.uk/bench/\$u" >/dev/null
SH
chmod +x "$work/toggle.sh"
base=${BASELINE:-}
# each command as `name` and `command`, and the baseline's beside it when there is one
both() {
  local name=$1 command=$2
  printf '%s\0%s\0%s\0' -n "$name" "$admin $command"
  [ -z "$base" ] || printf '%s\0%s\0%s\0' -n "$name (baseline)" "$base $command"
}
args() { mapfile -d '' -t "$1" < <(shift; while [ $# -gt 0 ]; do both "$1" "$2"; shift 2; done); }

args publish publish "publish --out $work/site"
hyperfine -N --runs "$runs" --export-json "$work/publish.json" --prepare "$work/toggle.sh" "${publish[@]}"
peak() {
  "$work/toggle.sh"
  /usr/bin/time -v "$1" publish --out "$work/site" 2>"$work/time.txt" >/dev/null
  awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt"
}
rss_kb=$(peak "$admin")
base_rss_kb=$([ -z "$base" ] || peak "$base")
ls -l "$work/site" | awk 'NR > 1 {printf "  %s %.1f MB\n", $9, $5 / 1e6}'

# the past at a fixed moment mid-log; at the change just before the newest checkpoint (a
# reading of the past replays the most changes after its checkpoint there: the slowest moment);
# and after the last change
at=2024-12-01T00:00:00Z
worst=$(sqlite3 "$db" "SELECT at FROM changes WHERE id = COALESCE((SELECT MAX(change) FROM checkpoints), (SELECT MAX(id) + 1 FROM changes)) - 1")
echo "the moment before the newest checkpoint: $worst"
args reads history "history --force $slug --limit 50" "history --limit 50" "history --limit 50" \
  "list --as-of" "list --as-of $at" "list --as-of (before a checkpoint)" "list --as-of $worst" \
  "list --as-of (latest)" "list --as-of 9999-12-31T00:00:00Z"
hyperfine -N --warmup 2 --runs $((runs * 4)) --export-json "$work/reads.json" "${reads[@]}"
args verify "audit verify" "audit verify"
hyperfine -N --runs "$runs" --export-json "$work/verify.json" "${verify[@]}"

# the 45 slugs, listed once beforehand so that only init and the 45 set-url are timed
"$admin" --db "$work/slugs.db" init >/dev/null
"$admin" --db "$work/slugs.db" export --format csv | tail -n +2 | cut -d, -f1 >"$work/slugs"
[ "$(wc -l <"$work/slugs")" = 45 ]
cat >"$work/init45.sh" <<SH
#!/bin/sh
set -e
export UOF_DB="$work/fresh.db"
rm -f "$work/fresh.db" "$work/fresh.db-wal" "$work/fresh.db-shm"
"$admin" init >/dev/null
while read -r s; do
  "$admin" set-url "\$s" "https://www.example.police.uk/\$s" >/dev/null
done <"$work/slugs"
SH
chmod +x "$work/init45.sh"
hyperfine -N --warmup 1 --runs "$runs" --export-json "$work/init45.json" -n "init + 45 set-url" "$work/init45.sh"
UOF_DB="$work/fresh.db" "$admin" audit verify

echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$work" "$rss_kb" "$base_rss_kb" <<'PY'
import json, sys
work, rss = sys.argv[1], int(sys.argv[2])
base_rss = int(sys.argv[3]) if len(sys.argv) > 3 and sys.argv[3] else None
r = {}
for f in ["publish", "reads", "verify", "init45"]:
    for x in json.load(open(f"{work}/{f}.json"))["results"]:
        r[x["command"]] = x["median"]
def line(name, key, target, unit=1.0, label="s"):
    v = r[key] * unit
    ok = "met" if v < target else "MISSED"
    b = r.get(f"{key} (baseline)")
    was = f"   baseline {b * unit:9.3f} {label}, ours / baseline = {v / (b * unit):.2f}" if b else ""
    print(f"{name:34s} median {v:9.3f} {label}  target < {target} {label}: {ok}{was}")
line("publish", "publish", 1.5)
was = f"   baseline {base_rss/1024:9.1f} MB" if base_rss else ""
print(f"{'publish peak RSS (one run)':34s}        {rss/1024:9.1f} MB  target < 150 MB: {'met' if rss/1024 < 150 else 'MISSED'}{was}")
line("history --force F --limit 50", "history", 20, 1000, "ms")
line("history --limit 50", "history --limit 50", 20, 1000, "ms")
line("list --as-of (mid-log)", "list --as-of", 0.5)
line("list --as-of (before a checkpoint)", "list --as-of (before a checkpoint)", 0.5)
line("list --as-of (latest)", "list --as-of (latest)", 0.5)
line("audit verify", "audit verify", 2.5)
line("init + 45 set-url", "init + 45 set-url", 1)
PY

[ "${GROWTH:-1}" = 1 ] || exit 0
# how each figure grows with the log: 10,000, 100,000 and 1,000,000 changes
echo "growth: load before: $(cut -d' ' -f1-3 /proc/loadavg)"
sizes=""
for scale in 100 10 1; do
  f=$((forces / scale)) c=$((changes / scale)) p=$((publications / scale))
  g="$PWD/target/bench/large-$f-$c-$p.db"
  if [ ! -f "$g" ]; then
    echo "generating $g (once; cached) ..."
    rm -f "$g.tmp" "$g.tmp-wal" "$g.tmp-shm"
    nice target/release/examples/generate "$g.tmp" --forces "$f" --changes "$c" --publications "$p" | tail -1
    "$admin" --db "$g.tmp" audit verify
    mv "$g.tmp" "$g"
  fi
  cp "$g" "$work/grow-$c.db"
  sizes="$sizes $c"
done
for c in $sizes; do
  export UOF_DB="$work/grow-$c.db"
  # the force halfway through the added ones (the large database's own: force-050000-…)
  half=$(sqlite3 "$UOF_DB" "SELECT slug FROM forces WHERE id = (SELECT MAX(id) / 2 FROM forces)")
  mid=$(sqlite3 "$UOF_DB" "SELECT at FROM changes WHERE id = (SELECT MAX(id) / 2 FROM changes)")
  # the set-url before each publish runs on the database in UOF_DB
  sed "s/$slug/$half/" "$work/toggle.sh" >"$work/toggle-$c.sh"
  chmod +x "$work/toggle-$c.sh"
  hyperfine -N --runs 3 --prepare "$work/toggle-$c.sh" --export-json "$work/grow-publish-$c.json" \
    -n publish "$admin publish --out $work/site" >/dev/null
  hyperfine -N --warmup 1 --runs 5 --export-json "$work/grow-reads-$c.json" \
    -n history "$admin history --force $half --limit 50" \
    -n "list --as-of (mid-log)" "$admin list --as-of $mid" \
    -n "list --as-of (latest)" "$admin list --as-of 9999-12-31T00:00:00Z" \
    -n "audit verify" "$admin audit verify" >/dev/null
done
echo "growth: load after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$work" $sizes <<'PY'
import json, sys
work, sizes = sys.argv[1], sys.argv[2:]
rows = {}
for c in sizes:
    for f in [f"grow-publish-{c}", f"grow-reads-{c}"]:
        for x in json.load(open(f"{work}/{f}.json"))["results"]:
            rows.setdefault(x["command"], {})[c] = x["median"]
print(f"{'median, seconds':24s}" + "".join(f"{int(c):>14,d}" for c in sizes) + "   changes")
for name, by in rows.items():
    print(f"{name:24s}" + "".join(f"{by[c]:14.4f}" for c in sizes))
PY
