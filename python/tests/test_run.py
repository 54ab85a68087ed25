"""hetsim.run and hetsim.sweep: results as tables equal to the run folder's files,
and located errors."""

import json
import math

import numpy as np
import pytest

import hetsim
from conftest import SCENARIOS

MMC = str(SCENARIOS / "mmc.yaml")
SMALL = {"workload.kinds.request.arrival.count": 2000}


def test_tables_equal_the_files_of_the_same_run(tmp_path):
    mem = hetsim.run(MMC, policy="eft", seed=3, set=SMALL)
    disk = hetsim.run(MMC, policy="eft", seed=3, set=SMALL, out=tmp_path / "r", charts=False)
    assert mem.dir is None and disk.dir == tmp_path / "r"
    assert (tmp_path / "r" / "jobs.csv").exists()
    assert mem.summary["jobs_completed"] == len(mem.jobs) > 0
    assert mem.summary["policy"] == "eft" and mem.summary["seed"] == 3
    for a, b in [(mem.jobs, disk.jobs), (mem.devices, disk.devices), (mem.power, disk.power)]:
        assert list(a.columns) == list(b.columns)
        assert a.equals(b)
    # The summary's own per-class job counts are the job table's.
    by_class = mem.jobs.groupby("class").size().to_dict()
    for c, row in mem.per_class.iterrows():
        assert row["jobs"] == by_class.get(c, 0)


def test_seed_and_settings_reach_the_simulation():
    a = hetsim.run(MMC, seed=1, set=SMALL)
    b = hetsim.run(MMC, seed=1, set=SMALL)
    c = hetsim.run(MMC, seed=2, set=SMALL)
    assert a.jobs.equals(b.jobs)
    assert not a.jobs["arrival_s"].equals(c.jobs["arrival_s"])
    pue = hetsim.run(MMC, seed=1, set={**SMALL, "datacenter.pue": 1.5})
    assert math.isclose(pue.summary["energy_facility_j"], 1.5 * pue.summary["energy_it_j"], rel_tol=1e-9)
    # Energy per device adds up to the IT energy (a conservation law, not a copy).
    assert math.isclose(a.devices["energy_j"].sum(), a.summary["energy_it_j"], rel_tol=1e-9)


def test_bad_setting_is_an_input_error_naming_the_field():
    with pytest.raises(hetsim.InputError) as e:
        hetsim.run(MMC, set={"datacenter.pue": -1})
    assert e.value.field == "datacenter.pue"
    assert e.value.file.endswith("mmc.yaml")
    assert "negative" in e.value.message


def test_bad_file_is_located_by_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    text = (SCENARIOS / "mmc.yaml").read_text().replace("policy:", "policy:\n  nmae: x\n  #", 1)
    bad.write_text(text)
    with pytest.raises(hetsim.InputError) as e:
        hetsim.run(bad)
    assert e.value.line is not None and e.value.line > 1
    assert "nmae" in str(e.value)


def test_unknown_policy_has_a_hint():
    with pytest.raises(hetsim.InputError) as e:
        hetsim.run(MMC, policy="no-such-policy", set=SMALL)
    assert e.value.field == "policy"
    assert "hetsim policies" in e.value.hint


def test_sweep_engine_and_python_policy_sweep_share_the_plan(tmp_path):
    doc = {
        "scenario": MMC,
        "set": {"workload.kinds.request.arrival.count": 300},
        "axes": {"datacenter.classes.server.count": [12, 16]},
        "replications": 2,
    }
    eng = hetsim.sweep(dict(doc, axes={**doc["axes"], "policy.name": ["fcfs"]}), jobs=1)
    assert len(eng.runs) == 4 and len(eng.points) == 2

    class Fcfs(hetsim.Policy):
        name = "py-fcfs"

        def decide(self, view):
            for job in view.waiting:
                if view.free_count(0) < job.devices:
                    return
                view.assign(job, 0)

    py = hetsim.sweep(dict(doc, axes={**doc["axes"], "policy.name": ["fcfs"]}), policy=Fcfs)
    assert list(py.runs["seed"]) == list(eng.runs["seed"])
    # mmc has one class: FCFS in Python schedules exactly as the built-in.
    for k in ["response_mean_s", "energy_it_j", "jobs_completed"]:
        np.testing.assert_allclose(py.runs[k].to_numpy(float), eng.runs[k].to_numpy(float), rtol=1e-12)


def test_without_pandas_tables_are_dicts_of_numpy_arrays(monkeypatch):
    with_pd = hetsim.run(MMC, seed=2, set=SMALL)
    monkeypatch.setattr(hetsim, "_pd", None)
    r = hetsim.run(MMC, seed=2, set=SMALL)
    assert isinstance(r.jobs, dict) and isinstance(r.jobs["start_s"], np.ndarray)
    assert list(r.jobs) == list(with_pd.jobs.columns)
    np.testing.assert_array_equal(r.jobs["id"], with_pd.jobs["id"].to_numpy())
    np.testing.assert_array_equal(r.jobs["energy_j"], with_pd.jobs["energy_j"].to_numpy())
    assert list(r.per_class["class"]) == list(with_pd.per_class.index)
    np.testing.assert_array_equal(r.devices["energy_j"], with_pd.devices["energy_j"].to_numpy())


def test_a_bad_sweep_axis_value_is_located():
    with pytest.raises(hetsim.InputError) as e:
        hetsim.sweep({"scenario": MMC, "set": SMALL, "axes": {"datacenter.pue": [1.2, -3]}})
    assert "pue" in e.value.field
    assert "negative" in e.value.message


def test_help_of_run_documents_its_arguments():
    doc = hetsim.run.__doc__
    for word in ["policy", "seed", "set", "out", "InputError", "DataFrame"]:
        assert word in doc
