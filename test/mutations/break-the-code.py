"""Break-the-code pass over core, nn, masks and ssl (the style of test/eval/break-the-code.py): applies
each deliberate bug below to the package sources (and one to the cli's summary), runs the test files that should catch it, prints
which tests failed, and restores the source. A mutation with 0 failing tests is a hole in the suite:
see test/mutations/findings.md for what this pass found and what was fixed.
  python3 test/mutations/break-the-code.py [name ...]   (run from the repo root; ~10 min on 2 cores)
"""
import os, subprocess, sys
C, N, M, S = 'packages/core/src/', 'packages/nn/src/', 'packages/masks/src/', 'packages/ssl/src/'
CORE = ['test/core/combinators.test.ts', 'test/core/key.test.ts']
NN = ['test/nn/layers.test.ts', 'test/nn/vit.test.ts', 'test/nn/parity.test.ts', 'test/nn/predictor.test.ts', 'test/nn/flops-law.test.ts']
MASKS = ['test/masks/multi-block.test.ts', 'test/masks/collator.test.ts', 'test/masks/random.test.ts']
ENERGIES = ['test/ssl/energies.test.ts', 'test/ssl/energies-parity.test.ts', 'test/ssl/energies-grad.test.ts']
breaks = [
 # core
 ('residual subtracts', C+'combinators.ts', "tf.add(x as tf.Tensor, child.apply(", "tf.sub(x as tf.Tensor, child.apply(", CORE),
 ('residual infers no add FLOPs', C+'combinators.ts', "scope.done(inDims, isMulti(inDims) ? 0 : sizeOf(inDims as Dims))", "scope.done(inDims, 0)", CORE + ['test/cli/summary.test.ts']),
 ('add counts one add too many', C+'combinators.ts', "flops: sizeOf(first) * (inDims.length - 1)", "flops: sizeOf(first) * inDims.length", CORE),
 ('children share one runtime key', C+'combinators.ts', "const withKey = (ctx: Ctx, i: number): Ctx => ({ key: fold(ctx.key, i), training: ctx.training })", "const withKey = (ctx: Ctx, _i: number): Ctx => ({ key: ctx.key, training: ctx.training })", CORE + ['test/nn/layers.test.ts']),
 ('uniform at 23 bits', C+'key.ts', "(b[i]! >>> 8) / 16777216", "(b[i]! >>> 9) / 16777216", CORE),
 ('normal pairs cos with cos', C+'key.ts', "if (i + 1 < n) out[i + 1] = r * Math.sin(t)", "if (i + 1 < n) out[i + 1] = r * Math.cos(t)", CORE),
 ('randint one past hi', C+'key.ts', "lo + Math.floor(uniform64(key, 1)[0]! * (hi - lo))", "lo + Math.floor(uniform64(key, 1)[0]! * (hi - lo + 1))", CORE),
 ('truncatedNormal not clamped', C+'key.ts', "out[i] = Math.min(hi, Math.max(lo, z * std))", "out[i] = z * std * 1.5", CORE + ['test/nn/layers.test.ts']),
 ('safetensors header padded with NUL', C+'io/safetensors.ts', "out.fill(0x20, 8 + json.length, 8 + headerLength)", "out.fill(0x00, 8 + json.length, 8 + headerLength)", ['test/core/safetensors.test.ts']),
 # nn
 ('layerNorm default eps 1e-5', N+'layer-norm.ts', "const eps = options.eps ?? 1e-6", "const eps = options.eps ?? 1e-5", NN),
 ('layerNorm infers 7 FLOPs per value', N+'layer-norm.ts', "8 * sizeOf(d)", "7 * sizeOf(d)", NN + ['test/cli/summary.test.ts']),
 ('attention scale hd^+1/2', N+'attention.ts', "const scale = headDim ** -0.5", "const scale = headDim ** 0.5", NN),
 ('pos embed sin -> cos', N+'pos-embed.ts', "out[base + i] = Math.sin(w * omega[i]!)", "out[base + i] = Math.cos(w * omega[i]!)", NN),
 ('patches in the wrong pixel order', N+'patch-embed.ts', "[0, 1, 3, 5, 2, 4]", "[0, 1, 3, 5, 4, 2]", NN),
 ('linear FLOPs without the factor 2', N+'linear.ts', "rows * (2 * inDim * outDim", "rows * (inDim * outDim", NN),
 # masks
 ('roundHalfEven rounds .5 up', M+'block.ts', "if (d > 0.5) return f + 1", "if (d >= 0.5) return f + 1", MASKS),
 ('block area rounded, not floored', M+'block.ts', "const keep = Math.floor(g.height * g.width * scale)", "const keep = Math.round(g.height * g.width * scale)", MASKS),
 ('reference rule without the -1', M+'block.ts', "height: Math.min(h, g.height - 1)", "height: Math.min(h, g.height)", MASKS),
 ('uniformIndex rounds', M+'block.ts', "Math.min(n - 1, Math.floor(u * n))", "Math.min(n - 1, Math.round(u * n))", MASKS),
 ('minKeep inclusive', M+'multi-block.ts', "if (kept > s.minKeep) {", "if (kept >= s.minKeep) {", MASKS),
 ('context indices unsorted', M+'collator.ts', "const sortedCopy = (a: Int32Array): Int32Array => Int32Array.from(a).sort()", "const sortedCopy = (a: Int32Array): Int32Array => Int32Array.from(a).reverse()", MASKS),
 # cli summary (its test matched any text containing "blocks" before this pass)
 ('summary shows no block rows', 'packages/cli/src/commands/summary.ts', "summarize(encoder.layer, [o.batch, o.image, o.image, o.channels])", "summarize(encoder.layer, [o.batch, o.image, o.image, o.channels], { maxDepth: 1 })", ['test/cli/summary.test.ts']),
 # ssl
 ('smoothL1 without the 1/2', S+'energies/smooth-l1.ts', "tf.div(tf.mul(tf.square(clipped), 0.5), beta)", "tf.div(tf.square(clipped), beta)", ENERGIES),
 ('vicreg biased variance', S+'energies/vicreg.ts', "tf.div(tf.sum(tf.square(centered), 0), n - 1)", "tf.div(tf.sum(tf.square(centered), 0), n)", ENERGIES),
 ('vicreg covariance keeps the diagonal', S+'energies/vicreg.ts', "const offDiagonal = tf.sub(1, tf.eye(d))", "const offDiagonal = tf.onesLike(tf.eye(d))", ENERGIES),
 ('mae normPix biased variance', S+'energies/mae.ts', "tf.div(tf.sum(tf.square(centered), -1, true), p - 1)", "tf.div(tf.sum(tf.square(centered), -1, true), p)", ENERGIES),
 ('l2 is mean |d|', S+'energies/l2.ts', "tf.mean(tf.squaredDifference(pred, target))", "tf.mean(tf.abs(tf.sub(pred, target)))", ENERGIES),
 ('ema momentum swapped', S+'ema.ts', "tf.tidy(() => zipTree(target, online, (t, o) => tf.add(tf.mul(t, m), tf.mul(o, 1 - m))))", "tf.tidy(() => zipTree(target, online, (t, o) => tf.add(tf.mul(o, m), tf.mul(t, 1 - m))))", ['test/ssl/ema.test.ts']),
 ('ijepa target not layer-normed', S+'families/ijepa.ts', "gatherBlocks(normalizeFeatures(encode(v, targetEncoder, images, evaluation)), targetIdx)", "gatherBlocks(encode(v, targetEncoder, images, evaluation), targetIdx)", ['test/ssl/ijepa-parity.test.ts', 'test/ssl/ijepa.test.ts']),
]
only = sys.argv[1:]
holes = []
for name, path, old, new, files in breaks:
    if only and name not in only: continue
    src = open(path).read()
    if old not in src:
        print(f'!! {name}: pattern not found', flush=True); continue
    open(path, 'w').write(src.replace(old, new, 1))
    try:
        r = subprocess.run(['node', 'scripts/test.mjs', *files], env={**os.environ, 'SKIP_TYPECHECK': '1', 'TEST_CONCURRENCY': '1'}, capture_output=True, text=True, timeout=600)
        fails = sorted(set(l.strip()[2:].rsplit(' (', 1)[0] for l in r.stdout.splitlines() if l.startswith('✖') and 'failing tests' not in l))
        print(f'== {name}: {len(fails)} failing', flush=True)
        for f in fails: print('   ✖', f, flush=True)
        if not fails: holes.append(name)
    finally:
        open(path, 'w').write(src)
print('holes (mutations no test caught):', holes if holes else 'none')
