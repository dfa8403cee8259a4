"""Fixtures of the torch.save reader (test/core/torch-file.test.ts), written by Debian's PyTorch.

Run:  /usr/bin/python3 tools/torch/make_reader_fixtures.py
Writes test/fixtures/torch/values.pt (torch.save, default zip format, pickle protocol 2) and
test/fixtures/torch/values.expected.json (what the reader must return: every tensor's shape and
row-major values as float32 or int32 numbers, and the plain values).

values.pt holds one tensor per storage dtype the reader supports (float32, float16, bfloat16,
float64, int64, int32, int16, int8, uint8, bool), strided views (a transpose and a narrowed slice
sharing the float32 tensor's storage), a 0-d tensor, an empty tensor, an nn.Parameter, a module's
state_dict (an OrderedDict carrying `_metadata`, set by BUILD), and plain values (nested lists,
tuples, None, booleans, floats, small, negative and 70-bit ints, strings).
"""
import json
import os
from collections import OrderedDict

import torch

torch.manual_seed(0)
here = os.path.dirname(os.path.abspath(__file__))
out_dir = os.path.normpath(os.path.join(here, '..', '..', 'test', 'fixtures', 'torch'))
os.makedirs(out_dir, exist_ok=True)

base = torch.arange(12, dtype=torch.float32).reshape(3, 4) / 8 - 0.5
tensors = OrderedDict([
    ('f32', base),
    ('f16', torch.tensor([[0.5, -1.25, 65504.0], [6.1035e-05, 0.0, -0.0]], dtype=torch.float16)),
    ('bf16', torch.tensor([1.5, -2.0, 3.0e38, 1.0e-3], dtype=torch.bfloat16)),
    ('f64', torch.tensor([1.0 / 3.0, -2.5], dtype=torch.float64)),
    ('i64', torch.tensor([[-3, 2147483647], [0, -2147483648]], dtype=torch.int64)),
    ('i32', torch.tensor([7, -8], dtype=torch.int32)),
    ('i16', torch.tensor([-300, 300], dtype=torch.int16)),
    ('i8', torch.tensor([-128, 127], dtype=torch.int8)),
    ('u8', torch.tensor([0, 255], dtype=torch.uint8)),
    ('bool', torch.tensor([True, False, True])),
    ('transposed', base.t()),
    ('narrowed', base[1:, 1:3]),
    ('scalar', torch.tensor(2.25)),
    ('empty', torch.zeros(0, 3)),
    ('param', torch.nn.Parameter(torch.tensor([[1.0, 2.0]]))),
])
module = torch.nn.Linear(2, 3)
plain = {'list': [1, 2.5, 'x', None, True, False], 'tuple': (1, (2, 3)), 'big': 2 ** 70, 'neg': -5, 'text': 'héllo'}
obj = {'tensors': tensors, 'linear': module.state_dict(), 'plain': plain}
path = os.path.join(out_dir, 'values.pt')
torch.save(obj, path)


def described(t):
    kind = 'F32' if t.is_floating_point() else 'I32'
    values = t.float() if kind == 'F32' else t.to(torch.int64)
    return {'dtype': kind, 'shape': list(t.shape), 'values': values.reshape(-1).tolist()}


expected = {
    'tensors': {k: described(v.detach()) for k, v in tensors.items()},
    'linear': {k: described(v) for k, v in module.state_dict().items()},
    'plain': {'list': [1, 2.5, 'x', None, True, False], 'tuple': [1, [2, 3]], 'big': str(2 ** 70), 'neg': -5, 'text': 'héllo'},
}
with open(os.path.join(out_dir, 'values.expected.json'), 'w') as f:
    json.dump(expected, f, indent=1)
print(f'wrote {path} ({os.path.getsize(path)} bytes)')
