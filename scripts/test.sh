#!/usr/bin/env bash
# Runs the whole lvssim test suite from a fresh clone: installs GSL when
# missing, builds, and runs every test (Swift Testing and XCTest).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
swift build --build-tests
swift test --skip-build --parallel

# The teaching trace's HTML page, rendered by headless Chromium and checked
# (not blank, the diagram's colours present). Exit 3: Chromium could not be
# installed on this machine, which is reported but is not a test failure.
status=0
bash scripts/trace-screenshot.sh Scenarios/teach-nat.yaml --out "${TMPDIR:-/tmp}/lvssim-trace-check.png" || status=$?
if [ "$status" -eq 3 ]; then
  echo "test.sh: WARNING: the trace screenshot check was skipped (no Chromium available)" >&2
elif [ "$status" -ne 0 ]; then
  exit "$status"
fi
