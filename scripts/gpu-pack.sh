#!/usr/bin/env bash
# Builds the GPU check's pack: everything scripts/device-check.sh needs on a GPU machine that has
# no Node, no npm and no network — at most 64 MiB, the most a device run carries along.
#
#   scripts/gpu-pack.sh [out-dir]        (default .gpu-pack, git-ignored)
#
# The pack mirrors the repo's layout, so the bench finds its configs and the PyTorch twin its
# modules as it does here (paths inside the pack):
#   <pack>/bench/gpu-step.mjs             esbuild bundle of bench/gpu-step.ts (tfjs, tfjs-backend-webgpu,
#                                         our packages); `webgpu` stays external:
#   <pack>/bench/node_modules/webgpu/     npm `webgpu` (index.js, package.json) + dist/linux-x64/dawn.node.xz
#   copies of bench/family_step_torch.py, tools/parity/*.py, examples/configs/{ijepa,mae,vicreg}-fashion.json
#   node.xz                               this machine's Node binary (xz -T2)
#   <pack>/debs/libvulkan1_*.deb          the Vulkan loader (apt-get download), unpacked there by dpkg-deb
#   device-check.sh                       the command to run there
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-.gpu-pack}
limit=$((64 * 1024 * 1024))

rm -rf "$out"
mkdir -p "$out/bench/node_modules/webgpu/dist/linux-x64" "$out/tools/parity" "$out/examples/configs" "$out/debs"

echo "› esbuild bench/gpu-step.ts → $out/bench/gpu-step.mjs"
pnpm exec esbuild bench/gpu-step.ts --bundle --platform=node --format=esm --target=node20 \
  --outfile="$out/bench/gpu-step.mjs" --log-level=warning \
  --external:webgpu --external:@jepa-ts/backend-native --external:@tensorflow/tfjs-backend-wasm \
  --external:@tensorflow/tfjs-node --external:@tensorflow/tfjs-node-gpu \
  --banner:js="import { createRequire as __jepaCreateRequire } from 'node:module'; const require = __jepaCreateRequire(import.meta.url);"

webgpu=$(cd packages/engine && node -e "const p = require('node:path'); console.log(p.dirname(require.resolve('webgpu/package.json')))")
echo "› webgpu from $webgpu (dawn.node, xz)"
cp "$webgpu/index.js" "$webgpu/package.json" "$out/bench/node_modules/webgpu/"
xz -T2 -c "$webgpu/dist/linux-x64/dawn.node" > "$out/bench/node_modules/webgpu/dist/linux-x64/dawn.node.xz"

node_bin=$(command -v node)
echo "› node $(node --version) from $node_bin (xz)"
xz -T2 -c "$node_bin" > "$out/node.xz"

cp bench/family_step_torch.py "$out/bench/"
cp tools/parity/*.py "$out/tools/parity/"
cp examples/configs/ijepa-fashion.json examples/configs/mae-fashion.json examples/configs/vicreg-fashion.json "$out/examples/configs/"
cp scripts/device-check.sh "$out/"

echo "› apt-get download libvulkan1"
(cd "$out/debs" && apt-get download libvulkan1 >/dev/null)

size=$(du -sb "$out" | cut -f1)
echo "pack $out: $((size / 1024 / 1024)) MiB ($size bytes) of at most 64 MiB"
du -b "$out/node.xz" "$out/bench/node_modules/webgpu/dist/linux-x64/dawn.node.xz" "$out/bench/gpu-step.mjs" "$out"/debs/*.deb
if [ "$size" -gt "$limit" ]; then
  echo "the pack is over 64 MiB" >&2
  exit 1
fi
