/**
 * Checks that a value is plain JSON data, exactly as it will be on disk, and copies it. Iterative,
 * bounded in depth, and safe on hostile input: a getter or Proxy trap that throws, a cycle, a BigInt
 * all come back as a problem with a path, never as a thrown error.
 */
import { types } from 'node:util';
import { describeError } from '../errors.ts';

/**
 * How deep arrays and objects may nest in an envelope, counted from the envelope itself (its
 * `snapshot.context` is at depth 2). Far beyond any real state, and far below what the recursive
 * code after parsing (deep freeze, XState, `JSON.stringify`) can take: a 6 KB file can nest 3,000 deep.
 */
export const MAX_ENVELOPE_DEPTH = 512;

/** What is wrong, where: `path` is dotted from the root (`snapshot.context.when`). */
export interface JsonProblem {
  readonly path: string;
  /** What was found, as a noun phrase: `` a `Map` ``, `NaN`, `a cycle back to \`snapshot\``. */
  readonly found: string;
  /** Set when the problem is the depth limit. */
  readonly depth?: number;
}

export type PlainJsonResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly problem: JsonProblem };

/** How {@link plainJson} walks. */
export interface PlainJsonOptions {
  /** Copy while checking; `false` only checks (for data fresh from `JSON.parse`, or a state to verify). */
  readonly copy: boolean;
  /** The root's name in paths (`context` gives `context.when`). @defaultValue '' */
  readonly at?: string;
  /**
   * How deep in an envelope the root sits (a snapshot's `context` at 2), so the depth limit is the
   * envelope's. @defaultValue 0
   */
  readonly depth?: number;
  /**
   * Check only: frozen subtrees found to be plain data, with their height. Frozen objects cannot change,
   * so a subtree found plain once is plain for good: later walks step over it (a 10 MB state that a
   * swap passes through is walked once, not at every swap).
   */
  readonly cache?: WeakMap<object, number>;
  /**
   * Check only: objects that are not data but that the writer replaces by data of its own (XState's
   * persisted snapshot writes an actor ref as a marker). Not entered.
   */
  readonly allow?: (node: object) => boolean;
}

/** Frozen subtrees smaller than this are not cached: re-walking them costs less than the entry. */
export const CACHE_MIN = 32;

interface Frame {
  readonly source: object;
  /** The copy being filled; `undefined` when only checking. */
  readonly target: unknown[] | Record<string, unknown> | undefined;
  /** Object keys; `undefined` for an array. */
  readonly keys: readonly string[] | undefined;
  readonly length: number;
  next: number;
  /** This node's key in its parent (`''` for the root). */
  readonly key: string;
  /** With a cache: whether everything in the subtree so far is frozen plain data (then it is cached). */
  clean: boolean;
  /** With a cache: the subtree's height (1: no object below it) and how many objects it holds. */
  height: number;
  size: number;
}

/**
 * Walks `root` and returns a copy of it as plain JSON data, or the first value JSON could not hold
 * faithfully: `undefined` inside an array, a non-finite number, a BigInt, a function, a symbol, any
 * object other than a plain object or array (a `Map` would become `{}`, a `Date` a string, a class
 * instance would lose its prototype), an object with an (enumerable) symbol key (JSON drops it), a Proxy, a cycle, or nesting deeper than {@link MAX_ENVELOPE_DEPTH}.
 *
 * An `undefined` object member is dropped (JSON has no such member, and XState's persisted snapshots
 * carry `output: undefined`), and `-0` becomes `0` (they are equal). Each property is read once, so
 * the copy is what was checked. This is the one definition of what an envelope can hold: the envelope
 * uses it on the way in and out, and verify on every migrated state (so `persist()` can write it).
 */
export function plainJson(root: unknown, options: PlainJsonOptions = { copy: true }): PlainJsonResult {
  if (!options.copy) return checkPlain(root, options);
  const stack: Frame[] = [];
  const active = new Set<object>();
  const { cache, allow } = options.copy ? { cache: undefined, allow: undefined } : options;
  const rootKey = options.at ?? '';
  const limit = MAX_ENVELOPE_DEPTH - (options.depth ?? 0);
  const pathTo = (key: string | undefined): string =>
    [...stack.map((f) => f.key), ...(key === undefined ? [] : [key])].filter((k, i) => i > 0 || k !== '').join('.');
  const problem = (key: string | undefined, found: string, depth?: number): PlainJsonResult => ({
    ok: false,
    problem: depth === undefined ? { path: pathTo(key), found } : { path: pathTo(key), found, depth },
  });

  let current: string | undefined; // the key being read, for a problem thrown while reading it
  try {
    const first = leaf(root);
    const self = rootKey === '' ? undefined : rootKey;
    if (first.kind === 'bad') return problem(self, first.found);
    if (first.kind === 'value') return { ok: true, value: first.value };
    if (first.kind === 'undefined') return problem(self, 'undefined');
    if (cache?.has(first.node) === true && cache.get(first.node)! <= limit + 1) return { ok: true, value: root };
    if (allow?.(first.node) === true) return { ok: true, value: root };
    const top = frame(first.node, rootKey);
    if (typeof top === 'string') return problem(self, top);
    stack.push(top);
    active.add(first.node);
    while (stack.length > 0) {
      const f = stack[stack.length - 1]!;
      if (f.next >= f.length) {
        stack.pop();
        active.delete(f.source);
        if (cache !== undefined) {
          if (f.clean && f.size >= CACHE_MIN) cache.set(f.source, f.height);
          const parent = stack[stack.length - 1];
          if (parent !== undefined) {
            parent.clean &&= f.clean;
            parent.height = Math.max(parent.height, f.height + 1);
            parent.size += f.size;
          }
        }
        continue;
      }
      const i = f.next++;
      const key = f.keys === undefined ? String(i) : f.keys[i]!;
      current = key;
      const raw = (f.source as Record<string, unknown>)[key];
      // the common leaves first, without the allocation of a `Leaf` (same rules as `leaf`)
      if (typeof raw === 'string' || typeof raw === 'boolean' || raw === null || (typeof raw === 'number' && Number.isFinite(raw))) {
        set(f.target, key, raw === 0 ? 0 : raw);
        continue;
      }
      const r = leaf(raw);
      if (r.kind === 'bad') return problem(key, r.found);
      if (r.kind === 'undefined') {
        if (f.keys === undefined) return problem(key, 'undefined in an array (JSON writes `null`)');
        continue; // an undefined member: JSON has no such member either
      }
      if (r.kind === 'value') {
        set(f.target, key, r.value);
        continue;
      }
      if (cache !== undefined) {
        // found plain before, and not so deep here that its deepest object would pass the limit
        const height = cache.get(r.node);
        if (height !== undefined && stack.length + height - 1 <= limit) {
          f.height = Math.max(f.height, height + 1);
          f.size += CACHE_MIN;
          continue;
        }
        if (allow?.(r.node) === true) {
          f.clean = false;
          continue;
        }
      }
      if (active.has(r.node)) {
        const at = stack.findIndex((g) => g.source === r.node);
        const back = stack.slice(0, at + 1).map((g) => g.key).filter((k, j) => j > 0 || k !== '').join('.');
        return problem(key, `a cycle back to \`${back === '' ? '(the root)' : back}\``);
      }
      if (stack.length > limit) {
        // counted from the envelope, whatever the walk started from: one limit, one number
        return problem(key, `nesting deeper than ${MAX_ENVELOPE_DEPTH} levels${options.depth === undefined ? '' : ' (counted from the envelope)'}`, MAX_ENVELOPE_DEPTH);
      }
      const child = frame(r.node, key);
      if (typeof child === 'string') return problem(key, child);
      set(f.target, key, child.target);
      stack.push(child);
      active.add(r.node);
    }
    return { ok: true, value: top.target ?? root };
  } catch (error) {
    return problem(current, `a value that threw when read (${describeError(error).message})`);
  }

  /** The frame for `node`, or what is wrong with it (a key JSON would drop). */
  function frame(node: object, key: string): Frame | string {
    const clean = Object.isFrozen(node);
    if (Array.isArray(node)) {
      const length = node.length;
      return { source: node, target: options.copy ? new Array<unknown>(length) : undefined, keys: undefined, length, next: 0, key, clean, height: 1, size: 1 };
    }
    const keys = Object.keys(node);
    // Spread copies an own symbol key, JSON drops it: a state could hold it until persisted. (Non-enumerable
    // properties are not data to spread, `Object.keys` or JSON alike, and are not looked for.)
    const symbols = Object.getOwnPropertySymbols(node);
    const symbol = symbols.length === 0 ? undefined : symbols.find((k) => Object.prototype.propertyIsEnumerable.call(node, k));
    if (symbol !== undefined) return `an object with a symbol key \`${String(symbol)}\` (JSON drops it)`;
    // A plain `{}` even for a null-prototype source: the copy is what `JSON.parse` will give back.
    const target = options.copy ? {} : undefined;
    return { source: node, target, keys, length: keys.length, next: 0, key, clean, height: 1, size: 1 };
  }
}

/**
 * Frozen subtrees found to be plain data, with their height (see {@link PlainJsonOptions.cache}): filled
 * by verify's walk and by `migrate`'s deep freeze (which checks what it freezes in the same pass), so a
 * state is walked for plain data once, not at every swap, and a fresh 10 MB state once, not twice.
 */
export const FROZEN_PLAIN = new WeakMap<object, number>();

/** Ancestors past this many are also kept in a set (a cycle check by scan costs the depth). */
const SCAN_MAX = 32;

/**
 * {@link plainJson} without the copy: the same rules, problems and paths, walked recursively (bounded
 * by the depth limit) with no frame per object, and the path built only for a problem. A small
 * state (the common swap) costs a few hundred nanoseconds.
 */
function checkPlain(root: unknown, options: Omit<PlainJsonOptions, 'copy'>): PlainJsonResult {
  const { cache, allow } = options;
  const rootKey = options.at ?? '';
  const limit = MAX_ENVELOPE_DEPTH - (options.depth ?? 0);
  // the frames: their objects and keys (`keys[0]` the root's name), as a recursive walk enters them
  const nodes: object[] = [];
  const keys: string[] = [rootKey];
  let deep: Set<object> | undefined; // ancestors past SCAN_MAX
  let size = 0; // objects walked (a cached subtree counts CACHE_MIN), for what is worth caching
  let problem: JsonProblem | undefined;
  let current: string | undefined; // the key being read, for a problem thrown while reading it
  const pathTo = (key: string | undefined, frames = keys.length): string =>
    [...keys.slice(0, frames), ...(key === undefined ? [] : [key])].filter((k, i) => i > 0 || k !== '').join('.');
  const fail = (key: string | undefined, found: string, depth?: number): -1 => {
    problem = depth === undefined ? { path: pathTo(key), found } : { path: pathTo(key), found, depth };
    return -1;
  };

  /** Walks `node` (its frame not yet pushed): -1 on a problem, else its height when clean (cacheable), else 0. */
  const visit = (node: object): number => {
    const symbol = symbolKey(node);
    if (symbol !== undefined) return fail(undefined, symbol);
    const at = nodes.length;
    nodes.push(node);
    if (at >= SCAN_MAX) (deep ??= new Set()).add(node);
    size++;
    const array = Array.isArray(node);
    const names = array ? undefined : Object.keys(node);
    const length = names === undefined ? (node as unknown[]).length : names.length;
    let clean = cache !== undefined && Object.isFrozen(node);
    const start = size - 1;
    let height = 1;
    for (let i = 0; i < length; i++) {
      const key = names === undefined ? String(i) : names[i]!;
      current = key;
      const raw = (node as Record<string, unknown>)[key];
      if (typeof raw === 'string' || typeof raw === 'boolean' || raw === null || (typeof raw === 'number' && Number.isFinite(raw))) continue;
      const r = leaf(raw);
      if (r.kind === 'bad') return fail(key, r.found);
      if (r.kind === 'undefined') {
        if (array) return fail(key, 'undefined in an array (JSON writes `null`)');
        continue; // an undefined member: JSON has no such member either
      }
      if (r.kind === 'value') continue;
      const child = r.node;
      if (cache !== undefined) {
        // found plain before, and not so deep here that its deepest object would pass the limit
        const h = cache.get(child);
        if (h !== undefined && nodes.length + h - 1 <= limit) {
          if (h + 1 > height) height = h + 1;
          size += CACHE_MIN;
          continue;
        }
        if (allow?.(child) === true) {
          clean = false;
          continue;
        }
      }
      if (onPath(child)) {
        const back = pathTo(undefined, nodes.indexOf(child) + 1);
        return fail(key, `a cycle back to \`${back === '' ? '(the root)' : back}\``);
      }
      if (nodes.length > limit) {
        // counted from the envelope, whatever the walk started from: one limit, one number
        return fail(key, `nesting deeper than ${MAX_ENVELOPE_DEPTH} levels${options.depth === undefined ? '' : ' (counted from the envelope)'}`, MAX_ENVELOPE_DEPTH);
      }
      keys.push(key);
      const h = visit(child);
      if (h < 0) return -1;
      keys.pop();
      if (h === 0) clean = false;
      else if (h + 1 > height) height = h + 1;
    }
    nodes.pop();
    if (at >= SCAN_MAX) deep!.delete(node);
    if (!clean) return 0;
    if (size - start >= CACHE_MIN) cache!.set(node, height);
    return height;
  };
  const onPath = (node: object): boolean => {
    const n = Math.min(nodes.length, SCAN_MAX);
    for (let i = 0; i < n; i++) if (nodes[i] === node) return true;
    return deep !== undefined && deep.has(node);
  };

  try {
    const first = leaf(root);
    const self = rootKey === '' ? undefined : rootKey;
    if (first.kind === 'bad') return { ok: false, problem: { path: pathTo(self, 0), found: first.found } };
    if (first.kind === 'value') return { ok: true, value: first.value };
    if (first.kind === 'undefined') return { ok: false, problem: { path: pathTo(self, 0), found: 'undefined' } };
    if (cache?.has(first.node) === true && cache.get(first.node)! <= limit + 1) return { ok: true, value: root };
    if (allow?.(first.node) === true) return { ok: true, value: root };
    if (visit(first.node) < 0) return { ok: false, problem: problem! };
    return { ok: true, value: root };
  } catch (error) {
    return { ok: false, problem: { path: pathTo(current), found: `a value that threw when read (${describeError(error).message})` } };
  }
}

/**
 * Whether an object may be plain data by {@link plainJson}'s rules for the object itself (a plain
 * object or array, no Proxy, no symbol key): what `migrate`'s deep freeze checks as it goes.
 */
export function plainNode(node: object): boolean {
  // `leaf` and `symbolKey`'s rules, without their allocations: the pre-copy asks this of every object of a big state
  if (types.isProxy(node)) return false;
  const proto: unknown = Object.getPrototypeOf(node);
  if (!(Array.isArray(node) ? proto === Array.prototype : proto === Object.prototype || proto === null)) return false;
  const symbols = Object.getOwnPropertySymbols(node);
  for (const k of symbols) if (Object.prototype.propertyIsEnumerable.call(node, k)) return false;
  return true;
}

/** Whether a non-object member is plain data by {@link plainJson}'s rules (`undefined` only in an object). */
export function plainMember(value: unknown, inArray: boolean): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'undefined':
      return !inArray;
    default:
      return value === null;
  }
}

/** What is wrong with `node`'s keys, when one is an (enumerable) symbol, which JSON drops. */
function symbolKey(node: object): string | undefined {
  const symbols = Object.getOwnPropertySymbols(node);
  const symbol = symbols.length === 0 ? undefined : symbols.find((k) => Object.prototype.propertyIsEnumerable.call(node, k));
  return symbol === undefined ? undefined : `an object with a symbol key \`${String(symbol)}\` (JSON drops it)`;
}

type Leaf =
  | { readonly kind: 'value'; readonly value: null | boolean | number | string }
  | { readonly kind: 'node'; readonly node: object }
  | { readonly kind: 'undefined' }
  | { readonly kind: 'bad'; readonly found: string };

function leaf(v: unknown): Leaf {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return { kind: 'value', value: v };
    case 'number':
      if (Number.isFinite(v)) return { kind: 'value', value: v === 0 ? 0 : v };
      return { kind: 'bad', found: `\`${String(v)}\` (JSON writes \`null\`)` };
    case 'undefined':
      return { kind: 'undefined' };
    case 'bigint':
      return { kind: 'bad', found: 'a BigInt' };
    case 'symbol':
      return { kind: 'bad', found: 'a symbol' };
    case 'function':
      return { kind: 'bad', found: 'a function' };
    default:
      break;
  }
  if (v === null) return { kind: 'value', value: null };
  const node = v as object;
  // Before anything else touches it: a Proxy's traps run on every read and may answer differently each time.
  if (types.isProxy(node)) return { kind: 'bad', found: 'a Proxy' };
  const proto: unknown = Object.getPrototypeOf(node);
  if (Array.isArray(node) ? proto === Array.prototype : proto === Object.prototype || proto === null) return { kind: 'node', node };
  return { kind: 'bad', found: describeObject(proto) };
}

function describeObject(proto: unknown): string {
  const ctor = proto === null || typeof proto !== 'object' ? undefined : Object.getOwnPropertyDescriptor(proto, 'constructor')?.value;
  const name = typeof ctor === 'function' && typeof ctor.name === 'string' && ctor.name !== '' ? ctor.name : undefined;
  return name === undefined ? 'an object with a custom prototype' : `a \`${name}\` (JSON would not keep it)`;
}

function set(target: unknown[] | Record<string, unknown> | undefined, key: string, value: unknown): void {
  if (target === undefined) return;
  // defineProperty for `__proto__`: assigning it would set the prototype; it must stay data (the
  // unsafe-key check refuses it). Plain assignment otherwise, which is much faster.
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else (target as Record<string, unknown>)[key] = value;
}
