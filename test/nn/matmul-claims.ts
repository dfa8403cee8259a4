/**
 * The matmul FLOPs the FLOPs interpreter claims for a layer (not a test file itself): `infer`'s
 * FLOPs less the elementwise FLOPs it adds on top of the products. Per report node (own FLOPs =
 * its FLOPs − its children's): a linear's bias (one add per output, when it has one), a patch
 * embedding's bias, attention's scale + softmax (2·B·heads·N², `heads` given by the caller: the
 * report does not carry it); all own FLOPs of every other kind (layer norm, gelu, dropout, position
 * embeddings, batch norm, residual adds, the predictor's own additions).
 */
import { type AnyLayer, type DimsSig, type Report, countSpecs, inferOrThrow } from '@jepa-ts/core'

const size = (d: DimsSig): number => (d as readonly number[]).reduce((a, b) => a * b, 1)
const last = (d: DimsSig): number => (d as readonly number[])[(d as readonly number[]).length - 1]!

/** FLOPs of `r` itself (not of its children) that are not matrix products. */
const elementwiseOwn = (r: Report, heads: number): number => {
  const own = r.flops - r.children.reduce((a, c) => a + c.flops, 0)
  switch (r.kind) {
    case 'linear': {
      const [i, o] = [last(r.inDims), last(r.outDims)]
      return r.params === i * o + o ? size(r.outDims) : 0
    }
    case 'patchEmbed':
      return size(r.outDims)
    case 'attention': {
      const [B, N] = r.inDims as readonly number[]
      return 2 * B! * heads * N! * N!
    }
    default:
      return own
  }
}
const elementwise = (r: Report, heads: number): number => elementwiseOwn(r, heads) + r.children.reduce((a, c) => a + elementwise(c, heads), 0)

/** The matmul FLOPs the interpreter claims for `layer` at `inDims`. */
export const claimedMatmulFlops = (layer: AnyLayer, inDims: DimsSig, heads: number): number => {
  const inf = inferOrThrow(layer, inDims)
  const root: Report = { path: layer.name, kind: layer.kind, inDims, outDims: inf.outDims, params: countSpecs(inf.params), flops: inf.flops, children: inf.children }
  return inf.flops - elementwise(root, heads)
}

