/**
 * @jepa-ts/masks/node — the node-side half of masks: the PNG encoder (`encodePng`, node:zlib
 * deflate) and the SVG figure that embeds it (base64 via Buffer). The rest of `@jepa-ts/masks`
 * (samplers, collators, rasterized figures) is browser-safe.
 */
export * from './png.ts'
export * from './svg.ts'
