#!/usr/bin/env bash
# Compares the main placement policies on each application scenario, and the
# heterogeneous mix against homogeneous datacenters of (about) equal busy power.
#
# Usage: scenarios/compare.sh [OUT_DIR]      (default reports/compare)
# Writes OUT_DIR/<scenario>-<variant>-<policy>/ run folders and prints a Markdown table
# (also saved as OUT_DIR/table.md). Needs a release build: cargo build --release.
#
# llm-cluster has no homogeneous variant: its serving instances need the H100 and
# A100 classes (Splitwise-HA), so only the policies of its jobs are compared.
#
# Equal power: the homogeneous variants replace every class with one class whose
# total busy power is as close as possible to the mix's (busy power, not cost: the
# stored sources have no device prices). Their speeds and powers are the mix's own
# figures for that device.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${HETSIM:-target/release/hetsim}
OUT=${1:-reports/compare}
mkdir -p "$OUT"
POLICIES=${POLICIES:-"fcfs fastest min-energy eft"}

# name | scenario file | --set for the datacenter ("" = as shipped)
CPU_M='{cpu: {category: cpu, count: 7, speed: {inspection: 40, fault-prediction: 100, production-optimisation: 400}, idle_power: 52.3W, busy_power: 457W, memory: 384GB}}'
GPU_M='{gpu: {category: gpu, count: 8, speed: {inspection: 400, fault-prediction: 2000, production-optimisation: 1600}, idle_power: 60W, busy_power: 400W, memory: 80GB}}'
GPU_T='{gpu: {category: gpu, count: 4, speed: {perception: 4680, roadside: 500, flow-prediction: 10000, road-condition: 31200}, idle_power: 60W, busy_power: 400W, memory: 80GB}}'
CPU_F='{cpu: {category: cpu, count: 11, speed: {trade-prediction: 40, news-sentiment: 200, risk-mc: 600, analytics: 600}, idle_power: 52.3W, busy_power: 457W, memory: 384GB}}'
GPU_F='{gpu: {category: gpu, count: 12, speed: {trade-prediction: 500, news-sentiment: 9360, risk-mc: 9750, analytics: 3000}, idle_power: 60W, busy_power: 400W, memory: 80GB}}'

RUNS=(
  "manufacturing|mix (3,078 W)|"
  "manufacturing|7 CPU servers (3,199 W)|$CPU_M"
  "manufacturing|8 A100 (3,200 W)|$GPU_M"
  "traffic|mix (1,770 W)|"
  "traffic|4 A100 (1,600 W)|$GPU_T"
  "finance|mix (4,906 W)|"
  "finance|11 CPU servers (5,027 W)|$CPU_F"
  "finance|12 A100 (4,800 W)|$GPU_F"
  "llm-cluster|mix (serving + jobs)|"
  "hpc-swf|100 nodes (45,700 W)|"
)

col() { # col FILE NAME: the value of column NAME in a one-row CSV
  awk -F, -v n="$2" 'NR==1{for(i=1;i<=NF;i++) if($i==n) c=i} NR==2{print $c}' "$1"
}

{
  echo "| scenario | datacenter | policy | facility energy (kWh) | carbon (kg) | p99 response (s) | deadline misses | makespan (h) |"
  echo "|---|---|---|---:|---:|---:|---:|---:|"
  for r in "${RUNS[@]}"; do
    IFS='|' read -r sc label classes <<<"$r"
    for p in $POLICIES; do
      dir="$OUT/$sc-$(echo "$label" | tr -c 'a-zA-Z0-9\n' '_' | cut -c1-24)-$p"
      args=(run "scenarios/$sc.yaml" --policy "$p" --no-charts -q --out "$dir")
      if [ -n "$classes" ]; then args+=(--set "datacenter.classes=$classes"); fi
      "$BIN" "${args[@]}"
      s="$dir/summary.csv"
      awk -v sc="$sc" -v lb="$label" -v p="$p" \
        -v e="$(col "$s" energy_facility_j)" -v c="$(col "$s" carbon_g)" \
        -v r="$(col "$s" response_p99_s)" -v m="$(col "$s" deadline_miss_rate)" \
        -v w="$(col "$s" jobs_with_deadline)" -v k="$(col "$s" makespan_s)" \
        'BEGIN{printf "| %s | %s | %s | %.1f | %.1f | %.3g | %s | %.1f |\n", sc, lb, p, e/3.6e6, c/1000, r, (w>0? sprintf("%.2f%%", 100*m) : "-"), k/3600}'
    done
  done
} | tee "$OUT/table.md"
