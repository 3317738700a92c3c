#!/usr/bin/env bash
# Prints the first Python >= 3.12 found (tritonclient 2.73 needs it): on PATH, then pyenv's versions.
set -u
for p in python3.12 "$HOME"/.pyenv/versions/3.12*/bin/python3 python3 python3.13 "$HOME"/.pyenv/versions/3.13*/bin/python3; do
  exe=$(command -v "$p" 2>/dev/null) || continue
  if "$exe" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
    echo "$exe"
    exit 0
  fi
done
echo "no Python >= 3.12 found (needed by tritonclient); install python3.12" >&2
exit 1
