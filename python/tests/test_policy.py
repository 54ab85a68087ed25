"""Python policies: the SJF equivalence on the KTH-SP2 replay, the view's contract,
and errors raised in callbacks."""

import filecmp

import pytest

import hetsim
from conftest import SCENARIOS, shared
from sjf_policy import PythonSJF

MMC = str(SCENARIOS / "mmc.yaml")
SMALL = {"workload.kinds.request.arrival.count": 2000}


def test_python_sjf_gives_the_builtin_sjf_jobs_csv_on_kth_sp2(tmp_path):
    shared("swf", "KTH-SP2-1996-2.1-cln.swf.gz")
    sc = str(SCENARIOS / "hpc-swf.yaml")
    built = hetsim.run(sc, policy="sjf", out=tmp_path / "builtin", charts=False)
    py = hetsim.run(sc, policy=PythonSJF(), out=tmp_path / "python", charts=False)
    assert built.summary["jobs_completed"] == 28475  # the whole log
    assert py.summary["policy"] == "python-sjf"
    assert filecmp.cmp(tmp_path / "builtin" / "jobs.csv", tmp_path / "python" / "jobs.csv", shallow=False)
    # And the order differs from FCFS's, so the comparison can fail.
    fcfs = hetsim.run(sc, policy="fcfs", set={"output.power": "none"})
    assert not fcfs.jobs["start_s"].equals(built.jobs["start_s"])


def test_python_sjf_on_a_heterogeneous_scenario_matches_builtin():
    sc = str(SCENARIOS / "manufacturing.yaml")
    short = {"horizon": "2h"}
    built = hetsim.run(sc, policy="sjf", set=short)
    py = hetsim.run(sc, policy=PythonSJF(), set=short)
    assert len(built.jobs) > 1000
    assert built.jobs.equals(py.jobs)


def test_callbacks_see_releases_completions_and_the_clock():
    seen = {"arrivals": 0, "done": 0, "last_now": -1.0, "waiting_ok": True}

    class Watch(hetsim.Policy):
        def on_arrival(self, job, view):
            seen["arrivals"] += 1
            seen["waiting_ok"] &= view.job(job.id) is not None
            assert view.now == pytest.approx(job.arrival)

        def on_complete(self, done):
            seen["done"] += 1
            assert done.end >= done.start >= done.job.arrival

        def decide(self, view):
            assert view.now >= seen["last_now"]
            seen["last_now"] = view.now
            # Return decisions instead of calling assign.
            out = []
            free = view.free_count(0)
            for job in view.waiting[:free]:
                out.append((job.id, 0))
            return out

    r = hetsim.run(MMC, policy=Watch(), set=SMALL)
    assert seen["arrivals"] == seen["done"] == len(r.jobs) == 2000
    assert seen["waiting_ok"]


def test_free_count_includes_this_calls_placements():
    class Greedy(hetsim.Policy):
        def decide(self, view):
            for job in view.waiting:
                before = view.free_count(0)
                if before == 0:
                    break
                view.assign(job, 0)
                assert view.free_count(0) == before - 1
            # Asking for more than is free is refused, not applied.
            rest = view.waiting
            if rest and view.free_count(0) == 0:
                with pytest.raises(ValueError, match="free devices"):
                    view.assign(rest[0], 0)

    r = hetsim.run(MMC, policy=Greedy(), set=SMALL)
    assert len(r.jobs) == 2000


def test_an_exception_in_a_callback_is_raised_by_run():
    class Broken(hetsim.Policy):
        def decide(self, view):
            raise KeyError("boom")

    with pytest.raises(KeyError, match="boom"):
        hetsim.run(MMC, policy=Broken(), set=SMALL)


def test_a_view_kept_after_its_callback_refuses_use():
    kept = []

    class Keep(hetsim.Policy):
        def decide(self, view):
            kept.append(view)
            for job in view.waiting[: view.free_count(0)]:
                view.assign(job, 0)

    hetsim.run(MMC, policy=Keep(), set=SMALL)
    with pytest.raises(RuntimeError, match="only valid during"):
        kept[0].now


def test_an_invalid_decision_is_a_simulation_error():
    class Wrong(hetsim.Policy):
        def decide(self, view):
            for job in view.waiting:
                view.assign_devices(job, [10_000])  # no such device

    with pytest.raises(hetsim.SimulationError):
        hetsim.run(MMC, policy=Wrong(), set=SMALL)


def test_placing_on_arrival_at_earliest_devices_equals_builtin_fastest():
    # The decisions/s benchmark's trivial policy: on one class, `fastest` also
    # commits each job on release to the class's earliest-available devices.
    class Trivial(hetsim.Policy):
        def on_arrival(self, job, view):
            view.assign_earliest(job, 0)

        def decide(self, view):
            return None

    built = hetsim.run(MMC, policy="fastest", set=SMALL)
    py = hetsim.run(MMC, policy=Trivial(), set=SMALL)
    assert built.jobs.equals(py.jobs)


def test_wakeup_calls_on_tick_at_the_asked_time():
    ticks = []

    class HoldUntil100(hetsim.Policy):
        def wakeup(self):
            return 100.0 if not ticks else None

        def on_tick(self, view):
            ticks.append(view.now)
            self.decide(view)

        def decide(self, view):
            if view.now < 100.0:
                return
            for job in view.waiting[: view.free_count(0)]:
                view.assign(job, 0)

    r = hetsim.run(MMC, policy=HoldUntil100(), set=SMALL)
    assert ticks == [100.0]
    assert len(r.jobs) == 2000
    assert r.jobs["start_s"].min() >= 100.0
    assert (r.jobs["arrival_s"] < 100.0).sum() > 100  # jobs did wait for the tick
