/**
 * The facebookresearch/ijepa trainer's YAML config (the layout of its `configs/*.yaml`: sections
 * `data`, `logging`, `mask`, `meta`, `optimization`) for an exported I-JEPA run, next to the
 * official-layout checkpoint it resumes from (`meta.load_checkpoint: true`, `meta.read_checkpoint`).
 *
 * Contract: `ijepaOfficialYaml(config, facts)` returns YAML text whose values are the run's:
 * batch size, crop size (the image side), patch size, the multi-block mask settings, predictor
 * depth and width, AdamW and EMA settings. Step counts become the reference's epochs: with
 * ipe = ⌊trainImages / batchSize⌋ (its loader drops the last batch), `epochs` = ⌈T / ipe⌉,
 * `warmup` = W / ipe and `ipe_scale` = T / (epochs · ipe), so its `int(ipe_scale · epochs · ipe)`
 * schedule length is the run's T. Facts the official trainer cannot reproduce are written as YAML
 * comments, never silently dropped: a width/depth/heads with no official `vit_*` constructor
 * (`model_name: null`), a channel count other than its 3, the corrected mask rule or a context
 * aspect other than (1, 1), and that it restarts its schedules at the checkpoint's epoch 0.
 */
import type { IjepaConfig } from '@jepa-ts/ssl'

/** What the YAML needs besides the model config. */
export interface OfficialYamlFacts {
  readonly batchSize: number
  /** T, the run's schedule length in steps. */
  readonly scheduleSteps: number
  /** Images in the training split (Fashion-MNIST: 60000). */
  readonly trainImages: number
  /** The checkpoint file name, relative to the YAML's folder. */
  readonly checkpointFile: string
}

/** The reference's `vit_*` constructors with MLP ratio 4 (vit_giant's 48/11 is not ours). */
export const OFFICIAL_VITS: ReadonlyArray<readonly [string, number, number, number]> = [
  ['vit_tiny', 192, 12, 3], ['vit_small', 384, 12, 6], ['vit_base', 768, 12, 12], ['vit_large', 1024, 24, 16], ['vit_huge', 1280, 32, 16],
]

/** A number as PyYAML reads it back as the same float: exponents need a mantissa dot and a signed exponent (1.0e-06). */
export const yamlNumber = (x: number): string => {
  const plain = String(x)
  if (!plain.includes('e')) return plain
  const [mantissa, exponent] = plain.split('e') as [string, string]
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}e${exponent.startsWith('-') || exponent.startsWith('+') ? exponent : `+${exponent}`}`
}

const list = (xs: readonly number[]): string => `[${xs.map(yamlNumber).join(', ')}]`

/** The smallest ipe_scale ≥ T / (epochs · ipe) whose product with epochs · ipe floors to T. */
const ipeScaleFor = (steps: number, epochs: number, ipe: number): number => {
  let scale = steps / (epochs * ipe)
  while (Math.floor(scale * epochs * ipe) < steps) scale = scale + Number.EPSILON * Math.max(1, scale)
  return scale
}

/** The official trainer's YAML for the run (see the module contract). */
export const ijepaOfficialYaml = (config: IjepaConfig, facts: OfficialYamlFacts): string => {
  const [H, W, C] = config.image
  const { dim, depth, heads } = config.encoder
  const official = OFFICIAL_VITS.find(([, d, n, h]) => d === dim && n === depth && h === heads)
  const ipe = Math.max(1, Math.floor(facts.trainImages / facts.batchSize))
  const epochs = Math.max(1, Math.ceil(facts.scheduleSteps / ipe))
  const o = config.optimizer
  const m = config.masks
  const notes: string[] = []
  if (official === undefined) notes.push(`# model_name: no official vit_* constructor has width ${dim}, depth ${depth}, heads ${heads} (MLP ratio 4); add one to src/models/vision_transformer.py`)
  if (C !== 3) notes.push(`# the run's images have ${C} channel(s); the official vit_* constructors take in_chans 3`)
  if (H !== W) notes.push(`# the run's images are ${H}×${W}; crop_size is one side`)
  const multiBlock = m.strategy === 'multi-block' || m.strategy === 'multi-block-corrected'
  if (!multiBlock) notes.push(`# masks.strategy "${m.strategy}" has no counterpart in the official MaskCollator; the mask section below is its default multi-block`)
  if (m.strategy === 'multi-block-corrected') notes.push('# masks: the run uses the corrected multi-block rule (blocks may span the grid, positions include the last row and column); the official collator uses the reference rule')
  if (multiBlock && (m.contextAspect[0] !== 1 || m.contextAspect[1] !== 1)) notes.push(`# masks: the run's context aspect is ${list(m.contextAspect)}; the official collator fixes (1, 1)`)
  notes.push(`# schedules: the run's ${facts.scheduleSteps} steps are epochs × ipe × ipe_scale with ipe = ${ipe} (${facts.trainImages} images / batch ${facts.batchSize}); the checkpoint records epoch 0, so the official trainer restarts its lr, wd and EMA schedules at step 0 (the weights, target and AdamW moments carry over)`)
  const mb = multiBlock ? m : { nTargets: 4, targetScale: [0.15, 0.2], targetAspect: [0.75, 1.5], contextScale: [0.85, 1], minKeep: 10, allowOverlap: false }
  return [
    `# facebookresearch/ijepa trainer config for a jepa-ts run (written by jepa export --to pytorch)`,
    ...notes,
    'data:',
    `  batch_size: ${facts.batchSize}`,
    '  color_jitter_strength: 0.0',
    '  crop_scale: [1.0, 1.0]',
    `  crop_size: ${H}`,
    '  image_folder: $replace_this_with_your_image_folder',
    '  num_workers: 2',
    '  pin_mem: false',
    '  root_path: $replace_this_with_absolute_path_to_your_datasets_directory',
    '  use_color_distortion: false',
    '  use_gaussian_blur: false',
    '  use_horizontal_flip: false',
    'logging:',
    '  folder: .',
    '  write_tag: jepa',
    'mask:',
    `  allow_overlap: ${mb.allowOverlap}`,
    `  aspect_ratio: ${list(mb.targetAspect)}`,
    `  enc_mask_scale: ${list(mb.contextScale)}`,
    `  min_keep: ${mb.minKeep}`,
    '  num_enc_masks: 1',
    `  num_pred_masks: ${mb.nTargets}`,
    `  patch_size: ${config.patchSize}`,
    `  pred_mask_scale: ${list(mb.targetScale)}`,
    'meta:',
    '  copy_data: false',
    '  load_checkpoint: true',
    `  model_name: ${official === undefined ? 'null' : official[0]}`,
    `  pred_depth: ${config.predictor.depth}`,
    `  pred_emb_dim: ${config.predictor.dim}`,
    `  read_checkpoint: ${facts.checkpointFile}`,
    '  use_bfloat16: false',
    'optimization:',
    `  ema: ${list(config.ema)}`,
    `  epochs: ${epochs}`,
    `  final_lr: ${yamlNumber(o.finalLr)}`,
    `  final_weight_decay: ${yamlNumber(o.finalWeightDecay)}`,
    `  ipe_scale: ${yamlNumber(ipeScaleFor(facts.scheduleSteps, epochs, ipe))}`,
    `  lr: ${yamlNumber(o.lr)}`,
    `  start_lr: ${yamlNumber(o.startLr)}`,
    `  warmup: ${yamlNumber(o.warmupSteps / ipe)}`,
    `  weight_decay: ${yamlNumber(o.weightDecay)}`,
    '',
  ].join('\n')
}
