"""Checks the exported package's modules and step (packages/cli/src/export/pytorch/) against the
independent PyTorch reference fixtures the jepa-ts parity tests use (tools/parity): the ViT and
predictor outputs of vit_small_ref.safetensors, and the I-JEPA loss, one AdamW step and the EMA of
ijepa-step.safetensors (lr 1e-3, wd 0.04, m 0.996: a config whose schedules are those constants).
Used by test/cli/export-package.test.ts. Prints one JSON object: the largest |package - fixture|
per quantity.

Run:  /usr/bin/python3 tools/torch/check_package_modules.py <dir with jepa_model.py and jepa_ijepa.py>
"""
import json
import os
import sys

import torch

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
from check_export import read_safetensors  # noqa: E402

fixtures = os.path.join(here, '..', '..', 'test', 'fixtures', 'parity')


def section(tensors, prefix):
    return {k[len(prefix):]: v for k, v in tensors.items() if k.startswith(prefix)}


def diff(a, b):
    return float((a - b).abs().max())


def main():
    sys.path.insert(0, sys.argv[1])
    import jepa_ijepa  # noqa: E402
    import jepa_model  # noqa: E402

    out = {}
    ref = read_safetensors(os.path.join(fixtures, 'vit_small_ref.safetensors'))
    vit = jepa_model.VisionTransformer((32, 32, 3), 4, 64, 2, 4)
    vit.load_state_dict(section(ref, 'model.'), strict=True)
    pred = jepa_model.Predictor((8, 8), 64, 32, 2, 4)
    pred.load_state_dict(section(ref, 'predictor.'), strict=True)
    with torch.no_grad():
        nchw = ref['images'].permute(0, 3, 1, 2)
        out['vit_full'] = diff(vit(nchw), ref['out_full'])
        out['vit_masked'] = diff(vit(nchw, ref['token_idx'].long()), ref['out_masked'])
        targets = [t.long() for t in ref['pred_target_idx']]
        out['predictor'] = diff(pred(ref['pred_ctx_tokens'], ref['pred_ctx_idx'].long(), targets), ref['pred_out'])

    step = read_safetensors(os.path.join(fixtures, 'ijepa-step.safetensors'))
    constant = {'lr': 1e-3, 'startLr': 1e-3, 'finalLr': 1e-3, 'warmupSteps': 0, 'weightDecay': 0.04, 'finalWeightDecay': 0.04}
    model_config = {'image': [16, 16, 1], 'patchSize': 4, 'encoder': {'dim': 32, 'depth': 1, 'heads': 4}, 'predictor': {'dim': 16, 'depth': 1},
                    'energy': 'smoothL1', 'optimizer': constant, 'ema': [0.996, 0.996]}
    model = jepa_ijepa.Ijepa({'model': model_config, 'scheduleSteps': 10})
    model.encoder.load_state_dict(section(step, 'encoder.'), strict=True)
    model.target.load_state_dict(section(step, 'target.encoder.'), strict=True)
    model.predictor.load_state_dict(section(step, 'predictor.'), strict=True)
    images = step['images'].permute(0, 3, 1, 2).contiguous()
    values = model.train_step(images, step['ctx_idx'].long(), [t.long() for t in step['target_idx']])
    out['loss'] = abs(values['loss'] - float(step['ijepa_loss'][0]))
    after = lambda prefix, m: max(diff(v, step[prefix + k]) for k, v in m.state_dict().items() if prefix + k in step)
    out['after_step_encoder'] = after('after.encoder.', model.encoder)
    out['after_step_predictor'] = after('after.predictor.', model.predictor)
    out['after_ema_target'] = after('after.target.encoder.', model.target)
    print(json.dumps(out))


if __name__ == '__main__':
    main()
