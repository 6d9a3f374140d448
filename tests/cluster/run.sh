#!/bin/bash
# run.sh CHECK_JSON JSON CHECKS -- COMMAND...: run the user's literal command (mpirun ...) on the
# head host node1 of the emulated cluster, configured by OMPI_MCA_* only, then check its JSON.
# Exit 77 (skip) when the cluster is not up.
set -u
check=$1 json=$2 checks=$3
shift 4
# shellcheck source-path=SCRIPTDIR source=env.sh
. "$(dirname "$0")/env.sh"
rm -f "$json"
cmd=$(printf '%q ' "$@")
timeout 120 "$here/nsrsh" node1 "cd $(printf %q "$PWD") && ${cmd//@HOSTS@/$hosts}"
code=$?
[ "$code" = 0 ] || { echo "FAIL: exit $code"; exit 1; }
# shellcheck disable=SC2086
"$check" "$json" $checks || { echo "FAIL: JSON check"; exit 1; }
echo "ok: $* on 4 fake hosts"
