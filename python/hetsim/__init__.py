"""hetsim from Python: runs and sweeps as DataFrames, policies written in Python.

The simulation is hetsim's own (the Rust crate, compiled into ``hetsim._hetsim``);
this module turns the files a run writes into DataFrames, so a DataFrame and the
``hetsim run`` CSV file of the same scenario and seed hold the same values.

    >>> import hetsim
    >>> r = hetsim.run("scenarios/manufacturing.yaml", policy="eft", seed=1,
    ...                set={"datacenter.pue": 1.3})
    >>> r.summary["energy_facility_j"], len(r.jobs)

Without pandas, the tables are plain dicts of numpy arrays (column name -> array).
``hetsim.gym.SchedulingEnv`` is the Gymnasium environment (needs gymnasium).
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Union

import numpy as np

from . import _hetsim
from ._hetsim import Done, HetsimError, InputError, Job, SimulationError, View

__all__ = [
    "run",
    "sweep",
    "Policy",
    "Result",
    "SweepResult",
    "Job",
    "View",
    "Done",
    "HetsimError",
    "InputError",
    "SimulationError",
    "__version__",
]

__version__: str = _hetsim.version()

try:  # pandas is optional
    import pandas as _pd
except ImportError:  # pragma: no cover - exercised only without pandas
    _pd = None

PathLike = Union[str, "os.PathLike[str]"]
Table = Any  # pandas.DataFrame, or Dict[str, numpy.ndarray] without pandas


class Policy:
    """Base class of a placement policy written in Python (subclassing is optional:
    any object with a ``decide`` method works).

    The simulation calls, at each decision instant (every event of a time applied):

    - ``on_arrival(self, job, view)`` (optional): a job was released. It is already
      in ``view.waiting``; place it now or leave it for ``decide``.
    - ``decide(self, view)`` (required): once per instant where devices were freed or
      jobs released while jobs wait.
    - ``on_complete(self, done)`` (optional): a job finished (``done.job``,
      ``done.devices``, ``done.start``, ``done.end``, ``done.killed``).
    - ``wakeup(self) -> float | None`` (optional): a time (s) at which to be called
      again (``on_tick(self, view)``, default ``decide``). Asked after every event.

    Place jobs with ``view.assign(job, cls)`` (start now on free devices of class
    ``cls``), ``view.assign_earliest(job, cls)`` (queue behind committed work) or
    ``view.assign_devices(job, [ids])``; or return a list of ``(job, cls)`` or
    ``(job, [ids])`` pairs. ``view`` is read-only otherwise and valid only during
    the call. An exception in a callback ends the run and is raised by ``run``.
    """

    #: Name recorded as the summary's ``policy``.
    name: str = "python"

    def decide(self, view: View) -> Optional[Sequence[tuple]]:
        """Place waiting jobs (default: nothing)."""
        return None


def _overrides(seed: Optional[int], policy: Any, set: Optional[Mapping[str, Any]]) -> List[str]:
    out = []
    if isinstance(policy, str):
        out.append("policy=" + json.dumps({"name": policy}))
    elif isinstance(policy, Mapping):
        spec = dict(policy)
        name = spec.pop("name", None)
        params = spec.pop("params", {}) or {}
        params.update(spec)  # {"name": "batch", "order": "sjf"}: parameters inline
        doc: Dict[str, Any] = {"params": params} if params else {}
        if name is not None:
            doc["name"] = name
        out.append("policy=" + json.dumps(doc))
    for k, v in (set or {}).items():
        out.append(f"{k}=" + json.dumps(v))
    if seed is not None:
        out.append(f"seed={int(seed)}")
    return out


def _is_python_policy(policy: Any) -> bool:
    return policy is not None and not isinstance(policy, (str, Mapping))


def _columns(rows: List[List[str]], header: List[str]) -> Dict[str, np.ndarray]:
    cols: Dict[str, np.ndarray] = {}
    for i, name in enumerate(header):
        raw = [r[i] if i < len(r) else "" for r in rows]
        arr: np.ndarray
        try:
            ints = [int(x) for x in raw]
            arr = np.array(ints, dtype=np.int64)
        except ValueError:
            try:
                arr = np.array([float(x) if x != "" else np.nan for x in raw], dtype=np.float64)
            except ValueError:
                arr = np.array(raw, dtype=object)
        cols[name] = arr
    return cols


def _read_csv(data: Union[Path, bytes]) -> Table:
    """A CSV file (or its bytes) as a DataFrame, or a dict of numpy arrays."""
    if isinstance(data, Path):
        if not data.exists():
            gz = data.with_name(data.name + ".gz")
            if gz.exists():
                data = gz
            else:
                return _pd.DataFrame() if _pd is not None else {}
    if _pd is not None:
        src = io.BytesIO(data) if isinstance(data, bytes) else data
        # Device lists ("0;1;2") and class names stay strings.
        return _pd.read_csv(src, dtype={"devices": str, "class": str, "kind": str})
    if isinstance(data, bytes):
        text = data.decode()
    elif data.suffix == ".gz":
        import gzip

        text = gzip.decompress(data.read_bytes()).decode()
    else:
        text = data.read_text()
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return {}
    return _columns(rows[1:], rows[0])


def _table_of(mapping: Mapping[str, Mapping[str, Any]], index: str) -> Table:
    """``{name: {field: value}}`` as a table with one row per name."""
    names = list(mapping)
    fields: List[str] = []
    for v in mapping.values():
        for k in v:
            if k not in fields:
                fields.append(k)
    if _pd is not None:
        return _pd.DataFrame.from_records(
            [dict(v) for v in mapping.values()], index=_pd.Index(names, name=index), columns=fields
        )
    out: Dict[str, np.ndarray] = {index: np.array(names, dtype=object)}
    for f in fields:
        out[f] = np.array([v.get(f) for v in mapping.values()])
    return out


@dataclass
class Result:
    """What ``run`` returns.

    Attributes:
        summary: summary.json as a dict (every metric of the run).
        jobs: jobs.csv, one row per finished job.
        devices: devices.csv, one row per device.
        power: power.csv (the power series), empty if the scenario writes none.
        per_kind: the summary's per-kind metrics, one row per job kind.
        per_class: the summary's per-class metrics, one row per device class.
        dir: the run folder when ``out`` was given, else None.
    """

    summary: Dict[str, Any]
    jobs: Table
    devices: Table
    power: Table
    per_kind: Table
    per_class: Table
    dir: Optional[Path] = None

    def __repr__(self) -> str:
        n = len(self.jobs["id"]) if "id" in self.jobs else 0
        return f"<hetsim.Result {self.summary.get('scenario')!r} policy={self.summary.get('policy')!r} jobs={n}>"


def _result_from(dir: Path, keep: bool) -> Result:
    summary = json.loads((dir / "summary.json").read_text())
    return Result(
        summary=summary,
        jobs=_read_csv(dir / "jobs.csv"),
        devices=_read_csv(dir / "devices.csv"),
        power=_read_csv(dir / "power.csv"),
        per_kind=_table_of(summary.get("per_kind") or {}, "kind"),
        per_class=_table_of(summary.get("per_class") or {}, "class"),
        dir=dir if keep else None,
    )


def run(
    scenario: PathLike,
    policy: Union[None, str, Mapping[str, Any], Any] = None,
    seed: Optional[int] = None,
    set: Optional[Mapping[str, Any]] = None,
    out: Optional[PathLike] = None,
    charts: bool = True,
) -> Result:
    """Run one scenario and return its results.

    Args:
        scenario: a scenario file (.yaml, .yml or .json), as for ``hetsim run``.
        policy: a built-in policy name (``"eft"``), a mapping of policy settings
            (``{"name": "sjf", "key": "runtime"}``), or a Python policy object (see
            ``hetsim.Policy``). None: the scenario's own.
        seed: the run's seed (None: the scenario's ``seed``).
        set: overrides by field path, as ``hetsim run --set PATH=VALUE``
            (``{"datacenter.pue": 1.3, "workload.traces[0].limit": 500}``).
        out: write the run folder there too (charts and index.html included unless
            ``charts=False``); None writes it to a temporary folder that is read and
            removed, so the tables are exactly the files ``hetsim run`` writes.
        charts: draw the charts when ``out`` is given.

    Returns:
        A ``Result``: ``summary`` (dict), ``jobs``, ``devices``, ``power``,
        ``per_kind``, ``per_class`` (DataFrames, or dicts of numpy arrays without
        pandas).

    Raises:
        InputError: a bad scenario, setting or policy name; ``e.file``, ``e.line``,
            ``e.column``, ``e.field``, ``e.message`` and ``e.hint`` locate it.
        SimulationError: the run failed (e.g. a policy made an invalid decision).
        Exception: whatever a Python policy's callback raised.
    """
    overrides = _overrides(seed, policy, set)
    obj = policy if _is_python_policy(policy) else None
    if out is not None:
        d = _hetsim.run_folder(os.fspath(scenario), overrides, Path(out), charts, obj)
        return _result_from(Path(d), keep=True)
    tmp = tempfile.mkdtemp(prefix="hetsim-")
    try:
        d = _hetsim.run_folder(os.fspath(scenario), overrides, Path(tmp) / "run", False, obj)
        return _result_from(Path(d), keep=False)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@dataclass
class SweepResult:
    """What ``sweep`` returns.

    Attributes:
        runs: one row per run in plan order (run, point, replication, one column per
            axis, seed, then the summary's scalar metrics), as runs.csv.
        points: per point: the axis values and, per metric, ``<metric>_mean``,
            ``_std`` and ``_ci95`` (summary.csv). None for a Python-policy sweep (use
            ``runs`` grouped by ``point``).
        dir: the sweep folder when ``out`` was given, else None.
    """

    runs: Table
    points: Optional[Table]
    dir: Optional[Path] = None


def _sweep_file(sweep: Union[PathLike, Mapping[str, Any]], tmp: str) -> str:
    if not isinstance(sweep, Mapping):
        return os.fspath(sweep)
    doc = dict(sweep)
    if "scenario" not in doc:
        raise ValueError("a sweep given as a dict needs a `scenario` path")
    doc["scenario"] = os.path.abspath(os.fspath(doc["scenario"]))
    doc.setdefault("name", Path(doc["scenario"]).stem + "-sweep")
    path = os.path.join(tmp, "sweep.json")
    with open(path, "w") as f:
        json.dump(doc, f)
    return path


def sweep(
    sweep: Union[PathLike, Mapping[str, Any]],
    policy: Optional[Callable[[], Any]] = None,
    out: Optional[PathLike] = None,
    jobs: Optional[int] = None,
) -> SweepResult:
    """Run a parameter sweep and return its runs and per-point statistics.

    Args:
        sweep: a sweep file (as for ``hetsim sweep``), or the same document as a
            dict, e.g. ``{"scenario": "scenarios/mmc.yaml", "axes": {"policy.name":
            ["fcfs", "eft"]}, "replications": 3}`` (``scenario`` relative to the
            current directory).
        policy: a factory (a class or function) returning a fresh Python policy for
            every run; the runs then go one after another in this process, with the
            sweep's own plan and seeds. None: the sweep engine runs the scenario's
            policies in parallel.
        out: the sweep folder to write (engine sweeps; resumable as with ``hetsim
            sweep``); None: a temporary folder, removed.
        jobs: threads of an engine sweep (default: all cores).

    Raises:
        InputError: a bad sweep file, axis value or policy name (located).
        SimulationError: a run failed.
    """
    tmp = tempfile.mkdtemp(prefix="hetsim-sweep-")
    try:
        path = _sweep_file(sweep, tmp)
        if policy is not None:
            axes, rows = _hetsim.sweep_python(path, policy)
            return SweepResult(runs=_python_runs(axes, rows), points=None, dir=None)
        target = Path(out) if out is not None else Path(tmp) / "out"
        d = Path(_hetsim.sweep_folder(path, target, jobs))
        return SweepResult(
            runs=_read_csv(d / "runs.csv"),
            points=_read_csv(d / "summary.csv"),
            dir=d if out is not None else None,
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _python_runs(axes: List[str], rows: List[tuple]) -> Table:
    records = []
    for run_, point, rep, seed, cells, summary in rows:
        rec: Dict[str, Any] = {"run": run_, "point": point, "replication": rep}
        rec.update(dict(zip(axes, cells)))
        rec["seed"] = seed
        for k, v in json.loads(summary).items():
            if not isinstance(v, (dict, list)):
                rec[k] = v
        records.append(rec)
    if _pd is not None:
        return _pd.DataFrame.from_records(records)
    keys: List[str] = []
    for r in records:
        keys.extend(k for k in r if k not in keys)
    return {k: np.array([r.get(k) for r in records]) for k in keys}
