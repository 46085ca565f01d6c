#!/usr/bin/env bash
# The main job from a fresh clone: install GSL when missing, build lvssim in
# release mode, check the schedulers against the real-kernel traces, then
# compare rr with wlc on the bundled skewed, heavy-tailed scenario. The release
# build is scripts/build-release.sh's (the Swift runtime linked statically on Linux).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
bin="$(bash scripts/build-release.sh)"

traces=../shared/ipvs-traces/traces
if [ -d "$traces" ]; then
  echo "== Replaying the real-kernel decision traces in $traces"
  "$bin" replay "$traces" | tail -n 1
fi

echo "== rr versus wlc under skewed load (Scenarios/skewed-heavy-tail.yaml)"
"$bin" compare Scenarios/skewed-heavy-tail.yaml --schedulers rr,wlc
