"""M/M/c in SimPy: the peer side of hetsim's scenarios/mmc.yaml.

c = 16 servers, arrival rate 12.8/s, exponential service with mean 1 s (rho = 0.8),
FIFO, N customers. The idiomatic SimPy model: one process per customer, a
`simpy.Resource` with capacity c. Prints one JSON line: customers, events (arrivals +
departures, 2 per customer, the same count as hetsim's engine bench), wall
seconds of the simulation alone, events/s, mean wait, P(wait > 0), makespan and the
energy of the hetsim scenario's power model (idle 20 W, busy 100 W per server).

Usage: python mmc_simpy.py [--customers N] [--seed S]
"""

import argparse
import json
import random
import time

import simpy

C = 16
LAM = 12.8
MU = 1.0
IDLE_W, BUSY_W = 20.0, 100.0


def run(customers, seed):
    rng = random.Random(seed)
    env = simpy.Environment()
    servers = simpy.Resource(env, capacity=C)
    stats = {"wait_sum": 0.0, "waited": 0, "busy": 0.0, "done": 0, "end": 0.0}

    def customer(service):
        arrived = env.now
        with servers.request() as req:
            yield req
            wait = env.now - arrived
            stats["wait_sum"] += wait
            stats["waited"] += wait > 0
            yield env.timeout(service)
        stats["busy"] += service
        stats["done"] += 1
        stats["end"] = env.now

    def source():
        for _ in range(customers):
            yield env.timeout(rng.expovariate(LAM))
            env.process(customer(rng.expovariate(MU)))

    env.process(source())
    t0 = time.perf_counter()
    env.run()
    wall = time.perf_counter() - t0
    n = stats["done"]
    end = stats["end"]
    return {
        "model": "mmc",
        "sim": "simpy",
        "seed": seed,
        "customers": n,
        "events": 2 * n,
        "wall_s": wall,
        "events_per_s": 2 * n / wall,
        "jobs_per_s": n / wall,
        "wait_mean_s": stats["wait_sum"] / n,
        "p_wait": stats["waited"] / n,
        "makespan_s": end,
        "energy_j": IDLE_W * (C * end - stats["busy"]) + BUSY_W * stats["busy"],
    }


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=200_000)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    print(json.dumps(run(a.customers, a.seed)))
