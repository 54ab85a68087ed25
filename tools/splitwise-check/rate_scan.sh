#!/bin/sh
# Highest Poisson rate (req/s) at which each configuration of llm-serving.yaml meets
# Splitwise's slowdown SLOs, seeds 1-3 (all three must pass). Prints config,rate,seed,verdict.
HS=${HS:-./target/release/hetsim}
for c in baseline-a100 baseline-h100 splitwise-aa splitwise-hh splitwise-ha; do
  for r in 1 2 3 4 5 6 7 8 9 10 12 14 16 18 20 24 28 32; do
    for s in 1 2 3; do
      $HS run scenarios/llm-serving.yaml --quiet --no-charts --seed $s --set serving.config=$c \
        --set serving.requests.rate=$r --out ${TMPDIR:-/tmp}/scan-$c-$r-$s
      python3 -c "import json;d=json.load(open('${TMPDIR:-/tmp}/scan-$c-$r-$s/summary.json'));print('$c,$r,$s',d['slo_met'],d['output_tokens_per_s'],d['energy_per_output_token_j'],d['power_mean_w'],sep=',')"
      rm -rf ${TMPDIR:-/tmp}/scan-$c-$r-$s
    done
  done
done
