# Sourced by the benchmarks that compare admin with a peer on a few-millisecond command.
#
# rounds OUT RUNS ROUNDS HYPERFINE-ARGS...: hyperfine run ROUNDS times, RUNS/ROUNDS runs of each
# command a round, the commands in turn within each round. On a shared machine the speed drifts
# by more than these targets' margins within a minute; taken in one block each, a command
# measured during a slow minute loses to its peer measured during a quick one. In rounds, a
# drift falls on every command alike. The times of all rounds are pooled into OUT, a JSON file
# of hyperfine's shape (`results`: `command`, `median`, `mean`, `min`, `max`, `user`, `system`,
# `times`), and each command's pooled figures are printed.
rounds() {
  local out=$1 runs=$2 rounds=$3
  shift 3
  local per=$(((runs + rounds - 1) / rounds)) r
  for r in $(seq "$rounds"); do
    hyperfine -N --warmup 3 --runs "$per" --style none --export-json "$out.$r" "$@"
  done
  python3 - "$out" "$rounds" <<'PY'
import json, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
pooled = {}
for r in range(1, rounds + 1):
    for x in json.load(open(f"{out}.{r}"))["results"]:
        p = pooled.setdefault(x["command"], {"command": x["command"], "times": [], "user": [], "system": []})
        p["times"] += x["times"]
        p["user"].append(x["user"])
        p["system"].append(x["system"])
results = []
for p in pooled.values():
    t = p["times"]
    results.append({"command": p["command"], "median": statistics.median(t), "mean": statistics.fmean(t),
                    "min": min(t), "max": max(t), "user": statistics.fmean(p["user"]),
                    "system": statistics.fmean(p["system"]), "times": t})
    print(f"{p['command']:18s} median {statistics.median(t)*1000:7.2f} ms  mean {statistics.fmean(t)*1000:7.2f} ms"
          f"  range {min(t)*1000:.2f}-{max(t)*1000:.2f} ms  user {results[-1]['user']*1000:.2f} ms"
          f"  system {results[-1]['system']*1000:.2f} ms  ({len(t)} runs in {rounds} rounds)")
json.dump({"results": results}, open(out, "w"))
PY
}
