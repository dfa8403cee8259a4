#!/usr/bin/env bash
# The GPU check, one command on a machine with an NVIDIA GPU and no Node (the pack from
# scripts/gpu-pack.sh brings Node, Dawn and the Vulkan loader):
#
#   bash .gpu-pack/device-check.sh [bench flags…]      (from the directory that holds .gpu-pack)
#
# Prints the GPU (nvidia-smi) and the Vulkan ICDs found, unpacks the pack into a temp folder, then
# runs the bench (bench/gpu-step.ts, bundled): I-JEPA, MAE and VICReg steps on webgpu at batch 64
# and 256 next to the PyTorch twin on CUDA, one markdown table. Extra flags go to the bench
# (e.g. --families ijepa --batches 256). DEVICE_CHECK_ICD=<icd.json> forces a Vulkan ICD (here:
# chromium's SwiftShader, to test the pack on a machine without a GPU).
set -euo pipefail
pack=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "› GPU"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || echo "(no nvidia-smi)"

echo "› unpacking into $work"
xz -dc "$pack/node.xz" > "$work/node"
chmod +x "$work/node"
cp -r "$pack/bench" "$pack/tools" "$pack/examples" "$work/"
xz -d "$work/bench/node_modules/webgpu/dist/linux-x64/dawn.node.xz"
mkdir -p "$work/vulkan"
for deb in "$pack"/debs/*.deb; do
  if command -v dpkg-deb >/dev/null 2>&1; then dpkg-deb -x "$deb" "$work/vulkan"
  else (cd "$work" && ar x "$deb" data.tar.xz && tar -xJf data.tar.xz -C "$work/vulkan" && rm data.tar.xz); fi
done
export LD_LIBRARY_PATH="$work/vulkan/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$work}"

if [ -n "${DEVICE_CHECK_ICD:-}" ]; then
  export VK_ICD_FILENAMES="$DEVICE_CHECK_ICD"
else
  icds=$(ls /usr/share/vulkan/icd.d/*.json /etc/vulkan/icd.d/*.json 2>/dev/null || true)
  echo "› Vulkan ICDs: ${icds:-none}"
  if ! echo "$icds" | grep -qi nvidia; then
    # Containers often carry the NVIDIA driver's libraries without its ICD file: write one.
    lib=$(ldconfig -p 2>/dev/null | grep -o '/[^ ]*libGLX_nvidia\.so\.0' | head -n 1 || true)
    if [ -n "$lib" ]; then
      printf '{"file_format_version":"1.0.0","ICD":{"library_path":"%s","api_version":"1.3.0"}}\n' "$lib" > "$work/nvidia_icd.json"
      export VK_ICD_FILENAMES="$work/nvidia_icd.json"
      echo "› wrote an NVIDIA ICD for $lib"
    fi
  fi
fi

# The PyTorch twin runs under the first python that imports torch.
python=""
for p in python3 /usr/bin/python3 python; do
  if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import torch' >/dev/null 2>&1; then python=$(command -v "$p"); break; fi
done
echo "› PyTorch: ${python:-none found} $([ -n "$python" ] && "$python" -c 'import torch; print(torch.__version__, "cuda", torch.cuda.is_available())')"

echo "› bench: node $("$work/node" --version), ${VK_ICD_FILENAMES:+VK_ICD_FILENAMES=$VK_ICD_FILENAMES}"
cd "$work"
"$work/node" "$work/bench/gpu-step.mjs" ${python:+--python "$python"} "$@"
