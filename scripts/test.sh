#!/usr/bin/env bash
# Runs the whole lvssim test suite from a fresh clone: installs GSL when
# missing, builds, and runs every test (Swift Testing and XCTest).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
swift build --build-tests
swift test --skip-build --parallel
