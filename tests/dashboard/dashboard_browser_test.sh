#!/usr/bin/env bash
# Runs the browser test with Debian's Python (selenium) and Chromium (scripts/install-deps.sh).
set -euo pipefail
exec /usr/bin/python3 "$@"
