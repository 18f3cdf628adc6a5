#!/usr/bin/env bash
# Install the browser the UI tests drive: Debian's Chromium (plus a font set, so text in
# screenshots renders). Run as root (or with sudo). Idempotent: does nothing when
# /usr/bin/chromium already exists.
#
# Never `playwright install`: the Python Playwright in the venv drives this system Chromium
# through executable_path="/usr/bin/chromium" (tests/ui/conftest.py).
set -euo pipefail

CHROMIUM=/usr/bin/chromium
say() { echo "install-browser: $*"; }

if [[ -x "$CHROMIUM" ]]; then
  say "$("$CHROMIUM" --version 2>/dev/null || echo chromium) already installed; nothing to do"
  exit 0
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "install-browser: run as root (no sudo found)" >&2; exit 2; }
  SUDO=sudo
fi

started=$(date +%s)
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends chromium fonts-liberation fonts-noto-color-emoji
[[ -x "$CHROMIUM" ]] || { echo "install-browser: apt installed chromium but $CHROMIUM is missing" >&2; exit 1; }
say "$("$CHROMIUM" --version) installed in $(($(date +%s) - started))s"
