"""Notebook-style: run a sweep from Python and chart it with matplotlib from the
DataFrames (needs pandas and matplotlib).

    python python/examples/sweep_chart.py [--out sweep.png]
"""

# %% A sweep as a dict: the M/M/c scenario's load against three policies.
import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import hetsim  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ap.add_argument("--out", default="sweep.png")
ap.add_argument("--jobs", type=int, default=None, help="threads")
a = ap.parse_args()

res = hetsim.sweep(
    {
        "scenario": ROOT / "scenarios" / "mmc.yaml",
        "set": {"workload.kinds.request.arrival.count": 20000},
        "axes": {
            "policy.name": ["fcfs", "eft", "least-loaded"],
            "workload.kinds.request.arrival.rate": {"from": 8, "to": 15, "step": 1},
        },
        "replications": 3,
    },
    jobs=a.jobs,
)

# %% The per-point table: one row per (policy, rate), mean and 95% CI per metric.
pts = res.points
rate = "workload.kinds.request.arrival.rate"
print(pts[["policy.name", rate, "response_p99_s_mean", "response_p99_s_ci95"]].to_string(index=False))

# %% Chart: p99 response time against load, one line per policy, with CIs.
fig, ax = plt.subplots(figsize=(7, 4.2))
for name, g in pts.groupby("policy.name", sort=False):
    g = g.sort_values(rate)
    ax.errorbar(g[rate], g["response_p99_s_mean"], yerr=g["response_p99_s_ci95"].fillna(0), marker="o", capsize=3, label=name)
ax.set_xlabel("arrival rate (jobs/s) on 16 servers of rate 1/s")
ax.set_ylabel("p99 response time (s), mean of 3 runs, 95% CI")
ax.set_title("M/M/16: tail response time against load")
ax.legend(title="policy")
ax.grid(alpha=0.3)
fig.tight_layout()
fig.savefig(a.out, dpi=120)
print(f"wrote {a.out}")
