#!/usr/bin/env bash
# Set up (if needed) and run the EMSS Performance Dashboard locally.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [ ! -x .venv/bin/python ]; then
    echo "==> creating .venv"
    python3 -m venv .venv
fi

.venv/bin/python -m pip install -q -r requirements.txt

exec .venv/bin/streamlit run app.py "$@"
