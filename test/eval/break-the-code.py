"""Break-the-code check for the eval tests: applies each deliberate bug below to packages/eval/src,
runs the test file that should catch it, prints which tests failed, and restores the source.
Every law must fail at least once here (STYLE: avoid property tests that cannot fail).
  python3 test/eval/break-the-code.py [name ...]      (run from the repo root; ~2 min on 2 cores)
"""
import subprocess, sys
S='packages/eval/src/'
breaks = [
 ('probe label index', S+'softmax-regression.ts', "const y = labels[rows[b]!]!", "const y = labels[b]!", 'linear-probe'),
 ('probe accuracy compare <=', S+'linear-head.ts', "head.classes, logits) === labels[i]) correct++", "head.classes, logits) <= labels[i]!) correct++", 'linear-probe'),
 ('Math.random shuffle', S+'linear-probe.ts', "const j = Math.floor(u[i]! * (i + 1))", "const j = Math.floor(Math.random() * (i + 1))", 'linear-probe'),
 ('gradient without 1/B', S+'softmax-regression.ts', "(c === y ? 1 : 0)) / batch", "(c === y ? 1 : 0))", 'linear-probe'),
 ('adamw no bias correction 2', S+'probe-adamw.ts', "const correction2 = Math.sqrt(1 - ADAM_BETA2 ** step)", "const correction2 = 1", 'linear-probe'),
 ('unbiased variance', S+'feature-standardizer.ts', "for (let j = 0; j < dim; j++) variance[j] = variance[j]! / rows", "for (let j = 0; j < dim; j++) variance[j] = variance[j]! / Math.max(1, rows - 1)", 'linear-probe'),
 ('permutation no swap', S+'linear-probe.ts', "    order[j] = t\n", "", 'linear-probe'),
 ('knn exp(-sim/t)', S+'knn.ts', "Math.exp(similarities[j]! / temperature)", "Math.exp(-similarities[j]! / temperature)", 'knn'),
 ('knn exp(sim) no tau', S+'knn.ts', "Math.exp(similarities[j]! / temperature)", "Math.exp(similarities[j]!)", 'knn'),
 ('knn chunk offset', S+'knn.ts', "predictions[start + r] = p", "predictions[r] = p", 'knn'),
 ('topK tie rule', S+'knn.ts', "while (pos > 0 && topValues[pos - 1]! < v)", "while (pos > 0 && topValues[pos - 1]! <= v)", 'knn'),
 ('jacobi sign of s', S+'jacobi-eigenvalues.ts', "const s = t * c", "const s = -t * c", 'rank-me'),
 ('sigma = lambda', S+'rank-me.ts', "map((l) => Math.sqrt(Math.max(l, 0)))", "map((l) => Math.max(l, 0))", 'rank-me'),
 ('centre columns', S+'rank-me.ts', "  const { gram, size } = smallGram(values, rows, dim)", "  const mu = new Float64Array(dim); for (let i = 0; i < rows * dim; i++) mu[i % dim] = mu[i % dim]! + values[i]! / rows\n  values = values.map((x, i) => x - mu[i % dim]!)\n  const { gram, size } = smallGram(values, rows, dim)", 'rank-me'),
 ('ZZt path off by one', S+'rank-me.ts', "for (let j = 0; j < dim; j++) s += values[a * dim + j]! * values[b * dim + j]!", "for (let j = 1; j < dim; j++) s += values[a * dim + j]! * values[b * dim + j]!", 'rank-me'),
 ('rankme eps 1e-3', S+'rank-me.ts', "export const RANKME_EPS = 1e-7", "export const RANKME_EPS = 1e-3", 'rank-me'),
 ('collapse no normalization', S+'collapse-monitor.ts', "    const inv = 1 / Math.max(Math.sqrt(norm), 1e-12)\n    for (let j = 0; j < dim; j++) {", "    const inv = 1\n    for (let j = 0; j < dim; j++) {", 'collapse-monitor'),
 ('collapse total not / dim', S+'collapse-monitor.ts', "return total / dim", "return total / Math.sqrt(dim)", 'collapse-monitor'),
 ('table no pipe escape', S+'compare-table.ts', ".replace(/\\|/g, '\\\\|')", "", 'report'),
 ('bar axis = sum', S+'bar-chart-svg.ts', ": Math.max(0, ...finite)", ": finite.reduce((a, b) => a + b, 0)", 'report'),
 ('probe leaks a tensor per epoch', S+'linear-probe.ts', "    curve.push(record)", "    ;(await import('@tensorflow/tfjs')).scalar(epoch)\n    curve.push(record)", 'linear-probe'),
 ('no label-length check', S+'feature-matrix.ts', "      if (split.labels.length !== n) {", "      if (false) {", 'linear-probe'),
 ('knn picks least similar', S+'knn.ts', "topK(sims.subarray(r * trainRows, (r + 1) * trainRows), k, topValues, topIndices)", "topK(sims.subarray(r * trainRows, (r + 1) * trainRows).map((x) => -x), k, topValues, topIndices)", 'knn'),
 ('bias decayed too', S+'linear-head.ts', "adamwStepInPlace(head.bias, gradBias, head.step, lr, 0)", "adamwStepInPlace(head.bias, gradBias, head.step, lr, weightDecay)", 'linear-probe'),
]
only = sys.argv[1:]
for name, path, old, new, testfile in breaks:
    if only and name not in only: continue
    src = open(path).read()
    if old not in src:
        print(f'!! {name}: pattern not found'); continue
    open(path, 'w').write(src.replace(old, new, 1))
    try:
        r = subprocess.run(['node', 'scripts/test.mjs', f'test/eval/{testfile}.test.ts'], env={**__import__('os').environ, 'SKIP_TYPECHECK': '1'}, capture_output=True, text=True, timeout=300)
        fails = sorted(set(l.strip()[2:].rsplit(' (', 1)[0] for l in r.stdout.splitlines() if l.startswith('✖') and 'failing tests' not in l))
        print(f'== {name}: {len(fails)} failing')
        for f in fails: print('   ✖', f)
    finally:
        open(path, 'w').write(src)
