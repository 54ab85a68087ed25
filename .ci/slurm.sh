#!/usr/bin/env bash
# .ci/slurm.sh - install (apt) and start, or stop, a real one-node Slurm cluster
# (munged + slurmctld + slurmd from Debian's packages, no systemd, no cgroups) so
# that tests/integration/slurm.rs can submit hetsim sweep job arrays for real.
#
# Pitfalls it handles: munged must run as its own user; the node is named after
# localhost; batch_sched_delay=0 and config_overrides keep one node usable for
# arrays; job completion goes to jobcomp/filetxt (no sacct database).
#
# Usage:
#   bash .ci/slurm.sh start [--selftest]   install if needed, start (idempotent);
#                                          --selftest also runs an 8-task array
#   bash .ci/slurm.sh stop                 stop exactly the daemons started here
#   . "$SLURM_CI_DIR/env.sh"               afterwards: exports SLURM_CONF
#
# In .ci/run:   bash .ci/slurm.sh start && trap 'bash .ci/slurm.sh stop' EXIT
#
# Environment (all optional):
#   SLURM_CI_DIR          state/log/config directory          [/tmp/slurm-ci]
#   SLURM_CI_TIMEOUT      seconds to wait for the node        [60]
#   SLURM_CI_CPUS         CPUs the node advertises            [max(nproc, 8)]
#                         (may exceed nproc: config_overrides is set, so all
#                         shards of a small test array run in one wave)
#   SLURM_CI_MEM_MB       memory the node advertises, MB      [MemTotal]
#   SLURM_CI_CTLD_PORT    slurmctld port                      [6817]
#   SLURM_CI_SLURMD_PORT  slurmd port                         [6818]
#   SLURM_CI_NO_INSTALL=1 never run apt-get; fail if binaries are missing
#   SLURM_CI_SYSTEM_CONF=0 do not install /etc/slurm/slurm.conf (then every
#                         client call needs SLURM_CONF from env.sh)
#   SLURM_CI_KEEP_MUNGE=1 (stop) leave munged running
#
# Exit status: 0 when the node is idle and accepting jobs (start) or nothing of
# ours is left running (stop); non-zero with a message on stderr otherwise.
# Requires root and Debian/Ubuntu. Never kills by process name: only the PIDs in
# our own pid files, after checking /proc/PID/comm.
set -euo pipefail

DIR=${SLURM_CI_DIR:-/tmp/slurm-ci}
TIMEOUT=${SLURM_CI_TIMEOUT:-60}
NPROC=$(nproc)
CPUS=${SLURM_CI_CPUS:-$(( NPROC > 8 ? NPROC : 8 ))}
# memory the node advertises, MB (without it Slurm assumes 1 MB and rejects any --mem)
MEM_MB=${SLURM_CI_MEM_MB:-$(awk '/^MemTotal:/ {print int($2 / 1024)}' /proc/meminfo)}
CTLD_PORT=${SLURM_CI_CTLD_PORT:-6817}
SLURMD_PORT=${SLURM_CI_SLURMD_PORT:-6818}
MARKER="# managed by hetsim .ci/slurm.sh"

log() { echo "slurm.sh: $*" >&2; }

alive() { # alive PIDFILE NAME -> true if the pid in PIDFILE runs a process called NAME
  local p
  [ -s "$1" ] || return 1
  p=$(cat "$1" 2>/dev/null) || return 1
  [[ "$p" =~ ^[0-9]+$ ]] || return 1
  [ "$(cat /proc/"$p"/comm 2>/dev/null)" = "$2" ]
}

stop_one() { # stop_one PIDFILE NAME
  local p
  if alive "$1" "$2"; then
    p=$(cat "$1")
    log "stopping $2 (pid $p)"
    kill -TERM "$p" 2>/dev/null || true
    for _ in $(seq 1 100); do [ -d /proc/"$p" ] || break; sleep 0.1; done
    if [ -d /proc/"$p" ] && [ "$(cat /proc/"$p"/comm 2>/dev/null)" = "$2" ]; then
      log "$2 (pid $p) ignored SIGTERM for 10 s; sending SIGKILL"
      kill -KILL "$p" 2>/dev/null || true
    fi
  fi
  rm -f "$1"
}

do_stop() {
  # cancel remaining jobs first so that no slurmstepd outlives slurmd
  if [ -f "$DIR/env.sh" ] && alive "$DIR/slurmctld.pid" slurmctld; then
    # shellcheck disable=SC1091
    . "$DIR/env.sh"
    local jobs
    jobs=$(squeue -h -o %A 2>/dev/null | sort -u | tr '\n' ' ' || true)
    if [ -n "${jobs// /}" ]; then
      log "cancelling jobs: $jobs"
      # shellcheck disable=SC2086
      scancel $jobs 2>/dev/null || true
      for _ in $(seq 1 50); do [ -z "$(squeue -h 2>/dev/null)" ] && break; sleep 0.2; done
    fi
  fi
  stop_one "$DIR/slurmd.pid" slurmd
  stop_one "$DIR/slurmctld.pid" slurmctld
  if [ "${SLURM_CI_KEEP_MUNGE:-0}" != 1 ]; then
    stop_one "$DIR/munged.pid" munged
  fi
}

STARTED=()   # "pidfile:name" of daemons started by this invocation
die() {
  log "ERROR: $*"
  # leave nothing half-started behind: stop what this invocation started
  for e in "${STARTED[@]+"${STARTED[@]}"}"; do
    if alive "${e%%:*}" "${e##*:}"; then
      log "stopping ${e##*:} (pid $(cat "${e%%:*}")) started by this run"
      kill -TERM "$(cat "${e%%:*}")" 2>/dev/null || true
    fi
  done
  for f in "$DIR/log/slurmctld.log" "$DIR/log/slurmd.log" /var/log/munge/munged.log; do
    [ -s "$f" ] && { echo "----- tail $f" >&2; tail -n 15 "$f" >&2; }
  done
  exit 1
}

wait_pid() { # wait_pid PIDFILE NAME: daemons write their pid file just after forking
  for _ in $(seq 1 100); do
    alive "$1" "$2" && { sleep 0.3; alive "$1" "$2"; return; }  # and did not die at once
    sleep 0.1
  done
  return 1
}

do_start() {
  local selftest=$1
  [ "$(id -u)" = 0 ] || die "must run as root (munged and slurmd need it)"
  local start_s; start_s=$(date +%s)

  # ------------------------------------------------------------ install
  local need_install=0 b
  for b in munged munge unmunge slurmctld slurmd sbatch scontrol sinfo squeue scancel; do
    command -v "$b" >/dev/null 2>&1 || [ -x "/usr/sbin/$b" ] || need_install=1
  done
  if [ "$need_install" = 1 ]; then
    [ "${SLURM_CI_NO_INSTALL:-0}" = 1 ] && die "Slurm/munge binaries missing and SLURM_CI_NO_INSTALL=1"
    command -v apt-get >/dev/null || die "apt-get not found: this script targets Debian/Ubuntu"
    log "installing slurmctld slurmd slurm-client munge (apt-get, ~20 s)"
    export DEBIAN_FRONTEND=noninteractive
    # The postinst scripts try to start the services; without systemd that only
    # prints warnings. Everything is started by hand below.
    apt-get update -q >/dev/null || die "apt-get update failed"
    apt-get install -y -q --no-install-recommends slurmctld slurmd slurm-client munge >/dev/null \
      || die "apt-get install of Slurm failed"
  fi

  mkdir -p "$DIR"/{state,spool,log,etc}
  chmod 755 "$DIR"

  # ------------------------------------------------------------ munge
  # Debian's munge postinst creates /etc/munge/munge.key; create one if absent.
  if [ ! -s /etc/munge/munge.key ]; then
    log "creating /etc/munge/munge.key"
    mkdir -p /etc/munge
    if command -v mungekey >/dev/null; then mungekey --create --keyfile=/etc/munge/munge.key
    else dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none; fi
  fi
  chown munge:munge /etc/munge /etc/munge/munge.key
  chmod 700 /etc/munge; chmod 400 /etc/munge/munge.key
  # the socket dir is normally made by systemd
  install -d -o munge -g munge -m 755 /run/munge
  install -d -o munge -g munge -m 700 /var/log/munge /var/lib/munge 2>/dev/null || true

  if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
    log "munged already answering on its socket; reusing it"
  else
    log "starting munged"
    # munged refuses to run as root with a munge-owned key: run it as 'munge'.
    runuser -u munge -- /usr/sbin/munged --pid-file=/run/munge/munged.pid \
      --log-file=/var/log/munge/munged.log || die "munged failed to start"
    cp /run/munge/munged.pid "$DIR/munged.pid"   # only pid files in $DIR are ours to stop
    STARTED+=("$DIR/munged.pid:munged")
    for _ in $(seq 1 50); do
      munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1
    done
    munge -n | unmunge >/dev/null 2>&1 || die "munged started but credentials do not round-trip"
  fi

  # ------------------------------------------------------------ config
  local conf="$DIR/etc/slurm.conf"
  cat > "$conf.new" <<EOF
$MARKER
# One-node test cluster; no systemd, no cgroups, no accounting daemon.
ClusterName=ci
SlurmctldHost=localhost
SlurmUser=root
AuthType=auth/munge
CredType=cred/munge
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
# no cgroup plugins anywhere: process tracking by /proc, no task binding
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
# job completion records (state + exit code) in a text file, instead of sacct
JobCompType=jobcomp/filetxt
JobCompLoc=$DIR/log/jobcomp.txt
MpiDefault=none
MailProg=/bin/true
SchedulerType=sched/backfill
# the default batch_sched_delay=3 starts array tasks only every ~3 s
SchedulerParameters=batch_sched_delay=0
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
# accept advertised CPUs even if the machine has fewer (N shards in one wave)
SlurmdParameters=config_overrides
ReturnToService=2
MinJobAge=600
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$MEM_MB State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
EOF
  local conf_changed=1
  if [ -f "$conf" ] && cmp -s "$conf" "$conf.new"; then conf_changed=0; rm -f "$conf.new"; else mv "$conf.new" "$conf"; fi

  if [ "${SLURM_CI_SYSTEM_CONF:-1}" = 1 ]; then
    # let plain 'sbatch' find the config, but never overwrite a foreign one
    if [ ! -e /etc/slurm/slurm.conf ] || head -n1 /etc/slurm/slurm.conf | grep -qF "$MARKER"; then
      mkdir -p /etc/slurm
      cmp -s "$conf" /etc/slurm/slurm.conf 2>/dev/null || cp "$conf" /etc/slurm/slurm.conf
    else
      log "note: /etc/slurm/slurm.conf exists and is not ours; use SLURM_CONF=$conf"
    fi
  fi
  echo "export SLURM_CONF=$conf" > "$DIR/env.sh"
  export SLURM_CONF="$conf"

  # ------------------------------------------------------------ daemons
  if [ "$conf_changed" = 1 ] && { alive "$DIR/slurmctld.pid" slurmctld || alive "$DIR/slurmd.pid" slurmd; }; then
    log "config changed: restarting the Slurm daemons started earlier"
    SLURM_CI_KEEP_MUNGE=1 do_stop
  fi
  if alive "$DIR/slurmctld.pid" slurmctld; then
    log "slurmctld already running (pid $(cat "$DIR/slurmctld.pid"))"
  else
    # -c: start from a clean state (no stale jobs, no node left DOWN)
    log "starting slurmctld"
    timeout 30 /usr/sbin/slurmctld -c -f "$conf" || die "slurmctld failed to start (bad config or port $CTLD_PORT busy?)"
    STARTED+=("$DIR/slurmctld.pid:slurmctld")
    wait_pid "$DIR/slurmctld.pid" slurmctld || die "slurmctld did not stay up (port $CTLD_PORT busy?)"
  fi
  if alive "$DIR/slurmd.pid" slurmd; then
    log "slurmd already running (pid $(cat "$DIR/slurmd.pid"))"
  else
    # -N localhost: a fixed node name, whatever the machine's hostname is
    log "starting slurmd"
    timeout 30 /usr/sbin/slurmd -f "$conf" -N localhost || die "slurmd failed to start (port $SLURMD_PORT busy?)"
    STARTED+=("$DIR/slurmd.pid:slurmd")
    wait_pid "$DIR/slurmd.pid" slurmd || die "slurmd did not stay up (port $SLURMD_PORT busy?)"
  fi

  # ------------------------------------------------------------ wait until usable
  local deadline=$(( $(date +%s) + TIMEOUT )) state=""
  while :; do
    if scontrol ping 2>/dev/null | grep -q "is UP"; then
      state=$(sinfo -h -n localhost -o %T 2>/dev/null | head -n1 || true)
      case "$state" in
        idle|mixed|allocated|completing) break ;;
        down*|drain*|fail*)
          # a node left DOWN (e.g. after an unclean restart) can be resumed
          scontrol update NodeName=localhost State=RESUME >/dev/null 2>&1 || true ;;
      esac
    fi
    alive "$DIR/slurmctld.pid" slurmctld || die "slurmctld exited during start-up"
    alive "$DIR/slurmd.pid" slurmd || die "slurmd exited during start-up"
    if [ "$(date +%s)" -ge "$deadline" ]; then
      die "Slurm not usable after ${TIMEOUT}s (controller: $(scontrol ping 2>&1 | tr '\n' ' '); node state: '${state:-unknown}')"
    fi
    sleep 0.5
  done
  log "Slurm is up: node localhost $state, CPUs=$CPUS, RealMemory=${MEM_MB}M, $(( $(date +%s) - start_s )) s; SLURM_CONF=$conf"

  # ------------------------------------------------------------ optional self-test
  if [ "$selftest" = 1 ]; then
    local out="$DIR/selftest" jid n t0
    rm -rf "$out"; mkdir -p "$out"
    cat > "$out/job.sh" <<EOF
#!/bin/bash
#SBATCH --job-name=selftest
#SBATCH --output=$out/slurm-%A_%a.log
echo "task \$SLURM_ARRAY_TASK_ID of \$SLURM_ARRAY_TASK_COUNT" > "$out/task-\$SLURM_ARRAY_TASK_ID.txt"
EOF
    t0=$(date +%s%N)
    jid=$(sbatch --parsable --array=0-7 "$out/job.sh") || die "sbatch failed"
    # our own polling: 'sbatch --wait' polls at 2 s then every 10 s, and can
    # report success for a cancelled dependent job
    for _ in $(seq 1 $((TIMEOUT * 5))); do
      [ -z "$(squeue -h -j "$jid" 2>/dev/null)" ] && break; sleep 0.2
    done
    [ -z "$(squeue -h -j "$jid" 2>/dev/null)" ] || die "selftest array $jid still queued after ${TIMEOUT}s"
    n=$(find "$out" -name 'task-*.txt' | wc -l)
    [ "$n" = 8 ] || die "selftest: expected 8 task files, found $n"
    log "selftest OK: array job $jid wrote 8/8 files in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
  fi
}

cmd=${1:-start}
[ $# -gt 0 ] && shift
case "$cmd" in
  start)
    selftest=0
    for a in "$@"; do
      case "$a" in
        --selftest) selftest=1 ;;
        *) echo "slurm.sh: unknown argument: $a" >&2; exit 2 ;;
      esac
    done
    do_start "$selftest" ;;
  stop) set +e; do_stop; exit 0 ;;
  -h|--help|help) sed -n '2,33p' "$0" ;;
  *) echo "slurm.sh: unknown command: $cmd (start, stop)" >&2; exit 2 ;;
esac
