#!/usr/bin/env bash
# Refresh .ci/constraints.txt from the test venv: the exact versions the suite passed with.
# Run it after `bash .ci/test.sh` is green with newer packages (for example after
# `.venv/bin/pip install -U -e ".[dev,quickstart]"`); commit the result with that run.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${JUPYTER_ORCH_VENV:-.venv}
{
  echo "# The versions the test suite passed with; refreshed by .ci/lock.sh. Every .ci install"
  echo "# uses it as pip constraints (pyproject.toml keeps the ranges users install with)."
  "$venv/bin/python" -m pip --version | awk '{print "pip==" $2}'
  "$venv/bin/python" -m pip freeze --exclude-editable --all \
    | grep -v -E '^(pip|setuptools|wheel)==' | grep -v -E '^(llama[-_]cpp[-_]python|llm[-_]smollm2) @ '
} >.ci/constraints.txt
echo "wrote .ci/constraints.txt ($(grep -c '==' .ci/constraints.txt) pins)"
