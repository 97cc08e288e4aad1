# Shared by the demo scripts (sourced, not run): option parsing and the step runner.
# The sourcing script sets `usage` (a function), `timeout_seconds` and `state_dir` defaults.

parse_demo_args() {
  while [ $# -gt 0 ]; do
    case "$1" in
      --help|-h) usage; exit 0 ;;
      --timeout-seconds)
        [ $# -ge 2 ] || { echo "error: --timeout-seconds needs a value" >&2; exit 2; }
        timeout_seconds="$2"; shift 2 ;;
      --timeout-seconds=*) timeout_seconds="${1#*=}"; shift ;;
      --state-dir)
        [ $# -ge 2 ] || { echo "error: --state-dir needs a value" >&2; exit 2; }
        state_dir="$2"; shift 2 ;;
      --state-dir=*) state_dir="${1#*=}"; shift ;;
      *) echo "error: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
  done
  case "$timeout_seconds" in
    ''|*[!0-9]*|0) echo "error: --timeout-seconds must be an integer greater than 0 (found '$timeout_seconds')" >&2; exit 2 ;;
  esac
}

passed=0
total=0
step_out="$(mktemp)"

# step NAME EXPECTED -- COMMAND...: runs COMMAND under the timeout; passes when it exits 0 and
# its output contains every '|'-separated substring of EXPECTED.
step() {
  local name="$1" expect="$2" want code missing=""
  shift 3
  total=$((total + 1))
  printf '[%d] %s\n    $ %s\n' "$total" "$name" "$*"
  timeout "$timeout_seconds" "$@" >"$step_out" 2>&1
  code=$?
  sed 's/^/    | /' "$step_out"
  local IFS='|'
  for want in $expect; do
    grep -qF -- "$want" "$step_out" || missing="$missing '$want'"
  done
  if [ "$code" -eq 124 ]; then
    printf '    FAIL: timed out after %ss\n' "$timeout_seconds"
  elif [ "$code" -ne 0 ]; then
    printf '    FAIL: exit code %d\n' "$code"
  elif [ -n "$missing" ]; then
    printf '    FAIL: output lacks%s\n' "$missing"
  else
    printf '    ok\n'
    passed=$((passed + 1))
  fi
}

# Prints the final count; succeeds only when every step passed.
finish() {
  rm -f "$step_out"
  echo "demo: $passed/$total steps passed (state in $state_dir)"
  [ "$passed" -eq "$total" ]
}
