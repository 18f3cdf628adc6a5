#!/usr/bin/env bash
# Make benchmarks/.venv-peers: the peer extensions (jupyter-ai-magics, chatlab) and ipykernel,
# pinned, in a venv of their own so their dependencies never touch the project's .venv.
# Idempotent: re-running only installs what is missing. About a minute from nothing.
#   bash benchmarks/setup_peers.sh            # uses python3; PYTHON=/path/to/python to choose
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv-peers"
if [ ! -x "$venv/bin/python" ]; then
  "${PYTHON:-python3}" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
  -r "$here/peers-requirements.txt" -c "$here/peers-constraints.txt"
"$venv/bin/python" -c "import jupyter_ai_magics, chatlab, ipykernel" 2>/dev/null
echo "peers ready: $venv"
