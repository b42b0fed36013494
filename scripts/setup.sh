#!/usr/bin/env bash
# Installs what arrayc needs on a Debian machine and is safe to run again: the Arm cross-compiler
# and newlib, QEMU, a host C compiler and make, the KEMAR HRTF data (libmysofa1), espeak-ng
# (speech for the noise suppressor's test vectors) and the npm packages. apt-get runs only when a
# package is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm gcc make libc6-dev libmysofa1 hdf5-tools chromium espeak-ng)
missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then missing+=("$p"); fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  # `npm install` honours the lock file; `npm ci` refuses lock files that (as this npm writes
  # them) leave out other platforms' optional packages.
  echo "setup: npm install"
  npm install --no-audit --no-fund --loglevel=error
fi
echo "setup: ok ($(arm-none-eabi-gcc --version | head -n1); $(qemu-system-arm --version | head -n1))"
