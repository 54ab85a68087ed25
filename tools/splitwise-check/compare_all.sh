#!/bin/sh
# For each trace name given, runs hetsim's five llm-serving configurations on
# /tmp/splitwise-sim/traces/NAME.csv and compares with splitwise-sim's results.
# Usage (from the hetsim checkout): compare_all.sh hs_code_10 hs_conv_10 ...
HS=${HS:-./target/release/hetsim}
PY=${PY:-python3}
SW=${SW:-/tmp/splitwise-sim}
D=$(dirname "$0")
for T in "$@"; do
  for pair in "baseline-a100 baseline/$T/4_0/llama2-70b/token_jsq" \
              "baseline-h100 baseline/$T/0_4/llama2-70b/token_jsq" \
              "splitwise-aa splitwise_2_2/$T/4_0/llama2-70b/mixed_pool" \
              "splitwise-hh splitwise_2_2/$T/0_4/llama2-70b/mixed_pool" \
              "splitwise-ha splitwise_1_1/$T/2_2/llama2-70b/mixed_pool"; do
    set -- $pair
    $HS run scenarios/llm-serving.yaml --quiet --no-charts --set serving.config=$1 \
      --set serving.requests.format=splitwise --set serving.requests.file=$SW/traces/$T.csv \
      --set serving.requests.rate=null --set serving.requests.until=null --out ${TMPDIR:-/tmp}/hs-$T-$1
    $PY $D/compare.py ${TMPDIR:-/tmp}/hs-$T-$1 $SW/results/0/$2 "$T $1"
  done
done
