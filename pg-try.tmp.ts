import * as tf from '@tensorflow/tfjs'
import { loadSplit } from '/work/wt-17/packages/cli/src/commands/train-dataset.ts'
import { playgroundTrainer } from '/work/wt-17/packages/cli/src/serve/playground/trainer.ts'
await tf.setBackend('cpu')
const toImages = (split: 'train'|'test', n: number) => { const r = loadSplit(split, undefined); if (r._tag==='Left') throw new Error(r.left); const d = r.right.dataset; const f = Object.keys(d.labels)[0]!; return { count: n, height: d.height, width: d.width, pixels: d.images.slice(0, n*d.height*d.width), labels: d.labels[f]!.slice(0,n), classNames: d.classNames[f]! } }
const train = toImages('train', 2000), test = toImages('test', 500)
console.log(loadSplit('train', undefined)._tag === 'Right' ? 'data ok' : '')
for (const family of ['ijepa','mae'] as const) {
  const t = playgroundTrainer({ family, train, test, seed: 0 })
  const t0 = Date.now(); console.log(family, 'knn0', await t.knn(), Date.now()-t0)
  const losses: number[] = []
  const t1 = Date.now()
  for (let i=0;i<20;i++) losses.push(t.step().loss)
  console.log(family, (Date.now()-t1)/20, 'ms/step', losses.map(l=>l.toFixed(3)).join(' '))
  console.log(family, 'knn20', await t.knn())
  t.dispose()
}
