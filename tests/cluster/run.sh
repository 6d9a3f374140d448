#!/bin/bash
# run.sh CHECK_JSON JSON CHECKS -- COMMAND...: run the user's literal command (mpirun ...) on the
# head host node1 of the emulated cluster, configured by OMPI_MCA_* only, then check its JSON.
# Exit 77 (skip) when the cluster is not up.
set -u
here=$(cd "$(dirname "$0")" && pwd)
check=$1 json=$2 checks=$3
shift 4
ip netns list 2>/dev/null | grep -qw node1 || { echo "cluster: not up; skipped"; exit 77; }
export OMPI_MCA_plm_rsh_agent=$here/nsrsh
export OMPI_MCA_oob_tcp_if_include=198.18.0.0/24 OMPI_MCA_btl_tcp_if_include=198.18.0.0/24
export OMPI_MCA_pml=ob1 OMPI_MCA_btl=self,vader,tcp MPIEXEC_TIMEOUT=100
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
unset OMPI_MCA_orte_tmpdir_base
hosts=$(mktemp)
trap 'rm -f "$hosts"' EXIT
printf 'node%s slots=2\n' 1 2 3 4 >"$hosts"
rm -f "$json"
cmd=$(printf '%q ' "$@")
timeout 120 "$here/nsrsh" node1 "cd $(printf %q "$PWD") && ${cmd//@HOSTS@/$hosts}"
code=$?
[ "$code" = 0 ] || { echo "FAIL: exit $code"; exit 1; }
# shellcheck disable=SC2086
"$check" "$json" $checks || { echo "FAIL: JSON check"; exit 1; }
echo "ok: $* on 4 fake hosts"
