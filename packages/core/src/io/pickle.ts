/**
 * A restricted unpickler: the subset of Python's pickle (protocol 2, plus the framing, memo and
 * short-string opcodes of protocols 3–4) that `torch.save` state dicts and training checkpoints use.
 * It interprets the opcodes as data only — nothing is ever imported or called.
 *
 * Contract: `unpickle(bytes, hooks)` returns the value (`PickleValue`) or a `TorchFileError` naming
 * the byte offset. Refused, each with its own message: an opcode outside the subset (named, with
 * its byte), a `GLOBAL` / `STACK_GLOBAL` outside `hooks.globals` (the allow-list; the error names
 * the global, e.g. `os.system`), a `REDUCE`/`NEWOBJ` of a global the allow-list does not let be
 * called, a stack or memo underflow, input that ends before `STOP`. Values:
 *   None → null; bool → boolean; int → number when it is a safe integer, else bigint; float → number;
 *   str → string; bytes → Uint8Array; list → PickleList (an array); tuple → PickleTuple;
 *   dict / OrderedDict → PickleDict (insertion order kept; attributes set by BUILD in `attributes`);
 *   argparse.Namespace and other attribute bags → PickleObject.
 * Persistent ids (`BINPERSID`) and the allowed callables go through `hooks` (the torch layer).
 */
import * as E from 'fp-ts/lib/Either.js'
import { type TorchFileError, torchFileError } from './torch-error.ts'

/** A tuple. */
export class PickleTuple {
  constructor(readonly items: readonly PickleValue[]) {}
}

/** A dict (or OrderedDict); keys are strings, numbers, bigints, booleans or null. */
export class PickleDict {
  readonly entries = new Map<PickleKey, PickleValue>()
  /** Instance attributes set by BUILD (an OrderedDict state_dict carries `_metadata`). */
  readonly attributes = new Map<string, PickleValue>()
  constructor(readonly className: string = 'dict') {}
}

/** An object that only holds attributes (argparse.Namespace). */
export class PickleObject {
  readonly attributes = new Map<string, PickleValue>()
  constructor(readonly className: string) {}
}

/** A global pushed by GLOBAL; only allowed ones ever exist. */
export class PickleGlobal {
  constructor(readonly module: string, readonly name: string) {}
  get qualifiedName(): string {
    return `${this.module}.${this.name}`
  }
}

/** Hashable keys. */
export type PickleKey = string | number | bigint | boolean | null

/** A list. */
export type PickleList = PickleValue[]

/** What hooks may produce (torch storages and tensors). */
export interface PickleOpaque {
  readonly _tag: string
}

/** A value of the subset. */
export type PickleValue = PickleKey | Uint8Array | PickleList | PickleTuple | PickleDict | PickleObject | PickleGlobal | PickleOpaque

/** What an allowed global does when called (REDUCE / NEWOBJ). */
export type PickleCallable =
  | { readonly kind: 'dict' }
  | { readonly kind: 'object' }
  | { readonly kind: 'marker' }
  | { readonly kind: 'function'; readonly call: (args: readonly PickleValue[], at: string) => E.Either<string, PickleValue> }

/** The allow-list and the persistent-id loader. */
export interface UnpickleHooks {
  /** Allowed globals by `module.name`; `marker` ones may be pushed but not called. */
  readonly globals: ReadonlyMap<string, PickleCallable>
  /** Resolves a persistent id (`BINPERSID`); Left(reason) refuses it. */
  readonly persistentLoad: (pid: PickleValue, at: string) => E.Either<string, PickleValue>
}

const MARK = Symbol('mark')
type StackItem = PickleValue | typeof MARK

const OPCODE_NAMES: Readonly<Record<number, string>> = {
  0x28: 'MARK', 0x2e: 'STOP', 0x30: 'POP', 0x31: 'POP_MARK', 0x32: 'DUP', 0x46: 'FLOAT', 0x49: 'INT', 0x4a: 'BININT', 0x4b: 'BININT1',
  0x4c: 'LONG', 0x4d: 'BININT2', 0x4e: 'NONE', 0x50: 'PERSID', 0x51: 'BINPERSID', 0x52: 'REDUCE', 0x53: 'STRING', 0x54: 'BINSTRING',
  0x55: 'SHORT_BINSTRING', 0x56: 'UNICODE', 0x58: 'BINUNICODE', 0x61: 'APPEND', 0x62: 'BUILD', 0x63: 'GLOBAL', 0x64: 'DICT', 0x7d: 'EMPTY_DICT',
  0x65: 'APPENDS', 0x67: 'GET', 0x68: 'BINGET', 0x69: 'INST', 0x6a: 'LONG_BINGET', 0x6c: 'LIST', 0x5d: 'EMPTY_LIST', 0x6f: 'OBJ',
  0x70: 'PUT', 0x71: 'BINPUT', 0x72: 'LONG_BINPUT', 0x73: 'SETITEM', 0x74: 'TUPLE', 0x29: 'EMPTY_TUPLE', 0x75: 'SETITEMS', 0x47: 'BINFLOAT',
  0x80: 'PROTO', 0x81: 'NEWOBJ', 0x82: 'EXT1', 0x83: 'EXT2', 0x84: 'EXT4', 0x85: 'TUPLE1', 0x86: 'TUPLE2', 0x87: 'TUPLE3', 0x88: 'NEWTRUE',
  0x89: 'NEWFALSE', 0x8a: 'LONG1', 0x8b: 'LONG4', 0x42: 'BINBYTES', 0x43: 'SHORT_BINBYTES', 0x8c: 'SHORT_BINUNICODE', 0x8d: 'BINUNICODE8',
  0x8e: 'BINBYTES8', 0x8f: 'EMPTY_SET', 0x90: 'ADDITEMS', 0x91: 'FROZENSET', 0x92: 'NEWOBJ_EX', 0x93: 'STACK_GLOBAL', 0x94: 'MEMOIZE',
  0x95: 'FRAME', 0x96: 'BYTEARRAY8', 0x97: 'NEXT_BUFFER', 0x98: 'READONLY_BUFFER',
}

/** Name of an opcode byte, for errors. */
export const opcodeName = (op: number): string => OPCODE_NAMES[op] ?? 'unknown opcode'

class Refusal extends Error {}

const isKey = (v: PickleValue): v is PickleKey => v === null || ['string', 'number', 'bigint', 'boolean'].includes(typeof v)

const describe = (v: StackItem): string => {
  if (v === MARK) return 'a MARK'
  if (v === null) return 'None'
  if (Array.isArray(v)) return 'a list'
  if (v instanceof PickleTuple) return 'a tuple'
  if (v instanceof PickleDict) return `a ${v.className}`
  if (v instanceof PickleObject) return `a ${v.className}`
  if (v instanceof PickleGlobal) return `the global ${v.qualifiedName}`
  if (v instanceof Uint8Array) return 'bytes'
  if (typeof v === 'object') return `a ${v._tag}`
  return `${typeof v} ${String(v).slice(0, 40)}`
}

/** Interprets pickle bytes (see the module contract). `name` names the stream in errors (`data.pkl`). */
export const unpickle = (bytes: Uint8Array, hooks: UnpickleHooks, source = '<bytes>', name = 'pickle'): E.Either<TorchFileError, PickleValue> => {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const utf8 = new TextDecoder('utf-8', { fatal: true })
  const latin1 = new TextDecoder('latin1')
  const stack: StackItem[] = []
  const memo = new Map<number, PickleValue>()
  let pos = 0
  let opAt = 0
  const where = (): string => `${name} byte ${opAt}`
  const refuse = (expected: string, actual: string): never => {
    throw new Refusal(JSON.stringify([expected, actual]))
  }
  const need = (n: number): number => {
    if (pos + n > bytes.length) refuse(`${n} more bytes for ${opcodeName(bytes[opAt]!)}`, `the end of the stream (it is truncated)`)
    const at = pos
    pos += n
    return at
  }
  const pop = (): PickleValue => {
    const v = stack.pop()
    if (v === undefined) return refuse('a value on the stack', 'an empty stack')
    if (v === MARK) return refuse('a value on the stack', 'a MARK')
    return v
  }
  const top = (): PickleValue => {
    const v = stack[stack.length - 1]
    if (v === undefined || v === MARK) return refuse('a value on the stack', v === undefined ? 'an empty stack' : 'a MARK')
    return v
  }
  const popMark = (): PickleValue[] => {
    const i = stack.lastIndexOf(MARK)
    if (i < 0) refuse('a MARK on the stack', 'none')
    const items = stack.splice(i) as PickleValue[]
    items.shift()
    return items
  }
  const str = (n: number, decoder: TextDecoder): string => {
    const at = need(n)
    try {
      return decoder.decode(bytes.subarray(at, at + n))
    } catch {
      return refuse('UTF-8 text', 'invalid UTF-8')
    }
  }
  const line = (): string => {
    const end = bytes.indexOf(0x0a, pos)
    if (end < 0) refuse('a newline-terminated name', 'the end of the stream')
    const s = latin1.decode(bytes.subarray(pos, end))
    pos = end + 1
    return s
  }
  const lookupGlobal = (module: string, gname: string): PickleGlobal => {
    const q = `${module}.${gname}`
    if (!hooks.globals.has(q)) refuse(`one of the allowed globals (${[...hooks.globals.keys()].join(', ')})`, `GLOBAL ${q}, which is outside the allow-list (nothing is imported or called)`)
    return new PickleGlobal(module, gname)
  }
  const call = (fn: PickleValue, args: readonly PickleValue[]): PickleValue => {
    if (!(fn instanceof PickleGlobal)) return refuse('an allowed global to call', describe(fn))
    const c = hooks.globals.get(fn.qualifiedName)!
    switch (c.kind) {
      case 'dict':
        if (args.length > 0) refuse(`${fn.qualifiedName}() with no arguments`, `${args.length} arguments`)
        return new PickleDict(fn.qualifiedName)
      case 'object':
        return new PickleObject(fn.qualifiedName)
      case 'marker':
        return refuse(`a callable global`, `${fn.qualifiedName}, which may appear only as a type tag`)
      case 'function': {
        const r = c.call(args, where())
        return E.isLeft(r) ? refuse(`valid arguments to ${fn.qualifiedName}`, r.left) : r.right
      }
    }
  }
  const setItem = (d: PickleValue, k: PickleValue, v: PickleValue): void => {
    if (!(d instanceof PickleDict)) refuse('a dict to set items in', describe(d))
    if (!isKey(k)) refuse('a str, int, float, bool or None key', describe(k))
    ;(d as PickleDict).entries.set(k as PickleKey, v)
  }
  const argsOf = (v: PickleValue): readonly PickleValue[] => (v instanceof PickleTuple ? v.items : refuse('an argument tuple', describe(v)))

  try {
    for (;;) {
      opAt = pos
      const op = bytes[need(1)]!
      switch (op) {
        case 0x80: need(1); break // PROTO
        case 0x95: need(8); break // FRAME: frames only group bytes
        case 0x2e: { // STOP
          const result = pop()
          return E.right(result)
        }
        case 0x28: stack.push(MARK); break
        case 0x30: pop(); break // POP
        case 0x31: popMark(); break // POP_MARK
        case 0x32: stack.push(top()); break // DUP
        case 0x7d: stack.push(new PickleDict()); break // EMPTY_DICT
        case 0x5d: stack.push([]); break // EMPTY_LIST
        case 0x29: stack.push(new PickleTuple([])); break // EMPTY_TUPLE
        case 0x74: stack.push(new PickleTuple(popMark())); break // TUPLE
        case 0x85: stack.push(new PickleTuple([pop()])); break
        case 0x86: { const b = pop(); const a = pop(); stack.push(new PickleTuple([a, b])); break }
        case 0x87: { const c = pop(); const b = pop(); const a = pop(); stack.push(new PickleTuple([a, b, c])); break }
        case 0x6c: stack.push(popMark()); break // LIST
        case 0x64: { // DICT
          const items = popMark()
          const d = new PickleDict()
          for (let i = 0; i + 1 < items.length; i += 2) setItem(d, items[i]!, items[i + 1]!)
          stack.push(d)
          break
        }
        case 0x61: { const v = pop(); const l = top(); if (!Array.isArray(l)) refuse('a list to append to', describe(l)); (l as PickleList).push(v); break }
        case 0x65: { const items = popMark(); const l = top(); if (!Array.isArray(l)) refuse('a list to append to', describe(l)); (l as PickleList).push(...items); break }
        case 0x73: { const v = pop(); const k = pop(); setItem(top(), k, v); break }
        case 0x75: {
          const items = popMark()
          if (items.length % 2 !== 0) refuse('key/value pairs after the MARK', `${items.length} items`)
          const d = top()
          for (let i = 0; i < items.length; i += 2) setItem(d, items[i]!, items[i + 1]!)
          break
        }
        case 0x4a: stack.push(view.getInt32(need(4), true)); break // BININT
        case 0x4b: stack.push(bytes[need(1)]!); break // BININT1
        case 0x4d: stack.push(view.getUint16(need(2), true)); break // BININT2
        case 0x8a: { // LONG1: little-endian two's complement
          const n = bytes[need(1)]!
          const at = need(n)
          let v = 0n
          for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[at + i]!)
          if (n > 0 && (bytes[at + n - 1]! & 0x80) !== 0) v -= 1n << BigInt(8 * n)
          stack.push(v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v)
          break
        }
        case 0x47: stack.push(view.getFloat64(need(8), false)); break // BINFLOAT (big-endian)
        case 0x58: stack.push(str(view.getUint32(need(4), true), utf8)); break // BINUNICODE
        case 0x8c: stack.push(str(bytes[need(1)]!, utf8)); break // SHORT_BINUNICODE
        case 0x55: stack.push(str(bytes[need(1)]!, latin1)); break // SHORT_BINSTRING
        case 0x54: stack.push(str(view.getUint32(need(4), true), latin1)); break // BINSTRING
        case 0x43: { const n = bytes[need(1)]!; const at = need(n); stack.push(bytes.slice(at, at + n)); break } // SHORT_BINBYTES
        case 0x42: { const n = view.getUint32(need(4), true); const at = need(n); stack.push(bytes.slice(at, at + n)); break } // BINBYTES
        case 0x4e: stack.push(null); break
        case 0x88: stack.push(true); break
        case 0x89: stack.push(false); break
        case 0x63: { const module = line(); const gname = line(); stack.push(lookupGlobal(module, gname)); break } // GLOBAL
        case 0x93: { // STACK_GLOBAL
          const gname = pop()
          const module = pop()
          if (typeof module !== 'string' || typeof gname !== 'string') refuse('a module and a name (strings)', `${describe(module)}, ${describe(gname)}`)
          stack.push(lookupGlobal(module as string, gname as string))
          break
        }
        case 0x52: { const args = pop(); const fn = pop(); stack.push(call(fn, argsOf(args))); break } // REDUCE
        case 0x81: { const args = pop(); const cls = pop(); stack.push(call(cls, argsOf(args))); break } // NEWOBJ
        case 0x62: { // BUILD: set attributes from a dict state
          const state = pop()
          const obj = top()
          if (!(obj instanceof PickleDict || obj instanceof PickleObject)) refuse('a dict or attribute object to BUILD', describe(obj))
          const dictState = state instanceof PickleTuple && state.items.length === 2 ? state.items[0]! : state
          if (dictState !== null) {
            if (!(dictState instanceof PickleDict)) refuse('a dict of attributes as BUILD state', describe(dictState))
            for (const [k, v] of (dictState as PickleDict).entries) {
              if (typeof k !== 'string') refuse('attribute names (strings)', describe(k))
              ;(obj as PickleDict | PickleObject).attributes.set(k as string, v)
            }
          }
          break
        }
        case 0x51: { // BINPERSID
          const pid = pop()
          const r = hooks.persistentLoad(pid, where())
          if (E.isLeft(r)) refuse('a persistent id of a known storage', r.left)
          stack.push((r as E.Right<PickleValue>).right)
          break
        }
        case 0x71: memo.set(bytes[need(1)]!, top()); break // BINPUT
        case 0x72: memo.set(view.getUint32(need(4), true), top()); break // LONG_BINPUT
        case 0x94: memo.set(memo.size, top()); break // MEMOIZE
        case 0x68: case 0x6a: { // BINGET, LONG_BINGET
          const i = op === 0x68 ? bytes[need(1)]! : view.getUint32(need(4), true)
          if (!memo.has(i)) refuse(`memo entry ${i} to have been stored`, 'an empty slot')
          stack.push(memo.get(i)!)
          break
        }
        default:
          refuse('an opcode of the state-dict subset of pickle protocol 2', `opcode 0x${op.toString(16).padStart(2, '0')} (${opcodeName(op)}), which this reader does not interpret`)
      }
    }
  } catch (e) {
    if (e instanceof Refusal) {
      const [expected, actual] = JSON.parse(e.message) as [string, string]
      return E.left(torchFileError(source, where(), expected, actual))
    }
    throw e
  }
}
