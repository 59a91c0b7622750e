/**
 * Canonical JSON and sha256: the one serialisation every envelope hash and journal state hash is
 * computed over, so equal data hashes the same whatever order its keys were written in. Its own
 * writer (not `JSON.stringify` with a replacer) because hashing runs on every swap and must not
 * overflow the stack on deep values. Pinned by test/store/canonical.test.ts.
 */
import { hash } from 'node:crypto';

/**
 * One array or object being written: its members so far and the next one to write. The serializer
 * keeps these on an explicit stack rather than the call stack, so a deeply nested value (a few
 * thousand arrays fit in a 6 KB file) cannot overflow it.
 */
interface Frame {
  /** The array or object whose members are written. */
  readonly target: object;
  /** The value as found (after `toJSON`), to detect a cycle through it. */
  readonly source: object;
  /** Object keys in write order; `undefined` for an array. */
  readonly keys: readonly string[] | undefined;
  readonly length: number;
  next: number;
  readonly parts: string[];
}

/**
 * JSON with object keys sorted at every depth, so equal data always hashes the same whatever order
 * its keys were written in. `undefined` properties are dropped, exactly as `JSON.stringify` drops them.
 *
 * Byte-identical to `JSON.stringify(value, sortingReplacer)` (the definition hashes were first written
 * with). Recursive up to a few hundred levels, iterative beyond: nesting depth is bounded by memory,
 * not by the call stack (a value deeper than that has its `toJSON` methods called twice). Throws a `TypeError`
 * on a cycle, a BigInt, or a root JSON cannot write (`undefined`, a function, a symbol), as
 * `JSON.stringify` does or would.
 */
export function canonicalJson(value: unknown): string {
  try {
    const text = write(value, '', new Set(), 0);
    if (text === undefined) throw new TypeError(`Cannot write ${typeof value} as JSON`);
    return text;
  } catch (error) {
    if (error !== TOO_DEEP) throw error;
    return canonicalJsonIterative(value);
  }
}

/** Writes one member: its JSON text, or `undefined` for a member JSON skips. */
export type MemberWriter = (raw: unknown, key: string | number, active: Set<object>, depth: number) => string | undefined;

/**
 * The canonical text of an array or object from its members, each written by `write` one level deeper
 * (keys sorted, skipped members dropped, `null` in their array slots): the one member loop of both
 * recursive writers, {@link canonicalJson}'s and the state digest's.
 */
export function membersText(v: object, write: MemberWriter, active: Set<object>, depth: number): string {
  let out: string;
  if (Array.isArray(v)) {
    out = '[';
    const items = v as unknown[];
    for (let i = 0; i < items.length; i++) {
      out += `${i === 0 ? '' : ','}${write(items[i as never], i, active, depth + 1) ?? 'null'}`;
    }
    out += ']';
  } else {
    out = '{';
    let first = true;
    for (const k of sortedKeys(v)) {
      const text = write((v as Record<string, unknown>)[k], k, active, depth + 1);
      if (text === undefined) continue;
      out += `${first ? '' : ','}${quoted(k)}:${text}`;
      first = false;
    }
    out += '}';
  }
  return out;
}

/** Members a leaf may have for {@link leafText}. */
export const LEAF_MAX = 32;

/**
 * The canonical text of a frozen leaf — a plain array or object (`Array`/`Object`/null prototype, no
 * symbol key, no `toJSON`) of at most {@link LEAF_MAX} members, all plain JSON primitives (finite
 * numbers, strings, booleans, null; `undefined` only in an object, where it is left out) — when it is
 * at most `maxLength` characters; else `undefined`, and the caller writes it the long way. Most objects
 * of a state are leaves (a tuple, a record), and the walks that write them (the journal's state digest,
 * the swap's pre-copy) take this at once, with no frame or recursion of their own: it is the text they
 * would write. Frozen, so it is the text for good.
 */
export function leafText(node: object, maxLength: number): string | undefined {
  if (!Object.isFrozen(node) || typeof (node as { toJSON?: unknown }).toJSON === 'function') return undefined;
  let text: string;
  if (Array.isArray(node)) {
    const n = node.length;
    if (n > LEAF_MAX || Object.getPrototypeOf(node) !== Array.prototype || Object.getOwnPropertySymbols(node).length > 0) return undefined;
    text = '[';
    for (let i = 0; i < n; i++) {
      const member = leafMember(node[i]);
      if (member === undefined) return undefined;
      text += i === 0 ? member : `,${member}`;
    }
    text += ']';
  } else {
    const proto: unknown = Object.getPrototypeOf(node);
    if ((proto !== Object.prototype && proto !== null) || Object.getOwnPropertySymbols(node).length > 0) return undefined;
    // counted before sorting: a 13,000-key table is no leaf, and sorting its keys costs milliseconds
    const listed = Object.keys(node);
    if (listed.length > LEAF_MAX) return undefined;
    const keys = inCanonicalOrder(listed);
    text = '{';
    for (const k of keys) {
      const v: unknown = (node as Record<string, unknown>)[k];
      if (v === undefined) continue;
      const member = leafMember(v);
      if (member === undefined) return undefined;
      text += `${text.length === 1 ? '' : ','}${quoted(k)}:${member}`;
    }
    text += '}';
  }
  return text.length <= maxLength ? text : undefined;
}

/** A leaf member's text: a plain JSON primitive's, else `undefined` (an object, `undefined`, a non-finite number, a function…). */
function leafMember(v: unknown): string | undefined {
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
      return Number.isFinite(v) ? String(v) : undefined;
    case 'boolean':
      return v ? 'true' : 'false';
    default:
      return v === null ? 'null' : undefined;
  }
}

/** How deep the recursive writer goes before handing the value to the iterative one. */
const RECURSION_LIMIT = 400;
const TOO_DEEP = Symbol('too deep');

/**
 * The common case, recursively (several times faster than the explicit stack, and what every swap's
 * state hashes go through): byte-identical to {@link canonicalJsonIterative}, which takes over past
 * {@link RECURSION_LIMIT} levels. Returns `undefined` for a member JSON skips.
 */
function write(raw: unknown, key: string | number, active: Set<object>, depth: number): string | undefined {
  const v = jsonValue(raw, key);
  if (v === null || typeof v !== 'object') return primitiveText(v);
  if (depth >= RECURSION_LIMIT) throw TOO_DEEP;
  if (active.has(v)) throw new TypeError('Converting circular structure to JSON');
  active.add(v);
  const out = membersText(v, write, active, depth);
  active.delete(v);
  return out;
}

/** What JSON writes for `raw` under `key` (an array index as a number): the result of its `toJSON` when it has one. */
export function jsonValue(raw: unknown, key: string | number): unknown {
  if ((raw !== null && typeof raw === 'object') || typeof raw === 'function' || typeof raw === 'bigint') {
    const toJSON = (raw as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return (toJSON as (this: unknown, key: string) => unknown).call(raw, String(key));
  }
  return raw;
}

/**
 * Keys as JSON strings, remembered: state hashes write the same few keys on every swap. Only short
 * keys, and only so many: a state keyed by long strings must not be kept alive by the cache.
 */
const QUOTED = new Map<string, string>();
const QUOTED_MAX = 4096;
const QUOTED_KEY_MAX = 64;

export function quoted(key: string): string {
  if (key.length > QUOTED_KEY_MAX) return JSON.stringify(key);
  let text = QUOTED.get(key);
  if (text === undefined) {
    text = JSON.stringify(key);
    if (QUOTED.size < QUOTED_MAX) QUOTED.set(key, text);
  }
  return text;
}

/** Whether `key` is in the quoted-key cache (for tests). */
export function isQuotedCached(key: string): boolean {
  return QUOTED.has(key);
}

/** Up to this many keys are sorted in place by insertion (`sort()` copies into a work array first). */
const INSERTION_SORT_MAX = 16;

/** The JSON text of a non-object, or `undefined` where JSON skips it (a function, a symbol, `undefined`). */
export function primitiveText(v: unknown): string | undefined {
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
      // what JSON writes: the number's own text, `null` for NaN and ±Infinity (and `0` for -0, as String does)
      return Number.isFinite(v) ? String(v) : 'null';
    case 'boolean':
      return v ? 'true' : 'false';
    case 'bigint':
      throw new TypeError('Do not know how to serialize a BigInt');
    default:
      return v === null ? 'null' : undefined;
  }
}

/**
 * The keys in the order the original replacer produced: it copied the keys, sorted, into a fresh
 * object, and an object lists array-index keys first, in numeric order, then the others in insertion order.
 */
export function sortedKeys(v: object): string[] {
  return inCanonicalOrder(Object.keys(v));
}

/** Own keys (as `Object.keys` gives them) in {@link sortedKeys}'s order; sorts `sorted` in place. */
export function inCanonicalOrder(sorted: string[]): string[] {
  if (sorted.length > INSERTION_SORT_MAX) sorted.sort();
  else {
    // the order `sort()` gives: UTF-16 code units, as `<` compares strings
    for (let i = 1; i < sorted.length; i++) {
      const key = sorted[i]!;
      let j = i - 1;
      for (; j >= 0 && sorted[j]! > key; j--) sorted[j + 1] = sorted[j]!;
      sorted[j + 1] = key;
    }
  }
  return sorted.some(isArrayIndex) ? [...sorted.filter(isArrayIndex).sort((a, b) => Number(a) - Number(b)), ...sorted.filter((k) => !isArrayIndex(k))] : sorted;
}

/** {@link canonicalJson} with an explicit stack: any depth, bounded by memory. Exported for tests. */
export function canonicalJsonIterative(value: unknown): string {
  const stack: Frame[] = [];
  const active = new Set<object>();
  // What the member being written turned into: a finished string, `undefined` (skipped), or a new frame.
  let done: string | undefined;
  let pushed = open('', value);
  if (pushed === undefined) {
    if (done === undefined) throw new TypeError(`Cannot write ${typeof value} as JSON`);
    return done;
  }
  stack.push(pushed);
  for (;;) {
    const frame = stack[stack.length - 1]!;
    if (frame.next < frame.length) {
      const i = frame.next++;
      const key = frame.keys === undefined ? String(i) : frame.keys[i]!;
      pushed = open(key, (frame.target as Record<string, unknown>)[key]);
      if (pushed !== undefined) {
        stack.push(pushed);
        continue;
      }
      append(frame, key, done);
      continue;
    }
    stack.pop();
    active.delete(frame.source);
    const text = frame.keys === undefined ? `[${frame.parts.join(',')}]` : `{${frame.parts.join(',')}}`;
    const parent = stack[stack.length - 1];
    if (parent === undefined) return text;
    append(parent, parent.keys === undefined ? '' : parent.keys[parent.next - 1]!, text);
  }

  function append(frame: Frame, key: string, text: string | undefined): void {
    if (frame.keys === undefined) frame.parts.push(text ?? 'null');
    else if (text !== undefined) frame.parts.push(`${quoted(key)}:${text}`);
  }

  /** Writes a primitive into `done`, or returns the frame of an array or object. */
  function open(key: string, raw: unknown): Frame | undefined {
    const v = jsonValue(raw, key);
    if (v === null || typeof v !== 'object') {
      done = primitiveText(v);
      return undefined;
    }
    if (active.has(v)) throw new TypeError('Converting circular structure to JSON');
    active.add(v);
    if (Array.isArray(v)) {
      return { target: v, source: v, keys: undefined, length: (v as unknown[]).length, next: 0, parts: [] };
    }
    const keys = sortedKeys(v);
    return { target: v, source: v, keys, length: keys.length, next: 0, parts: [] };
  }
}

/** A canonical array index (`0`, `17`, not `01` or `-1`) below 2^32 − 1: the keys an object lists first. */
function isArrayIndex(key: string): boolean {
  const c = key.charCodeAt(0);
  if (c < 48 || c > 57) return false;
  return /^(?:0|[1-9][0-9]*)$/.test(key) && Number(key) < 4_294_967_295;
}

/** sha256 of {@link canonicalJson}, in hex. */
export function sha256Hex(value: unknown): string {
  return hash('sha256', canonicalJson(value), 'hex');
}
