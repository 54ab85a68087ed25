"""Runs hetsim and SimPy side by side on the same models and compares them.

Models: M/M/16 at rho = 0.8 (scenarios/mmc.yaml vs mmc_simpy.py) and the heterogeneous
model of hetero.yaml (vs hetero_simpy.py) under two placements, fcfs (fastest free
device, one FIFO queue) and eft (earliest finish time). Each model runs --reps times
per simulator with seeds 1..reps (the simulators draw different random streams, so
results agree in distribution, not number for number).

Speed: hetsim runs twice per replication, writing its default CSV outputs and like
for like (`output.jobs` and `output.power` set to `none`: SimPy's scripts keep their
statistics in memory and write no file). Reported: jobs/s and events/s of the simulation loop (hetsim: `events` / `wall_s` from its
summary.json; SimPy: 2 events per job, arrivals + departures, timed around env.run()),
plus hetsim's whole-process wall time (start-up, loading, writing the CSV files).
The ratio is hetsim / SimPy, medians over the replications.

Agreement: mean wait and energy, mean over replications with a 95% interval
(t quantile, reps - 1 degrees of freedom); the difference between the simulators is
reported with its own 95% interval (Welch); "(!)" marks a difference whose
interval excludes 0. For M/M/c
both are also compared with Erlang C.

Usage: python compare.py --hetsim PATH [--reps 5] [--jobs 200000] [--out DIR]
"""

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# Two-sided 95% t quantiles by degrees of freedom.
T95 = [float("inf"), 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
       2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086]


def t95(df):
    """Two-sided 95% t quantile; fractional df rounds down (conservative)."""
    d = int(df)
    return T95[d] if d < len(T95) else 1.96


def erlang_c(c, lam, mu):
    """(P(wait), mean wait) of M/M/c."""
    a = lam / mu
    rho = a / c
    top = a**c / math.factorial(c) / (1 - rho)
    p = top / (sum(a**k / math.factorial(k) for k in range(c)) + top)
    return p, p / (c * mu - lam)


def simpy_run(script, args):
    out = subprocess.run([sys.executable, os.path.join(HERE, script)] + args, check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def hetsim_run(binary, scenario, seed, jobs, kind, policy, out_root, off=False):
    out = os.path.join(out_root, f"{os.path.basename(scenario)}-{policy or 'file'}-{seed}{'-off' if off else ''}")
    subprocess.run(["rm", "-rf", out], check=True)
    cmd = [binary, "run", "-q", "--no-charts", "--seed", str(seed), "--out", out,
           "--set", f"workload.kinds.{kind}.arrival.count={jobs}", scenario]
    if off:
        # Like for like: SimPy keeps its statistics in memory and writes no file.
        cmd[-1:-1] = ["--set", "output.jobs=none", "--set", "output.power=none"]
    if policy:
        cmd[2:2] = ["--policy", policy]
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True)
    process_wall = time.perf_counter() - t0
    with open(os.path.join(out, "summary.json")) as f:
        s = json.load(f)
    return {
        "sim": "hetsim",
        "seed": seed,
        "customers": s["jobs_completed"],
        "events": s["events"],
        "wall_s": s["wall_s"],
        "process_wall_s": process_wall,
        "events_per_s": s["events"] / s["wall_s"],
        "jobs_per_s": s["jobs_completed"] / s["wall_s"],
        "process_jobs_per_s": s["jobs_completed"] / process_wall,
        "wait_mean_s": s["wait_mean_s"],
        "makespan_s": s["makespan_s"],
        "energy_j": s["energy_it_j"],
        "per_class": s["per_class"],
    }


def ci(xs):
    m = statistics.fmean(xs)
    if len(xs) < 2:
        return m, float("nan"), float("nan")
    se = statistics.stdev(xs) / math.sqrt(len(xs))
    return m, t95(len(xs) - 1) * se, se


def fmt_ci(xs, digits=4):
    m, h, _ = ci(xs)
    return f"{m:.{digits}f} ± {h:.{digits}f}"


def welch(a, b):
    """Difference of means (a - b) and the half-width of its 95% interval (Welch)."""
    ma, _, sa = ci(a)
    mb, _, sb = ci(b)
    se = math.hypot(sa, sb)
    if not se > 0:
        return ma - mb, float("nan")
    df = se**4 / (sa**4 / (len(a) - 1) + sb**4 / (len(b) - 1))
    return ma - mb, t95(df) * se


def diff_cell(a, b, digits):
    d, h = welch(a, b)
    mark = "" if abs(d) <= h else " (!)"
    return f"{d:+.{digits}f} ± {h:.{digits}f}{mark}", abs(d) <= h


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hetsim", required=True, help="path to the release hetsim binary")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--jobs", type=int, default=200_000)
    ap.add_argument("--out", default=os.path.join(ROOT, "target", "peers-runs"))
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    seeds = list(range(1, a.reps + 1))
    models = [
        ("mmc", os.path.join(ROOT, "scenarios", "mmc.yaml"), "request", None, "mmc_simpy.py", ["--customers"]),
        ("hetero-fcfs", os.path.join(HERE, "hetero.yaml"), "job", "fcfs", "hetero_simpy.py", ["--policy", "fcfs", "--jobs"]),
        ("hetero-eft", os.path.join(HERE, "hetero.yaml"), "job", "eft", "hetero_simpy.py", ["--policy", "eft", "--jobs"]),
    ]
    results = {}
    for name, scenario, kind, policy, script, sargs in models:
        h, ho, p = [], [], []
        for seed in seeds:
            print(f"  {name} seed {seed}: hetsim ...", end="", flush=True, file=sys.stderr)
            h.append(hetsim_run(a.hetsim, scenario, seed, a.jobs, kind, policy, a.out))
            ho.append(hetsim_run(a.hetsim, scenario, seed, a.jobs, kind, policy, a.out, off=True))
            print(" simpy ...", end="", flush=True, file=sys.stderr)
            p.append(simpy_run(script, sargs + [str(a.jobs), "--seed", str(seed)]))
            print(" done", file=sys.stderr)
        results[name] = {"hetsim": h, "hetsim_off": ho, "simpy": p}
    with open(os.path.join(a.out, "results.json"), "w") as f:
        json.dump(results, f, indent=1)

    med = lambda rs, k: statistics.median(r[k] for r in rs)
    print(f"\n# hetsim vs SimPy, {a.jobs} jobs per run, {a.reps} replications (seeds {seeds[0]}..{seeds[-1]}); medians")
    print(f"# python {sys.version.split()[0]}, simpy {__import__('simpy').__version__}; hetsim {a.hetsim}\n")
    print("| model | simulator | jobs/s | events/s | loop wall s | process wall s | ratio (jobs/s) |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for name, r in results.items():
        p = r["simpy"]
        for label, h in (("hetsim, default outputs", r["hetsim"]),
                         ("hetsim, like for like (no per-job or power file)", r["hetsim_off"])):
            ratio = med(h, "jobs_per_s") / med(p, "jobs_per_s")
            pratio = med(h, "process_jobs_per_s") / med(p, "jobs_per_s")
            print(f"| {name} | {label} | {med(h, 'jobs_per_s'):,.0f} | {med(h, 'events_per_s'):,.0f} | {med(h, 'wall_s'):.3f} | {med(h, 'process_wall_s'):.3f} | **{ratio:.0f}x** ({pratio:.0f}x whole process) |")
        print(f"| {name} | SimPy | {med(p, 'jobs_per_s'):,.0f} | {med(p, 'events_per_s'):,.0f} | {med(p, 'wall_s'):.3f} | | 1 |")

    print("\n| model | quantity | hetsim (mean ± 95% CI) | SimPy (mean ± 95% CI) | hetsim - SimPy | theory |")
    print("|---|---|---:|---:|---:|---:|")
    ok = True
    for name, r in results.items():
        h, p = r["hetsim"], r["simpy"]
        hw, pw = [x["wait_mean_s"] for x in h], [x["wait_mean_s"] for x in p]
        he, pe = [x["energy_j"] / 3.6e6 for x in h], [x["energy_j"] / 3.6e6 for x in p]
        theory = ""
        if name == "mmc":
            pw0, wq = erlang_c(16, 12.8, 1.0)
            theory = f"Erlang C {wq:.5f} (P(wait) {pw0:.4f})"
        dw, okw = diff_cell(hw, pw, 5)
        de, oke = diff_cell(he, pe, 4)
        ok &= okw and oke
        print(f"| {name} | mean wait, s | {fmt_ci(hw, 5)} | {fmt_ci(pw, 5)} | {dw} | {theory} |")
        print(f"| {name} | energy, kWh | {fmt_ci(he, 4)} | {fmt_ci(pe, 4)} | {de} | |")
        if name != "mmc":
            for c in h[0]["per_class"]:
                hu = [x["per_class"][c]["utilization"] for x in h]
                pu = [x["per_class"][c]["utilization"] for x in p]
                du, oku = diff_cell(hu, pu, 4)
                ok &= oku
                print(f"| {name} | utilisation {c} | {fmt_ci(hu, 4)} | {fmt_ci(pu, 4)} | {du} | |")
    if "mmc" in results:
        wq = erlang_c(16, 12.8, 1.0)[1]
        for simname in ("hetsim", "simpy"):
            w = [x["wait_mean_s"] for x in results["mmc"][simname]]
            m, hw_, _ = ci(w)
            print(f"\nM/M/16 {simname}: mean wait {m:.5f} ± {hw_:.5f} vs Erlang C {wq:.5f} "
                  f"({'within' if abs(m - wq) <= hw_ else 'OUTSIDE'} the 95% interval)", end="")
        print()
    print("\nagreement:", "every difference is within its 95% interval" if ok
          else "some difference lies outside its 95% interval (!): with many comparisons, expect one now and then; rerun with more --reps")


if __name__ == "__main__":
    main()
