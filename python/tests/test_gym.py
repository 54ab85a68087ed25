"""hetsim.gym.SchedulingEnv: Gymnasium's checker, determinism under reset(seed=),
trace windows, and a scripted shortest-estimate agent reproducing built-in sjf."""

from pathlib import Path

import numpy as np
import pytest

gym = pytest.importorskip("gymnasium")
from gymnasium.utils.env_checker import check_env  # noqa: E402

import hetsim  # noqa: E402
from conftest import SCENARIOS, shared  # noqa: E402
from hetsim.gym import JOB_FEATURES, SchedulingEnv  # noqa: E402

LUBLIN = str(Path(__file__).resolve().parents[1] / "examples" / "lublin256.yaml")
MANUF = str(SCENARIOS / "manufacturing.yaml")


def shortest_estimate_agent(env, obs, info):
    """Starts the waiting job with the shortest estimate if it fits, else waits."""
    mask = info["action_mask"]
    k, c = env.k, env.classes
    present = obs[0 : k * JOB_FEATURES : JOB_FEATURES] > 0
    if not present.any():
        return env.action_space.n - 1
    sizes = np.where(present, obs[2 : k * JOB_FEATURES : JOB_FEATURES], np.inf)
    slot = int(np.argmin(sizes))
    for cls in range(c):
        if mask[slot * c + cls]:
            return slot * c + cls
    return env.action_space.n - 1  # the shortest does not fit: wait, as sjf does


def play(env, seed, agent):
    obs, info = env.reset(seed=seed)
    steps, done, total = 0, False, 0.0
    trail = [obs.copy()]
    while not done:
        obs, r, done, trunc, info = env.step(agent(env, obs, info))
        total += r
        steps += 1
        trail.append(obs.copy())
    return steps, total, trail


def test_passes_gymnasiums_checker():
    shared("swf", "lublin_256.swf")
    env = SchedulingEnv(LUBLIN, window_jobs=64, k=8)
    check_env(env, skip_render_check=True)


def test_check_env_on_a_heterogeneous_scenario():
    env = SchedulingEnv(MANUF, set={"horizon": "60s"}, k=4)
    assert env.classes == 3 and env.action_space.n == 4 * 3 + 1
    check_env(env, skip_render_check=True)


def test_episodes_are_deterministic_under_reset_seed():
    shared("swf", "lublin_256.swf")
    env = SchedulingEnv(LUBLIN, window_jobs=128, k=8)
    rng = np.random.default_rng(0)

    def random_agent(env, obs, info):
        valid = np.flatnonzero(info["action_mask"])
        return int(rng.choice(valid))

    a = play(env, 5, random_agent)
    jobs_a, start_a = env.last_jobs, env.window_start
    rng = np.random.default_rng(0)
    b = play(env, 5, random_agent)
    assert a[0] == b[0] and a[1] == b[1]
    assert all(np.array_equal(x, y) for x, y in zip(a[2], b[2]))
    assert jobs_a.equals(env.last_jobs) and start_a == env.window_start
    assert len(jobs_a) == 128
    # Another seed draws another window.
    env.reset(seed=6)
    assert env.window_start != start_a


def test_windows_are_trace_slices_and_reward_is_minus_bsld():
    shared("swf", "lublin_256.swf")
    env = SchedulingEnv(LUBLIN, window_jobs=50, windows=[100], k=4)
    steps, total, _ = play(env, 1, shortest_estimate_agent)
    jobs = env.last_jobs
    assert len(jobs) == 50 and steps >= 50
    # The window is trace jobs 100..149 in release order: their logged run times.
    log = [l.split() for l in open(shared("swf", "lublin_256.swf")) if not l.startswith(";")]
    log.sort(key=lambda f: (int(f[1]), int(f[0])))
    expect = [float(f[3]) for f in log[100:150]]
    assert list(jobs.sort_values("id")["run_s"]) == expect
    assert total == pytest.approx(-jobs["bounded_slowdown"].mean(), rel=1e-9)


def test_scripted_shortest_estimate_agent_reproduces_builtin_sjf_on_kth_sp2():
    shared("swf", "KTH-SP2-1996-2.1-cln.swf.gz")
    sc = str(SCENARIOS / "hpc-swf.yaml")
    env = SchedulingEnv(sc, k=8, order="size", set={"output.power": "none"})
    obs, info = env.reset(seed=0)
    seed = env.last_seed
    done = False
    while not done:
        obs, _, done, _, info = env.step(shortest_estimate_agent(env, obs, info))
    built = hetsim.run(sc, policy="sjf", seed=seed, set={"output.power": "none"})
    assert len(built.jobs) == 28475
    assert env.last_jobs.equals(built.jobs)


def test_scripted_agent_matches_sjf_on_lublin_windows():
    shared("swf", "lublin_256.swf")
    env = SchedulingEnv(LUBLIN, window_jobs=256, k=4, order="size")
    for seed in (1, 2):
        play(env, seed, shortest_estimate_agent)
        t = "workload.traces[0]"
        built = hetsim.run(
            LUBLIN,
            policy="sjf",
            seed=env.last_seed,
            set={f"{t}.from": float(env.arrivals[env.window_start]), f"{t}.limit": 256},
        )
        assert env.last_jobs.equals(built.jobs)
