/**
 * Image folders: `<dir>/<class>/<image>.{png,jpg,jpeg}`, one sub-folder per class, class names
 * sorted (label v = the v-th name), files sorted within a class. Each image is decoded with sharp,
 * alpha flattened onto black, resized to cover size × size and center-cropped, then converted to
 * grayscale (channels 1) or sRGB (channels 3). Top-level files are ignored; inside a class folder
 * a hidden file (`.DS_Store`) is ignored but any other non-image file is an error, as is a file that
 * fails to decode (naming the file), an empty class folder or a folder with no class sub-folders.
 */
import { readdirSync, statSync } from 'node:fs'
import { basename, extname, join } from 'node:path'
import { type Either, left, right } from 'fp-ts/lib/Either.js'
import sharp from 'sharp'
import { type DataError, dataError } from './data-error.ts'
import { type ImageDataset, checkDataset } from './dataset.ts'

/** The extensions read as images (case-insensitive). */
export const IMAGE_EXTENSIONS: readonly string[] = ['.png', '.jpg', '.jpeg']

/** Options of `loadImageFolder`. */
export interface ImageFolderOptions {
  /** Output side: images become size × size. */
  readonly size: number
  /** 1 (grayscale) or 3 (RGB). */
  readonly channels: 1 | 3
  /** Read at most this many images per class (the first ones in name order). */
  readonly limitPerClass?: number
  /** Images decoded at once (default 8). */
  readonly concurrency?: number
}

/** Decodes one image file to size × size × channels uint8 pixels (cover + center crop). */
export const decodeImageFile = async (file: string, size: number, channels: 1 | 3): Promise<Either<DataError, Uint8Array>> => {
  try {
    const pipeline = sharp(file, { failOn: 'error' })
      .flatten({ background: { r: 0, g: 0, b: 0 } })
      .resize(size, size, { fit: 'cover', position: 'centre' })
    const { data, info } = await (channels === 1 ? pipeline.toColourspace('b-w') : pipeline.toColourspace('srgb').removeAlpha())
      .raw()
      .toBuffer({ resolveWithObject: true })
    if (info.width !== size || info.height !== size || info.channels !== channels || data.length !== size * size * channels) {
      return left(dataError({ file }, `${size}×${size}×${channels} decoded pixels`, `${info.width}×${info.height}×${info.channels}`))
    }
    return right(new Uint8Array(data.buffer, data.byteOffset, data.length))
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e)
    return left(dataError({ file }, 'a decodable PNG or JPEG image', `an error from the decoder: ${reason}`))
  }
}

const listDir = (dir: string): Either<DataError, string[]> => {
  try {
    return right(readdirSync(dir).sort())
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e)
    return left(dataError({ file: dir }, 'a readable folder', code === 'ENOENT' ? 'no such folder' : code === 'ENOTDIR' ? 'a file' : code))
  }
}

/** True for a (followed) directory; false for files and for entries that cannot be stat'ed (broken links). */
const isDirectory = (path: string): boolean => {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}

/** Loads `<dir>/<class>/*.{png,jpg,jpeg}` as a dataset with a `class` label. */
export const loadImageFolder = async (dir: string, options: ImageFolderOptions): Promise<Either<DataError, ImageDataset>> => {
  const { size, channels } = options
  const limit = options.limitPerClass ?? Infinity
  const concurrency = options.concurrency ?? 8
  if (!Number.isSafeInteger(size) || size < 1) return left(dataError({ file: dir, field: 'options.size' }, 'a positive integer', String(size)))
  if (channels !== 1 && channels !== 3) return left(dataError({ file: dir, field: 'options.channels' }, '1 or 3', String(channels)))
  if (!(limit >= 1) || (limit !== Infinity && !Number.isSafeInteger(limit))) {
    return left(dataError({ file: dir, field: 'options.limitPerClass' }, 'a positive integer', String(options.limitPerClass)))
  }
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) return left(dataError({ file: dir, field: 'options.concurrency' }, 'a positive integer', String(concurrency)))
  const entries = listDir(dir)
  if (entries._tag === 'Left') return entries
  const classes = entries.right.filter((e) => !e.startsWith('.') && isDirectory(join(dir, e)))
  if (classes.length === 0) return left(dataError({ file: dir }, 'one sub-folder per class (e.g. cat/, dog/)', 'no sub-folders'))
  const files: { readonly path: string; readonly label: number }[] = []
  for (const [label, cls] of classes.entries()) {
    const classDir = join(dir, cls)
    const names = listDir(classDir)
    if (names._tag === 'Left') return names
    const images: string[] = []
    for (const name of names.right) {
      if (name.startsWith('.')) continue
      const path = join(classDir, name)
      if (!IMAGE_EXTENSIONS.includes(extname(name).toLowerCase())) {
        return left(dataError({ file: path }, `an image file (${IMAGE_EXTENSIONS.join(', ')})`, isDirectory(path) ? 'a folder' : `a '${extname(name) || basename(name)}' file`))
      }
      images.push(path)
    }
    if (images.length === 0) return left(dataError({ file: classDir }, `at least one image (${IMAGE_EXTENSIONS.join(', ')}) in class folder '${cls}'`, 'none'))
    for (const path of images.slice(0, limit)) files.push({ path, label })
  }
  const pixels = size * size * channels
  const data = new Uint8Array(files.length * pixels)
  const labels = new Int32Array(files.length)
  for (let start = 0; start < files.length; start += concurrency) {
    const chunk = files.slice(start, start + concurrency)
    const decoded = await Promise.all(chunk.map((f) => decodeImageFile(f.path, size, channels)))
    for (const [j, result] of decoded.entries()) {
      if (result._tag === 'Left') return result
      data.set(result.right, (start + j) * pixels)
      labels[start + j] = chunk[j]!.label
    }
  }
  return checkDataset({
    name: basename(dir),
    height: size,
    width: size,
    channels,
    size: files.length,
    images: data,
    labels: { class: labels },
    classNames: { class: classes },
  })
}
