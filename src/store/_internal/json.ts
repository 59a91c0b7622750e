/**
 * Checks that a value is plain JSON data, exactly as it will be on disk, and copies it. Iterative,
 * bounded in depth, and safe on hostile input: a getter or Proxy trap that throws, a cycle, a BigInt
 * all come back as a problem with a path, never as a thrown error.
 */
import { types } from 'node:util';
import { describeError } from '../../errors.ts';

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
}

/**
 * Walks `root` and returns a copy of it as plain JSON data, or the first value JSON could not hold
 * faithfully: `undefined` inside an array, a non-finite number, a BigInt, a function, a symbol, any
 * object other than a plain object or array (a `Map` would become `{}`, a `Date` a string, a class
 * instance would lose its prototype), a Proxy, a cycle, or nesting deeper than {@link MAX_ENVELOPE_DEPTH}.
 *
 * An `undefined` object member is dropped (JSON has no such member, and XState's persisted snapshots
 * carry `output: undefined`), and `-0` becomes `0` (they are equal). Each property is read once, so
 * the copy is what was checked. With `copy: false` only checks (for data fresh from `JSON.parse`).
 */
export function plainJson(root: unknown, options: { copy: boolean } = { copy: true }): PlainJsonResult {
  const stack: Frame[] = [];
  const active = new Set<object>();
  const pathTo = (key: string | undefined): string =>
    [...stack.map((f) => f.key), ...(key === undefined ? [] : [key])].filter((k, i) => i > 0 || k !== '').join('.');
  const problem = (key: string | undefined, found: string, depth?: number): PlainJsonResult => ({
    ok: false,
    problem: depth === undefined ? { path: pathTo(key), found } : { path: pathTo(key), found, depth },
  });

  let current: string | undefined; // the key being read, for a problem thrown while reading it
  try {
    const first = leaf(root);
    if (first.kind === 'bad') return problem(undefined, first.found);
    if (first.kind === 'value') return { ok: true, value: first.value };
    if (first.kind === 'undefined') return problem(undefined, 'undefined');
    const top = frame(first.node, '');
    stack.push(top);
    active.add(first.node);
    while (stack.length > 0) {
      const f = stack[stack.length - 1]!;
      if (f.next >= f.length) {
        stack.pop();
        active.delete(f.source);
        continue;
      }
      const i = f.next++;
      const key = f.keys === undefined ? String(i) : f.keys[i]!;
      current = key;
      const raw = (f.source as Record<string, unknown>)[key];
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
      if (active.has(r.node)) {
        const at = stack.findIndex((g) => g.source === r.node);
        const back = stack.slice(0, at + 1).map((g) => g.key).filter((k, j) => j > 0 || k !== '').join('.');
        return problem(key, `a cycle back to \`${back === '' ? '(the root)' : back}\``);
      }
      if (stack.length > MAX_ENVELOPE_DEPTH) {
        return problem(key, `nesting deeper than ${MAX_ENVELOPE_DEPTH} levels`, MAX_ENVELOPE_DEPTH);
      }
      const child = frame(r.node, key);
      set(f.target, key, child.target);
      stack.push(child);
      active.add(r.node);
    }
    return { ok: true, value: top.target ?? root };
  } catch (error) {
    return problem(current, `a value that threw when read (${describeError(error).message})`);
  }

  function frame(node: object, key: string): Frame {
    if (Array.isArray(node)) {
      const length = node.length;
      return { source: node, target: options.copy ? new Array<unknown>(length) : undefined, keys: undefined, length, next: 0, key };
    }
    const keys = Object.keys(node);
    // A plain `{}` even for a null-prototype source: the copy is what `JSON.parse` will give back.
    const target = options.copy ? {} : undefined;
    return { source: node, target, keys, length: keys.length, next: 0, key };
  }
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
