#!/usr/bin/env bash
# Installs everything jepa-ts needs on a fresh Debian machine with Node 20 (run as root, or with
# sudo available): the Debian packages (Fashion-MNIST, OpenBLAS for the native backend, chromium for
# the browser test of `jepa serve` and, with libvulkan1, SwiftShader for the webgpu tests), pnpm 10,
# and the workspace's dependencies (which builds the native addon when a compiler and BLAS exist).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(dataset-fashion-mnist libopenblas-dev libopenblas0-pthread pkg-config g++ make python3-torch chromium libvulkan1)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  echo "› apt-get install ${missing[*]}"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! command -v pnpm >/dev/null 2>&1 || ! pnpm --version | grep -q '^10\.'; then
  echo "› npm install -g pnpm@10"
  npm install -g pnpm@10 >/dev/null
fi

echo "› pnpm install"
if [ -f pnpm-lock.yaml ]; then pnpm install --frozen-lockfile; else pnpm install; fi
