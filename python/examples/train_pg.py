"""Train a small policy-gradient scheduler (numpy only) on windows of the Lublin-256
workload and compare it with FCFS, SJF and SJF+EASY on held-out windows.

The agent scores each of the first K waiting jobs with a one-hidden-layer network
shared by all slots (RLScheduler's kernel design) and samples a job from the softmax
over the jobs that fit now. REINFORCE with the batch's mean return as baseline, Adam.
Reward: minus the episode's mean bounded slowdown (10 s bound), given at its end.
Training windows start in the first 70% of the trace, held-out ones in the last 25%.

    python python/examples/train_pg.py [--epochs 100] [--batch 12] [--window 256]

Needs ../shared/data/swf/lublin_256.swf (see README, "Real data").
"""

import argparse
import time
from pathlib import Path

import numpy as np

import hetsim
from hetsim.gym import JOB_FEATURES, SchedulingEnv

HERE = Path(__file__).resolve().parent
SCENARIO = str(HERE / "lublin256.yaml")


class Net:
    """score(slot) = w2 . tanh(W1 x + b1) + b2, x = the slot's features and the
    cluster's."""

    def __init__(self, n_in, hidden, rng):
        self.p = {
            "W1": rng.normal(0, 1 / np.sqrt(n_in), (n_in, hidden)),
            "b1": np.zeros(hidden),
            "w2": rng.normal(0, 1 / np.sqrt(hidden), hidden),
            "b2": np.zeros(1),
        }
        self.m = {k: np.zeros_like(v) for k, v in self.p.items()}
        self.v = {k: np.zeros_like(v) for k, v in self.p.items()}
        self.t = 0

    def forward(self, X):
        h = np.tanh(X @ self.p["W1"] + self.p["b1"])
        return h @ self.p["w2"] + self.p["b2"][0], h

    def grad_logp(self, X, valid, a):
        """Gradient of log softmax(scores over valid)[a] with respect to the weights."""
        s, h = self.forward(X)
        s = np.where(valid, s, -np.inf)
        pr = np.exp(s - s.max())
        pr /= pr.sum()
        d = -pr
        d[a] += 1.0  # d log p_a / d score_i
        g = {"w2": h.T @ d, "b2": np.array([d.sum()])}
        dh = np.outer(d, self.p["w2"]) * (1 - h**2)
        g["W1"] = X.T @ dh
        g["b1"] = dh.sum(0)
        return g

    def adam(self, grads, lr=3e-3, b1=0.9, b2=0.999):
        """Gradient ascent step."""
        self.t += 1
        for k, g in grads.items():
            self.m[k] = b1 * self.m[k] + (1 - b1) * g
            self.v[k] = b2 * self.v[k] + (1 - b2) * g * g
            mh = self.m[k] / (1 - b1**self.t)
            vh = self.v[k] / (1 - b2**self.t)
            self.p[k] += lr * mh / (np.sqrt(vh) + 1e-8)


def slot_inputs(obs, k):
    jobs = obs[: k * JOB_FEATURES].reshape(k, JOB_FEATURES)
    shared = np.broadcast_to(obs[k * JOB_FEATURES :], (k, obs.size - k * JOB_FEATURES))
    return np.hstack([jobs, shared])


def episode(env, net, seed, rng, greedy=False):
    obs, info = env.reset(seed=seed)
    k, traj, done, ret = env.k, [], False, 0.0
    while not done:
        valid = info["action_mask"][:k].astype(bool)
        if not valid.any():
            a = env.action_space.n - 1
        else:
            X = slot_inputs(obs, k)
            s, _ = net.forward(X)
            s = np.where(valid, s, -np.inf)
            if greedy:
                a = int(np.argmax(s))
            else:
                p = np.exp(s - s.max())
                p /= p.sum()
                a = int(rng.choice(k, p=p))
            traj.append((X, valid, a))
        obs, r, done, _, info = env.step(a)
        ret += r
    return ret, traj


def baseline(policy, start, window, arrivals):
    t = "workload.traces[0]"
    r = hetsim.run(
        SCENARIO,
        policy=policy,
        set={f"{t}.from": float(arrivals[start]), f"{t}.limit": window},
    )
    return float(r.summary["bounded_slowdown_mean"])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=100)
    ap.add_argument("--batch", type=int, default=12)
    ap.add_argument("--window", type=int, default=256)
    ap.add_argument("--k", type=int, default=32)
    ap.add_argument("--test", type=int, default=20, help="held-out windows")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    t0 = time.perf_counter()
    env = SchedulingEnv(SCENARIO, k=a.k, window_jobs=a.window)
    n = len(env.arrivals)
    env.windows = np.arange(0, int(0.70 * n) - a.window)
    held_out = rng.choice(np.arange(int(0.75 * n), n - a.window), a.test, replace=False)
    n_in = JOB_FEATURES + (env.observation_space.shape[0] - a.k * JOB_FEATURES)
    net = Net(n_in, 16, rng)

    for epoch in range(a.epochs):
        runs = [episode(env, net, int(rng.integers(2**31)), rng) for _ in range(a.batch)]
        rets = np.array([r for r, _ in runs])
        adv = rets - rets.mean()
        if rets.std() > 0:
            adv /= rets.std()
        grads = {k: np.zeros_like(v) for k, v in net.p.items()}
        steps = 0
        for (_, traj), A in zip(runs, adv):
            for X, valid, act in traj:
                for key, g in net.grad_logp(X, valid, act).items():
                    grads[key] += A * g
                steps += 1
        net.adam({k: g / max(steps, 1) * a.batch for k, g in grads.items()})
        print(f"epoch {epoch:3d}: mean bounded slowdown {-rets.mean():9.2f}  ({time.perf_counter() - t0:5.0f} s)", flush=True)

    # Held-out windows: the trained agent (greedy) against the built-in policies.
    results = {"pg agent": [], "fcfs": [], "sjf": [], "sjf+easy": []}
    sjf_easy = {"name": "batch", "order": "sjf", "backfill": "easy"}
    for start in held_out:
        env.windows = np.array([start])
        ret, _ = episode(env, net, 0, rng, greedy=True)
        results["pg agent"].append(-ret)
        results["fcfs"].append(baseline("fcfs", start, a.window, env.arrivals))
        results["sjf"].append(baseline("sjf", start, a.window, env.arrivals))
        results["sjf+easy"].append(baseline(sjf_easy, start, a.window, env.arrivals))
    print(f"\nHeld-out: {a.test} windows of {a.window} jobs (starts in the last 25% of the trace);")
    print("mean bounded slowdown over windows (lower is better):\n")
    print("| policy | mean | median | best of the four in |")
    print("|---|---:|---:|---:|")
    table = np.array([results[k] for k in results])
    wins = (table == table.min(axis=0)).sum(axis=1)
    for (name, v), w in zip(results.items(), wins):
        print(f"| {name} | {np.mean(v):.2f} | {np.median(v):.2f} | {w} |")
    print(f"\ntotal time {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
