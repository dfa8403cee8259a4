"""Fashion-MNIST for the exported trainer (written by `jepa export --to pytorch`): the IDX files
jepa-ts reads (Debian's dataset-fashion-mnist installs them in /usr/share/datasets/fashion-mnist),
as float32 NCHW images x / 255, zero-padded (centered; an odd extra row or column goes to the
bottom / right) to the run's image size — as jepa-ts's toBatchTensor pads 28 to 32.
"""
import gzip
import os
import struct

import torch

DEBIAN_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist'


def read_idx_images(path):
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rb') as f:
        data = f.read()
    magic, n, h, w = struct.unpack('>IIII', data[:16])
    if magic != 2051:
        raise ValueError(f'{path}: not an IDX image file (magic {magic}, expected 2051)')
    if len(data) < 16 + n * h * w:
        raise ValueError(f'{path}: truncated ({len(data)} bytes for {n} images of {h}x{w})')
    return torch.frombuffer(bytearray(data[16:16 + n * h * w]), dtype=torch.uint8).reshape(n, 1, h, w)


def fashion_mnist(directory, image, limit=None, split='train'):
    """[N, C, H, W] float32 in [0, 1], padded to `image` [H, W, C] of the run config."""
    name = f'{split}-images-idx3-ubyte'
    path = next((p for p in (os.path.join(directory, name + '.gz'), os.path.join(directory, name)) if os.path.exists(p)), None)
    if path is None:
        raise FileNotFoundError(f'{directory}: no {name}(.gz) (install dataset-fashion-mnist or pass --data <dir>)')
    x = read_idx_images(path)
    if limit is not None:
        x = x[:limit]
    h, w, c = image
    if c != 1 or h < x.shape[2] or w < x.shape[3]:
        raise ValueError(f'the run takes {h}x{w}x{c} images; Fashion-MNIST is {x.shape[2]}x{x.shape[3]}x1')
    top, left = (h - x.shape[2]) // 2, (w - x.shape[3]) // 2
    out = torch.zeros(x.shape[0], 1, h, w)
    out[:, :, top:top + x.shape[2], left:left + x.shape[3]] = x.float() / 255.0
    return out
