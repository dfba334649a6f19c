#!/usr/bin/env bash
# `npm run dev`: provisions what is missing (fast when cached), then starts the dev stack (scripts/dev.ts).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/provision.sh </dev/null
echo
exec node --import tsx scripts/dev.ts "$@"
