#!/usr/bin/env bash
# Installs what lvssim needs on a fresh Debian machine: GSL (libgsl-dev, found
# through pkg-config). The Swift toolchain itself must already be on PATH.
set -euo pipefail

if ! command -v swift >/dev/null 2>&1; then
  echo "lvssim: the Swift toolchain (swift) is not on PATH; install Swift 6.1 or newer first" >&2
  exit 1
fi

need=()
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
if ! pkg-config --exists gsl 2>/dev/null; then need+=(libgsl-dev); fi

if [ ${#need[@]} -gt 0 ]; then
  echo "lvssim: installing ${need[*]} with apt-get" >&2
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
pkg-config --exists gsl || { echo "lvssim: GSL still not found by pkg-config" >&2; exit 1; }
