#!/usr/bin/env bash
# The cohort workflow on a real Slurm (not a mock): a one-node cluster on localhost
# (slurm-one-node.sh: munged, slurmctld and slurmd from Debian 12, started here, in a
# temporary folder), then
#   1. the status script of profiles/slurm on real jobs: running, success, failed, unknown
#   2. the demo cohort (3 subjects x 2 runs x 2 models) through profiles/slurm (sbatch +
#      the status script): every subject job ran as a Slurm job, and the outputs equal those
#      of the local run, byte for byte
#   3. the same through profiles/slurm-executor (Snakemake's own --slurm executor)
#   4. a job that fails on the cluster fails the workflow, with the error in its log
# and the daemons are stopped and the folder removed whatever happens (trap EXIT).
#
#   slurm-test.sh BUILD_DIR WORK_DIR   (WORK_DIR: where `local-test.sh run` left its cohort and
#                                       its local run, a CTest fixture)
# Installs nothing: skipped (exit 77, the reason printed) without slurm-wlm, munge, snakemake
# or root. Daemon logs of a failed run are kept in WORK_DIR/slurm-daemon-logs.
set -euo pipefail

if (($# != 2)); then
  echo "usage: slurm-test.sh BUILD_DIR WORK_DIR" >&2
  exit 2
fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cohort=$(cd "$here/../../Applications/Cohort" && pwd)
python=/usr/bin/python3

# The skips come first: without the tools the fixture (Cohort.Local) is skipped as well and
# leaves no WORK_DIR, which is then not an error of this test.
missing=()
for tool in munged munge unmunge slurmctld slurmd sbatch sinfo scontrol squeue scancel snakemake; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
if ((${#missing[@]})); then
  echo "skipped: not installed: ${missing[*]} (Debian 12: apt-get install slurm-wlm munge snakemake;" \
    "bash CMake/bootstrap.sh test installs them)"
  exit 77
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "skipped: a one-node Slurm needs root (slurmd starts jobs as their user, munged as root needs --force)"
  exit 77
fi
if [[ ! -d "$2" ]]; then
  echo "slurm-test.sh: error: $2: no such directory (the local run, Cohort.Local, should have left it)" >&2
  exit 1
fi
work=$(cd "$2" && pwd)
if [[ ! -f "$work/config-tsv.yaml" || ! -d "$work/local/results" ]]; then
  echo "slurm-test.sh: no local run in $work: run 'local-test.sh run' first (ctest does, fixture CohortLocal)" >&2
  exit 1
fi

export XDG_CACHE_HOME=$work/.cache
# Snakemake's --slurm executor reads USER (a KeyError without it, e.g. under CTest in a container).
export USER=${USER:-$(id -un)}
# Short: the munge socket's path must fit in a sockaddr_un (108 bytes).
cluster=$(mktemp -d /tmp/voxelkl-slurm.XXXXXX)
source "$here/slurm-one-node.sh"

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  slurm_one_node_stop "$cluster" || true
  if ((status != 0)) && [[ -d "$cluster/log" ]]; then
    rm -rf "$work/slurm-daemon-logs"
    cp -r "$cluster/log" "$work/slurm-daemon-logs"
    cp "$cluster/slurm.conf" "$work/slurm-daemon-logs/" 2>/dev/null || true
    echo "slurm-test.sh: failed; the daemons' logs and slurm.conf: $work/slurm-daemon-logs" \
      "(munged.log, slurmctld.log, slurmd.log)" >&2
  fi
  rm -rf "$cluster"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fail() {
  echo "slurm-test.sh: $*" >&2
  exit 1
}

# Runs a command in the background and waits for it: bash runs a trap only after the
# foreground command ends, but interrupts `wait` at once, so SIGTERM or Ctrl-C stops the
# cluster (and the command, which carries SLURM_CONF) without waiting for a workflow run.
# The output goes to LOG from inside, so that a trap's messages still reach our stderr.
in_background() { # LOG COMMAND...
  local log=$1
  shift
  "$@" >"$log" 2>&1 &
  wait $!
}

start=$SECONDS
slurm_one_node_start "$cluster"
echo "cluster: $(sinfo --noheader --format='%P %D %c CPUs %m MB %t') (slurm.conf: $SLURM_CONF), up in $((SECONDS - start)) s"

# 1. The status script on real jobs.
status_script=$cohort/profiles/slurm/slurm-status.py
wait_done() { # JOBID: until slurmctld says the job has ended (60 s at most)
  local deadline=$((SECONDS + 60))
  while squeue --noheader --jobs="$1" --states=PENDING,RUNNING,CONFIGURING,COMPLETING 2>/dev/null | grep -q .; do
    ((SECONDS < deadline)) || fail "job $1 still not done after 60 s (squeue: $(squeue --noheader --jobs="$1"))"
    sleep 0.5
  done
}
expect_status() { # JOBID EXPECTED
  local got
  got=$("$status_script" "$1" 2>/dev/null) || fail "slurm-status.py $1 exited with an error"
  [[ "$got" == "$2" ]] || fail "slurm-status.py $1 printed '$got', expected '$2' (scontrol: $(scontrol show job -o "$1" 2>&1 | grep -o 'JobState=[A-Z_]*'))"
}
# --mem: without it a job is given the whole node's memory (CR_Core_Memory) and runs alone.
sleeper=$(sbatch --parsable --mem=10 --output=/dev/null --wrap='sleep 60')
succeeding=$(sbatch --parsable --mem=10 --output=/dev/null --wrap='true')
failing=$(sbatch --parsable --mem=10 --output=/dev/null --wrap='exit 3')
expect_status "$sleeper" running
wait_done "$succeeding"
wait_done "$failing"
expect_status "$succeeding" success
expect_status "$failing" failed
expect_status "$sleeper;voxelkl-test" running # sbatch --parsable on a federation: JOBID;CLUSTER
scancel "$sleeper"
wait_done "$sleeper"
expect_status "$sleeper" failed # cancelled
expect_status 4000000 failed    # unknown to slurmctld, and no accounting
echo "status script: running, success, failed, cancelled and unknown jobs reported right"

# 2 and 3. The workflow through each profile, from the working folder the local run used.
rows=$(($(wc -l <"$work/data/participants.tsv") - 1))
run_profile() { # NAME PROFILE LOGS_GLOB
  local name=$1 profile=$2 logs=$3
  rm -rf "${work:?}/$name"
  mkdir -p "$work/$name"
  local begin=$SECONDS
  # --latency-wait 5: one machine, one file system. The profile is given by absolute path:
  # Snakemake 7.21 resolves the status script against the directory it started in.
  if ! in_background "$work/$name.log" bash -c 'cd "$1" && shift && exec timeout 240 snakemake "$@"' run \
    "$work/$name" -s "$cohort/Snakefile" --configfile "$work/config-tsv.yaml" --profile "$profile" \
    --latency-wait 5; then
    tail -n 40 "$work/$name.log" >&2
    fail "the workflow through $profile failed or took over 240 s; its log: $work/$name.log"
  fi
  # Every subject job was a Slurm job: one Slurm log per subject-model row.
  local jobs
  jobs=$(compgen -G "$work/$name/$logs" | wc -l)
  ((jobs == rows)) || fail "$name: $jobs Slurm job logs ($work/$name/$logs), expected $rows (one per subject and model)"
  echo "$name: $rows subject jobs through Slurm in $((SECONDS - begin)) s (log: $work/$name.log)"
  "$python" "$here/check_outputs.py" same "$work/local/results" "$work/$name/results" ||
    fail "$name: outputs differ from the local run's"
}
run_profile slurm "$cohort/profiles/slurm" ".snakemake/slurm_logs/subject_maps*/*.log"
run_profile slurm-executor "$cohort/profiles/slurm-executor" ".snakemake/slurm_logs/rule_subject_maps*/*.log"

# 4. A job that fails on the cluster: a truncated series (it exists, so the workflow starts;
# VoxelKLDivergence refuses it on the node). Snakemake must stop with an error, not wait.
broken=$work/slurm-failing
rm -rf "$broken"
mkdir -p "$broken"
first=$(sed -n 2p "$work/data/participants.tsv")
reference=$(cut -f3 <<<"$first" | cut -d';' -f1)
head -c 3000 "$work/data/$reference" >"$broken/truncated_bold.nii.gz"
printf 'subject\tmodel\treference\tgenerated\tmask\n01\tbroken\t%s\t%s\t\n' \
  "$work/data/$reference" "$broken/truncated_bold.nii.gz" >"$broken/participants.tsv"
sed "s|^participants: .*|participants: $broken/participants.tsv|" "$work/config-tsv.yaml" >"$broken/config.yaml"
begin=$SECONDS
code=0
in_background "$broken/snakemake.log" bash -c 'cd "$1" && shift && exec timeout 240 snakemake "$@"' run \
  "$broken" -s "$cohort/Snakefile" --configfile "$broken/config.yaml" --profile "$cohort/profiles/slurm" \
  --latency-wait 5 || code=$?
((code != 0)) || fail "a workflow whose job fails on the cluster succeeded ($broken/snakemake.log)"
((code != 124)) || fail "a failing job was waited for until the timeout ($broken/snakemake.log)"
grep -q "Error in rule subject_maps" "$broken/snakemake.log" ||
  fail "snakemake did not report the failed rule ($broken/snakemake.log)"
error_line=$(grep -h "truncated_bold.nii.gz" "$broken"/results/logs/voxelkl-broken/*.log || true)
[[ -n "$error_line" ]] || fail "the job's log names no truncated_bold.nii.gz ($broken/results/logs)"
echo "failing job: reported in $((SECONDS - begin)) s: $error_line"

echo "slurm test: $((SECONDS - start)) s"
