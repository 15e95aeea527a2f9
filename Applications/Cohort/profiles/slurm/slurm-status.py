#!/usr/bin/env python3
"""Snakemake --cluster-status for Slurm: prints running, success or failed for a job id.

Works without an accounting database (AccountingStorageType=accounting_storage/none, where
sacct knows nothing): the job's state comes from slurmctld (`scontrol show job`), which keeps a
finished job for MinJobAge seconds (300 by default) while Snakemake polls every second or so.
Only a job slurmctld no longer knows is looked up with sacct (clusters with accounting); if
sacct has nothing either, the job is reported failed, with the reason on stderr, rather than
waited for forever (Snakemake then checks its outputs and can rerun it).

Usage (Snakemake calls it): slurm-status.py JOBID   (the output of sbatch --parsable:
"JOBID" or "JOBID;CLUSTER")
"""

import re
import subprocess
import sys
import time

RUNNING = {"PENDING", "CONFIGURING", "RUNNING", "COMPLETING", "SUSPENDED", "REQUEUED",
           "REQUEUE_FED", "REQUEUE_HOLD", "RESIZING", "SIGNALING", "STAGE_OUT", "STOPPED",
           "RESV_DEL_HOLD", "POWER_UP_NODE", "UPDATE_DB"}
# Everything else that ends a job is a failure: FAILED, CANCELLED, TIMEOUT, OUT_OF_MEMORY,
# NODE_FAIL, BOOT_FAIL, DEADLINE, PREEMPTED, REVOKED, SPECIAL_EXIT.
SUCCESS = "COMPLETED"

# slurmctld busy or restarting: ask again, 1 + 2 + 4 + 8 s, before giving up.
ATTEMPTS = 5


def run(arguments):
    return subprocess.run(arguments, capture_output=True, text=True, timeout=60)


def state_from_scontrol(job):
    """(state or None, error text or None). None, None: slurmctld does not know the job."""
    result = run(["scontrol", "show", "job", "--oneliner", job])
    if result.returncode == 0:
        match = re.search(r"\bJobState=([A-Z_]+)", result.stdout)
        if match:
            return match.group(1), None
        return None, f"no JobState in: {result.stdout.strip()[:200]}"
    if "Invalid job id" in result.stderr:
        return None, None
    return None, result.stderr.strip() or f"scontrol exited with {result.returncode}"


def state_from_sacct(job):
    try:
        result = run(["sacct", "--noheader", "--parsable2", "--allocations", "--format=State",
                      "--jobs", job])
    except (OSError, subprocess.SubprocessError):
        return None
    if result.returncode != 0:
        return None
    for line in result.stdout.splitlines():
        # "CANCELLED by 0" -> CANCELLED
        if line.strip():
            return line.split()[0]
    return None


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: slurm-status.py JOBID")
    job = sys.argv[1].split(";")[0].strip()
    if not job.isdigit() and not re.match(r"^\d+(_\d+)?$", job):
        sys.exit(f"slurm-status.py: '{sys.argv[1]}' is not a Slurm job id (sbatch --parsable prints one)")

    error = None
    for attempt in range(ATTEMPTS):
        try:
            state, error = state_from_scontrol(job)
        except (OSError, subprocess.SubprocessError) as exception:
            state, error = None, str(exception)
        if state or error is None:
            break
        if attempt + 1 < ATTEMPTS:
            time.sleep(2 ** attempt)
    else:
        # slurmctld did not answer: Snakemake stops with "Failed to obtain job status".
        sys.exit(f"slurm-status.py: job {job}: scontrol failed {ATTEMPTS} times: {error}")

    if state is None:
        state = state_from_sacct(job)
        if state is None:
            print(f"slurm-status.py: job {job} is unknown to slurmctld (finished more than "
                  "MinJobAge ago?) and to sacct: reporting it failed", file=sys.stderr)
            print("failed")
            return
    if state == SUCCESS:
        print("success")
    elif state in RUNNING:
        print("running")
    else:
        print("failed")


if __name__ == "__main__":
    main()
