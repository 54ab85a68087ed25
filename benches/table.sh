#!/usr/bin/env bash
# Prints the performance table of the README, every row measured now on this machine:
#   1. benches/table.rs: hetsim against bare references written in the bench
#      (M/M/16, bench-1m with and without outputs, job-list loading, 10^7 jobs,
#      sweep threads), peak RSS per case;
#   2. benches/peers/run.sh: against SimPy on the same models, default outputs and
#      like for like;
#   3. benches/peers/simgrid/run.sh: against SimGrid (C++, S4U), identical schedules.
#
#   benches/table.sh                 # REPS=5; about 15 min on 2 cores
#   REPS=3 JOBS=100000 benches/table.sh
#   BIG=0 benches/table.sh           # skip the 10^7-job row (writes a 2 GB jobs.csv)
#
# One release build (fat LTO) gives both the hetsim binary and the bench.
set -euo pipefail
cd "$(dirname "$0")/.."
REPS="${REPS:-5}"
cargo build --release --quiet --bin hetsim --bench table
BENCH=$(find target/release/deps -maxdepth 1 -type f -executable -name 'table-*' -printf '%T@ %p\n' | sort -n | tail -1 | cut -d' ' -f2)
flags=(--reps "$REPS" --sweep)
[ "${BIG:-1}" = 1 ] && flags+=(--big)
"$BENCH" "${flags[@]}"
echo
HETSIM=target/release/hetsim REPS="$REPS" benches/peers/run.sh
echo
TABLE_BENCH="$BENCH" HETSIM=target/release/hetsim REPS="$REPS" benches/peers/simgrid/run.sh
