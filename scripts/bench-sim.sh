#!/usr/bin/env bash
# The simulation's speed against issue #4's targets, measured as a ratio so that the
# machine's own speed cancels out.
#
# Runs, alternately and ROUNDS times each (default 5):
#   - lvssim on the skewed scenario, 1,000,000 measured connections after 50,000 warm-up
#     (release build, one replication, one core), and
#   - scripts/calibrate-python.py, the lean plain-Python heapq model of the same
#     experiment (no connection accounting), which the issue's reference machine runs
#     in about 1.2 s;
# then prints the fastest and median wall times of each, the engine's hold benchmark
# (engine alone, and with a GSL draw per event),
# and what the issue's targets (0.3 s for the million connections, 20 M events/s on the
# hold benchmark) become on this machine: target × (Python here / 1.2 s).
#
# Usage: scripts/bench-sim.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-5}"

# The release build of scripts/build-release.sh (its log shown only if it fails).
build_log="$(mktemp)"
if ! bin="$(bash scripts/build-release.sh 2>"$build_log")"; then
    cat "$build_log" >&2
    rm -f "$build_log"
    exit 1
fi
rm -f "$build_log"
scenario=Scenarios/skewed-heavy-tail.yaml

sim=()
py=()
rss=0
for ((i = 1; i <= rounds; i++)); do
    out=$( { /usr/bin/time -f "%e %M" "$bin" run "$scenario" --replications 1 --json --deterministic >/dev/null; } 2>&1 | tail -1)
    sim+=("${out% *}")
    (( ${out#* } > rss )) && rss=${out#* }
    py+=("$(python3 scripts/calibrate-python.py | awk '/^wall/ {print $2}')")
    echo "round $i: lvssim ${sim[-1]} s, python ${py[-1]} s" >&2
done

stats() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {printf "%.2f %.2f", v[1], v[int((NR+1)/2)]}'; }
read -r sim_min sim_med <<<"$(stats "${sim[@]}")"
read -r py_min py_med <<<"$(stats "${py[@]}")"
# The hold model at 1,000 pending events: with a gsl_ran_exponential draw per event, and the
# engine alone (increments drawn up front: the event set's own cost, as the classic hold
# studies count it, the generator timed apart).
read -r hold alone <<<"$("$bin" bench --engine-only | awk '$1 == 1000 {print $2, $4}')"

awk -v smin="$sim_min" -v smed="$sim_med" -v pmin="$py_min" -v pmed="$py_med" -v rss="$rss" -v hold="$hold" -v alone="$alone" 'BEGIN {
    factor = pmin / 1.2
    printf "lvssim, 1M skewed connections   fastest %.2f s, median %.2f s, max RSS %d MB\n", smin, smed, rss / 1024
    printf "lean Python model (same work)   fastest %.2f s, median %.2f s\n", pmin, pmed
    printf "this machine vs the reference   %.2fx slower (fastest Python / 1.2 s)\n", factor
    printf "1M target (0.3 s there)         %.2f s here: %s (lvssim %.2fx faster than the Python model; 4.0x required)\n", 0.3 * factor, (smin <= 0.3 * factor ? "met" : "NOT met"), pmin / smin
    printf "hold benchmark (1,000 pending)  engine alone %.2f M events/s, with a GSL draw per event %.2f M; target 20 M there = %.2f M here: engine alone %s, with draws %s\n", alone / 1e6, hold / 1e6, 20 / factor, (alone / 1e6 >= 20 / factor ? "met" : "NOT met"), (hold / 1e6 >= 20 / factor ? "met" : "NOT met")
}'
