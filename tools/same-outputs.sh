#!/usr/bin/env bash
# Proves that two hetsim binaries write the same bytes: runs every shipped scenario
# (scenarios/*.yaml, *.json, each under every placement policy it ships with and
# under `fcfs`, `eft`), every shipped sweep, `compare` and `plot`, with both binaries,
# then compares the output trees file by file. Only wall-clock fields differ between
# two runs of one binary; they are masked (`wall_s`, and the wall time and
# timing.csv of sweeps).
#
# Usage: tools/same-outputs.sh OLD_BINARY NEW_BINARY [WORK_DIR]
#   e.g. git worktree add /tmp/base <rev> && (cd /tmp/base && cargo build --release)
#        tools/same-outputs.sh /tmp/base/target/release/hetsim target/release/hetsim
# Exit 0 when every file matches, 1 with the list of differing files otherwise.
# Scenarios that replay ../shared/data traces are skipped (and listed) when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
OLD=$(realpath "$1"); NEW=$(realpath "$2")
WORK=${3:-$(mktemp -d)}
mkdir -p "$WORK"
skipped=()

outputs() { # BIN DIR
  local bin=$1 dir=$2
  rm -rf "$dir"; mkdir -p "$dir"
  for f in scenarios/*.yaml scenarios/*.json; do
    local n; n=$(basename "$f"); n=${n%.*}-${f##*.}
    if grep -q "shared/data" "$f" && [ ! -d ../shared/data ]; then
      skipped+=("$f"); continue
    fi
    local sets=()
    # bench-1m is the 10^6-job benchmark: its output is checked at a tenth of the size.
    [ "$n" = bench-1m-yaml ] && sets=(--set workload.kinds.a.arrival.count=50000 --set workload.kinds.b.arrival.count=50000)
    "$bin" run "$f" --out "$dir/run/$n" -q "${sets[@]}" >"$dir/run-$n.stdout" 2>"$dir/run-$n.stderr" || echo "exit $?" >>"$dir/run-$n.stderr"
    for p in fcfs eft; do
      "$bin" run "$f" --policy "$p" --no-charts --out "$dir/run/$n-$p" -q "${sets[@]}" >/dev/null 2>"$dir/run-$n-$p.stderr" || echo "exit $?" >>"$dir/run-$n-$p.stderr"
    done
    "$bin" validate "$f" >"$dir/validate-$n.stdout" 2>&1 || true
  done
  "$bin" compare "$dir/run/manufacturing-yaml" "$dir/run/manufacturing-yaml-fcfs" "$dir/run/manufacturing-yaml-eft" --out "$dir/compare" >"$dir/compare.stdout" 2>&1 || true
  cp -r "$dir/run/seed-example-yaml" "$dir/replot"; rm -f "$dir"/replot/*.png "$dir"/replot/*.svg "$dir"/replot/index.html
  "$bin" plot "$dir/replot" >"$dir/plot.stdout" 2>&1 || true
  for s in scenarios/sweeps/*.yaml; do
    local n; n=$(basename "$s" .yaml)
    "$bin" sweep "$s" --out "$dir/sweep/$n" --jobs 2 >"$dir/sweep-$n.stdout" 2>"$dir/sweep-$n.stderr" || echo "exit $?" >>"$dir/sweep-$n.stderr"
  done
  "$bin" policies >"$dir/policies.stdout" 2>&1
  "$bin" catalog >"$dir/catalog.stdout" 2>&1
  "$bin" validate tests/bad_input/*.yaml tests/bad_input/*.json >"$dir/bad-input.stdout" 2>&1 || echo "exit $?" >>"$dir/bad-input.stdout"
  # Mask wall-clock fields and the output folder's own path.
  python3 - "$dir" <<'PY'
import csv, io, os, re, sys
root = sys.argv[1]
for base, _, files in os.walk(root):
    for f in files:
        p = os.path.join(base, f)
        if f == "timing.csv":
            os.remove(p); continue
        if not re.search(r"\.(json|csv|html|md|stdout|stderr)$", f):
            continue
        s = open(p, encoding="utf-8", errors="surrogateescape").read()
        s = s.replace(root, "<OUT>")
        s = re.sub(r'("wall_s": )[0-9.e+-]+', r"\1X", s)
        s = re.sub(r"<tr><td><code>wall_s</code>.*", "<tr><td><code>wall_s</code> X", s)
        s = re.sub(r"(wall_s</code></td><td[^>]*>)[^<]*", r"\1X", s)
        s = re.sub(r"in [0-9.]+ ?s wall", "in X s wall", s)
        s = re.sub(r"in [0-9.]+ s \(", "in X s (", s)
        s = re.sub(r"[0-9.]+ runs/s", "X runs/s", s)
        s = re.sub(r"(reading|drawing|loading|simulating) [0-9.]+ ?(s|ms)", r"\1 X", s)
        if f.endswith(".csv") and s.startswith(("scenario,", "run,", "point,")) or "wall_s" in s.split("\n", 1)[0]:
            rows = list(csv.reader(io.StringIO(s)))
            if rows and "wall_s" in rows[0]:
                i = rows[0].index("wall_s")
                for r in rows[1:]:
                    if len(r) > i: r[i] = "X"
                out = io.StringIO(); csv.writer(out, lineterminator="\n").writerows(rows); s = out.getvalue()
        open(p, "w", encoding="utf-8", errors="surrogateescape").write(s)
PY
}

outputs "$OLD" "$WORK/old"
outputs "$NEW" "$WORK/new"
cd "$WORK"
bad=$( (diff -rq old new || true) | sed "s|$WORK/||g")
n=$(find old -type f | wc -l)
if [ ${#skipped[@]} -gt 0 ]; then echo "skipped (no ../shared/data): ${skipped[*]}"; fi
if [ -n "$bad" ]; then
  echo "$bad"
  echo "DIFFERENT: $(echo "$bad" | wc -l) of $n files differ (outputs kept in $WORK)"
  exit 1
fi
echo "SAME: $n files byte-identical (wall-clock fields masked) in $WORK"
