"""A Gymnasium environment for learned schedulers on hetsim (needs ``gymnasium``).

The simulation runs on its own thread and stops at every decision instant where at
least one waiting job fits on free devices; the agent then starts one job on one
class, or waits (the simulation moves on to its next event). After a start, the same
instant is offered again with that job placed, so several jobs can start together.
Instants where nothing fits are not shown: waiting is the only choice there.

Observation (float32, all features >= 0), for the first ``k`` waiting jobs (in
release order, or shortest size first with ``order="size"``), 6 features each
(zeros for an empty slot): present; requested devices / largest class size; log1p of
its size estimate in s (the requested time, else its run time on the fastest class:
what the built-in ``sjf`` orders by); log1p of its wait so far in s; kind index /
number of kinds; whether it fits now on some class. Then per class: free devices /
class size; class size / all devices. Last: power headroom under the cap as
tanh(headroom in kW) (1 without a cap).

Action: ``Discrete(k * classes + 1)``: ``slot * classes + class`` starts the job in
that slot on that class; the last action waits. An action that names an empty slot
or a class where the job does not fit is taken as "wait" (``info["action_mask"]``
marks the valid ones). When nothing runs, no later instant would come, so "wait" is
not valid (masked) and is taken as starting the first job that fits.

Reward: 0 at every step, and at the end of the episode one of
``"bsld"`` (default): minus the mean bounded slowdown, max(1, response / max(run,
10 s)), of the episode's jobs (RLScheduler's objective); ``"energy"``: minus the
facility energy in kWh; ``"mix"``: minus (``weights[0]`` x bounded slowdown +
``weights[1]`` x kWh); or a function of the run's summary dict returning a float.

Episodes: with ``window_jobs=N`` each episode replays N consecutive jobs of the
scenario's trace ``trace`` starting at a job drawn with the episode's random
generator (``windows`` restricts the start jobs, e.g. to a training or held-out
range); the simulation's seed is drawn from it too, so ``reset(seed=s)`` gives the
same episode every time.
"""

from __future__ import annotations

import json
import math
import os
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from . import _hetsim, run as _run
from . import _overrides, _read_csv

JOB_FEATURES = 6

Reward = Union[str, Callable[[Dict[str, Any]], float]]


def trace_arrivals(scenario: str, set: Optional[Mapping[str, Any]] = None) -> np.ndarray:
    """Release times (s, sorted) of the scenario's jobs, from one fcfs run: the times
    a trace's ``from`` selects by when its ``time_scale`` is 1 and ``offset`` 0."""
    r = _run(scenario, policy="fcfs", set={**(set or {}), "output.power": "none"})
    jobs = r.jobs
    return np.sort(np.asarray(jobs["arrival_s"], dtype=float))


class SchedulingEnv(gym.Env):
    """Pick which waiting job starts where, at each decision instant of a hetsim run.

    Args:
        scenario: a scenario file (its policy is replaced by the agent).
        set: overrides for every episode (as ``hetsim.run``'s ``set``).
        k: waiting jobs shown (observation slots).
        order: ``"arrival"`` (default) or ``"size"``: which waiting jobs fill the
            slots and in what order.
        window_jobs: jobs per episode, a window of the trace (None: the whole
            scenario every episode).
        windows: start jobs (indices in release order) to draw from (default: every
            start that leaves a whole window).
        trace: which of the scenario's traces the window applies to.
        reward: ``"bsld"``, ``"energy"``, ``"mix"`` or a function of the summary.
        weights: (bounded slowdown, kWh) weights of ``"mix"``.
    """

    metadata = {"render_modes": []}

    def __init__(
        self,
        scenario: Union[str, "os.PathLike[str]"],
        set: Optional[Mapping[str, Any]] = None,
        k: int = 16,
        order: str = "arrival",
        window_jobs: Optional[int] = None,
        windows: Optional[Sequence[int]] = None,
        trace: int = 0,
        reward: Reward = "bsld",
        weights: Tuple[float, float] = (1.0, 1.0),
    ):
        super().__init__()
        if order not in ("arrival", "size"):
            raise ValueError("order is 'arrival' or 'size'")
        if not callable(reward) and reward not in ("bsld", "energy", "mix"):
            raise ValueError("reward is 'bsld', 'energy', 'mix' or a function of the summary")
        self.scenario = os.fspath(scenario)
        self.base = dict(set or {})
        self.k = int(k)
        self.order = order
        self.window_jobs = window_jobs
        self.trace = trace
        self.reward_spec = reward
        self.weights = weights
        # One run of the scenario gives its shape (classes, kinds) and its arrivals.
        probe = _run(self.scenario, policy="fcfs", set={**self.base, "output.power": "none"})
        per_class = probe.per_class
        self.class_names: List[str] = [str(c) for c in _index(per_class, "class")]
        self.class_sizes = np.asarray(_col(per_class, "devices"), dtype=float)
        self.kinds = max(1, len(_index(probe.per_kind, "kind")))
        self.classes = len(self.class_names)
        self.arrivals = np.sort(np.asarray(probe.jobs["arrival_s"], dtype=float))
        if window_jobs is not None:
            n = len(self.arrivals) - int(window_jobs)
            if n < 0:
                raise ValueError(f"the trace has {len(self.arrivals)} jobs, fewer than window_jobs={window_jobs}")
            self.windows = np.asarray(windows if windows is not None else range(n + 1), dtype=int)
        else:
            self.windows = None
        size = self.k * JOB_FEATURES + 2 * self.classes + 1
        self.observation_space = spaces.Box(0.0, np.inf, shape=(size,), dtype=np.float32)
        self.action_space = spaces.Discrete(self.k * self.classes + 1)
        self._sim: Optional[_hetsim.GymSim] = None
        self._slots: List[tuple] = []
        self._all: List[tuple] = []
        self._can_wait = True
        self._last_obs = np.zeros(size, dtype=np.float32)
        self.last_summary: Optional[Dict[str, Any]] = None
        self.last_jobs: Any = None

    # -- episode -----------------------------------------------------------------

    def episode_settings(self) -> Dict[str, Any]:
        """The overrides of the next episode, drawn from ``self.np_random``."""
        s = dict(self.base)
        if self.windows is not None:
            start = int(self.windows[self.np_random.integers(len(self.windows))])
            t = f"workload.traces[{self.trace}]"
            s[f"{t}.from"] = float(self.arrivals[start])
            s[f"{t}.limit"] = int(self.window_jobs)
            self.window_start = start
        self.last_seed = int(self.np_random.integers(2**31))
        s["seed"] = self.last_seed
        return s

    def reset(self, *, seed: Optional[int] = None, options: Optional[dict] = None):
        super().reset(seed=seed)
        self._sim = None  # drops the previous episode's channels: its thread ends
        settings = self.episode_settings()
        self._sim = _hetsim.GymSim(self.scenario, _overrides(None, None, settings))
        obs, _, done, info = self._advance()
        self._done_at_reset = done
        return obs, info

    def step(self, action):
        if self._sim is None:
            raise RuntimeError("call reset() first")
        if self._done_at_reset:
            self._done_at_reset = False
            self._sim = None
            return self._last_obs, self._final_reward(), True, False, {"summary": self.last_summary}
        a = int(action)
        slot, cls = divmod(a, self.classes)
        if slot < len(self._slots) and self._slots[slot][5][cls]:
            self._sim.act(int(self._slots[slot][0]), cls)
        elif self._can_wait:
            self._sim.act(None)
        else:
            # Nothing runs: waiting could stall the run for good. Start the first
            # job that fits (slot order, then release order) on its first class.
            job, c = next((j[0], f.index(True)) for j in self._all for f in [j[5]] if any(f))
            self._sim.act(int(job), c)
        obs, reward, done, info = self._advance()
        return obs, reward, done, False, info

    def _advance(self):
        msg = self._sim.next()
        if msg[0] == "done":
            _, summary, csv = msg
            self.last_summary = json.loads(summary)
            self.last_jobs = _read_csv(bytes(csv))
            self._sim = None
            self._slots, self._all, self._can_wait = [], [], True
            info = {"summary": self.last_summary, "action_mask": self._mask()}
            return self._last_obs, self._final_reward(), True, info
        _, now, jobs, free, headroom, self._can_wait = msg
        if self.order == "size":
            jobs = sorted(jobs, key=lambda j: (j[2], j[0]))
        self._slots = jobs[: self.k]
        self._all = jobs
        obs = np.zeros(self.observation_space.shape, dtype=np.float32)
        big = float(self.class_sizes.max()) if len(self.class_sizes) else 1.0
        for i, (_, devices, size_ns, wait_s, kind, fits) in enumerate(self._slots):
            o = i * JOB_FEATURES
            obs[o : o + JOB_FEATURES] = (
                1.0,
                devices / big,
                math.log1p(size_ns / 1e9),
                math.log1p(max(wait_s, 0.0)),
                kind / self.kinds,
                1.0 if any(fits) else 0.0,
            )
        o = self.k * JOB_FEATURES
        total = float(self.class_sizes.sum()) or 1.0
        for c in range(self.classes):
            obs[o + 2 * c] = free[c] / max(self.class_sizes[c], 1.0)
            obs[o + 2 * c + 1] = self.class_sizes[c] / total
        obs[-1] = 1.0 if math.isinf(headroom) else max(0.0, math.tanh(headroom / 1000.0))
        self._last_obs = obs
        return obs, 0.0, False, {"action_mask": self._mask(), "now": now, "waiting": len(jobs)}

    def _mask(self) -> np.ndarray:
        m = np.zeros(self.action_space.n, dtype=np.int8)
        for i, j in enumerate(self._slots):
            for c, f in enumerate(j[5]):
                if f:
                    m[i * self.classes + c] = 1
        m[-1] = 1 if self._can_wait or not self._slots else 0
        return m

    def _final_reward(self) -> float:
        s = self.last_summary or {}
        if callable(self.reward_spec):
            return float(self.reward_spec(s))
        bsld = float(s.get("bounded_slowdown_mean") or 0.0)
        kwh = float(s.get("energy_facility_j") or 0.0) / 3.6e6
        if self.reward_spec == "bsld":
            return -bsld
        if self.reward_spec == "energy":
            return -kwh
        return -(self.weights[0] * bsld + self.weights[1] * kwh)

    def close(self):
        self._sim = None


def _index(table: Any, name: str) -> List[Any]:
    if hasattr(table, "index"):
        return list(table.index)
    return list(table.get(name, []))


def _col(table: Any, name: str) -> Any:
    return table[name]
