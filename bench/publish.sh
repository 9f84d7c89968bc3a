#!/usr/bin/env bash
# `admin publish` of the seed database against Hugo building an equivalent page.
#
# admin: every run is a real first publication: --prepare copies a fresh, never-published seed
#   database and removes the output directory, so the run reads the content, renders
#   index.html, forces.json, forces.csv and feed.atom, records the publication and its audited
#   change, and swaps the directory in.
# Hugo: a minimal site in a temporary directory: one layout listing the forces from
#   data/forces.json (the forces.json admin publishes: the same 45 forces) with the heading and
#   the introduction from data/page.json; --prepare removes its output directory.
# admin's publish first checks that the live content is what the replayed audit log says
# (SPEC section 9), so that check is inside every timed run.
# The two are taken in rounds (`bench/rounds.sh`), so that the machine's drift falls on both.
# Targets (SPEC section 19): admin median < 10 ms, and admin / Hugo <= 0.15.
# Usage: bench/publish.sh   (RUNS=N runs of each, default 50, in ROUNDS=K rounds, default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked --quiet
admin="$PWD/target/release/admin"
runs=${RUNS:-50}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
command -v hugo >/dev/null || { echo "hugo is not installed (apt-get install hugo)" >&2; exit 1; }

echo "machine: $(nproc) cores, load before: $(cut -d' ' -f1-3 /proc/loadavg)"
export UOF_EDITOR=bench
"$admin" --db "$work/seed.db" init >/dev/null

# the Hugo site, from what admin publishes
cp "$work/seed.db" "$work/first.db"
"$admin" --db "$work/first.db" publish --out "$work/first" >/dev/null
site="$work/hugo"
mkdir -p "$site/data" "$site/layouts"
cp "$work/first/forces.json" "$site/data/forces.json"
python3 - "$work/first/index.html" "$site/data/page.json" <<'PY'
import html, json, re, sys
page = open(sys.argv[1]).read()
heading = html.unescape(re.search(r"<h1>(.*?)</h1>", page).group(1))
main = page.split("<h1>", 1)[1].split('<h2 id="forces">', 1)[0]
intro = [html.unescape(p) for p in re.findall(r"<p>(.*?)</p>", main, re.S)]
json.dump({"heading": heading, "intro": intro}, open(sys.argv[2], "w"))
PY
cat >"$site/hugo.toml" <<'TOML'
baseURL = "https://example.org/"
title = "Use of Force Data"
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404", "section", "page"]
TOML
cat >"$site/layouts/index.html" <<'HTML'
<!DOCTYPE html>
<html lang="en-GB">
<head><meta charset="utf-8"><title>{{ .Site.Data.page.heading }}</title></head>
<body>
<main>
<h1>{{ .Site.Data.page.heading }}</h1>
{{ range .Site.Data.page.intro }}<p>{{ . }}</p>
{{ end }}
<h2 id="forces">Police forces</h2>
<ul class="forces">
{{ range .Site.Data.forces.forces }}<li id="force-{{ .slug }}">{{ if .url }}<a href="{{ .url }}">{{ .name }}</a>{{ else }}{{ .name }}: <span class="unavailable">data not yet available</span>{{ end }}{{ range .notes }}<p class="caveat">{{ . }}</p>{{ end }}</li>
{{ end }}
</ul>
</main>
</body>
</html>
HTML
hugo --quiet -s "$site" -d "$work/hugo-out"
forces_hugo=$(grep -c '<li id="force-' "$work/hugo-out/index.html")
forces_admin=$(grep -c '<li id="force-' "$work/first/index.html")
[ "$forces_hugo" = 45 ] && [ "$forces_admin" = 45 ] || { echo "expected 45 forces on both pages: hugo $forces_hugo, admin $forces_admin" >&2; exit 1; }

# shellcheck source=bench/rounds.sh
. bench/rounds.sh
rounds "$work/h.json" "$runs" "${ROUNDS:-5}" \
  --prepare "sh -c 'rm -f $work/run.db-wal $work/run.db-shm; cp $work/seed.db $work/run.db && rm -rf $work/out'" \
  -n admin "$admin --db $work/run.db --editor bench publish --out $work/out" \
  --prepare "rm -rf $work/hugo-out" \
  -n hugo "hugo --quiet -s $site -d $work/hugo-out"

echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$work/h.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
a, h = r["admin"]["median"], r["hugo"]["median"]
print(f"publish median: admin {a*1000:.2f} ms (target < 10 ms: {'met' if a < 0.010 else 'MISSED'}), "
      f"hugo {h*1000:.2f} ms, admin/hugo = {a/h:.3f} (target <= 0.15: {'met' if a / h <= 0.15 else 'MISSED'})")
PY
