#!/usr/bin/env bash
# Before/after figures of scenarios/manufacturing.yaml when its servers gained 56 slots
# and a SPECpower curve. Before: OLD_BIN (hetsim built from commit 67ff60e, before
# slots) on that commit's scenario file; after: NEW_BIN on the current file. Usage
# (from the repository root):
#   tools/manufacturing-before-after.sh OLD_BIN NEW_BIN
set -euo pipefail
OLD=$1; NEW=$2; T=$(mktemp -d)
git show 67ff60e:scenarios/manufacturing.yaml > "$T/before.yaml"
for p in eft fcfs; do
  "$OLD" run "$T/before.yaml" --policy $p --no-charts --out "$T/before-$p" -q
  "$NEW" run scenarios/manufacturing.yaml --policy $p --no-charts --out "$T/after-$p" -q
done
python3 - "$T" <<'PY'
import json, sys
t = sys.argv[1]
rows = [("IT energy over the window (MJ)", lambda s: s["energy_it_j"] / 1e6),
        ("cpu class energy (MJ)", lambda s: s["per_class"]["cpu"]["energy_j"] / 1e6),
        ("cpu utilisation (%)", lambda s: 100 * s["per_class"]["cpu"]["utilization"]),
        ("jobs on cpu", lambda s: s["per_class"]["cpu"]["jobs"]),
        ("mean power (W)", lambda s: s["power_mean_w"]),
        ("mean wait (ms)", lambda s: 1e3 * s["wait_mean_s"]),
        ("mean response (ms)", lambda s: 1e3 * s["response_mean_s"]),
        ("p99 response (ms)", lambda s: 1e3 * s["response_p99_s"]),
        ("inspection mean response (ms)", lambda s: 1e3 * s["per_kind"]["inspection"]["response_mean_s"]),
        ("fault-prediction mean response (ms)", lambda s: 1e3 * s["per_kind"]["fault-prediction"]["response_mean_s"]),
        ("deadline misses (%)", lambda s: 100 * s["deadline_miss_rate"])]
S = {f"{w}-{p}": json.load(open(f"{t}/{w}-{p}/summary.json")) for w in ("before", "after") for p in ("eft", "fcfs")}
print("| figure | eft before | eft after | fcfs before | fcfs after |")
print("|---|---|---|---|---|")
for name, f in rows:
    v = [f(S[k]) for k in ("before-eft", "after-eft", "before-fcfs", "after-fcfs")]
    print(f"| {name} | " + " | ".join(f"{x:,.1f}" if isinstance(x, float) else f"{x:,}" for x in v) + " |")
PY
rm -rf "$T"
