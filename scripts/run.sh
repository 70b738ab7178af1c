#!/usr/bin/env bash
# bash scripts/run.sh <npm script> [args…]
# The README's one-command entry point: makes Node >= 22.18 available (installing node@24 from
# the npm registry into .node/ when the system's Node is older), installs the locked
# dependencies when they are missing or stale, then runs the npm script.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/use-node.sh
source scripts/use-node.sh
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "run: installing dependencies (npm ci) ..." >&2
  npm ci --no-audit --no-fund --loglevel=error
fi
exec npm run --silent "${1:?usage: bash scripts/run.sh <start|test|bench|deploy|migrate|...> [args]}" -- "${@:2}"
