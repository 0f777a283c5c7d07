#!/usr/bin/env bash
# Install everything the tests need, then run them. Used by the README and by CI.
#
#   bash scripts/test.sh [pytest arguments]
#
# - a virtual environment in .venv with the package and its test extras;
# - Debian's chromium for the browser tests, installed with apt-get when it is missing
#   and we are root (Playwright drives the system browser: its own download cannot work
#   offline). Without a browser the browser tests skip, except under CI=true, where a
#   missing browser is a failure.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip >/dev/null
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'

if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's chromium for the browser tests…" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "note: chromium is not installed and cannot be installed here; browser tests will skip" >&2
  fi
fi

exec .venv/bin/python -m pytest "$@"
