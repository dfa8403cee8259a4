"""Writes test/fixtures/safetensors/reference.safetensors and reference.expected.json.

Debian 12 has no python3-safetensors package, so this writes the format by hand with struct + json,
following the reference writer (huggingface/safetensors `serialize`): u64 little-endian header length,
compact JSON header with `__metadata__` first, tensors sorted by descending alignment then name,
header padded with spaces to a multiple of 8, data packed with no holes. Tensor bytes come from
PyTorch; the expected float32 bit patterns come from PyTorch's own dtype conversions, so the test is a
differential check of our F16/BF16/F64/I64/U8 readers.

Run: /usr/bin/python3 tools/safetensors_reference.py
"""
import json
import math
import struct
from pathlib import Path

import torch

OUT = Path(__file__).resolve().parent.parent / "test" / "fixtures" / "safetensors"

DTYPE = {
    torch.float64: ("F64", 8),
    torch.float32: ("F32", 4),
    torch.float16: ("F16", 2),
    torch.bfloat16: ("BF16", 2),
    torch.int64: ("I64", 8),
    torch.int32: ("I32", 4),
    torch.uint8: ("U8", 1),
}


def raw_bytes(t: torch.Tensor) -> bytes:
    t = t.contiguous()
    if t.dtype in (torch.float16, torch.bfloat16):
        return t.view(torch.int16).numpy().astype("<i2").tobytes()
    return t.numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()


def main() -> None:
    tensors = {
        "encoder.weight": torch.tensor([[1.0, -0.0, math.inf], [-math.inf, 1e-45, 3.14159]], dtype=torch.float32),
        "encoder.bias": torch.tensor([0.5, -1.25, 2.0], dtype=torch.float32),
        "encoder.empty": torch.zeros((0, 3), dtype=torch.float32),
        "head.scale": torch.tensor([1.0, -2.5, 65504.0, 6e-8, -math.inf], dtype=torch.float16),
        "head.shift": torch.tensor([[1.0, -3.140625], [1e-38, 3.0e38]], dtype=torch.bfloat16),
        "head.double": torch.tensor([0.1, -1e300], dtype=torch.float64),
        "step": torch.tensor(1234, dtype=torch.int32),
        "counts": torch.tensor([-3, 0, 2147483647], dtype=torch.int64),
        "mask": torch.tensor([0, 1, 255, 7], dtype=torch.uint8),
    }
    metadata = {"format": "pt", "note": "jepa-ts reference fixture"}

    order = sorted(tensors, key=lambda n: (-DTYPE[tensors[n].dtype][1], n))
    header = {"__metadata__": metadata}
    data = b""
    for name in order:
        t = tensors[name]
        b = raw_bytes(t)
        header[name] = {"dtype": DTYPE[t.dtype][0], "shape": list(t.shape), "data_offsets": [len(data), len(data) + len(b)]}
        data += b
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "reference.safetensors").write_bytes(struct.pack("<Q", len(text)) + text + data)

    expected = {"metadata": metadata, "order": order, "tensors": {}}
    for name, t in tensors.items():
        dtype = DTYPE[t.dtype][0]
        if t.is_floating_point():
            bits = t.to(torch.float32).reshape(-1).view(torch.int32).tolist()
            expected["tensors"][name] = {"storedAs": dtype, "dtype": "F32", "shape": list(t.shape), "bits": [b & 0xFFFFFFFF for b in bits]}
        else:
            expected["tensors"][name] = {"storedAs": dtype, "dtype": "I32", "shape": list(t.shape), "values": t.reshape(-1).tolist()}
    (OUT / "reference.expected.json").write_text(json.dumps(expected, indent=1) + "\n")


if __name__ == "__main__":
    main()
