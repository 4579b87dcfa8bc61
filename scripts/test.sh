#!/usr/bin/env bash
# The one command that sets up and runs the whole test suite.
# Works on a fresh Debian machine with only Python 3.11 + pip (root or sudo).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [ ! -x .venv/bin/python ]; then
    echo "==> creating .venv"
    python3 -m venv .venv
fi

echo "==> installing Python dependencies (requirements-dev.txt)"
.venv/bin/python -m pip install -q -r requirements-dev.txt

if [ ! -x /usr/bin/chromium ]; then
    echo "==> installing Debian chromium (needed by the browser tests)"
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            SUDO="sudo"
        else
            echo "ERROR: /usr/bin/chromium is missing and we are neither root nor have sudo." >&2
            exit 1
        fi
    fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update
    $SUDO apt-get install -y chromium
fi

echo "==> running pytest $*"
rc=0
.venv/bin/python -m pytest "$@" || rc=$?
if [ "$rc" -eq 5 ]; then
    echo "ERROR: pytest collected no tests (exit code 5) - treating as failure." >&2
fi
exit "$rc"
