#!/usr/bin/env bash
# The cluster path run for real (CTest label `slurm`): a single-node Slurm cluster from
# Debian's packages (slurmctld, slurmd, munge), all of it in a temporary folder with its own
# slurm.conf, key, socket, spool, state, log and ports, runs the sbatch scripts that
# `laq table --emit-slurm` writes for a tiny MNIST sweep (3 methods, 1 epoch of 2000 images,
# 2 tasks of 1 CPU): the MPI job and the job array. For each it checks that every cell
# finishes, that `laq table --report` gives the table, that resubmitting runs nothing, and
# that after an `scancel` midway resubmitting runs only the unfinished cells. Everything it
# started is stopped on the way out, failed or not.
#
#   tests/slurm/slurm_sweep_test.sh LAQ_BINARY SOURCE_DIR
#
# Skips (exit 77) unless LAQ_SLURM=1 or LAQ_REQUIRE_SLURM=1 (it starts daemons as root and
# takes a few minutes of both cores, so the default suite leaves it out), and when not root,
# Slurm or munge is not installed, or the real MNIST is not in SOURCE_DIR/data/mnist (or
# $LAQ_MNIST_DIR). With LAQ_REQUIRE_SLURM=1 each of those is a failure instead.
set -euo pipefail

LAQ=${1:?usage: slurm_sweep_test.sh LAQ_BINARY SOURCE_DIR}
SRC=${2:?usage: slurm_sweep_test.sh LAQ_BINARY SOURCE_DIR}
MNIST=${LAQ_MNIST_DIR:-$SRC/data/mnist}
export PATH=$PATH:/usr/sbin:/sbin  # slurmctld, slurmd, munged live there; not every PATH has them
T0=$SECONDS

log() { printf '[slurm-test %3ds] %s\n' $((SECONDS - T0)) "$*"; }
fail() { log "FAIL: $*"; exit 1; }
skip() {
  if [[ "${LAQ_REQUIRE_SLURM:-0}" == 1 ]]; then fail "LAQ_REQUIRE_SLURM=1 but $*"; fi
  log "SKIP: $*"
  exit 77
}

[[ "${LAQ_SLURM:-0}" == 1 || "${LAQ_REQUIRE_SLURM:-0}" == 1 ]] ||
  skip "set LAQ_SLURM=1 (or LAQ_REQUIRE_SLURM=1) to run it: it starts slurmctld, slurmd and munged as root for a few minutes"
[[ "$(id -u)" == 0 ]] || skip "not root (slurmd must run as root)"
for c in slurmctld slurmd munged sbatch srun squeue scontrol scancel; do
  command -v "$c" >/dev/null || skip "$c not installed (tools/setup.sh installs slurm-wlm and munge)"
done
[[ -x "$LAQ" ]] || fail "no laq binary at $LAQ"
[[ "$(stat -c %s "$MNIST/train-images-idx3-ubyte" 2>/dev/null || echo 0)" == 47040016 ]] ||
  skip "the real MNIST is not in $MNIST (tools/get_data.sh mnist)"

# ---- the cluster ---------------------------------------------------------------------------
TMP=$(mktemp -d /tmp/laq-slurm-test.XXXXXX)
chmod 755 "$TMP"  # munged refuses a socket folder others cannot enter
export SLURM_CONF=$TMP/slurm.conf
PIDS=()
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  set +e
  if [[ -f "$SLURM_CONF" ]]; then
    local jobs
    jobs=$(squeue -h -o %i 2>/dev/null | tr '\n' ' ')
    if [[ -n "${jobs// /}" ]]; then
      log "cleanup: scancel $jobs"
      scancel $jobs 2>/dev/null
      for _ in $(seq 30); do [[ -z "$(squeue -h -o %i 2>/dev/null)" ]] && break; sleep 1; done
    fi
  fi
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do kill "${PIDS[i]}" 2>/dev/null; done
  for p in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null
  done
  rm -f "$TMP/run/daemons"  # the watchdog's list: nothing left for it to stop
  if [[ $status -ne 0 && $status -ne 77 ]]; then
    for f in "$TMP"/log/slurmctld.log "$TMP"/log/slurmd.log; do
      [[ -f "$f" ]] && { echo "---- last lines of $f"; tail -n 25 "$f"; }
    done
    echo "---- kept for a look: $TMP"
  else
    rm -rf "$TMP"
  fi
  log "cluster stopped (daemons ${PIDS[*]:-none}); exit $status"
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Two free TCP ports, so that this cluster collides with no other test or Slurm.
port_in_use() { grep -qi ":$(printf '%04X' "$1") " /proc/net/tcp /proc/net/tcp6 2>/dev/null; }
pick_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 20000))
    port_in_use "$p" || port_in_use $((p + 1)) || { echo "$p"; return; }
  done
}
PORT=$(pick_port)
HOST=$(hostname -s)
mkdir -p "$TMP"/{munge,state,spool,log,run,runs}
chmod 700 "$TMP/munge"
head -c 1024 /dev/urandom > "$TMP/munge/munge.key"
chmod 400 "$TMP/munge/munge.key"
SOCKET=$TMP/munge/munge.socket
munged --force --socket="$SOCKET" --key-file="$TMP/munge/munge.key" --log-file="$TMP/log/munged.log" \
  --pid-file="$TMP/run/munged.pid" --seed-file="$TMP/munge/seed" || fail "munged did not start ($TMP/log/munged.log)"
PIDS+=("$(cat "$TMP/run/munged.pid")")
echo "${PIDS[-1]}" >> "$TMP/run/daemons"
# If this script is killed outright (SIGKILL, a CTest timeout), no trap runs: a watchdog
# outside its process tree cancels the jobs and stops the daemons still listed (those whose
# command names $TMP).
setsid -f bash -c 'while kill -0 "$1" 2>/dev/null; do sleep 2; done
  [[ -f "$2/run/daemons" ]] || exit 0
  export SLURM_CONF=$2/slurm.conf
  jobs=$(squeue -h -o %i 2>/dev/null) && [[ -n "$jobs" ]] && scancel $jobs && sleep 10
  while read -r p; do grep -qF "$2" "/proc/$p/cmdline" 2>/dev/null && kill "$p"; done < "$2/run/daemons"' \
  watchdog $$ "$TMP" > /dev/null 2>&1 < /dev/null

cat > "$SLURM_CONF" <<EOF
# A one-node cluster for laq's Slurm test; every path and port its own.
ClusterName=laqtest
# Addresses given, so that the cluster needs no name service for this host's name.
SlurmctldHost=$HOST(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$SOCKET
StateSaveLocation=$TMP/state
SlurmdSpoolDir=$TMP/spool
SlurmctldPidFile=$TMP/run/slurmctld.pid
SlurmdPidFile=$TMP/run/slurmd.pid
SlurmctldLogFile=$TMP/log/slurmctld.log
SlurmdLogFile=$TMP/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# No cgroups in a container: track job processes by parentage, bind nothing.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
SchedulerType=sched/backfill
# No slurmdbd (so no sacct): final job states from squeue -t all, kept MinJobAge s; the
# jobcomp file records every ended job too.
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$TMP/log/jobcomp.txt
MinJobAge=3600
MpiDefault=none
ReturnToService=2
KillWait=5
InactiveLimit=0
NodeName=$HOST NodeAddr=127.0.0.1 CPUs=2 RealMemory=2000 State=UNKNOWN
PartitionName=laq Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
EOF
slurmctld -D -f "$SLURM_CONF" > "$TMP/log/slurmctld.out" 2>&1 &
PIDS+=($!)
echo $! >> "$TMP/run/daemons"
slurmd -D -f "$SLURM_CONF" > "$TMP/log/slurmd.out" 2>&1 &
PIDS+=($!)
echo $! >> "$TMP/run/daemons"
for _ in $(seq 60); do
  sinfo -h -o %T 2>/dev/null | grep -qx idle && break
  sleep 0.5
done
sinfo -h -o %T 2>/dev/null | grep -qx idle || fail "the node did not come up idle: $(sinfo 2>&1 | tail -n 2)"
log "cluster up: $(sinfo -h -o '%P %D node %N %c cpus %m MB %T'), ports $PORT/$((PORT + 1)), $TMP"
log "srun --mpi=list: $(srun --mpi=list 2>&1 | tr '\n\t' '  ')"

# ---- helpers -------------------------------------------------------------------------------
METHODS=(fpn bc lat-e)
cells() { for m in "${METHODS[@]}"; do echo "mnist-mlp-$m-seed1"; done; }
finished() { grep -q '"type": *"result"' "$1/$2/results.jsonl" 2>/dev/null; }
count_finished() {
  local n=0
  for c in $(cells); do finished "$1" "$c" && n=$((n + 1)); done
  echo $n
}
fingerprint() { (cd "$1" && for c in $(cells); do md5sum "$c/results.jsonl" 2>/dev/null || echo "- $c"; done); }

emit() {  # emit OUT SCRIPT [more laq table flags]
  local out=$1 script=$2
  shift 2
  "$LAQ" table --table feedforward --datasets mnist --methods "$(IFS=,; echo "${METHODS[*]}")" --epochs 1 \
    --train-size 2000 --val-size 500 --checkpoint-every 10 --threads 1 --data-root "$(dirname "$MNIST")" \
    --out "$out" --emit-slurm "$script" --slurm-tasks 2 --slurm-partition laq --slurm-account laqtest --slurm-mem-per-cpu 400M "$@"
}

submit() {  # submit SCRIPT: prints the job id
  local id
  id=$(sbatch --parsable "$1") || fail "sbatch $1 refused it"
  echo "${id%%;*}"
}

# Every part of the job (an array: every task) with its state and elapsed time.
states() { squeue -h -t all -j "$1" -o '%i=%T(%M)' 2>/dev/null | sort | tr '\n' ' '; }

wait_job() {  # wait_job ID: until no part of the job is pending or running
  local id=$1 limit=$((SECONDS + 300))
  while [[ -n "$(squeue -h -j "$id" -o %i 2>/dev/null)" ]]; do
    ((SECONDS < limit)) || fail "job $id still running after 300 s: $(states "$id")"
    sleep 1
  done
}

# The job's every part ended COMPLETED (exit 0); the controller keeps ended jobs MinJobAge s.
check_completed() {
  local id=$1 s
  s=$(states "$id")
  log "job $id final states: $s"
  [[ -n "$s" ]] || fail "job $id is unknown to the controller"
  grep -qv 'COMPLETED' <<<"$(tr ' ' '\n' <<<"$s" | grep .)" && fail "job $id did not complete: $s"
  return 0
}

# The Slurm output files of job ID in OUT (the MPI job: one; an array: one per task).
job_logs() { if [[ $3 == mpi ]]; then echo "$2/slurm-$1.out"; else ls "$2/slurm-$1"_*.out; fi; }

show_logs() {  # the Slurm output files of a job, indented
  for f in "$@"; do
    [[ -f "$f" ]] || continue
    echo "  ---- $(basename "$f")"
    sed 's/^/  | /' "$f"
  done
}

check_all_finished() {
  local out=$1 c
  for c in $(cells); do finished "$out" "$c" || fail "cell $c has no result line in $out/$c/results.jsonl"; done
  log "cells finished: $(count_finished "$out")/3 ($(cells | tr '\n' ' '))"
}

check_report() {
  local out=$1
  "$LAQ" table --report --runs "$out" > "$TMP/report.txt" 2>&1 || { cat "$TMP/report.txt"; fail "laq table --report failed"; }
  local rows
  rows=$(grep -cE '^\| [^|]+ \| [0-9]+\.[0-9]+' "$out/table.md" || true)
  sed -n '1,/^$/p;/^|/p' "$out/table.md" | sed 's/^/  | /'
  [[ "$rows" == 3 ]] || fail "table.md has $rows rows with a test error, expected 3"
  log "laq table --report: 3 rows with a test error in $out/table.md"
}

# Cancels job ID once at least one cell has finished (its result line written and the job's
# log telling so) and an unfinished one has a checkpoint.
cancel_midway() {
  local id=$1 out=$2 form=$3 limit=$((SECONDS + 300)) c ready
  while :; do
    ((SECONDS < limit)) || fail "job $id never reached a finished cell beside a checkpointed one"
    [[ -n "$(squeue -h -j "$id" -o %i 2>/dev/null)" ]] || fail "job $id ended before it could be cancelled midway"
    ready=0
    if [[ $(count_finished "$out") -ge 1 ]] &&
      cat /dev/null $(job_logs "$id" "$out" "$form" 2>/dev/null) 2>/dev/null | grep -q ": finished in"; then
      for c in $(cells); do
        finished "$out" "$c" || [[ ! -f "$out/$c/checkpoint.h5" ]] || ready=1
      done
    fi
    [[ $ready == 1 ]] && break
    sleep 0.2
  done
  log "job $id before scancel: $(squeue -h -j "$id" -o '%i %T %M' | tr '\n' ';')"
  scancel "$id"
  wait_job "$id"
  log "job $id after scancel: $(states "$id")"
  sleep 1
  local left
  left=$(pgrep -f -- "--out $out/" | tr '\n' ' ' || true)
  [[ -z "$left" ]] || fail "processes of the cancelled job still run: $left"
}

# Runs the whole scenario for one form of the script (`mpi` or `array`).
scenario() {
  local form=$1 more=()
  [[ $form == array ]] && more=(--slurm-array)
  local out=$TMP/runs/$form script=$TMP/$form.sbatch
  log "===== $form: a fresh sweep"
  emit "$out" "$script" "${more[@]}" | sed 's/^/  /'
  sed 's/^/  > /' "$script"
  local id
  id=$(submit "$script")
  log "submitted job $id: $(squeue -h -j "$id" -o '%i %T' | tr '\n' ';')"
  wait_job "$id"
  check_completed "$id"
  show_logs $(job_logs "$id" "$out" "$form")
  check_all_finished "$out"
  if [[ $form == mpi ]]; then
    grep -q '3 cells, 0 finished earlier, 3 to run on 2 ranks' "$out/slurm-$id.out" ||
      fail "the MPI job did not run the 3 cells on 2 ranks (see its log above)"
  else
    [[ $(cat $(job_logs "$id" "$out" array) | grep -c '1 cells, 0 finished earlier, 1 to run') == 3 ]] ||
      fail "the array did not run each cell in its own task (see the logs above)"
  fi
  check_report "$out"

  log "===== $form: the same script again runs nothing"
  local before
  before=$(fingerprint "$out")
  id=$(submit "$script")
  log "submitted job $id"
  wait_job "$id"
  check_completed "$id"
  show_logs $(job_logs "$id" "$out" "$form")
  if [[ $form == mpi ]]; then
    grep -q '3 cells, 3 finished earlier, 0 to run' "$out/slurm-$id.out" || fail "the resubmitted job ran cells"
  else
    [[ $(cat $(job_logs "$id" "$out" array) | grep -c '1 cells, 1 finished earlier, 0 to run') == 3 ]] ||
      fail "a resubmitted array task ran its cell"
  fi
  [[ "$(fingerprint "$out")" == "$before" ]] || fail "a resubmission changed a finished cell's results"
  log "no-op resubmission: job $id ran 0 cells, every results.jsonl unchanged"

  log "===== $form: scancel midway, then resubmit"
  out=$TMP/runs/$form-cancelled
  script=$TMP/$form-cancelled.sbatch
  emit "$out" "$script" "${more[@]}" > /dev/null
  id=$(submit "$script")
  log "submitted job $id"
  cancel_midway "$id" "$out" "$form"
  show_logs $(job_logs "$id" "$out" "$form")
  local done_cells=() resumable=() fresh=() c
  for c in $(cells); do
    if finished "$out" "$c"; then done_cells+=("$c")
    elif [[ -f "$out/$c/checkpoint.h5" ]]; then resumable+=("$c")
    else fresh+=("$c"); fi
  done
  log "after scancel: finished ${done_cells[*]:-none}; with a checkpoint ${resumable[*]:-none}; not started or no checkpoint ${fresh[*]:-none}"
  local done_before
  done_before=$(cd "$out" && for c in "${done_cells[@]}"; do md5sum "$c/results.jsonl"; done)
  id=$(submit "$script")
  log "resubmitted as job $id"
  wait_job "$id"
  check_completed "$id"
  show_logs $(job_logs "$id" "$out" "$form")
  local logs
  logs=$(cat $(job_logs "$id" "$out" "$form"))
  local n_done=${#done_cells[@]} n_left=$((3 - ${#done_cells[@]}))
  if [[ $form == mpi ]]; then
    grep -q "3 cells, $n_done finished earlier, $n_left to run on 2 ranks" <<<"$logs" ||
      fail "the resubmitted job did not run exactly the $n_left unfinished cells"
  else
    [[ $(grep -c '1 cells, 1 finished earlier, 0 to run' <<<"$logs") == "$n_done" ]] ||
      fail "the resubmitted array did not skip the $n_done finished cells"
  fi
  for c in "${done_cells[@]}"; do
    grep -qE "$c: (starting|resuming)" <<<"$logs" && fail "finished cell $c ran again"
  done
  for c in "${resumable[@]}"; do
    grep -q "$c: resuming" <<<"$logs" || fail "cell $c had a checkpoint but did not resume from it"
  done
  for c in "${fresh[@]}"; do
    grep -q "$c: starting" <<<"$logs" || fail "unfinished cell $c did not run"
  done
  [[ "$(cd "$out" && for c in "${done_cells[@]}"; do md5sum "$c/results.jsonl"; done)" == "$done_before" ]] ||
    fail "a cell finished before the scancel was changed"
  check_all_finished "$out"
  log "resume after scancel: job $id ran only ${resumable[*]} ${fresh[*]} (resumed: ${resumable[*]:-none})"
}

scenario mpi
scenario array
log "PASS: the MPI job and the job array each finished, reported, resubmitted as a no-op and resumed after scancel"
