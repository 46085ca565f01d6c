#!/usr/bin/env bash
# The main job from a fresh clone: install GSL when missing, build lvssim in
# release mode, then run the bundled default job.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
swift build -c release --product lvssim
bin="$(swift build -c release --show-bin-path)/lvssim"

traces=../shared/ipvs-traces/traces
if [ -d "$traces" ]; then
  echo "== Replaying the real-kernel decision traces in $traces"
  "$bin" replay "$traces"
fi

echo "== Setting up the example director with lvssim ipvsadm"
state="$(mktemp -d)/director.json"
"$bin" ipvsadm --state "$state" -R < Scenarios/example-director.rules
"$bin" ipvsadm --state "$state" -Ln
