#!/usr/bin/env bash
# Renders an `lvssim trace --format html` page, screenshots it with headless
# Chromium and checks the picture: the PNG exists, is not tiny, is not one
# blank colour, and shows the diagram's colours (the highlight of rewritten
# fields, the blue of inbound arrows).
#
# Usage:
#   scripts/trace-screenshot.sh [SCENARIO] [--connection N] [--out PNG]
#   scripts/trace-screenshot.sh --html FILE [--out PNG]
#   scripts/trace-screenshot.sh --fixture nat|dr|tun [--out PNG]
#
#   SCENARIO      a packet-level scenario (default Scenarios/teach-nat.yaml),
#                 traced with `lvssim trace SCENARIO --format html`
#   --html FILE   screenshot an existing HTML file instead
#   --fixture F   the hand-built NAT/DR/TUN trace of the renderer tests,
#                 written by `swift test --filter TraceRenderHTMLTests/writesFixture`
#   --out PNG     where the screenshot goes (default /tmp/lvssim-trace.png)
#   --size W,H    browser window (default 1400,1000)
#
# Installs Debian's `chromium` with apt-get when no chromium binary is found
# (with sudo when not root); exits 3 when that is impossible. Needs python3
# (standard library only).
set -euo pipefail
cd "$(dirname "$0")/.."

scenario="Scenarios/teach-nat.yaml"
connection=1
html=""
fixture=""
out="${TMPDIR:-/tmp}/lvssim-trace.png"
size="1400,1000"
while [ $# -gt 0 ]; do
  case "$1" in
    --connection) connection="$2"; shift 2 ;;
    --html) html="$2"; shift 2 ;;
    --fixture) fixture="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --size) size="$2"; shift 2 ;;
    -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "trace-screenshot: unknown option $1" >&2; exit 64 ;;
    *) scenario="$1"; shift ;;
  esac
done

# 1. A Chromium to take the screenshot.
browser=""
for candidate in chromium chromium-headless-shell chromium-browser google-chrome; do
  if command -v "$candidate" >/dev/null 2>&1; then browser="$(command -v "$candidate")"; break; fi
done
if [ -z "$browser" ]; then
  echo "trace-screenshot: installing chromium with apt-get" >&2
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  if ! { $sudo apt-get update -qq && $sudo apt-get install -y -qq chromium >/dev/null; }; then
    echo "trace-screenshot: could not install chromium with apt-get" >&2
    exit 3
  fi
  browser="$(command -v chromium)"
fi

# 2. The page.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if [ -n "$html" ]; then
  [ -f "$html" ] || { echo "trace-screenshot: $html: no such file" >&2; exit 66; }
  page="$(cd "$(dirname "$html")" && pwd)/$(basename "$html")"
elif [ -n "$fixture" ]; then
  page="$work/trace-$fixture.html"
  swift build --build-tests >&2
  LVSSIM_TRACE_FIXTURE="$fixture" LVSSIM_TRACE_HTML_OUT="$page" \
    swift test --skip-build --filter 'TraceRenderHTMLTests/writesFixture' >/dev/null
  [ -s "$page" ] || { echo "trace-screenshot: the fixture test wrote no page" >&2; exit 1; }
else
  page="$work/trace.html"
  swift build --product lvssim >&2
  if ! "$(swift build --show-bin-path)/lvssim" trace "$scenario" --connection "$connection" --format html --out "$page"; then
    echo "trace-screenshot: lvssim trace failed (without the packet-level simulation, try --fixture nat or --html FILE)" >&2
    exit 1
  fi
fi

# 3. The screenshot.
mkdir -p "$(dirname "$out")"
rm -f "$out"
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --screenshot="$out" \
  --window-size="$size" "file://$page" >/dev/null 2>&1 || true
[ -f "$out" ] || { echo "trace-screenshot: chromium wrote no screenshot" >&2; exit 1; }

# 4. The checks: size, not blank, the diagram's colours present.
python3 - "$out" <<'PY'
import struct, sys, zlib

path = sys.argv[1]
data = open(path, "rb").read()
if len(data) < 20_000:
    sys.exit(f"trace-screenshot: {path} is only {len(data)} bytes")
if data[:8] != b"\x89PNG\r\n\x1a\n":
    sys.exit(f"trace-screenshot: {path} is not a PNG")
pos, idat = 8, b""
while pos < len(data):
    length, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + length]
    if kind == b"IHDR":
        width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
    elif kind == b"IDAT":
        idat += body
    pos += 12 + length
if depth != 8 or colour not in (2, 6) or interlace:
    sys.exit(f"trace-screenshot: unexpected PNG format (depth {depth}, colour type {colour})")
channels = 3 if colour == 2 else 4
stride = width * channels
raw = zlib.decompress(idat)
previous = bytearray(stride)
counts = {}
for y in range(height):
    start = y * (stride + 1)
    kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
    if kind == 1:
        for i in range(channels, stride): line[i] = (line[i] + line[i - channels]) & 255
    elif kind == 2:
        for i in range(stride): line[i] = (line[i] + previous[i]) & 255
    elif kind == 3:
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            line[i] = (line[i] + ((left + previous[i]) >> 1)) & 255
    elif kind == 4:
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = previous[i]
            c = previous[i - channels] if i >= channels else 0
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    for x in range(0, stride, channels):
        rgb = bytes(line[x:x + 3])
        counts[rgb] = counts.get(rgb, 0) + 1
    previous = line

def near(target, tolerance=40):
    return sum(n for rgb, n in counts.items() if all(abs(rgb[i] - target[i]) <= tolerance for i in range(3)))

total = width * height
top = max(counts.values())
highlight = near((0xd6, 0x33, 0x6c))   # rewritten fields
inbound = near((0x1f, 0x5f, 0xa8))     # arrows towards the real servers
reply = near((0x2e, 0x7d, 0x32))       # arrows back towards the client
print(f"{path}: {width}x{height}, {len(data)} bytes, {len(counts)} colours, "
      f"background {100 * top / total:.1f}%, highlight {highlight} px, blue {inbound} px, green {reply} px")
if len(counts) < 16 or top > 0.995 * total:
    sys.exit("trace-screenshot: the screenshot is blank")
if highlight < 300:
    sys.exit("trace-screenshot: too few pixels of the highlight colour (rewritten fields)")
if inbound < 150:
    sys.exit("trace-screenshot: too few pixels of the inbound arrows' blue")
PY
echo "$out"
