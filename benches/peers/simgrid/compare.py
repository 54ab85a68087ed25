"""hetsim against SimGrid (S4U, fcfs.cpp) on the same 50-host FCFS model and job list.

1. Agreement: one run of each writing its schedule; every job must start and end at
   the same time (within 1 microsecond; hetsim counts integer nanoseconds, SimGrid
   doubles) on the same host, and the total energy must agree to 1e-9 relative.
2. Speed: --reps runs of each; whole-process CPU seconds (user + system, from
   getrusage of the child), medians. hetsim is timed as `hetsim run --no-charts` with
   per-job and power output off (SimGrid writes no per-job file either), with its
   default CSV outputs, and with the jobs given as an explicit YAML list instead of
   the CSV job list.

Usage: python compare.py --hetsim BIN --simgrid BIN --dir MODEL_DIR [--reps 5]
"""

import argparse
import csv
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys


def timed(cmd):
    """(CPU s of the child, its stdout)."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime), out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hetsim", required=True)
    ap.add_argument("--simgrid", required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--reps", type=int, default=5)
    a = ap.parse_args()
    d = os.path.abspath(a.dir)
    sg_cfg = ["--cfg=contexts/factory:raw", "--log=root.thres:critical"]
    run_dir = os.path.join(d, "hetsim-run")

    def hetsim(scenario, off, out=run_dir):
        shutil.rmtree(out, ignore_errors=True)
        cmd = [a.hetsim, "run", "-q", "--no-charts", "--out", out, os.path.join(d, scenario)]
        if off:
            cmd[2:2] = ["--set", "output.jobs=none", "--set", "output.power=none"]
        return timed(cmd)

    # 1. Agreement.
    hetsim("trace.yaml", False)
    with open(os.path.join(run_dir, "summary.json")) as f:
        hs = json.load(f)
    with open(os.path.join(run_dir, "jobs.csv")) as f:
        hj = list(csv.DictReader(f))
    sched = os.path.join(d, "simgrid-schedule.csv")
    _, out = timed([a.simgrid, d, "--schedule", sched] + sg_cfg)
    sg = json.loads(out.strip().splitlines()[-1])
    # Jobs are matched by (arrival, work): a few arrive in the same microsecond.
    with open(os.path.join(d, "jobs.csv")) as f:
        model = [(round(float(r["arrival"]), 6), round(float(r["work"]), 6)) for r in csv.DictReader(f)]
    with open(sched) as f:
        sj = sorted(zip(model, csv.DictReader(f)), key=lambda p: p[0])
    sj = [r for _, r in sj]
    hj.sort(key=lambda r: (round(float(r["arrival_s"]), 6), round(float(r["work"]), 6)))
    assert len(hj) == len(sj), (len(hj), len(sj))
    worst_t, hosts_differ = 0.0, 0
    for h, s in zip(hj, sj):
        worst_t = max(worst_t, abs(float(h["start_s"]) - float(s["start"])),
                      abs(float(h["end_s"]) - float(s["end"])))
        hosts_differ += int(h["devices"]) != int(s["host"])
    # SimGrid's energy runs to its last event, the last completion: hetsim's energy
    # to the makespan (its accounting window may extend past it).
    he = hs["energy_it_to_makespan_j"]
    e_rel = abs(he - sg["energy_j"]) / sg["energy_j"]
    same = worst_t <= 1e-6 and hosts_differ == 0 and e_rel <= 1e-9
    print(f"# hetsim vs SimGrid {subprocess.run(['pkg-config', '--modversion', 'simgrid'], capture_output=True, text=True).stdout.strip() or '?'}"
          f" (S4U, raw contexts), 50 hosts, {len(hj)} jobs, fcfs")
    print(f"agreement: largest start/end difference {worst_t:.2e} s, jobs on a different host {hosts_differ}, "
          f"energy to the last completion hetsim {he:.3f} J vs SimGrid {sg['energy_j']:.3f} J (relative {e_rel:.1e}), "
          f"makespan {hs['makespan_s']:.6f} vs {sg['makespan_s']:.6f} s: "
          + ("IDENTICAL schedules and energy" if same else "DIFFERENT (!)"))

    # 2. Speed.
    cases = {
        "SimGrid (no per-job file)": lambda: timed([a.simgrid, d] + sg_cfg)[0],
        "hetsim, per-job and power output off, CSV job list": lambda: hetsim("trace.yaml", True)[0],
        "hetsim, default CSV outputs, CSV job list": lambda: hetsim("trace.yaml", False)[0],
        "hetsim, per-job and power output off, explicit YAML list": lambda: hetsim("list.yaml", True)[0],
    }
    med = {}
    for name, f in cases.items():
        med[name] = statistics.median(f() for _ in range(a.reps))
    shutil.rmtree(run_dir, ignore_errors=True)
    sgt = med["SimGrid (no per-job file)"]
    trace = med["hetsim, per-job and power output off, CSV job list"]
    print(f"\n| case ({a.reps} runs, median process CPU s) | CPU s | SimGrid / case | case / hetsim CSV-list time |")
    print("|---|---:|---:|---:|")
    for name, t in med.items():
        print(f"| {name} | {t:.3f} | **{sgt / t:.2f}x** | {t / trace:.2f}x |")
    sys.exit(0 if same else 1)


if __name__ == "__main__":
    main()
