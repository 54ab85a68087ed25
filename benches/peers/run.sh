#!/usr/bin/env bash
# hetsim vs SimPy on the same models (see compare.py for what is measured).
#
#   benches/peers/run.sh              # 5 replications of 2x10^5 jobs per model
#   REPS=3 JOBS=50000 benches/peers/run.sh
#   HETSIM=path/to/hetsim benches/peers/run.sh   # skip the release build
#
# Creates a virtual environment in target/peers-venv, installs SimPy there with pip,
# builds hetsim in release mode, and prints two Markdown tables: speed (jobs/s,
# events/s, ratio) and agreement (mean wait, energy, utilisation; Erlang C for M/M/c).
# Run folders and results.json go to target/peers-runs.
set -euo pipefail
cd "$(dirname "$0")/../.."
REPS="${REPS:-5}"
JOBS="${JOBS:-200000}"
SIMPY_VERSION="${SIMPY_VERSION:-4.1.2}"
VENV=target/peers-venv

if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "simpy==$SIMPY_VERSION"

if [ -z "${HETSIM:-}" ]; then
    cargo build --release --quiet
    HETSIM=target/release/hetsim
fi

"$VENV/bin/python" benches/peers/compare.py --hetsim "$HETSIM" --reps "$REPS" --jobs "$JOBS"
