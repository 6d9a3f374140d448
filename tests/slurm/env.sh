# env.sh: sourced by the Slurm test scripts (BASE is $1 of the caller). Skips (77) when the
# Slurm tier is not up; exports what a user's shell would have when submitting (sbatch passes
# the environment on): SLURM_CONF, the root permission for Open MPI, and the transport pinned to
# the fake hosts' network. Provides submit and wait_final.
# shellcheck shell=bash
base=${base:?}
if ! [ -f "$base/etc/slurm.conf" ] || ! ip netns list 2>/dev/null | grep -qw snode1; then
  echo "slurm: not up; skipped"
  exit 77
fi
export SLURM_CONF=$base/etc/slurm.conf
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_pml=ob1 OMPI_MCA_btl=self,vader,tcp
export OMPI_MCA_btl_tcp_if_include=198.18.1.0/24 OMPI_MCA_oob_tcp_if_include=198.18.1.0/24
unset OMPI_MCA_orte_tmpdir_base # a path under this machine's /tmp; every node has its own /tmp
cd "$base/submit" || exit 1

submit() { # SCRIPT: prints the job id
  sbatch --parsable --no-requeue --output="$base/submit/%x-%j.out" "$1"
}

state() { # JOBID
  scontrol -o show job "$1" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | cut -d= -f2
}

wait_final() { # JOBID SECONDS: prints the final state (or TIMEOUT_WAITING)
  local end=$((SECONDS + $2)) st
  while [ "$SECONDS" -lt "$end" ]; do
    st=$(state "$1")
    case $st in
      COMPLETED | FAILED | CANCELLED | TIMEOUT | NODE_FAIL | OUT_OF_MEMORY | BOOT_FAIL | DEADLINE | PREEMPTED)
        echo "$st"
        return 0
        ;;
    esac
    sleep 0.2
  done
  echo TIMEOUT_WAITING
}
