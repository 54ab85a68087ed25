"""Decisions per second through the Python boundary, for a trivial policy.

The policy places every job when it is released (``view.assign_earliest(job, 0)``,
one Python call and one decision per job; ``decide`` is also called, and does
nothing, at every instant where devices are freed). The bare reference is the same
scenario with the built-in ``fastest`` policy (the same placement in Rust), run in
the same process. Reported: medians of the repetitions, wall-clock seconds of
``hetsim.run`` (simulation included, so decisions/s is a lower bound on the
boundary's own rate), and the boundary's cost per decision (the difference of the
medians per job).

    python python/bench/decisions.py [--jobs 200000] [--reps 5]
"""

import argparse
import statistics
import time
from pathlib import Path

import hetsim

ROOT = Path(__file__).resolve().parents[2]


class Trivial(hetsim.Policy):
    name = "trivial"

    def on_arrival(self, job, view):
        view.assign_earliest(job, 0)

    def decide(self, view):
        return None


def timed(policy, settings):
    t = time.perf_counter()
    r = hetsim.run(ROOT / "scenarios" / "mmc.yaml", policy=policy, set=settings)
    return time.perf_counter() - t, r.summary["jobs_completed"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=200_000)
    ap.add_argument("--reps", type=int, default=5)
    a = ap.parse_args()
    settings = {
        "workload.kinds.request.arrival.count": a.jobs,
        "output.jobs": "none",
        "output.power": "none",
    }
    py, bare = [], []
    for _ in range(a.reps):
        t, n = timed(Trivial(), settings)
        assert n == a.jobs
        py.append(t)
        t, n = timed("fastest", settings)
        assert n == a.jobs
        bare.append(t)
    tp, tb = statistics.median(py), statistics.median(bare)
    print(f"jobs (decisions) per run: {a.jobs}, repetitions: {a.reps}")
    print(f"python policy: median {tp:.3f} s -> {a.jobs / tp:,.0f} decisions/s (simulation included)")
    print(f"built-in fastest (bare reference): median {tb:.3f} s -> {a.jobs / tb:,.0f} jobs/s")
    print(f"ratio python/bare: {tp / tb:.2f}; boundary cost per decision: {(tp - tb) / a.jobs * 1e6:.2f} us")


if __name__ == "__main__":
    main()
