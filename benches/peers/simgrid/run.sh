#!/usr/bin/env bash
# hetsim vs SimGrid (C++, S4U, host energy plugin) on the same FCFS model: 50
# heterogeneous hosts, 10^5 jobs from one CSV job list. Checks that both simulators
# produce the same schedule and energy, then compares process CPU time.
#
#   benches/peers/simgrid/run.sh                # needs Debian's libsimgrid-dev, g++
#   REPS=3 HETSIM=path/to/hetsim benches/peers/simgrid/run.sh
#   TABLE_BENCH=path/to/table-bench-binary ...   # skip building the bench
#
# The model's files are written by `cargo bench --bench table -- --gen DIR`.
set -euo pipefail
cd "$(dirname "$0")/../../.."
REPS="${REPS:-5}"
OUT=target/peers-simgrid
mkdir -p "$OUT"
g++ -O3 -std=c++17 -o "$OUT/fcfs" benches/peers/simgrid/fcfs.cpp -lsimgrid
if [ -z "${HETSIM:-}" ]; then
    cargo build --release --quiet
    HETSIM=target/release/hetsim
fi
if [ -n "${TABLE_BENCH:-}" ]; then
    "$TABLE_BENCH" --gen "$OUT/model"
else
    cargo bench --quiet --bench table -- --gen "$OUT/model"
fi
python3 benches/peers/simgrid/compare.py --hetsim "$HETSIM" --simgrid "$OUT/fcfs" --dir "$OUT/model" --reps "$REPS"
