#!/usr/bin/env bash
# The main job: install, then execute notebooks/quickstart.ipynb headless with the embedded
# local model (no key, no network). Writes notebooks/quickstart.executed.ipynb and the chat
# transcript under notebooks/.jupyter-orch/.
# With JUPYTER_ORCH_MODEL set (and that provider's key), the notebook uses that model instead.
# The venv is .venv unless JUPYTER_ORCH_VENV names another folder.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${JUPYTER_ORCH_VENV:-.venv}
bash .ci/setup.sh main
"$venv/bin/jupyter" nbconvert --to notebook --execute notebooks/quickstart.ipynb \
  --output quickstart.executed.ipynb --ExecutePreprocessor.timeout=600
echo "executed notebook: notebooks/quickstart.executed.ipynb"
