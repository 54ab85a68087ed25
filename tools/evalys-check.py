#!/usr/bin/env python3
"""Loads a `hetsim export batsim` file with evalys and draws its Gantt chart.

Checks that Batsim tooling reads hetsim runs: the job count, the resources and the
time span evalys finds must match the export's own columns.

    python3 -m venv /tmp/ev && /tmp/ev/bin/pip install evalys
    hetsim run scenarios/seed-example.yaml --out /tmp/se
    hetsim export batsim /tmp/se --out /tmp/se_jobs.csv
    /tmp/ev/bin/python tools/evalys-check.py /tmp/se_jobs.csv /tmp/se_gantt.png
"""
import csv
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from evalys.jobset import JobSet  # noqa: E402

src, png = sys.argv[1], sys.argv[2]
rows = list(csv.DictReader(open(src)))
js = JobSet.from_csv(src)
assert len(js.df) == len(rows), (len(js.df), len(rows))
first = min(float(r["submission_time"]) for r in rows)
last = max(float(r["finish_time"]) for r in rows)
assert abs(js.df["finish_time"].max() - last) < 1e-6
assert abs(js.df["submission_time"].min() - first) < 1e-6
js.plot(with_details=True)
plt.savefig(png)
print(f"evalys read {len(js.df)} jobs on resources {js.res_bounds}; wrote {png}")
