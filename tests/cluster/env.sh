# env.sh: sourced by the cluster test scripts. Skips (77) when the cluster is not up; sets the
# OMPI_MCA_* environment that makes a plain `mpirun --hostfile` reach the fake hosts; writes the
# hostfile (4 hosts x 2 slots) to $hosts, removed on exit.
# shellcheck shell=bash
ip netns list 2>/dev/null | grep -qw node1 || { echo "cluster: not up; skipped"; exit 77; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export OMPI_MCA_plm_rsh_agent=$here/nsrsh
export OMPI_MCA_oob_tcp_if_include=198.18.0.0/24 OMPI_MCA_btl_tcp_if_include=198.18.0.0/24
export OMPI_MCA_pml=ob1 OMPI_MCA_btl=self,vader,tcp MPIEXEC_TIMEOUT=100
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
unset OMPI_MCA_orte_tmpdir_base # the fake hosts have their own /tmp views of it
hosts=$(mktemp)
trap 'rm -f "$hosts"' EXIT
printf 'node%s slots=2\n' 1 2 3 4 >"$hosts"
