#!/usr/bin/env bash
# Runs the end-to-end tests (pytest, system python3) against the built agent and Go fixture.
# Usage: run_e2e.sh HUGIN SERVER [pytest args]
set -euo pipefail
hugin=$(realpath -s "${1:?usage: run_e2e.sh HUGIN SERVER}")
server=$(realpath -s "${2:?usage: run_e2e.sh HUGIN SERVER}")
shift 2
here=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
export PYTHONDONTWRITEBYTECODE=1
exec python3 -m pytest -q -p no:cacheprovider "$here" --hugin="$hugin" --server="$server" "$@"
