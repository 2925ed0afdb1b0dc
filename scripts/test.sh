#!/usr/bin/env bash
# Install everything pmtui's tests need into .venv, then run every check CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v tmux >/dev/null 2>&1; then
    echo "installing tmux (the end-to-end tests drive pmtui in it)"
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq tmux >/dev/null
fi
if ! command -v git >/dev/null 2>&1; then
    echo "installing git (the team-mode tests sync clones of a bare repository)"
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq git >/dev/null
fi
if ! command -v faketime >/dev/null 2>&1; then
    echo "installing faketime (the DST-night tests run pmtui at a faked instant)"
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq faketime >/dev/null
fi

python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
.venv/bin/python -m pip install -q -e '.[dev]'

echo "== ruff"; .venv/bin/ruff check . && .venv/bin/ruff format --check .
echo "== mypy"; .venv/bin/mypy
echo "== import contracts"; .venv/bin/lint-imports
echo "== pytest"; .venv/bin/python -m pytest "$@"
