#!/usr/bin/env bash
# Builds the release lvssim tool and prints the binary's path on stdout (the build's
# own output goes to stderr).
#
# On Linux the Swift runtime and Foundation are linked statically
# (--static-swift-stdlib): calls into the runtime (reference counting, uniqueness
# checks) are then direct calls rather than calls through the dynamic linker's tables,
# and start-up resolves far fewer symbols; the 1M-connection skewed run is 4-5 %
# faster for it. Those flags change how every module is compiled, so this build has
# its own scratch directory, .build/static: `swift build -c release` and
# `swift run -c release` in .build are left as they are, and neither forces the other
# to rebuild. (Its own scratch directory also means its own checkout of the
# dependencies: from SwiftPM's cache when the default build has fetched them, else
# from the network.)
set -euo pipefail
cd "$(dirname "$0")/.."
flags=(-c release)
if [ "$(uname -s)" = Linux ]; then
    flags+=(--static-swift-stdlib --scratch-path .build/static)
fi
swift build "${flags[@]}" --product lvssim >&2
dir="$(swift build "${flags[@]}" --show-bin-path)"
echo "$dir/lvssim"
