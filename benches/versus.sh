#!/usr/bin/env bash
# Compares hetsim binaries on one scenario, interleaved (A B C, A B C, ...) so a busy
# machine slows each alike; prints per binary the median CPU seconds (user + system),
# wall seconds and peak RSS over the rounds, and its CPU ratio to the first binary.
#
#   benches/versus.sh OLD_BINARY NEW_BINARY [MORE ...]
#   ROUNDS=5 SCENARIO=scenarios/bench-1m.yaml ARGS="--no-charts" benches/versus.sh A B
#
# Used for "decision instants must not make bench-1m slower": the binary from before
# them against the current one, same scenario, same flags, same run.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS="${ROUNDS:-3}"
SCENARIO="${SCENARIO:-scenarios/bench-1m.yaml}"
ARGS="${ARGS:---no-charts}"
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
declare -A cpu wall rss
for _ in $(seq "$ROUNDS"); do
  for b in "$@"; do
    # shellcheck disable=SC2086
    /usr/bin/time -f "%U %S %e %M" -o "$OUT/t" "$b" run "$SCENARIO" $ARGS -q --out "$OUT/run" >/dev/null 2>&1
    read -r u s e m <"$OUT/t"
    cpu[$b]+="$(echo "$u + $s" | bc) "
    wall[$b]+="$e "
    rss[$b]+="$m "
    rm -rf "$OUT/run"
  done
done
median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
first=""
printf '%-40s %8s %8s %8s %8s\n' binary cpu_s wall_s rss_mb ratio
for b in "$@"; do
  c=$(echo "${cpu[$b]}" | median)
  w=$(echo "${wall[$b]}" | median)
  r=$(echo "${rss[$b]}" | median)
  [ -z "$first" ] && first=$c
  printf '%-40s %8.2f %8.2f %8.0f %8.2f\n' "$b" "$c" "$w" "$(echo "$r / 1024" | bc -l)" "$(echo "$c / $first" | bc -l)"
done
echo "($ROUNDS interleaved rounds, medians; $SCENARIO $ARGS)"
