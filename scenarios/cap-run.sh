#!/bin/sh
# The cap run: manufacturing with a 1.2 kW IT cap 12:00-16:00, sleep states and
# P-states on every class, idle-timeout (60 s) and power-capped.
# Usage: scenarios/cap-run.sh HETSIM_BINARY OUT_DIR [extra args]   (from the repository root)
# The sleep and P-state figures are assumptions for the experiment, not measurements.
BIN=$1; OUT=$2; shift 2
SC=${SC:-scenarios/manufacturing.yaml}
exec "$BIN" run "$SC" --out "$OUT" \
  --set 'datacenter.power_cap={points: [[0h, 1MW], [12h, 1.2kW], [16h, 1MW]]}' \
  --set 'datacenter.classes.cpu.sleep={power: 10W, wake_latency: 30s, sleep_latency: 5s}' \
  --set 'datacenter.classes.gpu.sleep={power: 20W, wake_latency: 10s, sleep_latency: 2s}' \
  --set 'datacenter.classes.fpga.sleep={power: 10W, wake_latency: 5s, sleep_latency: 1s}' \
  --set 'datacenter.classes.cpu.pstates=[{speed: 0.8, power: 0.6}, {speed: 0.6, power: 0.4}]' \
  --set 'datacenter.classes.gpu.pstates=[{speed: 0.8, power: 0.6}, {speed: 0.6, power: 0.4}]' \
  --set 'datacenter.classes.fpga.pstates=[{speed: 0.8, power: 0.6}, {speed: 0.6, power: 0.4}]' \
  --set 'power_manager={name: idle-timeout, params: {timeout: 60s}}' \
  --set 'policy.name=power-capped' "$@"
