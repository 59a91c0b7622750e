/**
 * The reference shape of a version: the context keys its code may read, at any depth of plain
 * objects. A migrated context that lacks one is a `missing-field` blocker (G5): without it, a
 * migration returning `{ ...context }` that forgets a field commits, and the next event that reads
 * the field kills the component. Typed lineages catch that at compile time; a version arriving at run
 * time (a plugin) has only this.
 *
 * Where the shape comes from, first match wins:
 * 1. the version's declared `shape` (`{ queue: true, stats: { completed: true } }`);
 * 2. its machine's initial context, when it is an object (`context: { … }`). A context *function*
 *    (`context: ({ input }) => …`) is never called: it may need input, and may spawn actors;
 * 3. its `schema` alone: it validates every key it declares.
 * Otherwise the version has no shape (`hotswap check` warns). The key tree of 1 or 2 is checked on
 * the context that is installed: a schema's output, when the version has one (a key the schema fills
 * in with a default is there; a key it strips is missing, not silently dropped).
 *
 * Rules: a key is required when the reference has it (an initial context's key whose value is
 * `undefined` is optional); it is missing when absent or `undefined` (JSON drops an `undefined`
 * member, so after `persist()` it is absent). Plain objects are entered where both the reference and
 * the migrated context hold one: a `null` or a string in place of an object is a value the type may
 * allow (`User | null`), not a missing key. Arrays are leaves: element shapes are not inferred.
 *
 * The shape is compiled once per version (cached), and a check walks the shape, not the state: its cost
 * is the number of keys in the shape, whatever the size of the context. Tested in
 * test/migrate/totality.test.ts.
 */
import type { AnyVersion } from '../../lineage/types.ts';

/** Required keys of one object, and the shape under each (`undefined`: a leaf). */
export interface ShapeNode {
  readonly keys: readonly string[];
  readonly children: readonly (ShapeNode | undefined)[];
}

/** Where a version's reference shape comes from, and the shape when it is a key tree. */
export type ReferenceShape =
  | { readonly source: 'shape' | 'initial-context'; readonly root: ShapeNode }
  | { readonly source: 'schema' }
  | { readonly source: 'none'; readonly reason: string };

const shapes = new WeakMap<AnyVersion, ReferenceShape>();

/** The reference shape of a version, compiled on first use. */
export function referenceShape(version: AnyVersion): ReferenceShape {
  let shape = shapes.get(version);
  if (shape === undefined) shapes.set(version, (shape = compile(version)));
  return shape;
}

function compile(version: AnyVersion): ReferenceShape {
  if (version.shape !== undefined) return { source: 'shape', root: fromDeclared(version.shape as object) };
  // `machine.config` is XState's public config; `context` there is the object or the factory as written.
  const context = (version.machine as { config?: { context?: unknown } }).config?.context;
  // no `context` at all: XState starts from `{}`, which requires nothing
  if (typeof context !== 'function') return { source: 'initial-context', root: fromInitial(context ?? {}, new Set()) };
  if (version.schema !== undefined) return { source: 'schema' };
  return { source: 'none', reason: 'its initial context is a function (of input), which hotswap does not call' };
}

/** A declared shape: `true` marks a required key, an object a required key with required keys under it. */
function fromDeclared(shape: object): ShapeNode {
  const keys: string[] = [];
  const children: (ShapeNode | undefined)[] = [];
  for (const key of Object.keys(shape)) {
    const value = (shape as Record<string, unknown>)[key];
    keys.push(key);
    children.push(value !== null && typeof value === 'object' ? fromDeclared(value) : undefined);
  }
  return { keys, children };
}

function fromInitial(context: unknown, seen: Set<object>): ShapeNode {
  const keys: string[] = [];
  const children: (ShapeNode | undefined)[] = [];
  if (!isPlainObject(context) || seen.has(context)) return { keys, children };
  seen.add(context);
  for (const key of Object.keys(context)) {
    const value = (context as Record<string, unknown>)[key];
    if (value === undefined) continue;
    keys.push(key);
    const child = isPlainObject(value) ? fromInitial(value, seen) : undefined;
    children.push(child !== undefined && child.keys.length > 0 ? child : undefined);
  }
  return { keys, children };
}

function isPlainObject(value: unknown): value is object {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * The dotted paths (`context.stats.failed`) of the keys `shape` requires that `context` lacks, up to
 * `limit`. A context that is not an object lacks every key of the shape's top level.
 */
export function missingFields(shape: ShapeNode, context: unknown, rootPath: string, limit = 50): string[] {
  const missing: string[] = [];
  const stack: { node: ShapeNode; value: unknown; path: string }[] = [{ node: shape, value: context, path: rootPath }];
  while (stack.length > 0 && missing.length < limit) {
    const { node, value, path } = stack.pop()!;
    const object = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
    for (let i = 0; i < node.keys.length && missing.length < limit; i++) {
      const key = node.keys[i]!;
      const member = object !== undefined && Object.hasOwn(object, key) ? object[key] : undefined;
      if (member === undefined) missing.push(`${path}.${key}`);
      else {
        const child = node.children[i];
        if (child !== undefined && isPlainObject(member)) stack.push({ node: child, value: member, path: `${path}.${key}` });
      }
    }
  }
  return missing;
}
