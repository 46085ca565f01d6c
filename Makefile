# Convenience targets; the README's two commands are scripts/run.sh and scripts/test.sh.
.PHONY: build test bench replay golden clean

build:
	bash scripts/ensure-deps.sh
	swift build

test:
	bash scripts/test.sh

bench:
	swift run -c release lvssim bench

replay:
	swift run lvssim replay ../shared/ipvs-traces/traces

golden:
	swift test --filter "Golden"

clean:
	rm -rf .build
