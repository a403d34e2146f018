#!/usr/bin/env bash
# Install driftlab and its test tools into ./.venv, CPU-only.
#
# torch goes in first, as the CPU build: a bare "torch" requirement can pull a
# multi-GB CUDA build. On these machines torch==2.13.0 (CPU) lies on local
# disk; elsewhere the official CPU wheel index is tried, then plain PyPI.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
PIP=(.venv/bin/python -m pip -q --disable-pip-version-check)
if ! .venv/bin/python -c "import torch" 2>/dev/null; then
  "${PIP[@]}" install "torch==2.13.0" 2>/dev/null \
    || "${PIP[@]}" install torch --index-url https://download.pytorch.org/whl/cpu 2>/dev/null \
    || "${PIP[@]}" install torch
fi
"${PIP[@]}" install -e ".[test]"
# Browser tests drive Debian's chromium through Playwright (never
# 'playwright install': no browser downloads).
command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium) \
  || echo "warning: chromium not installed; browser tests will be skipped" >&2
echo "driftlab installed in .venv ($(.venv/bin/python -c 'import torch; print("torch", torch.__version__)'))" >&2
