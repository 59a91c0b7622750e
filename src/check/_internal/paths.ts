/**
 * Context field paths: every object key at any depth, as a dotted path, with its JSON type and value.
 * Arrays are leaves (their indices are data, not fields).
 */

/** The JSON-ish type of a value, as `hotswap check` names it. */
export type FieldType = 'string' | 'number' | 'boolean' | 'null' | 'array' | 'object' | 'undefined' | 'other';

/** One field of a context. */
export interface Field {
  readonly type: FieldType;
  readonly value: unknown;
}

/** Names the type of a value. */
export function typeOf(value: unknown): FieldType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'object':
    case 'undefined':
      return typeof value as FieldType;
    default:
      return 'other';
  }
}

/** Every field path of a context (objects recursed, arrays as leaves), in insertion order. */
export function fieldsOf(context: unknown, limit = 1000): Map<string, Field> {
  const fields = new Map<string, Field>();
  const seen = new Set<object>();
  const visit = (node: unknown, prefix: string): void => {
    if (node === null || typeof node !== 'object' || Array.isArray(node) || seen.has(node)) return;
    seen.add(node);
    for (const key of Object.keys(node)) {
      if (fields.size >= limit) return;
      const value = (node as Record<string, unknown>)[key];
      const path = prefix === '' ? key : `${prefix}.${key}`;
      fields.set(path, { type: typeOf(value), value });
      visit(value, path);
    }
  };
  visit(context, '');
  return fields;
}

/** Structural equality over JSON-like data (what a persisted snapshot holds). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.hasOwn(b, k)) return false;
    if (!deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

/** The first path (dotted, `''` for the root) at which two JSON-like values differ, if any. */
export function firstDifference(a: unknown, b: unknown, prefix = ''): string | undefined {
  if (deepEqual(a, b)) return undefined;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object' || Array.isArray(a) || Array.isArray(b)) {
    return prefix;
  }
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  for (const k of keys) {
    const path = prefix === '' ? k : `${prefix}.${k}`;
    const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path);
    if (d !== undefined) return d;
  }
  return prefix;
}

/** True when `path` is `ancestor` or lies under it. */
export function isWithin(path: string, ancestor: string): boolean {
  return path === ancestor || path.startsWith(`${ancestor}.`);
}

/**
 * Splits a declared path, dotted with `[i]` for array items (`endpoints[0].url`), into its keys and
 * indices; `undefined` when it is not one (empty segments, a bad index).
 */
export function parsePath(path: string): (string | number)[] | undefined {
  const out: (string | number)[] = [];
  for (const part of path.split('.')) {
    const m = /^([^[\]]+)((?:\[\d+\])*)$/u.exec(part);
    if (m === null) return undefined;
    out.push(m[1]!);
    for (const index of m[2]!.matchAll(/\[(\d+)\]/gu)) out.push(Number(index[1]));
  }
  return out;
}

/** The value at a declared path (see {@link parsePath}), and whether it is there at all. */
export function valueAt(root: unknown, path: readonly (string | number)[]): { found: boolean; value?: unknown } {
  let node = root;
  for (const key of path) {
    if (typeof key === 'number' ? !Array.isArray(node) || key >= node.length : node === null || typeof node !== 'object' || Array.isArray(node) || !Object.hasOwn(node, key)) {
      return { found: false };
    }
    node = (node as Record<string | number, unknown>)[key];
  }
  return { found: true, value: node };
}
