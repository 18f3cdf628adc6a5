#!/usr/bin/env bash
# The tests: install everything (see setup.sh), then run the whole suite, slow and UI tests too.
# Extra arguments go to pytest (e.g. `bash .ci/test.sh -m "not slow"` for the quick ones).
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/setup.sh test
export LITELLM_LOCAL_MODEL_COST_MAP=True
.venv/bin/pytest -q -p no:cacheprovider "$@"
