#!/usr/bin/env bash
# THE test command (`npm test`): provisions what is missing (fast when cached), then typecheck, lint,
# format check and all vitest projects (unit; integration and e2e on real servers), stopping at the first failing step.
# Extra arguments go to vitest, e.g. `npm test -- --project unit`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# CI logs are read as text: no colour codes unless asked for.
if [ -n "${CI:-}" ] && [ -z "${FORCE_COLOR:-}" ]; then export NO_COLOR=1; fi

now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }
fmt_ms() { printf '%d.%01ds' $(($1 / 1000)) $((($1 % 1000) / 100)); }
T0=$(now_ms)
STEP=""
STEP_T0=$T0
step() {
  [ -n "$STEP" ] && printf '==> [test] %s passed in %s\n' "$STEP" "$(fmt_ms $(($(now_ms) - STEP_T0)))"
  STEP="$1"
  STEP_T0=$(now_ms)
  printf '\n==> [test] step %s\n' "$STEP"
}
on_exit() {
  local rc=$?
  if [ "$rc" -ne 0 ]; then
    printf '\n==> [test] FAILED at step %s (exit %d) after %s\n' "$STEP" "$rc" "$(fmt_ms $(($(now_ms) - T0)))" >&2
  fi
}
trap on_exit EXIT

step "1/5 provision (bash scripts/provision.sh)"
bash scripts/provision.sh </dev/null

step "2/5 typecheck (tsc --noEmit)"
node_modules/.bin/tsc --noEmit

step "3/5 lint (eslint .)"
node_modules/.bin/eslint .

step "4/5 format (prettier --check .; npm run format fixes it)"
node_modules/.bin/prettier --check . --log-level warn

step "5/5 tests (vitest run)"
node_modules/.bin/vitest run "$@"
