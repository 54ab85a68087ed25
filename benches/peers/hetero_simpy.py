"""The heterogeneous reference model of hetero.yaml, written for SimPy.

Three device classes (speed in work units/s, idle and busy power in W), Poisson
arrivals at 25.6/s, exponential work with mean 1 unit, N jobs. Two placements, the
same as hetsim's policies on this file:

- fcfs: a job takes the fastest free device (classes fastest first, lowest id first);
  if none is free it waits in one FIFO queue and takes the next device to free up.
  SimPy: a PriorityStore of free devices keyed by (class rank, id); its get requests
  are served in FIFO order.
- eft: at arrival the job is committed to the device where it would finish first
  (earliest-available device of each class; ties to the earlier class), and waits in
  that device's FIFO queue. SimPy: one Resource of capacity 1 per device.

Energy is exact: each device draws busy power while it runs a job and idle power
otherwise, from 0 to the last completion (as hetsim integrates it).
Prints one JSON line (events = arrivals + departures = 2 per job).

Usage: python hetero_simpy.py [--jobs N] [--seed S] [--policy fcfs|eft]
"""

import argparse
import json
import random
import time

import simpy

# name, count, speed, idle W, busy W: fastest first, as in hetero.yaml.
CLASSES = [("gpu", 4, 4.0, 60.0, 400.0), ("fpga", 4, 2.0, 30.0, 150.0), ("cpu", 8, 1.0, 50.0, 250.0)]
RATE = 25.6
MEAN_WORK = 1.0


def run(jobs, seed, policy):
    rng = random.Random(seed)
    env = simpy.Environment()
    devices = []  # (class index, speed)
    for ci, (_, count, speed, _, _) in enumerate(CLASSES):
        devices += [(ci, speed)] * count
    busy = [0.0] * len(devices)
    jobs_on = [0] * len(CLASSES)
    st = {"wait_sum": 0.0, "done": 0, "end": 0.0}

    def finish(d, started, run_s, arrived):
        st["wait_sum"] += started - arrived
        busy[d] += run_s
        jobs_on[devices[d][0]] += 1
        st["done"] += 1
        st["end"] = env.now

    if policy == "fcfs":
        free = simpy.PriorityStore(env)
        for d in range(len(devices)):
            free.put(simpy.PriorityItem((devices[d][0], d), d))

        def job(work):
            arrived = env.now
            item = yield free.get()
            d = item.item
            started = env.now
            run_s = work / devices[d][1]
            yield env.timeout(run_s)
            finish(d, started, run_s, arrived)
            free.put(item)

    elif policy == "eft":
        res = [simpy.Resource(env, capacity=1) for _ in devices]
        free_at = [0.0] * len(devices)
        by_class = [[d for d in range(len(devices)) if devices[d][0] == ci] for ci in range(len(CLASSES))]

        def job(work):
            arrived = env.now
            best = None
            for ci, ds in enumerate(by_class):
                d = min(ds, key=lambda x: (free_at[x], x))
                end = max(arrived, free_at[d]) + work / CLASSES[ci][2]
                if best is None or end < best[0]:
                    best = (end, d)
            _, d = best
            run_s = work / devices[d][1]
            free_at[d] = max(arrived, free_at[d]) + run_s
            with res[d].request() as req:
                yield req
                started = env.now
                yield env.timeout(run_s)
            finish(d, started, run_s, arrived)

    else:
        raise SystemExit(f"unknown policy {policy}")

    def source():
        for _ in range(jobs):
            yield env.timeout(rng.expovariate(RATE))
            env.process(job(rng.expovariate(1.0 / MEAN_WORK)))

    env.process(source())
    t0 = time.perf_counter()
    env.run()
    wall = time.perf_counter() - t0
    n, end = st["done"], st["end"]
    energy = 0.0
    per_class = {}
    for ci, (name, count, _, idle_w, busy_w) in enumerate(CLASSES):
        b = sum(busy[d] for d in range(len(devices)) if devices[d][0] == ci)
        e = idle_w * (count * end - b) + busy_w * b
        energy += e
        per_class[name] = {"utilization": b / (count * end), "energy_j": e, "jobs": jobs_on[ci]}
    return {
        "model": f"hetero-{policy}",
        "sim": "simpy",
        "seed": seed,
        "customers": n,
        "events": 2 * n,
        "wall_s": wall,
        "events_per_s": 2 * n / wall,
        "jobs_per_s": n / wall,
        "wait_mean_s": st["wait_sum"] / n,
        "makespan_s": end,
        "energy_j": energy,
        "per_class": per_class,
    }


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=200_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--policy", default="fcfs", choices=["fcfs", "eft"])
    a = ap.parse_args()
    print(json.dumps(run(a.jobs, a.seed, a.policy)))
