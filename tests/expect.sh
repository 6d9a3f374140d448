#!/usr/bin/env bash
# Run a command and check what it did:
#   expect.sh [--exit N] [--stdout REGEX]... [--stderr REGEX]... [--no-stdout]
#             [--stderr-lines N] [--conpar-lines N] [--json FILE --json-check ARGS] [--timeout S] -- COMMAND...
# Regexes are grep -E patterns that must match somewhere in the stream. --json-check runs
# check_json on FILE with ARGS (space-separated key=value). Prints both streams on failure.
set -u
want_exit=0 timeout_s=120 json='' json_check='' no_stdout=0 stderr_lines='' conpar_lines=''
stdout_re=() stderr_re=()
check_json=${CONPAR_CHECK_JSON:-}
while [ $# -gt 0 ]; do
  case $1 in
    --exit) want_exit=$2; shift 2 ;;
    --stdout) stdout_re+=("$2"); shift 2 ;;
    --stderr) stderr_re+=("$2"); shift 2 ;;
    --no-stdout) no_stdout=1; shift ;;
    --stderr-lines) stderr_lines=$2; shift 2 ;;
    --conpar-lines) conpar_lines=$2; shift 2 ;;
    --json) json=$2; shift 2 ;;
    --json-check) json_check=$2; shift 2 ;;
    --timeout) timeout_s=$2; shift 2 ;;
    --) shift; break ;;
    *) echo "expect.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
[ -n "$json" ] && rm -f "$json"
timeout --kill-after=10 "$timeout_s" "$@" >"$out" 2>"$err"
rc=$?
bad() {
  echo "FAIL: $*"
  echo "--- command: $*"; echo "--- stdout:"; cat "$out"; echo "--- stderr:"; cat "$err"
  exit 1
}
[ "$rc" = "$want_exit" ] || bad "exit status $rc, expected $want_exit"
for re in "${stdout_re[@]+"${stdout_re[@]}"}"; do
  grep -Eq -- "$re" "$out" || bad "stdout does not match: $re"
done
for re in "${stderr_re[@]+"${stderr_re[@]}"}"; do
  grep -Eq -- "$re" "$err" || bad "stderr does not match: $re"
done
[ "$no_stdout" = 0 ] || [ ! -s "$out" ] || bad "stdout should be empty"
if [ -n "$stderr_lines" ]; then
  n=$(wc -l <"$err")
  [ "$n" = "$stderr_lines" ] || bad "stderr has $n lines, expected $stderr_lines"
fi
if [ -n "$conpar_lines" ]; then
  # under mpiexec the launcher adds its own report; conpar's own lines are counted here
  n=$(grep -c '^conpar: ' "$err")
  [ "$n" = "$conpar_lines" ] || bad "stderr has $n 'conpar:' lines, expected $conpar_lines"
fi
if [ -n "$json" ]; then
  [ -n "$check_json" ] || bad "CONPAR_CHECK_JSON is not set"
  # shellcheck disable=SC2086
  "$check_json" "$json" $json_check || bad "JSON check failed for $json"
  # and against the JSON Schema in the repository, with Debian's validator
  if [ -n "${CONPAR_SCHEMA:-}" ]; then
    "${CONPAR_JSONSCHEMA:-jsonschema}" -i "$json" "$CONPAR_SCHEMA" 2>&1 | grep -v -i deprecat
    [ "${PIPESTATUS[0]}" = 0 ] || bad "$json does not validate against $CONPAR_SCHEMA"
  fi
  rm -f "$json"
fi
echo "ok: exit $rc"
